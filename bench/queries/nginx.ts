/**
 * nginx (Debian's package) serving the static upstream of the query
 * workloads, so the upstream is never the bottleneck, with `stub_status` for
 * its own request counter.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { freePort } from '../lib/children.ts';
import { sleep } from '../lib/common.ts';
import type { Tracked } from './tools.ts';
import { spawnTool } from './tools.ts';

/** A running nginx. */
export interface Nginx {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly pid: number;
  /** Requests nginx has served so far (its `stub_status` counter), the status requests themselves excluded. */
  requests(): Promise<number>;
  stop(): Promise<void>;
}

/** The nginx binary: `NGINX_PATH`, else Debian's. */
export function nginxBinary(): string | null {
  return [process.env['NGINX_PATH'], '/usr/sbin/nginx'].find((p) => p !== undefined && existsSync(p)) ?? null;
}

/** Starts nginx in the foreground, one worker, serving `root` (see fixtures.ts) on a free port. */
export async function startNginx(binary: string, root: string, workDir: string): Promise<Nginx> {
  const port = await freePort();
  mkdirSync(join(workDir, 'tmp'), { recursive: true });
  const conf = join(workDir, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off;
master_process off;
worker_processes 1;
pid ${join(workDir, 'nginx.pid')};
error_log ${join(workDir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(workDir, 'tmp')};
  proxy_temp_path ${join(workDir, 'tmp')};
  fastcgi_temp_path ${join(workDir, 'tmp')};
  uwsgi_temp_path ${join(workDir, 'tmp')};
  scgi_temp_path ${join(workDir, 'tmp')};
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  default_type application/json;
  server {
    listen 127.0.0.1:${String(port)} backlog=4096;
    root ${root};
    location = /v1/invoices { try_files /invoices.json =404; }
    location ~ ^/v1/customers/([A-Za-z0-9_]+)$ { try_files /customers/$1.json =404; }
    location = /nginx_status { stub_status; }
  }
}
`,
  );
  const child: Tracked = spawnTool('nginx', binary, ['-c', conf, '-p', workDir]);
  const origin = `http://127.0.0.1:${String(port)}`;
  let statusCalls = 0;
  const requests = async (): Promise<number> => {
    const response = await request(`${origin}/nginx_status`);
    statusCalls += 1;
    const text = await response.body.text();
    const handled = /\n\s*\d+\s+\d+\s+(\d+)\s*\n/.exec(text)?.[1];
    if (handled === undefined) throw new Error(`nginx stub_status said: ${text}`);
    // The status request being answered is counted already.
    return Number(handled) - statusCalls;
  };
  for (let i = 0; ; i += 1) {
    try {
      await requests();
      break;
    } catch (error) {
      if (child.exited() || i > 100)
        throw new Error(`nginx did not start: ${child.output()}`, { cause: error });
      await sleep(50);
    }
  }
  return { origin, pid: child.pid, requests, stop: () => child.stop() };
}
