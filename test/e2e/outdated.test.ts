// End to end, `outdated` and `refresh` on real archives:
// - against the host's mirror (read from its apt sources): an image manifest made by
//   apt itself (a private apt resolving the minbase packages with -updates and
//   -security, `apt-get -s install`) is current, so outdated reports nothing and exits
//   0; with a few packages edited down to older versions the mirror has, it reports
//   exactly those, with the suite apt-cache madison names and the security ones marked;
// - against a snapshot service on 127.0.0.1: two moments of bookworm made here from the
//   mirror's index and a real .deb repacked as a newer version, indexed with
//   apt-ftparchive and signed with the test's key; refresh moves the pin of a commented
//   config, rewrites its expected manifest, regenerates and lists the package; a second
//   refresh changes nothing;
// - bad input: an unreachable mirror, a Release file with a bad signature, a corrupt
//   index: exit 2 naming it, and nothing written.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveArchive, writeSuite, type ArchiveServer } from '../helpers/archive-server.js';
import { cli } from '../helpers/cli.js';
import { hashTree } from '../helpers/hash-tree.js';
import { aptRepoProblems, makeSigningKey, PrivateApt, type SigningKey } from './support/apt-repo.js';
import { describeE2E, makeTempRoot, must, prerequisites, sh, SYSTEM_PATH } from './support/host.js';

const prereq = await prerequisites();
prereq.problems.push(...aptRepoProblems());

const T1 = '20250101T000000Z';
const T2 = '20250301T060000Z';
const T3 = '20250401T000000Z';
const BUMPED = 'base-files';
const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

interface Line {
  name: string;
  version: string;
  arch: string;
  source: string;
  sourceVersion: string;
}
const text = (lines: Line[]) =>
  [...lines]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((l) => `${l.name}\t${l.version}\t${l.arch}\t${l.source}\t${l.sourceVersion}\n`)
    .join('');

/** Paragraphs of control text as field maps. */
function paragraphs(control: string): Map<string, string>[] {
  return control
    .split(/\n\n+/)
    .filter((p) => p.trim() !== '')
    .map((p) => new Map(p.split('\n').filter((l) => /^\S+:/.test(l)).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()])));
}

/** What a minbase build asks for, from a suite's own index: Essential and Priority required, apt, usr-is-merged; and the network package. */
function minbaseRoots(packages: string): string[] {
  const names = paragraphs(packages)
    .filter((p) => p.get('Priority') === 'required' || p.get('Essential') === 'yes')
    .map((p) => p.get('Package')!);
  return [...new Set([...names, 'apt', 'usr-is-merged', 'iproute2'])];
}

