import { createHmac, randomUUID } from 'node:crypto';
import { connectors } from '../../../connectors/index.ts';
import { createDemoWorld } from '../../../src/sandbox/demo-world.ts';
import type { WebhookDelivery } from '../../../src/sandbox/types.ts';
import { changesOf } from '../../helpers/world-changes.ts';
import { http } from '../harness.ts';
import type { HostileCase, Observation, Target } from '../harness.ts';

/**
 * Webhook deliveries with every kind of signature, timestamp and payload fault,
 * for each of the five sources, plus path tricks on the webhook routes. Valid
 * bodies come from the emulators (the providers' own shapes); signatures are
 * made here with node:crypto from each provider's documented formula, not
 * with the connectors' code.
 */

type Source = 'stripe' | 'hubspot' | 'zendesk' | 'shopify' | 'app';
const SOURCES: readonly Source[] = ['stripe', 'hubspot', 'zendesk', 'shopify', 'app'];

interface Delivery {
  headers: Record<string, string>;
  body: string;
}

const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text, 'utf8');

/** Headers that sign `body` for `source` as its provider does, at `when` (epoch ms). */
function signature(
  source: Source,
  secret: string,
  url: string,
  body: string,
  when: number,
  headers: Record<string, string>,
): Record<string, string> {
  switch (source) {
    case 'stripe': {
      const t = Math.floor(when / 1000);
      return { 'stripe-signature': `t=${t},v1=${hmac(secret, `${t}.${body}`).digest('hex')}` };
    }
    case 'hubspot': {
      const ts = String(when);
      return {
        'x-hubspot-signature-v3': hmac(secret, `POST${url}${body}${ts}`).digest('base64'),
        'x-hubspot-request-timestamp': ts,
      };
    }
    case 'zendesk': {
      const ts = new Date(when).toISOString().replace(/\.\d{3}Z$/, 'Z');
      return {
        'x-zendesk-webhook-signature': hmac(secret.split(',')[0] ?? '', `${ts}${body}`).digest('base64'),
        'x-zendesk-webhook-signature-timestamp': ts,
      };
    }
    case 'shopify':
      return {
        'x-shopify-hmac-sha256': hmac(secret.split(',')[0] ?? '', body).digest('base64'),
        'x-shopify-triggered-at': new Date(when).toISOString(),
      };
    case 'app': {
      const id = headers['webhook-id'] ?? `msg_${randomUUID()}`;
      const ts = String(Math.floor(when / 1000));
      const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
      return {
        'webhook-id': id,
        'webhook-timestamp': ts,
        'webhook-signature': `v1,${hmac(key, `${id}.${ts}.${body}`).digest('base64')}`,
      };
    }
  }
}

const SIGNATURE_HEADERS: Record<Source, readonly string[]> = {
  stripe: ['stripe-signature'],
  hubspot: ['x-hubspot-signature-v3', 'x-hubspot-signature', 'x-hubspot-signature-version'],
  zendesk: ['x-zendesk-webhook-signature'],
  shopify: ['x-shopify-hmac-sha256'],
  app: ['webhook-signature'],
};

/** The field of each source's payload that names the event type. */
const TYPE_FIELD: Partial<Record<Source, string>> = {
  stripe: 'type',
  hubspot: 'subscriptionType',
  zendesk: 'type',
  app: 'event',
};

const lower = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

/** Real deliveries of every source, from the emulators reacting to a demo world, several each. */
async function realDeliveries(target: Target): Promise<Map<Source, Delivery[]>> {
  const world = createDemoWorld({ seed: 7, epoch: Math.floor(Date.now() / 1000) });
  const found = new Map<Source, Delivery[]>(SOURCES.map((s) => [s, []]));
  const running = await Promise.all(
    connectors.map(async (c) => ({
      name: c.name as Source,
      sandbox: await c.sandbox?.start(world, {
        webhookSecret: target.env[`${c.name.toUpperCase()}_WEBHOOK_SECRET`],
      }),
    })),
  );
  const next = changesOf(world);
  try {
    for (let i = 0; i < 3000 && [...found.values()].some((list) => list.length < 24); i++) {
      const change = next();
      for (const { name, sandbox } of running) {
        const url = `${target.url}/webhooks/${name}`;
        for (const d of sandbox?.react(change, url) ?? ([] as WebhookDelivery[])) {
          found.get(name)?.push({ headers: lower(d.headers), body: d.body });
        }
      }
    }
  } finally {
    await Promise.all(running.map(({ sandbox }) => sandbox?.close() ?? Promise.resolve()));
  }
  return found;
}

/** Deliveries handed out once each, so no two cases post the same event. */
class Pool {
  readonly #deliveries: Map<Source, Delivery[]>;
  constructor(deliveries: Map<Source, Delivery[]>) {
    this.#deliveries = deliveries;
  }
  take(source: Source): Delivery {
    const next = this.#deliveries.get(source)?.shift();
    if (next === undefined) throw new Error(`no more ${source} deliveries for the suite`);
    return next;
  }
}

