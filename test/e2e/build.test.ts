// End to end: the generated mkimage.sh really builds the image on this host. Each case
// renders a config (ja locales, Tokyo time, a derived image, the host's own mirror),
// runs the script as root (bootstrap, tweaks, sources, locales, tarball, and the import
// through the script's own import step: podman, or `docker` of a private Docker Engine)
// and runs every check on that one build: the tags it reports, the tarball, the files
// and commands inside the image, and the generated base and derived Dockerfiles, built
// with buildah (podman cases) or with `docker buildx bake` from the generated bake file
// and the build-vars.hcl the script wrote (docker cases), then run.
//
// A case may first interrupt a run during the locale step (SIGTERM or SIGINT) and check
// that it cleaned up; the build the checks then read is its re-run, in the same work and
// output directories, which proves that an interrupted run can simply be run again.
//
// The script runs of all cases start together, at most MKIMAGE_E2E_JOBS (default 2) at a
// time: one build keeps about one core busy, so two cores build two at once. Each test
// waits for the run it checks; a case's own runs go one after the other.
import { existsSync, linkSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_VARS_FILE, recordFiles } from '../../src/layout.js';
import type { SettingsInput } from '../../src/model/index.js';
import { ContainerStore } from './support/containers.js';
import { DockerEngine, engineProblems } from './support/docker.js';
import { describeE2E, makeTempRoot, mountsUnder, must, prerequisites, processesUnder, removeTree, tmpfsMounts, which } from './support/host.js';
import { EXIT_STATUS, expectCleanInterrupt, interruptDuring, snapshot, type Interrupted, type StopSignal } from './support/interrupt.js';
import type { HostMirrors } from './support/mirrors.js';
import { inRoot, listing, unpack } from './support/rootfs.js';
import { bakeHint, describeRun, renderConfig, runScript, ScriptRun, stopScripts, type Finished, type Rendered } from './support/script.js';

/** One build: a release, a backend, and the settings that decide what the checks expect. */
interface BuildCase {
  suite: 'bookworm' | 'trixie';
  backend: 'debootstrap' | 'mmdebstrap';
  /** gzip or zstd: xz would spend most of the time budget packing. */
  compression: 'gzip' | 'zstd';
  /** The script's own import step: podman (buildah builds the Dockerfiles) or docker (bake builds them). */
  engine: 'podman' | 'docker';
  latest: boolean;
  tags: string[];
  /** tweaks.initctl; `diverted` is what the image must then show (auto = upstart era only). */
  initctl: { setting: boolean | 'auto'; diverted: boolean };
  /** The derived image takes the Docker tweaks back out. */
  undoTweaks: boolean;
  /** First interrupt a run during the locale step with this signal; the build is then its re-run. */
  interruptFirst?: StopSignal;
  /** Both runs build in memory: --tmpfs. */
  tmpfs?: boolean;
}

// Adding a release or a backend is one line. Each interruptFirst costs nearly a whole
// bootstrap: the mmdebstrap case passes with `interruptFirst: 'SIGTERM'` too (its locale
// step runs in a hook), but the suite must stay under 10 minutes on two cores.
const CASES: BuildCase[] = [
  { suite: 'bookworm', backend: 'debootstrap', compression: 'zstd', engine: 'podman', latest: true, tags: ['ja'], initctl: { setting: 'auto', diverted: false }, undoTweaks: false, interruptFirst: 'SIGTERM' },
  { suite: 'trixie', backend: 'debootstrap', compression: 'gzip', engine: 'podman', latest: false, tags: [], initctl: { setting: true, diverted: true }, undoTweaks: true, interruptFirst: 'SIGINT', tmpfs: true },
  { suite: 'bookworm', backend: 'mmdebstrap', compression: 'zstd', engine: 'docker', latest: false, tags: ['e2e'], initctl: { setting: 'auto', diverted: false }, undoTweaks: false },
];

