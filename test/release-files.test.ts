// The Release files a build's records name are the ones it read and checked. The
// script fetches them before the build and checks each with gpgv against the keyring
// the build trusts it with (verify_release); while the build runs it compares them with
// what apt and debootstrap keep in the rootfs (check_apt_lists), so a mirror that synced
// in between stops the build instead of leaving records that name a file it did not
// read. These run the script's own functions on made-up archives signed with a
// throwaway key; the end-to-end tests run them on real builds.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planImage, renderImage } from '../src/generate.js';
import { validateSettings } from '../src/model/index.js';
import { aptListName, debootstrapListName } from '../src/plan/apt-lists.js';
import { ROOT } from './helpers/presets.js';
import { DEBIAN } from './helpers/settings.js';

const work = mkdtempSync(join(tmpdir(), 'mkimage-gen-release-files-'));
const gnupg = join(work, 'gnupg');
const gpg = (...args: string[]) => spawnSync('gpg', ['--homedir', gnupg, '--batch', '--no-tty', ...args], { encoding: 'utf8' });
afterAll(() => {
  spawnSync('gpgconf', ['--homedir', gnupg, '--kill', 'all']);
  rmSync(work, { recursive: true, force: true });
});

const REPO = 'http://apt.example.com/deb~x_y';
const key = readFileSync(join(ROOT, 'src/presets/files/company/apt-key.asc')).toString('base64');
const settings = validateSettings(
  {
    ...DEBIAN,
    repositories: [{ name: 'company', url: REPO, suites: ['bookworm'], key: 'k.asc', packages: ['company-tools'] }],
    embedded: { 'k.asc': key },
  },
  't',
);
const script = renderImage(planImage({ id: 't', settings, origin: { generatedFrom: 'test', regenerate: 'test' } })).find((f) => f.path === 'mkimage.sh')!.content;
const library = join(work, 'lib.sh');
writeFileSync(library, script.slice(0, script.lastIndexOf('main "$@"')));
writeFileSync(join(work, 'dry.sh'), script);

function bash(body: string, ...args: string[]) {
  return spawnSync('bash', ['-c', `source ${library}\ntrap - EXIT\nset -e\nDRY_RUN=0 WORK_DIR=${work} BUILD_TMP=${work}/tmp ARCH=amd64\n${body}`, 'test', ...args], {
    encoding: 'utf8',
    input: '',
    env: { PATH: process.env.PATH },
  });
}

const RELEASE = 'Origin: test\nSuite: bookworm\nDate: Sat, 01 Jun 2024 10:00:00 UTC\n';
let keyring = '';
let other = '';

beforeAll(() => {
  mkdirSync(gnupg, { mode: 0o700 });
  for (const uid of ['archive <a@example.com>', 'someone else <b@example.com>']) {
    expect(gpg('--passphrase', '', '--quick-gen-key', uid, 'ed25519', 'sign', '1d').status).toBe(0);
  }
  keyring = join(work, 'archive.gpg');
  other = join(work, 'other.gpg');
  writeFileSync(keyring, spawnSync('gpg', ['--homedir', gnupg, '--export', 'archive'], { encoding: 'buffer' }).stdout);
  writeFileSync(other, spawnSync('gpg', ['--homedir', gnupg, '--export', 'someone else'], { encoding: 'buffer' }).stdout);
  writeFileSync(join(work, 'Release'), RELEASE);
  expect(gpg('--local-user', 'archive', '--clearsign', '--output', join(work, 'InRelease'), join(work, 'Release')).status).toBe(0);
  expect(gpg('--local-user', 'archive', '--armor', '--detach-sign', '--output', join(work, 'Release.gpg'), join(work, 'Release')).status).toBe(0);
}, 60_000);

describe('verify_release: each Release file is checked with gpgv before the build reads it', () => {
  it('takes an InRelease signed by a key of the keyring, and keeps its signed text', () => {
    copyFileSync(join(work, 'InRelease'), join(work, 'InRelease-0'));
    const run = bash('verify_release "$1" "$2" "$3"', 'http://m/dists/bookworm/InRelease', join(work, 'InRelease-0'), keyring);
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(join(work, 'InRelease-0.signed'), 'utf8')).toBe(RELEASE);
  });

  it('takes a Release with its detached Release.gpg', () => {
    copyFileSync(join(work, 'Release'), join(work, 'Release-1'));
    copyFileSync(join(work, 'Release.gpg'), join(work, 'Release-1.gpg'));
    const run = bash('verify_release "$1" "$2" "$3"', 'http://m/dists/bookworm/Release', join(work, 'Release-1'), keyring);
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(join(work, 'Release-1.signed'), 'utf8')).toBe(RELEASE);
  });

  it('refuses one signed by a key the build does not trust, and one changed after it was signed', () => {
    copyFileSync(join(work, 'InRelease'), join(work, 'InRelease-2'));
    const untrusted = bash('verify_release "$1" "$2" "$3"', 'http://m/dists/bookworm/InRelease', join(work, 'InRelease-2'), other);
    expect(untrusted.status).not.toBe(0);
    expect(untrusted.stderr).toContain('http://m/dists/bookworm/InRelease: no good signature by a key of');
    writeFileSync(join(work, 'InRelease-3'), readFileSync(join(work, 'InRelease'), 'utf8').replace('2024', '2025'));
    const changed = bash('verify_release "$1" "$2" "$3"', 'http://m/dists/bookworm/InRelease', join(work, 'InRelease-3'), keyring);
    expect(changed.status).not.toBe(0);
    expect(changed.stderr).toContain('no good signature');
  });
});

