// The steps of the generated script, as data: which shell functions run, in which
// order, at which stage, each with the values its template needs. This list is the
// only place that says so; the script defines the functions in this order and calls
// them from it. Adding a step: one template in templates/steps/, one entry here.
import { localeCharset } from '../model/formats.js';
import { supportedLine } from '../releases/locales.js';
import type { Resolved } from './resolve.js';
import { accountCommands, caCertificateFiles, hookStep, imageFiles, repositoriesStep, repositoryKeyrings } from './additions.js';
import { OCI } from './dockerfiles.js';
import { planSlim } from './slim.js';
import { minimalSteps } from './minimal.js';
import { ONE_LINE_SOURCES, sourcesFile } from './sources.js';
import { INITCTL, tweakFiles, undoCommands, validityAptFile } from './tweaks.js';

/**
 * main: the script runs it itself. setup, essential, customize: mmdebstrap calls the
 * script back at that hook stage, with its rootfs.
 */
export type Stage = 'main' | 'setup' | 'essential' | 'customize';
export const HOOK_STAGES = ['setup', 'essential', 'customize'] as const;

/** One step: the shell function `fn`, defined by templates/steps/<fn>.hbs from `data`. */
export interface StepPlan {
  fn: string;
  title: string;
  stage: Stage;
  /** The progress line's label: `3/9` for the script's own steps, `hook customize` inside mmdebstrap. */
  label: string;
  /** The template that defines the function, relative to templates/. */
  template: string;
  /** main runs it once for each architecture (with ARCH, ROOTFS, TARBALL, ... of that one). */
  perArch: boolean;
  data: object;
}

export interface StepSpec {
  fn: string;
  title: string;
  data?: object;
  /** The template under templates/steps/, where it is not named after fn (the hook steps share one). */
  template?: string;
  /** Runs once for all architectures (release date, import, OCI), not once per architecture. */
  once?: boolean;
}

/** A step's call: what `main` or a hook stage runs. */
export type StepCall = Pick<StepPlan, 'fn' | 'title' | 'label'>;

/**
 * The sources file each architecture gets (the image's, or the build's), one entry per
 * distinct file with the architectures that get it; perArch where they differ (Ubuntu's
 * ports architectures read another mirror).
 */
function sourcesByArch(r: Resolved, which: 'sources' | 'buildSources') {
  const files: { arches: string[]; file: ReturnType<typeof sourcesFile> }[] = [];
  for (const build of r.builds) {
    const file = sourcesFile(r, build[which]);
    const same = files.find((g) => g.file.content === file.content && g.file.path === file.path);
    if (same) same.arches.push(build.arch);
    else files.push({ arches: [build.arch], file });
  }
  return { perArch: files.length > 1, files };
}

/** debconf names a locale by its line in glibc's SUPPORTED list: `ja_JP.UTF-8 UTF-8`, `en_US ISO-8859-1`. */
const localeGenEntry = (locale: string) => supportedLine(locale) ?? `${locale} ${localeCharset(locale)}`;
const lines = (items: string[]) => items.map((line) => `${line}\n`).join('');

function localeSelections(r: Resolved): string {
  const s = r.settings;
  const locales = [...s.locales.generate].sort();
  return lines([
    `locales locales/locales_to_be_generated multiselect ${locales.map(localeGenEntry).join(', ')}`,
    `locales locales/default_environment_locale select ${s.locales.default ?? 'None'}`,
  ]);
}

/** tzdata files single names (UTC) under its area Etc. */
function timezoneSelections(zone: string): string {
  const [area, ...city] = zone.includes('/') ? zone.split('/') : ['Etc', zone];
  return lines([`tzdata tzdata/Areas select ${area}`, ...(city.length > 0 ? [`tzdata tzdata/Zones/${area} select ${city.join('/')}`] : [])]);
}

/**
 * What mmdebstrap installs for the chroot steps in its own apt run, with the variant:
 * locales and tzdata, their debconf answers given at the essential hook. One apt run
 * instead of two more inside the customize hook.
 */
export function hookInstalls(r: Resolved): string[] {
  const s = r.settings;
  if (s.backend !== 'mmdebstrap') return [];
  return [...(s.locales.generate.length > 0 ? ['locales'] : []), ...(s.timezone !== undefined ? ['tzdata'] : [])];
}

