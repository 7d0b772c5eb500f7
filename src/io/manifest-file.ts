// Disk access for refresh-manifest: read a build's manifest (checked against the
// checksum file it was published with, where there is one) and replace the committed
// one atomically.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../model/errors.js';
import { readRegularFile, refusalText, type ReadLimits } from './regular-file.js';
import { OutputError } from './tree.js';

/** A manifest lists a few thousand packages at most; a checksum file a few lines. */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
const MAX_CHECKSUMS_BYTES = 1024 * 1024;

/** A file's bytes, or bad input naming it; undefined where it is missing and `missing` allows it. */
function readBytes(path: string, limits: ReadLimits, what: string, missing: 'error' | 'allowed' = 'error'): Buffer | undefined {
  const read = readRegularFile(path, limits);
  if (read.ok) return read.bytes;
  if (read.refused.why === 'missing' && missing === 'allowed') return undefined;
  throw new ConfigError(path, [refusalText(read.refused, what)]);
}

/**
 * The manifest's text (the path the user named, through a link to a regular file); an
 * OutputError if a checksum file beside it lists it with another sum. The checksum files
 * are found, not named: a link among them is refused, not followed.
 */
export function readBuiltManifest(path: string): string {
  const bytes = readBytes(path, { maxBytes: MAX_MANIFEST_BYTES, follow: true }, 'a manifest')!;
  const sum = createHash('sha256').update(bytes).digest('hex');
  const dir = dirname(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new ConfigError(dir, [refusalText({ why: 'error', code: (error as NodeJS.ErrnoException).code ?? String(error) })]);
  }
  for (const file of names.filter((f) => f.endsWith('.sha256')).sort()) {
    const checksums = readBytes(join(dir, file), { maxBytes: MAX_CHECKSUMS_BYTES }, 'a checksum file')!;
    for (const line of checksums.toString('utf8').split('\n')) {
      const [listed, name] = line.split('  ');
      if (name === basename(path) && listed !== sum) {
        throw new OutputError(`${path} does not match its checksum in ${join(dir, file)}: it changed since the build`);
      }
    }
  }
  return bytes.toString('utf8');
}

/** The expected manifest as it is now (a path the user named), or undefined where there is none yet. */
export function readExpected(path: string): string | undefined {
  return readBytes(path, { maxBytes: MAX_MANIFEST_BYTES, follow: true }, 'a manifest', 'allowed')?.toString('utf8');
}

/** Write through a temporary name in the same folder, then rename: never half written. */
export function writeAtomically(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, text, { mode: 0o644, flag: 'wx' });
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw new OutputError(`cannot write ${path}: ${(error as Error).message}`);
  }
}
