// View-models of the Dockerfiles and the bake file: the base image from the tarball,
// one image per derived entry, and the targets that build them together. The labels
// and tags are decided here once, for the Dockerfiles, the bake file and the script's
// own import alike.
import { archFileName, baseTarget, bakeVariable, derivedFilePath, derivedFolder, derivedTarget, tarballRecords, type Origin } from '../layout.js';
import type { DerivedImage } from '../model/index.js';
import type { ArchBuild, Resolved } from './resolve.js';
import { undoCommands } from './tweaks.js';
import { NONROOT_UID } from '../releases/minimal.js';

export interface KeyValue {
  key: string;
  value: string;
}

/** Labels only the build knows, as the Dockerfile ARG that carries each. */
export interface BuildLabel {
  key: string;
  arg: string;
}

export const OCI = 'org.opencontainers.image';
export const CREATED_ARG = 'MKIMAGE_CREATED';
export const VERSION_ARG = 'MKIMAGE_VERSION';
const CREATED: BuildLabel = { key: `${OCI}.created`, arg: CREATED_ARG };
const VERSION: BuildLabel = { key: `${OCI}.version`, arg: VERSION_ARG };

/** What the base image runs, sets and says: its Dockerfile and the script's import say the same. */
export interface ImageConfig {
  /** Empty: no CMD (a profile image has no shell to run). */
  cmd: string[];
  /** USER; null = root, as the base image always ran. */
  user: string | null;
  env: KeyValue[];
  labels: KeyValue[];
  buildLabels: BuildLabel[];
}

export interface BaseDockerfilePlan extends Origin, ImageConfig {
  /** ADD's source and destination, in exec form. */
  add: string[];
  /** Built for several platforms: ADD names the tarball through TARGETARCH and TARGETVARIANT. */
  platformArgs: boolean;
  /** Several platforms: the record labels, each naming its platform's files through the same args. */
  platformLabels: KeyValue[];
}

/** The build args that name a platform's own tarball in a multi-platform base Dockerfile. */
export const PLATFORM_TOKEN = '${TARGETARCH}${TARGETVARIANT}';

/**
 * The records the build writes beside a tarball, as labels of the image made from it:
 * file names in its build context (rootfs-arm64.manifest for the arm64 image).
 */
export function recordLabels(tarball: string): Record<string, string> {
  const records = tarballRecords(tarball);
  return {
    'mkimage-gen.manifest': records.manifest,
    'mkimage-gen.sbom.spdx': records.spdx,
    'mkimage-gen.sbom.cyclonedx': records.cyclonedx,
    'mkimage-gen.build-record': records.buildRecord,
    'mkimage-gen.provenance': records.provenance,
    'mkimage-gen.checksums': records.checksums,
  };
}

export interface DerivedDockerfilePlan extends Origin {
  from: string;
  packages: string[];
  env: KeyValue[];
  undo: string[][];
  labels: KeyValue[];
  buildLabels: BuildLabel[];
  /** COPY --chmod/--chown: each file beside the Dockerfile to its path in the image. */
  copies: { paths: [string, string]; mode: string; owner: string }[];
  user: string | null;
  workdir: string | null;
  expose: string[];
  entrypoint: string[] | null;
  cmd: string[] | null;
}

export interface BakeTarget {
  name: string;
  context: string;
  tags: string[];
  /** Tags from what the script wrote beside the tarball: `prefix` + the variable, when it is set. */
  buildTags: { prefix: string; variable: string }[];
  args: { name: string; variable: string }[];
  /** Named contexts: the FROM reference, served by another target of this file. */
  contexts: { reference: string; source: string }[];
  /** buildx platforms: one per architecture the script builds. */
  platforms: string[];
}

const byKey = <T extends [string, unknown]>([a]: T, [b]: T) => (a < b ? -1 : a > b ? 1 : 0);
const keyValues = (record: Record<string, string>): KeyValue[] =>
  Object.entries(record)
    .sort(byKey)
    .map(([key, value]) => ({ key, value }));

function ociLabels(title: string, r: Resolved, extra: Record<string, string>, base?: string): KeyValue[] {
  const s = r.settings;
  const oci: Record<string, string> = { [`${OCI}.title`]: title };
  if (s.output.source !== undefined) oci[`${OCI}.source`] = s.output.source;
  if (base !== undefined) oci[`${OCI}.base.name`] = base;
  // The config's own labels come after ours and may override them.
  return keyValues({ ...oci, ...s.output.labels, ...extra });
}

/**
 * What one architecture's base image runs, sets and says: its labels name the records
 * beside its own tarball. Without `build` (explain's summary of a multi-architecture
 * config) they name them as rootfs-<arch>.manifest; no output is made from that.
 */
export function baseImageConfig(r: Resolved, build?: ArchBuild): ImageConfig {
  const lang = r.settings.locales.default;
  const tarball = build?.tarball ?? (r.builds.length > 1 ? archFileName(r.tarball, '<arch>') : r.tarball);
  const minimal = r.profile !== null;
  return {
    cmd: minimal ? [] : ['bash'],
    user: minimal ? `${NONROOT_UID}:${NONROOT_UID}` : null,
    env: lang === undefined ? [] : [{ key: 'LANG', value: lang }],
    labels: keyValues({ ...recordLabels(tarball), ...Object.fromEntries(ociLabels(r.settings.name, r, {}).map((l) => [l.key, l.value])) }),
    buildLabels: [CREATED, VERSION],
  };
}

