// What several commands share: the exit codes, the options and loading of a config tree
// (generate, check, outdated, refresh), the output directory as the user names it, JSON
// output and a preset by name. Light to import: each command loads the rest when it runs.
import { homedir } from 'node:os';
import { relative, sep } from 'node:path';
import type { Argv } from 'yargs';
import type { Drift } from '../io/tree.js';
import { DEFAULT_OUT } from '../layout.js';
import { describePath } from '../model/describe.js';
import { ConfigError } from '../model/errors.js';
import type { Preset } from '../presets/index.js';
import type { Loaded, Selection } from './selection.js';

export const EXIT = { ok: 0, drift: 1, badInput: 2 } as const;

// Only what parsing the command line needs is imported statically, so --help and
// --version start fast. The config loader brings the validator (zod); the presets as
// they are need none (see selection.ts). The renderer brings Handlebars and loads only
// once the configs have validated, so bad input is reported sooner.
export const configs = () => import('./entries.js');
export const render = () => import('../generate.js');
export const tree = () => import('../io/tree.js');

export const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export interface TreeArgs {
  configs?: string[];
  set?: string[];
  out?: string;
}

/** The options of a command that renders a tree of configs. */
export function treeOptions(y: Argv) {
  return y
    .positional('configs', {
      type: 'string',
      array: true,
      describe: 'config files, or in a project config ids (noble for configs/noble.yaml) (default: the project file\'s configs, else every preset)',
    })
    .option('out', { type: 'string', describe: `output directory (default: the project file's out, else ${DEFAULT_OUT}/ for the presets)` })
    .option('set', { type: 'string', array: true, describe: 'override a setting: key.path=value (value read as YAML), repeatable' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print nothing but errors' });
}

const selection = (argv: TreeArgs): Selection => ({ configs: argv.configs ?? [], sets: argv.set ?? [], out: argv.out, cwd: process.cwd() });

/**
 * What a generate or check run covers; an implausible --out is refused before any config
 * is read. A project's own `out` is judged from the project root, wherever the command
 * runs (from inside the output tree too), and a problem with it is the project file's.
 */
export async function load(argv: TreeArgs): Promise<Loaded> {
  const { checkOutDir } = await import('../io/out-dir.js');
  if (argv.out !== undefined) checkOutDir(argv.out);
  const sel = selection(argv);
  const loaded = (await import('./selection.js')).loadBuiltInPresets(sel) ?? (await configs()).loadSelection(sel);
  const project = loaded.project;
  if (argv.out !== undefined) return loaded;
  if (project === undefined) checkOutDir(loaded.out);
  else {
    const source = relative(process.cwd(), project.file).split(sep).join('/');
    checkOutDir(loaded.out, { cwd: project.root, home: homedir() }, { source, field: 'out', example: 'out: images' });
  }
  return loaded;
}

export async function renderSelection(loaded: Loaded) {
  return (await render()).renderAll(loaded.entries, loaded.bakeOrigin, loaded.bakeEntries);
}

/** The output directory as the user reads it in messages: relative to here. */
export function shownOut(loaded: Loaded): string {
  return relative(process.cwd(), loaded.out).split(sep).join('/') || '.';
}

/** A preset by name, or bad input naming the presets there are. */
export async function presetNamed(name: string, source: string): Promise<Preset> {
  const { findPreset, PRESETS } = await import('../presets/index.js');
  const preset = findPreset(name);
  if (!preset) throw new ConfigError(source, [`no preset ${JSON.stringify(name)}; the presets are ${PRESETS.map((p) => p.id).join(', ')}`]);
  return preset;
}

/** One line per file that differs; `words` name the three kinds (check and generate say it differently). */
export function listDrift(drift: Drift, out: string, words: [string, string, string]): string {
  const shown = (path: string) => describePath(`${out}/${path}`);
  const width = Math.max(...words.map((w) => w.length));
  const rows = [
    ...drift.missing.map((p) => `${words[0].padEnd(width)}  ${shown(p)}`),
    ...drift.stale.map((p) => `${words[1].padEnd(width)}  ${shown(p)}`),
    ...drift.orphaned.map((p) => `${words[2].padEnd(width)}  ${shown(p)}`),
  ];
  return rows.join('\n');
}
