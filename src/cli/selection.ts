// What a generate or check run covers, and the one case that needs no config loader:
// the built-in presets as they are (no project file, no config files, no --set). Then
// nothing is read or validated at run time, and this module's imports load no zod;
// entries.ts loads everything else.
import { basename, resolve } from 'node:path';
import type { RenderEntry } from '../generate.js';
import { findProjectFile } from '../io/find-project-file.js';
import type { Project } from '../io/project-file.js';
import { DEFAULT_OUT, type Origin } from '../layout.js';
import { validatedPresets, type ValidatedPreset } from '../presets/validated.js';
import { shellQuote } from '../render/quote.js';

export interface Selection {
  /** Config files as given; none = the project's configs, or every preset. */
  configs: readonly string[];
  sets: readonly string[];
  /** --out as given. */
  out?: string;
  /** Where relative paths start, and where the project file is looked for. */
  cwd: string;
}

export interface Loaded {
  /** The configs this run writes. */
  entries: RenderEntry[];
  /** The configs the bake file covers: the project's, or this run's. */
  bakeEntries: RenderEntry[];
  bakeOrigin: Origin;
  /** The output directory, absolute. */
  out: string;
  /** The folders whose orphans this run may remove; undefined = the whole output tree. */
  scope?: string[];
  project?: Project;
}

/** The command in the outputs' headers that writes them again. */
export const regenerateCommand = (args: string[], sets: readonly string[]) =>
  ['mkimage-gen', 'generate', ...args, ...sets.flatMap((s) => ['--set', s])].map(shellQuote).join(' ');

/** Every preset, validated (with the selection's --set), into the output directory the selection names. */
export function presetsLoaded(sel: Selection, presets: readonly ValidatedPreset[]): Loaded {
  const out = resolve(sel.cwd, sel.out ?? DEFAULT_OUT);
  const outArgs = basename(out) === DEFAULT_OUT ? [] : ['--out', basename(out)];
  const regenerate = regenerateCommand(outArgs, sel.sets);
  const entries = presets.map(({ id, settings }) => ({ id, settings, origin: { generatedFrom: `preset ${id}`, regenerate } }));
  return { entries, bakeEntries: entries, bakeOrigin: { generatedFrom: 'the built-in presets', regenerate }, out };
}

/** The presets as they are, if that is what `sel` selects; undefined if it needs the config loader (entries.ts). */
export function loadBuiltInPresets(sel: Selection): Loaded | undefined {
  if (sel.configs.length > 0 || sel.sets.length > 0 || findProjectFile(sel.cwd) !== undefined) return undefined;
  return presetsLoaded(sel, validatedPresets());
}
