// The view-model of the generated mkimage script: every value, file, step and tool it
// names, decided here so the template only lays them out.
import type { Resolved } from './resolve.js';
import { planSlim, type SlimPlan } from './slim.js';
import { aptSources, sourcesFile, type ImageFile } from './sources.js';
import { archivedAptFile, tweakFiles, undoCommands } from './tweaks.js';

export interface ShellVariable {
  name: string;
  value: string;
  comment: string;
}

export interface ShellArray {
  name: string;
  values: string[];
  comment: string;
}

export interface Step {
  /** `3/9` for the script's own steps, `hook customize` inside mmdebstrap. */
  label: string;
  fn: string;
  title: string;
}

export interface Tool {
  command: string;
  package: string;
}

/** mmdebstrap runs these functions of the script itself, at its hook stages. */
export interface HookStages {
  setup: Step[];
  essential: Step[];
  customize: Step[];
}

export interface ScriptPlan {
  generatedFrom: string;
  regenerate: string;
  summary: string;
  backendName: string;
  mmdebstrap: boolean;
  variables: ShellVariable[];
  arrays: ShellArray[];
  tools: Tool[];
  requiredFiles: { path: string; package: string }[];
  steps: Step[];
  hooks: HookStages | null;
  tweakFiles: ImageFile[];
  /** The image keeps a policy-rc.d of its own (mmdebstrap must not remove it). */
  policyRcD: boolean;
  divertInitctl: boolean;
  sourcesFile: ImageFile;
  /** deb822 replaces the one-line file the bootstrap wrote. */
  removeOneLineSources: boolean;
  archivedFile: ImageFile | null;
  upgrade: boolean;
  locales: {
    debconf: boolean;
    /** debconf answers: locales_to_be_generated and default_environment_locale (Debian). */
    selections: string;
    hasDefault: boolean;
  } | null;
  /** debconf answers for tzdata. */
  timezone: { selections: string } | null;
  slim: SlimPlan | null;
  clean: boolean;
  reproducible: boolean;
  importImage: boolean;
  undo: string[][];
}

export interface Origin {
  /** How the header names the input: `preset debian-bookworm-ja`, `config site/debian.yaml`. */
  generatedFrom: string;
  /** The command that writes this output again. */
  regenerate: string;
}

const COMPRESSORS = {
  xz: { argv: ['xz', '--threads=0', '-6'], command: 'xz', package: 'xz-utils' },
  gzip: { argv: ['gzip', '-n', '-6'], command: 'gzip', package: 'gzip' },
  zstd: { argv: ['zstd', '-q', '-T0', '-10'], command: 'zstd', package: 'zstd' },
  none: null,
} as const;

const ENGINE_PACKAGES = { docker: 'docker.io', podman: 'podman' } as const;

/** mmdebstrap calls debootstrap's default variant `important`. */
const MMDEBSTRAP_VARIANTS = { minbase: 'minbase', buildd: 'buildd', default: 'important' } as const;

/** The version tag comes from /etc/debian_version, or DISTRIB_RELEASE on Ubuntu (sed patterns). */
const VERSION_FILES = {
  debian: { path: '/etc/debian_version', pattern: '^\\([0-9][0-9.]*\\)$' },
  ubuntu: { path: '/etc/lsb-release', pattern: '^DISTRIB_RELEASE=\\([0-9][0-9.]*\\)$' },
} as const;

const MERGED_USR_HOOK = '/usr/share/mmdebstrap/hooks/maybe-merged-usr';
const APT_HELPER = '/usr/lib/apt/apt-helper';

const lines = (items: string[]) => items.map((line) => `${line}\n`).join('');

/** debconf names a locale with its charset: `ja_JP.UTF-8 UTF-8`. */
function localeGenEntry(locale: string): string {
  const charset = locale.slice(locale.indexOf('.') + 1).replace(/@.*$/, '');
  return `${locale} ${charset}`;
}

interface StepSpec {
  fn: string;
  title: string;
}

function numbered(specs: StepSpec[]): Step[] {
  return specs.map((spec, i) => ({ ...spec, label: `${i + 1}/${specs.length}` }));
}

function hookSteps(stage: string, specs: StepSpec[]): Step[] {
  return specs.map((spec) => ({ ...spec, label: `hook ${stage}` }));
}

