import { isIP, isIPv4, isIPv6 } from 'node:net';

/**
 * Why an address must not be fetched from (SSRF protection), or null for a public unicast address.
 * Covers IPv4 and IPv6, including IPv4 embedded in IPv6 (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96,
 * 6to4 2002::/16, the deprecated compatible ::a.b.c.d).
 */
export function nonPublicAddressKind(address: string): string | null {
  if (isIPv4(address)) return ipv4Kind(parseIpv4(address));
  if (isIPv6(address)) return ipv6Kind(parseIpv6(address));
  return 'not an IP address';
}

/**
 * Why the host of a parsed URL (`new URL(...).hostname`, which already turned `2130706433` or `0x7f.1`
 * into 127.0.0.1) is not public, or null for a public address or a DNS name: names are checked when
 * fetched, after resolution. `localhost` and `*.localhost` are loopback whatever DNS says (RFC 6761).
 */
export function nonPublicHostKind(hostname: string): string | null {
  const host = hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  return isIP(host) ? nonPublicAddressKind(host) : null;
}

type Ipv4Range = [base: [number, number, number, number], prefix: number, kind: string];

const IPV4_RANGES: Ipv4Range[] = [
  [[0, 0, 0, 0], 8, 'unspecified'],
  [[10, 0, 0, 0], 8, 'private'],
  [[100, 64, 0, 0], 10, 'shared (CGNAT)'],
  [[127, 0, 0, 0], 8, 'loopback'],
  [[169, 254, 0, 0], 16, 'link-local'],
  [[172, 16, 0, 0], 12, 'private'],
  [[192, 0, 0, 0], 24, 'reserved'],
  [[192, 0, 2, 0], 24, 'reserved (documentation)'],
  [[192, 88, 99, 0], 24, 'reserved'],
  [[192, 168, 0, 0], 16, 'private'],
  [[198, 18, 0, 0], 15, 'reserved (benchmarking)'],
  [[198, 51, 100, 0], 24, 'reserved (documentation)'],
  [[203, 0, 113, 0], 24, 'reserved (documentation)'],
  [[224, 0, 0, 0], 4, 'multicast'],
  [[240, 0, 0, 0], 4, 'reserved'], // includes broadcast 255.255.255.255
];

function parseIpv4(address: string): number[] {
  return address.split('.').map(Number);
}

function ipv4Kind(bytes: readonly number[]): string | null {
  for (const [base, prefix, kind] of IPV4_RANGES) {
    if (matchesPrefix(bytes, base, prefix)) return kind;
  }
  return null;
}

function matchesPrefix(bytes: readonly number[], base: readonly number[], prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit += 8) {
    const index = bit / 8;
    const bits = Math.min(8, prefix - bit);
    const mask = (0xff << (8 - bits)) & 0xff;
    if (((bytes[index] ?? 0) & mask) !== ((base[index] ?? 0) & mask)) return false;
  }
  return true;
}

/** 16 bytes of an IPv6 address (accepts `::` and a trailing dotted IPv4 part). */
function parseIpv6(address: string): number[] {
  let text = address.split('%')[0] ?? ''; // zone id
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: number[] = [];
  if (dotted?.[1]) {
    tail = parseIpv4(dotted[1]);
    text = text.slice(0, -dotted[1].length) + '0:0';
  }
  const [head = '', rest] = text.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const words = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = words.flatMap((w) => [(w >> 8) & 0xff, w & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

type Ipv6Range = [base: number[], prefix: number, kind: string | ((bytes: number[]) => string | null)];

const embeddedV4 = (offset: number) => (bytes: number[]) => ipv4Kind(bytes.slice(offset, offset + 4));

const IPV6_RANGES: Ipv6Range[] = [
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 128, 'unspecified'],
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128, 'loopback'],
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96, embeddedV4(12)], // IPv4-mapped
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 96, embeddedV4(12)], // IPv4-compatible (deprecated)
  [[0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96, embeddedV4(12)], // NAT64 well-known prefix
  [[0, 0x64, 0xff, 0x9b, 0, 1], 48, 'private (local NAT64)'],
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, 'reserved (discard)'],
  [[0x20, 0x01, 0, 0], 32, 'reserved (Teredo)'],
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'reserved (documentation)'],
  [[0x20, 0x02], 16, embeddedV4(2)], // 6to4
  [[0xfc], 7, 'unique-local'],
  [[0xfe, 0x80], 10, 'link-local'],
  [[0xfe, 0xc0], 10, 'site-local'],
  [[0xff], 8, 'multicast'],
];

function ipv6Kind(bytes: number[]): string | null {
  for (const [base, prefix, kind] of IPV6_RANGES) {
    if (matchesPrefix(bytes, base, prefix)) return typeof kind === 'string' ? kind : kind(bytes);
  }
  return null;
}