/** debootstrap: the build runs apt-get update (and so reads every source) once the sources are in place. */
const debootstrapUpdates = (r: Resolved) =>
  r.settings.upgrade || r.settings.locales.generate.length > 0 || r.settings.timezone !== undefined || r.aptInstall.length > 0;

/** mmdebstrap: apt-get update runs again at the customize hook, for the extra repositories' packages. */
const mmdebstrapUpdates = (r: Resolved) => r.settings.backend === 'mmdebstrap' && r.repositories.length > 0 && r.aptInstall.length > 0;

/**
 * The Release files each architecture's build reads, as `<uri>/dists/<suite>`: debootstrap
 * reads the suite's, then every source's when apt-get update runs; mmdebstrap every
 * source's at once. The extra repositories' are read where an apt-get update runs after
 * their sources are in place. release_date checks these before the build, and the build
 * proves it read these same files.
 */
export function releasesRead(r: Resolved): { arch: string; dists: string[] }[] {
  const mmdebstrap = r.settings.backend === 'mmdebstrap';
  const readsAll = mmdebstrap || debootstrapUpdates(r);
  const readsRepositories = mmdebstrap ? mmdebstrapUpdates(r) : debootstrapUpdates(r);
  const repositories = r.repositories.flatMap((repo) => repo.suites.map((suite) => `${repo.uri}/dists/${suite}`));
  return r.builds.map((b) => ({
    arch: b.arch,
    dists: [
      ...new Set([
        ...(readsAll ? b.buildSources : b.buildSources.slice(0, 1)).map((src) => `${src.uri}/dists/${src.suite}`),
        ...(readsRepositories ? repositories : []),
      ]),
    ],
  }));
}

/** mmdebstrap's dpkg runs under eatmydata (its hook needs dpkg-architecture on the host): see mmdebstrap_build. */
export const usesEatmydata = (r: Resolved) => r.settings.backend === 'mmdebstrap' && r.distro.eatmydata && r.profile === null;

/** The debconf answers and time zone files mmdebstrap's essential hook sets before it installs hookInstalls(). */
function preseedStep(r: Resolved): StepSpec[] {
  const s = r.settings;
  const debconfLocales = s.locales.generate.length > 0 && r.distro.localeMethod === 'debconf';
  if (!debconfLocales && s.timezone === undefined) return [];
  return [
    {
      fn: 'debconf_preseed',
      title: 'debconf answers',
      data: {
        selections: (debconfLocales ? localeSelections(r) : '') + (s.timezone !== undefined ? timezoneSelections(s.timezone) : ''),
        timezone: s.timezone !== undefined,
      },
    },
  ];
}

/**
 * The chroot work both backends do, in the same order, so both give the same image.
 * With mmdebstrap, locales and tzdata arrive in its own apt run (`preseeded`), so the
 * locale step only sets the default and the time zone step has nothing left to do.
 */
