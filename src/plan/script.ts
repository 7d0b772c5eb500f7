// The view-model of the generated mkimage script: every value, file, step and tool it
// names, decided here so the template only lays them out.
import { archSiblingName, bakeVariable, BUILD_VARS_FILE, configGroup, OCI_ARCHIVE, OCI_LAYOUT_DIR, recordFiles, type Origin } from '../layout.js';
import { VERSION as GENERATOR_VERSION } from '../package-root.js';
import { configDigest } from './config-digest.js';
import { BAKE_FACTS, releaseTagForms } from './dockerfiles.js';
import type { Resolved } from './resolve.js';
import { sourceLine } from './sources.js';
import { ARCH_FACTS } from './arches.js';
import type { OciPlan } from './oci.js';
import { usesEatmydata } from './shell-steps.js';
import { hookInstalls, planSteps, releasesRead, type StepCall, type StepPlan } from './steps.js';
import { aptListName, listNames } from './apt-lists.js';
import { PUBLISH_RECORD, pushTools, type PushPlan } from './publish.js';
import { PLAIN_WORD } from '../render/quote.js';

export interface ShellVariable {
  name: string;
  value: string;
  comment: string;
  /** For the reader only: the steps hold the value itself (decided at generate time). */
  forReader?: boolean;
}

export interface ShellArray {
  name: string;
  values: string[];
  comment: string;
  forReader?: boolean;
}

