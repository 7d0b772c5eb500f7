// Settings -> generated files, in memory. Pure: no disk, no clock, no environment.
import { ConfigError, type Settings } from '../model/index.js';
import {
  derivedDir,
  planBakeTargets,
  planBaseDockerfile,
  planDerivedDockerfile,
  type BakeTarget,
} from '../plan/dockerfiles.js';
import { resolve } from '../plan/resolve.js';
import { planScript, type Origin } from '../plan/script.js';
import { renderTemplate } from './engine.js';

export interface OutputFile {
  /** Relative to the output directory, always with forward slashes. */
  path: string;
  content: string;
  /** 0o755 for scripts, 0o644 for the rest. */
  mode: number;
}

/** One config to render: its id names its folder and bake target. */
export interface RenderEntry {
  id: string;
  settings: Settings;
  origin: Origin;
}

/**
 * The files of one config, relative to its own folder. The templates are written in
 * shfmt's style (prettier-plugin-sh's), so the script needs no formatting pass: the
 * lint tests prove the formatter would change nothing.
 */
export function renderConfig(settings: Settings, origin: Origin): OutputFile[] {
  const r = resolve(settings);
  const files: OutputFile[] = [
    { path: 'mkimage.sh', content: renderTemplate('mkimage.sh.hbs', planScript(r, origin)), mode: 0o755 },
    { path: 'Dockerfile', content: renderTemplate('Dockerfile.base.hbs', planBaseDockerfile(r, origin)), mode: 0o644 },
  ];
  for (const image of settings.derived) {
    files.push({
      path: `${derivedDir(image)}/Dockerfile`,
      content: renderTemplate('Dockerfile.derived.hbs', planDerivedDockerfile(r, image, origin)),
      mode: 0o644,
    });
  }
  return files;
}

/** The bake file of a set of targets. */
export function renderBake(targets: readonly BakeTarget[], bakeOrigin: Origin): string {
  return renderTemplate('docker-bake.hcl.hbs', { ...bakeOrigin, targets });
}

/** Every config in its folder `<id>/`, and one docker-bake.hcl for the whole set. */
export function renderAll(entries: readonly RenderEntry[], bakeOrigin: Origin): OutputFile[] {
  const ids = new Map<string, string>();
  const files: OutputFile[] = [];
  const targets: BakeTarget[] = [];
  for (const entry of entries) {
    const other = ids.get(entry.id);
    if (other !== undefined) {
      throw new ConfigError(entry.origin.generatedFrom, [`it would write ${entry.id}/, as ${other} does: rename one file`]);
    }
    ids.set(entry.id, entry.origin.generatedFrom);
    for (const file of renderConfig(entry.settings, entry.origin)) {
      files.push({ ...file, path: `${entry.id}/${file.path}` });
    }
    targets.push(...planBakeTargets(resolve(entry.settings), entry.id, entry.id));
  }
  reportSharedTargets(targets);
  files.push({
    path: 'docker-bake.hcl',
    content: renderBake(targets, bakeOrigin),
    mode: 0o644,
  });
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Two targets of one bake file must not share a name (config a + derived b vs config a-b). */
function reportSharedTargets(targets: readonly BakeTarget[]): void {
  const seen = new Set<string>();
  for (const target of targets) {
    if (seen.has(target.name)) {
      throw new ConfigError('docker-bake.hcl', [`two images would be bake target "${target.name}": rename a config file or a derived image`]);
    }
    seen.add(target.name);
  }
}
