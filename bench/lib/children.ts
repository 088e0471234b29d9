/**
 * Child processes of the bench: servers under test and load/subscriber
 * workers. Every child is tracked and killed when the orchestrator exits, on
 * success, failure or Ctrl-C; every wait has a timeout.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Command, Reply } from './common.ts';
import { withTimeout } from './common.ts';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Node 24, the runtime this script runs on (`node bench/run.ts` under npm). */
export const NODE = process.execPath;

const live = new Set<ChildProcess>();

function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** Kills every child still running; safe to call from an `exit` handler. */
export function killAll(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

process.on('exit', killAll);

/** A child that answers {@link Command}s over IPC. */
export class Rpc {
  readonly name: string;
  readonly child: ChildProcess;
  #next = 1;
  readonly #pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  #exited: string | null = null;

  constructor(name: string, child: ChildProcess, stderrTail: () => string) {
    this.name = name;
    this.child = child;
    child.on('message', (message: Reply) => {
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id);
      if (message.ok) pending.resolve(message.result);
      else pending.reject(new Error(`${name}: ${message.error}`));
    });
    child.once('exit', (code, signal) => {
      const tail = stderrTail();
      this.#exited = `${name} exited (${signal ?? `code ${String(code)}`})${tail ? `; its stderr ended with:\n${tail}` : ''}`;
      for (const pending of this.#pending.values()) pending.reject(new Error(this.#exited));
      this.#pending.clear();
    });
  }

  get exited(): boolean {
    return this.#exited !== null;
  }

  /** Sends `cmd` and resolves with the child's result, failing after `timeoutMs`. */
  call<T>(cmd: string, args: unknown, timeoutMs: number): Promise<T> {
    if (this.#exited !== null) return Promise.reject(new Error(this.#exited));
    const id = this.#next++;
    const reply = new Promise<unknown>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
    });
    const command: Command = { id, cmd, args };
    this.child.send(command);
    return withTimeout(reply, timeoutMs, `${this.name} did not finish "${cmd}"`).finally(() => {
      this.#pending.delete(id);
    }) as Promise<T>;
  }

  /** SIGTERM, then SIGKILL if the child has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    try {
      await withTimeout(exited, graceMs, `${this.name} to exit after SIGTERM`);
    } catch {
      this.child.kill('SIGKILL');
      await withTimeout(exited, 5000, `${this.name} to exit after SIGKILL`);
    }
  }
}

function collectTail(stream: NodeJS.ReadableStream | null, keep = 4000): () => string {
  let tail = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-keep);
  });
  return () => tail.trim();
}

/** A server under test, started and ready. */
export type ServerProcess = Rpc & {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly pid: number;
};

export interface StartServerOptions {
  name: string;
  /** Script to run, relative to the repository root. */
  entry: string;
  env: Record<string, string>;
  /** Matches the line the server prints once it listens; group 1 is its origin (`http://host:port`). */
  ready: RegExp;
  timeoutMs?: number;
}

/**
 * Starts a server as `node --expose-gc --import bench/lib/probe.ts <entry>`
 * and waits for its ready line. The probe lets the orchestrator force a GC
 * before memory readings; nothing else about the server changes.
 */
export async function startServer(options: StartServerOptions): Promise<ServerProcess> {
  const child = spawn(NODE, ['--expose-gc', '--import', './bench/lib/probe.ts', options.entry], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  track(child);
  const stderrTail = collectTail(child.stderr);
  const rpc = new Rpc(options.name, child, stderrTail);
  const origin = await withTimeout(
    new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        out += chunk;
        const match = options.ready.exec(out);
        if (match?.[1] !== undefined) resolve(match[1]);
      });
      child.once('exit', (code, signal) => {
        const tail = stderrTail();
        reject(
          new Error(
            `${options.name} exited before it was ready (${signal ?? `code ${String(code)}`}).` +
              `${out.trim() ? `\nstdout:\n${out.trim()}` : ''}${tail ? `\nstderr:\n${tail}` : ''}`,
          ),
        );
      });
      child.once('error', reject);
    }),
    options.timeoutMs ?? 30_000,
    `${options.name} to print its ready line (${String(options.ready)})`,
  ).catch(async (error: unknown) => {
    await rpc.stop(1000).catch(() => undefined);
    throw error;
  });
  // Drain stdout from now on so a chatty server never blocks on a full pipe, and
  // show whatever the server writes to stderr (runtime warnings, crashes).
  child.stdout?.resume();
  child.stderr?.on('data', (chunk: string) => {
    process.stderr.write(chunk.replace(/^(?=.)/gm, `[${options.name}] `));
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name} has no pid`);
  return Object.assign(rpc, { origin, pid });
}

/** Starts a bench worker (a script under bench/workers) and returns its command channel. */
export function startWorker(name: string, entry: string): Rpc {
  const child = spawn(NODE, [entry], {
    cwd: ROOT,
    env: process.env,
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  track(child);
  const tail = collectTail(child.stderr);
  child.stderr?.on('data', (chunk: string) => process.stderr.write(`[${name}] ${chunk}`));
  return new Rpc(name, child, tail);
}

/** Resident set size of a process in KiB, from /proc/<pid>/status (VmRSS). */
export async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${String(pid)}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (match?.[1] === undefined) throw new Error(`no VmRSS in /proc/${String(pid)}/status`);
  return Number(match[1]);
}