let pool: Promise<Pool> | null = null;
const take = async (target: Target, source: Source) => {
  pool ??= realDeliveries(target).then((d) => new Pool(d));
  return (await pool).take(source);
};

const post = (target: Target, source: Source, headers: Record<string, string>, body: string) =>
  http(target, { path: `/webhooks/${source}`, headers, body });

/** Re-signs a delivery (optionally with another body, time or secret) and posts it. */
function resign(
  target: Target,
  source: Source,
  delivery: Delivery,
  options: { body?: string; when?: number; secret?: string; headers?: Record<string, string> } = {},
): Promise<Observation> {
  const body = options.body ?? delivery.body;
  const secret = options.secret ?? target.env[`${source.toUpperCase()}_WEBHOOK_SECRET`] ?? '';
  const url = `${target.url}/webhooks/${source}`;
  const headers = { ...delivery.headers, ...options.headers };
  for (const name of SIGNATURE_HEADERS[source]) Reflect.deleteProperty(headers, name);
  return post(
    target,
    source,
    { ...headers, ...signature(source, secret, url, body, options.when ?? Date.now(), headers) },
    body,
  );
}

/** Inserts `"key": value` as the first member of the first object in `json`. */
function insertMember(json: string, key: string, value: string): string {
  const at = json.indexOf('{');
  return `${json.slice(0, at + 1)}${JSON.stringify(key)}:${value},${json.slice(at + 1)}`;
}

const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const otherSecret = (source: Source) =>
  source === 'app'
    ? `whsec_${Buffer.from('another secret of 32 bytes here!').toString('base64')}`
    : source === 'stripe'
      ? 'whsec_someoneElsesSecret0000000000'
      : 'someone-elses-signing-secret';

function sourceCases(source: Source): HostileCase[] {
  const area = `webhook:${source}`;
  const hour = 3_600_000;
  const cases: HostileCase[] = [
    {
      area,
      name: 'no signature',
      run: async (t) => {
        const d = await take(t, source);
        const headers = { ...d.headers };
        for (const name of SIGNATURE_HEADERS[source]) Reflect.deleteProperty(headers, name);
        return post(t, source, headers, d.body);
      },
      expect: { status: 401 },
    },
    {
      area,
      name: 'body tampered after signing',
      run: async (t) => {
        const d = await take(t, source);
        return post(t, source, d.headers, insertMember(d.body, 'tampered', 'true'));
      },
      expect: { status: 401 },
    },
    {
      area,
      name: 'signed with another secret',
      run: async (t) => resign(t, source, await take(t, source), { secret: otherSecret(source) }),
      expect: { status: 401 },
    },
    {
      area,
      name: 'signature header is garbage',
      run: async (t) => {
        const d = await take(t, source);
        const headers = { ...d.headers };
        for (const name of SIGNATURE_HEADERS[source]) headers[name] = 't=abc,v1=%%%,v0=' + 'A'.repeat(300);
        return post(t, source, headers, d.body);
      },
      expect: { status: 401 },
    },
    {
      area,
      name: source === 'shopify' ? 'triggered two days ago' : 'timestamp an hour old',
      run: async (t) =>
        resign(t, source, await take(t, source), {
          when: Date.now() - (source === 'shopify' ? 48 : 1) * hour,
        }),
      expect: { status: 401 },
    },
    {
      area,
      name: 'timestamp an hour in the future',
      run: async (t) => resign(t, source, await take(t, source), { when: Date.now() + hour }),
      expect: { status: 401 },
    },
    {
      area,
      name: 'empty body, validly signed',
      run: async (t) => resign(t, source, await take(t, source), { body: '' }),
      expect: { status: 400 },
    },
    {
      area,
      name: 'truncated JSON, validly signed',
      run: async (t) => {
        const d = await take(t, source);
        return resign(t, source, d, { body: d.body.slice(0, Math.floor(d.body.length / 2)) });
      },
      expect: { status: 400 },
    },
    {
      area,
      name: 'JSON of another shape, validly signed',
      // Zendesk trigger payloads are whatever JSON object an admin wrote: for it, another shape is a non-object.
      run: async (t) =>
        resign(t, source, await take(t, source), {
          body: source === 'zendesk' ? '["hello","world"]' : '{"hello":"world"}',
        }),
      expect: { status: 400 },
    },
    {
      area,
      name: 'JSON nested 20,000 levels deep, validly signed',
      run: async (t) => {
        const d = await take(t, source);
        return resign(t, source, d, { body: insertMember(d.body, 'nested', deep(20_000)) });
      },
      expect: { status: 400 },
    },
    {
      area,
      name: 'a replay of a stored delivery',
      prepare: async (t) => {
        const d = await take(t, source);
        replays.set(`${t.name}:${source}`, d);
        const first = await post(t, source, d.headers, d.body);
        if (first.status !== 200)
          throw new Error(`the first ${source} delivery got ${first.status}: ${first.text}`);
      },
      run: async (t) => {
        const d = replays.get(`${t.name}:${source}`);
        if (!d) throw new Error('no delivery to replay');
        return post(t, source, d.headers, d.body);
      },
      expect: { status: 200 },
    },
    {
      area,
      name: 'GET instead of POST',
      run: (t) => http(t, { method: 'GET', path: `/webhooks/${source}` }),
      expect: { status: 405 },
    },
  ];
  const typeField = TYPE_FIELD[source];
  if (typeField !== undefined) {
    for (const [label, bad] of [
      ['NUL', '\u0000'],
      ['ESC', '\u001b[31m'],
      ['CRLF', '\r\nX-Injected: 1'],
    ] as const) {
      cases.push({
        area,
        name: `event type containing ${label}, validly signed`,
        run: async (t) => {
          const d = await take(t, source);
          const pattern = new RegExp(`("${typeField}"\\s*:\\s*")([^"]*)"`, 'g');
          const body = d.body.replace(
            pattern,
            (_m, head: string, type: string) => `${head}${type}${JSON.stringify(bad).slice(1, -1)}"`,
          );
          return resign(t, source, d, { body });
        },
        expect: { status: 400 },
      });
    }
  }
  if (source === 'shopify' || source === 'zendesk') {
    const idHeader = source === 'shopify' ? 'x-shopify-webhook-id' : 'x-zendesk-webhook-invocation-id';
    cases.push({
      area,
      name: 'the same signed bytes again under a new delivery id',
      prepare: async (t) => {
        const d = await take(t, source);
        replays.set(`${t.name}:${source}:id`, d);
        const first = await post(t, source, d.headers, d.body);
        if (first.status !== 200)
          throw new Error(`the first ${source} delivery got ${first.status}: ${first.text}`);
      },
      run: async (t) => {
        const d = replays.get(`${t.name}:${source}:id`);
        if (!d) throw new Error('no delivery to replay');
        return post(t, source, { ...d.headers, [idHeader]: randomUUID() }, d.body);
      },
      expect: { status: 200 },
    });
  }
  if (source === 'zendesk') {
    cases.push({
      area,
      name: 'no signed timestamp',
      run: async (t) => {
        const d = await take(t, source);
        const headers = { ...d.headers };
        Reflect.deleteProperty(headers, 'x-zendesk-webhook-signature-timestamp');
        return post(t, source, headers, d.body);
      },
      expect: { status: 401 },
    });
  }
  return cases;
}

