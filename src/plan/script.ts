// The view-model of the generated mkimage script: every value, file, step and tool it
// names, decided here so the template only lays them out.
import type { Resolved } from './resolve.js';
import { sourcesFile, type ImageFile } from './sources.js';
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
  number: number;
  fn: string;
  title: string;
}

export interface Tool {
  command: string;
  package: string;
}

export interface ScriptPlan {
  generatedFrom: string;
  regenerate: string;
  summary: string;
  variables: ShellVariable[];
  arrays: ShellArray[];
  tools: Tool[];
  keyringPackage: string;
  steps: Step[];
  tweakFiles: ImageFile[];
  divertInitctl: boolean;
  sourcesFile: ImageFile;
  /** deb822 replaces the one-line file debootstrap wrote. */
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
  importImage: boolean;
  stepCount: number;
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

const lines = (items: string[]) => items.map((line) => `${line}\n`).join('');

/** The version tag comes from /etc/debian_version, or DISTRIB_RELEASE on Ubuntu (sed patterns). */
const VERSION_FILES = {
  debian: { path: '/etc/debian_version', pattern: '^\\([0-9][0-9.]*\\)$' },
  ubuntu: { path: '/etc/lsb-release', pattern: '^DISTRIB_RELEASE=\\([0-9][0-9.]*\\)$' },
} as const;

/** debconf names a locale with its charset: `ja_JP.UTF-8 UTF-8`. */
function localeGenEntry(locale: string): string {
  const charset = locale.slice(locale.indexOf('.') + 1).replace(/@.*$/, '');
  return `${locale} ${charset}`;
}

export function planScript(r: Resolved, origin: Origin): ScriptPlan {
  const s = r.settings;
  const locales = [...s.locales.generate].sort();
  const compressor = COMPRESSORS[s.output.compression];
  const engine = s.output.import === 'none' ? null : s.output.import;
  const willInstall = locales.length > 0 || s.timezone !== undefined;
  const tweaks = tweakFiles(r);

  const steps: Omit<Step, 'number'>[] = [{ fn: 'bootstrap', title: `debootstrap ${s.suite}` }];
  if (tweaks.length > 0 || r.divertInitctl) steps.push({ fn: 'docker_tweaks', title: 'docker tweaks' });
  steps.push({ fn: 'apt_sources', title: 'apt sources' });
  if (s.upgrade || willInstall) steps.push({ fn: 'apt_upgrade', title: s.upgrade ? 'update and dist-upgrade' : 'update' });
  if (locales.length > 0) steps.push({ fn: 'locales', title: 'locales' });
  if (s.timezone !== undefined) steps.push({ fn: 'timezone', title: 'timezone' });
  if (s.clean) steps.push({ fn: 'apt_clean', title: 'apt clean' });
  steps.push({ fn: 'tarball', title: 'tarball' });
  if (engine) steps.push({ fn: 'import_image', title: `${engine} import` });

  const tools: Tool[] = [
    { command: 'debootstrap', package: 'debootstrap' },
    { command: 'chroot', package: 'coreutils' },
    { command: 'mount', package: 'mount' },
    { command: 'tar', package: 'tar' },
    { command: 'sha256sum', package: 'coreutils' },
  ];
  if (compressor) tools.push({ command: compressor.command, package: compressor.package });
  if (engine) tools.push({ command: engine, package: ENGINE_PACKAGES[engine] });

  const debconfLocales = r.distro.localeMethod === 'debconf';
  const defaultLocale = s.locales.default ?? '';
  const zone = s.timezone ?? '';
  const [area, ...city] = zone.split('/');
  const versionFile = VERSION_FILES[s.distro];

  return {
    generatedFrom: origin.generatedFrom,
    regenerate: origin.regenerate,
    summary: `${r.baseReference} (${s.distro} ${r.release.version} ${s.suite}, ${s.arch}, ${s.variant})`,
    variables: [
      { name: 'IMAGE', value: s.name, comment: 'image repository' },
      { name: 'DISTRO', value: s.distro, comment: '' },
      { name: 'SUITE', value: s.suite, comment: `release ${r.release.version}, ${r.release.status}` },
      { name: 'ARCH', value: s.arch, comment: '' },
      { name: 'VARIANT', value: s.variant, comment: 'debootstrap variant; default = no --variant' },
      { name: 'MIRROR', value: s.mirror, comment: 'a mirror near the build host' },
      { name: 'PROXY', value: s.proxy ?? '', comment: 'http_proxy for the build only; not written into the image' },
      { name: 'KEYRING', value: r.hostKeyring, comment: 'checks the Release file debootstrap downloads' },
      {
        name: 'FALLBACK_SCRIPT',
        value: r.distro.debootstrapFallbackScript,
        comment: 'debootstrap script for a suite the host debootstrap does not know',
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
      { name: 'EXCLUDE', values: s.exclude, comment: 'removed from the variant' },
      { name: 'LOCALES', values: locales, comment: 'locales to generate' },
      { name: 'TAGS', values: r.staticTags, comment: 'tags besides the release version read from the rootfs' },
      { name: 'COMPRESSOR', values: compressor ? [...compressor.argv] : [], comment: 'tarball compression; empty = none' },
    ],
    tools,
    keyringPackage: r.distro.hostKeyringPackage,
    steps: steps.map((step, i) => ({ ...step, number: i + 1 })),
    tweakFiles: tweaks,
    divertInitctl: r.divertInitctl,
    sourcesFile: sourcesFile(r),
    removeOneLineSources: r.sourcesFormat === 'deb822',
    archivedFile: archivedAptFile(r),
    upgrade: s.upgrade,
    locales:
      locales.length === 0
        ? null
        : {
            debconf: debconfLocales,
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
    importImage: engine !== null,
    stepCount: steps.length,
    undo: undoCommands(r),
  };
}
