import { z } from 'zod';
import { urlSetting } from './url-setting.ts';
import { apiKeysSetting } from './auth/api-keys.ts';
import {
  authProblems,
  claimSetting,
  jwksUrlSetting,
  jwtSecretSetting,
  textSetting,
} from './auth/auth-config.ts';
import type { Connector } from './connector.ts';
import { maskSetting } from './redact.ts';
import { parseCorsOrigins } from './http/cors.ts';
import { modeProblems } from './production-mode.ts';
import { heapProblems } from './heap/heap-policy.ts';
import { nodeFlags } from './heap/node-flags.ts';
import { endpointsFileProblems, endpointsFileSetting } from './outbound/endpoints-file.ts';
import { retryScheduleSetting } from './outbound/retry-schedule.ts';
import {
  otlpEndpointSetting,
  otlpHeadersSetting,
  otlpProtocolSetting,
  SAMPLERS,
  samplerArgSetting,
  tracesExporterSetting,
  tracingProblems,
} from './tracing/tracing-config.ts';

/** A 1/0 flag; `fallback` when unset (undefined: the default depends on other settings, see its resolver). */
const bool = <F extends boolean | undefined>(name: string, fallback: F) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be 1 or 0 (or true/false)` });
      return z.NEVER;
    });

const int = <F extends number | undefined>(min: number, max: number, fallback: F) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const n = Number(v);
      if (!/^-?\d+$/.test(v) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

const redisUrl = urlSetting(
  (url) => (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '',
  'must be a redis://host:port or rediss://host:port URL',
);

const clusterNodes = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    const nodes: { host: string; port: number }[] = [];
    for (const item of v.split(',')) {
      const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(item.trim());
      const port = Number(match?.[2]);
      if (match?.[1] === undefined || !(port >= 1 && port <= 65535)) {
        ctx.addIssue({ code: 'custom', message: 'must list cluster nodes as host:port,host:port' });
        return z.NEVER;
      }
      nodes.push({ host: match[1].replace(/^\[(.*)\]$/, '$1'), port });
    }
    return nodes;
  });

const corsOrigins = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const parsed = parseCorsOrigins(v);
    if (parsed === undefined || parsed === '*' || Array.isArray(parsed)) return parsed;
    for (const problem of (parsed as { problems: string[] }).problems)
      ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  });

const alertUrl = urlSetting(
  (url) => url.protocol === 'https:' || url.protocol === 'http:',
  'must be an http:// or https:// URL (a Slack incoming webhook, say)',
);

/** The gateway's own environment, with defaults. Each connector adds its own schema (see `Connector.config`). */
export const CoreConfig = z.object({
  /** HTTP port. Default 4000. */
  PORT: int(0, 65535, 4000),
  /** Interface to listen on. Default 0.0.0.0 (all). */
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * `json`: one JSON object per line, for log collectors. `pretty`: coloured,
   * one readable line per record, for a developer's terminal. Unset (default):
   * `pretty` when NODE_ENV is development and stdout is a terminal, else `json`.
   */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /**
   * Serve connectors from the built-in emulators. `auto` (default): when no
   * connector has credentials. `1`: every connector without credentials is
   * sandboxed. `0`: never; connectors without credentials are off.
   */
  SANDBOX: z.enum(['auto', '1', '0', 'true', 'false']).default('auto'),
  /** In sandbox mode, let the demo clock change the world and send signed webhooks. Default 1. */
  DEMO_EVENTS: bool('DEMO_EVENTS', true),
  /** Milliseconds between demo changes. Default 3000. */
  DEMO_INTERVAL_MS: int(50, 3_600_000, 3000),
  /** Seed of the demo world. Default 42. */
  DEMO_SEED: int(0, 2 ** 31 - 1, 42),
  /** Largest webhook body accepted, in bytes. Default 1 MiB. */
  WEBHOOK_MAX_BYTES: int(1024, 64 * 1024 * 1024, 1024 * 1024),
  /**
   * Deepest nesting of objects and arrays a webhook body may have (400 PAYLOAD_TOO_DEEP beyond);
   * stored JSON deeper than this is served as an `omitted` placeholder. Default 64.
   */
  WEBHOOK_MAX_DEPTH: int(1, 1000, 64),
  /**
   * Keep the event log in Redis, shared by every instance, instead of in memory:
   * `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS. Default: unset (in memory).
   */
  REDIS_URL: redisUrl,
  /**
   * Seed nodes of a Redis Cluster, `host:port,host:port`: the event log then uses
   * the cluster (user, password and TLS from REDIS_URL when it is also set). Default: unset.
   */
  REDIS_CLUSTER_NODES: clusterNodes,
  /** Prefix of the event log's Redis keys, also their cluster hash tag (`{switchyard}:events`). Default `switchyard`. */
  REDIS_KEY_PREFIX: z
    .string()
    .trim()
    .regex(/^[^{}\s]+$/, 'must be non-empty, without braces or spaces')
    .default('switchyard'),
  /** Events the Redis stream retains, approximately (XADD MAXLEN ~). Default 100000. */
  REDIS_STREAM_MAXLEN: int(1, 1_000_000_000, 100_000),
  /** Seconds the Redis stream retains events (XTRIM MINID ~ at appends; older ones are never replayed); 0: no age limit. Default 604800 (7 days). */
  REDIS_STREAM_MAX_AGE_S: int(0, 10 * 365 * 86400, 7 * 86_400),
  /** Longest wait for Redis to confirm a webhook's events before answering 503, in ms. Default 1000. */
  REDIS_APPEND_TIMEOUT_MS: int(10, 60_000, 1000),
  /** Events the in-memory log retains. Default 10000. */
  EVENT_LOG_MAX_EVENTS: int(1, 10_000_000, 10_000),
  /** Seconds the in-memory log retains events. Default 86400 (a day). */
  EVENT_LOG_MAX_AGE_S: int(1, 365 * 86400, 86_400),
  /** Seconds a provider event id is remembered for de-duplication. Default 604800 (7 days). */
  DEDUPE_WINDOW_S: int(1, 365 * 86400, 7 * 86_400),
  /** Budget of one GraphQL request, upstream calls and retries included, in ms. Default 10000. */
  REQUEST_TIMEOUT_MS: int(100, 300_000, 10_000),
  /** Timeout of one upstream attempt in ms. Default 5000. */
  UPSTREAM_ATTEMPT_TIMEOUT_MS: int(50, 300_000, 5000),
  /**
   * Consecutive unhealthy calls to one source (connection errors, timeouts, 5xx after retries;
   * never a 4xx) that open its circuit breaker: its fields then fail at once with
   * UPSTREAM_UNAVAILABLE. Default 5.
   */
  BREAKER_FAILURE_THRESHOLD: int(1, 10_000, 5),
  /** How long an open breaker waits before letting one probe call through, in ms. Default 10000. */
  BREAKER_OPEN_MS: int(100, 3_600_000, 10_000),
  /**
   * Retries to one source may add at most this percentage of its calls (plus a reserve of 20 that refills at one a second),
   * so an outage cannot multiply the load on it; beyond, a failed attempt is final. Default 20.
   */
  RETRY_BUDGET_PERCENT: int(0, 100, 20),
  /**
   * Retries one GraphQL request may spend across all its upstream calls, whatever the source,
   * so one query fanning out to a failing source cannot multiply the load; 0: never retry. Default 10.
   */
  RETRY_BUDGET_PER_REQUEST: int(0, 1000, 10),
  /** How long a SIGTERM waits for in-flight requests before closing sockets, in ms. Default 10000. */
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000, 10_000),
  /**
   * The source that lists `Query.customers` (`hubspot`, `stripe`, ...). Default:
   * the first one on among CRM, billing, commerce, product and support.
   */
  CUSTOMER_DIRECTORY: z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((v) => (v === '' ? undefined : v)),
  /** Deepest selection a GraphQL operation may have. Default 12. */
  MAX_QUERY_DEPTH: int(1, 100, 12),
  /**
   * Largest cost of an operation: the most objects its answer can hold, each list counted at its
   * `first` (or its number of ids), variables included (README, "Query limits"). Default 10000.
   */
  MAX_QUERY_COST: int(1, 10_000_000, 10_000),
  /** Most aliases in one operation (aliases are a legitimate way to batch lookups). Default 200. */
  MAX_QUERY_ALIASES: int(0, 10_000, 200),
  /** Most directives in one operation, fragments included. Default 50. */
  MAX_QUERY_DIRECTIVES: int(0, 10_000, 50),
  /** Most tokens in one operation's text. Default 5000. */
  MAX_QUERY_TOKENS: int(10, 1_000_000, 5000),
  /** Serve GraphiQL at /graphql. Default: 1 in development, 0 in production (`graphiqlEnabled`). */
  GRAPHIQL: bool('GRAPHIQL', undefined),
  /**
   * Transport GraphiQL uses for subscriptions: `ws` (graphql-ws) or `sse`. Default `ws`,
   * or `sse` when clients must authenticate (GraphiQL sends its headers over HTTP only).
   */
  GRAPHIQL_SUBSCRIPTIONS: z.enum(['ws', 'sse']).optional(),
  /** Answer introspection queries (`__schema`, `__type`). Default: 1 in development, 0 in production (`introspectionEnabled`). */
  INTROSPECTION: bool('INTROSPECTION', undefined),
  /**
   * Accepted client API keys, `key:scope,scope;key:*;key` (a key alone gets every read scope,
   * `*` every scope). Keys are kept only as SHA-256 hashes. Default: none.
   */
  GATEWAY_API_KEYS: apiKeysSetting,
  /** The `iss` client JWTs must carry. Default: unset (no JWT). */
  JWT_ISSUER: textSetting,
  /** The `aud` client JWTs must carry. Default: unset. */
  JWT_AUDIENCE: textSetting,
  /** The issuer's JWKS (https, or http on loopback): RS/PS/ES/EdDSA-signed JWTs. Default: unset. */
  JWT_JWKS_URL: jwksUrlSetting,
  /** Shared secret of HS256-signed JWTs, at least 32 bytes. Default: unset. */
  JWT_SECRET: jwtSecretSetting,
  /** The JWT claim holding the scopes (space-separated string or array). Default `scope`. */
  JWT_SCOPES_CLAIM: claimSetting,
  /**
   * Let clients without credentials in, with every scope. Default: 1 when no keys and no JWT
   * are configured outside production; in production it must be said on purpose.
   */
  ALLOW_ANONYMOUS: bool('ALLOW_ANONYMOUS', undefined),
  /**
   * Operations (HTTP requests and graphql-ws operations) per minute per API key, JWT subject
   * or anonymous client IP, counted in this instance's memory; 0: no limit.
   * Default: 600 in production, 0 otherwise (`rateLimitPerMinute`).
   */
  RATE_LIMIT_PER_MINUTE: int(0, 1_000_000, undefined),
  /**
   * Largest GraphQL request in bytes: an HTTP body (413 `PAYLOAD_TOO_LARGE` before it is read)
   * or a graphql-ws message (close 1009). Default 1048576 (1 MiB).
   */
  GRAPHQL_MAX_BODY_BYTES: int(1024, 64 * 1024 * 1024, 1024 * 1024),
  /**
   * Origins whose web pages may use the gateway (CORS, and the Origin of WebSocket upgrades):
   * comma-separated exact origins (`https://app.example.com`), or `*` for any. The gateway's own
   * origin is always allowed. Default: none in production; localhost, 127.0.0.1 and [::1] on any port otherwise.
   */
  CORS_ORIGINS: corsOrigins,
  /** Most operations one WebSocket connection may run at once. Default 100. */
  WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: int(1, 100_000, 100),
  /** Most WebSocket connections one client (IP address) may hold at once; 0: no limit. Default 100. */
  WS_MAX_CONNECTIONS_PER_CLIENT: int(0, 1_000_000, 100),
  /** Heartbeat messages per second one WebSocket connection's `heartbeat` subscriptions may send in all. Default 10. */
  WS_MAX_HEARTBEATS_PER_SECOND: int(1, 1000, 10),
  /** Time a client has to send a request's headers (WebSocket upgrades too), in ms. Default 10000. */
  HTTP_HEADERS_TIMEOUT_MS: int(1000, 600_000, 10_000),
  /** Time a client has to send a whole request, body included, in ms (then 408). Default 30000. */
  HTTP_REQUEST_TIMEOUT_MS: int(1000, 3_600_000, 30_000),
  /**
   * Bearer token `GET /metrics` requires (in every mode), at least 16 characters. Default: unset
   * (then /metrics is open outside production and refused in production unless `METRICS_PUBLIC=1`).
   */
  METRICS_TOKEN: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      if (v.length < 16 || /\s/.test(v)) {
        ctx.addIssue({ code: 'custom', message: 'must be at least 16 characters, without spaces' });
        return z.NEVER;
      }
      return v;
    }),
  /** Serve /metrics without a token in production (only the scraper reaches the port). Default 0. */
  METRICS_PUBLIC: bool('METRICS_PUBLIC', false),
  /**
   * Identical queries in flight (same document, operation and variables, from
   * principals with the same scopes) share one execution: resolvers and upstream
   * calls run once, each request still gets its own answer. Default 1.
   */
  SHARE_IDENTICAL_QUERIES: bool('SHARE_IDENTICAL_QUERIES', true),
  /**
   * Seconds a cached query response may be served: a webhook or a mutation
   * touching a source it read evicts it at once; the TTL bounds how stale a
   * change that sends no webhook can be. `0` turns the response cache off.
   * Default 10.
   */
  RESPONSE_CACHE_TTL_S: int(0, 86_400, 10),
  /** Memory the response cache may hold, in MiB (oldest entries leave first). Default 32. */
  RESPONSE_CACHE_MAX_MB: int(1, 4096, 32),
  /**
   * Most memory V8's young generation (its new space, where short-lived garbage lives) may take, in MB;
   * V8 alone grows it to 128 MB under load and keeps it. 0: V8's own sizing. Default 32, unless node is
   * started with `--max-semi-space-size` (or `--min-semi-space-size`, `--semi-space-growth-factor`), which then sizes it.
   */
  HEAP_YOUNG_GENERATION_MB: int(0, 1024, undefined),
  /**
   * How far V8's old generation may grow past what the last full collection kept before it collects
   * again, in percent; V8 alone lets it grow up to 300% when collecting is cheap. 0: V8's own heuristic.
   * Default 50, unless node is started with `--heap-growing-percent`, which then sets it.
   */
  HEAP_GROWTH_PERCENT: int(0, 1000, undefined),
  /**
   * Where alerts are POSTed as JSON (Slack-compatible `text` plus structured fields): webhook
   * signature rejections spiking, the event log unable to append, a source's breaker opening.
   * Default: unset (alerts are only logged, at error level).
   */
  ALERT_WEBHOOK_URL: alertUrl,
  /** Seconds an alert stays quiet after it was sent, even if its condition ends and comes back. Default 300. */
  ALERT_COOLDOWN_S: int(0, 86_400, 300),
  /** Timeout of one alert delivery attempt, in ms (5 attempts with backoff). Default 5000. */
  ALERT_TIMEOUT_MS: int(100, 60_000, 5000),
  /** More than this many webhook signature rejections (401) of one source within the window alert. Default 10. */
  ALERT_WEBHOOK_REJECTIONS: int(1, 1_000_000, 10),
  /** The window of ALERT_WEBHOOK_REJECTIONS, in seconds. Default 300. */
  ALERT_WEBHOOK_REJECTIONS_WINDOW_S: int(1, 86_400, 300),
  /**
   * JSON file declaring outbound webhook endpoints with their secrets (README, "Outbound webhooks"),
   * read at start-up; they come back after every restart. Default: unset (endpoints are created through the API).
   */
  OUTBOUND_ENDPOINTS_FILE: endpointsFileSetting,
  /** Time a receiver has to answer a delivery attempt with a 2xx, in ms. Default 15000. */
  OUTBOUND_TIMEOUT_MS: int(100, 300_000, 15_000),
  /**
   * Seconds to wait after each failed attempt, comma-separated (fractions allowed), each with ±20% jitter;
   * past the last one the delivery is FAILED. Default `5,300,1800,7200,18000,36000,36000`.
   */
  OUTBOUND_RETRY_SCHEDULE: retryScheduleSetting,
  /** An endpoint whose deliveries only failed for this many seconds is disabled; 0: never. Default 432000 (5 days). */
  OUTBOUND_DISABLE_AFTER_S: int(0, 365 * 86_400, 5 * 86_400),
  /** Let endpoints resolve to loopback and private addresses (link-local and metadata ones never). Default 0. */
  OUTBOUND_ALLOW_PRIVATE: bool('OUTBOUND_ALLOW_PRIVATE', false),
  /**
   * Base URL of an OTLP/HTTP receiver (a collector, `http://collector:4318`): setting it (or the
   * next one) turns tracing on, spans going to `<url>/v1/traces`. Default: unset (tracing off).
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpointSetting,
  /** Full URL spans are POSTed to, used as given; wins over OTEL_EXPORTER_OTLP_ENDPOINT. Default: unset. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpEndpointSetting,
  /** Headers sent with every export, `name=value,name=value` (values percent-encoded): a vendor's API key. Default: none. */
  OTEL_EXPORTER_OTLP_HEADERS: otlpHeadersSetting,
  /** The export protocol: only `http/json` (OTLP/HTTP with JSON bodies) is spoken. Default `http/json`. */
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocolSetting,
  /** `service.name` of the exported spans. Default `switchyard`. */
  OTEL_SERVICE_NAME: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === undefined || v === '' ? 'switchyard' : v)),
  /** Which traces are recorded (the specification's names). Default `parentbased_always_on`. */
  OTEL_TRACES_SAMPLER: z.enum(SAMPLERS).optional(),
  /** The ratio of `traceidratio` and `parentbased_traceidratio`, 0 to 1. Default 1. */
  OTEL_TRACES_SAMPLER_ARG: samplerArgSetting,
  /** `true` turns tracing off whatever the endpoints say (the specification's kill switch). Default false. */
  OTEL_SDK_DISABLED: bool('OTEL_SDK_DISABLED', false),
  /** `otlp`, or `none` to turn tracing off whatever the endpoints say. Default `otlp`. */
  OTEL_TRACES_EXPORTER: tracesExporterSetting,
});
export type CoreConfig = z.infer<typeof CoreConfig>;

