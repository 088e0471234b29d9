/**
 * Run as `node test/helpers/young-generation-probe.ts <v8 | hold | MB>`: allocates like a busy server
 * (a window of recent allocations stays alive, as requests in flight do) after leaving V8's young
 * generation alone (`v8`), holding it (`hold`) or regulating it to at most MB, and prints the largest
 * young generation seen right after a collection (its capacity; it fills up past it in between), in MB, as JSON.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import {
  holdYoungGeneration,
  regulateYoungGeneration,
  youngGenerationBytes,
} from '../../src/heap/young-generation.ts';

const mode = process.argv[2] ?? 'v8';
if (mode !== 'v8') holdYoungGeneration();
if (mode !== 'v8' && mode !== 'hold') regulateYoungGeneration(Number(mode) * 1024 * 1024);
let largest = youngGenerationBytes();
new PerformanceObserver(() => {
  largest = Math.max(largest, youngGenerationBytes());
}).observe({ entryTypes: ['gc'] });
const inFlight: { i: number; s: string }[][] = [];
for (let round = 0; round < 600; round += 1) {
  inFlight.push(
    Array.from({ length: 4000 }, (_, i) => ({ i, s: `request ${String(round)} item ${String(i)}` })),
  );
  if (inFlight.length > 40) inFlight.shift();
  // Lets the collector's notifications run between "requests".
  await new Promise((resolve) => setImmediate(resolve));
}
process.stdout.write(`${JSON.stringify({ largestMb: largest / 1024 / 1024, live: inFlight.length })}\n`);
