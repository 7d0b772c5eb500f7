// View-models of the Dockerfiles and the bake file: the base image from the tarball,
// one image per derived entry, and the targets that build them together.
import { archFileName, baseTarget, derivedFolder, derivedTarget, type Origin } from '../layout.js';
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
  /** output.labels, sorted by key. */
  labels: EnvEntry[];
}

export interface BaseDockerfilePlan extends Origin, ImageConfig {
  /** ADD's source and destination, in exec form. */
  add: string[];
  /** Built for several platforms: ADD names the tarball through TARGETARCH and TARGETVARIANT. */
  platformArgs: boolean;
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
  /** buildx platforms: one per architecture the script builds. */
  platforms: string[];
}

function sortedEntries(record: Record<string, string>): EnvEntry[] {
  return Object.entries(record)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => ({ key, value }));
}

/** A Dockerfile double-quoted value for an engine's --change (LABEL k="v"): \ " $ escaped. */
const changeValue = (value: string) => `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;

export function baseImageConfig(r: Resolved): ImageConfig {
  const lang = r.settings.locales.default;
  return { cmd: ['bash'], env: lang === undefined ? [] : [{ key: 'LANG', value: lang }], labels: sortedEntries(r.settings.output.labels) };
}

/** The same config as `docker import --change` arguments (podman takes them too). */
export function importChanges(config: ImageConfig): string[] {
  return [
    `CMD ${JSON.stringify(config.cmd)}`,
    ...config.env.map(({ key, value }) => `ENV ${key}=${value}`),
    ...config.labels.map(({ key, value }) => `LABEL ${key}=${changeValue(value)}`),
  ].flatMap((change) => ['--change', change]);
}

export function planBaseDockerfile(r: Resolved, origin: Origin): BaseDockerfilePlan {
  const several = r.builds.length > 1;
  const tarball = several ? archFileName(r.tarball, '${TARGETARCH}${TARGETVARIANT}') : r.tarball;
  return { ...origin, ...baseImageConfig(r), add: [tarball, '/'], platformArgs: several };
}

export function planDerivedDockerfile(r: Resolved, image: DerivedImage, origin: Origin): DerivedDockerfilePlan {
  return {
    ...origin,
    from: r.baseReference,
    packages: image.packages,
    env: sortedEntries(image.env),
    undo: image.undoTweaks ? undoCommands(r) : [],
  };
}

/** Bake targets of one config; its folder `dir` is named after `id`, next to the bake file. */
export function planBakeTargets(r: Resolved, id: string, dir: string): BakeTarget[] {
  const platforms = r.builds.map((b) => b.platform);
  const base: BakeTarget = {
    name: baseTarget(id),
    context: dir,
    tags: r.staticTags.map((tag) => `${r.settings.name}:${tag}`),
    contexts: [],
    platforms,
  };
  const derived = r.settings.derived.map((image) => ({
    name: derivedTarget(id, image.name),
    context: `${dir}/${derivedFolder(image.name)}`,
    tags: [`${image.name}:${r.settings.suite}`],
    contexts: [{ reference: r.baseReference, source: `target:${base.name}` }],
    platforms,
  }));
  return [base, ...derived];
}