const replays = new Map<string, Delivery>();

/** A signed HubSpot delivery of 3,000 events (the documented maximum is 100). */
const hubspotFlood: HostileCase = {
  area: 'webhook:hubspot',
  name: '3,000 events in one signed delivery',
  run: async (t) => {
    const d = await take(t, 'hubspot');
    const [event] = JSON.parse(d.body) as Record<string, unknown>[];
    const events = Array.from({ length: 3_000 }, (_, i) => ({ ...event, eventId: 9_000_000 + i }));
    return resign(t, 'hubspot', d, { body: JSON.stringify(events) });
  },
  expect: { status: 400 },
};

const big = Buffer.alloc(2 * 1024 * 1024, 0x20);

function pathCases(): HostileCase[] {
  const area = 'webhook:paths';
  const paths: [string, number][] = [
    ['/webhooks/%ZZ', 404],
    ['/webhooks/%E0%A4%A', 404],
    ['/webhooks/%C0%AF', 404],
    ['/webhooks/stripe%', 404],
    ['/webhooks/stripe%00', 404],
    ['/webhooks/', 404],
    ['/webhooks/unknown', 404],
    ['/webhooks/__proto__', 404],
    ['/webhooks/constructor', 404],
    ['/webhooks/hasOwnProperty', 404],
    ['/webhooks/stripe/..%2fhubspot', 404],
    ['/webhooks/..%2f..%2fetc%2fpasswd', 404],
    ['/webhooks/%2e%2e/graphql', 404],
    ['/webhooks/' + 'a'.repeat(4000), 404],
  ];
  const cases: HostileCase[] = paths.map(([path, status]) => ({
    area,
    name: `POST ${path.length > 60 ? `${path.slice(0, 40)}… (${path.length} chars)` : path}`,
    run: (t) => http(t, { path, headers: { 'content-type': 'application/json' }, body: '{}' }),
    expect: { status },
  }));
  cases.push(
    {
      area,
      name: 'a 2 MiB body declared in Content-Length',
      run: (t) =>
        http(t, { path: '/webhooks/stripe', headers: { 'content-type': 'application/json' }, body: big }),
      expect: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
    },
    {
      area,
      name: 'a 2 MiB body sent chunked',
      run: (t) =>
        http(t, {
          path: '/webhooks/stripe',
          headers: { 'content-type': 'application/json' },
          body: big,
          chunked: 64 * 1024,
        }),
      expect: { status: [413, -1], code: undefined },
    },
  );
  return cases;
}

/** Every webhook case of the suite. */
export const webhookCases: HostileCase[] = [...SOURCES.flatMap(sourceCases), hubspotFlood, ...pathCases()];