/** Which functions run, in which order, for each backend. */
function planSteps(r: Resolved, has: { tweaks: boolean; locales: boolean; pinnedEpoch: boolean }) {
  const s = r.settings;
  const engine = s.output.import === 'none' ? null : s.output.import;
  const releaseDate: StepSpec[] =
    s.reproducible && !has.pinnedEpoch ? [{ fn: 'release_date', title: 'release date (SOURCE_DATE_EPOCH)' }] : [];
  const imported: StepSpec[] = engine ? [{ fn: 'import_image', title: `${engine} import` }] : [];
  // The same chroot work for both backends, so both give the same image.
  const rootfsWork: StepSpec[] = [
    { fn: 'apt_sources', title: 'apt sources' },
    ...(has.locales ? [{ fn: 'locales', title: 'locales' }] : []),
    ...(s.timezone !== undefined ? [{ fn: 'timezone', title: 'timezone' }] : []),
    ...(s.slim ? [{ fn: 'slim', title: 'slim' }] : []),
    ...(s.clean ? [{ fn: 'apt_clean', title: 'apt clean' }] : []),
    { fn: 'finalize', title: 'finalize' },
  ];

  if (s.backend === 'mmdebstrap') {
    return {
      steps: numbered([...releaseDate, { fn: 'mmdebstrap_build', title: `mmdebstrap ${s.suite}` }, ...imported]),
      hooks: {
        setup: hookSteps('setup', has.tweaks ? [{ fn: 'write_tweaks', title: 'docker tweaks' }] : []),
        essential: hookSteps('essential', r.divertInitctl ? [{ fn: 'divert_initctl', title: 'divert initctl' }] : []),
        customize: hookSteps('customize', rootfsWork),
      },
    };
  }
  const needsUpdate = s.upgrade || has.locales || s.timezone !== undefined;
  const [sources, ...rest] = rootfsWork;
  return {
    steps: numbered([
      ...releaseDate,
      { fn: 'bootstrap', title: `debootstrap ${s.suite}` },
      ...(has.tweaks || r.divertInitctl ? [{ fn: 'docker_tweaks', title: 'docker tweaks' }] : []),
      sources!,
      ...(needsUpdate ? [{ fn: 'apt_upgrade', title: s.upgrade ? 'update and dist-upgrade' : 'update' }] : []),
      ...rest,
      { fn: 'tarball', title: 'tarball' },
      ...imported,
    ]),
    hooks: null,
  };
}

