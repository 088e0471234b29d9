import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses an outbound delivery may never reach, whatever the settings: link-local
 * (where cloud metadata services live), the metadata addresses themselves, "this
 * network", multicast and broadcast.
 */
const ALWAYS_BLOCKED = new BlockList();
ALWAYS_BLOCKED.addSubnet('169.254.0.0', 16, 'ipv4');
ALWAYS_BLOCKED.addSubnet('0.0.0.0', 8, 'ipv4');
ALWAYS_BLOCKED.addSubnet('224.0.0.0', 4, 'ipv4');
ALWAYS_BLOCKED.addSubnet('240.0.0.0', 4, 'ipv4');
ALWAYS_BLOCKED.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
ALWAYS_BLOCKED.addSubnet('fe80::', 10, 'ipv6');
ALWAYS_BLOCKED.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6
ALWAYS_BLOCKED.addAddress('::', 'ipv6');
ALWAYS_BLOCKED.addSubnet('ff00::', 8, 'ipv6');

/** Loopback and private ranges: refused unless OUTBOUND_ALLOW_PRIVATE=1. */
const PRIVATE = new BlockList();
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addSubnet('198.18.0.0', 15, 'ipv4');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');

/** An address or URL an outbound delivery must not reach; the message says why and what to do. */
export class ForbiddenDestinationError extends Error {
  override readonly name = 'ForbiddenDestinationError';
}

/** `::ffff:10.0.0.1` is 10.0.0.1: check the IPv4 address an IPv4-mapped one carries. */
function normalize(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return { address: mapped[1], family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/** Why `address` may not be reached, or null when it may. */
export function addressProblem(address: string, allowPrivate: boolean): string | null {
  const { address: ip, family } = normalize(address);
  if (ALWAYS_BLOCKED.check(ip, family)) {
    return `${address} is a link-local, metadata or reserved address, which is never allowed`;
  }
  if (!allowPrivate && PRIVATE.check(ip, family)) {
    return `${address} is a loopback or private address (set OUTBOUND_ALLOW_PRIVATE=1 to allow those)`;
  }
  return null;
}

/** The host of a URL without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Checks what can be checked without DNS: only http and https, no credentials in the
 * URL, and an IP-literal host must be allowed. Returns the parsed URL, or throws
 * {@link ForbiddenDestinationError}.
 */
export function checkUrl(text: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ForbiddenDestinationError(`"${text}" is not a URL: give an absolute http:// or https:// URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ForbiddenDestinationError(
      `${url.protocol.slice(0, -1)} URLs are not allowed: only http:// and https:// endpoints are.`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new ForbiddenDestinationError(
      'The URL carries credentials: leave them out (receivers verify the webhook-signature header instead).',
    );
  }
  const host = hostOf(url);
  if (isIP(host) !== 0) {
    const problem = addressProblem(host, allowPrivate);
    if (problem !== null) throw new ForbiddenDestinationError(`The URL's host ${problem}.`);
  } else if (!allowPrivate && /^localhost\.?$|\.localhost\.?$/i.test(host)) {
    throw new ForbiddenDestinationError(
      `The URL's host ${host} is loopback (set OUTBOUND_ALLOW_PRIVATE=1 to allow those).`,
    );
  }
  return url;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for the sockets of outbound deliveries: resolves with `dns.lookup`
 * and refuses the connection when any address the name resolves to is not
 * allowed. The socket connects to the very address checked here, so a name that
 * resolves differently a moment later (DNS rebinding) cannot slip through.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, []);
        return;
      }
      for (const { address } of addresses) {
        const problem = addressProblem(address, allowPrivate);
        if (problem !== null) {
          callback(new ForbiddenDestinationError(`${hostname} resolves to ${problem}`), []);
          return;
        }
      }
      if (options.all === true) callback(null, addresses);
      else {
        const first = addresses[0];
        if (first === undefined)
          callback(new ForbiddenDestinationError(`${hostname} resolves to no address`), []);
        else callback(null, first.address, first.family);
      }
    });
  };
}

/** Resolves the URL's host and checks every address (creation time; delivery time checks again on connect). */
export async function checkDestination(text: string, allowPrivate: boolean): Promise<URL> {
  const url = checkUrl(text, allowPrivate);
  const host = hostOf(url);
  if (isIP(host) !== 0) return url;
  const lookup = guardedLookup(allowPrivate);
  await new Promise<void>((resolve, reject) =>
    lookup(host, { all: true }, (error) => {
      if (error instanceof ForbiddenDestinationError)
        reject(new ForbiddenDestinationError(`The URL's host ${error.message}.`));
      else if (error)
        reject(
          new ForbiddenDestinationError(
            `The URL's host ${host} does not resolve (${error.code ?? error.message}): give a host name that resolves.`,
          ),
        );
      else resolve();
    }),
  );
  return url;
}
