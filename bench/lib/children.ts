/**
 * Child processes of the bench: servers under test and load/subscriber
 * workers. Every child is tracked and killed when the orchestrator exits, on
 * success, failure or Ctrl-C; every wait has a timeout.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
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

/** The open-files limit (`ulimit -n`) of this process, soft and hard, from /proc/self/limits. */
export function openFilesLimit(): { soft: number; hard: number } {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
    const value = (x: string | undefined) => (x === undefined || x === 'unlimited' ? Infinity : Number(x));
    return { soft: value(match?.[1]), hard: value(match?.[2]) };
  } catch {
    return { soft: Number.NaN, hard: Number.NaN };
  }
}

/**
 * Spawns `command`, first raising the child's open-files soft limit to the
 * hard limit when they differ (`ulimit -n` is per process; `exec` keeps the
 * pid and the IPC channel), since a server or subscriber process holding
 * thousands of WebSockets needs a descriptor for each.
 */
/** Spawns a child with the raised open-files limit, killed by {@link killAll}. */
export function spawnTracked(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const { soft, hard } = openFilesLimit();
  const child =
    Number.isFinite(soft) && soft < hard
      ? spawn(
          '/bin/sh',
          [
            '-c',
            'ulimit -n "$0" 2>/dev/null; exec "$@"',
            Number.isFinite(hard) ? String(hard) : 'unlimited',
            command,
            ...args,
          ],
          options,
        )
      : spawn(command, args, options);
  track(child);
  return child;
}

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
  const child = spawnTracked(NODE, ['--expose-gc', '--import', './bench/lib/probe.ts', options.entry], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const stderrTail = collectTail(child.stderr);
  const rpc = new Rpc(options.name, child, stderrTail);
  const origin = await withTimeout(
    new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.setEncoding('utf8');
      const onData = (chunk: string) => {
        out += chunk;
        const match = options.ready.exec(out);
        if (match?.[1] !== undefined) {
          // Stop keeping what it prints: an info log line per request would grow without end here.
          child.stdout?.off('data', onData);
          out = '';
          resolve(match[1]);
        }
      };
      child.stdout?.on('data', onData);
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
  const child = spawnTracked(NODE, [entry], {
    cwd: ROOT,
    env: process.env,
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
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

/** A free TCP port on 127.0.0.1 (free when asked; the caller binds it right away). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A private redis-server started by the bench. */
export interface RedisProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** `redis-server --version`, e.g. `Redis server v=7.0.15 …`. */
  readonly version: string;
  stop(): Promise<void>;
}

/**
 * Starts a private, non-persistent `redis-server` on a free port of 127.0.0.1
 * (`--save '' --appendonly no`) and waits until it accepts connections. It is
 * tracked like every child, so it is killed when the bench exits.
 */
export async function startRedis(binary: string): Promise<RedisProcess> {
  let version: string;
  try {
    version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  } catch (error) {
    throw new Error(
      `cannot run ${binary} (${error instanceof Error ? error.message : String(error)}): ` +
        'install redis-server (Debian: apt-get install redis-server) or pass --no-redis',
      { cause: error },
    );
  }
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawnTracked(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'no',
        '--daemonize',
        'no',
        '--loglevel',
        'notice',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const stderrTail = collectTail(child.stderr);
    let out = '';
    const ready = await withTimeout(
      new Promise<boolean>((resolve) => {
        child.stdout?.setEncoding('utf8');
        child.stdout?.on('data', (chunk: string) => {
          out = (out + chunk).slice(-8000);
          if (out.includes('Ready to accept connections')) resolve(true);
        });
        child.once('exit', () => resolve(false));
      }),
      15_000,
      `redis-server on port ${String(port)} to accept connections`,
    ).catch(() => false);
    if (ready && child.pid !== undefined) {
      child.stdout?.resume();
      const pid = child.pid;
      return {
        url: `redis://127.0.0.1:${String(port)}`,
        port,
        pid,
        version,
        stop: () => stopChild(child, 'redis-server', 5000),
      };
    }
    await stopChild(child, 'redis-server', 1000).catch(() => undefined);
    if (attempt >= 3) {
      const tail = stderrTail();
      throw new Error(`redis-server did not start:\n${out.trim()}${tail ? `\nstderr:\n${tail}` : ''}`);
    }
  }
}

async function stopChild(child: ChildProcess, name: string, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  try {
    await withTimeout(exited, graceMs, `${name} to exit after SIGTERM`);
  } catch {
    child.kill('SIGKILL');
    await withTimeout(exited, 5000, `${name} to exit after SIGKILL`);
  }
}
