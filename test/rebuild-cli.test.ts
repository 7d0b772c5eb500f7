// `outdated` and `refresh` as a user runs them, against archives made, signed and served
// here on 127.0.0.1 (the distro's Release files checked with --keyring, the test's key).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSigningKey, type SigningKey } from './e2e/support/apt-repo.js';
import { makeTempRoot } from './e2e/support/host.js';
import { serveArchive, stanza, writeSuite, type ArchiveServer } from './helpers/archive-server.js';
import { cli } from './helpers/cli.js';
import { hashTree } from './helpers/hash-tree.js';

let root: string;
let key: SigningKey;
let server: ArchiveServer;

const p = (name: string, version: string, extra: Record<string, string> = {}) =>
  stanza({ Package: name, Version: version, Architecture: 'amd64', Priority: 'required', ...extra });
const MAIN = p('base-files', '12.4') + p('libc6', '2.36-9+deb12u1', { Source: 'glibc' }) + p('apt', '2.6.1', { Depends: 'libc6 (>= 2.34)', Priority: 'important' });
const SECURITY = p('libc6', '2.36-9+deb12u4', { Source: 'glibc' });
const line = (name: string, version: string, source = name) => `${name}\t${version}\tamd64\t${source}\t${version}\n`;
const CURRENT = line('apt', '2.6.1') + line('base-files', '12.4') + line('libc6', '2.36-9+deb12u4', 'glibc');
const OLDER = line('apt', '2.6.1') + line('base-files', '12.4') + line('libc6', '2.36-9+deb12u1', 'glibc');

const T1 = '20250101T000000Z';
const T2 = '20250301T060000Z';
const T3 = '20250401T000000Z';

beforeAll(async () => {
  root = makeTempRoot('rebuild-cli');
  key = makeSigningKey(join(root, 'key'));
  const www = join(root, 'www');
  writeSuite(www, key, { tree: 'mirror', suite: 'bookworm', packages: { main: MAIN } });
  writeSuite(www, key, { tree: 'mirror', suite: 'bookworm-updates', packages: { main: '' } });
  writeSuite(www, key, { tree: 'security', suite: 'bookworm-security', packages: { main: SECURITY } });
  writeSuite(www, key, { tree: `archive/debian/${T1}`, suite: 'bookworm', packages: { main: MAIN } });
  writeSuite(www, key, { tree: `archive/debian/${T2}`, suite: 'bookworm', packages: { main: MAIN.replace('2.36-9+deb12u1', '2.36-9+deb12u4') } });
  server = await serveArchive(www, ['archive/debian']);
});

afterAll(async () => {
  await server?.stop();
  key?.close();
  rmSync(root, { recursive: true, force: true });
});

function site(name: string, config: string): string {
  mkdirSync(join(root, name));
  const dir = join(root, name);
  writeFileSync(join(dir, 'debian.yaml'), config);
  return dir;
}

