// The README's examples as a reader pastes them: every YAML and shell block that claims
// to work is run (configs validated and generated, shell blocks run line by line with
// `set -e` and mkimage-gen on the PATH), section by section in a scratch folder of its
// own. A block says what it is in a marker the test reads (test/helpers/readme.ts); a
// block that is not run here says why, and the Quick start, install and CI blocks are
// run by test/quick-start.test.ts.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { PACKAGE_ROOT } from '../src/package-root.js';
import { findPreset } from '../src/presets/index.js';
import { ROOT } from './helpers/presets.js';
import { ciJob, installBlock, quickStartLines } from './helpers/quick-start.js';
import { readmeBlocks, type ReadmeBlock } from './helpers/readme.js';

const blocks = readmeBlocks();
const KINDS = new Set(['run', 'config', 'file', 'fragment', 'project', 'quick-start', 'install', 'ci-job', 'given-build', 'fails', 'not-run']);
const RUN_ELSEWHERE = new Set(['quick-start', 'install', 'ci-job']);

const scratch = mkdtempSync(join(tmpdir(), 'mkimage-gen-readme-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// `mkimage-gen` on the PATH, as `npm link` or a global install puts it there.
const bin = join(scratch, 'bin');
mkdirSync(bin);
symlinkSync(join(ROOT, 'dist/cli/main.js'), join(bin, 'mkimage-gen'));
const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };

function run(cwd: string, script: string) {
  return spawnSync('bash', ['-c', `set -euo pipefail\n${script}`], { cwd, env, encoding: 'utf8', timeout: 120_000 });
}

function mkimageGen(cwd: string, args: string[]) {
  const r = spawnSync(join(bin, 'mkimage-gen'), args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Programs of Debian's essential packages that examples run directly. */
const IN_EVERY_IMAGE = ['sh', 'bash', 'true', 'sleep', 'cat', 'env'];

const where = (b: ReadmeBlock) => `README.md:${b.line} (${b.section}, ${b.lang} ${b.kind}${b.arg ? ` ${b.arg}` : ''})`;

/** What a build leaves in `out/` for refresh-manifest: a manifest published with its checksum file. */
function layOutBuild(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const manifest = 'base-files\t13.8\tamd64\tbase-files\t13.8\nbash\t5.2.37-2\tamd64\tbash\t5.2.37-2\n';
  writeFileSync(join(dir, 'rootfs.manifest'), manifest);
  writeFileSync(join(dir, 'rootfs.tar.xz'), 'not a real tarball\n');
  const sum = (text: string) => createHash('sha256').update(text).digest('hex');
  writeFileSync(join(dir, 'rootfs.tar.xz.sha256'), `${sum('not a real tarball\n')}  rootfs.tar.xz\n${sum(manifest)}  rootfs.manifest\n`);
}

/** Part of a config laid over a preset; every file it names is there, taken from the company preset's files by what names it. */
function fragmentOverPreset(dir: string, block: ReadmeBlock): string {
  const preset = findPreset(block.arg);
  expect(preset, `${where(block)}: no preset ${block.arg}`).toBeDefined();
  const company = join(PACKAGE_ROOT, 'src/presets/files/company');
  cpSync(company, join(dir, 'company'), { recursive: true });
  const fragment = parse(block.body) as Record<string, unknown>;
  const config = { ...(preset!.settings as Record<string, unknown>), ...fragment } as Record<string, any>;
  const place = (path: string, from: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    if (!existsSync(join(dir, path))) cpSync(join(company, from), join(dir, path));
  };
  for (const repo of config.repositories ?? []) place(repo.key, 'apt-key.asc');
  for (const cert of config.caCertificates ?? []) place(cert, 'root-ca.pem');
  for (const hook of config.hooks ?? []) place(hook.script, 'harden.sh');
  for (const file of config.files ?? []) place(file.source, 'motd');
  for (const image of config.derived ?? []) for (const file of image.files ?? []) place(file.source, 'app/index.html');
  // A program the example runs first (ENTRYPOINT, or CMD without one) comes from a
  // package the example installs, or is in every Debian image.
  for (const image of config.derived ?? []) {
    const program = (image.entrypoint ?? image.cmd)?.[0] as string | undefined;
    if (program === undefined || program.includes('/')) continue;
    const installed = [...(image.packages ?? []), ...(config.include ?? [])].map((p: string) => p.split('=')[0]);
    expect([...installed, ...IN_EVERY_IMAGE], `${where(block)}: ${image.name} runs ${program}; nothing installs it`).toContain(program);
  }
  const path = `fragment-${block.line}.yaml`;
  writeFileSync(join(dir, path), stringify(config));
  return path;
}

/** Runs one block in its section's folder; returns nothing, fails the test with the output. */
function runBlock(dir: string, block: ReadmeBlock): void {
  const ok = (r: { status: number | null; out: string }, what: string) => expect(r.status, `${where(block)}: ${what}\n${r.out}`).toBe(0);
  switch (block.kind) {
    case 'file':
    case 'config': {
      const path = block.kind === 'file' ? block.arg : `config-${block.line}.yaml`;
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), block.body);
      ok(mkimageGen(dir, ['explain', path]), `mkimage-gen explain ${path}`);
      return;
    }
    case 'fragment': {
      const path = fragmentOverPreset(dir, block);
      ok(mkimageGen(dir, ['generate', path, '--out', `images-${block.line}`]), `mkimage-gen generate ${path}`);
      ok(mkimageGen(dir, ['explain', path]), `mkimage-gen explain ${path}`);
      return;
    }
    case 'project': {
      const project = join(dir, `project-${block.line}`);
      mkdirSync(join(project, 'configs'), { recursive: true });
      writeFileSync(join(project, 'mkimage-gen.yaml'), block.body);
      const shown = spawnSync(join(bin, 'mkimage-gen'), ['presets', '--show', 'debian-bookworm-ja'], { env, encoding: 'utf8' });
      expect(shown.status, shown.stderr).toBe(0);
      writeFileSync(join(project, 'configs/debian.yaml'), shown.stdout);
      ok(mkimageGen(project, ['generate']), 'mkimage-gen generate');
      ok(mkimageGen(project, ['check']), 'mkimage-gen check');
      // The modeline points into the installed package: a file the package ships.
      const schema = /\$schema=node_modules\/mkimage-gen\/(\S+)/.exec(block.body)?.[1];
      if (schema !== undefined) {
        expect(existsSync(join(ROOT, schema)), `${where(block)}: ${schema}`).toBe(true);
        const { files } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
        expect(files.some((f) => schema.startsWith(`${f}/`)), `${where(block)}: ${schema} is in the package`).toBe(true);
      }
      return;
    }
    case 'given-build':
    case 'run':
    case 'fails': {
      expect(block.body, `${where(block)}: needs root; mark it not-run or run it in an e2e test`).not.toMatch(/^\s*sudo\b/m);
      if (block.kind === 'given-build') layOutBuild(join(dir, block.arg));
      const r = run(dir, block.body);
      const out = `${r.stdout}${r.stderr}`;
      if (block.kind === 'fails') expect(r.status, `${where(block)} is meant to fail:\n${out}`).not.toBe(0);
      else expect(r.status, `${where(block)}:\n${out}`).toBe(0);
      return;
    }
    default:
      throw new Error(`${where(block)}: not run here`);
  }
}

describe('the README examples', () => {
  it('every block is marked with a kind the tests know, and a block not run says why', () => {
    expect(blocks.length).toBeGreaterThan(10);
    for (const block of blocks) {
      expect(KINDS.has(block.kind), where(block)).toBe(true);
      if (block.kind === 'not-run') expect(block.arg.length, `${where(block)}: say why`).toBeGreaterThan(10);
      if (block.lang === 'yaml') expect(['config', 'file', 'fragment', 'project', 'ci-job', 'not-run', 'fails']).toContain(block.kind);
    }
  });

  it('the Quick start, install and CI job blocks are the ones test/quick-start.test.ts runs', () => {
    // It runs the install forms git and tarball, the Quick start's lines and the CI job's run: steps.
    expect(blocks.filter((b) => b.kind === 'install').map((b) => b.arg).sort()).toEqual(['git', 'tarball']);
    for (const form of ['git', 'tarball'] as const) expect(installBlock(form).example).not.toBe('');
    expect(quickStartLines().length).toBeGreaterThan(5);
    expect(ciJob().runs.length).toBeGreaterThan(0);
    const source = readFileSync(join(ROOT, 'test/quick-start.test.ts'), 'utf8');
    for (const used of ['installFrom(', 'quickStartLines()', 'ciJob()', "firstHour('git'", "firstHour('tarball'"]) expect(source).toContain(used);
  });

  const sections = [...new Set(blocks.filter((b) => !RUN_ELSEWHERE.has(b.kind) && b.kind !== 'not-run').map((b) => b.section))];
  it.each(sections)('%s: every block works as written', { timeout: 300_000 }, (section) => {
    const dir = join(scratch, section.replace(/[^A-Za-z0-9]+/g, '-'));
    mkdirSync(dir, { recursive: true });
    for (const block of blocks.filter((b) => b.section === section && !RUN_ELSEWHERE.has(b.kind) && b.kind !== 'not-run')) runBlock(dir, block);
  });
});
