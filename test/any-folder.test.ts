// The commands from any folder of a project, as people move around an infra repo: from
// inside the output tree, from a folder of its own, with a config named by its id (its
// file name without extension, as the output folder is named) instead of its path.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';

let dir: string;

const git = (args: string[]) => {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};

/** The config checksum line of explain: the same validated settings give the same line. */
const checksumLine = (text: string) => /^Config checksum.*$/m.exec(text)?.[0];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mkimage-gen-anywhere-'));
  git(['init', '-q']);
  // A config named as a preset is (init writes such a one), and one named otherwise; the
  // project's defaults make the first differ from the preset.
  writeFileSync(join(dir, 'mkimage-gen.yaml'), 'configs: [configs/*.yaml]\nout: images\ndefaults:\n  timezone: Europe/Berlin\n');
  mkdirSync(join(dir, 'configs'));
  mkdirSync(join(dir, 'docs/notes'), { recursive: true });
  for (const [preset, file] of [
    ['debian-bookworm-ja', 'debian-bookworm-ja.yaml'],
    ['ubuntu-noble-ja', 'noble.yaml'],
  ]) {
    const shown = cli(['presets', '--show', preset]);
    expect(shown.status, shown.stderr).toBe(0);
    writeFileSync(join(dir, 'configs', file), shown.stdout.replace(/^timezone: .*\n/m, ''));
  }
  const gen = cli(['generate', '-q'], dir);
  expect(gen.status, gen.stderr).toBe(0);
  git(['add', '-A']);
  git(['commit', '-q', '-m', 'images']);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('from inside the output tree', () => {
  it('check and generate work from images/<config>/ and images/, and change nothing', () => {
    for (const cwd of [join(dir, 'images/noble'), join(dir, 'images'), join(dir, 'images/debian-bookworm-ja')]) {
      for (const args of [['check'], ['check', '--diff'], ['check', 'noble'], ['generate', '-q'], ['generate', '-q', 'noble']]) {
        const r = cli(args, cwd);
        expect(r.status, `${args.join(' ')} in ${cwd}: ${r.stderr}`).toBe(0);
      }
    }
    expect(git(['status', '--porcelain'])).toBe('');
  });

  it('drift seen from a config folder is listed relative to it', () => {
    const config = join(dir, 'configs/noble.yaml');
    writeFileSync(config, `${readFileSync(config, 'utf8')}variant: buildd\n`);
    const r = cli(['check'], join(dir, 'images/noble'));
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^stale +\.\.\/noble\/mkimage\.sh$/m);
  });

  it("a project's out that is no place for an output tree is blamed on the project file, not on --out", () => {
    writeFileSync(join(dir, 'mkimage-gen.yaml'), 'configs: [configs/*.yaml]\nout: .\n');
    const r = cli(['check'], join(dir, 'docs'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('bad input in ../mkimage-gen.yaml:');
    expect(r.stderr).toMatch(/out: .*is the top of a git work tree.*e\.g\. out: images/);
    expect(r.stderr).not.toContain('--out');
  });

  it('an --out given on the command line is still checked against the current directory', () => {
    const r = cli(['check', '--out', '..'], join(dir, 'images/noble'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('bad input in --out:');
    expect(r.stderr).toContain('holds the current directory');
  });
});

describe('a config named by its id', () => {
  it('explain <id> from any folder explains that config, with the project defaults', () => {
    const byPath = cli(['explain', 'configs/noble.yaml'], dir);
    expect(byPath.status, byPath.stderr).toBe(0);
    for (const cwd of [dir, join(dir, 'docs/notes'), join(dir, 'images'), join(dir, 'images/noble')]) {
      const byId = cli(['explain', 'noble'], cwd);
      expect(byId.status, `explain noble in ${cwd}: ${byId.stderr}`).toBe(0);
      expect(byId.stdout).toBe(byPath.stdout);
    }
  });

  it("inside a project, a config id wins over the preset of the same name; outside, the preset", () => {
    const inProject = cli(['explain', 'debian-bookworm-ja'], join(dir, 'docs'));
    const byPath = cli(['explain', 'configs/debian-bookworm-ja.yaml'], dir);
    const preset = cli(['explain', 'debian-bookworm-ja'], tmpdir());
    for (const r of [inProject, byPath, preset]) expect(r.status, r.stderr).toBe(0);
    expect(checksumLine(inProject.stdout)).toBeDefined();
    expect(checksumLine(inProject.stdout)).toBe(checksumLine(byPath.stdout));
    expect(checksumLine(inProject.stdout)).not.toBe(checksumLine(preset.stdout));
  });

  it('check and generate take ids, and one id writes only that config', () => {
    const config = join(dir, 'configs/noble.yaml');
    writeFileSync(config, `${readFileSync(config, 'utf8')}variant: buildd\n`);
    expect(cli(['check', 'debian-bookworm-ja'], join(dir, 'docs')).status).toBe(0);
    expect(cli(['check', 'noble'], join(dir, 'docs')).status).toBe(1);
    const gen = cli(['generate', 'noble'], join(dir, 'docs'));
    expect(gen.status, gen.stderr).toBe(0);
    expect(gen.stdout).toMatch(/^updated +\.\.\/images\/noble\/mkimage\.sh$/m);
    expect(git(['status', '--porcelain']).split('\n').filter(Boolean).sort()).toEqual([' M configs/noble.yaml', ' M images/noble/mkimage.sh']);
  });

  it('a name that is neither a file, nor a config of the project, nor a preset: exit 2 listing what there is', () => {
    for (const args of [['explain', 'nobel'], ['check', 'nobel'], ['generate', 'nobel']]) {
      const r = cli(args, join(dir, 'images'));
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/"nobel".*the project's configs are debian-bookworm-ja, noble/);
      expect(r.stderr, args.join(' ')).toContain('did you mean noble');
    }
    expect(git(['status', '--porcelain'])).toBe('');
  });
});
