// The package manifest a build writes beside its tarball: one line per package, tab-
// separated (name, version, architecture, source package, source version). Parsing and
// comparing it, for `mkimage-gen refresh-manifest`.

export interface ManifestLine {
  name: string;
  version: string;
  arch: string;
  source: string;
  sourceVersion: string;
}

const FIELD = /^[A-Za-z0-9.+~:_-]+$/;

/** The manifest's lines, or the first problem (with its line number) that makes it not one. */
export function parseManifest(text: string): { lines: ManifestLine[] } | { problem: string } {
  if (text !== '' && !text.endsWith('\n')) return { problem: 'it does not end with a newline (cut short?)' };
  const lines: ManifestLine[] = [];
  for (const [i, raw] of text.split('\n').slice(0, -1).entries()) {
    const fields = raw.split('\t');
    if (fields.length !== 5 || !fields.every((f) => FIELD.test(f))) {
      return { problem: `line ${i + 1} is not name, version, architecture, source and source version, tab-separated` };
    }
    const [name, version, arch, source, sourceVersion] = fields as [string, string, string, string, string];
    lines.push({ name, version, arch, source, sourceVersion });
  }
  if (lines.length === 0) return { problem: 'it lists no package' };
  return { lines };
}

/** What changed from `before` to `after`, one line each: + added, - removed, ~ new version. */
export function manifestChanges(before: readonly ManifestLine[], after: readonly ManifestLine[]): string[] {
  const key = (l: ManifestLine) => `${l.name}:${l.arch}`;
  const old = new Map(before.map((l) => [key(l), l]));
  const now = new Map(after.map((l) => [key(l), l]));
  const changes: string[] = [];
  for (const [k, l] of now) {
    const was = old.get(k);
    if (!was) changes.push(`+ ${k} ${l.version}`);
    else if (was.version !== l.version) changes.push(`~ ${k} ${was.version} -> ${l.version}`);
  }
  for (const [k, l] of old) if (!now.has(k)) changes.push(`- ${k} ${l.version}`);
  return changes.sort((a, b) => (a.slice(2) < b.slice(2) ? -1 : a.slice(2) > b.slice(2) ? 1 : 0));
}
