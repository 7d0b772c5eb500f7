// The BuildKit path against the host script, timed one after another in one run: one bookworm
// mmdebstrap config (ja locales, one derived image) built
//   host:     by its mkimage.sh on the host, as root;
//   cold:     by `docker buildx bake <config>-buildkit-base --no-cache`, after
//             `docker builder prune -af` (no layer cache, an empty package cache mount);
//   warm:     the same bake --no-cache with the package cache mount kept (nothing downloaded);
//   derived:  the whole group after a change to the derived image's Dockerfile only (a line
//             before its RUN, so its apt-get install runs again);
//   cold-set: the whole group from nothing (prune, --no-cache), what `derived` compares to.
// The engine is the e2e tests' (its own dockerd, vfs, its data on a tmpfs as in the e2e
// test); the builder image is the host build's own tarball, since the config includes what
// its builder stage looks for (mmdebstrap and the preflight's tools). Run as root:
// `BENCH_FILE=bench/buildkit.ts npx vitest run --config bench/vitest.config.ts`; it appends its
// table to BENCHMARKS.md's "BuildKit" section.
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { stringify } from 'yaml';
import { hostMirrors } from '../buildhost/mirrors.js';
import { makeTempRoot, removeTree } from '../buildhost/host.js';
import { loadSelection } from '../src/cli/entries.js';
import { planImage, renderAll } from '../src/generate.js';
import { writeTree } from '../src/io/tree.js';
import { DockerEngine } from '../test/e2e/support/docker.js';

const ROOT = new URL('..', import.meta.url).pathname;
const BUILDER = 'local/mkimage-bench-builder:1';

/** Wall seconds of one command, with the engine's environment; its output is thrown away, a failure stops the benchmark. */
function wallSeconds(label: string, command: string, env: Record<string, string>): number {
  const start = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', command], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 2400_000 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${label} failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`.trim());
  console.log(`bench buildkit: ${label}: ${seconds.toFixed(1)} s`);
  return seconds;
}

test('BuildKit path vs host script, warm cache mount, a derived-only change', async () => {
  const found = hostMirrors();
  if (!found.mirrors) throw new Error(found.problem);
  const mirrors = found.mirrors;
  const root = makeTempRoot('bench-buildkit');
  const engine = await DockerEngine.start({ label: 'bench-buildkit', dataInMemory: '12g' });
  try {
    const config = join(root, 'bench.yaml');
    const out = join(root, 'out');
    const render = (include: string[]) => {
      const settings = {
        name: 'local/bench-bk',
        distro: 'debian',
        suite: 'bookworm',
        backend: 'mmdebstrap',
        variant: 'minbase',
        mirror: mirrors.mirror,
        securityMirror: mirrors.securityMirror,
        upgrade: false,
        include,
        locales: { generate: ['ja_JP.UTF-8', 'ja_JP.EUC-JP'], default: 'ja_JP.UTF-8' },
        output: { compression: 'none', import: 'none' },
        derived: [{ name: 'local/bench-app', packages: ['iproute2'], env: { APP: '1' } }],
      };
      writeFileSync(config, stringify(settings));
      const { entries, bakeOrigin } = loadSelection({ configs: [config], sets: [], out, cwd: root });
      writeTree(out, renderAll(entries, bakeOrigin));
      return entries[0]!;
    };
    render(planImage(render([])).buildkit!.dockerfile.builder.packages);
    const env = { ...engine.env, MKIMAGE_BUILDER_IMAGE: BUILDER, SOURCE_DATE_EPOCH: '1700000000' };
    const bake = (targets: string, flags = '') => `cd ${out} && { docker buildx bake --progress plain ${flags} ${targets} > ${root}/bake.log 2>&1 || { tail -n 30 ${root}/bake.log; exit 1; }; }`;
    const prune = 'docker builder prune -af >/dev/null 2>&1';
    const host = wallSeconds('host script', `rm -rf ${root}/host && ${out}/bench/mkimage.sh --output-dir ${root}/host >/dev/null 2>&1`, env);
    engine.importTarball(join(root, 'host', 'rootfs.tar'), BUILDER);
    const t = {
      host,
      cold: wallSeconds('BuildKit cold', `${prune} && ${bake('bench-buildkit-base', '--no-cache')}`, env),
      warm: wallSeconds('BuildKit warm cache mount', bake('bench-buildkit-base', '--no-cache'), env),
      coldSet: wallSeconds('BuildKit cold set', `${prune} && ${bake('bench-buildkit', '--no-cache')}`, env),
      // A line right after FROM: the derived image's RUN (apt-get install) runs again, the base comes from the cache.
      derived: wallSeconds('derived-only change', `sed -i "/^FROM /a ENV BUMP=$(date +%s%N)" ${out}/bench/derived/bench-app/Dockerfile && ${bake('bench-buildkit')}`, env),
    };
    const rows = [
      '',
      `Measured ${new Date().toISOString().slice(0, 10)} with \`BENCH_FILE=bench/buildkit.ts npx vitest run --config bench/vitest.config.ts\` (one run each, one after the other, on the idle 2-core machine; wall seconds).`,
      '',
      '| measure | target | measured | |',
      '| --- | --- | --- | --- |',
      `| BuildKit path (cold: no layer cache, empty package cache mount) vs the host script (${t.cold.toFixed(1)} s vs ${t.host.toFixed(1)} s) | ≤ 1.2× | ${(t.cold / t.host).toFixed(2)}× | ${t.cold / t.host <= 1.2 ? 'met' : 'missed'} |`,
      `| rebuild with a warm package cache mount vs cold (${t.warm.toFixed(1)} s vs ${t.cold.toFixed(1)} s) | | ${(t.warm / t.cold).toFixed(2)}× | |`,
      `| rebuild after a change to the derived image only vs the cold set (${t.derived.toFixed(1)} s vs ${t.coldSet.toFixed(1)} s) | ≤ 0.2× | ${(t.derived / t.coldSet).toFixed(2)}× | ${t.derived / t.coldSet <= 0.2 ? 'met' : 'missed'} |`,
      '',
    ];
    const file = join(ROOT, 'BENCHMARKS.md');
    if (!readFileSync(file, 'utf8').includes('## BuildKit')) appendFileSync(file, '\n## BuildKit\n');
    appendFileSync(file, rows.join('\n'));
  } finally {
    await engine.stop();
    removeTree(root);
  }
}, 4 * 3600 * 1000);
