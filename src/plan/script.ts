// The view-model of the generated mkimage script: every value, file, step and tool it
// names, decided here so the template only lays them out.
import type { Origin } from '../layout.js';
import type { Resolved } from './resolve.js';
import { sourceLine } from './sources.js';
import { hookInstalls, planSteps, type StepCall, type StepPlan } from './steps.js';

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

export interface Tool {
  command: string;
  package: string;
}

export interface ScriptPlan extends Origin {
  /** What the header says it builds. */
  summary: string;
  backendName: string;
  variables: ShellVariable[];
  arrays: ShellArray[];
  /** What the build host must have; the script names the package for each one missing. */
  tools: Tool[];
  requiredFiles: { path: string; package: string }[];
  /** Every step, in the order it runs; the script defines them in this order. */
  steps: StepPlan[];
  /** The steps `main` calls itself. */
  mainSteps: StepCall[];
  /** mmdebstrap calls the script back at its hook stages. */
  hookStages: boolean;
  importsImage: boolean;
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

/**
 * The script's view-model. `importChanges` are the engine's --change arguments that give
 * the imported image the same CMD and ENV as the base Dockerfile; null = no import.
 */
export function planScript(r: Resolved, origin: Origin, importChanges: string[] | null): ScriptPlan {
  const s = r.settings;
  const mmdebstrap = s.backend === 'mmdebstrap';
  const locales = [...s.locales.generate].sort();
  const compressor = COMPRESSORS[s.output.compression];
  const engine = s.output.import === 'none' ? null : s.output.import;
  const steps = planSteps(r, importChanges);

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
  const versionFile = VERSION_FILES[s.distro];

  return {
    ...origin,
    summary: `${r.baseReference} (${s.distro} ${r.release.version} ${s.suite}, ${s.arch}, ${s.variant})`,
    backendName: s.backend,
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
      { name: 'DEFAULT_LOCALE', value: s.locales.default ?? '', comment: 'LANG of the image; empty = none' },
      { name: 'TIMEZONE', value: s.timezone ?? '', comment: 'empty = keep UTC' },
      { name: 'TARBALL', value: r.tarball, comment: 'written to the output directory' },
      { name: 'ENGINE', value: engine ?? '', comment: 'docker or podman import; empty = none' },
      { name: 'VERSION_FILE', value: versionFile.path, comment: 'the release version tag is read from this file' },
      { name: 'VERSION_PATTERN', value: versionFile.pattern, comment: '' },
    ],
    arrays: [
      { name: 'COMPONENTS', values: s.components, comment: 'archive components' },
      { name: 'INCLUDE', values: [...r.include, ...hookInstalls(r)], comment: 'added to the variant' },
      ...(mmdebstrap ? [] : [{ name: 'EXCLUDE', values: s.exclude, comment: 'removed from the variant' }]),
      ...(mmdebstrap
        ? [{ name: 'APT_LINES', values: r.sources.map(sourceLine), comment: 'what mmdebstrap installs from' }]
        : []),
      {
        name: 'RELEASE_URLS',
        values: r.sources.map((src) => `${src.uri}/dists/${src.suite}/Release`),
        comment: 'their Date: fields give SOURCE_DATE_EPOCH',
      },
      { name: 'LOCALES', values: locales, comment: 'locales to generate' },
      { name: 'TAGS', values: r.staticTags, comment: 'tags besides the release version read from the rootfs' },
      { name: 'COMPRESSOR', values: compressor ? [...compressor.argv] : [], comment: 'tarball compression; empty = none' },
    ],
    tools,
    requiredFiles,
    steps,
    mainSteps: steps.filter((step) => step.stage === 'main').map(({ fn, title, label }) => ({ fn, title, label })),
    hookStages: mmdebstrap,
    importsImage: engine !== null,
  };
}
