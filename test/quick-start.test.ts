// Done when a new user's first hour works as the README says: mkimage-gen installed as
// its 'install' blocks say (a git URL, here a local bare repository, and a release
// tarball), every 'quick-start' line run in order in a fresh git repo, and a fresh clone
// of that repo passing the 'ci-job' the README shows. The line that needs root and a
// real build (sudo .../mkimage.sh) runs in test/e2e/quick-start.test.ts. npm takes the
// packages from its cache (what `npm ci` fetched for this checkout) before the registry.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ciJob, describeRan, gitSource, installFrom, packageJson, quickStartLines, runLine, tarballSource, userEnv, type InstallForm } from './helpers/quick-start.js';

const scratch = mkdtempSync(join(tmpdir(), 'mkimage-gen-quick-start-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function firstHour(form: InstallForm, source: string) {
  const started = Date.now();
  const repo = join(scratch, `${form}-repo`);
  mkdirSync(repo);
  const env = userEnv();
  expect(runLine(repo, 'git init -q', env).status).toBe(0);

  const install = installFrom(repo, form, source, env);
  for (const ran of install.ran) expect(ran.status, describeRan(ran)).toBe(0);
  const quickEnv = { ...env, MKIMAGE_GEN: install.value };
  const lines = quickStartLines();
  expect(lines.filter((l) => l.root).length, 'one line builds as root (test/e2e/quick-start.test.ts runs it)').toBe(1);
  for (const { command, root } of lines) {
    if (root) continue;
    const ran = runLine(repo, command, quickEnv);
    expect(ran.status, describeRan(ran)).toBe(0);
    // git status --short: the README says it prints nothing.
    if (/^git status\b/.test(command)) expect(ran.stdout, describeRan(ran)).toBe('');
  }
  // The package came from where MKIMAGE_GEN says, and the bin is the package's.
  expect(packageJson(repo).devDependencies?.['mkimage-gen']).toContain(form === 'git' ? 'git+file://' : 'file:vendor/');
  expect(runLine(repo, 'npx mkimage-gen --version', quickEnv).stdout.trim()).toBe(JSON.parse(readFileSync(join(repo, 'node_modules/mkimage-gen/package.json'), 'utf8')).version);
  const quickStart = (Date.now() - started) / 1000;

  // CI: a fresh clone, what actions/checkout and setup-node leave, then every run: step.
  const ciStarted = Date.now();
  const { uses, runs } = ciJob();
  expect(uses.map((u) => u.split('@')[0])).toEqual(['actions/checkout', 'actions/setup-node']);
  const clone = join(scratch, `${form}-clone`);
  expect(runLine(scratch, `git clone -q ${repo} ${clone}`, env).status).toBe(0);
  expect(runs.length).toBeGreaterThan(0);
  for (const command of runs) {
    const ran = runLine(clone, command, env);
    expect(ran.status, `in a fresh clone: ${describeRan(ran)}`).toBe(0);
  }
  console.log(`quick start (${form}): ${quickStart.toFixed(0)} s, CI job in a fresh clone ${((Date.now() - ciStarted) / 1000).toFixed(0)} s`);
}

describe('the Quick start, as a new user follows it', () => {
  it('installed from a git URL (npm builds it with its prepare script), every line works and CI passes in a fresh clone', { timeout: 1_800_000 }, () => {
    firstHour('git', gitSource(join(scratch, 'forge')));
  });

  it('installed from a release tarball kept in the repo, every line works and CI passes in a fresh clone', { timeout: 900_000 }, () => {
    firstHour('tarball', tarballSource(join(scratch, 'release')));
  });
});
