// `mkimage-gen refresh [configs..]`: move each snapshot-pinned config to the newest
// snapshot of its archives, when that changes the image. The pin is edited in the config
// file in place (pin-edit.ts), the expected manifest (expect:) is rewritten to what the
// rebuild installs, the outputs are generated again, and a summary fit for a pull
// request body goes to stdout. Every archive is read and every new file is made in
// memory first: an error writes nothing. A config whose newest snapshot changes no
// package keeps its pin, so a second refresh changes nothing.
import { basename, extname, resolve as resolvePath } from 'node:path';
import { readArchSources, rebuildReport } from '../archive/image.js';
import { manifestText } from '../archive/rebuild.js';
import { newestSnapshot } from '../archive/snapshot.js';
import type { ReadSource } from '../archive/source.js';
import type { RenderEntry } from '../generate.js';
import { readExpected, writeAtomically } from '../io/manifest-file.js';
import { ConfigError } from '../model/errors.js';
import type { Settings } from '../model/index.js';
import { resolve } from '../plan/resolve.js';
import { snapshotTrees } from '../releases/snapshots.js';
import { expectedManifests } from './image-manifests.js';
import { sourcesOf } from './outdated.js';
import { movePin } from './pin-edit.js';
import { hasChanges, reportJson, reportMarkdown, type ImageReport } from './rebuild-report.js';
import type { Loaded } from './selection.js';

export interface RefreshArgs {
  keyring?: string;
  dryRun?: boolean;
  json?: boolean;
  /** The config files named on the command line (absolute). */
  configFiles: string[];
}

interface Outcome {
  entry: RenderEntry;
  file: string;
  shown: string;
  from: string;
  /** The newest snapshot; the pin moves to it when `move`. */
  to: string;
  move: boolean;
  reports: ImageReport[];
  configText?: string;
  manifests: { path: string; text: string }[];
}

function configFile(entry: RenderEntry, loaded: Loaded, named: readonly string[]): string | undefined {
  const candidates = loaded.project?.configs ?? named;
  return candidates.find((p) => basename(p, extname(p)) === entry.id);
}

/** The newest moment of every snapshot tree the config's builds read: the pin that gets them all. */
async function newest(settings: Settings, now: Date): Promise<string> {
  const trees = new Set(
    settings.arch.flatMap((arch) => {
      const t = snapshotTrees(settings.distro, arch, settings.snapshotMirror);
      return settings.apt.security ? [t.mirror, t.security] : [t.mirror];
    }),
  );
  const moments = await Promise.all([...trees].map((tree) => newestSnapshot(tree, now)));
  return moments.sort().at(-1)!;
}

async function refreshOne(entry: RenderEntry, loaded: Loaded, file: string, argv: RefreshArgs, cache: Map<string, Promise<ReadSource>>, now: Date): Promise<Outcome> {
  const shown = entry.origin.generatedFrom.replace(/^config /, '');
  const from = entry.settings.snapshot!;
  const text = readExpected(file);
  if (text === undefined) throw new ConfigError(shown, ['the config file is gone']);
  const r = resolve(entry.settings);
  const expected = expectedManifests(entry, r, loaded.out, shown);
  // The edit is tried now, so a config that cannot be edited in place fails before any download.
  const trial = movePin(text, from);
  if ('problem' in trial) throw new ConfigError(shown, [`cannot move snapshot: in place: ${trial.problem}`]);
  const to = await newest(entry.settings, now);
  const outcome: Outcome = { entry, file, shown, from, to, move: false, reports: [], manifests: [] };
  if (to <= from) return outcome;
  const next = resolve({ ...entry.settings, snapshot: to });
  for (const build of next.builds) {
    const oldBuild = r.builds.find((b) => b.arch === build.arch)!;
    const expect = expected?.find((m) => m.arch === build.arch);
    // Without an expected manifest, the image is the one the old pin's archives make.
    const before = expect?.lines ?? rebuildReport(r, await readArchSources(r, oldBuild, { keyring: argv.keyring, cache }), undefined).manifest;
    const sources = await readArchSources(next, build, { keyring: argv.keyring, cache });
    const result = rebuildReport(next, sources, before);
    outcome.reports.push({
      config: entry.origin.generatedFrom,
      id: entry.id,
      arch: build.arch,
      against: expect?.shown ?? `the image the snapshot ${from} makes`,
      snapshot: to,
      result,
      sources: sourcesOf(sources.sources),
      notes: sources.notes,
    });
    if (expect) outcome.manifests.push({ path: expect.path, text: manifestText(result.manifest) });
  }
  const problems = outcome.reports.flatMap((rep) => rep.result.problems);
  if (problems.length > 0) return outcome;
  outcome.move = outcome.reports.some(hasChanges);
  if (outcome.move) {
    const edit = movePin(text, to);
    if ('problem' in edit) throw new ConfigError(shown, [`cannot move snapshot: in place: ${edit.problem}`]);
    outcome.configText = edit.text;
  }
  return outcome;
}

