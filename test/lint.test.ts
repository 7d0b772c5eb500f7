// Every generated file passes its linter with no findings: shellcheck at every
// severity (through the npm wrapper, pointed at the system binary), shfmt with the
// formatter's style (.editorconfig), and dockerfile-utils for the Dockerfiles.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { GENERATED, ROOT, renderPresets } from './helpers/presets.js';
import { shellcheckEnv, systemBinary } from './helpers/shellcheck.js';

const files = await renderPresets();
const scripts = files.filter((f) => f.path.endsWith('.sh')).map((f) => `${GENERATED}/${f.path}`);
const dockerfiles = files.filter((f) => f.path.endsWith('Dockerfile')).map((f) => `${GENERATED}/${f.path}`);

describe('shellcheck', () => {
  const binary = systemBinary('shellcheck');
  it('is installed (apt: shellcheck)', () => {
    expect(binary, 'install Debian shellcheck: the npm wrapper cannot download one here').not.toBe('');
  });

  it.each(scripts)('%s has no findings at any severity', (script) => {
    const result = spawnSync('npx', ['--no-install', 'shellcheck', '--severity=style', '--format=gcc', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
      env: shellcheckEnv(binary),
    });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('would report a finding (the check can fail)', () => {
    const result = spawnSync('npx', ['--no-install', 'shellcheck', '-'], {
      cwd: ROOT,
      input: '#!/bin/bash\necho $1\n',
      encoding: 'utf8',
      timeout: 30_000,
      env: shellcheckEnv(binary),
    });
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain('SC2086');
  });
});

describe('shfmt', () => {
  it.each(scripts)('%s is formatted as shfmt would (no diff)', (script) => {
    const result = spawnSync('shfmt', ['-d', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(result.error, 'install shfmt (apt: shfmt)').toBeUndefined();
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('Dockerfile lint', () => {
  it.each(dockerfiles)('%s has no problems', (dockerfile) => {
    expect(validate(readFileSync(dockerfile, 'utf8'))).toEqual([]);
  });

  it('finds a problem in a broken Dockerfile (the check can fail)', () => {
    expect(validate('FROM scratch\nCMD ["a"]\nCMD ["b"]\nfrom x\n').length).toBeGreaterThan(0);
  });
});