/** The validated configuration: the gateway's own, and each connector's. */
export interface Config {
  core: CoreConfig;
  /** Connector name → its parsed config. */
  sources: ReadonlyMap<string, unknown>;
}

/** Start-up refused: `problems` lists every bad variable, each with its fix. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(
      `Switchyard cannot start: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the environment.\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.problems = problems;
  }
}

function describe(error: z.ZodError, env: Readonly<Record<string, string | undefined>>): string[] {
  return error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(environment)');
    const value = env[name];
    const shown = value === undefined ? 'unset' : `${name}=${JSON.stringify(maskSetting(name, value))}`;
    const fix =
      issue.code === 'invalid_value' && 'values' in issue
        ? `set it to one of ${issue.values.map((v) => String(v)).join(', ')}`
        : value === undefined
          ? 'set it'
          : 'correct it or unset it to use the default';
    return `${name} (${shown}): ${issue.message}. Fix: ${fix}.`;
  });
}

/**
 * Validates the environment for the gateway and every connector at once, so a
 * bad deployment learns all its problems in one go. Throws {@link ConfigError}.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  connectors: readonly Connector[],
): Config {
  const problems: string[] = [];
  const core = CoreConfig.safeParse(env);
  if (!core.success) problems.push(...describe(core.error, env));
  const sources = new Map<string, unknown>();
  for (const connector of connectors) {
    const parsed = connector.config.safeParse(env);
    if (parsed.success) sources.set(connector.name, parsed.data);
    else problems.push(...describe(parsed.error, env));
  }
  const directory = core.success ? core.data.CUSTOMER_DIRECTORY : undefined;
  if (
    directory !== undefined &&
    !connectors.some((c) => c.name === directory && c.customer?.directory !== undefined)
  ) {
    const listing = connectors.filter((c) => c.customer?.directory !== undefined).map((c) => c.name);
    problems.push(
      `CUSTOMER_DIRECTORY (CUSTOMER_DIRECTORY=${JSON.stringify(directory)}): no source of that name lists customers. Fix: set it to one of ${listing.join(', ')}, or unset it.`,
    );
  }
  if (core.success && problems.length === 0)
    problems.push(...sandboxProblems(core.data, sources, connectors, env));
  if (core.success && core.data.HTTP_REQUEST_TIMEOUT_MS < core.data.HTTP_HEADERS_TIMEOUT_MS) {
    problems.push(
      `HTTP_REQUEST_TIMEOUT_MS (${core.data.HTTP_REQUEST_TIMEOUT_MS}) is shorter than HTTP_HEADERS_TIMEOUT_MS (${core.data.HTTP_HEADERS_TIMEOUT_MS}): a request includes its headers. Fix: raise HTTP_REQUEST_TIMEOUT_MS or lower HTTP_HEADERS_TIMEOUT_MS.`,
    );
  }
  if (core.success)
    problems.push(
      ...endpointsFileProblems(
        core.data.OUTBOUND_ENDPOINTS_FILE,
        core.data.OUTBOUND_ALLOW_PRIVATE,
        connectors.map((c) => c.name),
      ),
    );
  if (core.success)
    problems.push(...authProblems(core.data), ...modeProblems(core.data), ...tracingProblems(core.data, env));
  if (core.success)
    problems.push(...heapProblems(core.data, nodeFlags(process.execArgv, env['NODE_OPTIONS'])));
  if (core.success && core.data.METRICS_TOKEN !== undefined && core.data.METRICS_PUBLIC)
    problems.push(
      'METRICS_PUBLIC=1 and METRICS_TOKEN are both set: /metrics cannot be both open and token-protected. Fix: unset one of them.',
    );
  if (!core.success || problems.length > 0) throw new ConfigError(problems);
  return { core: core.data, sources };
}

/**
 * Whether connectors without credentials run on their built-in emulators: `SANDBOX=1` says so,
 * `SANDBOX=0` never, and `auto` when no connector has credentials at all.
 */
