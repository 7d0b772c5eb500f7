// The root ledger (src/plan/ledger.ts) is worked out from the plan alone; the script's
// --dry-run prints what the script would do. For every preset and the snapshot and
// drift-check configs, the two must list the same commands, mounts, writes and image
// files, in the same order.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSelection } from '../src/cli/entries.js';
import { planImage, renderImage, type RenderEntry } from '../src/generate.js';
import { validateSettings } from '../src/model/index.js';
import { findPreset } from '../src/presets/index.js';
import { validatePreset } from '../src/presets/validate.js';
import { rootLedger } from '../src/plan/ledger.js';
import { runAsNobody } from './helpers/dry-run.js';
import { dryRunLines, expected } from './helpers/ledger.js';
import { ROOT } from './helpers/presets.js';
import { DEBIAN, UBUNTU } from './helpers/settings.js';

const presets = loadSelection({ configs: [], sets: [], cwd: ROOT }).entries;
const origin = { generatedFrom: 'test', regenerate: 'test' };
const extra: RenderEntry[] = [
  { id: 'snapshot-debian', settings: validateSettings({ ...DEBIAN, snapshot: '20250101T000000Z', proxy: 'http://proxy.example:3128' }, 't'), origin },
  {
    id: 'snapshot-ubuntu-mmdebstrap',
    settings: validateSettings({ ...UBUNTU, backend: 'mmdebstrap', snapshot: '20250101T000000Z', expect: 'expected.manifest' }, 't'),
    origin,
  },
  {
    id: 'two-arches-oci',
    settings: validateSettings(
      { ...DEBIAN, arch: ['amd64', 'arm64'], backend: 'mmdebstrap', expect: 'expected.manifest', output: { oci: true, import: 'podman' } },
      't',
    ),
    origin,
  },
  // The company preset's repository key, CA, files and hooks inside mmdebstrap's hooks.
  { id: 'company-mmdebstrap', settings: validatePreset(findPreset('debian-trixie-company')!, ['backend=mmdebstrap']), origin },
  // Push, sign and attest (publish): every skopeo and cosign command, for each architecture.
  {
    id: 'two-arches-publish',
    settings: validateSettings(
      { ...DEBIAN, arch: ['amd64', 'arm64'], output: { oci: true, import: 'none' }, publish: { repository: 'registry.example.com/infra/debian', key: 'cosign.key' } },
      't',
    ),
    origin,
  },
  // A profile image with an include: its dependencies are unpacked in one step the ledger names.
  { id: 'profile-include', settings: validateSettings({ ...DEBIAN, suite: 'trixie', backend: 'mmdebstrap', profile: 'base', include: ['libcurl4t64'] }, 't'), origin },
  { id: 'not-reproducible', settings: validateSettings({ ...DEBIAN, reproducible: false, sourceDateEpoch: 1700000000, output: { import: 'none', compression: 'none' } }, 't'), origin },
];

/** The ledger's shown lines and the dry run's, for one config. */
function compare(entry: RenderEntry): { fromLedger: string[]; fromDryRun: string[] } {
  const plan = planImage(entry);
  const script = renderImage(plan).find((f) => f.path === 'mkimage.sh')!.content;
  const run = runAsNobody(script, ['--dry-run', '--output-dir', '/O', '--work-dir', '/W']);
  expect(run.status, run.stderr).toBe(0);
  const ledger = rootLedger(plan.script, plan.resolved);
  return { fromLedger: ledger.filter((e) => e.shown && e.when === undefined).map(expected), fromDryRun: dryRunLines(run.stdout) };
}

