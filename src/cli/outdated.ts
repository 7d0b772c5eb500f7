// `mkimage-gen outdated [configs..]`: would a rebuild now change the image? For each
// config and architecture, the manifest of what the image holds (the expected one, or a
// build's given with --manifest) against the archives its build reads, as they are now.
// Exit 0: nothing would change; 1: something would (a nightly job rebuilds); 2: bad
// input or an archive that cannot be read or trusted, naming it.
import { readArchSources } from '../archive/image.js';
import { rebuildReport } from '../archive/image.js';
import type { ReadSource } from '../archive/source.js';
import { ConfigError } from '../model/errors.js';
import { resolve } from '../plan/resolve.js';
import { expectedManifests, givenManifests, type ArchManifest } from './image-manifests.js';
import { hasChanges, reportJson, reportText, type ImageReport } from './rebuild-report.js';
import type { Loaded } from './selection.js';

export interface OutdatedArgs {
  manifest?: string[];
  keyring?: string;
  json?: boolean;
  quiet?: boolean;
}

/** The Release files a report names: each suite's URL and Date. */
export function sourcesOf(sources: readonly ReadSource[]): ImageReport['sources'] {
  return sources.map((s) => ({ suite: s.spec.label, release: s.releaseUrl, date: s.release.date?.toISOString() ?? null }));
}

export async function outdated(loaded: Loaded, argv: OutdatedArgs): Promise<number> {
  const given = argv.manifest ?? [];
  if (given.length > 0 && loaded.entries.length !== 1) {
    throw new ConfigError('--manifest', [`a manifest belongs to one config, and this run covers ${loaded.entries.length}: name the config too`]);
  }
  // Every manifest is read and checked before anything is fetched.
  const work = loaded.entries.map((entry) => {
    const r = resolve(entry.settings);
    const source = entry.origin.generatedFrom.replace(/^(config|preset) /, '');
    const manifests: ArchManifest[] | undefined = given.length > 0 ? givenManifests(given, r, source) : expectedManifests(entry, r, loaded.out, source);
    if (manifests === undefined) {
      throw new ConfigError(source, ['no manifest to compare with: set expect: in the config, or give a build\'s manifest with --manifest FILE']);
    }
    return { entry, r, manifests };
  });
  const cache = new Map<string, Promise<ReadSource>>();
  const reports: ImageReport[] = [];
  for (const { entry, r, manifests } of work) {
    for (const m of manifests) {
      const build = r.builds.find((b) => b.arch === m.arch)!;
      const sources = await readArchSources(r, build, { keyring: argv.keyring, cache });
      const result = rebuildReport(r, sources, m.lines);
      reports.push({
        config: entry.origin.generatedFrom,
        id: entry.id,
        arch: m.arch,
        against: m.shown,
        snapshot: r.snapshot?.timestamp ?? null,
        result,
        sources: sourcesOf(sources.sources),
        notes: sources.notes,
      });
    }
  }
  const changed = reports.some(hasChanges);
  if (argv.json) process.stdout.write(`${JSON.stringify({ changed, images: reports.map(reportJson) }, null, 2)}\n`);
  else if (!argv.quiet) {
    for (const note of [...new Set(reports.flatMap((r) => r.notes))]) process.stderr.write(`note: ${note}\n`);
    process.stdout.write(reports.map(reportText).join(''));
  }
  return changed ? 1 : 0;
}
