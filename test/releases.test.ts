import { describe, expect, it } from 'vitest';
import { codenames, findRelease, RELEASES } from '../src/releases/index.js';

describe('release table', () => {
  it('covers Debian wheezy through forky and sid, oldest first', () => {
    expect(codenames('debian')).toEqual(['wheezy', 'jessie', 'stretch', 'buster', 'bullseye', 'bookworm', 'trixie', 'forky', 'sid']);
  });

  it('covers Ubuntu LTS releases from precise to the newest, resolute (26.04)', () => {
    expect(codenames('ubuntu')).toEqual(['precise', 'trusty', 'xenial', 'bionic', 'focal', 'jammy', 'noble', 'resolute']);
    expect(findRelease('ubuntu', 'resolute')?.version).toBe('26.04');
  });

  it('names a source for every fact of every release', () => {
    for (const release of RELEASES) {
      for (const url of Object.values(release.sources)) expect(url, release.codename).toMatch(/^https:\/\/\S+$/);
    }
  });

  it('has unique codenames and versions per distro', () => {
    for (const distro of ['debian', 'ubuntu'] as const) {
      const rows = RELEASES.filter((r) => r.distro === distro);
      expect(new Set(rows.map((r) => r.codename)).size).toBe(rows.length);
      expect(new Set(rows.map((r) => r.version)).size).toBe(rows.length);
    }
  });

  it('switches the Debian security layout at bullseye', () => {
    expect(findRelease('debian', 'buster')?.security).toBe('slash-updates');
    expect(findRelease('debian', 'bullseye')?.security).toBe('dash-security');
    expect(findRelease('debian', 'sid')?.security).toBe('none');
  });

  it('names the network package iproute before jessie and trusty, iproute2 after', () => {
    expect(findRelease('debian', 'wheezy')?.networkPackage).toBe('iproute');
    expect(findRelease('debian', 'jessie')?.networkPackage).toBe('iproute2');
    expect(findRelease('ubuntu', 'precise')?.networkPackage).toBe('iproute');
    expect(findRelease('ubuntu', 'trusty')?.networkPackage).toBe('iproute2');
  });

  it('knows the upstart era: Ubuntu precise and trusty only', () => {
    expect(RELEASES.filter((r) => r.upstart).map((r) => r.codename)).toEqual(['precise', 'trusty']);
  });

  it('uses deb822 where the release writes it: Debian trixie on, Ubuntu noble on', () => {
    expect(RELEASES.filter((r) => r.sourcesFormat === 'deb822').map((r) => r.codename)).toEqual([
      'trixie',
      'forky',
      'sid',
      'noble',
      'resolute',
    ]);
  });

  it('adds non-free-firmware from bookworm on', () => {
    expect(findRelease('debian', 'bullseye')?.components).not.toContain('non-free-firmware');
    expect(findRelease('debian', 'bookworm')?.components).toContain('non-free-firmware');
  });

  it('marks the seed releases archived', () => {
    expect(findRelease('debian', 'wheezy')?.status).toBe('archived');
    expect(findRelease('ubuntu', 'precise')?.status).toBe('archived');
    expect(findRelease('debian', 'bookworm')?.status).toBe('supported');
  });
});