/** The manifest apt's own resolver gives for `roots` on an empty system: what a build of them installs. */
function aptManifest(apt: PrivateApt, roots: string[]): Line[] {
  const sim = apt.apt(['-s', '-q', 'install', '--no-install-recommends', ...roots]);
  if (sim.status !== 0) throw new Error(`apt-get -s install failed: ${sim.stderr}`);
  // `Inst libc6 (2.36-9+deb12u14 Debian:12.13/stable [amd64]) []`: the name, then the version.
  const installs = [...sim.stdout.matchAll(/^Inst (\S+) \((\S+) /gm)].map((m) => ({ name: m[1]!, version: m[2]! }));
  const shown = must('apt-cache', [...apt.options, 'show', ...installs.map((i) => `${i.name}=${i.version}`)], { env: { PATH: SYSTEM_PATH, LC_ALL: 'C.UTF-8' }, maxBuffer: 1 << 28 });
  const seen = new Map<string, Line>();
  for (const p of paragraphs(shown)) {
    const name = p.get('Package')!;
    if (seen.has(name)) continue;
    const version = p.get('Version')!;
    const m = /^(\S+)(?: \((.+)\))?$/.exec(p.get('Source') ?? name)!;
    seen.set(name, { name, version, arch: p.get('Architecture')!, source: m[1]!, sourceVersion: m[2] ?? version });
  }
  return [...seen.values()];
}

/** apt-cache madison, in one run: each version of each package with the suites that list it. */
function madison(apt: PrivateApt, names: string[]): Map<string, { version: string; suites: string[] }[]> {
  const out = must('apt-cache', [...apt.options, 'madison', ...names], { env: { PATH: SYSTEM_PATH, LC_ALL: 'C.UTF-8' } });
  const found = new Map<string, Map<string, string[]>>();
  for (const line of out.split('\n')) {
    const [name, version, where] = line.split('|').map((f) => f.trim());
    if (!name || !version || !where) continue;
    const suite = where.split(/\s+/)[1]!.split('/')[0]!;
    const versions = found.get(name) ?? new Map<string, string[]>();
    versions.set(version, [...(versions.get(version) ?? []), suite]);
    found.set(name, versions);
  }
  return new Map([...found].map(([name, versions]) => [name, [...versions].map(([version, suites]) => ({ version, suites }))]));
}

describeE2E('end-to-end: outdated against the mirror, refresh against a local snapshot service', prereq, (mirrors) => {
  let root: string;
  let key: SigningKey;
  let server: ArchiveServer;
  let mirrorApt: PrivateApt;
  let current: Line[];
  const timings: Record<string, number> = {};
  const timed = <T>(what: string, task: () => T): T => {
    const began = Date.now();
    try {
      return task();
    } finally {
      timings[what] = (timings[what] ?? 0) + Date.now() - began;
    }
  };
  const configA = () => `name: mkimage-e2e/outdated
distro: debian
suite: bookworm
mirror: ${mirrors.mirror}
securityMirror: ${mirrors.securityMirror}
expect: expected.manifest
`;

  beforeAll(async () => {
    root = makeTempRoot('outdated');
    key = makeSigningKey(join(root, 'key'));
    mirrorApt = new PrivateApt(join(root, 'apt-mirror'), [
      `deb [signed-by=${DEBIAN_KEYRING}] ${mirrors.mirror} bookworm main`,
      `deb [signed-by=${DEBIAN_KEYRING}] ${mirrors.mirror} bookworm-updates main`,
      `deb [signed-by=${DEBIAN_KEYRING}] ${mirrors.securityMirror} bookworm-security main`,
    ]);
    const update = timed('apt-get update (mirror)', () => mirrorApt.update());
    if (update.status !== 0) throw new Error(`apt-get update failed: ${update.stderr}`);
    // apt may keep its lists compressed (Acquire::GzipIndexes): apt-helper reads them either way.
    const main = readdirSync(join(mirrorApt.dir, 'state/lists')).find((f) => /_dists_bookworm_main_binary-amd64_Packages(\.\w+)?$/.test(f))!;
    const mainPackages = must('/usr/lib/apt/apt-helper', ['cat-file', join(mirrorApt.dir, 'state/lists', main)]);
    current = timed('apt manifest (mirror)', () => aptManifest(mirrorApt, minbaseRoots(mainPackages)));
    server = await serveArchive(join(root, 'www'), ['archive/debian']);

    // The snapshot service: bookworm at T1 and T2, the mirror's own index with one real
    // package indexed by apt-ftparchive, at T2 repacked as a newer version.
    timed('snapshot archive', () => {
      const { deb } = mirrorApt.download(BUMPED);
      if (!deb) throw new Error(`apt-get download ${BUMPED} failed`);
      const unpacked = join(root, 'repack');
      must('dpkg-deb', ['-R', deb, unpacked]);
      const control = readFileSync(join(unpacked, 'DEBIAN/control'), 'utf8');
      const version = /^Version: (.+)$/m.exec(control)![1]!;
      writeFileSync(join(unpacked, 'DEBIAN/control'), control.replace(/^Version: .+$/m, `Version: ${version}+e2e1`));
      const env = { PATH: SYSTEM_PATH, LC_ALL: 'C.UTF-8' };
      for (const [t, build] of [
        [T1, (pool: string) => must('cp', [deb, pool])],
        [T2, (pool: string) => must('dpkg-deb', ['--root-owner-group', '-b', unpacked, join(pool, `${BUMPED}_${version}+e2e1_amd64.deb`)], { env })],
      ] as const) {
        const tree = join(root, 'www/archive/debian', t);
        const pool = join(tree, 'pool/main/b', BUMPED);
        mkdirSync(pool, { recursive: true });
        build(pool);
        const own = must('apt-ftparchive', ['packages', 'pool'], { cwd: tree, env });
        // The mirror's index, cut to what the image needs (a small archive is quick to index and read).
        const needed = new Set(current.map((l) => l.name));
        const others = mainPackages.split(/\n\n+/).filter((p) => needed.has(/^Package: (\S+)/.exec(p)?.[1] ?? '') && !p.startsWith(`Package: ${BUMPED}\n`));
        writeSuite(join(root, 'www'), key, { tree: `archive/debian/${t}`, suite: 'bookworm', codename: 'bookworm', packages: { main: `${others.join('\n\n')}\n\n${own}` }, forms: ['gz'] });
      }
    });
  });

  afterAll(async () => {
    await server?.stop();
    key?.close();
    if (root) rmSync(root, { recursive: true, force: true });
    console.log(`e2e outdated: ${mirrors.origin}; timings ${Object.entries(timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}s`).join(', ')}`);
  });

  it('reports nothing for a current manifest, exactly the packages edited down, and exits 0 and 1', () => {
    const dir = join(root, 'a');
    mkdirSync(dir);
    writeFileSync(join(dir, 'debian.yaml'), configA());
    expect(cli(['generate', 'debian.yaml', '--out', 'out'], dir).status).toBe(0);
    writeFileSync(join(dir, 'out/debian/expected.manifest'), text(current));
    const same = timed('outdated (current)', () => cli(['outdated', 'debian.yaml', '--out', 'out'], dir));
    expect(same.stderr).toBe('');
    expect(same.stdout).toBe('debian (debian.yaml, amd64) against out/debian/expected.manifest: a rebuild now changes nothing\n');
    expect(same.status).toBe(0);

    // A few packages at an older version the mirror still has: security updates first.
    const versions = madison(mirrorApt, current.map((l) => l.name));
    const older = current
      .map((l) => ({ line: l, versions: versions.get(l.name) ?? [] }))
      .map(({ line, versions }) => ({ line, now: versions.find((v) => v.version === line.version)!, before: versions.find((v) => v.version !== line.version) }))
      .filter((c) => c.before !== undefined && c.now !== undefined)
      .sort((a, b) => Number(b.now.suites.includes('bookworm-security')) - Number(a.now.suites.includes('bookworm-security')))
      .slice(0, 3);
    expect(older.length, 'packages of the minbase image with an older version on the mirror').toBeGreaterThan(0);
    const edited = current.map((l) => {
      const o = older.find((c) => c.line.name === l.name);
      return o ? { ...l, version: o.before!.version } : l;
    });
    writeFileSync(join(dir, 'out/debian/expected.manifest'), text(edited));
    const r = timed('outdated (edited)', () => cli(['outdated', 'debian.yaml', '--out', 'out', '--json'], dir));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const suiteOf = (suites: string[]) => (suites.includes('bookworm-security') ? 'bookworm-security' : ['bookworm', 'bookworm-updates'].find((s) => suites.includes(s)));
    const expected = older
      .map((c) => ({
        kind: 'upgrade',
        name: c.line.name,
        arch: c.line.arch,
        from: c.before!.version,
        to: c.line.version,
        suite: suiteOf(c.now.suites),
        security: c.now.suites.includes('bookworm-security'),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const report = JSON.parse(r.stdout) as { changed: boolean; images: { changes: unknown[]; problems: string[] }[] };
    expect(report.changed).toBe(true);
    expect(report.images[0]!.problems).toEqual([]);
    expect(report.images[0]!.changes).toEqual(expected);
    console.log(`e2e outdated: edited down ${older.map((c) => `${c.line.name} ${c.line.version} -> ${c.before!.version}`).join(', ')}`);
  });

  const pinned = () => `# The base image, pinned to a snapshot: mkimage-gen refresh moves it.
name: mkimage-e2e/pinned   # the image

distro: debian
suite: bookworm
mirror: ${mirrors.mirror}   # what the image's own apt reads
apt:
  updates: false   # this snapshot service has bookworm only
  security: false
# Moved forward by refresh; reviewed in its pull request.
snapshot: ${T1}    # the pin
snapshotMirror: ${server.url}   # the test's snapshot service
expect: expected.manifest   # the packages, line by line
`;

  it('refresh moves the pin to the newer snapshot, keeps every comment, rewrites the manifest and regenerates; a second refresh changes nothing', () => {
    const dir = join(root, 'b');
    mkdirSync(dir);
    writeFileSync(join(dir, 'debian.yaml'), pinned());
    writeFileSync(join(dir, 'mkimage-gen.yaml'), 'configs: [debian.yaml]\nout: images\n');
    expect(cli(['generate'], dir).status).toBe(0);
    // The image of T1, as apt resolves it from the snapshot service.
    const snapApt = new PrivateApt(join(root, 'apt-snapshot'), [`deb [signed-by=${key.armored}] ${server.url}/archive/debian/${T1} bookworm main`]);
    const update = timed('apt-get update (snapshot)', () => snapApt.update());
    expect(update.status, update.stderr).toBe(0);
    const t1Packages = readFileSync(join(root, 'www/archive/debian', T1, 'dists/bookworm/main/binary-amd64/Packages'), 'utf8');
    const atT1 = aptManifest(snapApt, minbaseRoots(t1Packages));
    writeFileSync(join(dir, 'images/debian/expected.manifest'), text(atT1));
    const bumped = atT1.find((l) => l.name === BUMPED)!;

    const r = timed('refresh', () => cli(['refresh', '--keyring', key.binary], dir));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'debian.yaml'), 'utf8')).toBe(pinned().replace(`snapshot: ${T1}`, `snapshot: ${T2}`));
    expect(r.stdout).toContain(`| debian.yaml | ${T1} → ${T2} |`);
    expect(r.stdout).toContain(`| updated | \`${BUMPED}\` | ${bumped.version} | ${bumped.version}+e2e1 | bookworm |`);
    expect(r.stdout.match(/^\| (updated|added|removed|downgraded) /gm)).toHaveLength(1);
    expect(readFileSync(join(dir, 'images/debian/expected.manifest'), 'utf8')).toBe(
      text(atT1.map((l) => (l.name === BUMPED ? { ...l, version: `${l.version}+e2e1`, sourceVersion: `${l.version}+e2e1` } : l))),
    );
    expect(readFileSync(join(dir, 'images/debian/mkimage.sh'), 'utf8')).toContain(`${server.url}/archive/debian/${T2}`);
    expect(cli(['check'], dir).status).toBe(0);

    const tree = hashTree(dir);
    const again = timed('refresh (again)', () => cli(['refresh', '--keyring', key.binary], dir));
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(`debian.yaml stays at ${T2}: no newer snapshot\n`);
    expect(hashTree(dir)).toEqual(tree);
  });

  it('exits 2 naming an unreachable mirror, a bad signature or a corrupt index, and writes nothing', () => {
    const dir = join(root, 'b');
    const tree = hashTree(dir);
    const www = join(root, 'www');
    const t2 = readFileSync(join(www, 'archive/debian', T2, 'dists/bookworm/main/binary-amd64/Packages'), 'utf8');
    const check = (args: string[], message: RegExp) => {
      const r = cli(args, dir);
      expect(r.stderr).toMatch(message);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(hashTree(dir)).toEqual(tree);
    };

    const dist = writeSuite(www, key, { tree: `archive/debian/${T3}`, suite: 'bookworm', packages: { main: t2 }, forms: ['gz'] });
    writeFileSync(join(dist, 'InRelease'), readFileSync(join(dist, 'InRelease'), 'utf8').replace('Suite: bookworm', 'Suite: bookwork'));
    check(['refresh', '--keyring', key.binary], new RegExp(`bad signature on ${server.url}/archive/debian/${T3}/dists/bookworm/InRelease: .*BADSIG`));

    writeSuite(www, key, { tree: `archive/debian/${T3}`, suite: 'bookworm', packages: { main: t2 }, forms: ['gz'] });
    writeFileSync(join(dist, 'main/binary-amd64/Packages.gz'), 'not the index the Release file lists');
    check(['refresh', '--keyring', key.binary], new RegExp(`corrupt index ${server.url}/archive/debian/${T3}/dists/bookworm/main/binary-amd64/Packages\\.gz: `));
    rmSync(join(www, 'archive/debian', T3), { recursive: true });

    check(['outdated', '--keyring', key.binary, '--set', 'snapshotMirror=http://127.0.0.1:1'], /cannot reach http:\/\/127\.0\.0\.1:1\/archive\/debian\/20250301T060000Z\/dists\/bookworm\/InRelease: connection refused/);
    const a = join(root, 'a');
    const r = cli(['outdated', 'debian.yaml', '--out', 'out', '--set', 'mirror=http://127.0.0.1:1/debian'], a);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('cannot reach http://127.0.0.1:1/debian/dists/bookworm');
    expect(r.stdout).toBe('');
    // The host's own keyring does not trust the test's snapshot service.
    check(['outdated'], new RegExp(`bad signature on ${server.url}/archive/debian/${T2}/dists/bookworm/InRelease: not signed by a trusted key`));
  });
});
