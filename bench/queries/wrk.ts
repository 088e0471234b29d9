/**
 * wrk (Debian's package), the load generator of the query workloads: C, one
 * thread, so it leaves the second core to the server under test.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnTool } from './tools.ts';

/** One wrk run's figures. */
export interface WrkResult {
  requests: number;
  durationS: number;
  requestsPerS: number;
  /** Latency percentiles in ms. */
  p50: number;
  p99: number;
  /** Socket errors (connect, read, write, timeout) plus non-2xx answers. */
  errors: number;
  non2xx: number;
  /** 200 answers with GraphQL `errors` (only counted when asked). */
  graphqlErrors: number;
}

/** The wrk binary: `WRK_PATH`, else Debian's. */
export function wrkBinary(): string | null {
  return [process.env['WRK_PATH'], '/usr/bin/wrk'].find((p) => p !== undefined && existsSync(p)) ?? null;
}

const luaString = (value: string): string => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * Runs wrk for `durationS` against `url` with `connections` keep-alive
 * connections, POSTing `body` as JSON with `headers`. The Lua script prints
 * one machine-readable line at the end.
 */
export async function runWrk(options: {
  binary: string;
  workDir: string;
  url: string;
  body: string;
  headers?: Readonly<Record<string, string>>;
  connections: number;
  durationS: number;
  /** Also count 200 answers whose body has GraphQL `errors` (slower: wrk reads each body in Lua). */
  graphqlErrors?: boolean;
}): Promise<WrkResult> {
  const script = join(options.workDir, 'post.lua');
  const headers = { 'content-type': 'application/json', ...options.headers };
  writeFileSync(
    script,
    [
      'wrk.method = "POST"',
      `wrk.body = ${luaString(options.body)}`,
      ...Object.entries(headers).map(
        ([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}`,
      ),
      // Each wrk thread runs its own Lua state; done() reads their counters through setup's thread handles.
      'graphql_errors = 0',
      'local threads = {}',
      'setup = function(thread) table.insert(threads, thread) end',
      ...(options.graphqlErrors === true
        ? [
            'response = function(status, headers, body)',
            '  if string.find(body, \'"errors":\', 1, true) then graphql_errors = graphql_errors + 1 end',
            'end',
          ]
        : []),
      'done = function(summary, latency, requests)',
      '  local e = summary.errors',
      '  local graphql_errors = 0',
      '  for _, thread in ipairs(threads) do graphql_errors = graphql_errors + thread:get("graphql_errors") end',
      '  io.write(string.format("WRK_RESULT %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,',
      '    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50), latency:percentile(99), graphql_errors))',
      'end',
    ].join('\n'),
  );
  const child = spawnTool('wrk', options.binary, [
    '-t1',
    `-c${String(options.connections)}`,
    `-d${String(options.durationS)}s`,
    '--timeout',
    '10s',
    '-s',
    script,
    options.url,
  ]);
  const timer = setTimeout(() => void child.stop(), (options.durationS + 30) * 1000);
  const code = await child.done;
  clearTimeout(timer);
  const match = /WRK_RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(child.output());
  if (code !== 0 || match === null) throw new Error(`wrk failed (exit ${String(code)}): ${child.output()}`);
  const [requests, durationUs, socketErrors, non2xx, p50Us, p99Us, graphqlErrors] = match
    .slice(1)
    .map(Number) as [number, number, number, number, number, number, number];
  const durationS = durationUs / 1e6;
  return {
    requests,
    durationS,
    requestsPerS: requests / durationS,
    p50: p50Us / 1000,
    p99: p99Us / 1000,
    errors: socketErrors + non2xx,
    non2xx,
    graphqlErrors,
  };
}
