/**
 * The gateway's entry point (`npm start`, `node src/main.ts`). It imports next to nothing itself, so that
 * V8's young generation can be held small before the gateway's modules load (see
 * src/heap/young-generation.ts); `start.ts` then starts the gateway.
 */
import { nodeFlags, youngGenerationFlag } from './heap/node-flags.ts';
import { holdYoungGeneration } from './heap/young-generation.ts';

// A young generation sized on node's command line is the user's: it is left alone.
if (youngGenerationFlag(nodeFlags(process.execArgv, process.env['NODE_OPTIONS'])) === undefined)
  holdYoungGeneration();
const { start } = await import('./start.ts');
await start();
