import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { renderGraphiQL } from 'graphql-yoga';
import type { GraphiQLOptions } from 'graphql-yoga';
import { SWITCHYARD_MARK_SVG } from './graphiql-brand.ts';

/** Where the gateway serves GraphiQL's own files. */
export const GRAPHIQL_ASSETS_PATH = '/graphiql/assets/';
/** The favicon GraphiQL's page references. */
export const GRAPHIQL_FAVICON_PATH = `${GRAPHIQL_ASSETS_PATH}favicon.svg`;

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
/** Files that are the gateway's own rather than GraphiQL's. */
const ownAssets: Readonly<Record<string, { type: string; body: string }>> = {
  'favicon.svg': { type: 'image/svg+xml', body: SWITCHYARD_MARK_SVG },
};

/**
 * Yoga's GraphiQL page, with its scripts and styles served by the gateway
 * itself instead of a public CDN: GraphiQL then works on machines with no
 * internet access and under a strict Content-Security-Policy. Its favicon is
 * Switchyard's, served alongside.
 */
export function renderLocalGraphiQL(options: GraphiQLOptions): string {
  return renderGraphiQL(options)
    .replace(/https:\/\/unpkg\.com\/@graphql-yoga\/graphiql@[^/]+\/dist\//g, GRAPHIQL_ASSETS_PATH)
    .replace(
      /<link rel=icon href=[^>]*>/,
      `<link rel=icon type=image/svg+xml href=${GRAPHIQL_FAVICON_PATH}>`,
    );
}

const AUTH_HINT = `# This gateway needs credentials: in "Headers" below, replace the placeholder
# with your key: {"Authorization": "Bearer <your API key or JWT>"}
#
`;
const AUTH_HEADERS = '{\n  "Authorization": "Bearer <your API key or JWT>"\n}';

/**
 * Options of the GraphiQL page. `tabs` are the operations it opens with, one
 * per tab, the first one open (a browser that used GraphiQL before gets its
 * own tabs back, and the first one again if it closed it). Where clients must
 * authenticate each starts with where the key goes, and the Headers editor
 * (open) holds a placeholder for it. GraphiQL sends its headers with every
 * HTTP request, SSE subscriptions included, and keeps them in the browser's
 * storage, so a key is typed once.
 */
export function graphiqlOptions(options: {
  subscriptions: 'ws' | 'sse';
  tabs: readonly [string, ...string[]];
  authRequired: boolean;
}): GraphiQLOptions {
  const hinted = (query: string) => (options.authRequired ? AUTH_HINT + query : query);
  const tabs = options.tabs.map((query) => ({
    query: hinted(query),
    ...(options.authRequired ? { headers: AUTH_HEADERS } : {}),
  }));
  // Yoga's GraphiQL puts `query` in the open tab (it ignores `defaultQuery`: without `query` it shows
  // its own welcome text), `defaultTabs` in a browser with no saved tabs, `headers` in new tabs.
  const page: GraphiQLOptions & { query: string } = {
    title: 'Switchyard',
    logo: SWITCHYARD_MARK_SVG,
    subscriptionsProtocol: options.subscriptions === 'ws' ? 'WS' : 'SSE',
    query: hinted(options.tabs[0]),
    defaultTabs: tabs,
    ...(options.authRequired
      ? { headers: AUTH_HEADERS, defaultEditorToolsVisibility: 'headers' as const }
      : {}),
  };
  return page;
}

/** Serves one GraphiQL asset; answers false when `path` is not one. */
export async function serveGraphiQLAsset(path: string, res: ServerResponse): Promise<boolean> {
  if (!path.startsWith(GRAPHIQL_ASSETS_PATH)) return false;
  const name = path.slice(GRAPHIQL_ASSETS_PATH.length);
  const own = Object.hasOwn(ownAssets, name) ? ownAssets[name] : undefined;
  const type = own?.type ?? (Object.hasOwn(assets, name) ? assets[name] : undefined);
  if (type === undefined) return false;
  const body = own?.body ?? (await readFile(join(dist, name)));
  res.writeHead(200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  res.end(body);
  return true;
}
