import { authHeader, graphql, http, raw } from '../harness.ts';
import type { HostileCase, Target } from '../harness.ts';

/**
 * GraphQL over HTTP: malformed and truncated JSON, wrong content types and
 * methods, huge bodies, deep and wide queries, alias, directive and fragment
 * bombs, introspection in production, invalid variables, unicode and control
 * characters, invalid global ids, batches, and request smuggling.
 */

const area = 'graphql-http';
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };

const post = (t: Target, body: string | Buffer, headers: Record<string, string> = {}) =>
  http(t, { path: '/graphql', headers: { ...JSON_HEADERS, ...authHeader(t), ...headers }, body });

const bad = (name: string, body: string, code: string | readonly string[] = 'BAD_REQUEST'): HostileCase => ({
  area,
  name,
  run: (t) => post(t, body),
  expect: { status: 400, code },
});

const query = (
  name: string,
  text: string,
  code: string,
  variables?: Record<string, unknown>,
): HostileCase => ({
  area,
  name,
  run: (t) => graphql(t, text, variables),
  expect: { status: 400, code },
});

/** A valid query whose selection nests about `4 × loops + 3` levels deep (invoice → customer → invoices → ...). */
const nested = (loops: number) =>
  `{ invoices(first: 1) { edges { node { ${'customer { invoices(first: 1) { edges { node { '.repeat(loops)}id${' } } } }'.repeat(loops)} } } } }`;

const aliases = (n: number, field = 'gateway { version }') =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

const malformedJson: [string, string][] = [
  ['an opening brace only', '{'],
  ['a cut-off query string', '{"query":"{ gateway { ver'],
  ['a cut-off key', '{"que'],
  ['trailing garbage', '{"query":"{ gateway { version } }"} trailing'],
  ['a bare string', '"{ gateway { version } }"'],
  ['a bare number', '42'],
  ['null', 'null'],
  ['an empty body', ''],
  ['single quotes', "{'query':'{ gateway { version } }'}"],
  ['a NUL byte in JSON', '{"query":"{ gateway { version } }"\u0000}'],
  ['a lone surrogate escape', '{"query":"{ gateway { version } }","operationName":"\\ud800"}'],
  ['invalid escape', '{"query":"\\x41"}'],
  ['duplicate query keys', '{"query":"{ gateway { version } }","query":"{ __schema { types { name } } }"}'],
];

const badParams: [string, string][] = [
  ['query is a number', '{"query":1}'],
  ['query is null', '{"query":null}'],
  ['query is an object', '{"query":{"a":1}}'],
  ['no query at all', '{"variables":{}}'],
  ['variables is a string', '{"query":"{ gateway { version } }","variables":"x"}'],
  ['variables is an array', '{"query":"{ gateway { version } }","variables":[1]}'],
  ['operationName is a number', '{"query":"{ gateway { version } }","operationName":5}'],
  ['extensions is a string', '{"query":"{ gateway { version } }","extensions":"x"}'],
];

const contentTypes: [string, string, string, number][] = [
  ['text/plain (a CORS-simple type)', 'text/plain', '{"query":"{ gateway { version } }"}', 0],
  ['form-encoded', 'application/x-www-form-urlencoded', 'query=%7B%20gateway%20%7B%20version%20%7D%20%7D', 0],
  [
    'multipart',
    'multipart/form-data; boundary=X',
    '--X\r\nContent-Disposition: form-data; name="query"\r\n\r\n{ gateway { version } }\r\n--X--\r\n',
    0,
  ],
  ['application/xml', 'application/xml', '<query>{ gateway { version } }</query>', 0],
  ['application/octet-stream', 'application/octet-stream', '{"query":"{ gateway { version } }"}', 0],
];