/** An associative array keyed by architecture: what differs between the builds. */
export interface ShellMap {
  name: string;
  entries: { key: string; value: string }[];
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
  maps: ShellMap[];
  /** What the build host must have; the script names the package for each one missing. */
  tools: Tool[];
  requiredFiles: { path: string; package: string }[];
  /** Every step, in the order it runs; the script defines them in this order. */
  steps: StepPlan[];
  /** What the header says the script touches on the host. */
  hostPaths: string[];
  /** The steps `main` calls itself: before the architectures, for each one, after them. */
  mainSteps: { before: StepCall[]; perArch: StepCall[]; after: StepCall[] };
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

export const MERGED_USR_HOOK = '/usr/share/mmdebstrap/hooks/maybe-merged-usr';
const EATMYDATA_HOOK = '/usr/share/mmdebstrap/hooks/eatmydata';
const APT_HELPER = '/usr/lib/apt/apt-helper';

/**
 * The script's view-model. `importChanges` are the engine's --change arguments that give
 * each architecture's imported image the same CMD, ENV and labels as the base Dockerfile
 * (in the order of r.builds); null = no import.
 */
export function planScript(r: Resolved, id: string, origin: Origin, importChanges: string[][] | null, oci: OciPlan | null): ScriptPlan {
  const s = r.settings;
  const mmdebstrap = s.backend === 'mmdebstrap';
  const locales = [...s.locales.generate].sort();
  const compressor = COMPRESSORS[s.output.compression];
  const engine = s.output.import === 'none' ? null : s.output.import;
  const steps = planSteps(r, importChanges, oci);
  const main = steps.filter((step) => step.stage === 'main');
  const firstPerArch = main.findIndex((step) => step.perArch);
  const callOf = ({ fn, title, label }: StepPlan): StepCall => ({ fn, title, label });
  const byArch = (value: (b: Resolved['builds'][number]) => string) => r.builds.map((b) => ({ key: b.arch, value: value(b) }));

  const tools: Tool[] = [
    { command: s.backend, package: s.backend },
    { command: 'chroot', package: 'coreutils' },
    { command: 'mount', package: 'mount' },
    { command: 'tar', package: 'tar' },
    { command: 'sha256sum', package: 'coreutils' },
  ];
  if (compressor) tools.push({ command: compressor.command, package: compressor.package });
  if (engine) tools.push({ command: engine, package: ENGINE_PACKAGES[engine] });
  if (oci) tools.push({ command: 'gzip', package: 'gzip' });
  tools.push(...pushTools((steps.find((step) => step.fn === 'push_image')?.data as Parameters<typeof pushTools>[0]) ?? null));
  // A profile image is unpacked from the build side's .debs, with its dpkg status entries.
  if (r.profile) tools.push({ command: 'dpkg-deb', package: 'dpkg' }, { command: 'dpkg-query', package: 'dpkg' });
  // Checks the Release files the build reads, before it reads them (release_date).
  tools.push({ command: 'gpgv', package: 'gpgv' });
  // It reads each extra repository's key and checks its fingerprints before apt trusts it.
  if (r.repositories.length > 0) tools.push({ command: 'gpg', package: 'gpg' });
  const requiredFiles = [{ path: r.hostKeyring, package: r.distro.hostKeyringPackage }];
  if (mmdebstrap) requiredFiles.push({ path: MERGED_USR_HOOK, package: 'mmdebstrap' });
  if (usesEatmydata(r)) {
    requiredFiles.push({ path: EATMYDATA_HOOK, package: 'mmdebstrap' });
    // mmdebstrap's eatmydata hook asks dpkg-architecture for the library's path.
    tools.push({ command: 'dpkg-architecture', package: 'dpkg-dev' });
  }
  if (steps.some((step) => step.fn === 'release_date')) requiredFiles.push({ path: APT_HELPER, package: 'apt' });
  const versionFile = VERSION_FILES[s.distro];
  // The host packages whose versions the records name and the result cache compares: what
  // bootstraps, packs and compresses, apt and dpkg (they resolve and unpack the packages),
  // gpgv and the keyring (they check the archives).
  const hostToolPackages = [
    ...new Set([s.backend, 'tar', ...(compressor ? [compressor.package] : []), ...(oci ? ['gzip'] : []), 'apt', 'dpkg', 'gpgv', r.distro.hostKeyringPackage]),
  ];
  // --result-cache publishes a kept build instead of building; only where the same inputs give the same bytes.
  const noReuse = !s.reproducible
    ? 'the config sets reproducible: false, so the same inputs do not give the same tarball'
    : s.hooks.some((hook) => hook.on === 'host')
      ? 'a hook runs on the build host, and what it reads there is not among the inputs it compares'
      : '';
  const archives = [...new Set([...r.builds.flatMap((b) => [...b.buildSources, ...b.sources]).map((src) => src.uri), ...r.repositories.map((repo) => repo.uri)])];
  // Every Release file a build reads, once, in the order the builds read them.
  const reads = releasesRead(r);
  const dists = [...new Set(reads.flatMap((read) => read.dists))];
  const repositoryOf = (dist: string) => r.repositories.find((repo) => repo.suites.some((suite) => `${repo.uri}/dists/${suite}` === dist));

  const variant = mmdebstrap ? MMDEBSTRAP_VARIANTS[s.variant] : s.variant;
  // --help's account of the build: known now, so it is text, not printf at run time.
  const about = [
    `Builds ${s.name}:${s.suite} (${s.distro} ${s.suite}, ${s.arch.join(' ')}, variant ${variant}) with ${s.backend} in mode ${s.mode}`,
    ...r.builds.flatMap((b) => [
      `  ${b.arch}: from ${b.buildSources[0]!.uri} into ${b.tarball} in the output directory,`,
      `    with ${recordFiles(b.tarball).join(' ')} and ${b.tarball}.sha256 that lists the checksums of all`,
    ]),
    `then${engine ? ` imports it with ${engine} as ${r.staticTags.map((t) => `${s.name}:${t}`).join(' ')} + the release version` : ''}${r.builds.length > 1 ? ' (each architecture also as <tag>-<architecture>)' : ''}.`,
    `Components: ${s.components.join(' ')}. Added packages: ${[...r.include, ...hookInstalls(r)].join(' ')}. Locales: ${locales.join(' ')} (default: ${s.locales.default ?? 'none'}). Time zone: ${s.timezone ?? 'UTC'}. Proxy: ${s.proxy ?? 'none'}.`,
  ].join('\n');

  const plan: Omit<ScriptPlan, 'hostPaths'> = {
    ...origin,
    summary: `${r.baseReference} (${s.distro} ${r.release.version} ${s.suite}, ${s.arch.join(' ')}, ${r.profile ? `profile ${r.profile.name}` : s.variant})`,
    backendName: s.backend,
    variables: [
      { name: 'IMAGE', value: s.name, comment: 'image repository' },
      { name: 'DISTRO', value: s.distro, comment: '' },
      { name: 'SUITE', value: s.suite, comment: `release ${r.release.version}, ${r.release.status}` },
      { name: 'BACKEND', value: s.backend, comment: '' },
      {
        name: 'MODE',
        value: s.mode,
        comment: mmdebstrap ? 'root, or unshare: no root, through user namespaces (--mode overrides)' : 'debootstrap runs as root',
      },
      {
        name: 'VARIANT',
        value: variant,
        comment: `${s.backend} variant${mmdebstrap ? '' : '; default = no --variant'}`,
      },
      { name: 'PROXY', value: s.proxy ?? '', comment: 'http_proxy for the build only; not written into the image' },
      { name: 'KEYRING', value: r.hostKeyring, comment: 'checks the Release files the build downloads' },
      mmdebstrap
        ? { name: 'MERGED_USR_HOOK', value: MERGED_USR_HOOK, comment: 'merged /usr without usrmerge and perl', forReader: r.profile !== null }
        : {
            name: 'FALLBACK_SCRIPT',
            value: r.distro.debootstrapFallbackScript,
            comment: 'debootstrap script for a suite the host debootstrap does not know',
          },
      ...(usesEatmydata(r) ? [{ name: 'EATMYDATA_HOOK', value: EATMYDATA_HOOK, comment: 'dpkg without syncs during the build' }] : []),
      { name: 'APT_HELPER', value: APT_HELPER, comment: 'downloads the Release files before the build; reads the extra repositories\' indexes' },
      {
        name: 'EPOCH',
        value: r.epoch === null ? '' : String(r.epoch),
        comment: r.snapshot
          ? `SOURCE_DATE_EPOCH: the snapshot's moment, ${r.snapshot.timestamp}`
          : 'SOURCE_DATE_EPOCH; empty = the newest Date of the Release files below',
      },
      { name: 'SNAPSHOT', value: r.snapshot?.timestamp ?? '', comment: 'the snapshot the build installs from; empty = the mirrors as they are' },
      { name: 'DEFAULT_LOCALE', value: s.locales.default ?? '', comment: 'LANG of the image; empty = none', forReader: true },
      { name: 'TIMEZONE', value: s.timezone ?? '', comment: 'empty = keep UTC', forReader: true },
      { name: 'ENGINE', value: engine ?? '', comment: 'docker or podman import; empty = none' },
      { name: 'NO_REUSE', value: noReuse, comment: 'why --result-cache is refused; empty = it may publish a kept build' },
      { name: 'VERSION_FILE', value: versionFile.path, comment: 'the release version tag is read from this file' },
      { name: 'VERSION_PATTERN', value: versionFile.pattern, comment: '' },
      { name: 'DISTRO_VERSION', value: r.release.version, comment: 'the distro qualifier of package URLs' },
      { name: 'GENERATOR', value: `mkimage-gen ${GENERATOR_VERSION}`, comment: 'what wrote this script, as the records name it' },
      { name: 'ABOUT', value: about, comment: 'what --help says this script builds' },
      { name: 'PLAIN_WORD', value: PLAIN_WORD, comment: 'the words --dry-run prints without quotes; it quotes others as mkimage-gen does' },
      { name: 'CONFIG', value: origin.generatedFrom, comment: 'the config this script was generated from' },
      { name: 'CONFIG_SHA256', value: configDigest(s), comment: 'sha256 of its validated settings as canonical JSON (mkimage-gen explain shows it)' },
      { name: 'BUILD_VARS_FILE', value: BUILD_VARS_FILE, comment: 'written beside the tarball: what bake needs to tag and label as the import does' },
      { name: 'BAKE_GROUP', value: configGroup(id), comment: 'its group in docker-bake.hcl: the targets of its base and derived images' },
    ],
    arrays: [
      // A profile's build side (src/plan/minimal.ts) holds these in its mmdebstrap arguments.
      { name: 'COMPONENTS', values: s.components, comment: 'archive components', forReader: r.profile !== null },
      { name: 'INCLUDE', values: [...r.include, ...hookInstalls(r)], comment: 'added to the variant', forReader: r.profile !== null },
      ...(mmdebstrap ? [] : [{ name: 'EXCLUDE', values: s.exclude, comment: 'removed from the variant' }]),
      { name: 'ARCHES', values: s.arch, comment: 'dpkg architectures, built one after the other' },
      {
        name: 'RELEASE_DISTS',
        values: dists,
        comment: 'the Release files the build reads (InRelease, or Release and Release.gpg): checked first, listed in the build record; the newest Date can give SOURCE_DATE_EPOCH',
      },
      { name: 'RELEASE_LISTS', values: dists.map((dist) => listNames(`${dist}/`).join(' ')), comment: "their names in the rootfs's /var/lib/apt/lists (apt's, debootstrap's)" },
      {
        name: 'RELEASE_KEYRINGS',
        values: dists.map((dist) => repositoryOf(dist)?.name ?? ''),
        comment: 'what checks each: empty = KEYRING, else the key of that extra repository',
      },
      { name: 'ARCHIVES', values: archives, comment: 'every archive the build and the image read, as the build record lists them' },
      { name: 'REPOSITORIES', values: r.repositories.map((repo) => repo.name), comment: 'extra repositories: their packages get package URLs that name them' },
      { name: 'REPOSITORY_URIS', values: r.repositories.map((repo) => repo.uri), comment: '' },
      {
        name: 'REPOSITORY_LISTS',
        values: r.repositories.map((repo) => repo.suites.map((suite) => aptListName(`${repo.uri}/dists/${suite}/`)).join(' ')),
        comment: 'where apt keeps their package indexes',
      },
      {
        name: 'HOST_TOOL_PACKAGES',
        values: hostToolPackages,
        comment: 'host packages whose versions the records name and --result-cache compares',
      },
      { name: 'LOCALES', values: locales, comment: 'locales to generate', forReader: true },
      { name: 'TAGS', values: r.staticTags, comment: 'tags besides the release version read from the rootfs' },
      {
        name: 'RELEASE_TAG_FORMS',
        values: releaseTagForms(r),
        comment: 'tags made at build time: <version>, <major> and <date> (of SOURCE_DATE_EPOCH) filled in',
      },
      { name: 'BAKE_VARIABLES', values: BAKE_FACTS.map((fact) => bakeVariable(id, fact)), comment: 'its variables in docker-bake.hcl: version, major, date, created' },
      { name: 'COMPRESSOR', values: compressor ? [...compressor.argv] : [], comment: 'tarball compression; empty = none' },
    ],
    maps: [
      {
        name: 'MIRRORS',
        entries: byArch((b) => b.buildSources[0]!.uri),
        comment: r.snapshot ? 'per architecture: the snapshot it installs from' : 'per architecture: the mirror near the build host it installs from',
      },
      ...(mmdebstrap
        ? [{ name: 'APT_LINES', entries: byArch((b) => b.buildSources.map(sourceLine).join('\n')), comment: 'what mmdebstrap installs from, one line each' }]
        : []),
      { name: 'TARBALLS', entries: byArch((b) => b.tarball), comment: 'written to the output directory' },
      {
        name: 'ARCH_RELEASES',
        entries: reads.map((read) => ({ key: read.arch, value: read.dists.join(' ') })),
        comment: "the Release files each architecture's build reads (of RELEASE_DISTS)",
      },
      {
        name: 'KEPT_BUILDS',
        // One place per image, suite and tarball: a config's next build replaces its last.
        entries: byArch((b) => `${s.name.replaceAll('/', '_')}_${s.suite}_${b.tarball}`),
        comment: 'with --result-cache: the folder in it that keeps the finished build',
      },
      {
        name: 'RECORD_FILES',
        entries: byArch((b) => recordFiles(b.tarball).join('\n')),
        comment: 'published with the tarball and in its checksum file: manifest, SPDX, CycloneDX, build record, provenance',
      },
      {
        name: 'EXPECTS',
        entries: byArch((b) => (s.expect === undefined ? '' : r.builds.length > 1 ? archSiblingName(s.expect, b.token) : s.expect)),
        comment: "drift check: the manifest the packages must match, relative to this script's folder; empty = none (--expect FILE)",
      },
      { name: 'ARCH_TAGS', entries: byArch((b) => (b.tags.length > 0 ? `-${b.token}` : '')), comment: 'appended to each tag of its own image; empty = a single architecture' },
      {
        name: 'BINFMTS',
        entries: byArch((b) => ARCH_FACTS[b.arch].binfmt),
        comment: 'the qemu-user binfmt entry that runs it on another host',
      },
      { name: 'PLATFORMS', entries: byArch((b) => b.platform), comment: 'its platform, as BuildKit names it (--buildkit --platform)' },
      { name: 'NATIVE_ON', entries: byArch((b) => ARCH_FACTS[b.arch].nativeOn.join(' ')), comment: 'host architectures that run it without emulation' },
    ],
    tools,
    requiredFiles,
    steps,
    mainSteps: {
      before: main.filter((step, i) => !step.perArch && (firstPerArch < 0 || i < firstPerArch)).map(callOf),
      perArch: main.filter((step) => step.perArch).map(callOf),
      after: main.filter((step, i) => !step.perArch && firstPerArch >= 0 && i > firstPerArch).map(callOf),
    },
    hookStages: mmdebstrap,
    importsImage: engine !== null,
  };
  return {
    ...plan,
    variables: plan.variables.map((v) => ({ ...v, forReader: v.forReader ?? false })),
    arrays: plan.arrays.map((a) => ({ ...a, forReader: a.forReader ?? false })),
    hostPaths: hostPaths(plan),
  };
}

/** The host paths a script touches, for its header: the work dir and each architecture's output files. */
function hostPaths(plan: Pick<ScriptPlan, 'maps' | 'variables' | 'steps'>): string[] {
  const map = (name: string) => plan.maps.find((m) => m.name === name)!.entries;
  const vars = Object.fromEntries(plan.variables.map((v) => [v.name, v.value]));
  const records = map('RECORD_FILES');
  const oci = plan.steps.some((step) => step.fn === 'oci_image');
  const push = plan.steps.find((step) => step.fn === 'push_image')?.data as PushPlan | undefined;
  return [
    '--work-dir (default: $TMPDIR or /var/tmp)/mkimage.XXXXXXXXXX: the work dir (a tmpfs with --tmpfs), removed when the script exits',
    "--output-dir (default: the script's folder):",
    ...map('TARBALLS').map(({ value }, i) => `  ${value}, ${value}.sha256, ${records[i]!.value.split('\n').join(', ')}`),
    ...(oci ? [`  ${OCI_LAYOUT_DIR}/, ${OCI_ARCHIVE}`] : []),
    ...(push ? [`  ${PUBLISH_RECORD}: where the image was pushed, by digest`] : []),
    `  ${vars.BUILD_VARS_FILE}; each written under a temporary name first, then renamed`,
    '--package-cache DIR, if given: the .debs of the build',
    '--result-cache DIR, if given: each finished build, with the inputs it came from',
    ...(vars.ENGINE ? [`the image store of ${vars.ENGINE} (the import)`] : []),
    ...(push ? [`the registry repository ${push.repository} (push${push.key === null ? '' : ', sign, attest'}; MKIMAGE_PUSH=0 skips it)`] : []),
  ];
}
