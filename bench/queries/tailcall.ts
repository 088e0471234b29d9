/**
 * Tailcall (Rust) as a workload-1 peer: the official binary from npm
 * (`@tailcallhq/core-linux-x64-gnu`), configured with its own SDL and `@http`
 * directives. The binary needs glibc 2.39 or newer; on an older Debian the
 * C library of Debian 13 is unpacked beside it (never installed) and the
 * binary runs through that library's own loader.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { freePort, ROOT } from '../lib/children.ts';
import { sleep } from '../lib/common.ts';
import type { Fixtures } from './fixtures.ts';
import { spawnTool } from './tools.ts';
import type { Tracked } from './tools.ts';

const PACKAGE = '@tailcallhq/core-linux-x64-gnu@1.6.14';
const CACHE = join(ROOT, 'node_modules', '.cache', 'switchyard-bench', 'tailcall-1.6.14');

/** How to run the binary: the command and the arguments that come before Tailcall's own. */
interface TailcallCommand {
  command: string;
  prefix: string[];
  version: string;
}

function runs(command: string, args: string[]): string | null {
  const result = spawnSync(command, [...args, '--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

/**
 * Fetches the Tailcall binary (and, if this glibc is too old, Debian 13's
 * libc6) into node_modules/.cache once; null with the reason when it cannot.
 */
export function prepareTailcall(log: (message: string) => void): TailcallCommand | string {
  try {
    const binary = join(CACHE, 'package', 'bin', 'tailcall');
    if (!existsSync(binary)) {
      log(`tailcall: fetching ${PACKAGE} from npm (one time)`);
      mkdirSync(CACHE, { recursive: true });
      execFileSync('npm', ['pack', PACKAGE, '--silent'], {
        cwd: CACHE,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const tarball = readdirSync(CACHE).find((f) => f.endsWith('.tgz'));
      if (tarball === undefined) return 'npm pack gave no tarball';
      execFileSync('tar', ['xzf', tarball], { cwd: CACHE });
    }
    const direct = runs(binary, []);
    if (direct !== null) return { command: binary, prefix: [], version: direct };
    const libDir = join(CACHE, 'libc', 'usr', 'lib', 'x86_64-linux-gnu');
    const loader = join(libDir, 'ld-linux-x86-64.so.2');
    if (!existsSync(loader)) {
      log("tailcall: this glibc is older than 2.39; unpacking Debian 13's libc6 beside it (one time)");
      const apt = join(CACHE, 'apt');
      mkdirSync(join(apt, 'lists', 'partial'), { recursive: true });
      mkdirSync(join(apt, 'cache', 'archives', 'partial'), { recursive: true });
      writeFileSync(
        join(apt, 'sources.list'),
        'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main\n',
      );
      const options = [
        '-o',
        `Dir::Etc::SourceList=${join(apt, 'sources.list')}`,
        '-o',
        'Dir::Etc::SourceParts=/dev/null',
        '-o',
        `Dir::State::Lists=${join(apt, 'lists')}`,
        '-o',
        `Dir::Cache=${join(apt, 'cache')}`,
        '-o',
        'APT::Sandbox::User=root',
      ];
      execFileSync('apt-get', [...options, 'update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'] });
      execFileSync('apt-get', [...options, 'download', 'libc6'], {
        cwd: apt,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const deb = readdirSync(apt).find((f) => f.startsWith('libc6_') && f.endsWith('.deb'));
      if (deb === undefined) return 'apt-get download libc6 (Debian 13) gave no package';
      execFileSync('dpkg-deb', ['-x', join(apt, deb), join(CACHE, 'libc')]);
    }
    const prefix = ['--library-path', `${libDir}:/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu`, binary];
    const version = runs(loader, prefix);
    if (version === null) return 'the binary does not run, even with Debian 13’s C library';
    return { command: loader, prefix, version };
  } catch (error) {
    return error instanceof Error ? (error.message.split('\n')[0] ?? 'failed') : String(error);
  }
}

/** Tailcall's query for workload 1: the same calls and fields in its own schema's shape (no Relay edges, no Money formatting). */
export const TAILCALL_QUERY =
  '{ invoices(first: 100) { data { id status amount_due currency buyer { id name email } } } }';

/** The answer Tailcall must give to {@link TAILCALL_QUERY}. */
export function tailcallExpected(fixtures: Fixtures): unknown {
  return {
    data: {
      invoices: {
        data: fixtures.invoices.map((invoice) => {
          const customer = fixtures.customers.get(invoice.customer);
          return {
            id: invoice.id,
            status: invoice.status,
            amount_due: invoice.amount_due,
            currency: invoice.currency,
            buyer: customer ? { id: customer.id, name: customer.name, email: customer.email } : null,
          };
        }),
      },
    },
  };
}

/** A running Tailcall. */
export interface TailcallServer {
  origin: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts Tailcall over `upstream` with `dedupe: true` on both calls, as its benchmark config does. */
export async function startTailcall(
  tailcall: TailcallCommand,
  upstream: string,
  workDir: string,
): Promise<TailcallServer> {
  const port = await freePort();
  const config = join(workDir, 'tailcall.graphql');
  writeFileSync(
    config,
    `schema @server(port: ${String(port)}, hostname: "127.0.0.1") @upstream(httpCache: 0, poolMaxIdlePerHost: 200) {
  query: Query
}
type Query {
  invoices(first: Int): InvoiceList
    @http(url: "${upstream}/v1/invoices", query: [{key: "limit", value: "{{.args.first}}"}], dedupe: true)
}
type InvoiceList {
  data: [Invoice]
}
type Invoice {
  id: String!
  status: String
  amount_due: Int
  currency: String
  customer: String! @omit
  buyer: Customer @http(url: "${upstream}/v1/customers/{{.value.customer}}", dedupe: true)
}
type Customer {
  id: String!
  name: String
  email: String
}
`,
  );
  const child: Tracked = spawnTool('tailcall', tailcall.command, [...tailcall.prefix, 'start', config]);
  const origin = `http://127.0.0.1:${String(port)}`;
  for (let i = 0; ; i += 1) {
    try {
      const response = await request(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      await response.body.text();
      if (response.statusCode === 200) break;
    } catch {
      // not listening yet
    }
    if (child.exited() || i > 200) throw new Error(`tailcall did not start: ${child.output()}`);
    await sleep(50);
  }
  return { origin, pid: child.pid, stop: () => child.stop() };
}