const LOCALES = { generate: ['ja_JP.UTF-8', 'ja_JP.EUC-JP'], default: 'ja_JP.UTF-8' };
const TIMEZONE = 'Asia/Tokyo';
/** Derived image env: Japanese text, quotes, a dollar sign and a backslash must arrive verbatim. */
const DERIVED_ENV = { E2E_GREETING: 'こんにちは 世界', E2E_QUOTED: 'a "quoted" $HOME and \\ back' };
const DERIVED_PACKAGE = 'less';
const TWEAK_FILES = ['/usr/sbin/policy-rc.d', '/etc/dpkg/dpkg.cfg.d/02apt-speedup', '/etc/apt/apt.conf.d/no-cache'];
const JOBS = Math.max(1, Number(process.env.MKIMAGE_E2E_JOBS ?? 2));

const caseName = (c: BuildCase) => `${c.suite} with ${c.backend}`;

function settingsFor(c: BuildCase, mirrors: HostMirrors): SettingsInput {
  const name = `mkimage-e2e/debian-${c.suite}-${c.backend}`;
  return {
    name,
    distro: 'debian',
    suite: c.suite,
    backend: c.backend,
    variant: 'minbase',
    mirror: mirrors.mirror,
    securityMirror: mirrors.securityMirror,
    tweaks: { initctl: c.initctl.setting },
    locales: LOCALES,
    timezone: TIMEZONE,
    output: { compression: c.compression, import: c.engine, latest: c.latest, tags: c.tags },
    derived: [{ name: `${name}-tools`, packages: [DERIVED_PACKAGE], env: DERIVED_ENV, undoTweaks: c.undoTweaks }],
  };
}

/** At most `jobs` script runs at once. */
function limiter(jobs: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= jobs) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** What a case's build leaves for its tests to check. */
interface CaseRuns {
  build: Finished;
  /** Before each progress line of the build: was the previous tarball still in place? */
  previousInPlace: boolean[];
  previousIno: number;
  /** What --dry-run printed, run after the build. */
  dryRun: Finished;
  /** At each progress line of the build: was its work dir a tmpfs? */
  workOnTmpfs: boolean[];
}

interface Interruption {
  result: Interrupted;
  outBefore: Record<string, string>;
}

interface Case {
  c: BuildCase;
  settings: SettingsInput;
  root: string;
  work: string;
  store: ContainerStore;
  rendered: Rendered;
  tarball: string;
  /** The Docker Engine of a docker case (shared by all of them). */
  engine?: DockerEngine;
  /** The environment the script runs with: the podman store's, or the engine's (its `docker` first on the PATH). */
  env: Record<string, string>;
  /** The interrupted first run, when the case has one. */
  interrupted?: Promise<Interruption>;
  runs: Promise<CaseRuns>;
}

type Prepared = Omit<Case, 'runs' | 'interrupted'>;

async function prepare(c: BuildCase, mirrors: HostMirrors, engine: DockerEngine | undefined): Promise<Prepared> {
  const root = makeTempRoot(`${c.suite}-${c.backend}`);
  const settings = settingsFor(c, mirrors);
  const rendered = await renderConfig(root, `debian-${c.suite}`, settings);
  const tarball = join(rendered.dir, `rootfs.tar.${c.compression === 'gzip' ? 'gz' : 'zst'}`);
  const store = new ContainerStore(join(root, 'containers'));
  if (c.engine === 'docker' && !engine) throw new Error('a docker case needs the engine');
  const env = c.engine === 'docker' ? { ...store.env, ...engine!.env } : store.env;
  return { c, settings, root, work: join(root, 'work'), store, rendered, tarball, env, ...(c.engine === 'docker' ? { engine: engine! } : {}) };
}

