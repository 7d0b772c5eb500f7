// The benchmark: every row of issue 13's table from one run. Builds (uncompressed; xz
// measured apart) of the generated script with both backends, on disk and with --tmpfs,
// against the seed's steps by hand and a bare mmdebstrap with the same package set (the
// floor); rebuilds through apt-cacher-ng, cold and warm, with and without
// --package-cache, and of unchanged inputs with --result-cache; the slim image's size; the CLI against `node -e 0`; generate of 1, 10
// and 100 configs. Cases run interleaved round by round, so a noisy machine slows them
// alike. Run as root: `make bench` (BENCH_RUNS=3 by default). Writes BENCHMARKS.md and
// bench/build-times.svg.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { AptCacher } from '../buildhost/apt-cacher.js';
import { makeTempRoot, must, prerequisites, removeTree } from '../buildhost/host.js';
import { render, type SettingsInput } from '../src/index.js';
import { buildTimeChart } from './chart.js';

const ROOT = new URL('..', import.meta.url).pathname;
const ARCH_SECTION = '## Architectures (measured by the platforms e2e test)';
const RUNS = Number(process.env.BENCH_RUNS ?? '3');
const SUITE = 'bookworm';
const JA = { generate: ['ja_JP.UTF-8', 'ja_JP.EUC-JP'], default: 'ja_JP.UTF-8' };
const MERGED_USR_HOOK = '/usr/share/mmdebstrap/hooks/maybe-merged-usr';
/** debian:bookworm-slim as the issue quotes it, for reference. */
const OFFICIAL_SLIM_TAR = 74.8e6;
const CLI = join(ROOT, 'dist/cli/main.js');
const CLI_RUNS = 21;

const seconds = (fn: () => void) => {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
};
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
const spread = (v: number[]) => `${Math.min(...v).toFixed(1)} / ${median(v).toFixed(1)} / ${Math.max(...v).toFixed(1)}`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const only = (a: Set<string>, b: Set<string>) => [...a].filter((p) => !b.has(p)).sort().join(', ') || 'none';

/** Writes a config's mkimage.sh through the library API; returns its path. */
function script(dir: string, settings: SettingsInput): string {
  mkdirSync(dir, { recursive: true });
  const file = render(settings, 'the benchmark').find((f) => f.path === 'mkimage.sh')!;
  writeFileSync(join(dir, 'mkimage.sh'), file.content, { mode: 0o755 });
  return join(dir, 'mkimage.sh');
}

function packages(tarball: string): Set<string> {
  const status = must('tar', ['-xOf', tarball, './var/lib/dpkg/status']);
  return new Set([...status.matchAll(/^Package: (\S+)$/gm)].map((m) => m[1]!));
}

/** What the slim image keeps beyond an official slim image, measured in it. */
function slimExtras(tarball: string, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  must('tar', ['-C', dir, '-xf', tarball]);
  const du = (path: string) => Number(must('du', ['-sb', join(dir, path)]).split('\t')[0]) || 0;
  return [
    `locale sources and charmaps the ja locales are built from, which locale-gen reads (/usr/share/i18n): ${mb(du('usr/share/i18n'))}`,
    `generated locales (/usr/lib/locale): ${mb(du('usr/lib/locale'))}`,
    `glibc converters kept for EUC-JP (/usr/lib/x86_64-linux-gnu/gconv; 8.1 MB uncut): ${mb(du('usr/lib/x86_64-linux-gnu/gconv'))}`,
    `translations (/usr/share/locale, only locale.alias is kept): ${mb(du('usr/share/locale'))}`,
    `copyright files (/usr/share/doc, identical ones stored once as hard links): ${mb(du('usr/share/doc'))}`,
  ];
}

