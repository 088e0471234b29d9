// `npm test`: makes sure what the suites need is on the machine, then runs them.
// Under CI=true a missing dependency fails the run instead of skipping tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aptInstall, which } from './apt.ts';

const ci = process.env['CI'] === 'true' || process.env['CI'] === '1';

const chromiumCandidates = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'];
/** Chromium for the browser test. */
const findChromium = () => chromiumCandidates.find((p) => p && existsSync(p)) ?? null;
/** redis-server for the Redis event log and scale-out tests (test/helpers/redis.ts starts its own). */
const findRedisServer = () =>
  [process.env['REDIS_SERVER_PATH'], '/usr/bin/redis-server'].find((p) => p && existsSync(p)) ??
  which('redis-server');

// Debian's packages for whatever is missing, in one apt-get run.
const missing = [
  ...(findChromium() === null ? ['chromium'] : []),
  ...(findRedisServer() === null ? ['redis-server'] : []),
];
if (missing.length > 0) aptInstall(missing);

const env: Record<string, string | undefined> = { ...process.env };
const chromium = findChromium();
if (chromium) {
  env['CHROMIUM_PATH'] = chromium;
} else if (ci) {
  console.error(
    '[test] Chromium is missing and could not be installed (apt-get install chromium): failing under CI.',
  );
  process.exit(1);
} else {
  console.warn(
    "[test] Chromium not found and not installable: the browser test will be skipped. Install Debian's chromium package to run it.",
  );
}

const redisServer = findRedisServer();
if (redisServer) {
  env['REDIS_SERVER_PATH'] = redisServer;
} else if (ci) {
  console.error(
    '[test] redis-server is missing and could not be installed (apt-get install redis-server): failing under CI.',
  );
  process.exit(1);
} else {
  console.warn(
    "[test] redis-server not found and not installable: the Redis and scale-out tests will be skipped. Install Debian's redis-server package to run them.",
  );
}

// vitest's own summary, plus its JSON report for one plain closing line that any CI can read.
const report = join(mkdtempSync(join(tmpdir(), 'switchyard-test-')), 'report.json');
const args = [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
];
const result = spawnSync('npx', ['--no-install', ...args], { stdio: 'inherit', env });
if (existsSync(report)) {
  const counts = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  const skipped = counts.numPendingTests + counts.numTodoTests;
  console.log(`vitest: ${counts.numPassedTests} passed, ${counts.numFailedTests} failed, ${skipped} skipped`);
}
process.exit(result.status ?? 1);
