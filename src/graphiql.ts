import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { renderGraphiQL } from 'graphql-yoga';
import type { GraphiQLOptions } from 'graphql-yoga';

/** Where the gateway serves GraphiQL's own files. */
export const GRAPHIQL_ASSETS_PATH = '/graphiql/assets/';

const dist = join(
  dirname(createRequire(import.meta.url).resolve('@graphql-yoga/graphiql/package.json')),
  'dist',
);
const assets: Readonly<Record<string, string>> = {
  'graphiql.css': 'text/css; charset=utf-8',
  'yoga-graphiql.umd.js': 'text/javascript; charset=utf-8',
  'monacoeditorwork/editor.worker.bundle.js': 'text/javascript; charset=utf-8',
  'monacoeditorwork/json.worker.bundle.js': 'text/javascript; charset=utf-8',
  'monacoeditorwork/graphql.worker..bundle.js': 'text/javascript; charset=utf-8',
};

/**
 * Yoga's GraphiQL page, with its scripts and styles served by the gateway
 * itself instead of a public CDN: GraphiQL then works on machines with no
 * internet access and under a strict Content-Security-Policy.
 */
export function renderLocalGraphiQL(options: GraphiQLOptions): string {
  return renderGraphiQL(options)
    .replace(/https:\/\/unpkg\.com\/@graphql-yoga\/graphiql@[^/]+\/dist\//g, GRAPHIQL_ASSETS_PATH)
    .replace(/<link rel=icon href=[^>]*>/, '');
}

const AUTH_HINT = `# This gateway needs credentials: in "Headers" below, replace the placeholder
# with your key: {"Authorization": "Bearer <your API key or JWT>"}
#
`;
const AUTH_HEADERS = '{\n  "Authorization": "Bearer <your API key or JWT>"\n}';

/**
 * Options of the GraphiQL page. `query` is the editor's first text; where
 * clients must authenticate it starts with where the key goes, and the Headers
 * editor (open) holds a placeholder for it. GraphiQL sends its headers with
 * every HTTP request, SSE subscriptions included, and keeps them in the
 * browser's storage, so a key is typed once.
 */
export function graphiqlOptions(options: {
  subscriptions: 'ws' | 'sse';
  query: string;
  authRequired: boolean;
}): GraphiQLOptions {
  // Yoga's GraphiQL takes its first query from `query` (it ignores `defaultQuery`) and `headers` for new tabs.
  const page: GraphiQLOptions & { query: string } = {
    title: 'Switchyard',
    subscriptionsProtocol: options.subscriptions === 'ws' ? 'WS' : 'SSE',
    query: options.authRequired ? AUTH_HINT + options.query : options.query,
    ...(options.authRequired
      ? { headers: AUTH_HEADERS, defaultEditorToolsVisibility: 'headers' as const }
      : {}),
  };
  return page;
}

/** Serves one GraphiQL asset; answers false when `path` is not one. */
export async function serveGraphiQLAsset(path: string, res: ServerResponse): Promise<boolean> {
  const name = path.slice(GRAPHIQL_ASSETS_PATH.length);
  const type = Object.hasOwn(assets, name) ? assets[name] : undefined;
  if (!path.startsWith(GRAPHIQL_ASSETS_PATH) || type === undefined) return false;
  const body = await readFile(join(dist, name));
  res.writeHead(200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  res.end(body);
  return true;
}