describe('outdated', () => {
  const config = () => `name: local/debian
distro: debian
suite: bookworm
mirror: ${server.url}/mirror
securityMirror: ${server.url}/security
networkTools: false
expect: expected.manifest
`;
  const run = (dir: string, args: string[] = []) => cli(['outdated', 'debian.yaml', '--out', 'out', '--keyring', key.binary, ...args], dir);

  it('exits 0 and says so when a rebuild changes nothing', () => {
    const dir = site('current', config());
    expect(cli(['generate', 'debian.yaml', '--out', 'out'], dir).status).toBe(0);
    writeFileSync(join(dir, 'out/debian/expected.manifest'), CURRENT);
    const r = run(dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('debian (debian.yaml, amd64) against out/debian/expected.manifest: a rebuild now changes nothing\n');
    expect(r.status).toBe(0);
  });

  it('exits 1 and lists each package that would change, its suite and versions, a security update marked', () => {
    const dir = site('older', config());
    expect(cli(['generate', 'debian.yaml', '--out', 'out'], dir).status).toBe(0);
    writeFileSync(join(dir, 'out/debian/expected.manifest'), OLDER);
    const r = run(dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('a rebuild now changes 1 package\n  ~  libc6  2.36-9+deb12u1 -> 2.36-9+deb12u4  bookworm-security (security)\n');
    const json = JSON.parse(run(dir, ['--json']).stdout);
    expect(json.changed).toBe(true);
    expect(json.images[0].changes).toEqual([
      { kind: 'upgrade', name: 'libc6', arch: 'amd64', from: '2.36-9+deb12u1', to: '2.36-9+deb12u4', suite: 'bookworm-security', security: true },
    ]);
    expect(json.images[0].sources.map((s: { release: string }) => s.release)).toEqual([
      `${server.url}/mirror/dists/bookworm/InRelease`,
      `${server.url}/mirror/dists/bookworm-updates/InRelease`,
      `${server.url}/security/dists/bookworm-security/InRelease`,
    ]);
    // A build's manifest given on the command line instead of the expected one; a keyring named relative to here.
    writeFileSync(join(dir, 'built.manifest'), CURRENT);
    writeFileSync(join(dir, 'key.gpg'), readFileSync(key.binary));
    const relative = cli(['outdated', 'debian.yaml', '--out', 'out', '--keyring', 'key.gpg', '--manifest', 'built.manifest'], dir);
    expect(relative.stderr).toBe('');
    expect(relative.status).toBe(0);
  });

  it('exits 2 naming the source when the mirror does not answer or a signature is bad, and reports nothing', () => {
    const dir = site('unreachable', config());
    expect(cli(['generate', 'debian.yaml', '--out', 'out'], dir).status).toBe(0);
    writeFileSync(join(dir, 'out/debian/expected.manifest'), CURRENT);
    const r = run(dir, ['--set', 'mirror=http://127.0.0.1:1/debian']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('cannot reach http://127.0.0.1:1/debian/dists/bookworm');
    expect(r.stdout).toBe('');
    const other = makeSigningKey(join(root, 'other-key'), 'other', 'other <other@mkimage-gen.invalid>');
    try {
      const bad = cli(['outdated', 'debian.yaml', '--out', 'out', '--keyring', other.binary], dir);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/bad signature on http:\/\/127\.0\.0\.1:\d+\/mirror\/dists\/bookworm(-updates)?\/InRelease: not signed by a trusted key/);
    } finally {
      other.close();
    }
  });

  it('exits 2 when there is no manifest to compare with', () => {
    const dir = site('no-manifest', config().replace('expect: expected.manifest\n', ''));
    const r = run(dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("no manifest to compare with: set expect: in the config, or give a build's manifest with --manifest FILE");
  });
});

describe('refresh', () => {
  const CONFIG = () => `# The base image, pinned to a snapshot.
name: local/debian   # the image

distro: debian
suite: bookworm
mirror: ${server.url}/mirror
networkTools: false
apt: { updates: false, security: false }
# Moved forward by mkimage-gen refresh:
snapshot: ${T1}    # pinned
snapshotMirror: ${server.url}
expect: expected.manifest
`;

  it('moves the pin, keeps every comment, rewrites the expected manifest, regenerates; a second refresh changes nothing', () => {
    const dir = site('refresh', CONFIG());
    writeFileSync(join(dir, 'mkimage-gen.yaml'), 'configs: [debian.yaml]\nout: images\n');
    expect(cli(['generate'], dir).status).toBe(0);
    writeFileSync(join(dir, 'images/debian/expected.manifest'), OLDER);
    const before = readFileSync(join(dir, 'images/debian/mkimage.sh'), 'utf8');
    expect(before).toContain(T1);

    const dry = cli(['refresh', '--keyring', key.binary, '--dry-run'], dir);
    expect(dry.status).toBe(1);
    expect(readFileSync(join(dir, 'debian.yaml'), 'utf8')).toBe(CONFIG());

    const r = cli(['refresh', '--keyring', key.binary], dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'debian.yaml'), 'utf8')).toBe(CONFIG().replace(`snapshot: ${T1}`, `snapshot: ${T2}`));
    expect(r.stdout).toContain(`| debian.yaml | ${T1} → ${T2} |`);
    expect(r.stdout).toContain('| updated | `libc6` | 2.36-9+deb12u1 | 2.36-9+deb12u4 | bookworm |');
    expect(readFileSync(join(dir, 'images/debian/expected.manifest'), 'utf8')).toBe(CURRENT);
    expect(readFileSync(join(dir, 'images/debian/mkimage.sh'), 'utf8')).toContain(`${server.url}/archive/debian/${T2}`);
    expect(cli(['check'], dir).status).toBe(0);

    // A newer snapshot that changes no package: the pin stays, nothing is written.
    writeSuite(join(root, 'www'), key, { tree: `archive/debian/${T3}`, suite: 'bookworm', packages: { main: MAIN.replace('2.36-9+deb12u1', '2.36-9+deb12u4') } });
    const tree = hashTree(dir);
    const again = cli(['refresh', '--keyring', key.binary], dir);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(`debian.yaml stays at ${T2}: the newest snapshot ${T3} changes no package\n`);
    expect(hashTree(dir)).toEqual(tree);
  });

  it('writes nothing when an archive cannot be read', () => {
    const dir = site('refresh-bad', CONFIG().replace(`snapshotMirror: ${server.url}`, 'snapshotMirror: http://127.0.0.1:1'));
    writeFileSync(join(dir, 'mkimage-gen.yaml'), 'configs: [debian.yaml]\nout: images\n');
    expect(cli(['generate'], dir).status).toBe(0);
    writeFileSync(join(dir, 'images/debian/expected.manifest'), OLDER);
    const tree = hashTree(dir);
    const r = cli(['refresh', '--keyring', key.binary], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('cannot reach http://127.0.0.1:1/archive/debian/');
    expect(hashTree(dir)).toEqual(tree);
    expect(existsSync(join(dir, 'images/debian/expected.manifest'))).toBe(true);
  });
});
