// End to end: a warm-rebuild setup as ops teams run it. apt-cacher-ng, started here on
// 127.0.0.1 (its own config, cache and logs; stopped after, whatever happens), is the
// config's `proxy`; the build also keeps its .debs with --package-cache. The image is
// the small one: mmdebstrap, slim, the ja locales. Checks: everything came through the
// proxy and nothing of it is in the image; the package cache holds the build's .debs;
// in the slim image `locale -a`, `iconv -f EUC-JP` and `locale-gen` still work, with
// only the converter modules EUC-JP needs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AptCacher } from '../../buildhost/apt-cacher.js';
import { describeE2E, makeTempRoot, mountsUnder, prerequisites, processesUnder, removeTree } from './support/host.js';
import { inRoot, unpack } from './support/rootfs.js';
import { describeRun, renderConfig, runScript, stopScripts, type Finished } from './support/script.js';

const prereq = await prerequisites();

describeE2E('warm rebuilds through apt-cacher-ng, and the slim ja image', prereq, (mirrors) => {
  let root = '';
  let cacher: AptCacher | undefined;
  let build: Finished;
  let rootfs = '';
  let packageCache = '';

  beforeAll(async () => {
    root = makeTempRoot('proxy');
    cacher = await AptCacher.start(join(root, 'apt-cacher-ng'));
    packageCache = join(root, 'packages');
    const rendered = await renderConfig(join(root, 'config'), 'slim', {
      name: 'mkimage-e2e/debian-slim-proxy',
      distro: 'debian',
      suite: 'bookworm',
      backend: 'mmdebstrap',
      mirror: mirrors.mirror,
      securityMirror: mirrors.securityMirror,
      proxy: cacher.url,
      locales: { generate: ['ja_JP.UTF-8', 'ja_JP.EUC-JP'], default: 'ja_JP.UTF-8' },
      timezone: 'Asia/Tokyo',
      slim: true,
      output: { compression: 'zstd', import: 'none' },
    });
    const work = join(root, 'work');
    build = await runScript(rendered.script, ['--work-dir', work, '--package-cache', packageCache]);
    console.log(`e2e proxy: steps\n${build.lines.filter((l) => /^\[/.test(l.text)).map((l) => `  ${l.text}`).join('\n')}`);
    if (build.code === 0) rootfs = unpack(join(rendered.dir, 'rootfs.tar.zst'), join(root, 'rootfs'));
  }, 900_000);

  afterAll(async () => {
    await stopScripts();
    await cacher?.stop();
    const leaks = root ? removeTree(root) : [];
    expect(leaks, 'mounts left behind').toEqual([]);
  });

  const built = () => {
    expect(build.code, describeRun(build)).toBe(0);
    return rootfs;
  };

  it('builds through the proxy: apt-cacher-ng now holds the index files and the .debs', () => {
    built();
    const cached = cacher!.cached().map((f) => f.path);
    expect(cached.filter((p) => p.endsWith('.deb')).length, 'packages cached by the proxy').toBeGreaterThan(50);
    expect(cached.some((p) => /\/dists\/bookworm\/(InRelease|main\/binary-amd64\/Packages)/.test(p)), 'indexes cached').toBe(true);
  });

  it('--package-cache keeps every .deb the image was built from, in the host directory', () => {
    const dir = built();
    const debs = readdirSync(packageCache).filter((f) => f.endsWith('.deb'));
    const installed = inRoot(dir, ['dpkg-query', '-W', '-f', '${Package}\\n']).stdout.trim().split('\n');
    const cachedNames = new Set(debs.map((f) => f.split('_')[0]));
    expect(installed.filter((p) => !cachedNames.has(p)), 'installed packages missing from the cache').toEqual([]);
    // The image itself keeps none of them.
    expect(readdirSync(join(dir, 'var/cache/apt/archives')).filter((f) => f.endsWith('.deb'))).toEqual([]);
  });

  it('writes no proxy into the image', () => {
    const dir = built();
    const dump = inRoot(dir, ['apt-config', 'dump']);
    expect(dump.status, dump.stderr).toBe(0);
    expect(dump.stdout).not.toMatch(/proxy/i);
    expect(dump.stdout).not.toContain(String(cacher!.port));
  });

  it('slim: locale -a lists the ja locales, iconv converts EUC-JP, locale-gen rebuilds them', () => {
    const dir = built();
    const locales = inRoot(dir, ['locale', '-a']);
    expect(locales.stdout.split('\n')).toEqual(expect.arrayContaining(['ja_JP.utf8', 'ja_JP.eucjp']));
    // 日本 in EUC-JP, as octal bytes (dash's printf has no \x).
    const iconv = inRoot(dir, ['sh', '-c', "printf '\\306\\374\\313\\334' | iconv -f EUC-JP -t UTF-8"]);
    expect(iconv.stderr).toBe('');
    expect(iconv.stdout).toBe('日本');
    const gen = inRoot(dir, ['locale-gen']);
    expect(gen.status, gen.stdout + gen.stderr).toBe(0);
    expect(gen.stdout).toMatch(/ja_JP\.EUC-JP/);
    expect(gen.stdout).toMatch(/ja_JP\.UTF-8/);
    expect(inRoot(dir, ['locale', '-a']).stdout.split('\n')).toEqual(expect.arrayContaining(['ja_JP.utf8', 'ja_JP.eucjp']));
  });

  it('slim: only the converter modules EUC-JP loads are left, and dpkg keeps it so', () => {
    const dir = built();
    const gconv = join(dir, 'usr/lib/x86_64-linux-gnu/gconv');
    expect(readdirSync(gconv).filter((f) => f.endsWith('.so')).sort()).toEqual(['EUC-JP.so', 'libJIS.so']);
    const rules = readFileSync(join(dir, 'etc/dpkg/dpkg.cfg.d/docker-slim'), 'utf8');
    expect(rules).toContain('path-exclude /usr/lib/*/gconv/*.so');
    expect(rules).toContain('path-include /usr/lib/*/gconv/EUC-JP.so');
    // A charset without its module is refused, not half converted.
    expect(inRoot(dir, ['sh', '-c', 'printf x | iconv -f SHIFT_JIS -t UTF-8']).status).not.toBe(0);
    expect(existsSync(join(dir, 'usr/share/man/man1'))).toBe(false);
    expect(readFileSync(join(dir, 'etc/timezone'), 'utf8').trim()).toBe('Asia/Tokyo');
  });

  it('leaves nothing mounted or running under its directories', () => {
    built();
    expect(mountsUnder(join(root, 'work'))).toEqual([]);
    expect(processesUnder(join(root, 'work'))).toEqual([]);
  });
});