export function planScript(r: Resolved, origin: Origin): ScriptPlan {
  const s = r.settings;
  const mmdebstrap = s.backend === 'mmdebstrap';
  const locales = [...s.locales.generate].sort();
  const compressor = COMPRESSORS[s.output.compression];
  const engine = s.output.import === 'none' ? null : s.output.import;
  const tweaks = tweakFiles(r);
  const sources = aptSources(r);
  const { steps, hooks } = planSteps(r, {
    tweaks: tweaks.length > 0,
    locales: locales.length > 0,
    pinnedEpoch: s.sourceDateEpoch !== undefined,
  });

  const tools: Tool[] = [
    { command: s.backend, package: s.backend },
    { command: 'chroot', package: 'coreutils' },
    { command: 'mount', package: 'mount' },
    { command: 'tar', package: 'tar' },
    { command: 'sha256sum', package: 'coreutils' },
  ];
  if (compressor) tools.push({ command: compressor.command, package: compressor.package });
  if (engine) tools.push({ command: engine, package: ENGINE_PACKAGES[engine] });
  const requiredFiles = [{ path: r.hostKeyring, package: r.distro.hostKeyringPackage }];
  if (mmdebstrap) requiredFiles.push({ path: MERGED_USR_HOOK, package: 'mmdebstrap' });
  if (steps.some((step) => step.fn === 'release_date')) requiredFiles.push({ path: APT_HELPER, package: 'apt' });

  const defaultLocale = s.locales.default ?? '';
  const zone = s.timezone ?? '';
  // tzdata files single names (UTC) under its area Etc.
  const [area, ...city] = zone.includes('/') ? zone.split('/') : ['Etc', zone];
  const versionFile = VERSION_FILES[s.distro];

  return {
    generatedFrom: origin.generatedFrom,
    regenerate: origin.regenerate,
    summary: `${r.baseReference} (${s.distro} ${r.release.version} ${s.suite}, ${s.arch}, ${s.variant})`,
    backendName: s.backend,
    mmdebstrap,
    variables: [
      { name: 'IMAGE', value: s.name, comment: 'image repository' },
      { name: 'DISTRO', value: s.distro, comment: '' },
      { name: 'SUITE', value: s.suite, comment: `release ${r.release.version}, ${r.release.status}` },
      { name: 'ARCH', value: s.arch, comment: '' },
      {
        name: 'VARIANT',
        value: mmdebstrap ? MMDEBSTRAP_VARIANTS[s.variant] : s.variant,
        comment: `${s.backend} variant${mmdebstrap ? '' : '; default = no --variant'}`,
      },
      { name: 'MIRROR', value: s.mirror, comment: 'a mirror near the build host' },
      { name: 'PROXY', value: s.proxy ?? '', comment: 'http_proxy for the build only; not written into the image' },
      { name: 'KEYRING', value: r.hostKeyring, comment: 'checks the Release files the build downloads' },
      mmdebstrap
        ? { name: 'MERGED_USR_HOOK', value: MERGED_USR_HOOK, comment: 'merged /usr without usrmerge and perl' }
        : {
            name: 'FALLBACK_SCRIPT',
            value: r.distro.debootstrapFallbackScript,
            comment: 'debootstrap script for a suite the host debootstrap does not know',
          },
      { name: 'APT_HELPER', value: APT_HELPER, comment: 'downloads the Release files for SOURCE_DATE_EPOCH' },
      {
        name: 'EPOCH',
        value: s.sourceDateEpoch === undefined ? '' : String(s.sourceDateEpoch),
        comment: 'SOURCE_DATE_EPOCH; empty = the newest Date of the Release files below',
      },
      { name: 'DEFAULT_LOCALE', value: defaultLocale, comment: 'LANG of the image; empty = none' },
      { name: 'TIMEZONE', value: zone, comment: 'empty = keep UTC' },
      { name: 'TARBALL', value: r.tarball, comment: 'written to the output directory' },
      { name: 'ENGINE', value: engine ?? '', comment: 'docker or podman import; empty = none' },
      { name: 'VERSION_FILE', value: versionFile.path, comment: 'the release version tag is read from this file' },
      { name: 'VERSION_PATTERN', value: versionFile.pattern, comment: '' },
    ],
    arrays: [
      { name: 'COMPONENTS', values: s.components, comment: 'archive components' },
      { name: 'INCLUDE', values: r.include, comment: 'added to the variant' },
      ...(mmdebstrap ? [] : [{ name: 'EXCLUDE', values: s.exclude, comment: 'removed from the variant' }]),
      ...(mmdebstrap
        ? [{ name: 'APT_LINES', values: sources.map((src) => `deb ${src.uri} ${src.suite} ${src.components.join(' ')}`), comment: 'what mmdebstrap installs from' }]
        : []),
      {
        name: 'RELEASE_URLS',
        values: sources.map((src) => `${src.uri}/dists/${src.suite}/Release`),
        comment: 'their Date: fields give SOURCE_DATE_EPOCH',
      },
      { name: 'LOCALES', values: locales, comment: 'locales to generate' },
      { name: 'TAGS', values: r.staticTags, comment: 'tags besides the release version read from the rootfs' },
      { name: 'COMPRESSOR', values: compressor ? [...compressor.argv] : [], comment: 'tarball compression; empty = none' },
    ],
    tools,
    requiredFiles,
    steps,
    hooks,
    tweakFiles: tweaks,
    policyRcD: s.tweaks.policyRcD,
    divertInitctl: r.divertInitctl,
    sourcesFile: sourcesFile(r),
    removeOneLineSources: r.sourcesFormat === 'deb822',
    archivedFile: archivedAptFile(r),
    upgrade: s.upgrade,
    locales:
      locales.length === 0
        ? null
        : {
            debconf: r.distro.localeMethod === 'debconf',
            selections: lines([
              `locales locales/locales_to_be_generated multiselect ${locales.map(localeGenEntry).join(', ')}`,
              `locales locales/default_environment_locale select ${defaultLocale || 'None'}`,
            ]),
            hasDefault: defaultLocale !== '',
          },
    timezone:
      zone === ''
        ? null
        : {
            selections: lines([
              `tzdata tzdata/Areas select ${area}`,
              ...(city.length > 0 ? [`tzdata tzdata/Zones/${area} select ${city.join('/')}`] : []),
            ]),
          },
    slim: planSlim(s),
    clean: s.clean,
    reproducible: s.reproducible,
    importImage: engine !== null,
    undo: undoCommands(r),
  };
}
