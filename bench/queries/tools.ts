/** External programs of the query workloads (nginx, wrk), killed with every other child of the bench. */
import { spawnTracked } from '../lib/children.ts';

/** A running external program. */
export interface Tracked {
  readonly pid: number;
  /** Whether it has exited. */
  exited(): boolean;
  /** The last 8 KiB of its stdout and stderr. */
  output(): string;
  /** Resolves with its exit code once it exits. */
  done: Promise<number | null>;
  /** SIGTERM, then SIGKILL after 2 s; resolves once it exited. */
  stop(): Promise<void>;
}

/** Starts `binary` with `args`, capturing its output. */
export function spawnTool(name: string, binary: string, args: readonly string[]): Tracked {
  const child = spawnTracked(binary, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (chunk: Buffer): void => {
    out = (out + chunk.toString()).slice(-8192);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const done = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exited = true;
      resolve(code);
    });
    child.once('error', (error) => {
      out += `\n${name}: ${error.message}`;
      exited = true;
      resolve(null);
    });
  });
  return {
    pid: child.pid ?? -1,
    exited: () => exited,
    output: () => out,
    done,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await done;
      clearTimeout(timer);
    },
  };
}
