import { randomBytes } from 'node:crypto';
import type { Random } from './demo-world.ts';

/**
 * A source of numbers in [0, 1) drawn from the operating system's CSPRNG, for
 * the emulators' credentials and webhook secrets. Unlike the demo world's
 * seeded streams it is unpredictable: a sandbox secret is new in every process,
 * so nobody who knows `DEMO_SEED` can sign deliveries a gateway would accept.
 */
export const credentialRandom: Random = () => randomBytes(4).readUInt32BE(0) / 4294967296;
