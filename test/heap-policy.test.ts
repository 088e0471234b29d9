import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { heapPolicy } from '../src/heap/heap-policy.ts';
import { nodeFlags } from '../src/heap/node-flags.ts';
import { configProblems } from './helpers/config.ts';

const unset = { HEAP_YOUNG_GENERATION_MB: undefined, HEAP_GROWTH_PERCENT: undefined };

/** Runs `node <args>` with `env` and resolves with its exit code, stdout and stderr. */
function run(
  args: string[],
  env: Record<string, string>,
  until?: RegExp,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} did not finish: ${out}${err}`));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (until?.test(out)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/** The largest young generation (MB) the probe saw while allocating like a busy server. */
async function youngGenerationMb(mode: string): Promise<number> {
  const { code, out, err } = await run(['test/helpers/young-generation-probe.ts', mode], {});
  expect(code, err).toBe(0);
  return (JSON.parse(out) as { largestMb: number }).largestMb;
}

describe('heap policy', () => {
  it('caps the young generation at 32 MB and old generation growth at 50% unless told otherwise', () => {
    expect(heapPolicy(unset, [])).toEqual({ youngGenerationMb: 32, growthPercent: 50 });
    expect(heapPolicy({ HEAP_YOUNG_GENERATION_MB: 64, HEAP_GROWTH_PERCENT: 0 }, [])).toEqual({
      youngGenerationMb: 64,
      growthPercent: null,
    });
    expect(heapPolicy({ HEAP_YOUNG_GENERATION_MB: 0, HEAP_GROWTH_PERCENT: 100 }, [])).toEqual({
      youngGenerationMb: null,
      growthPercent: 100,
    });
  });

  it("leaves to node's own flags what they set, from its arguments or NODE_OPTIONS", () => {
    const flags = nodeFlags(['--max-semi-space-size=16'], '--enable-source-maps  --heap_growing_percent=20');
    expect(flags).toEqual(['--max-semi-space-size=16', '--enable-source-maps', '--heap_growing_percent=20']);
    expect(heapPolicy(unset, flags)).toEqual({ youngGenerationMb: null, growthPercent: null });
    expect(heapPolicy(unset, ['--semi-space-growth-factor=4'])).toEqual({
      youngGenerationMb: null,
      growthPercent: 50,
    });
    // A flag whose name only starts like one of them is not one of them.
    expect(heapPolicy(unset, ['--max-semi-space-size-typo=1', '--heap-growing-percentage'])).toEqual({
      youngGenerationMb: 32,
      growthPercent: 50,
    });
  });

  it('refuses to start when a variable and a node flag both set the same thing, and on bad values', () => {
    expect(
      configProblems({
        HEAP_YOUNG_GENERATION_MB: '64',
        HEAP_GROWTH_PERCENT: '30',
        NODE_OPTIONS: '--max-semi-space-size=16 --heap-growing-percent=20',
      }),
    ).toEqual([
      "HEAP_YOUNG_GENERATION_MB (64) and node's --max-semi-space-size=16 both size V8's young generation. Fix: unset HEAP_YOUNG_GENERATION_MB, or remove --max-semi-space-size=16 from node's arguments or NODE_OPTIONS.",
      "HEAP_GROWTH_PERCENT (30) and node's --heap-growing-percent=20 both set how far V8's heap grows between full collections. Fix: unset HEAP_GROWTH_PERCENT, or remove --heap-growing-percent=20 from node's arguments or NODE_OPTIONS.",
    ]);
    expect(configProblems({ HEAP_YOUNG_GENERATION_MB: '2048', HEAP_GROWTH_PERCENT: 'half' })).toEqual([
      'HEAP_YOUNG_GENERATION_MB (HEAP_YOUNG_GENERATION_MB="2048"): must be a whole number from 0 to 1024. Fix: correct it or unset it to use the default.',
      'HEAP_GROWTH_PERCENT (HEAP_GROWTH_PERCENT="half"): must be a whole number from 0 to 1000. Fix: correct it or unset it to use the default.',
    ]);
    // 0 leaves the young generation to V8, that is to the flag: no conflict.
    expect(
      configProblems({ HEAP_YOUNG_GENERATION_MB: '0', NODE_OPTIONS: '--max-semi-space-size=16' }),
    ).toEqual([]);
    expect(configProblems({ NODE_OPTIONS: '--max-semi-space-size=16 --heap-growing-percent=20' })).toEqual(
      [],
    );
  });

  it("keeps V8's young generation near the cap, where V8 alone grows it to 128 MB", async () => {
    // One after the other: the probes measure what they allocate, not each other.
    const v8 = await youngGenerationMb('v8');
    const held = await youngGenerationMb('hold');
    const capped8 = await youngGenerationMb('8');
    const capped32 = await youngGenerationMb('32');
    expect(v8).toBeGreaterThan(64);
    // The collector's notifications arrive after the fact: V8 may have doubled it once more by then.
    expect(held).toBeLessThanOrEqual(4);
    expect(capped8).toBeGreaterThan(4);
    expect(capped8).toBeLessThanOrEqual(16);
    expect(capped32).toBeGreaterThan(8);
    expect(capped32).toBeLessThanOrEqual(64);
  }, 60_000);

  it('is applied by `node src/main.ts`, which logs it; a conflicting node flag stops start-up', async () => {
    const env = {
      NODE_ENV: 'production',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SANDBOX: '1',
      DEMO_EVENTS: '0',
      ALLOW_ANONYMOUS: '1',
      METRICS_PUBLIC: '1',
      HEAP_GROWTH_PERCENT: '40',
    };
    const started = await run(['src/main.ts'], env, /"msg":"listening"/);
    expect(started.out).toMatch(/"heap":\{"youngGenerationMb":32,"growthPercent":40\},"msg":"heap policy"/);
    const flagged = await run(['--max-semi-space-size=8', 'src/main.ts'], env, /"msg":"listening"/);
    expect(flagged.out).toMatch(/"heap":\{"youngGenerationMb":null,"growthPercent":40\},"msg":"heap policy"/);
    const refused = await run(['--heap-growing-percent=20', 'src/main.ts'], env);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(
      "HEAP_GROWTH_PERCENT (40) and node's --heap-growing-percent=20 both set how far V8's heap grows between full collections. Fix: unset HEAP_GROWTH_PERCENT, or remove --heap-growing-percent=20 from node's arguments or NODE_OPTIONS.",
    );
  }, 60_000);
});
