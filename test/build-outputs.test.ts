// A build writes its tarball and records into the script's folder (its default
// --output-dir, where the Dockerfile finds the tarball). They must never land in a
// commit: the folder's .gitignore lists exactly what the script writes there (its root
// ledger says what that is), git honours it, and `check` names what it finds as a
// warning, not as drift. The e2e Quick start case proves it on a real build.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadSelection } from '../src/cli/entries.js';
import { planImage, renderImage, type RenderEntry } from '../src/generate.js';
import { BUILDKIT_RECORDS_DIR, IGNORE_FILE, SCRIPT_FILE } from '../src/layout.js';
import { rootLedger } from '../src/plan/ledger.js';
import { cli } from './helpers/cli.js';
import { ROOT } from './helpers/presets.js';
import { DEBIAN, settings } from './helpers/settings.js';

const presets = loadSelection({ configs: [], sets: [], cwd: ROOT }).entries;
const origin = { generatedFrom: 'config test.yaml', regenerate: 'mkimage-gen generate' };
const cases: RenderEntry[] = [
  ...presets,
  { id: 'several-oci', settings: settings(DEBIAN, { arch: ['amd64', 'arm64'], output: { oci: true, compression: 'zstd' } }), origin },
  { id: 'named', settings: settings(DEBIAN, { output: { tarball: 'base.tar', compression: 'none' } }), origin },
];

/** The names in a rendered .gitignore, as git reads them back (anchored, unescaped). */
function ignored(content: string): string[] {
  return content
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.replace(/^\//, '').replace(/\\(.)/g, '$1'));
}

describe("each config folder's .gitignore", () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s: lists every name the script writes into its output directory, and no other', (_id, entry) => {
    const plan = planImage(entry);
    const files = renderImage(plan);
    const script = files.find((f) => f.path === SCRIPT_FILE)!.content;
    // Every $OUTPUT_DIR/<name> of the root ledger: what the script creates, writes or moves there.
    const written = new Set<string>();
    for (const item of rootLedger(plan.script, plan.resolved)) {
      for (const match of item.what.matchAll(/\$OUTPUT_DIR\/([^\s'"/]+)/g)) written.add(match[1]!);
    }
    // The bake facts go through a temporary name inside one write the ledger shows as a whole.
    expect(script).toContain('> "$file.partial"');
    written.add('build-vars.hcl.partial');
    // The BuildKit path's records target exports into the config's folder too.
    if (plan.buildkit) written.add(BUILDKIT_RECORDS_DIR);
    const names = ignored(files.find((f) => f.path === IGNORE_FILE)!.content).map((n) => n.replace(/\/$/, ''));
    expect(new Set(names)).toEqual(written);
  });
});

describe('a build in the output tree, as git and check see it', () => {
  let dir: string;
  const git = (args: string[]) => {
    const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mkimage-gen-build-files-'));
    git(['init', '-q']);
    writeFileSync(join(dir, 'mkimage-gen.yaml'), 'configs: [configs/*.yaml]\nout: images\n');
    mkdirSync(join(dir, 'configs'));
    writeFileSync(join(dir, 'configs/site.yaml'), stringify(DEBIAN));
    const gen = cli(['generate', '-q'], dir);
    expect(gen.status, gen.stderr).toBe(0);
    git(['add', 'mkimage-gen.yaml', 'configs', 'images']);
    git(['commit', '-q', '-m', 'images']);
    // What a finished build leaves, named as the script names it, and one interrupted run's temporaries.
    const folder = join(dir, 'images/site');
    for (const name of ['rootfs.tar.xz', 'rootfs.tar.xz.sha256', 'rootfs.manifest', 'rootfs.spdx.json', 'rootfs.cdx.json', 'rootfs.build.json', 'rootfs.provenance.json', 'build-vars.hcl', '.partial-rootfs.tar.xz']) {
      writeFileSync(join(folder, name), name === 'rootfs.tar.xz' ? Buffer.alloc(3_000_000) : `${name}\n`);
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('git sees none of it: status is clean and `git add images` adds nothing', () => {
    expect(git(['status', '--porcelain', '--untracked-files=all'])).toBe('');
    git(['add', 'images']);
    expect(git(['diff', '--cached', '--name-only'])).toBe('');
  });

  it('check passes and warns, naming the folder, the files and their size; --json lists them; --quiet says nothing', () => {
    const r = cli(['check'], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: build output in the output tree/m);
    expect(r.stderr).toMatch(/^ {2}images\/site\/: rootfs\.tar\.xz, rootfs\.tar\.xz\.sha256, rootfs\.manifest and 6 more \(3\.0 MB\)$/m);
    expect(r.stderr).toContain('git rm --cached');
    const json = cli(['check', '--json'], dir);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout).buildFiles).toEqual([
      'site/rootfs.tar.xz',
      'site/rootfs.tar.xz.sha256',
      'site/rootfs.manifest',
      'site/rootfs.spdx.json',
      'site/rootfs.cdx.json',
      'site/rootfs.build.json',
      'site/rootfs.provenance.json',
      'site/build-vars.hcl',
      'site/.partial-rootfs.tar.xz',
    ]);
    const quiet = cli(['check', '-q'], dir);
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).toBe('');
  });

  it('a build committed anyway (forced past the ignore file) is still only a warning, and check names it', () => {
    git(['add', '-f', 'images/site/rootfs.tar.xz']);
    git(['commit', '-q', '-m', 'oops']);
    const r = cli(['check', '--diff'], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('images/site/: rootfs.tar.xz');
    expect(r.stdout).toBe('images/ is up to date\n');
  });

  it('without build output, check says nothing more than before', () => {
    for (const name of ['rootfs.tar.xz', 'rootfs.tar.xz.sha256', 'rootfs.manifest', 'rootfs.spdx.json', 'rootfs.cdx.json', 'rootfs.build.json', 'rootfs.provenance.json', 'build-vars.hcl', '.partial-rootfs.tar.xz']) {
      rmSync(join(dir, 'images/site', name));
    }
    const r = cli(['check'], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });
});
