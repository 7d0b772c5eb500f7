// One image's archives, read as its build reads them: for each architecture, the build
// sources the plan resolved (the mirror or the snapshot, -updates, the security suite),
// then the config's extra repositories with their own keys; and the apt preferences
// the plan writes into the image. Then what a rebuild would change (rebuild.ts).
import type { ManifestLine } from '../manifest.js';
import { preferencesFile } from '../plan/additions.js';
import type { ArchBuild, Resolved } from '../plan/resolve.js';
import { parsePreferences, Universe } from './policy.js';
import { rebuild, type RebuildResult } from './rebuild.js';
import { buildRoots } from './roots.js';
import { readSource, type ReadSource, type SourceSpec } from './source.js';
import { verifier, type Keyring } from './verify.js';

export interface ArchiveOptions {
  /** A keyring file to check the distro's own Release files with, instead of the host's archive keyring. */
  keyring?: string;
  now?: Date;
  /** Sources read earlier in this run, by what was asked of them: a project's configs often share them. */
  cache?: Map<string, Promise<ReadSource>>;
}

export interface ArchSources {
  arch: string;
  universe: Universe;
  sources: ReadSource[];
  notes: string[];
}

/** The sources of one architecture's build, in the order its apt sources list them. */
export function sourceSpecs(r: Resolved, build: ArchBuild): { spec: SourceSpec; keyring: Keyring[]; keyId: string }[] {
  const distro = build.buildSources.map((src) => ({
    spec: {
      uri: src.uri,
      suite: src.suite,
      components: src.components,
      arch: build.arch,
      label: src.suite,
      security: src.suite === r.securitySuite,
      ignoreValidUntil: r.noValidUntil.build,
    },
    keyring: [{ path: r.hostKeyring, pkg: r.distro.hostKeyringPackage }] as Keyring[],
    keyId: `host:${r.hostKeyring}`,
  }));
  const repos = r.repositories.flatMap((repo) =>
    repo.suites.map((suite) => ({
      spec: { uri: repo.uri, suite, components: repo.components, arch: build.arch, label: `${repo.name} ${suite}`, security: false, ignoreValidUntil: false },
      keyring: [{ name: repo.name, bytes: repo.key.bytes }] as Keyring[],
      keyId: `key:${repo.key.sha256}`,
    })),
  );
  return [...distro, ...repos];
}

/** Read every source of one architecture's build (in parallel), each verified with its keyring. */
export async function readArchSources(r: Resolved, build: ArchBuild, options: ArchiveOptions = {}): Promise<ArchSources> {
  const cache = options.cache ?? new Map<string, Promise<ReadSource>>();
  const specs = sourceSpecs(r, build).map((s) =>
    options.keyring !== undefined && s.keyId.startsWith('host:') ? { ...s, keyring: [{ path: options.keyring }], keyId: `file:${options.keyring}` } : s,
  );
  const read = (s: (typeof specs)[number]) => {
    const key = JSON.stringify([s.spec, s.keyId]);
    let pending = cache.get(key);
    if (!pending) {
      pending = (async () => {
        const verify = await verifier(s.keyring);
        try {
          return await readSource(s.spec, verify, options.now);
        } finally {
          await verify.close();
        }
      })();
      cache.set(key, pending);
    }
    return pending;
  };
  const settled = await Promise.allSettled(specs.map(read));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  const sources = settled.map((s) => (s as PromiseFulfilledResult<ReadSource>).value);
  const preferences = preferencesFile(r);
  const universe = new Universe(sources, preferences ? parsePreferences(preferences.content) : []);
  return { arch: build.arch, universe, sources, notes: sources.flatMap((s) => s.notes) };
}

/** What a rebuild of one architecture would change against `manifest`; without one, the image the build makes from these sources. */
export function rebuildReport(r: Resolved, archSources: ArchSources, manifest: readonly ManifestLine[] | undefined): RebuildResult {
  const main = archSources.sources[0]!;
  const roots = buildRoots(
    r,
    main.indices.flatMap((i) => i.packages),
    main.spec.label,
  );
  return rebuild(manifest ?? [], archSources.universe, roots, archSources.arch);
}
