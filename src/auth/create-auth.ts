import type { CoreConfig } from '../config.ts';
import { rateLimitPerMinute } from '../production-mode.ts';
import { ApiKeyStore } from './api-keys.ts';
import { anonymousAllowed, jwtOptions } from './auth-config.ts';
import { Authenticator } from './authenticator.ts';
import { JwtVerifier } from './jwt.ts';
import { RateLimiter } from './rate-limit.ts';
import { useClientAuth } from './use-client-auth.ts';
import type { ClientAuth } from './use-client-auth.ts';
import { SocketAuth } from './ws-auth.ts';

/** Client authentication and rate limiting, as the HTTP and WebSocket adapters use them. */
export interface Auth {
  authenticator: Authenticator;
  limiter: RateLimiter;
  /** The yoga plugin for HTTP and SSE, and the principal of each request it let in. */
  http: ClientAuth;
  /** graphql-ws: `connection_init` authentication and per-operation rate budget. */
  sockets: SocketAuth;
}

/** Assembles client authentication from the config: API keys, JWT, anonymous access, rate limit. */
export function createAuth(core: CoreConfig): Auth {
  const jwt = jwtOptions(core);
  const authenticator = new Authenticator({
    keys: new ApiKeyStore(core.GATEWAY_API_KEYS),
    jwt: jwt === null ? null : new JwtVerifier(jwt),
    anonymous: anonymousAllowed(core),
  });
  const limiter = new RateLimiter({ perMinute: rateLimitPerMinute(core) });
  return {
    authenticator,
    limiter,
    http: useClientAuth({ authenticator, limiter }),
    sockets: new SocketAuth(authenticator, limiter),
  };
}