/** The pull request body: which pins moved, then each image's package changes. */
function summary(outcomes: readonly Outcome[]): string {
  const moved = outcomes.filter((o) => o.move);
  const lines: string[] = ['## Snapshot refresh', '', '| config | snapshot |', '| --- | --- |'];
  for (const o of moved) lines.push(`| ${o.shown} | ${o.from} → ${o.to} |`);
  lines.push('');
  for (const o of moved) for (const rep of o.reports) lines.push(reportMarkdown(rep).trimEnd(), '');
  const stayed = outcomes.filter((o) => !o.move);
  const why = (o: Outcome) => {
    const problems = o.reports.flatMap((rep) => rep.result.problems);
    if (problems.length > 0) return `the newest snapshot ${o.to} cannot be built: ${problems.join('; ')}`;
    if (o.to <= o.from) return 'no newer snapshot';
    return `the newest snapshot ${o.to} changes no package`;
  };
  if (moved.length === 0) return `${stayed.map((o) => `${o.shown} stays at ${o.from}: ${why(o)}`).join('\n')}\n`;
  if (stayed.length > 0) lines.push('Unchanged:', '', ...stayed.map((o) => `- ${o.shown} stays at ${o.from}: ${why(o)}`), '');
  return `${lines.join('\n')}\n`;
}

export async function refresh(loaded: Loaded, argv: RefreshArgs, regenerate: (entries: RenderEntry[], bakeEntries: RenderEntry[]) => Promise<void>): Promise<number> {
  const pinned = loaded.entries.filter((e) => e.settings.snapshot !== undefined);
  if (pinned.length === 0) throw new ConfigError('refresh', ['no config of this run pins a snapshot (snapshot: YYYYMMDDTHHMMSSZ)']);
  const targets = pinned.map((entry) => {
    const file = configFile(entry, loaded, argv.configFiles.map((f) => resolvePath(f)));
    if (file === undefined) throw new ConfigError(entry.origin.generatedFrom, ['refresh edits config files: name the configs, or run it in a project (mkimage-gen.yaml)']);
    return { entry, file };
  });
  const cache = new Map<string, Promise<ReadSource>>();
  const now = new Date();
  const outcomes: Outcome[] = [];
  for (const { entry, file } of targets) outcomes.push(await refreshOne(entry, loaded, file, argv, cache, now));
  const moved = outcomes.filter((o) => o.move);
  if (!argv.dryRun && moved.length > 0) {
    const at = new Map(moved.map((o) => [o.entry.id, o.to]));
    const next = (e: RenderEntry) => (at.has(e.id) ? { ...e, settings: { ...e.settings, snapshot: at.get(e.id)! } } : e);
    // Rendered before anything is written: the outputs of the moved pins.
    const entries = loaded.entries.map(next);
    const bakeEntries = loaded.bakeEntries.map(next);
    await regenerate(entries, bakeEntries);
    for (const o of moved) {
      writeAtomically(o.file, o.configText!);
      for (const m of o.manifests) writeAtomically(m.path, m.text);
    }
  }
  const blocked = outcomes.some((o) => o.reports.some((rep) => rep.result.problems.length > 0));
  if (argv.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          moved: moved.length > 0,
          written: !argv.dryRun && moved.length > 0,
          configs: outcomes.map((o) => ({ config: o.shown, from: o.from, newest: o.to, moved: o.move, images: o.reports.map(reportJson) })),
        },
        null,
        2,
      )}\n`,
    );
  } else process.stdout.write(summary(outcomes));
  if (blocked) return 1;
  return argv.dryRun && moved.length > 0 ? 1 : 0;
}