function rootfsWork(r: Resolved): { sources: StepSpec[]; rest: StepSpec[] } {
  const s = r.settings;
  const preseeded = s.backend === 'mmdebstrap';
  const zone = s.timezone;
  const slim = planSlim(s);
  const buildValidity = validityAptFile(r, true);
  const sources: StepSpec = {
    fn: 'apt_sources',
    title: 'apt sources',
    data: {
      // Ubuntu's ports architectures read another mirror: then each gets its own file.
      ...sourcesByArch(r, 'buildSources'),
      replaces: r.sourcesFormat === 'deb822' ? ONE_LINE_SOURCES : null,
      validity: buildValidity,
      snapshot: r.snapshot?.timestamp ?? null,
    },
  };
  const certificates = caCertificateFiles(s);
  const repositories = repositoriesStep(r);
  const before: StepSpec[] = [
    // First, so apt already trusts the company CA when it reads an https repository.
    ...(certificates.length > 0 ? [{ fn: 'ca_certificates', title: 'CA certificates', data: { certificates } }] : []),
    sources,
    ...(repositories ? [{ fn: 'apt_repositories', title: 'extra repositories and pins', data: repositories }] : []),
  ];
  const steps: StepSpec[] = [];
  if (r.aptInstall.length > 0) {
    steps.push({
      fn: 'install_packages',
      title: 'install packages',
      data: {
        packages: r.aptInstall,
        // mmdebstrap's package lists predate the extra repositories; debootstrap's update step runs after them.
        update: mmdebstrapUpdates(r),
        downgrades: r.aptInstall.some((p) => p.includes('=')),
      },
    });
  }
  const accounts = accountCommands(s);
  if (accounts.length > 0) steps.push({ fn: 'accounts', title: 'users and groups', data: { commands: accounts } });
  const files = imageFiles(s);
  if (files.length > 0) steps.push({ fn: 'image_files', title: 'files', data: { files } });
  if (s.locales.generate.length > 0) {
    steps.push({
      fn: 'locales',
      title: 'locales',
      data: {
        debconf: r.distro.localeMethod === 'debconf',
        preseeded,
        selections: localeSelections(r),
        setDefault: s.locales.default !== undefined,
      },
    });
  }
  if (zone !== undefined && !preseeded) steps.push({ fn: 'timezone', title: 'timezone', data: { selections: timezoneSelections(zone) } });
  const afterPackages = hookStep(s, 'after-packages');
  if (afterPackages) steps.push({ ...afterPackages, template: 'run_hooks' });
  if (slim) steps.push({ fn: 'slim', title: 'slim', data: slim });
  if (r.buildSources !== r.sources) {
    // The build installed from the snapshot; the image's apt reads the regular mirror.
    const imageValidity = validityAptFile(r, false);
    steps.push({
      fn: 'image_sources',
      title: 'image apt sources',
      data: { ...sourcesByArch(r, 'sources'), removeValidity: buildValidity !== null && imageValidity === null ? buildValidity.path : null },
    });
  }
  if (s.clean) steps.push({ fn: 'apt_clean', title: 'apt clean' });
  const beforePack = hookStep(s, 'before-pack');
  if (beforePack) steps.push({ ...beforePack, template: 'run_hooks' });
  steps.push({ fn: 'finalize', title: 'finalize', data: { undo: undoCommands(r), clearTmp: s.backend !== 'mmdebstrap' } });
  return { sources: before, rest: steps };
}

function tweakSteps(r: Resolved): { write: StepSpec[]; apt: StepSpec[]; divert: StepSpec[] } {
  const files = tweakFiles(r);
  // mmdebstrap: dpkg's and invoke-rc.d's tweaks before it installs anything; apt's own
  // (no-cache, gzipped lists, ...) only once it is done, so its apt run neither
  // decompresses lists nor deletes the .debs a package cache keeps.
  const deferred = r.settings.backend === 'mmdebstrap' ? files.filter((f) => f.path.startsWith('/etc/apt/')) : [];
  const now = files.filter((f) => !deferred.includes(f));
  return {
    write: now.length > 0 ? [{ fn: 'write_tweaks', title: 'docker tweaks', data: { files: now } }] : [],
    apt: deferred.length > 0 ? [{ fn: 'apt_tweaks', title: 'apt tweaks', data: { files: deferred } }] : [],
    divert: r.divertInitctl ? [{ fn: 'divert_initctl', title: 'divert initctl', data: { path: INITCTL, target: '/bin/true' } }] : [],
  };
}

function placed(spec: StepSpec, stage: Stage, label: string): StepPlan {
  const perArch = stage === 'main' && spec.once !== true;
  return { fn: spec.fn, title: spec.title, stage, label, template: `steps/${spec.template ?? spec.fn}`, perArch, data: spec.data ?? {} };
}

export function numbered(specs: StepSpec[]): StepPlan[] {
  return specs.map((spec, i) => placed(spec, 'main', `${i + 1}/${specs.length}`));
}

const call = ({ fn, title, label }: StepPlan): StepCall => ({ fn, title, label });

/**
 * The engine's import: one image per architecture. Several architectures get their
 * per-architecture tags, and podman a manifest list under the plain tags (docker's
 * manifest lists live only in a registry: `docker buildx bake` makes that image).
 */
function importData(r: Resolved, changes: string[][]) {
  const engine = r.settings.output.import;
  return {
    several: r.builds.length > 1,
    manifestList: r.builds.length > 1 && engine === 'podman',
    // docker import --platform; podman import --os --arch --variant; each image's own --change arguments.
    platforms: r.builds.map((b, i) => ({ arch: b.arch, args: engine === 'podman' ? podmanPlatform(b.platform) : ['--platform', b.platform], changes: changes[i]! })),
  };
}

