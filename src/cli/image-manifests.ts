// Which manifest each architecture of a config is compared with: a build's manifest
// given on the command line, or the config's expected one (expect:, beside the
// generated script; one per architecture where there are several). All of them are
// read and checked before anything is fetched.
import { join, relative, resolve as resolvePath } from 'node:path';
import type { RenderEntry } from '../generate.js';
import { archSiblingName } from '../layout.js';
import { parseManifest, type ManifestLine } from '../manifest.js';
import { ConfigError } from '../model/errors.js';
import type { Resolved } from '../plan/resolve.js';
import { readExpected } from '../io/manifest-file.js';

export interface ArchManifest {
  arch: string;
  /** The path as the user reads it (relative to here). */
  shown: string;
  /** The absolute path (what refresh rewrites). */
  path: string;
  lines: ManifestLine[];
}

const shownPath = (path: string) => relative(process.cwd(), path) || path;

function manifestAt(path: string, source: string): ManifestLine[] {
  let text: string | undefined;
  try {
    text = readExpected(path);
  } catch (error) {
    throw new ConfigError(source, [`cannot read ${shownPath(path)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`]);
  }
  if (text === undefined) {
    throw new ConfigError(source, [
      `${shownPath(path)} does not exist: build the image once and take its manifest with mkimage-gen refresh-manifest (or give one with --manifest)`,
    ]);
  }
  const parsed = parseManifest(text);
  if ('problem' in parsed) throw new ConfigError(source, [`${shownPath(path)} is not a package manifest: ${parsed.problem}`]);
  return parsed.lines;
}

/** The config's expected manifest of each architecture, or undefined where it names none. */
export function expectedManifests(entry: RenderEntry, r: Resolved, out: string, source: string): ArchManifest[] | undefined {
  const expect = entry.settings.expect;
  if (expect === undefined) return undefined;
  return r.builds.map((b) => {
    const path = join(out, entry.id, r.builds.length > 1 ? archSiblingName(expect, b.token) : expect);
    return { arch: b.arch, shown: shownPath(path), path, lines: manifestAt(path, source) };
  });
}

/** Manifests given with --manifest, each matched to the architecture its packages are built for. */
export function givenManifests(files: readonly string[], r: Resolved, source: string): ArchManifest[] {
  const arches = r.builds.map((b) => b.arch);
  const taken = new Map<string, ArchManifest>();
  for (const file of files) {
    const path = resolvePath(file);
    const lines = manifestAt(path, '--manifest');
    const own = [...new Set(lines.map((l) => l.arch).filter((a) => a !== 'all'))];
    const arch = arches.length === 1 ? arches[0]! : own.find((a) => arches.includes(a as never));
    if (arch === undefined) throw new ConfigError('--manifest', [`${file} holds no package of ${arches.join(' or ')}, the architectures ${source} builds`]);
    if (taken.has(arch)) throw new ConfigError('--manifest', [`${file} and ${taken.get(arch)!.shown} are both manifests of ${arch}`]);
    taken.set(arch, { arch, shown: file, path, lines });
  }
  return [...taken.values()];
}
