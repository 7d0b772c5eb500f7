// What a command renders: the presets, or config files, with --set applied and validated.
import { relative, sep } from 'node:path';
import { readConfigFile } from '../io/config-file.js';
import { applyOverrides } from '../model/overrides.js';
import { ConfigError, validateSettings } from '../model/index.js';
import { findPreset, PRESETS } from '../presets/index.js';
import type { RenderEntry } from '../generate.js';
import { configId, DEFAULT_OUT, type Origin } from '../layout.js';
import { shellQuote } from '../render/quote.js';

export { DEFAULT_OUT } from '../layout.js';

export interface Selection {
  /** Config files; none = every preset. */
  configs: readonly string[];
  sets: readonly string[];
  out: string;
}

export interface Loaded {
  entries: RenderEntry[];
  /** Header of the bake file, which covers the whole selection. */
  bakeOrigin: Origin;
}

/** Paths as the user would type them from the current directory, the same on any machine. */
function portablePath(path: string): string {
  const rel = relative(process.cwd(), path);
  return (rel === '' || rel.startsWith('..') ? path : rel).split(sep).join('/');
}

/** The command that writes this selection again, for the generated headers. */
function regenerateCommand({ configs, sets, out }: Selection): string {
  const outArgs = configs.length > 0 || portablePath(out) !== DEFAULT_OUT ? ['--out', portablePath(out)] : [];
  const args = ['mkimage-gen', 'generate', ...configs.map(portablePath), ...outArgs, ...sets.flatMap((s) => ['--set', s])];
  return args.map(shellQuote).join(' ');
}

/** Every preset, or every config file named; all validated before anything is rendered. */
export function loadSelection(selection: Selection): Loaded {
  const regenerate = regenerateCommand(selection);
  const { configs, sets } = selection;
  if (configs.length === 0) {
    return {
      entries: PRESETS.map((preset) => ({
        id: preset.id,
        settings: validateSettings(applyOverrides(preset.settings, sets), `preset ${preset.id}`),
        origin: { generatedFrom: `preset ${preset.id}`, regenerate },
      })),
      bakeOrigin: { generatedFrom: 'the built-in presets', regenerate },
    };
  }
  const problems: ConfigError[] = [];
  const entries: RenderEntry[] = [];
  for (const config of configs) {
    const path = portablePath(config);
    try {
      const id = configId(config, path);
      const settings = validateSettings(applyOverrides(readConfigFile(config), sets), path);
      entries.push({ id, settings, origin: { generatedFrom: `config ${path}`, regenerate } });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error);
    }
  }
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new ConfigError(`${problems.length} configs`, problems.map((p) => p.message));
  return { entries, bakeOrigin: { generatedFrom: `configs ${configs.map(portablePath).join(', ')}`, regenerate } };
}

/** One preset or config file by name, for explain. */
export function loadOne(nameOrPath: string, sets: readonly string[]): RenderEntry {
  const preset = findPreset(nameOrPath);
  const { entries } = loadSelection({ configs: preset ? [] : [nameOrPath], sets, out: DEFAULT_OUT });
  return preset ? entries.find((e) => e.id === preset.id)! : entries[0]!;
}