describe('a company image: repositories, certificates, files, users, hooks, pinned packages', () => {
  let gnupg = '';
  let key = '';
  beforeAll(() => {
    gnupg = mkdtempSync(join(tmpdir(), 'mkimage-gen-ledger-gpg-'));
    const gpg = (...args: string[]) => spawnSync('gpg', ['--homedir', gnupg, '--batch', ...args]);
    gpg('--passphrase', '', '--quick-gen-key', 'Throwaway ledger key <test@example.com>', 'rsa2048', 'sign', 'never');
    key = gpg('--armor', '--export').stdout.toString('base64');
  }, 60_000);
  afterAll(() => rmSync(gnupg, { recursive: true, force: true }));

  it.each(['debootstrap', 'mmdebstrap'] as const)('%s: the ledger lists exactly what --dry-run prints', (backend) => {
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const settings = validateSettings(
      {
        ...DEBIAN,
        backend,
        repositories: [{ name: 'company', url: 'http://apt.example.com/debian', suites: ['bookworm'], key: 'key.asc', packages: ['company-tools'] }],
        caCertificates: ['ca.pem'],
        files: [{ source: 'motd', path: '/etc/motd', owner: 'app:app', mode: '0640' }],
        hooks: [{ stage: 'after-packages', script: 'hook.sh' }, { stage: 'before-pack', script: 'host.sh', on: 'host' }],
        groups: [{ name: 'app', gid: 10001 }],
        users: [{ name: 'app', uid: 10001, group: 'app' }],
        include: ['curl=7.88.1-10+deb12u8'],
        embedded: {
          'key.asc': key,
          'ca.pem': b64('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'),
          motd: b64('hello\n'),
          'hook.sh': b64('#!/bin/sh\necho hook\n'),
          'host.sh': b64('#!/bin/sh\nls "$1"\n'),
        },
      },
      't',
    );
    const { fromLedger, fromDryRun } = compare({ id: 'company', settings, origin });
    expect(fromDryRun).toEqual(fromLedger);
    expect(fromLedger.some((l) => l.startsWith('[chroot] useradd'))).toBe(true);
  });
});

describe('snapshot dry runs', () => {
  it.each(extra.slice(0, 2).map((e) => [e.id, e] as const))('%s fetches from the snapshot and leaves the mirror in the image', (_id, entry) => {
    const plan = planImage(entry);
    const script = renderImage(plan).find((f) => f.path === 'mkimage.sh')!.content;
    const run = runAsNobody(script, ['--dry-run', '--output-dir', '/O', '--work-dir', '/W']);
    expect(run.status, run.stderr).toBe(0);
    const at = entry.settings.snapshot!;
    const host = entry.settings.distro === 'debian' ? `snapshot.debian.org/archive/debian/${at}` : `snapshot.ubuntu.com/ubuntu/${at}`;
    expect(run.stdout).toContain(`http://${host}/dists/${entry.settings.suite}/InRelease`);
    expect(run.stdout).toContain('Acquire::Check-Valid-Until "false"');
    // The image's sources are written last, with the regular mirror.
    const image = run.stdout.slice(run.stdout.indexOf('] image apt sources ...'));
    expect(image).toContain(`  | `);
    expect(image.slice(0, image.indexOf('] apt clean'))).toContain(entry.settings.mirror);
    expect(image.slice(0, image.indexOf('] apt clean'))).not.toContain('snapshot.');
    expect(run.stdout).toContain(`SOURCE_DATE_EPOCH=${plan.resolved.epoch}`);
  });
});

describe.each([...presets, ...extra].map((e) => [e.id, e] as const))('%s', (_id, entry) => {
  const plan = planImage(entry);
  const ledger = rootLedger(plan.script, plan.resolved);

  it('lists exactly what --dry-run prints, in the same order', () => {
    const script = renderImage(plan).find((f) => f.path === 'mkimage.sh')!.content;
    const run = runAsNobody(script, ['--dry-run', '--output-dir', '/O', '--work-dir', '/W']);
    expect(run.status, run.stderr).toBe(0);
    const fromLedger = ledger.filter((e) => e.shown && e.when === undefined).map(expected);
    expect(dryRunLines(run.stdout)).toEqual(fromLedger);
  });

  it('names every URL it fetches, the host paths it writes, and a checksum for each file it writes into the image', () => {
    const fetched = ledger.filter((e) => e.kind === 'fetch').map((e) => e.what);
    // Every Release file a build reads is fetched first (and checked; see release_date).
    const read = plan.script.maps.find((m) => m.name === 'ARCH_RELEASES')!.entries.flatMap((e) => e.value.split(' '));
    expect(read.length).toBeGreaterThan(0);
    for (const dist of read) expect(fetched).toContain(`${dist}/InRelease`);
    const files = ledger.filter((e) => e.kind === 'image-file');
    expect(files.length).toBeGreaterThan(2);
    for (const f of files) expect(f.sha256 === null || /^[0-9a-f]{64}$/.test(f.sha256!)).toBe(true);
    const writes = ledger.filter((e) => e.kind === 'write').map((e) => e.what);
    for (const build of plan.resolved.builds) expect(writes).toContain(`write $OUTPUT_DIR/.partial-${build.tarball}.sha256`);
    expect(ledger.at(-1)).toMatchObject({ kind: 'remove', what: '$WORK_DIR' });
  });
});

