// What a command renders: the presets, a project's configs, or config files, with the
// project's shared settings under them and --set over them, all validated before
// anything is rendered. The headers it gives the outputs name paths relative to the
// project root, so they do not depend on how or from where the command was run.
import { basename, dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { readConfigFile } from '../io/config-file.js';
import { readEmbeddedFiles } from '../io/embedded-files.js';
import { inspect } from '../io/regular-file.js';
import { findProjectFile, readProject, type Project } from '../io/project-file.js';
import type { RenderEntry } from '../generate.js';
import { configId, type Origin } from '../layout.js';
import { describeInput } from '../model/describe.js';
import { ConfigError, validateSettings } from '../model/index.js';
import { mergeDefaults } from '../model/merge.js';
import { applyOverrides } from '../model/overrides.js';
import { closest } from '../model/suggest.js';
import { PROJECT_FILE } from '../model/project.js';
import { findPreset, PRESETS } from '../presets/index.js';
import { validatePreset } from '../presets/validate.js';
import { validatedPresets } from '../presets/validated.js';
import { presetsLoaded, regenerateCommand as command, type Loaded, type Selection } from './selection.js';

export { DEFAULT_OUT } from '../layout.js';

export type { Loaded, Selection } from './selection.js';

/** A path relative to `root` with forward slashes; outside it, absolute. */
function underRoot(root: string, path: string): string {
  const rel = relative(root, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel.split(sep).join('/');
}

/** Is there something other than a folder at `path` (a file the user named)? */
function namesAFile(path: string): boolean {
  try {
    const stat = inspect(path, true);
    return stat !== undefined && !stat.isDirectory();
  } catch {
    return true;
  }
}

/** A config's id: its file name without extension, as its output folder is named. */
const idOf = (path: string) => basename(path, extname(path));

/**
 * The project config a command line argument names: a path to one of them, or, where no
 * file is at that path, a config id (`noble` for configs/noble.yaml), so a command works
 * the same from any folder of the project. Undefined if it names neither.
 */
function projectConfig(given: string, cwd: string, project: Project): string | undefined {
  const path = resolve(cwd, given);
  if (project.configs.includes(path)) return path;
  if (namesAFile(path)) return undefined;
  return project.configs.find((config) => idOf(config) === given);
}

/** Why `given` names no config: what there is to name, and the nearest name. */
function noSuchConfig(given: string, project: Project | undefined, presets: readonly string[]): string {
  const ids = project?.configs.map(idOf) ?? [];
  const there = [
    ...(project ? [`the project's configs are ${ids.join(', ')}`] : []),
    ...(presets.length > 0 ? [`the presets are ${presets.join(', ')}`] : []),
  ];
  const near = closest(given, [...ids, ...presets]);
  const what = ['no such file', ...(project ? [`no config of ${PROJECT_FILE}`] : []), ...(presets.length > 0 ? ['no preset'] : [])];
  return `${describeInput(given)}: ${what.join(', ')} by that name; ${there.join('; ')}${near === undefined ? '' : ` (did you mean ${near}?)`}`;
}

interface Source {
  path: string;
  shown: string;
  defaults?: Record<string, unknown>;
}

/** Read, merge, override and validate each config; every bad one is reported at once. */
function loadConfigs(sources: readonly Source[], sets: readonly string[], origin: (s: Source) => Origin): RenderEntry[] {
  const problems: ConfigError[] = [];
  const entries: RenderEntry[] = [];
  for (const source of sources) {
    try {
      const id = configId(source.path, source.shown);
      const config = mergeDefaults(source.defaults ?? {}, readConfigFile(source.path, source.shown));
      // Keys, files and hooks are read from beside the config, so the plan stays pure.
      const settings = validateSettings(readEmbeddedFiles(applyOverrides(config, sets), dirname(source.path), source.shown), source.shown);
      entries.push({ id, settings, origin: origin(source) });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error);
    }
  }
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new ConfigError(`${problems.length} configs`, problems.map((p) => p.message));
  return entries;
}

/** The presets; validated at build time in the CLI bundle unless --set changes them. */
function loadPresets(sel: Selection): Loaded {
  const presets = sel.sets.length === 0 ? validatedPresets() : PRESETS.map((preset) => ({ id: preset.id, settings: validatePreset(preset, sel.sets) }));
  return presetsLoaded(sel, presets);
}

function loadProject(sel: Selection, file: string): Loaded {
  const project = readProject(file, underRoot(sel.cwd, file));
  const out = sel.out === undefined ? project.out : resolve(sel.cwd, sel.out);
  const outArgs = out === project.out ? [] : ['--out', underRoot(project.root, out)];
  const regenerate = command(outArgs, sel.sets);
  const shown = (path: string) => underRoot(project.root, path);
  const all = loadConfigs(
    project.configs.map((path) => ({ path, shown: shown(path), defaults: project.defaults })),
    sel.sets,
    (s) => ({ generatedFrom: `config ${s.shown}`, regenerate }),
  );
  const bakeOrigin = { generatedFrom: `project ${PROJECT_FILE}`, regenerate };
  if (sel.configs.length === 0) return { entries: all, bakeEntries: all, bakeOrigin, out, project };
  const problems: string[] = [];
  const chosen = new Set<string>();
  for (const given of sel.configs) {
    const path = projectConfig(given, sel.cwd, project);
    if (path !== undefined) chosen.add(path);
    else if (namesAFile(resolve(sel.cwd, given))) problems.push(`${describeInput(given)} is not one of the configs ${PROJECT_FILE} lists: add it there first`);
    else problems.push(noSuchConfig(given, project, []));
  }
  if (problems.length > 0) throw new ConfigError(shown(file), problems);
  const entries = all.filter((_, i) => chosen.has(project.configs[i]!));
  return { entries, bakeEntries: all, bakeOrigin, out, scope: entries.map((e) => e.id), project };
}

function loadFiles(sel: Selection): Loaded {
  if (sel.out === undefined) {
    throw new ConfigError('--out', [`name the output directory for config files (e.g. --out images), or list them in a ${PROJECT_FILE}`]);
  }
  const out = resolve(sel.cwd, sel.out);
  // Without a project file, the output directory's parent is the root headers start from.
  const root = dirname(out);
  const outArgs = ['--out', underRoot(root, out)];
  const sources = [...new Set(sel.configs.map((c) => resolve(sel.cwd, c)))]
    .sort()
    .map((path) => ({ path, shown: underRoot(root, path) }));
  const entries = loadConfigs(sources, sel.sets, (s) => ({
    generatedFrom: `config ${s.shown}`,
    regenerate: command([s.shown, ...outArgs], sel.sets),
  }));
  const shownAll = sources.map((s) => s.shown);
  const bakeOrigin = { generatedFrom: `configs ${shownAll.join(', ')}`, regenerate: command([...shownAll, ...outArgs], sel.sets) };
  return { entries, bakeEntries: entries, bakeOrigin, out, scope: entries.map((e) => e.id) };
}

/** What a generate or check run covers. */
export function loadSelection(sel: Selection): Loaded {
  const projectFile = findProjectFile(sel.cwd);
  if (projectFile !== undefined) return loadProject(sel, projectFile);
  return sel.configs.length === 0 ? loadPresets(sel) : loadFiles(sel);
}

/**
 * One config for explain: a config file (with its project's shared settings), else one of
 * the project's configs by id, else a preset. Inside a project its own config wins over
 * the preset of the same name (init names the first config after its preset).
 */
export function loadOne(nameOrPath: string, sets: readonly string[], cwd: string): RenderEntry {
  const projectFile = findProjectFile(cwd);
  const project = projectFile === undefined ? undefined : readProject(projectFile, underRoot(cwd, projectFile));
  const given = resolve(cwd, nameOrPath);
  const path = namesAFile(given) ? given : project && projectConfig(nameOrPath, cwd, project);
  if (path === undefined) {
    const preset = findPreset(nameOrPath);
    if (preset) return loadPresets({ configs: [], sets, cwd }).entries.find((e) => e.id === preset.id)!;
    throw new ConfigError(nameOrPath, [noSuchConfig(nameOrPath, project, PRESETS.map((p) => p.id))]);
  }
  const root = project?.root ?? cwd;
  const shown = underRoot(root, path);
  const defaults = project?.configs.includes(path) ? project.defaults : undefined;
  const regenerate = project ? command([], sets) : command([shown], sets);
  return loadConfigs([{ path, shown, defaults }], sets, () => ({ generatedFrom: `config ${shown}`, regenerate }))[0]!;
}