/** The runs of one case, in order: (interrupted run,) build, dry run. */
function startCase(k: Prepared, slot: ReturnType<typeof limiter>): Pick<Case, 'interrupted' | 'runs'> {
  const { c, work, env, rendered, tarball, root } = k;
  const args = ['--work-dir', work, ...(c.tmpfs ? ['--tmpfs'] : [])];
  // A tarball and checksum from an earlier run, and a second name for each: a write in place would show there.
  writeFileSync(tarball, 'previous tarball\n');
  writeFileSync(`${tarball}.sha256`, 'previous checksum\n');
  linkSync(tarball, join(root, 'previous.tar'));
  linkSync(`${tarball}.sha256`, join(root, 'previous.sha256'));
  const previousIno = statSync(tarball).ino;

  const signal = c.interruptFirst;
  const interrupted = signal
    ? (async () => {
        if (c.backend === 'mmdebstrap' && !which('mmdebstrap')) throw new Error('mmdebstrap is missing (apt: mmdebstrap)');
        const outBefore = snapshot(rendered.dir);
        const result = await slot(() => interruptDuring(rendered.script, args, { env }, { work, out: rendered.dir }, 'locales', signal));
        return { result, outBefore };
      })()
    : undefined;
  const runs = (async () => {
    // The build is the re-run: it starts once the interrupted run has ended, however that went.
    await interrupted?.catch(() => undefined);
    if (c.backend === 'mmdebstrap' && !which('mmdebstrap')) throw new Error('mmdebstrap is missing (apt: mmdebstrap)');
    const previousInPlace: boolean[] = [];
    const workOnTmpfs: boolean[] = [];
    const build = await slot(() => {
      const run = new ScriptRun(rendered.script, args, { env });
      run.onLine((line) => {
        if (!/^\[[^\]]+\] /.test(line.text)) return;
        previousInPlace.push(statSync(tarball).ino === previousIno);
        workOnTmpfs.push(tmpfsMounts().some((mnt) => mnt.startsWith(`${work}/mkimage.`)));
      });
      return run.done;
    });
    console.log(`e2e ${caseName(c)}: steps\n${build.lines.filter((l) => /^\[/.test(l.text)).map((l) => `  ${l.text}`).join('\n')}`);
    const dryRun = await runScript(rendered.script, ['--dry-run', '--work-dir', work], { env });
    return { build, previousInPlace, previousIno, dryRun, workOnTmpfs };
  })();
  // Reported by the tests that await them; never an unhandled rejection.
  interrupted?.catch(() => undefined);
  runs.catch(() => undefined);
  return interrupted ? { interrupted, runs } : { runs };
}

const prereq = await prerequisites();
if (CASES.some((c) => c.engine === 'docker')) prereq.problems.push(...engineProblems());

describeE2E('end-to-end builds', prereq, (mirrors) => {
  const cases = new Map<BuildCase, Case>();
  const slot = limiter(JOBS);
  let engine: DockerEngine | undefined;

  beforeAll(async () => {
    console.log(`e2e: ${mirrors.origin}; ${CASES.length} builds, ${JOBS} at a time`);
    if (CASES.some((c) => c.engine === 'docker')) engine = await DockerEngine.start({ label: 'build-engine' });
    for (const c of CASES) {
      const k = await prepare(c, mirrors, engine);
      cases.set(c, { ...k, ...startCase(k, slot) });
    }
  });

  // Each case removes its directory when its checks are done (disk: about 1 GB a case);
  // this catches what a failed case left, and any script still running.
  afterAll(async () => {
    await Promise.all([...cases.values()].map(settled));
    await stopScripts();
    const leaks = [...cases.values()].flatMap((k) => closeCase(k));
    const stopped = await engine?.stop();
    expect(leaks, 'mounts left behind under the test directories').toEqual([]);
    expect(stopped?.killed ?? [], 'engine processes that had to be killed').toEqual([]);
  });

  for (const c of CASES) defineChecks(c, () => cases.get(c)!);
});

/** The tags the script reports having made. */
function reportedTags(run: Finished): string[] {
  return [...run.stdout.matchAll(/^mkimage: tagged (.+)$/gm)].map((m) => m[1]!);
}

/** The major version and the UTC day of the SOURCE_DATE_EPOCH the build reports. */
function releaseFacts(run: Finished, version: string): { major: string; day: string } {
  const epoch = Number(/^mkimage: SOURCE_DATE_EPOCH=(\d+)$/m.exec(run.stdout)?.[1]);
  expect(epoch, 'the build reports SOURCE_DATE_EPOCH').toBeGreaterThan(0);
  return { major: version.split('.')[0]!, day: new Date(epoch * 1000).toISOString().slice(0, 10).replaceAll('-', '') };
}