describe('--tmpfs', () => {
  const entry = extra.find((e) => e.id === 'snapshot-ubuntu-mmdebstrap')!;
  const plan = planImage(entry);
  const script = renderImage(plan).find((f) => f.path === 'mkimage.sh')!.content;

  it('mounts a tmpfs on the work dir before anything else, as the ledger says', () => {
    const run = runAsNobody(script, ['--dry-run', '--tmpfs', '--output-dir', '/O', '--work-dir', '/W']);
    expect(run.status, run.stderr).toBe(0);
    const ledger = rootLedger(plan.script, plan.resolved);
    const withTmpfs = ledger.filter((e) => e.shown && (e.when === undefined || e.when.startsWith('with --tmpfs'))).map(expected);
    expect(dryRunLines(run.stdout)).toEqual(withTmpfs);
    expect(withTmpfs[0]).toBe('mount -t tmpfs -o mode=0700 mkimage $WORK_DIR');
  });

  it('is refused in mode unshare, which cannot mount', () => {
    const run = runAsNobody(script, ['--tmpfs', '--mode', 'unshare', '--output-dir', '/O', '--work-dir', '/W']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--tmpfs mounts a file system, which needs mode root');
  });
});

describe('--result-cache', () => {
  const entry = extra.find((e) => e.id === 'two-arches-oci')!;
  const plan = planImage(entry);
  const script = renderImage(plan).find((f) => f.path === 'mkimage.sh')!.content;

  it('compares the inputs before each architecture and keeps its build after, as the ledger says', () => {
    const run = runAsNobody(script, ['--dry-run', '--result-cache', '/C', '--output-dir', '/O', '--work-dir', '/W']);
    expect(run.status, run.stderr).toBe(0);
    const ledger = rootLedger(plan.script, plan.resolved);
    const withResults = ledger.filter((e) => e.shown && (e.when === undefined || e.when.startsWith('with --result-cache'))).map(expected);
    expect(dryRunLines(run.stdout)).toEqual(withResults);
    for (const build of plan.resolved.builds) {
      const kept = `$RESULT_CACHE/${entry.settings.name.replaceAll('/', '_')}_${entry.settings.suite}_${build.tarball}`;
      expect(withResults).toContain(`compare the inputs with ${kept}/inputs`);
      expect(withResults).toContain(`keep ${build.tarball} and its records in ${kept}`);
    }
  });

  it.each([
    ['a hook on the build host', { hooks: [{ stage: 'before-pack', script: 'host.sh', on: 'host' }], embedded: { 'host.sh': 'IyEvYmluL3NoCg==' } }, 'a hook runs on the build host'],
    ['reproducible: false', { reproducible: false }, 'the config sets reproducible: false'],
  ])('is refused for a script with %s, whose same inputs may not give the same bytes', (_what, change, reason) => {
    const settings = validateSettings({ ...DEBIAN, ...change }, 't');
    const refused = renderImage(planImage({ id: 'refused', settings, origin })).find((f) => f.path === 'mkimage.sh')!.content;
    const run = runAsNobody(refused, ['--dry-run', '--result-cache', '/C', '--output-dir', '/O', '--work-dir', '/W']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`--result-cache: this script does not reuse builds: ${reason}`);
    expect(runAsNobody(refused, ['--dry-run', '--output-dir', '/O', '--work-dir', '/W']).status).toBe(0);
  });
});