const dockerfileString = (value: string) => `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;

/** The same config as `docker import --change` arguments (podman takes them too); the build labels are the script's. */
export function importChanges(config: ImageConfig): string[] {
  return [
    ...(config.cmd.length > 0 ? [`CMD ${JSON.stringify(config.cmd)}`] : []),
    ...(config.user === null ? [] : [`USER ${config.user}`]),
    ...config.env.map(({ key, value }) => `ENV ${key}=${value}`),
    ...config.labels.map(({ key, value }) => `LABEL ${key}=${dockerfileString(value)}`),
  ].flatMap((change) => ['--change', change]);
}

export function planBaseDockerfile(r: Resolved, origin: Origin): BaseDockerfilePlan {
  if (r.builds.length === 1) return { ...origin, ...baseImageConfig(r, r.builds[0]), add: [r.tarball, '/'], platformArgs: false, platformLabels: [] };
  // One Dockerfile for every platform: ADD and the record labels name the platform's own
  // files through its build args (rootfs-${TARGETARCH}${TARGETVARIANT}.manifest). The
  // config's own labels still override ours.
  const tarball = archFileName(r.tarball, PLATFORM_TOKEN);
  const own = new Set(ociLabels(r.settings.name, r, {}).map((l) => l.key));
  const records = keyValues(recordLabels(tarball));
  const config = baseImageConfig(r, r.builds[0]);
  return {
    ...origin,
    ...config,
    labels: config.labels.filter((l) => own.has(l.key) || !(l.key in recordLabels(r.builds[0]!.tarball))),
    add: [tarball, '/'],
    platformArgs: true,
    platformLabels: records.filter((l) => !own.has(l.key)),
  };
}

export function planDerivedDockerfile(r: Resolved, image: DerivedImage, origin: Origin): DerivedDockerfilePlan {
  return {
    ...origin,
    from: r.baseReference,
    packages: image.packages,
    env: keyValues(image.env),
    undo: image.undoTweaks ? undoCommands(r) : [],
    labels: ociLabels(image.name, r, image.labels, r.baseReference),
    buildLabels: [CREATED],
    copies: image.files.map((f) => ({ paths: [derivedFilePath(f.source), f.path], mode: f.mode, owner: f.owner })),
    user: image.user ?? null,
    workdir: image.workdir ?? null,
    expose: image.expose.map(String),
    entrypoint: image.entrypoint ?? null,
    cmd: image.cmd ?? null,
  };
}

/** The tags the script makes from what it read at build time, each where switched on. */
export function buildTagParts(r: Resolved): { fact: 'version' | 'major' | 'date'; prefix: string }[] {
  const t = r.settings.output.releaseTags;
  return [
    ...(t.version ? [{ fact: 'version' as const, prefix: '' }] : []),
    ...(t.major && r.settings.distro === 'debian' ? [{ fact: 'major' as const, prefix: '' }] : []),
    ...(t.dated ? [{ fact: 'date' as const, prefix: `${r.settings.suite}-` }] : []),
  ];
}

/**
 * The build-time tags as the script makes them: `<version>`, `<major>`, `<suite>-<date>`;
 * the script fills in what it read, and the ledger, explain and bake read the same forms.
 */
export const releaseTagForms = (r: Resolved): string[] => buildTagParts(r).map((p) => `${p.prefix}<${p.fact}>`);

/** The facts the script writes for bake, in the order of its BAKE_VARIABLES setting. */
export const BAKE_FACTS = ['version', 'major', 'date', 'created'] as const;

/** Bake targets of one config; its folder `dir` is named after `id`, next to the bake file. */
export function planBakeTargets(r: Resolved, id: string, dir: string): BakeTarget[] {
  const name = r.settings.name;
  const created = { name: CREATED_ARG, variable: bakeVariable(id, 'created') };
  const platforms = r.builds.map((b) => b.platform);
  const base: BakeTarget = {
    name: baseTarget(id),
    context: dir,
    tags: r.staticTags.map((tag) => `${name}:${tag}`),
    buildTags: buildTagParts(r).map(({ fact, prefix }) => ({ prefix: `${name}:${prefix}`, variable: bakeVariable(id, fact) })),
    args: [created, { name: VERSION_ARG, variable: bakeVariable(id, 'version') }],
    contexts: [],
    platforms,
  };
  const derived = r.settings.derived.map((image) => ({
    name: derivedTarget(id, image.name),
    context: `${dir}/${derivedFolder(image.name)}`,
    tags: [r.settings.suite, ...image.tags].map((tag) => `${image.name}:${tag}`),
    buildTags: [],
    args: [created],
    contexts: [{ reference: r.baseReference, source: `target:${base.name}` }],
    platforms,
  }));
  return [base, ...derived];
}
