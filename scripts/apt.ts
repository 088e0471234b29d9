// Debian packages a script needs (Chromium and redis-server for the tests, nginx and wrk for the bench),
// installed with apt-get when the user is root or has password-less sudo.
import { spawnSync } from 'node:child_process';

/** The path of `command` on PATH, or null. */
export function which(command: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

/** Installs Debian `packages` in one apt-get run; false when that is not possible or fails. */
export function aptInstall(packages: string[]): boolean {
  if (!which('apt-get')) return false;
  const root = process.getuid?.() === 0;
  const prefix = root ? [] : which('sudo') ? ['sudo', '-n'] : null;
  if (prefix === null) return false;
  console.log(`installing ${packages.join(', ')} with apt-get (one time)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args: string[]): boolean => {
    const [command = '', ...rest] = [...prefix, ...args];
    return spawnSync(command, rest, { stdio: 'inherit', env }).status === 0;
  };
  return (
    run(['apt-get', 'update', '-qq']) &&
    run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages])
  );
}