/** The images of a case, in the store its script imported into: podman's, or the Docker Engine's. */
interface Images {
  exists(ref: string): boolean;
  id(ref: string): string;
  config(ref: string): { Env?: string[]; Cmd?: string[] };
  /** A shell script in a container of the image: its exit status and both streams. */
  probe(ref: string, script: string): { status: number; output: string };
  /** The image's size in bytes, as the engine counts its layers. */
  size(ref: string): number;
}

function imagesOf(k: Case): Images {
  const { store, engine } = k;
  if (k.c.engine === 'docker') {
    return {
      exists: (ref) => engine!.imageExists(ref),
      id: (ref) => engine!.inspect(ref).Id as string,
      config: (ref) => engine!.inspect(ref).Config as { Env?: string[]; Cmd?: string[] },
      probe: (ref, script) => {
        const result = engine!.run(ref, ['sh', '-c', `(${script}) 2>&1`]);
        return { status: result.status ?? -1, output: result.stdout };
      },
      size: (ref) => Number(engine!.inspect(ref).Size),
    };
  }
  return {
    exists: (ref) => store.imageExists(ref),
    id: (ref) => store.mustPodman(['image', 'inspect', '--format', '{{.Id}}', ref]).trim(),
    config: (ref) => JSON.parse(store.mustPodman(['image', 'inspect', '--format', '{{json .Config}}', ref])) as { Env?: string[]; Cmd?: string[] },
    probe: (ref, script) => store.probe(ref, script),
    size: (ref) => Number(store.mustPodman(['image', 'inspect', '--format', '{{.Size}}', ref]).trim()),
  };
}

/** Both runs of a case have ended, however they ended. */
async function settled(k: Case): Promise<void> {
  await k.interrupted?.catch(() => undefined);
  await k.runs.catch(() => undefined);
}

/** Remove a case's working containers and directory; returns the mounts it had to undo. */
function closeCase(k: Case): string[] {
  if (!existsSync(k.root)) return [];
  k.store.close();
  return removeTree(k.root);
}

