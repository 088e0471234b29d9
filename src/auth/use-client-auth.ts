import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.ts';
import type { Authenticator } from './authenticator.ts';
import type { Principal } from './principal.ts';
import { rateLimitKey, rateLimitedError } from './rate-limit.ts';
import type { RateLimiter } from './rate-limit.ts';

/** Options of {@link useClientAuth}. */
export interface ClientAuthOptions {
  authenticator: Authenticator;
  limiter: RateLimiter;
}

/** The plugin, and how the context factory finds the principal of a request. */
export interface ClientAuth {
  plugin: Plugin;
  /** The principal `plugin` authenticated `request` as; undefined for a request it never saw. */
  principalOf(request: Request | undefined): Principal | undefined;
  /**
   * Authenticates a Node request and spends one operation of its client's
   * budget ahead of yoga (the response cache answers some requests without
   * yoga): the principal when both pass, and `plugin` then lets the request in
   * without counting it twice; null when either refuses, and `plugin` answers
   * the request with the refusal.
   */
  admit: (req: IncomingMessage) => Promise<Principal | null>;
}

function refusal(
  status: number,
  message: string,
  extensions: Record<string, unknown>,
  headers: Record<string, string>,
): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions }] }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/**
 * Authenticates every request yoga handles, GraphQL over HTTP and SSE
 * (`Authorization: Bearer <API key or JWT>`), before its body is read,
 * answering 401 `UNAUTHENTICATED` with `WWW-Authenticate: Bearer`; then spends
 * one operation of the client's rate budget, answering 429 `RATE_LIMITED` with
 * `Retry-After` when it is spent.
 */
export function useClientAuth(options: ClientAuthOptions): ClientAuth {
  const principals = new WeakMap<Request, Principal>();
  const admitted = new WeakMap<IncomingMessage, Principal>();
  const plugin: Plugin = {
    async onRequest(payload) {
      const { request, serverContext } = payload;
      const req = (serverContext as { req?: IncomingMessage }).req;
      const principal = req === undefined ? undefined : admitted.get(req);
      if (principal !== undefined) {
        principals.set(request, principal);
        return;
      }
      const endResponse = (response: Response) => payload.endResponse(response);
      // Every request that reaches yoga, whatever its path: yoga also serves GraphQL at `/graphql/` and
      // `//graphql`. GraphiQL's page, CORS preflights, health and webhooks are answered before this runs.
      const outcome = await options.authenticator.authenticate(request.headers.get('authorization'));
      if (!outcome.ok) {
        const sent = request.headers.has('authorization');
        endResponse(
          refusal(
            401,
            outcome.message,
            { code: ErrorCode.UNAUTHENTICATED },
            {
              'www-authenticate': sent
                ? 'Bearer realm="switchyard", error="invalid_token"'
                : 'Bearer realm="switchyard"',
            },
          ),
        );
        return;
      }
      const decision = options.limiter.take(rateLimitKey(outcome.principal, req?.socket.remoteAddress));
      if (!decision.ok) {
        const error = rateLimitedError(decision.retryAfterS, options.limiter.perMinute);
        endResponse(
          refusal(429, error.message, error.extensions, { 'retry-after': String(decision.retryAfterS) }),
        );
        return;
      }
      principals.set(request, outcome.principal);
    },
  };
  return {
    plugin,
    principalOf: (request) => (request === undefined ? undefined : principals.get(request)),
    async admit(req) {
      const outcome = await options.authenticator.authenticate(req.headers.authorization);
      if (!outcome.ok) return null;
      if (!options.limiter.take(rateLimitKey(outcome.principal, req.socket.remoteAddress)).ok) return null;
      admitted.set(req, outcome.principal);
      return outcome.principal;
    },
  };
}
