// The Quick start's build line, for real: a fresh repo set up by the README's lines
// (mkimage-gen from a release tarball, as test/quick-start.test.ts does without root),
// then `sudo images/<config>/mkimage.sh` as the README writes it (we are root: without
// sudo), then its last line, `git status --short`, which must print nothing: the build's
// tarball and records land in the config's folder and its .gitignore keeps them out of
// git; `check` still passes and names them. Lean: the config the line builds gets the
// host's mirror (the preset's is in Japan), mmdebstrap (about twice as fast), zstd
// instead of xz, and no import (no engine to start); those edits are committed before
// the build, as a user would commit theirs.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { describeRan, installFrom, quickStartLines, runLine, tarballSource, userEnv } from '../helpers/quick-start.js';
import { describeE2E, makeTempRoot, mountsUnder, prerequisites, removeTree, SYSTEM_PATH } from './support/host.js';

const prereq = await prerequisites();

describeE2E('the Quick start on a build host', prereq, (mirrors) => {
  let root = '';
  beforeAll(() => {
    root = makeTempRoot('quick-start');
  });
  afterAll(() => {
    removeTree(root);
  });

  it('every line in order, the build as root included: the build stays out of git and check passes', { timeout: 1_800_000 }, () => {
    const repo = join(root, 'repo');
    const env = userEnv({ TMPDIR: root });
    expect(runLine(root, `mkdir ${repo} && cd ${repo} && git init -q`, env).status).toBe(0);
    const started = Date.now();
    const install = installFrom(repo, 'tarball', tarballSource(join(root, 'release')), env);
    for (const ran of install.ran) expect(ran.status, describeRan(ran)).toBe(0);
    const quickEnv = { ...env, MKIMAGE_GEN: install.value };

    const lines = quickStartLines();
    const buildAt = lines.findIndex((l) => l.root);
    expect(buildAt, 'the Quick start has a line that builds as root').toBeGreaterThan(0);
    for (const { command } of lines.slice(0, buildAt)) {
      const ran = runLine(repo, command, quickEnv);
      expect(ran.status, describeRan(ran)).toBe(0);
    }
    const setUp = (Date.now() - started) / 1000;

    // The line names the script it runs: images/<config>/mkimage.sh.
    const build = lines[buildAt]!.command.replace(/^sudo\s+/, '');
    const id = /^(?:\S*\/)?images\/([^/\s]+)\/mkimage\.sh\b/.exec(build)?.[1];
    expect(id, `the build line runs a script of the output tree: ${build}`).toBeDefined();
    const config = join(repo, 'configs', `${id}.yaml`);
    const doc = parseDocument(readFileSync(config, 'utf8'));
    doc.set('mirror', mirrors.mirror);
    doc.set('securityMirror', mirrors.securityMirror);
    doc.set('backend', 'mmdebstrap');
    doc.setIn(['output', 'compression'], 'zstd');
    doc.setIn(['output', 'import'], 'none');
    writeFileSync(config, doc.toString());
    // With mmdebstrap the config also gets its BuildKit files: new files, so `git add -A`.
    for (const command of ['npx mkimage-gen generate', 'git add -A && git commit -q -m "this build host\'s mirror"']) {
      const ran = runLine(repo, command, quickEnv);
      expect(ran.status, describeRan(ran)).toBe(0);
    }

    const buildStarted = Date.now();
    const built = runLine(repo, build, { ...quickEnv, PATH: `${SYSTEM_PATH}:${process.env.PATH}` }, 1_500_000);
    const buildSeconds = (Date.now() - buildStarted) / 1000;
    expect(built.status, describeRan(built)).toBe(0);
    const tarball = join(repo, 'images', id!, 'rootfs.tar.zst');
    expect(existsSync(tarball), 'the tarball is in the config folder (the default output directory)').toBe(true);
    expect(statSync(tarball).size).toBeGreaterThan(10_000_000);
    expect(mountsUnder(root)).toEqual([]);

    for (const { command } of lines.slice(buildAt + 1)) {
      const ran = runLine(repo, command, quickEnv);
      expect(ran.status, describeRan(ran)).toBe(0);
      if (/^git status\b/.test(command)) expect(ran.stdout, `${describeRan(ran)}\nthe build's output must be ignored`).toBe('');
    }
    const check = runLine(repo, 'npx mkimage-gen check', quickEnv);
    expect(check.status, describeRan(check)).toBe(0);
    expect(check.stderr).toContain(`images/${id}/: rootfs.tar.zst`);
    console.log(`quick-start e2e: set-up ${setUp.toFixed(0)} s, build ${buildSeconds.toFixed(0)} s`);
  });
});
