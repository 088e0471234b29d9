/**
 * Preloaded (`node --expose-gc --import bench/lib/probe.ts <server>`) into
 * every server under test, Switchyard and peers alike. It changes nothing in
 * the server; it only answers the orchestrator over IPC:
 *
 * - `{ cmd: 'gc' }`: runs a full garbage collection (twice) and replies with
 *   `process.memoryUsage()`, so memory readings are not at the mercy of when
 *   V8 last collected;
 *
 * and it exits the server if the orchestrator goes away, so a crashed bench
 * never leaves servers behind.
 */
import type { Command, Reply } from './common.ts';

if (process.send !== undefined) {
  process.on('disconnect', () => process.exit(1));
  process.on('message', (message: Command) => {
    let reply: Reply;
    if (message.cmd === 'gc') {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      reply = { id: message.id, ok: true, result: { gc: gc !== undefined, ...process.memoryUsage() } };
    } else {
      reply = { id: message.id, ok: false, error: `probe: unknown command ${message.cmd}` };
    }
    process.send?.(reply);
  });
  // The IPC channel alone must not keep a server alive that wants to exit.
  process.channel?.unref();
}
