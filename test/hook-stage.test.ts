// mmdebstrap calls the script back at its hook stages (`--hook STAGE --arch ARCH ROOTFS`)
// and unsets TMPDIR for hook scripts (its manual says so). The script's copy in the work
// dir runs the stage's steps there, hooks on the host included: called as mmdebstrap
// calls it, without TMPDIR, it must run them all. The chroot is the only thing replaced
// (a stand-in on the PATH), so nothing of the fixture rootfs runs.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { planImage, renderImage } from '../src/generate.js';
import { validateSettings } from '../src/model/index.js';
import { DEBIAN } from './helpers/settings.js';

const work = mkdtempSync(join(tmpdir(), 'mkimage-gen-hook-stage-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const b64 = (text: string) => Buffer.from(text).toString('base64');
const hook = (stage: string) => b64(`#!/bin/sh\nprintf '%s %s %s\\n' ${stage} "$MKIMAGE_ROOTFS" "$1" >> "$MARK"\n`);
const STAGES = ['after-bootstrap', 'after-packages', 'before-pack'] as const;

const settings = validateSettings(
  {
    ...DEBIAN,
    backend: 'mmdebstrap',
    hooks: STAGES.map((stage) => ({ stage, script: `${stage}.sh`, on: 'host' as const })),
    embedded: Object.fromEntries(STAGES.map((stage) => [`${stage}.sh`, hook(stage)])),
  },
  't',
);
const script = renderImage(planImage({ id: 't', settings, origin: { generatedFrom: 'test', regenerate: 'test' } })).find((f) => f.path === 'mkimage.sh')!.content;

it('runs the host hooks of every mmdebstrap stage with TMPDIR unset, from the work dir it was copied to', () => {
  // As mmdebstrap_build lays it out: the script's copy and a tmp folder in the work dir.
  const workDir = join(work, 'mkimage.XXXX');
  const rootfs = join(workDir, 'rootfs');
  mkdirSync(join(workDir, 'tmp'), { recursive: true });
  // release_date has run before mmdebstrap: the Release files it checked (none here).
  writeFileSync(join(workDir, 'tmp', 'release-files'), '');
  for (const dir of ['etc/apt', 'run', 'tmp', 'var/lib/apt/lists', 'var/log']) mkdirSync(join(rootfs, dir), { recursive: true });
  writeFileSync(join(workDir, 'mkimage.sh'), script, { mode: 0o755 });
  const bin = join(work, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'chroot'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(bin, 'chroot'), 0o755);
  const mark = join(work, 'hooks.log');
  // mmdebstrap's environment for a hook: no TMPDIR.
  const env = { PATH: `${bin}:${process.env.PATH}`, MARK: mark, HOME: work };
  for (const stage of ['setup', 'essential', 'customize']) {
    const run = spawnSync('bash', [join(workDir, 'mkimage.sh'), '--hook', stage, '--arch', 'amd64', rootfs], { encoding: 'utf8', env, input: '' });
    expect(run.status, `${stage}: ${run.stderr}`).toBe(0);
  }
  expect(readFileSync(mark, 'utf8')).toBe(STAGES.map((stage) => `${stage} ${rootfs} ${rootfs}\n`).join(''));
});
