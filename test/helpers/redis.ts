import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Under CI a Redis that cannot be started fails the run; elsewhere a missing redis-server skips. */
export const CI = process.env['CI'] === 'true' || process.env['CI'] === '1';

function findRedisServer(): string | null {
  const configured = process.env['REDIS_SERVER_PATH'];
  if (configured !== undefined && configured !== '') return existsSync(configured) ? configured : null;
  if (existsSync('/usr/bin/redis-server')) return '/usr/bin/redis-server';
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return found.status === 0 && found.stdout.trim() !== '' ? found.stdout.trim() : null;
}

const redisServerPath = findRedisServer();

/**
 * Why the Redis tests are skipped, or `null` when they run. Never set under
 * CI: there a missing redis-server makes {@link startRedisServer} throw.
 */
export const redisSkipReason: string | null =
  redisServerPath !== null || CI
    ? null
    : "redis-server not found: the Redis tests are skipped. Install Debian's redis-server package (npm test does) or set REDIS_SERVER_PATH.";

if (redisSkipReason !== null) console.warn(`[redis] ${redisSkipReason}`);

/** A redis-server this test started, on its own port, with persistence off. */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly running: boolean;
  /** Stops the server (SIGTERM, or SIGKILL to crash it); its data is gone. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same port and waits until it answers PING. */
  start(): Promise<void>;
  /** Stops it for good and removes its directory. */
  close(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface StartRedisOptions {
  /** Run as a one-node Redis Cluster owning every slot, to exercise the cluster client. Default false. */
  cluster?: boolean;
}

/**
 * Starts a redis-server on a free port (`--save '' --appendonly no`) and waits
 * for PING. Throws with the server's output when it cannot be started, and
 * when redis-server is missing (which, outside CI, {@link redisSkipReason} avoids).
 */
export async function startRedisServer(options: StartRedisOptions = {}): Promise<RedisServer> {
  if (redisServerPath === null) {
    throw new Error(
      "redis-server is not installed, and the Redis tests must run under CI: install Debian's redis-server package.",
    );
  }
  const binary = redisServerPath;
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  let output = '';
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  async function start(): Promise<void> {
    if (child !== null) throw new Error('redis-server is already running');
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    args.push('--dir', dir, '--logfile', '');
    if (options.cluster === true) {
      rmSync(join(dir, 'nodes.conf'), { force: true });
      // Announced so CLUSTER SLOTS names an address the client can reach, not an empty host.
      args.push('--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'));
      args.push('--cluster-announce-ip', '127.0.0.1');
    }
    output = '';
    const started = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    started.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.once('exit', () => {
      if (child === started) child = null;
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child !== started) {
        throw new Error(`redis-server exited before answering PING on port ${port}:\n${output}`);
      }
      const reply = await command(port, ['PING']).catch(() => null);
      if (reply === 'PONG') break;
      if (Date.now() > deadline) {
        started.kill('SIGKILL');
        throw new Error(`redis-server did not answer PING on port ${port} within 15 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    if (options.cluster === true) {
      await command(port, ['CLUSTER', 'ADDSLOTSRANGE', '0', '16383']);
      for (;;) {
        const info = await command(port, ['CLUSTER', 'INFO']);
        if (info.includes('cluster_state:ok')) break;
        if (Date.now() > deadline) throw new Error(`the one-node cluster on port ${port} did not become ok`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  async function stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const running = child;
    if (running === null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    await exited;
    child = null;
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get running() {
      return child !== null;
    },
    stop,
    start,
    async close() {
      await stop('SIGKILL');
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Sends one command over a fresh connection and returns a simple or bulk string
 * reply; rejects on an error reply. Just enough RESP for PING and admin commands.
 */
export function command(port: number, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`no reply to ${args.join(' ')} within 5 s`)), 5_000);
    const finish = (error: Error | null, value?: string) => {
      clearTimeout(timer);
      socket.destroy();
      if (error === null) resolve(value ?? '');
      else reject(error);
    };
    socket.on('error', (error) => finish(error));
    socket.on('connect', () => {
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const lineEnd = buffer.indexOf('\r\n');
      if (lineEnd < 0) return;
      const line = buffer.subarray(1, lineEnd).toString();
      switch (String.fromCharCode(buffer[0] ?? 0)) {
        case '+':
        case ':':
          finish(null, line);
          return;
        case '-':
          finish(new Error(line));
          return;
        case '$': {
          const length = Number(line);
          if (length < 0) {
            finish(null, '');
            return;
          }
          if (buffer.length >= lineEnd + 2 + length + 2) {
            finish(null, buffer.subarray(lineEnd + 2, lineEnd + 2 + length).toString());
          }
          return;
        }
        default:
          finish(new Error(`unexpected reply to ${args.join(' ')}: ${buffer.toString()}`));
      }
    });
  });
}
