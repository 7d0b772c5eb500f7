// Reproducible tarballs: the same script run twice against the same mirror content
// gives byte-identical tarballs. The two runs go one after the other (so the mirror has
// no time to change) and differ in everything a build host can vary: work dir, output
// dir, wall-clock time. The debootstrap backend is the one tested here: its tarball is
// packed by the script's own tar flags and timestamp; mmdebstrap packs with its own
// reproducible defaults (checked by hand, and left out to keep the suite in budget).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeE2E, makeTempRoot, mountsUnder, must, prerequisites, removeTree } from './support/host.js';
import { describeRun, renderConfig, runScript, stopScripts } from './support/script.js';

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
          const result = await runScript(rendered.script, ['--output-dir', out, '--work-dir', work]);
          expect(result.code, describeRun(result)).toBe(0);
          expect(mountsUnder(work)).toEqual([]);
          sums.push(readFileSync(join(out, 'rootfs.tar.gz.sha256'), 'utf8').split(' ')[0]!);
          expect(must('sha256sum', [join(out, 'rootfs.tar.gz')]).split(' ')[0]).toBe(sums.at(-1));
        }
        expect(sums[1], 'the second build differs from the first').toBe(sums[0]);

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