function defineChecks(c: BuildCase, get: () => Case) {
  describe(caseName(c), () => {
    let rootfsDir: string | undefined;
    let image = '';
    let derivedImage = '';
    /** The config's id: its output folder under out/. */
    const id = () => `debian-${c.suite}`;
    /** One bake of the whole set (docker cases), from the bake file's folder, after the build; the imported id before it. */
    let bake: Promise<{ importedId: string; log: string }> | undefined;
    const baked = () =>
      (bake ??= (async () => {
        await built();
        const { engine, rendered } = get();
        const importedId = engine!.inspect(`${image}:${c.suite}`).Id as string;
        // The command the build printed, as it printed it: from the bake file's folder, this config's group.
        const hint = bakeHint((await built()).stdout);
        expect(hint).toEqual({ cwd: join(rendered.dir, '..'), files: ['docker-bake.hcl', join(rendered.dir, 'build-vars.hcl')], group: id() });
        const log = engine!.mustBake(hint.files, { cwd: hint.cwd, targets: [hint.group] });
        return { importedId, log };
      })());
    beforeAll(() => {
      image = get().settings.name as string;
      derivedImage = get().settings.derived![0]!.name;
    });
    afterAll(async () => {
      await settled(get());
      expect(closeCase(get()), 'mounts left behind under the test directory').toEqual([]);
    });

    /** The one build every check reads; a check after a failed build says so instead of guessing. */
    const built = async (): Promise<Finished> => {
      const { build } = await get().runs;
      if (build.code !== 0) throw new Error(`the build did not succeed: ${describeRun(build)}`);
      return build;
    };
    const rootfs = async (): Promise<string> => {
      await built();
      rootfsDir ??= unpack(get().tarball, join(get().root, 'rootfs'));
      return rootfsDir;
    };

    if (c.interruptFirst) {
      const signal = c.interruptFirst;
      it(`${signal} during the locale step: exits ${EXIT_STATUS[signal]}, unmounts, removes its work dir, stops its jobs, keeps the previous tarball`, { timeout: 900_000 }, async () => {
        const { result, outBefore } = await get().interrupted!;
        expectCleanInterrupt(expect, result, signal, outBefore);
        expect(result.result.stdout).not.toMatch(/^mkimage: tagged /m);
      });
    }

    it(`mkimage.sh ${c.interruptFirst ? 're-run ' : ''}builds, packs and imports; the previous tarball is replaced only once the new one is complete`, { timeout: 900_000 }, async () => {
      const { build, previousInPlace, previousIno, dryRun } = await get().runs;
      const { tarball, rendered, root, work } = get();
      expect(build.code, describeRun(build)).toBe(0);
      expect(build.stdout).toContain(`mkimage: tarball ${tarball}\n`);
      // Readers saw the previous tarball until the new one took its name, then only the new one.
      expect(previousInPlace[0]).toBe(true);
      expect(previousInPlace.join(',')).toMatch(/^(true,)*true(,false)*$/);
      expect(statSync(tarball).ino).not.toBe(previousIno);
      expect(readFileSync(join(root, 'previous.tar'), 'utf8')).toBe('previous tarball\n');
      expect(readFileSync(join(root, 'previous.sha256'), 'utf8')).toBe('previous checksum\n');
      // The checksum file names the tarball and its records and matches them; nothing else appeared beside them.
      must('sha256sum', ['-c', `${tarball}.sha256`], { cwd: rendered.dir });
      const name = tarball.slice(rendered.dir.length + 1);
      const allowed = new Set([...rendered.files.map((f) => f.split('/')[0]!), name, `${name}.sha256`, ...recordFiles(name), BUILD_VARS_FILE]);
      expect(readdirSync(rendered.dir).filter((f) => !allowed.has(f)), 'files beside the outputs').toEqual([]);
      // Its work directory is gone and nothing of it is mounted or running.
      expect(mountsUnder(work)).toEqual([]);
      expect(readdirSync(work)).toEqual([]);
      expect(processesUnder(work)).toEqual([]);
      // Every step that started also finished (hook steps nest inside mmdebstrap's), and
      // --dry-run announced exactly these steps.
      expect([...build.finished].sort()).toEqual([...build.started].sort());
      expect(dryRun.code, describeRun(dryRun)).toBe(0);
      expect(dryRun.started, describeRun(dryRun, 200)).toEqual(build.started);
    });

    if (c.tmpfs) {
      it('--tmpfs: every step ran with the work dir on a tmpfs, unmounted at the end', { timeout: 900_000 }, async () => {
        const { build, workOnTmpfs } = await get().runs;
        expect(build.code, describeRun(build)).toBe(0);
        expect(workOnTmpfs.length).toBeGreaterThan(5);
        expect(workOnTmpfs.every(Boolean), workOnTmpfs.join(',')).toBe(true);
        expect(mountsUnder(get().work)).toEqual([]);
      });
    }

    it(`reports the tags :<suite>, :<version>, :<major>, :<suite>-<date of SOURCE_DATE_EPOCH>, :latest when asked and the extra tags, and ${c.engine} has them`, { timeout: 900_000 }, async () => {
      const run = await built();
      const version = readFileSync(join(await rootfs(), 'etc/debian_version'), 'utf8').trim();
      expect(version).toMatch(/^\d+\.\d+$/);
      const { major, day } = releaseFacts(run, version);
      const reported = reportedTags(run);
      const wanted = [c.suite, version, major, `${c.suite}-${day}`, ...(c.latest ? ['latest'] : []), ...c.tags].map((t) => `${image}:${t}`);
      expect([...reported].sort()).toEqual([...wanted].sort());
      // What bake reads: the same facts, beside the tarball.
      const vars = readFileSync(join(get().rendered.dir, 'build-vars.hcl'), 'utf8');
      const prefix = `mkimage_debian_${c.suite}`;
      expect(vars).toContain(`${prefix}_version = "${version}"\n`);
      expect(vars).toContain(`${prefix}_major = "${major}"\n`);
      expect(vars).toContain(`${prefix}_date = "${day}"\n`);
      const images = imagesOf(get());
      const ids = new Set<string>();
      for (const ref of reported) {
        expect(images.exists(ref), `${c.engine} has ${ref}`).toBe(true);
        ids.add(images.id(ref));
      }
      expect(ids.size, 'every tag names the same image').toBe(1);
      if (!c.latest) expect(images.exists(`${image}:latest`)).toBe(false);
      const config = images.config(reported[0]!);
      expect(config.Env).toContain(`LANG=${LOCALES.default}`);
      expect(config.Cmd).toEqual(['bash']);
    });

    it('the tarball stores numeric owners only (tar --numeric-owner)', { timeout: 900_000 }, async () => {
      await built();
      const entries = listing(get().tarball);
      expect(entries.length).toBeGreaterThan(1000);
      const owners = entries.map((line) => line.split(/\s+/)[1]!);
      const named = owners.filter((o) => !/^\d+\/\d+$/.test(o));
      expect(named.slice(0, 5), 'owners stored as names').toEqual([]);
      // Not everything is root: the ids really come from the rootfs (e.g. group mail, staff, _apt).
      expect(owners.some((o) => o !== '0/0')).toBe(true);
    });

    it('inside: `ip` works (the network package is there)', { timeout: 900_000 }, async () => {
      const dir = await rootfs();
      const version = inRoot(dir, ['ip', '-V']);
      expect(version.status, version.stderr).toBe(0);
      expect(version.stdout).toMatch(/iproute2/);
      const links = inRoot(dir, ['ip', '-o', 'link', 'show']);
      expect(links.status, links.stderr).toBe(0);
      expect(links.stdout).toMatch(/: lo:/);
    });

    it(`inside: policy-rc.d exits 101; initctl is ${c.initctl.diverted ? 'diverted to /bin/true' : 'left alone'} (initctl: ${c.initctl.setting})`, { timeout: 900_000 }, async () => {
      const dir = await rootfs();
      const policy = inRoot(dir, ['/usr/sbin/policy-rc.d', 'x', 'start']);
      expect(policy.status).toBe(101);
      const diversions = inRoot(dir, ['dpkg-divert', '--list', '/sbin/initctl']);
      expect(diversions.status, diversions.stderr).toBe(0);
      const initctl = join(dir, 'sbin/initctl');
      if (c.initctl.diverted) {
        expect(diversions.stdout).toMatch(/local diversion of \/sbin\/initctl to \/sbin\/initctl\.distrib/);
        expect(lstatSync(initctl).isSymbolicLink()).toBe(true);
        expect(readlinkSync(initctl)).toBe('/bin/true');
        expect(inRoot(dir, ['/sbin/initctl', 'start', 'anything']).status).toBe(0);
      } else {
        expect(diversions.stdout).toBe('');
        expect(existsSync(initctl)).toBe(false);
      }
    });

    it('inside: the dpkg speedup and the no-cache hook are installed', { timeout: 900_000 }, async () => {
      const dir = await rootfs();
      expect(readFileSync(join(dir, 'etc/dpkg/dpkg.cfg.d/02apt-speedup'), 'utf8')).toMatch(/^force-unsafe-io$/m);
      const noCache = readFileSync(join(dir, 'etc/apt/apt.conf.d/no-cache'), 'utf8');
      expect(noCache).toMatch(/DPkg::Post-Invoke/);
      expect(noCache).toContain('/var/cache/apt/archives/*.deb');
      // apt itself reads it: the hook is in its configuration.
      expect(inRoot(dir, ['apt-config', 'dump', 'DPkg::Post-Invoke']).stdout).toContain('/var/cache/apt/archives/*.deb');
    });

    it('inside: apt sources have the suite, -updates and -security, on the configured mirrors', { timeout: 900_000 }, async () => {
      const dir = await rootfs();
      const { mirror, securityMirror } = get().settings as { mirror: string; securityMirror: string };
      // apt parses the sources itself and prints what `update` would fetch, without fetching.
      const uris = inRoot(dir, ['apt-get', 'update', '--print-uris']);
      expect(uris.status, uris.stderr).toBe(0);
      const fetched = [...uris.stdout.matchAll(/^'([^']+\/InRelease)'/gm)].map((m) => m[1]!);
      expect(fetched.sort()).toEqual(
        [`${mirror}/dists/${c.suite}/InRelease`, `${mirror}/dists/${c.suite}-updates/InRelease`, `${securityMirror}/dists/${c.suite}-security/InRelease`].sort(),
      );
    });

    it('inside: locale -a lists ja_JP.utf8 and ja_JP.eucjp; the default locale is ja_JP.UTF-8', { timeout: 900_000 }, async () => {
      const dir = await rootfs();
      const locales = inRoot(dir, ['locale', '-a']);
      expect(locales.status, locales.stderr).toBe(0);
      expect(locales.stdout.split('\n')).toEqual(expect.arrayContaining(['ja_JP.utf8', 'ja_JP.eucjp']));
      expect(readFileSync(join(dir, 'etc/default/locale'), 'utf8')).toMatch(/^LANG=ja_JP\.UTF-8$/m);
      // The locale really works: a Japanese weekday, and no complaint from setlocale.
      const date = inRoot(dir, ['date', '-d', '@0', '+%A'], { LANG: 'ja_JP.UTF-8', TZ: 'UTC' });
      expect(date.stderr).toBe('');
      expect(date.stdout.trim()).toBe('木曜日');
    });

    it('inside: the time zone is Asia/Tokyo', { timeout: 900_000 }, async () => {
      const dir = await rootfs();
      expect(readFileSync(join(dir, 'etc/timezone'), 'utf8').trim()).toBe(TIMEZONE);
      expect(inRoot(dir, ['date', '-d', '@0', '+%H %Z']).stdout.trim()).toBe('09 JST');
    });

    it('inside: no .deb in /var/cache/apt/archives, no binary caches and no package lists', { timeout: 900_000 }, async () => {
      const dir = await rootfs();
      expect(readdirSync(join(dir, 'var/cache/apt/archives')).filter((f) => f.endsWith('.deb'))).toEqual([]);
      expect(readdirSync(join(dir, 'var/cache/apt')).filter((f) => f.endsWith('.bin'))).toEqual([]);
      expect(readdirSync(join(dir, 'var/lib/apt/lists')).filter((f) => f !== 'partial' && f !== 'lock')).toEqual([]);
    });

    if (c.engine === 'podman') {
      it('buildah builds the generated base Dockerfile from the tarball', { timeout: 900_000 }, async () => {
        const dir = await rootfs();
        const { store, rendered } = get();
        store.bud(`${image}:${c.suite}`, rendered.dockerfile, rendered.dir);
        const version = readFileSync(join(dir, 'etc/debian_version'), 'utf8').trim();
        const inside = store.probe(`${image}:${c.suite}`, 'cat /etc/debian_version; echo "$LANG"');
        expect(inside.status, inside.output).toBe(0);
        expect(inside.output).toBe(`${version}\n${LOCALES.default}\n`);
      });
    } else {
      it('docker buildx bake (generated bake file + the build-vars.hcl the script wrote) builds base and derived; its base tags equal the import\'s', { timeout: 900_000 }, async () => {
        const dir = await rootfs();
        const run = await built();
        const { engine, rendered } = get();
        const { importedId } = await baked();
        const reported = reportedTags(run);
        const targets = Object.values(engine!.bakePrint(['docker-bake.hcl', `${id()}/build-vars.hcl`], { cwd: join(rendered.dir, '..') }));
        const base = targets.find((t) => t.context === id());
        expect(base, 'the base target').toBeDefined();
        expect([...base!.tags!].sort()).toEqual([...reported].sort());
        // Every tag now names the one image bake built from the Dockerfile, not the imported one.
        const ids = new Set(reported.map((ref) => engine!.inspect(ref).Id as string));
        expect(ids.size, 'every tag names the same image').toBe(1);
        expect([...ids][0]).not.toBe(importedId);
        const version = readFileSync(join(dir, 'etc/debian_version'), 'utf8').trim();
        expect(engine!.mustRun(`${image}:${c.suite}`, 'cat /etc/debian_version; echo "$LANG"')).toBe(`${version}\n${LOCALES.default}\n`);
      });
    }

    it(`${c.engine === 'podman' ? 'buildah' : 'docker buildx bake'} builds the derived Dockerfile: ${DERIVED_PACKAGE} installed, its env set, tweaks ${c.undoTweaks ? 'undone' : 'kept'}`, { timeout: 900_000 }, async () => {
      await built();
      const { store, rendered } = get();
      const dir = rendered.derived.get(derivedImage.slice(derivedImage.lastIndexOf('/') + 1));
      expect(dir, 'the derived Dockerfile was generated').toBeDefined();
      if (c.engine === 'podman') store.bud(`${derivedImage}:${c.suite}`, join(dir!, 'Dockerfile'), dir!);
      else await baked();
      const images = imagesOf(get());
      const probe = [
        `dpkg-query -W -f='\${Status}\\n' ${DERIVED_PACKAGE}`,
        'echo "GREETING=$E2E_GREETING"',
        'echo "QUOTED=$E2E_QUOTED"',
        'echo "LANG=$LANG"',
        'echo "debs=$(find /var/cache/apt/archives -name "*.deb" | wc -l)"',
        ...TWEAK_FILES.map((f) => `if [ -e ${f} ]; then echo "present ${f}"; else echo "absent ${f}"; fi`),
      ].join('; ');
      const inside = images.probe(`${derivedImage}:${c.suite}`, probe);
      expect(inside.status, inside.output).toBe(0);
      expect(inside.output.split('\n')).toEqual([
        'install ok installed',
        `GREETING=${DERIVED_ENV.E2E_GREETING}`,
        `QUOTED=${DERIVED_ENV.E2E_QUOTED}`,
        `LANG=${LOCALES.default}`,
        'debs=0',
        ...TWEAK_FILES.map((f) => `${c.undoTweaks ? 'absent' : 'present'} ${f}`),
        '',
      ]);
      const env = images.config(`${derivedImage}:${c.suite}`).Env;
      expect(env).toEqual(expect.arrayContaining(Object.entries(DERIVED_ENV).map(([k, v]) => `${k}=${v}`)));
    });

    it(`the derived image holds only what it installs: its size minus its base's is ${DERIVED_PACKAGE}'s installed size, no apt caches, no lists`, { timeout: 900_000 }, async () => {
      await built();
      const images = imagesOf(get());
      // One container per image (each costs seconds): the packages, and in the derived one
      // also what is left in apt's cache and lists and the largest files the install wrote.
      const PACKAGES = "dpkg-query -W -f='${binary:Package} ${Version} ${Installed-Size}\\n'";
      const fence = '--- mkimage-e2e ---';
      const base = images.probe(`${image}:${c.suite}`, PACKAGES);
      expect(base.status, base.output).toBe(0);
      const probe = images.probe(
        `${derivedImage}:${c.suite}`,
        [
          PACKAGES,
          `echo '${fence}'`,
          'ls -A /var/cache/apt/ /var/lib/apt/lists/',
          'find /var/cache/apt/archives -name "*.deb"',
          `echo '${fence}'`,
          'find / -xdev -type f -mmin -60 -printf "%s %p\\n" | sort -n | tail -15',
        ].join('; '),
      );
      expect(probe.status, probe.output).toBe(0);
      const [packages, apt, recent] = probe.output.split(`${fence}\n`) as [string, string, string];
      const lines = (text: string) => text.split('\n').filter((line) => line !== '');
      const before = new Set(lines(base.output));
      const added = lines(packages).filter((line) => !before.has(line));
      expect(added.map((line) => line.split(' ')[0]!.replace(/:.*/, ''))).toContain(DERIVED_PACKAGE);
      // dpkg's Installed-Size is in KiB.
      const installed = added.reduce((sum, line) => sum + Number(line.split(' ')[2]) * 1024, 0);
      const grown = images.size(`${derivedImage}:${c.suite}`) - images.size(`${image}:${c.suite}`);
      // What the layer holds besides the packages' files: what any install rewrites (dpkg's
      // status and its backup, apt's and dpkg's logs, ld.so.cache, the engine's tar headers).
      const besides = grown - installed;
      console.log(`build e2e ${caseName(c)}: derived image grew ${grown} bytes; its new packages (${added.join(', ')}) install ${installed}; besides them ${besides}`);
      expect(Math.abs(besides), `bytes besides the packages; the largest files the install wrote:\n${recent}`).toBeLessThan(1024 * 1024);
      const left = lines(apt).filter((name) => !name.endsWith(':') && !['archives', 'partial', 'lock', 'auxfiles'].includes(name));
      expect(left, 'apt caches, package lists or .debs left in the derived image').toEqual([]);
    });
  });
}
