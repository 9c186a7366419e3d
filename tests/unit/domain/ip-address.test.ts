import { describe, expect, it } from 'vitest';
import { nonPublicAddressKind, nonPublicHostKind } from '../../../src/domain/ip-address.js';

describe('nonPublicAddressKind', () => {
  it.each([
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.32.0.1', null],
    ['192.168.0.1', 'private'],
    ['100.64.0.1', 'shared (CGNAT)'],
    ['100.128.0.1', null],
    ['127.0.0.53', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['0.0.0.0', 'unspecified'],
    ['8.8.8.8', null],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:8.8.8.8', null],
    ['64:ff9b::10.0.0.1', 'private'],
    ['2002:c0a8:0101::1', 'private'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved (documentation)'],
    ['2606:4700:4700::1111', null],
    ['example.org', 'not an IP address'],
  ])('%s is %s', (address, kind) => {
    expect(nonPublicAddressKind(address)).toBe(kind);
  });
});

describe('nonPublicHostKind (the host of a URL as the WHATWG parser leaves it)', () => {
  const hostOf = (url: string) => new URL(url).hostname;
  it.each([
    ['http://10.0.0.1/', 'private'],
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['http://127.0.0.1./', 'loopback'], // trailing dot dropped by the parser
    ['http://2130706433/', 'loopback'], // decimal
    ['http://0x7f.0.0.1/', 'loopback'], // hexadecimal
    ['http://0177.0.0.1/', 'loopback'], // octal
    ['http://0/', 'unspecified'],
    ['http://[::1]/', 'loopback'],
    ['http://[::]/', 'unspecified'],
    ['http://[::ffff:10.0.0.1]/', 'private'], // IPv4-mapped, written [::ffff:a00:1] by the parser
    ['http://[::ffff:127.0.0.1]:8080/', 'loopback'],
    ['http://[fe80::1]/', 'link-local'],
    ['http://[fd00::1]/', 'unique-local'],
    ['http://localhost:6379/', 'loopback'],
    ['http://LOCALHOST./', 'loopback'],
    ['http://admin.localhost/', 'loopback'],
    ['http://93.184.216.34/', null],
    ['http://[2606:4700:4700::1111]/', null],
    ['https://example.org/', null],
    ['http://127.0.0.1.nip.io/', null], // a name: checked after resolution, when fetched
    ['http://localhost.example.org/', null],
  ])('%s -> %s', (url, kind) => {
    expect(nonPublicHostKind(hostOf(url))).toBe(kind);
  });
});
