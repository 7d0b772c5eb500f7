// The built CLI runs through dist/cli/main.js, which hands V8 the compiled code the build
// saved for the bundle (src/cli/launch.cjs). The cache must be one this node accepts, and
// the CLI must run the same without it or with one V8 refuses.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { wrap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { ROOT } from './helpers/presets.js';

const BUNDLE = join(ROOT, 'dist/cli/cli.cjs');

describe('the code cache', () => {
  it('is accepted by this node for the bundle beside it', () => {
    const source = readFileSync(BUNDLE, 'utf8').replace(/^#!.*/, '');
    const script = new Script(wrap(source), { filename: BUNDLE, cachedData: readFileSync(`${BUNDLE}.cache`) });
    expect(script.cachedDataRejected).toBe(false);
  });

  describe('missing or refused', () => {
    let pkg: string;
    beforeAll(() => {
      // A copy of the package's CLI: dist/cli without its cache, under a package.json of ours.
      pkg = mkdtempSync(join(tmpdir(), 'mkimage-gen-code-cache-'));
      mkdirSync(join(pkg, 'dist'));
      cpSync(join(ROOT, 'dist/cli'), join(pkg, 'dist/cli'), { recursive: true });
      rmSync(join(pkg, 'dist/cli/cli.cjs.cache'));
      cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    });
    afterAll(() => rmSync(pkg, { recursive: true, force: true }));

    const copy = (args: string[]) => spawnSync(process.execPath, [join(pkg, 'dist/cli/main.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
    const same = (args: string[]) => {
      const expected = cli(args);
      const r = copy(args);
      expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual(expected);
      expect(expected.status).not.toBeNull();
    };

    it('without it, the CLI prints and exits as with it', () => {
      same(['check']);
      same(['--version']);
      same(['explain', 'debian-trixie-company']);
      same(['check', '--set', 'variant=tiny']);
    });

    it('with one V8 refuses (not compiled from this bundle), the CLI prints and exits as with it', () => {
      writeFileSync(join(pkg, 'dist/cli/cli.cjs.cache'), Buffer.alloc(4096, 7));
      same(['check']);
      same(['generat']);
    });
  });
});

describe('a cache older than the bundle', () => {
  it('is not used: the bundle as it is now runs', () => {
    const pkg = mkdtempSync(join(tmpdir(), 'mkimage-gen-code-cache-'));
    try {
      mkdirSync(join(pkg, 'dist'));
      cpSync(join(ROOT, 'dist/cli'), join(pkg, 'dist/cli'), { recursive: true });
      cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
      // Text of the templates, which the cache holds compiled; the same length, so V8's
      // own check would take the cache for this bundle's and render the old text.
      const bundle = join(pkg, 'dist/cli/cli.cjs');
      const source = readFileSync(bundle, 'utf8');
      expect(source).toContain('DO NOT EDIT');
      writeFileSync(bundle, source.replaceAll('DO NOT EDIT', 'DO NOT EDIX'));
      const later = new Date(Date.now() + 60_000);
      utimesSync(bundle, later, later);
      const r = spawnSync(process.execPath, [join(pkg, 'dist/cli/main.js'), 'check'], { cwd: ROOT, encoding: 'utf8' });
      expect(r.stderr).toContain('stale');
      expect(r.status).toBe(1);
    } finally {
      rmSync(pkg, { recursive: true, force: true });
    }
  });
});
