// View-models of the Dockerfiles and the bake file: the base image from the tarball,
// one image per derived entry, and the targets that build them together.
import { baseTarget, derivedFolder, derivedTarget, tarballRecords, type Origin } from '../layout.js';
import type { DerivedImage } from '../model/index.js';
import type { Resolved } from './resolve.js';
import { undoCommands } from './tweaks.js';

interface EnvEntry {
  key: string;
  value: string;
}

/** What the base image runs and sets: its Dockerfile and the script's import say the same. */
export interface ImageConfig {
  cmd: string[];
  env: EnvEntry[];
}

export interface BaseDockerfilePlan extends Origin, ImageConfig {
  /** ADD's source and destination, in exec form. */
  add: string[];
  /** Labels that point at the records the build wrote beside the tarball. */
  labels: EnvEntry[];
}

/** The records beside the tarball, as labels of the base image (file names in its build context). */
export function recordLabels(r: Resolved): EnvEntry[] {
  const records = tarballRecords(r.tarball);
  return [
    { key: 'mkimage-gen.manifest', value: records.manifest },
    { key: 'mkimage-gen.sbom.spdx', value: records.spdx },
    { key: 'mkimage-gen.sbom.cyclonedx', value: records.cyclonedx },
    { key: 'mkimage-gen.build-record', value: records.buildRecord },
    { key: 'mkimage-gen.provenance', value: records.provenance },
    { key: 'mkimage-gen.checksums', value: records.checksums },
  ];
}

export interface DerivedDockerfilePlan extends Origin {
  from: string;
  packages: string[];
  env: EnvEntry[];
  undo: string[][];
}

export interface BakeTarget {
  name: string;
  context: string;
  tags: string[];
  /** Named contexts: the FROM reference, served by another target of this file. */
  contexts: { reference: string; source: string }[];
  /** The base image's labels that point at its records. */
  labels: EnvEntry[];
}

export function baseImageConfig(r: Resolved): ImageConfig {
  const lang = r.settings.locales.default;
  return { cmd: ['bash'], env: lang === undefined ? [] : [{ key: 'LANG', value: lang }] };
}

/** The same config as `docker import --change` arguments (podman takes them too). */
export function importChanges(config: ImageConfig): string[] {
  return [
    `CMD ${JSON.stringify(config.cmd)}`,
    ...config.env.map(({ key, value }) => `ENV ${key}=${value}`),
  ].flatMap((change) => ['--change', change]);
}

export function planBaseDockerfile(r: Resolved, origin: Origin): BaseDockerfilePlan {
  return { ...origin, ...baseImageConfig(r), add: [r.tarball, '/'], labels: recordLabels(r) };
}

export function planDerivedDockerfile(r: Resolved, image: DerivedImage, origin: Origin): DerivedDockerfilePlan {
  return {
    ...origin,
    from: r.baseReference,
    packages: image.packages,
    env: Object.entries(image.env)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => ({ key, value })),
    undo: image.undoTweaks ? undoCommands(r) : [],
  };
}

/** Bake targets of one config; its folder `dir` is named after `id`, next to the bake file. */
export function planBakeTargets(r: Resolved, id: string, dir: string): BakeTarget[] {
  const base: BakeTarget = {
    name: baseTarget(id),
    context: dir,
    tags: r.staticTags.map((tag) => `${r.settings.name}:${tag}`),
    contexts: [],
    labels: recordLabels(r),
  };
  const derived = r.settings.derived.map((image) => ({
    name: derivedTarget(id, image.name),
    context: `${dir}/${derivedFolder(image.name)}`,
    tags: [`${image.name}:${r.settings.suite}`],
    contexts: [{ reference: r.baseReference, source: `target:${base.name}` }],
    labels: [],
  }));
  return [base, ...derived];
}
