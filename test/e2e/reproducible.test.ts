// Reproducible tarballs: the same script run twice against the same mirror content
// gives byte-identical tarballs. The two runs go one after the other (so the mirror has
// no time to change) and differ in everything a build host can vary: work dir, output
// dir, wall-clock time. The debootstrap backend is the one tested here: its tarball is
// packed by the script's own tar flags and timestamp; mmdebstrap packs with its own
// reproducible defaults (checked by hand, and left out to keep the suite in budget).
// The same two builds check the records beside the tarball: identical bytes, the
// manifest equal to dpkg-query in the image, SBOMs against their schemas, and the drift
// check (the second build expects the first one's manifest; a doctored one must fail).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeE2E, makeTempRoot, mountsUnder, must, prerequisites, removeTree, sh } from './support/host.js';
import { inRoot, unpack } from './support/rootfs.js';
import { describeRun, renderConfig, runScript, stopScripts } from './support/script.js';
import { cycloneDxErrors, spdxProblems } from '../helpers/sbom.js';

const RECORDS = ['rootfs.manifest', 'rootfs.spdx.json', 'rootfs.cdx.json', 'rootfs.build.json', 'rootfs.provenance.json'];

const BACKENDS = ['debootstrap'] as const;
const prereq = await prerequisites();

describeE2E('reproducible tarballs', prereq, (mirrors) => {
  let root = '';
  beforeAll(() => {
    root = makeTempRoot('reproducible');
  });
  afterAll(async () => {
    await stopScripts();
    removeTree(root);
  });

  for (const backend of BACKENDS) {
    describe(backend, () => {
      it('builds byte-identical tarballs twice, with clamped mtimes and no host leftovers', async () => {
        const rendered = await renderConfig(join(root, backend), backend, {
          name: `mkimage-e2e/reproducible-${backend}`,
          distro: 'debian',
          suite: 'bookworm',
          backend,
          mirror: mirrors.mirror,
          securityMirror: mirrors.securityMirror,
          locales: { generate: ['ja_JP.UTF-8'], default: 'ja_JP.UTF-8' },
          output: { compression: 'gzip', import: 'none' },
        });
        const sums: string[] = [];
        for (const run of ['first', 'second']) {
          const out = join(root, backend, run);
          const work = join(root, backend, `${run}-work`);
          must('mkdir', ['-p', work]);
          // The second build's drift check expects the first build's manifest: it must pass.
          const expectArgs = run === 'second' ? ['--expect', join(root, backend, 'first', 'rootfs.manifest')] : [];
          const result = await runScript(rendered.script, ['--output-dir', out, '--work-dir', work, ...expectArgs]);
          expect(result.code, describeRun(result)).toBe(0);
          expect(mountsUnder(work)).toEqual([]);
          sums.push(readFileSync(join(out, 'rootfs.tar.gz.sha256'), 'utf8').split(' ')[0]!);
          expect(must('sha256sum', [join(out, 'rootfs.tar.gz')]).split(' ')[0]).toBe(sums.at(-1));
        }
        expect(sums[1], 'the second build differs from the first').toBe(sums[0]);
        const first = join(root, backend, 'first');
        const second = join(root, backend, 'second');
        for (const name of RECORDS) {
          expect(readFileSync(join(second, name), 'utf8'), `${name} differs between the builds`).toBe(readFileSync(join(first, name), 'utf8'));
        }
        expect(must('sha256sum', ['-c', 'rootfs.tar.gz.sha256'], { cwd: first })).toContain('rootfs.provenance.json: OK');

        // The manifest is what dpkg-query says inside the image.
        const rootfs = unpack(join(first, 'rootfs.tar.gz'), join(root, backend, 'rootfs'));
        const query = inRoot(rootfs, ['dpkg-query', '-W', '-f', '${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n']);
        expect(query.status, query.stderr).toBe(0);
        const installed = query.stdout
          .split('\n')
          .filter((l) => l.startsWith('ii '))
          .map((l) => l.split('\t').slice(1).join('\t'))
          .sort();
        const manifest = readFileSync(join(first, 'rootfs.manifest'), 'utf8').trimEnd().split('\n');
        expect([...manifest].sort()).toEqual(installed);
        expect(manifest.length).toBeGreaterThan(80);

        expect(await cycloneDxErrors(readFileSync(join(first, 'rootfs.cdx.json'), 'utf8'))).toBeNull();
        expect(spdxProblems(JSON.parse(readFileSync(join(first, 'rootfs.spdx.json'), 'utf8')))).toEqual([]);
        const record = JSON.parse(readFileSync(join(first, 'rootfs.build.json'), 'utf8'));
        expect(record.tarball.sha256).toBe(sums[0]);
        // The Release files the build read, each checked before and found the same where apt keeps it.
        expect(record.releaseFiles.map((f: { url: string }) => f.url)).toEqual([
          `${mirrors.mirror}/dists/bookworm/InRelease`,
          `${mirrors.mirror}/dists/bookworm-updates/InRelease`,
          `${mirrors.securityMirror}/dists/bookworm-security/InRelease`,
        ]);
        expect(record.hostTools.map((t: { package: string }) => t.package)).toEqual([backend, 'tar', 'gzip', 'apt', 'dpkg', 'gpgv', 'debian-archive-keyring']);
        const provenance = JSON.parse(readFileSync(join(first, 'rootfs.provenance.json'), 'utf8'));
        expect(provenance.subject[0].digest.sha256).toBe(sums[0]);

        // The drift check fails when the expected manifest differs: the script's own
        // records step, run again on the built image's dpkg database.
        const state = join(root, backend, 'drift-state');
        const drifted = join(root, backend, 'drift-out');
        must('mkdir', ['-p', state, drifted]);
        writeFileSync(join(state, 'release-files'), '');
        writeFileSync(join(state, 'release-read-amd64'), '');
        must('cp', [join(first, 'rootfs.tar.gz'), join(drifted, '.partial-rootfs.tar.gz')]);
        const doctored = join(root, backend, 'doctored.manifest');
        writeFileSync(doctored, manifest.map((l) => (l.startsWith('bash\t') ? l.replace(/\t[^\t]+/, '\t0.0-0') : l)).join('\n') + '\n');
        const script = readFileSync(rendered.script, 'utf8');
        writeFileSync(join(root, backend, 'lib.sh'), script.slice(0, script.lastIndexOf('main "$@"')));
        const drift = sh('bash', [
          '-c',
          `source "$1"; WORK_DIR=$3 BUILD_TMP=$3; select_arch amd64; OUTPUT_DIR=$2 EXPECT_FILE=$4 PACKAGES_DB=$5/var/lib/dpkg TMP_TARBALL=$2/.partial-rootfs.tar.gz RELEASE_EPOCH=0
           PARTIALS=("$TMP_TARBALL"); records && publish_outputs`,
          'drift',
          join(root, backend, 'lib.sh'),
          drifted,
          state,
          doctored,
          rootfs,
        ]);
        expect(drift.status).not.toBe(0);
        expect(drift.stderr).toMatch(/^-bash\t0\.0-0/m);
        expect(drift.stderr).toMatch(/^\+bash\t/m);
        expect(sh('ls', ['-A', drifted]).stdout.trim()).toBe('');

        const tarball = join(root, backend, 'first', 'rootfs.tar.gz');
        const entries = must('tar', ['-tzf', tarball]).trim().split('\n');
        // Nothing newer than SOURCE_DATE_EPOCH, the newest Release date, which lies in the past.
        const newest = Math.max(
          ...must('tar', ['--list', '--verbose', '--full-time', '-zf', tarball])
            .trim()
            .split('\n')
            .map((line) => Date.parse(`${line.split(/\s+/)[3]}T${line.split(/\s+/)[4]}Z`)),
        );
        expect(newest).toBeLessThan(Date.now() - 60_000);
        expect(entries).toContain('./etc/resolv.conf');
        const empty = (path: string) => must('tar', ['-xOzf', tarball, path]);
        expect(empty('./etc/resolv.conf')).toBe('');
        expect(empty('./etc/hostname')).toBe('');
        expect(entries.filter((e) => /^\.\/var\/log\/(dpkg|alternatives|bootstrap)\.log$/.test(e))).toEqual([]);
      }, 15 * 60_000);
    });
  }
});
