// The benchmark: build time and image size of the generated script (both backends)
// against the seed's steps done by hand and a bare mmdebstrap (the floor), and the
// generator's own speed against `node -e 0`. Every figure comes from this one run,
// cases interleaved round by round so a noisy machine slows them alike; the medians
// and ratios go to BENCHMARKS.md. Run as root: `make bench` (BENCH_RUNS=3 by default).
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { SettingsInput } from '../src/model/index.js';
import { makeTempRoot, must, prerequisites, removeTree } from '../test/e2e/support/host.js';
import { renderConfig } from '../test/e2e/support/script.js';

const ROOT = new URL('..', import.meta.url).pathname;
const ARCH_SECTION = '## Architectures (measured by the platforms e2e test)';
const RUNS = Number(process.env.BENCH_RUNS ?? '3');
const SUITE = 'bookworm';
const JA = { generate: ['ja_JP.UTF-8', 'ja_JP.EUC-JP'], default: 'ja_JP.UTF-8' };
/** debian:bookworm-slim as the issue quotes it, for reference. */
const OFFICIAL_SLIM = { tar: 74.8e6, compressed: 28.2e6 };

interface Case {
  id: string;
  what: string;
  /** Builds the tarball at `output`. */
  build: (output: string) => void;
}

function seconds(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const only = (a: Set<string>, b: Set<string>) => [...a].filter((p) => !b.has(p)).sort().join(', ') || 'none';
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** Installed packages, read from the dpkg status file in the tarball. */
function packages(tarball: string): Set<string> {
  const status = must('sh', ['-c', 'xz -dc "$1" | tar -xO ./var/lib/dpkg/status', 'sh', tarball]);
  return new Set([...status.matchAll(/^Package: (\S+)$/gm)].map((m) => m[1]!));
}

function uncompressedSize(tarball: string): number {
  return Number(must('sh', ['-c', 'xz -dc "$1" | wc -c', 'sh', tarball]).trim());
}

/** What the Japanese locales and the network package add, measured in the slim image. */
function slimExtras(tarball: string, dir: string): string[] {
  must('mkdir', ['-p', dir]);
  must('tar', ['-C', dir, '-xJf', tarball]);
  const du = (path: string) => Number(must('du', ['-sb', join(dir, path)]).split('\t')[0]) || 0;
  const installed = (pkgs: string[]) =>
    must('chroot', [dir, 'dpkg-query', '-W', '-f', '${Installed-Size}\\n', ...pkgs])
      .trim()
      .split('\n')
      .reduce((sum, kb) => sum + Number(kb) * 1024, 0);
  return [
    `locale sources and charmaps kept for the ja locales (/usr/share/i18n): ${mb(du('usr/share/i18n'))}`,
    `generated locales (/usr/lib/locale): ${mb(du('usr/lib/locale'))}`,
    `glibc character set converters, needed by EUC-JP (/usr/lib/x86_64-linux-gnu/gconv): ${mb(du('usr/lib/x86_64-linux-gnu/gconv'))}`,
    `iproute2 and the libraries only it uses, as installed: ${mb(installed(['iproute2', 'libbpf1', 'libelf1', 'libmnl0', 'libxtables12', 'libcap2-bin']))}`,
  ];
}

test('benchmark', async () => {
  const prereq = await prerequisites();
  expect(prereq.problems, 'the benchmark builds real images: run it as root after sudo bash .ci/deps').toEqual([]);
  const { mirror, securityMirror } = prereq.mirrors!;
  const root = makeTempRoot('bench');
  // Whatever fails, the builds' files go: a benchmark leaves nothing behind.
  try {
    const base: SettingsInput = {
      name: 'local/bench',
      distro: 'debian',
      suite: SUITE,
      mirror,
      securityMirror,
      locales: JA,
      output: { compression: 'xz', import: 'none' },
    };
    // Each config in a folder of its own: generating one removes the others' files as orphans.
    const debootstrap = await renderConfig(join(root, 'debootstrap'), 'debootstrap', base);
    const mmdebstrap = await renderConfig(join(root, 'mmdebstrap'), 'mmdebstrap', { ...base, backend: 'mmdebstrap' });
    const slim = await renderConfig(join(root, 'slim'), 'slim', { ...base, backend: 'mmdebstrap', slim: true });
    const lines = (suites: string[]) =>
      suites.map((s) => `deb ${s.endsWith('-security') ? securityMirror : mirror} ${s} main`);
    const script = (rendered: { script: string }) => (output: string) => {
      const out = join(root, `run-${Date.now()}`);
      must('bash', [rendered.script, '--output-dir', out]);
      must('mv', [join(out, 'rootfs.tar.xz'), output]);
      removeTree(out);
    };

    const cases: Case[] = [
      {
        id: 'seed',
        what: "the seed's steps by hand (bench/seed-by-hand.sh: debootstrap, tweaks, sources, upgrade, locales, clean, tar -caf .tar.xz)",
        build: (output) => must('bash', [join(ROOT, 'bench/seed-by-hand.sh'), mirror, securityMirror, SUITE, output]),
      },
      {
        id: 'floor',
        what: 'bare mmdebstrap --variant=minbase --include=iproute2,locales, the same sources, its tar stream through the same xz as ours',
        build: (output) =>
          must('bash', [
            '-o',
            'pipefail',
            '-c',
            'mmdebstrap --variant=minbase --include=iproute2,locales "$1" - "${@:3}" | xz --threads=0 -6 > "$2"',
            'bash',
            SUITE,
            output,
            ...lines([SUITE, `${SUITE}-updates`, `${SUITE}-security`]),
          ]),
      },
      { id: 'debootstrap', what: 'generated mkimage.sh, debootstrap backend', build: script(debootstrap) },
      { id: 'mmdebstrap', what: 'generated mkimage.sh, mmdebstrap backend', build: script(mmdebstrap) },
      { id: 'slim', what: 'generated mkimage.sh, mmdebstrap backend, slim: true', build: script(slim) },
    ];

    const times = new Map<string, number[]>(cases.map((c) => [c.id, []]));
    const sizes = new Map<string, { tar: number; xz: number }>();
    const packageSets = new Map<string, Set<string>>();
    let extras: string[] = [];
    for (let round = 1; round <= RUNS; round++) {
      for (const c of cases) {
        const output = join(root, `${c.id}.tar.xz`);
        times.get(c.id)!.push(seconds(() => c.build(output)));
        if (round === 1) {
          sizes.set(c.id, { tar: uncompressedSize(output), xz: statSync(output).size });
          packageSets.set(c.id, packages(output));
          if (c.id === 'slim') extras = slimExtras(output, join(root, 'slim-rootfs'));
        }
        removeTree(output);
      }
    }

    // The generator: every preset, against starting node and doing nothing.
    const node = (args: string[]) => () => must(process.execPath, args, { cwd: ROOT });
    const genOut = join(root, 'generated');
    const generatorRuns = { nodeOnly: [] as number[], generate: [] as number[] };
    const libraries = ['zod', 'yargs', 'handlebars', 'yaml'];
    const importRuns = new Map<string, number[]>(libraries.map((lib) => [lib, []]));
    for (let i = 0; i < 7; i++) {
      generatorRuns.nodeOnly.push(seconds(node(['-e', '0'])));
      generatorRuns.generate.push(seconds(node(['dist/src/cli/main.js', 'generate', '--out', genOut])));
      for (const lib of libraries) {
        importRuns.get(lib)!.push(seconds(node(['--input-type=module', '-e', `await import('${lib}')`])));
      }
    }

    const t = (id: string) => median(times.get(id)!);
    const s = (id: string) => sizes.get(id)!;
    const gen = median(generatorRuns.generate);
    const nodeOnly = median(generatorRuns.nodeOnly);
    const targets = [
      { what: 'mmdebstrap backend vs seed by hand', value: t('mmdebstrap') / t('seed'), limit: 0.45 },
      { what: 'mmdebstrap backend vs bare mmdebstrap (floor)', value: t('mmdebstrap') / t('floor'), limit: 1.3 },
      { what: 'debootstrap backend vs seed by hand', value: t('debootstrap') / t('seed'), limit: 1.0 },
      { what: 'slim image with the ja locales, uncompressed (MB)', value: s('slim').tar / 1e6, limit: 85 },
      { what: 'generate of every preset vs node -e 0', value: gen / nodeOnly, limit: 5 },
    ];
    const verdict = (v: number, limit: number) =>
      v <= limit ? 'met' : `missed by ${(v - limit).toFixed(2)} (${(((v - limit) / limit) * 100).toFixed(0)}%)`;
    const tool = (cmd: string, args: string[]) => must(cmd, args).split('\n')[0]!.trim();

    const report = [
      '# Benchmarks',
      '',
      `Debian ${SUITE}, amd64, ja locales (ja_JP.UTF-8 and ja_JP.EUC-JP, default ja_JP.UTF-8), iproute2,`,
      "from the build host's own Debian mirror; every tarball xz -6: the seed's `tar -caf` runs xz",
      'on one thread, as the article does; the floor and the generated scripts use all cores. Medians of',
      `${RUNS} rounds; in each round every case runs once, one after the other, so all share the machine's noise.`,
      '',
      `Reproduce (as root, after \`sudo bash .ci/deps\`): \`make bench\` (\`BENCH_RUNS=${RUNS}\`).`,
      '',
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB,`,
      `${tool('uname', ['-sr'])}; ${tool('debootstrap', ['--version'])}, ${tool('mmdebstrap', ['--version'])}, ${tool('xz', ['--version'])}, node ${process.version}.`,
      '',
      '## Build time',
      '',
      '| case | median | all runs | vs seed by hand | vs floor |',
      '| --- | --- | --- | --- | --- |',
      ...cases.map(
        (c) =>
          `| ${c.id}: ${c.what} | ${t(c.id).toFixed(1)} s | ${times.get(c.id)!.map((x) => x.toFixed(1)).join(', ')} | ${ratio(t(c.id), t('seed'))} | ${ratio(t(c.id), t('floor'))} |`,
      ),
      '',
      '## Image size',
      '',
      '| case | tar | tar.xz |',
      '| --- | --- | --- |',
      ...cases.map((c) => `| ${c.id} | ${mb(s(c.id).tar)} | ${mb(s(c.id).xz)} |`),
      `| debian:bookworm-slim (official, for reference; no locales, no iproute2) | ${mb(OFFICIAL_SLIM.tar)} | ${mb(OFFICIAL_SLIM.compressed)} |`,
      '',
      `Packages in the floor but not in the mmdebstrap backend's image: ${only(packageSets.get('floor')!, packageSets.get('mmdebstrap')!)}.`,
      `Packages in the mmdebstrap backend's image but not in the debootstrap backend's: ${only(packageSets.get('mmdebstrap')!, packageSets.get('debootstrap')!)};`,
      `the other way round: ${only(packageSets.get('debootstrap')!, packageSets.get('mmdebstrap')!)}.`,
      '',
      'What the slim image holds beyond bookworm-slim, measured in it:',
      '',
      ...extras.map((e) => `- ${e}`),
      '',
      '## Generator',
      '',
      `\`mkimage-gen generate\` of every preset: ${gen.toFixed(3)} s; \`node -e 0\`: ${nodeOnly.toFixed(3)} s; ratio ${ratio(gen, nodeOnly)} (medians of 7).`,
      'Loading each library the CLI needs, beyond starting node (medians of 7):',
      '',
      ...libraries.map((lib) => `- ${lib}: +${(median(importRuns.get(lib)!) - nodeOnly).toFixed(3)} s`),
      '',
      'Scripts are rendered without a formatting pass (the templates are in shfmt style and the',
      'tests prove it); formatting through prettier-plugin-sh took about half a second per generate.',
      '',
      '## Targets',
      '',
      '| target | limit | measured | |',
      '| --- | --- | --- | --- |',
      ...targets.map((x) => `| ${x.what} | ${x.limit} | ${x.value.toFixed(2)} | ${verdict(x.value, x.limit)} |`),
      '',
    ];
    // The architectures section is measured by the platforms e2e run, not here: keep it.
    const file = join(ROOT, 'BENCHMARKS.md');
    const kept = existsSync(file) ? readFileSync(file, 'utf8').split(ARCH_SECTION)[1] : undefined;
    writeFileSync(file, report.join('\n') + (kept === undefined ? '' : `\n${ARCH_SECTION}${kept}`));
    console.log(report.join('\n'));
  } finally {
    removeTree(root);
  }
});
