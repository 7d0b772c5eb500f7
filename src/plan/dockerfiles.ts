// View-models of the Dockerfiles and the bake file: the base image from the tarball,
// one image per derived entry, and the targets that build them together.
import { bakeTargetName } from '../model/formats.js';
import type { DerivedImage } from '../model/index.js';
import type { Resolved } from './resolve.js';
import type { Origin } from './script.js';
import { undoCommands } from './tweaks.js';

export interface BaseDockerfilePlan {
  generatedFrom: string;
  regenerate: string;
  /** ADD's source and destination, in exec form. */
  add: string[];
  env: { key: string; value: string }[];
  cmd: string[];
}

export interface DerivedDockerfilePlan {
  generatedFrom: string;
  regenerate: string;
  from: string;
  packages: string[];
  env: { key: string; value: string }[];
  undo: string[][];
}

export interface BakeTarget {
  name: string;
  context: string;
  tags: string[];
  /** Named contexts: the FROM reference, served by another target of this file. */
  contexts: { reference: string; source: string }[];
}

/** Derived images live in derived/<last part of their name>/. */
export function derivedDir(image: DerivedImage): string {
  return `derived/${image.name.slice(image.name.lastIndexOf('/') + 1)}`;
}

export function planBaseDockerfile(r: Resolved, origin: Origin): BaseDockerfilePlan {
  const lang = r.settings.locales.default;
  return {
    ...origin,
    add: [r.tarball, '/'],
    env: lang === undefined ? [] : [{ key: 'LANG', value: lang }],
    cmd: ['bash'],
  };
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

export interface BakePlan {
  generatedFrom: string;
  regenerate: string;
  targets: BakeTarget[];
}

/** Bake targets of one config; `dir` is its folder next to the bake file. */
export function planBakeTargets(r: Resolved, id: string, dir: string): BakeTarget[] {
  const base: BakeTarget = {
    name: bakeTargetName(id),
    context: dir,
    tags: r.staticTags.map((tag) => `${r.settings.name}:${tag}`),
    contexts: [],
  };
  const derived = r.settings.derived.map((image) => ({
    name: bakeTargetName(`${id}-${derivedDir(image).slice('derived/'.length)}`),
    context: `${dir}/${derivedDir(image)}`,
    tags: [`${image.name}:${r.settings.suite}`],
    contexts: [{ reference: r.baseReference, source: `target:${bakeTargetName(id)}` }],
  }));
  return [base, ...derived];
}
