// The records a build writes beside its tarball, made by the generated script's own
// bash functions: run here under bash on a made-up package list, with hostile values
// where a real dpkg or config could put them.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planImage, renderImage } from '../src/generate.js';
import { manifestChanges, parseManifest } from '../src/manifest.js';
import { validateSettings } from '../src/model/index.js';
import { cli } from './helpers/cli.js';
import { cycloneDxErrors, spdxProblems } from './helpers/sbom.js';
import { DEBIAN } from './helpers/settings.js';

const work = mkdtempSync(join(tmpdir(), 'mkimage-gen-records-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const settings = validateSettings({ ...DEBIAN, expect: 'expected.manifest', output: { compression: 'gzip', import: 'podman' } }, 't');
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

/** A build's work dir and output dir, as the steps before records leave them. */
function fakeBuild(name: string, packages: string): { out: string; state: string } {
  const dir = join(work, name);
  const state = join(dir, 'state');
  const out = join(dir, 'out');
  mkdirSync(state, { recursive: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(state, 'packages'), packages);
  writeFileSync(join(state, 'release-files'), 'http://mirror.example/debian/dists/bookworm/Release\tSat, 01 Jun 2024 10:00:00 UTC\t' + 'a'.repeat(64) + '\n');
  writeFileSync(join(out, '.partial-rootfs.tar.gz'), 'tarball bytes');
  return { out, state };
}

function records(build: { out: string; state: string }, expectFile = '') {
  return bash(
    // dpkg-query on the image's database (--admindir) prints the made-up list instead.
    `export SOURCE_DATE_EPOCH=1717236000; WORK_DIR=$2; select_arch amd64
     dpkg-query() { if [[ $1 == --admindir=* ]]; then cat "$WORK_DIR/packages"; else command dpkg-query "$@"; fi; }
     OUTPUT_DIR=$1 EXPECT_FILE=$3 TMP_TARBALL=$1/.partial-rootfs.tar.gz RELEASE_EPOCH=1717236000 RELEASE_VERSION=12.5
     PARTIALS=("$TMP_TARBALL"); records && publish_outputs`,
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
    expect(purl('needs-awk')).toBe('pkg:deb/debian/needs-awk@1%3A2.0~rc1?arch=all&distro=debian-12');
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
    expect(doc.relationships.filter((r: { relationshipType: string }) => r.relationshipType === 'DEPENDS_ON').length).toBe(6);
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
    expect(statement.predicate.buildDefinition.resolvedDependencies[1].uri).toBe('http://mirror.example/debian/dists/bookworm/Release');
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