export function sandboxWanted(config: Config, connectors: readonly Connector[]): boolean {
  const flag = config.core.SANDBOX;
  if (flag === '1' || flag === 'true') return true;
  if (flag === '0' || flag === 'false') return false;
  return !connectors.some((c) => c.hasCredentials(config.sources.get(c.name)));
}

/**
 * Sandbox mode must never be an accident: production does not fall into it
 * unless `SANDBOX=1` asks, and a sandboxed source's own settings (its base URL,
 * half of its credentials) would be ignored, so they stop start-up instead.
 * The webhook secret is the exception: the emulator signs with it.
 */
function sandboxProblems(
  core: CoreConfig,
  sources: ReadonlyMap<string, unknown>,
  connectors: readonly Connector[],
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  if (!sandboxWanted({ core, sources }, connectors)) return [];
  const problems: string[] = [];
  if (core.NODE_ENV === 'production' && core.SANDBOX === 'auto') {
    const credentials = connectors.map((c) => c.provider.credentials).join('; ');
    problems.push(
      `SANDBOX (unset, auto): NODE_ENV=production and no source has credentials, so Switchyard would serve the demo data of its built-in emulators and accept webhooks they sign. Fix: set the credentials of the sources you use (${credentials}), or SANDBOX=1 to run the emulators on purpose.`,
    );
  }
  for (const connector of connectors) {
    if (!connector.sandbox || connector.hasCredentials(sources.get(connector.name))) continue;
    const prefix = `${connector.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;
    const ignored = Object.keys(env)
      // The webhook secret (the emulator signs with it) and the rate limit (the emulator enforces it too) apply.
      .filter(
        (name) =>
          name.startsWith(prefix) && name !== `${prefix}WEBHOOK_SECRET` && name !== `${prefix}RATE_LIMIT`,
      )
      .filter((name) => (env[name] ?? '').trim() !== '')
      .sort();
    for (const name of ignored) {
      problems.push(
        `${name} (${name}=${JSON.stringify(maskSetting(name, env[name] ?? ''))}): ${connector.name} has no credentials, so it runs on its built-in emulator, which would ignore this setting. Fix: set ${connector.provider.credentials} to use the real API, or unset ${name}.`,
      );
    }
  }
  return problems;
}
