import { readFileSync } from 'node:fs';
import type { FormattedExecutionResult } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';
import { documentedOperations } from './helpers/readme.ts';
import type { DocumentedOperation } from './helpers/readme.ts';

// Read when the suite runs: whoever edits the README's examples edits what this test runs.
const operations = documentedOperations(readFileSync(new URL('../README.md', import.meta.url), 'utf8'));

/** Demo clock ticks a subscription example may wait for its first event (the live demo ticks every 3 s). */
const MAX_TICKS = 30;

const label = (op: DocumentedOperation) => `block ${op.block}, line ${op.line}: ${op.title} (${op.kind})`;

describe("README's GraphQL examples, as written, against a sandboxed gateway", () => {
  let t: TestGateway;

  beforeAll(async () => {
    // The demo world as `npm start` makes it (the README's ids and emails come from it).
    t = await startTestGateway({}, { demoEpoch: null });
  });
  afterAll(async () => {
    await t.close();
  });

  it('finds queries and subscriptions in the README', () => {
    expect(operations.filter((op) => op.kind === 'query').length).toBeGreaterThan(0);
    expect(operations.filter((op) => op.kind === 'subscription').length).toBeGreaterThan(0);
  });

  for (const op of operations.filter((o) => o.kind !== 'subscription')) {
    it(label(op), async () => {
      expect(op.requiredVariables, 'variables the example needs but does not give').toEqual([]);
      const result = await t.graphql(op.query);
      expect(result.errors, label(op)).toBeUndefined();
      expect(result.data, label(op)).toBeTypeOf('object');
      // Each root field answers something: a null `customer(email:)` would mean the example shows nothing.
      for (const [field, value] of Object.entries(result.data ?? {})) {
        expect(value, `${label(op)}: ${field}`).not.toBeNull();
      }
    });
  }

  for (const op of operations.filter((o) => o.kind === 'subscription')) {
    it(
      label(op),
      async () => {
        expect(op.requiredVariables, 'variables the example needs but does not give').toEqual([]);
        const { result, ticks } = await firstEvent(t, op.query);
        expect(result, `${label(op)} stayed silent through ${ticks} demo clock ticks`).toBeDefined();
        expect(result?.errors, label(op)).toBeUndefined();
        expect(result?.data, label(op)).toBeTypeOf('object');
      },
      60_000,
    );
  }
});

/** Subscribes over graphql-ws, then ticks the demo clock until the first result, at most {@link MAX_TICKS} times. */
async function firstEvent(
  t: TestGateway,
  query: string,
): Promise<{
  result: FormattedExecutionResult<Record<string, unknown>, unknown> | undefined;
  ticks: number;
}> {
  const demo = t.gateway.demo;
  if (!demo) throw new Error('the test gateway has no demo clock');
  const log = t.gateway.events as unknown as { subscriberCount(): number };
  // The previous example's subscription is gone (its cancel reaches the server asynchronously).
  await expect.poll(() => log.subscriberCount(), { timeout: 10_000 }).toBe(0);
  let result: FormattedExecutionResult<Record<string, unknown>, unknown> | undefined;
  let failure: unknown;
  const cancel = t.ws().subscribe(
    { query },
    {
      next: (value) => (result ??= value),
      error: (error: unknown) => (failure ??= error),
      complete: () => {},
    },
  );
  try {
    // Live subscriptions start from now: tick only once this one listens to the event log.
    await expect
      .poll(() => failure !== undefined || log.subscriberCount() > 0, { timeout: 10_000 })
      .toBe(true);
    let ticks = 0;
    while (result === undefined && failure === undefined && ticks < MAX_TICKS) {
      await demo.tick();
      ticks++;
      // The tick resolves once its webhooks are stored; resolving the event's fields takes a little longer.
      await until(() => result !== undefined || failure !== undefined, 250);
    }
    await until(() => result !== undefined || failure !== undefined, 5_000);
    if (failure !== undefined) throw new Error(`the subscription failed: ${JSON.stringify(failure)}`);
    return { result, ticks };
  } finally {
    cancel();
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}