function podmanPlatform(platform: string): string[] {
  const [os, arch, variant] = platform.split('/');
  return ['--os', os!, '--arch', arch!, ...(variant ? ['--variant', variant] : [])];
}

/**
 * Every step in the order it runs. The debootstrap backend runs them all itself; the
 * mmdebstrap backend runs three, and mmdebstrap runs the chroot work at its hooks,
 * which the list places where they run: inside the build, before the import.
 */
export function planSteps(r: Resolved, importChanges: string[][] | null, oci: object | null): StepPlan[] {
  const s = r.settings;
  // The Release files are always read: the build record lists their dates and checksums.
  const epochFromRelease = s.reproducible && r.epoch === null;
  const releaseDate: StepSpec[] = [
    {
      fn: 'release_date',
      title: epochFromRelease ? 'release files (SOURCE_DATE_EPOCH)' : 'release files',
      data: { epochFromRelease, keys: repositoryKeyrings(r) },
      once: true,
    },
  ];
  // Each architecture's tarball is published with its records, before the next one is built.
  const publish: StepSpec[] = [
    { fn: 'records', title: 'manifest, SBOMs, build record, provenance' },
    { fn: 'publish', title: 'publish' },
  ];
  const imported: StepSpec[] = [
    ...(importChanges === null
      ? []
      : [{ fn: 'import_image', title: `${s.output.import} import`, data: { ...importData(r, importChanges), createdLabel: `${OCI}.created`, versionLabel: `${OCI}.version` }, once: true }]),
    ...(oci === null ? [] : [{ fn: 'oci_image', title: 'OCI image layout', data: oci, once: true }]),
  ];
  // A profile's image is assembled from an mmdebstrap build, not made by one.
  if (r.profile) return numbered([...releaseDate, ...minimalSteps(r), ...publish, ...imported]);
  const tweaks = tweakSteps(r);
  const { sources, rest } = rootfsWork(r);
  const bootstrapHook = hookStep(s, 'after-bootstrap');
  const afterBootstrap: StepSpec[] = bootstrapHook ? [{ ...bootstrapHook, template: 'run_hooks' }] : [];

  if (s.backend === 'mmdebstrap') {
    const hooks = [
      ...tweaks.write.map((spec) => placed(spec, 'setup', 'hook setup')),
      ...[...tweaks.divert, ...preseedStep(r), ...afterBootstrap].map((spec) => placed(spec, 'essential', 'hook essential')),
      ...[...(usesEatmydata(r) ? [{ fn: 'ld_cache', title: 'ld.so.cache' }] : []), ...tweaks.apt, ...sources, ...rest].map((spec) =>
        placed(spec, 'customize', 'hook customize'),
      ),
    ];
    const stages = Object.fromEntries(HOOK_STAGES.map((stage) => [stage, hooks.filter((h) => h.stage === stage).map(call)]));
    const build: StepSpec = {
      fn: 'mmdebstrap_build',
      title: `mmdebstrap ${s.suite}`,
      data: { keepPolicyRcD: s.tweaks.policyRcD, noValidUntil: r.noValidUntil.build, eatmydata: usesEatmydata(r), stages },
    };
    const main = numbered([...releaseDate, build, ...publish, ...imported]);
    const after = main.findIndex((step) => step.fn === 'mmdebstrap_build') + 1;
    return [...main.slice(0, after), ...hooks, ...main.slice(after)];
  }
  const needsUpdate = debootstrapUpdates(r);
  return numbered([
    ...releaseDate,
    { fn: 'bootstrap', title: `debootstrap ${s.suite}` },
    ...tweaks.write,
    ...tweaks.divert,
    ...afterBootstrap,
    ...sources,
    ...(needsUpdate ? [{ fn: 'apt_upgrade', title: s.upgrade ? 'update and dist-upgrade' : 'update', data: { upgrade: s.upgrade } }] : []),
    ...rest,
    { fn: 'tarball', title: 'tarball', data: { reproducible: s.reproducible } },
    ...publish,
    ...imported,
  ]);
}
