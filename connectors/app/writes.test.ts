import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect, startTestGateway } from '../../test/helpers/gateway.ts';
import type { TestGateway } from '../../test/helpers/gateway.ts';
import type { RunningAppSandbox } from './sandbox/index.ts';

let t: TestGateway;
let app: RunningAppSandbox;
const EMAIL = 'sam.larsen@umbra.example';

beforeAll(async () => {
  t = await startTestGateway();
  const found = t.gateway.sources.find((s) => s.name === 'app')?.sandbox;
  if (!found) throw new Error('the app sandbox did not start');
  app = found as RunningAppSandbox;
});
afterAll(() => t.close());
beforeEach(() => {
  app.faults.clear();
  app.resetCounters();
});

interface User {
  id: string;
  sourceId: string;
  plan: string;
  company: string | null;
}
const UPDATE = `mutation ($id: ID!, $input: UpdateAppUserInput!, $key: String) {
  updateAppUser(id: $id, input: $input, idempotencyKey: $key) { id sourceId plan company }
}`;

async function user(): Promise<User> {
  const result = await t.graphql<{ appUserByEmail: User }>(
    `query ($email: String!) { appUserByEmail(email: $email) { id sourceId plan company } }`,
    { email: EMAIL },
  );
  if (!result.data?.appUserByEmail) throw new Error(JSON.stringify(result.errors));
  return result.data.appUserByEmail;
}
const patches = () => app.counters()['PATCH /v1/users/:id'] ?? 0;

describe('updateAppUser', () => {
  it('PATCHes plan and company, by global or own id; a query right after shows them', async () => {
    const before = await user();
    const result = await t.graphql<{ updateAppUser: User }>(UPDATE, {
      id: before.id,
      input: { plan: 'ENTERPRISE', company: 'Umbra Holdings' },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.updateAppUser).toMatchObject({ plan: 'ENTERPRISE', company: 'Umbra Holdings' });
    const cleared = await t.graphql<{ updateAppUser: User }>(UPDATE, {
      id: before.sourceId,
      input: { company: null },
    });
    expect(cleared.data?.updateAppUser.company).toBeNull();
    expect(patches()).toBe(2);
    expect(await user()).toMatchObject({ plan: 'ENTERPRISE', company: null });
  });

  it('the same key twice is one PATCH (the gateway keeps the first result)', async () => {
    const { id } = await user();
    const variables = { id, input: { plan: 'PRO' }, key: 'app-key-1' };
    const first = await t.graphql(UPDATE, variables);
    const second = await t.graphql(UPDATE, variables);
    expect(second).toEqual(first);
    expect(patches()).toBe(1);
  });

  it("maps the product's 400 invalid_request `param` to the argument path", async () => {
    const { sourceId } = await user();
    const response = await fetch(`${app.baseUrl}/v1/users/${sourceId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${app.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ plan: 'platinum' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        code: 'invalid_request',
        message: 'plan must be one of free, starter, pro, enterprise; got "platinum".',
        param: 'plan',
      },
    });
    const long = await t.graphql(UPDATE, { id: sourceId, input: { company: 'x'.repeat(256) } });
    expect(long.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'input.company', message: 'must be at most 255 characters' }],
    });
    expect(patches()).toBe(1);
  });

  it('an unknown user is UPSTREAM_NOT_FOUND', async () => {
    const result = await t.graphql(UPDATE, { id: 'usr_000000000', input: { plan: 'FREE' } });
    expect(result.errors?.[0]).toMatchObject({
      message: 'The product has no user "usr_000000000".',
      extensions: { code: 'UPSTREAM_NOT_FOUND', source: 'app' },
    });
  });

  it('a userCreated-style feed: customerChanged sees the user.updated of its own write', async () => {
    const { id } = await user();
    const feed = collect<{ customerChanged: { event: { source: string; type: string } } }>(
      t.ws(),
      'subscription ($email: String!) { customerChanged(email: $email) { event { source type } } }',
      { email: EMAIL },
      1,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await t.graphql(UPDATE, { id, input: { plan: 'STARTER' } });
    const [received] = await feed.done;
    expect(received?.customerChanged.event).toEqual({ source: 'app', type: 'user.updated' });
  });
});