test('benchmark', async () => {
  const prereq = await prerequisites();
  expect(prereq.problems, 'the benchmark builds real images: run it as root after sudo bash .ci/deps').toEqual([]);
  const { mirror, securityMirror } = prereq.mirrors!;
  const root = makeTempRoot('bench');
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').trim();
  let cacher: AptCacher | undefined;
  try {
    const base: SettingsInput = {
      name: 'local/bench', distro: 'debian', suite: SUITE, mirror, securityMirror, locales: JA,
      output: { compression: 'none', import: 'none' },
    };
    const debootstrap = script(join(root, 'debootstrap'), base);
    const mmdebstrap = script(join(root, 'mmdebstrap'), { ...base, backend: 'mmdebstrap' });
    const slim = script(join(root, 'slim'), { ...base, backend: 'mmdebstrap', slim: true });
    const lines = [SUITE, `${SUITE}-updates`, `${SUITE}-security`].map((s) => `deb ${s.endsWith('-security') ? securityMirror : mirror} ${s} main`);
    const selections = 'locales locales/locales_to_be_generated multiselect ja_JP.EUC-JP EUC-JP, ja_JP.UTF-8 UTF-8\\nlocales locales/default_environment_locale select ja_JP.UTF-8\\n';
    const runScript = (path: string, extra: string[] = []) => (output: string) => {
      const out = join(root, 'out');
      must('bash', [path, '--output-dir', out, ...extra]);
      must('mv', [join(out, 'rootfs.tar'), output]);
      removeTree(out);
    };
    // Per round: a fresh proxy and package cache; `cold` fills both, the warm cases reuse them.
    const proxied = (settings: SettingsInput) => (id: string) => script(join(root, id), { ...settings, proxy: cacher!.url });
    const packageCache = join(root, 'package-cache');
    const results = join(root, 'result-cache');

    const cases: { id: string; what: string; build: (output: string) => void }[] = [
      { id: 'seed', what: "the seed's steps by hand (bench/seed-by-hand.sh)", build: (o) => must('bash', [join(ROOT, 'bench/seed-by-hand.sh'), mirror, securityMirror, SUITE, o]) },
      {
        id: 'floor',
        what: 'bare mmdebstrap, the same package set (merged-/usr hook, locales answered at the essential hook) and sources',
        build: (o) => must('bash', ['-o', 'pipefail', '-c',
          `mmdebstrap --variant=minbase --include=iproute2,locales --hook-dir=${MERGED_USR_HOOK} --essential-hook='printf "${selections}" | chroot "$1" debconf-set-selections' "$1" "$2" "\${@:3}"`,
          'bash', SUITE, o, ...lines]),
      },
      { id: 'debootstrap', what: 'generated mkimage.sh, debootstrap backend', build: runScript(debootstrap) },
      { id: 'debootstrap-tmpfs', what: 'the same, built in memory (--tmpfs)', build: runScript(debootstrap, ['--tmpfs']) },
      { id: 'mmdebstrap', what: "generated mkimage.sh, mmdebstrap backend (its dpkg under mmdebstrap's eatmydata hook)", build: runScript(mmdebstrap) },
      { id: 'mmdebstrap-tmpfs', what: 'the same, built in memory (--tmpfs)', build: runScript(mmdebstrap, ['--tmpfs']) },
      { id: 'slim', what: 'generated mkimage.sh, mmdebstrap backend, slim: true', build: runScript(slim) },
      { id: 'cold', what: 'mmdebstrap backend through a fresh apt-cacher-ng, an empty --package-cache', build: (o) => runScript(proxied({ ...base, backend: 'mmdebstrap' })('cold'), ['--package-cache', packageCache])(o) },
      { id: 'warm-proxy', what: 'the same rebuilt through the now warm apt-cacher-ng', build: (o) => runScript(proxied({ ...base, backend: 'mmdebstrap' })('warm-proxy'))(o) },
      {
        id: 'warm-cache',
        what: 'the same rebuilt through the warm proxy with the filled --package-cache (and --result-cache, which keeps a copy of the result)',
        build: (o) => runScript(proxied({ ...base, backend: 'mmdebstrap' })('warm-cache'), ['--package-cache', packageCache, '--result-cache', results])(o),
      },
      {
        id: 'warm-result',
        what: 'the same again with that --result-cache: nothing changed, so it publishes the kept build',
        build: (o) => runScript(proxied({ ...base, backend: 'mmdebstrap' })('warm-result'), ['--result-cache', results])(o),
      },
    ];

    const times = new Map<string, number[]>(cases.map((c) => [c.id, []]));
    const sizes = new Map<string, { tar: number; xz: number; xzSeconds: number }>();
    const packageSets = new Map<string, Set<string>>();
    let extras: string[] = [];
    let keptSha = '';
    for (let round = 1; round <= RUNS; round++) {
      cacher = await AptCacher.start(join(root, `apt-cacher-ng-${round}`));
      removeTree(packageCache);
      removeTree(results);
      try {
        for (const c of cases) {
          const output = join(root, `${c.id}.tar`);
          times.get(c.id)!.push(seconds(() => c.build(output)));
          // The reused result must be the bytes of the build it kept.
          if (c.id === 'warm-cache') keptSha = must('sha256sum', [output]).split(' ')[0]!;
          if (c.id === 'warm-result' && must('sha256sum', [output]).split(' ')[0] !== keptSha) {
            throw new Error('--result-cache published another tarball than the build it kept');
          }
          if (round === 1) {
            // xz apart from the build: one compressor would otherwise dominate every case.
            const xzSeconds = seconds(() => must('xz', ['--threads=0', '-6', '-k', output]));
            sizes.set(c.id, { tar: statSync(output).size, xz: statSync(`${output}.xz`).size, xzSeconds });
            packageSets.set(c.id, packages(output));
            if (c.id === 'slim') extras = slimExtras(output, join(root, 'slim-rootfs'));
          }
          removeTree(output);
          removeTree(`${output}.xz`);
        }
      } finally {
        await cacher.stop();
      }
    }

    // The CLI: every preset, --help and --version, against starting node and doing nothing, interleaved.
    const node = (args: string[]) => () => must(process.execPath, args, { cwd: ROOT });
    const cli = { nodeOnly: [] as number[], generate: [] as number[], help: [] as number[], version: [] as number[] };
    node([CLI, 'generate', '--out', join(root, 'generated')])();
    for (let i = 0; i < CLI_RUNS; i++) {
      cli.nodeOnly.push(seconds(node(['-e', '0'])));
      cli.generate.push(seconds(node([CLI, 'generate', '--out', join(root, 'generated')])));
      cli.help.push(seconds(node([CLI, '--help'])));
      cli.version.push(seconds(node([CLI, '--version'])));
    }
    // Scaling: generate 1, 10 and 100 configs in one call; time per config and peak memory.
    const scaling = [1, 10, 100].map((n) => {
      const dir = join(root, `scale-${n}`);
      mkdirSync(dir, { recursive: true });
      const configs = Array.from({ length: n }, (_, i) => {
        const path = join(dir, `image-${i}.json`);
        writeFileSync(path, JSON.stringify({ ...base, name: `local/scale-${i}` }));
        return path;
      });
      const runs: number[] = [];
      let peakKb = 0;
      for (let i = 0; i < 3; i++) {
        let stderr = '';
        runs.push(seconds(() => {
          const r = spawnSync(process.execPath, ['--import', join(ROOT, 'bench/peak-memory.mjs'), CLI, 'generate', ...configs, '--out', join(dir, 'out')], { encoding: 'utf8' });
          if (r.status !== 0) throw new Error(r.stderr);
          stderr = r.stderr;
        }));
        peakKb = Math.max(peakKb, Number(/bench-maxrss-kb (\d+)/.exec(stderr)?.[1] ?? 0));
      }
      return { n, seconds: median(runs), peakMb: peakKb / 1024 };
    });

    const t = (id: string) => median(times.get(id)!);
    const s = (id: string) => sizes.get(id)!;
    const gen = median(cli.generate);
    const nodeOnly = median(cli.nodeOnly);
    const perConfig = (x: { n: number; seconds: number }) => ((x.seconds - nodeOnly) / x.n) * 1000;
    const targets = [
      { what: 'mmdebstrap backend, --tmpfs, vs bare mmdebstrap (floor)', value: t('mmdebstrap-tmpfs') / t('floor'), limit: 1.0, unit: '×' },
      { what: 'mmdebstrap backend, on disk, vs bare mmdebstrap (floor)', value: t('mmdebstrap') / t('floor'), limit: 1.0, unit: '×' },
      { what: 'mmdebstrap backend, --tmpfs, vs the seed by hand', value: t('mmdebstrap-tmpfs') / t('seed'), limit: 0.45, unit: '×' },
      { what: 'debootstrap backend, --tmpfs, vs the seed by hand', value: t('debootstrap-tmpfs') / t('seed'), limit: 0.85, unit: '×' },
      { what: 'debootstrap backend, on disk, vs the seed by hand', value: t('debootstrap') / t('seed'), limit: 0.85, unit: '×' },
      { what: 'rebuild with a warm package cache (warm-cache) vs a cold build (cold)', value: t('warm-cache') / t('cold'), limit: 0.5, unit: '×' },
      { what: 'rebuild of unchanged inputs with --result-cache (warm-result) vs a cold build (cold)', value: t('warm-result') / t('cold'), limit: 0.5, unit: '×' },
      { what: 'slim ja image, uncompressed', value: s('slim').tar / 1e6, limit: 85, unit: ' MB' },
      { what: '`generate` of every preset vs `node -e 0`', value: gen / nodeOnly, limit: 3, unit: '×' },
      { what: '`generate` of 100 configs, per config (beyond starting node)', value: perConfig(scaling[2]!), limit: 20, unit: ' ms' },
    ];
    const verdict = (v: number, limit: number, unit: string) =>
      v <= limit ? 'met' : `missed by ${(v - limit).toFixed(2)}${unit} (${(((v - limit) / limit) * 100).toFixed(0)}%)`;
    const tool = (cmd: string, args: string[]) => must(cmd, args).split('\n')[0]!.trim();
    const load = tool('cat', ['/proc/loadavg']);

    const chartFile = 'bench/build-times.svg';
    writeFileSync(join(ROOT, chartFile), buildTimeChart(cases.map((c) => ({ label: c.id, values: times.get(c.id)! })), median,
      `Build time, bookworm ja, uncompressed: median (bar), min to max (line), ${RUNS} round(s)`));

    const report = [
      '# Benchmarks',
      '',
      `Debian ${SUITE}, amd64, ja locales (ja_JP.UTF-8 and ja_JP.EUC-JP, default ja_JP.UTF-8), iproute2, from the build`,
      "host's own Debian mirror. Builds are timed **uncompressed**; xz -6 (all cores) is timed apart, once per case, and",
      `reported in its own columns. ${RUNS} round(s); in each round every case runs once, one after the other, so all`,
      "share the machine's noise; min / median / max over the rounds. Ratios are of medians from this one run.",
      'The seed and the floor run on disk, as typed by hand; the script is timed both on disk and with `--tmpfs`',
      '(its build in memory), and the targets list both.',
      '',
      `Load average (1, 5, 15 min) before the first round: ${loadBefore}; after the last: ${load}. Run it on an otherwise`,
      'idle machine: the load averages show whether anything else ran (the benchmark itself keeps both cores busy).',
      '',
      `Reproduce (as root, after \`sudo bash .ci/deps\`): \`make bench\` (\`BENCH_RUNS=${RUNS}\`).`,
      '',
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB,`,
      `${tool('uname', ['-sr'])}; ${tool('debootstrap', ['--version'])}, ${tool('mmdebstrap', ['--version'])}, ${tool('xz', ['--version'])}, node ${process.version}.`,
      '',
      '## Targets',
      '',
      '| measure | target | measured | |',
      '| --- | --- | --- | --- |',
      ...targets.map((x) => `| ${x.what} | ≤ ${x.limit}${x.unit} | ${x.value.toFixed(2)}${x.unit} | ${verdict(x.value, x.limit, x.unit)} |`),
      '',
      '## Build time',
      '',
      `![build times](${chartFile.replace('bench/', 'bench/')})`,
      '',
      '| case | what | uncompressed: min / median / max | vs seed | vs floor | xz -6 after it | tar | tar.xz |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...cases.map((c) => `| ${c.id} | ${c.what} | ${spread(times.get(c.id)!)} s | ${(t(c.id) / t('seed')).toFixed(2)}× | ${(t(c.id) / t('floor')).toFixed(2)}× | +${s(c.id).xzSeconds.toFixed(1)} s | ${mb(s(c.id).tar)} | ${mb(s(c.id).xz)} |`),
      `| debian:bookworm-slim | official, for reference; no locales, no iproute2 | | | | | ${mb(OFFICIAL_SLIM_TAR)} | |`,
      '',
      `Packages in the floor but not in the mmdebstrap backend's image: ${only(packageSets.get('floor')!, packageSets.get('mmdebstrap')!)}; the other way round: ${only(packageSets.get('mmdebstrap')!, packageSets.get('floor')!)}.`,
      `Packages in the mmdebstrap backend's image but not in the debootstrap backend's: ${only(packageSets.get('mmdebstrap')!, packageSets.get('debootstrap')!)}; the other way round: ${only(packageSets.get('debootstrap')!, packageSets.get('mmdebstrap')!)}.`,
      '',
      'What the slim image keeps beyond an official slim image, measured in it:',
      '',
      ...extras.map((e) => `- ${e}`),
      '',
      '## CLI',
      '',
      `The bundled CLI (dist/cli/main.js), interleaved, medians of ${CLI_RUNS}: \`node -e 0\` ${nodeOnly.toFixed(3)} s; \`--version\` ${median(cli.version).toFixed(3)} s (${(median(cli.version) / nodeOnly).toFixed(2)}×); \`--help\` ${median(cli.help).toFixed(3)} s (${(median(cli.help) / nodeOnly).toFixed(2)}×); \`generate\` of every preset (\`generated/\` up to date, so it writes nothing) ${gen.toFixed(3)} s (${(gen / nodeOnly).toFixed(2)}×).`,
      '',
      '| configs in one `generate` | time (median of 3) | per config, beyond starting node | peak memory |',
      '| --- | --- | --- | --- |',
      ...scaling.map((x) => `| ${x.n} | ${x.seconds.toFixed(3)} s | ${perConfig(x).toFixed(1)} ms | ${x.peakMb.toFixed(0)} MB |`),
      '',
    ];
    // The architectures section is measured by the platforms e2e run, not here: keep it.
    const file = join(ROOT, 'BENCHMARKS.md');
    const kept = existsSync(file) ? readFileSync(file, 'utf8').split(ARCH_SECTION)[1] : undefined;
    writeFileSync(file, report.join('\n') + (kept === undefined ? '' : `\n${ARCH_SECTION}${kept}`));
    console.log(report.join('\n'));
  } finally {
    await cacher?.stop();
    removeTree(root);
  }
});
