// The records a build writes beside its tarball, made by the generated script's own
// bash functions: run here under bash on a made-up package list, with hostile values
// where a real dpkg or config could put them.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planImage, renderImage } from '../src/generate.js';
import { manifestChanges, parseManifest } from '../src/manifest.js';
import { validateSettings } from '../src/model/index.js';
import { cli } from './helpers/cli.js';
import { ROOT } from './helpers/presets.js';
import { cycloneDxErrors, parsePurl, purlProblems, spdxProblems, SPDX_PACKAGE_PURPOSES } from './helpers/sbom.js';
import { DEBIAN } from './helpers/settings.js';

const work = mkdtempSync(join(tmpdir(), 'mkimage-gen-records-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A company repository, whose package's purl must name it. */
const COMPANY = { name: 'company', url: 'http://apt.example.com/debian', suites: ['bookworm'], key: 'apt-key.asc', packages: ['company-tools'] };
const key = readFileSync(join(ROOT, 'src/presets/files/company/apt-key.asc')).toString('base64');
const settings = validateSettings(
  { ...DEBIAN, expect: 'expected.manifest', output: { compression: 'gzip', import: 'podman' }, repositories: [COMPANY], embedded: { 'apt-key.asc': key } },
  't',
);
const script = renderImage(planImage({ id: 't', settings, origin: { generatedFrom: 'test', regenerate: 'test' } })).find(
  (f) => f.path === 'mkimage.sh',
)!.content;
/** The script without its last line (`main "$@"`): its settings and functions, to source. */
const library = join(work, 'lib.sh');
writeFileSync(library, script.slice(0, script.lastIndexOf('main "$@"')));

function bash(body: string, ...args: string[]) {
  return spawnSync('bash', ['-c', `source ${library}\n${body}`, 'test', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } });
}

const HOSTILE = ['plain', 'quote " and \\ backslash', 'new\nline\ttab\rreturn', '\x01\x02\x1b[31m\x7f', "$(touch /tmp/x) `id` ${HOME} ' ;", 'ünïcødé ✓', ''];

describe('json_string', () => {
  it.each(HOSTILE.map((v) => [JSON.stringify(v), v]))('turns %s into a JSON string that parses back to it', (_shown, value) => {
    const run = bash('json_string out "$1"; printf %s "$out"', value);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toBe(value);
  });
});

/** The Release files release_date checked: the distro's and the company repository's. */
const RELEASES = [
  ['http://mirror.example/debian/dists/bookworm/InRelease', 'Sat, 01 Jun 2024 10:00:00 UTC', 'a'.repeat(64)],
  ['http://apt.example.com/debian/dists/bookworm/InRelease', 'Sun, 02 Jun 2024 08:00:00 UTC', 'b'.repeat(64)],
];

/**
 * A build's work dir and output dir, as the steps before records leave them: the Release
 * files checked and found read by the build, the company repository's index.
 */
function fakeBuild(name: string, packages: string, read = RELEASES.map(([url]) => url!)): { out: string; state: string } {
  const dir = join(work, name);
  const state = join(dir, 'state');
  const out = join(dir, 'out');
  mkdirSync(state, { recursive: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(state, 'packages'), packages);
  writeFileSync(join(state, 'release-files'), RELEASES.map((row) => `${row.join('\t')}\tnames\n`).join(''));
  writeFileSync(join(state, 'release-read-amd64'), read.map((url) => `${url}\n`).join(''));
  writeFileSync(join(state, 'repository-packages-amd64'), 'company-tools\t2.0-1\tall\t0\n');
  writeFileSync(join(out, '.partial-rootfs.tar.gz'), 'tarball bytes');
  return { out, state };
}

function records(build: { out: string; state: string }, expectFile = '') {
  return bash(
    // dpkg-query on the image's database (--admindir) prints the made-up list instead.
    `set -e; export SOURCE_DATE_EPOCH=1717236000; WORK_DIR=$2 BUILD_TMP=$2; select_arch amd64
     dpkg-query() { if [[ $1 == --admindir=* ]]; then cat "$WORK_DIR/packages"; else command dpkg-query "$@"; fi; }
     OUTPUT_DIR=$1 EXPECT_FILE=$3 TMP_TARBALL=$1/.partial-rootfs.tar.gz RELEASE_EPOCH=1717236000 RELEASE_VERSION=12.5
     PARTIALS=("$TMP_TARBALL"); records; publish_outputs`,
    build.out,
    build.state,
    expectFile,
  );
}

const PACKAGES = [
  'libc6;2.36-9+deb12u7;amd64;glibc;install ok installed;;;libgcc-s1',
  'base-files;12.4+deb12u6;amd64;;install ok installed;;;',
  'libgcc-s1;12.2.0-14;amd64;gcc-12 (12.2.0-14);install ok installed;;libc6 (>= 2.35);gcc-12-base (= 12.2.0-14)',
  'gcc-12-base;12.2.0-14;amd64;gcc-12;install ok installed;;;',
  'mawk;1.3.4.20200120-3.1;amd64;;install ok installed;awk;libc6 (>= 2.34);',
  'removed;1.0;amd64;;deinstall ok config-files;;;',
  'needs-awk;1:2.0~rc1;all;weird "source" (1:2.0~rc1);install ok installed;;;gawk | awk, libc6:any',
  'company-tools;2.0-1;all;;install ok installed;;;libc6',
].join('\n');

describe('records', () => {
  const first = fakeBuild('first', `${PACKAGES}\n`);
  const run = records(first);
  const read = (name: string) => readFileSync(join(first.out, name), 'utf8');

  it('writes the manifest, SBOMs, build record and provenance, listed in the checksum file', () => {
    expect(run.status, run.stderr).toBe(0);
    const sums = read('rootfs.tar.gz.sha256');
    expect(sums.split('\n').map((l) => l.split('  ')[1])).toEqual([
      'rootfs.tar.gz',
      'rootfs.manifest',
      'rootfs.spdx.json',
      'rootfs.cdx.json',
      'rootfs.build.json',
      'rootfs.provenance.json',
      undefined,
    ]);
    const check = spawnSync('sha256sum', ['-c', 'rootfs.tar.gz.sha256'], { cwd: first.out, encoding: 'utf8' });
    expect(check.status, check.stdout).toBe(0);
  });

  it('lists installed packages only, sorted, with their source package and version', () => {
    const parsed = parseManifest(read('rootfs.manifest'));
    expect('lines' in parsed && parsed.lines.map((l) => `${l.name} ${l.source} ${l.sourceVersion}`)).toEqual([
      'base-files base-files 12.4+deb12u6',
      'company-tools company-tools 2.0-1',
      'gcc-12-base gcc-12 12.2.0-14',
      'libc6 glibc 2.36-9+deb12u7',
      'libgcc-s1 gcc-12 12.2.0-14',
      'mawk mawk 1.3.4.20200120-3.1',
      'needs-awk weird 1:2.0~rc1',
    ]);
  });

  it('writes a CycloneDX 1.6 SBOM the official schema accepts, with purls and dependencies', async () => {
    const bom = read('rootfs.cdx.json');
    expect(await cycloneDxErrors(bom)).toBeNull();
    const parsed = JSON.parse(bom);
    const purl = (name: string) => parsed.components.find((c: { name: string }) => c.name === name).purl;
    // The purl spec: the epoch's colon is never percent-encoded, '+' is.
    expect(purl('needs-awk')).toBe('pkg:deb/debian/needs-awk@1:2.0~rc1?arch=all&distro=debian-12');
    expect(purl('libc6')).toBe('pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12');
    const deps = (name: string) => parsed.dependencies.find((d: { ref: string }) => d.ref === purl(name)).dependsOn;
    // awk is provided by mawk; libc6:any is libc6.
    expect(deps('needs-awk')).toEqual([purl('libc6'), purl('mawk')]);
    expect(deps('libgcc-s1')).toEqual([purl('gcc-12-base'), purl('libc6')]);
  });

  it('writes an SPDX 2.3 document whose relationships name its own packages', () => {
    const doc = JSON.parse(read('rootfs.spdx.json'));
    expect(spdxProblems(doc)).toEqual([]);
    const ids = new Set(doc.packages.map((p: { SPDXID: string }) => p.SPDXID));
    for (const id of ids) expect(id).toMatch(/^SPDXRef-[a-zA-Z0-9.-]+$/);
    for (const rel of doc.relationships) {
      expect(ids.has(rel.relatedSpdxElement), rel.relatedSpdxElement).toBe(true);
    }
    expect(doc.relationships.filter((r: { relationshipType: string }) => r.relationshipType === 'DEPENDS_ON').length).toBe(7);
    // 7.24: the image is an operating system, in the JSON schema's spelling.
    expect(doc.packages[0].primaryPackagePurpose).toBe('OPERATING_SYSTEM');
  });

  it('writes a build record and an in-toto statement tied to the tarball by sha256', () => {
    const record = JSON.parse(read('rootfs.build.json'));
    const statement = JSON.parse(read('rootfs.provenance.json'));
    const sha = read('rootfs.tar.gz.sha256').split(' ')[0];
    expect(record.tarball).toEqual({ name: 'rootfs.tar.gz', sha256: sha, size: 13 });
    expect(record.tags).toEqual(['local/test:bookworm', 'local/test:12.5', 'local/test:12', 'local/test:bookworm-20240601']);
    expect(record.config.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(statement._type).toBe('https://in-toto.io/Statement/v1');
    expect(statement.predicateType).toBe('https://slsa.dev/provenance/v1');
    expect(statement.subject[0]).toEqual({ name: 'rootfs.tar.gz', digest: { sha256: sha } });
    // The script's sha256: here, the file the functions came from.
    expect(record.script).toEqual({ name: 'mkimage.sh', sha256: createHash('sha256').update(readFileSync(library)).digest('hex') });
    // The script that ran, and every Release file the build read, the company repository's too.
    const deps = statement.predicate.buildDefinition.resolvedDependencies;
    expect(deps[0]).toEqual({ name: 'test', digest: { sha256: record.config.sha256 } });
    expect(deps[1]).toEqual({ name: 'mkimage.sh', digest: { sha256: record.script.sha256 } });
    expect(deps.slice(2)).toEqual(RELEASES.map(([uri, date, sha256]) => ({ uri, digest: { sha256 }, annotations: { date } })));
    expect(record.releaseFiles).toEqual(RELEASES.map(([url, date, sha256]) => ({ url, date, sha256 })));
    expect(record.mirrors).toContain('http://apt.example.com/debian');
    expect(record.repositories).toEqual([{ name: 'company', url: 'http://apt.example.com/debian' }]);
    // The options that change the image, in both.
    expect(record.options).toEqual({ mode: 'root', undoTweaks: false });
    expect(statement.predicate.buildDefinition.externalParameters.options).toEqual({ mode: 'root', undoTweaks: false });
    // The host tools: what bootstraps, packs and compresses, apt and dpkg, gpgv and the keyring: one lookup.
    expect(record.hostTools.map((t: { package: string }) => t.package)).toEqual(['debootstrap', 'tar', 'gzip', 'apt', 'dpkg', 'gpgv', 'debian-archive-keyring']);
    expect(statement.predicate.buildDefinition.internalParameters.hostTools).toEqual(record.hostTools);
  });

  it('names only Release files the build was found to read: one it did not read stops the records', () => {
    const unread = records(fakeBuild('unread', `${PACKAGES}\n`, [RELEASES[0]![0]!]));
    expect(unread.status).not.toBe(0);
    expect(unread.stderr).toContain(`did not read ${RELEASES[1]![0]} where apt keeps it`);
  });

  it("gives a company repository's package a purl that names the repository, never the distro", () => {
    const bom = JSON.parse(read('rootfs.cdx.json'));
    const purl = bom.components.find((c: { name: string }) => c.name === 'company-tools').purl;
    expect(purl).toBe('pkg:deb/company/company-tools@2.0-1?arch=all&repository_url=http:%2F%2Fapt.example.com%2Fdebian');
    expect(parsePurl(purl)).toEqual({
      type: 'deb',
      namespace: 'company',
      name: 'company-tools',
      version: '2.0-1',
      qualifiers: { arch: 'all', repository_url: 'http://apt.example.com/debian' },
    });
  });

  it('writes purls the purl spec accepts: every one canonical, and each decodes to its package', () => {
    const bom = JSON.parse(read('rootfs.cdx.json'));
    for (const c of bom.components as { name: string; version: string; purl: string }[]) {
      expect(purlProblems(c.purl), c.purl).toEqual([]);
      expect(parsePurl(c.purl)).toMatchObject({ name: c.name, version: c.version });
    }
    expect(purlProblems('pkg:deb/debian/attr@1%3A2.4.47-2?arch=amd64'), 'the check can fail').not.toEqual([]);
  });

  it('gives the same bytes for the same packages, listed in another order', () => {
    const second = fakeBuild('second', `${PACKAGES.split('\n').reverse().join('\n')}\n`);
    expect(records(second).status).toBe(0);
    for (const name of ['rootfs.manifest', 'rootfs.spdx.json', 'rootfs.cdx.json', 'rootfs.build.json', 'rootfs.provenance.json']) {
      expect(readFileSync(join(second.out, name), 'utf8'), name).toBe(read(name));
    }
  });

  it('fails the drift check before publishing, printing the difference, and passes a matching manifest', () => {
    const expected = join(work, 'expected.manifest');
    writeFileSync(expected, read('rootfs.manifest').replace('12.2.0-14\tamd64\tgcc-12\t', '12.2.0-13\tamd64\tgcc-12\t'));
    const drifted = fakeBuild('drifted', `${PACKAGES}\n`);
    const failed = records(drifted, expected);
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toContain('-gcc-12-base\t12.2.0-13');
    expect(failed.stderr).toContain('+gcc-12-base\t12.2.0-14');
    expect(spawnSync('ls', ['-A', drifted.out], { encoding: 'utf8' }).stdout).not.toContain('rootfs.manifest');
    writeFileSync(expected, read('rootfs.manifest'));
    expect(records(fakeBuild('matching', `${PACKAGES}\n`), expected).status).toBe(0);
  });
});

describe("package URLs: the purl spec's own deb test cases, built by the script's make_purl", () => {
  // The "build" cases of the purl spec's tests/types/deb-test.json: components in, canonical purl out.
  const cases: [string[], string][] = [
    [['debian', 'curl', '7.50.3-1', 'arch', 'i386', 'distro', 'jessie'], 'pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie'],
    [['debian', 'dpkg', '1.19.0.4', 'arch', 'amd64', 'distro', 'stretch'], 'pkg:deb/debian/dpkg@1.19.0.4?arch=amd64&distro=stretch'],
    [['ubuntu', 'dpkg', '1.19.0.4', 'arch', 'amd64'], 'pkg:deb/ubuntu/dpkg@1.19.0.4?arch=amd64'],
    [['debian', 'attr', '1:2.4.47-2', 'arch', 'source'], 'pkg:deb/debian/attr@1:2.4.47-2?arch=source'],
    [['debian', 'attr', '1:2.4.47-2+b1', 'arch', 'amd64'], 'pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64'],
  ];
  it.each(cases.map(([parts, purl]) => [purl, parts] as const))('%s', (purl, parts) => {
    const run = bash('make_purl out "$@"; printf %s "$out"', ...parts);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(purl);
    // and the spec's "parse" cases: the same components come back.
    const [namespace, name, version, ...qualifiers] = parts;
    const pairs = Object.fromEntries(qualifiers.flatMap((_, i) => (i % 2 === 0 ? [[qualifiers[i], qualifiers[i + 1]]] : [])));
    expect(parsePurl(purl)).toEqual({ type: 'deb', namespace, name, version, qualifiers: pairs });
    expect(purlProblems(purl)).toEqual([]);
  });

  it('encodes every byte outside the allowed set, and never the colon', () => {
    const run = bash('make_purl out vendor "a b/c?d" "1:2+3%4@5" repository_url "http://h:8/p?q=1&r"; printf %s "$out"');
    expect(run.stdout).toBe('pkg:deb/vendor/a%20b%2Fc%3Fd@1:2%2B3%254%405?repository_url=http:%2F%2Fh:8%2Fp%3Fq%3D1%26r');
    expect(parsePurl(run.stdout)?.version).toBe('1:2+3%4@5');
  });
});

describe('the SPDX check itself (SPDX 2.3 and its JSON schema)', () => {
  const minimal = () => ({
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: 'x',
    documentNamespace: 'urn:uuid:1',
    creationInfo: { created: '2024-06-01T10:00:00Z', creators: ['Tool: t'] },
    packages: [{ SPDXID: 'SPDXRef-P', name: 'p', downloadLocation: 'NOASSERTION', primaryPackagePurpose: 'OPERATING_SYSTEM' }],
    relationships: [],
  });

  it('accepts a minimal valid document', () => {
    expect(spdxProblems(minimal())).toEqual([]);
    expect(SPDX_PACKAGE_PURPOSES).toContain('OPERATING_SYSTEM');
  });

  it.each([
    ['7.24: OPERATING-SYSTEM, the tag-value spelling', (d: any) => (d.packages[0].primaryPackagePurpose = 'OPERATING-SYSTEM'), '7.24'],
    ['6.1: another version', (d: any) => (d.spdxVersion = 'SPDX-2.2'), '6.1'],
    ['7.7: no download location', (d: any) => delete d.packages[0].downloadLocation, '7.7'],
    ['a member the schema does not allow', (d: any) => (d.packages[0].purpose = 'x'), 'allows no member purpose'],
    ['11.1: a relationship to nothing', (d: any) => d.relationships.push({ spdxElementId: 'SPDXRef-P', relationshipType: 'DEPENDS_ON', relatedSpdxElement: 'SPDXRef-Q' }), '11.1'],
  ])('refuses %s', (_what, change, clause) => {
    const doc = minimal();
    change(doc);
    expect(spdxProblems(doc).join('\n')).toContain(clause);
  });
});

describe('refresh-manifest', () => {
  it('says what changed between two manifests', () => {
    const a = parseManifest('a\t1\tamd64\ta\t1\nb\t1\tamd64\tb\t1\n');
    const b = parseManifest('a\t2\tamd64\ta\t2\nc\t1\tall\tc\t1\n');
    if (!('lines' in a) || !('lines' in b)) throw new Error('both parse');
    expect(manifestChanges(a.lines, b.lines)).toEqual(['~ a:amd64 1 -> 2', '- b:amd64 1', '+ c:all 1']);
  });

  it('takes a build manifest checked against its checksum file, and lists what changed', () => {
    const build = fakeBuild('refresh', `${PACKAGES}\n`);
    expect(records(build).status).toBe(0);
    const expected = join(work, 'refreshed.manifest');
    writeFileSync(expected, 'libc6\t2.36-9+deb12u6\tamd64\tglibc\t2.36-9+deb12u6\nold\t1\tall\told\t1\n');
    const run = cli(['refresh-manifest', join(build.out, 'rootfs.manifest'), expected]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('~ libc6:amd64 2.36-9+deb12u6 -> 2.36-9+deb12u7');
    expect(run.stdout).toContain('- old:all 1');
    expect(readFileSync(expected, 'utf8')).toBe(readFileSync(join(build.out, 'rootfs.manifest'), 'utf8'));
    // A manifest edited after the build no longer matches its checksum: refused, nothing written.
    writeFileSync(join(build.out, 'rootfs.manifest'), 'tampered\t1\tall\ttampered\t1\n');
    const refused = cli(['refresh-manifest', join(build.out, 'rootfs.manifest'), expected]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('does not match its checksum');
    expect(readFileSync(expected, 'utf8')).not.toContain('tampered');
  });

  it('refuses what is not a manifest', () => {
    expect(parseManifest('a 1 amd64\n')).toHaveProperty('problem');
    expect(parseManifest('a\t1\tamd64\ta\t1')).toHaveProperty('problem');
  });
});