export const graphqlHttpCases: HostileCase[] = [
  ...malformedJson.map(([name, body]) =>
    // JSON.parse takes a lone surrogate escape and the last of duplicate keys: what is left is a bad operation.
    bad(`malformed JSON: ${name}`, body, ['BAD_REQUEST', 'OPERATION_RESOLUTION_FAILURE', 'BAD_USER_INPUT']),
  ),
  ...badParams.map(([name, body]) =>
    bad(`bad parameters: ${name}`, body, ['BAD_REQUEST', 'OPERATION_RESOLUTION_FAILURE']),
  ),
  ...contentTypes.map(([name, type, body]): HostileCase => ({
    area,
    name: `content type ${name}`,
    run: (t) => http(t, { path: '/graphql', headers: { 'content-type': type, ...authHeader(t) }, body }),
    expect: { status: [400, 415] },
  })),
  {
    area,
    name: 'no content type',
    run: (t) =>
      http(t, { path: '/graphql', headers: authHeader(t), body: '{"query":"{ gateway { version } }"}' }),
    expect: { status: [400, 415] },
  },
  ...['PUT', 'DELETE', 'PATCH'].map((method): HostileCase => ({
    area,
    name: `${method} /graphql`,
    run: (t) =>
      http(t, {
        method,
        path: '/graphql',
        headers: { ...JSON_HEADERS, ...authHeader(t) },
        body: '{"query":"{ gateway { version } }"}',
      }),
    expect: { status: 405 },
  })),
  {
    area,
    name: 'a mutation over GET',
    run: (t) =>
      http(t, {
        method: 'GET',
        path: '/graphql?query=mutation%7B__typename%7D',
        headers: { ...JSON_HEADERS, ...authHeader(t) },
      }),
    expect: { status: [400, 405] },
  },
  {
    area,
    name: 'a 20 MB body declared in Content-Length',
    run: (t) => post(t, Buffer.alloc(20 * 1024 * 1024, 0x20)),
    expect: { status: [413, -1], code: undefined },
  },
  {
    area,
    name: 'a 20 MB body sent chunked',
    run: (t) =>
      http(t, {
        path: '/graphql',
        headers: { ...JSON_HEADERS, ...authHeader(t) },
        body: Buffer.alloc(20 * 1024 * 1024, 0x20),
        chunked: 256 * 1024,
      }),
    expect: { status: [413, -1] },
  },
  {
    area,
    name: 'a 2 MB query string in a JSON body',
    run: (t) => post(t, JSON.stringify({ query: `{ gateway { version } } #${'x'.repeat(2_000_000)}` })),
    expect: { status: [400, 413] },
  },
  {
    area,
    name: 'JSON nested 100,000 levels in a variable the operation declares',
    run: (t) =>
      post(
        t,
        `{"query":"query ($f: EventFilter) { events(filter: $f) { edges { cursor } } }","variables":{"f":{"types":${'['.repeat(100_000)}${']'.repeat(100_000)}}}}`,
      ),
    expect: { status: 400, code: 'BAD_USER_INPUT' },
  },
  {
    area,
    name: 'JSON nested 100,000 levels in a variable nobody declared',
    run: (t) =>
      post(
        t,
        `{"query":"{ gateway { version } }","variables":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`,
      ),
    // Parsed (within the body cap) and never walked: the operation answers as if it were absent.
    expect: { status: 200, absent: /"errors"/ },
  },
  // Operations refused before anything runs.
  query('a syntax error', '{ gateway { ', 'GRAPHQL_PARSE_FAILED'),
  {
    area,
    name: 'an unknown field, which must not be answered with suggestions in production',
    run: (t) => graphql(t, '{ gatewy { version } }'),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED', absent: /Did you mean/ },
  },
  query('nesting 15 levels deep', nested(3), 'BAD_USER_INPUT'),
  query('nesting 200 levels deep', nested(50), 'BAD_USER_INPUT'),
  query('201 aliases', aliases(201), 'BAD_USER_INPUT'),
  query('201 __typename aliases', aliases(201, '__typename'), 'BAD_USER_INPUT'),
  query('5,000 aliases', aliases(5000), 'BAD_USER_INPUT'),
  query('5,000 fields', `{ ${'gateway { version } '.repeat(5000)} }`, 'BAD_USER_INPUT'),
  query(
    '1,000 directives on one field',
    `{ gateway ${'@include(if: true) '.repeat(1000)} { version } }`,
    'BAD_USER_INPUT',
  ),
  query(
    '100 directives on one field',
    `{ gateway ${'@skip(if: false) '.repeat(100)} { version } }`,
    'BAD_USER_INPUT',
  ),
  query(
    'an unknown directive repeated',
    `{ gateway ${'@evil '.repeat(50)} { version } }`,
    'GRAPHQL_VALIDATION_FAILED',
  ),
  query(
    'a fragment that spreads itself',
    'query { ...A } fragment A on Query { ...A }',
    'GRAPHQL_VALIDATION_FAILED',
  ),
  query(
    'two fragments in a cycle',
    'query { ...A } fragment A on Query { gateway { version } ...B } fragment B on Query { ...A }',
    'GRAPHQL_VALIDATION_FAILED',
  ),
  query(
    'a fragment bomb (each fragment spreads the previous one ten times)',
    `query { ...F9 } fragment F0 on Query { gateway { version } } ${Array.from(
      { length: 9 },
      (_, i) => `fragment F${i + 1} on Query { ${Array.from({ length: 10 }, () => `...F${i}`).join(' ')} }`,
    ).join(' ')}`,
    'BAD_USER_INPUT',
  ),
  query(
    'a wide list fan-out beyond the cost limit',
    '{ customers(first: 100) { edges { node { subscriptions(first: 100) { edges { node { items { price { nickname } } } } } invoices(first: 100) { edges { node { id } } } } } } }',
    'BAD_USER_INPUT',
  ),
  query('introspection of the schema', '{ __schema { types { name } } }', 'BAD_USER_INPUT'),
  query('introspection of a type', '{ __type(name: "Customer") { fields { name } } }', 'BAD_USER_INPUT'),
  query(
    'an introspection ofType bomb',
    `{ __schema { types { ${'ofType { '.repeat(40)}name${' }'.repeat(40)} } } }`,
    'BAD_USER_INPUT',
  ),
  // Variables.
  query(
    'a string for an Int variable',
    'query ($n: Int) { events(first: $n) { edges { cursor } } }',
    'BAD_USER_INPUT',
    { n: 'x' },
  ),
  query(
    'an Int beyond 32 bits',
    'query ($n: Int) { events(first: $n) { edges { cursor } } }',
    'BAD_USER_INPUT',
    { n: 2 ** 40 },
  ),
  query('a missing required variable', 'query ($id: ID!) { node(id: $id) { id } }', 'BAD_USER_INPUT', {}),
  query('an object for an ID variable', 'query ($id: ID!) { node(id: $id) { id } }', 'BAD_USER_INPUT', {
    id: { a: 1 },
  }),
  query(
    '20,000 ids inline',
    `{ nodes(ids: [${Array.from({ length: 20_000 }, (_, i) => `"id${i}"`).join(',')}]) { id } }`,
    'BAD_USER_INPUT',
  ),
  query('20,000 ids as a variable', 'query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', 'BAD_USER_INPUT', {
    ids: Array.from({ length: 20_000 }, (_, i) => `id${i}`),
  }),
  {
    area,
    name: 'first: -1',
    run: (t) => graphql(t, '{ events(first: -1) { edges { cursor } } }'),
    // A field error: the rest of an answer would stand.
    expect: { status: [200, 400], code: 'BAD_USER_INPUT' },
  },
  query('first: 1,000,000', '{ customers(first: 1000000) { edges { cursor } } }', 'BAD_USER_INPUT'),
  query(
    'an event filter with 10,000 types',
    'query ($f: EventFilter) { events(filter: $f) { edges { cursor } } }',
    'BAD_USER_INPUT',
    {
      f: { types: Array.from({ length: 10_000 }, (_, i) => `t${i}`) },
    },
  ),
  {
    area,
    name: 'a heartbeat interval of 1 ms, over SSE',
    run: (t) =>
      http(t, {
        path: '/graphql',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...authHeader(t) },
        body: JSON.stringify({ query: 'subscription { heartbeat(intervalMs: 1) { tick } }' }),
      }),
    expect: { status: [200, 400], code: 'BAD_USER_INPUT' },
  },
  // Strings and ids.
  ...[
    ['a NUL in an email', 'sam\u0000@umbra.example'],
    ['an ESC sequence in an email', '\u001b[2J@umbra.example'],
    ['CRLF in an email', 'sam@umbra.example\r\nX-Injected: 1'],
    ['a right-to-left override in an email', 'sam\u202e@umbra.example'],
    ['a 100,000-character email', `${'a'.repeat(100_000)}@umbra.example`],
  ].map(([name, email]): HostileCase => ({
    area,
    name: `customer(email:) with ${name}`,
    run: (t) => graphql(t, 'query ($e: String!) { customer(email: $e) { email } }', { e: email }),
    expect: { status: [200, 400], code: 'BAD_USER_INPUT' },
  })),
  ...[
    ['not base64', '!!!not-an-id!!!'],
    ['base64 of junk', Buffer.from('\u0000\u0001junk').toString('base64url')],
    ['with no source id', Buffer.from('Invoice:').toString('base64url')],
    ['of 100,000 characters', 'A'.repeat(100_000)],
  ].map(([name, id]): HostileCase => ({
    area,
    name: `node(id:) ${name}`,
    run: (t) => graphql(t, 'query ($id: ID!) { node(id: $id) { id } }', { id }),
    expect: { status: [200, 400], code: 'BAD_USER_INPUT' },
  })),
  // Well-formed global ids of nothing: not found is null, as Relay has it; the provider id is path-encoded upstream.
  ...[
    ['of an unknown type', Buffer.from('Spaceship:42').toString('base64url')],
    ['with a path in it', Buffer.from('Invoice:../../admin').toString('base64url')],
  ].map(([name, id]): HostileCase => ({
    area,
    name: `node(id:) ${name}`,
    run: (t) => graphql(t, 'query ($id: ID!) { node(id: $id) { id } }', { id }),
    expect: { status: 200, absent: /"node":\{/ },
  })),
  // Batches.
  {
    area,
    name: 'a batch of two operations',
    run: (t) =>
      post(t, JSON.stringify([{ query: '{ gateway { version } }' }, { query: '{ gateway { version } }' }])),
    expect: { status: 400, code: 'BAD_REQUEST' },
  },
  {
    area,
    name: 'a batch of 1,000 operations',
    run: (t) =>
      post(t, JSON.stringify(Array.from({ length: 1000 }, () => ({ query: '{ gateway { version } }' })))),
    expect: { status: 400, code: 'BAD_REQUEST' },
  },
  // Smuggling and header abuse, on a raw socket.
  {
    area: 'http',
    name: 'Content-Length and Transfer-Encoding together',
    run: (t) =>
      raw(t, [
        'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
      ]),
    expect: { status: 400 },
  },
  {
    area: 'http',
    name: 'two Content-Length headers that disagree',
    run: (t) =>
      raw(t, [
        'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}',
      ]),
    expect: { status: 400 },
  },
  {
    area: 'http',
    name: 'a header of 64 KB',
    run: (t) => raw(t, [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`]),
    expect: { status: 431 },
  },
  {
    area: 'http',
    name: 'an obsolete line folding header',
    run: (t) => raw(t, ['GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\n\r\n']),
    expect: { status: 400 },
  },
  {
    area: 'http',
    name: 'garbage instead of HTTP',
    run: (t) => raw(t, ['\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003 not http\r\n\r\n']),
    expect: { status: [0, 400] },
  },
  {
    area: 'http',
    name: 'a path traversal to a GraphiQL asset',
    run: (t) => http(t, { method: 'GET', path: '/graphiql/assets/..%2f..%2fpackage.json' }),
    expect: { status: 404 },
  },
];