describe('check_apt_lists: the build must read the very files that were checked', () => {
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  const inRelease = () => readFileSync(join(work, 'InRelease'), 'utf8');
  const distro = 'http://mirror.example/debian/dists/bookworm';
  const repo = `${REPO}/dists/bookworm`;
  /** release_date's table: URL, Date, sha256, the names apt and debootstrap keep the file under. */
  function table() {
    mkdirSync(join(work, 'tmp'), { recursive: true });
    const row = (dist: string) =>
      [`${dist}/InRelease`, 'Sat, 01 Jun 2024 10:00:00 UTC', sha(inRelease()), [...new Set([aptListName(`${dist}/`), debootstrapListName(`${dist}/`)])].map((n) => `${n}InRelease`).join(' ')].join('\t');
    writeFileSync(join(work, 'tmp/release-files'), `${row(distro)}\n${row(repo)}\n`);
    rmSync(join(work, 'tmp/release-read-amd64'), { force: true });
  }
  function rootfs(name: string): string {
    const dir = join(work, name);
    mkdirSync(join(dir, 'var/lib/apt/lists'), { recursive: true });
    return dir;
  }

  it("notes each Release file found unchanged where apt keeps it, under apt's name or debootstrap's", () => {
    table();
    const dir = rootfs('same');
    // apt percent-encodes ~ and _ in the repository's URL; debootstrap does not.
    expect(aptListName(`${repo}/`)).toBe('apt.example.com_deb%7ex%5fy_dists_bookworm_');
    writeFileSync(join(dir, 'var/lib/apt/lists', `${aptListName(`${repo}/`)}InRelease`), inRelease());
    writeFileSync(join(dir, 'var/lib/apt/lists', `${debootstrapListName(`${distro}/`)}InRelease`), inRelease());
    const run = bash(`ROOTFS=$1; check_apt_lists`, dir);
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(join(work, 'tmp/release-read-amd64'), 'utf8')).toBe(`${distro}/InRelease\n${repo}/InRelease\n`);
  });

  it('stops the build when apt holds another file under that name: the archive changed meanwhile', () => {
    table();
    const dir = rootfs('changed');
    writeFileSync(join(dir, 'var/lib/apt/lists', `${aptListName(`${distro}/`)}InRelease`), inRelease().replace('Origin: test', 'Origin: newer'));
    const run = bash(`ROOTFS=$1; check_apt_lists`, dir);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`the build read another ${distro}/InRelease`);
    expect(run.stderr).toContain('the archive changed meanwhile; run again');
  });

  it("notes the packages the extra repository's index lists, from a gzipped list as apt keeps it", () => {
    table();
    const dir = rootfs('packages');
    const index = 'Package: company-tools\nVersion: 2.0-1\nArchitecture: all\n\nPackage: company-lib\nVersion: 1:1.0\nArchitecture: amd64\n';
    writeFileSync(join(dir, 'var/lib/apt/lists', `${aptListName(`${repo}/`)}main_binary-amd64_Packages.gz`), gzipSync(index));
    const run = bash(`ROOTFS=$1; check_apt_lists`, dir);
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(join(work, 'tmp/repository-packages-amd64'), 'utf8')).toBe('company-lib\t1:1.0\tamd64\t0\ncompany-tools\t2.0-1\tall\t0\n');
  });
});

describe('the plan: every archive the build reads is among its inputs', () => {
  const plan = planImage({ id: 't', settings, origin: { generatedFrom: 'test', regenerate: 'test' } });
  const array = (name: string) => plan.script.arrays.find((a) => a.name === name)!.values;

  it("fetches and checks the extra repository's Release file with the repository's own key, and lists its mirror", () => {
    const dists = array('RELEASE_DISTS');
    expect(dists).toContain(`${REPO}/dists/bookworm`);
    expect(array('RELEASE_KEYRINGS')[dists.indexOf(`${REPO}/dists/bookworm`)]).toBe('company');
    expect(array('RELEASE_KEYRINGS')[dists.indexOf('http://mirror.example/debian/dists/bookworm')]).toBe('');
    expect(array('ARCHIVES')).toContain(REPO);
    const reads = plan.script.maps.find((m) => m.name === 'ARCH_RELEASES')!.entries;
    expect(reads).toEqual([{ key: 'amd64', value: dists.join(' ') }]);
    // The dry run shows it: fetched, then gpgv with the repository's key in binary form.
    expect(script).toContain(`${REPO}/dists/bookworm`);
    const dry = spawnSync('bash', ['-c', `cd ${work} && bash ${join(work, 'dry.sh')} --dry-run --work-dir /W --output-dir /O`], { encoding: 'utf8' });
    expect(dry.stdout).toMatch(/\+ unpack \/W\/mkimage\.X+\/keyring-company\.gpg \(sha256 [0-9a-f]{64}\)/);
    // (The dry run quotes the URL: it holds a ~.)
    expect(dry.stdout).toContain(`'${REPO}/dists/bookworm/InRelease' /W/mkimage.XXXXXXXXXX/InRelease-3`);
    expect(dry.stdout).toContain('gpgv --status-fd 1 --ignore-time-conflict --keyring /W/mkimage.XXXXXXXXXX/keyring-company.gpg --output /W/mkimage.XXXXXXXXXX/InRelease-3.signed /W/mkimage.XXXXXXXXXX/InRelease-3');
  });

  it('a debootstrap build that runs no apt-get update reads, and names, the suite\'s Release file alone', () => {
    const quiet = validateSettings({ ...DEBIAN, upgrade: false }, 't');
    const reads = planImage({ id: 'q', settings: quiet, origin: { generatedFrom: 'test', regenerate: 'test' } }).script.maps.find((m) => m.name === 'ARCH_RELEASES')!.entries;
    expect(reads).toEqual([{ key: 'amd64', value: 'http://mirror.example/debian/dists/bookworm' }]);
  });
});
