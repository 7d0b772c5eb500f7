// The end-to-end tests take their mirror from the host's apt sources: both formats,
// disabled and third-party entries passed over, environment overrides first.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostMirrors, parseDeb822, parseOneLine, pickMirrors } from './support/mirrors.js';

const DEB822 = `# written by the installer
Types: deb deb-src
URIs: http://mirror.example/debian/
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://security.example/debian-security
Suites: bookworm-security
Components: main
 contrib
`;

const ONE_LINE = `deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main contrib # comment
# deb http://commented.example/debian bookworm main
deb-src http://src.example/debian bookworm main
deb http://mirror.example/debian-security bullseye-security main
deb http://mirror.example/debian-security buster/updates main
`;

describe('host apt sources', () => {
  it('parses deb822 stanzas, continuation lines and comments', () => {
    const sources = parseDeb822(DEB822, 'x.sources');
    expect(sources).toHaveLength(2);
    expect(sources[0]).toMatchObject({ types: ['deb', 'deb-src'], uris: ['http://mirror.example/debian/'], suites: ['bookworm', 'bookworm-updates'] });
    expect(sources[1]!.components).toEqual(['main', 'contrib']);
  });

  it('parses one-line sources with options and comments', () => {
    const sources = parseOneLine(ONE_LINE, 'sources.list');
    expect(sources.map((s) => `${s.types[0]} ${s.uris[0]} ${s.suites[0]}`)).toEqual([
      'deb http://mirror.example/debian bookworm',
      'deb-src http://src.example/debian bookworm',
      'deb http://mirror.example/debian-security bullseye-security',
      'deb http://mirror.example/debian-security buster/updates',
    ]);
    expect(sources[0]!.components).toEqual(['main', 'contrib']);
  });

  it('picks the first Debian mirror and security mirror, without trailing slashes', () => {
    const { mirrors } = pickMirrors(parseDeb822(DEB822, 'x.sources'), {});
    expect(mirrors).toMatchObject({ mirror: 'http://mirror.example/debian', securityMirror: 'http://security.example/debian-security' });
  });

  it('passes over disabled, source-only and third-party entries; reads <suite>/updates as security', () => {
    const sources = [
      ...parseDeb822('Types: deb\nURIs: http://disabled.example/debian\nSuites: bookworm\nEnabled: no\n', 'a'),
      ...parseDeb822('Types: deb\nURIs: https://vendor.example/apt\nSuites: stable-vendor\nComponents: main\n', 'b'),
      ...parseOneLine('deb-src http://src.example/debian bookworm main\ndeb http://old.example/debian-security buster/updates main\ndeb http://m.example/debian trixie main\n', 'c'),
    ];
    const { mirrors } = pickMirrors(sources, {});
    expect(mirrors).toMatchObject({ mirror: 'http://m.example/debian', securityMirror: 'http://old.example/debian-security' });
  });

  it('environment variables override what the host says', () => {
    const sources = parseDeb822(DEB822, 'x.sources');
    const { mirrors } = pickMirrors(sources, { MKIMAGE_E2E_MIRROR: 'http://near.example/debian/', MKIMAGE_E2E_SECURITY_MIRROR: 'http://near.example/sec' });
    expect(mirrors).toMatchObject({ mirror: 'http://near.example/debian', securityMirror: 'http://near.example/sec' });
    expect(mirrors!.origin).toMatch(/MKIMAGE_E2E_MIRROR.*MKIMAGE_E2E_SECURITY_MIRROR/);
  });

  it('says what to set when the host has no security mirror', () => {
    const { mirrors, problem } = pickMirrors(parseOneLine('deb http://m.example/debian bookworm main\n', 'l'), {});
    expect(mirrors).toBeUndefined();
    expect(problem).toMatch(/MKIMAGE_E2E_SECURITY_MIRROR/);
  });

  it('reads sources.list and sources.list.d (*.list, *.sources) from an apt directory', () => {
    const etc = mkdtempSync(join(tmpdir(), 'mkimage-e2e-apt-'));
    try {
      mkdirSync(join(etc, 'sources.list.d'));
      writeFileSync(join(etc, 'sources.list'), '# empty but for comments\n');
      writeFileSync(join(etc, 'sources.list.d', 'debian.sources'), DEB822);
      writeFileSync(join(etc, 'sources.list.d', 'other.list.disabled'), 'deb http://no.example/debian bookworm main\n');
      const { mirrors } = hostMirrors({}, etc);
      expect(mirrors).toMatchObject({ mirror: 'http://mirror.example/debian', securityMirror: 'http://security.example/debian-security' });
      expect(mirrors!.origin).toContain(join(etc, 'sources.list.d', 'debian.sources'));
    } finally {
      rmSync(etc, { recursive: true, force: true });
    }
  });
});
