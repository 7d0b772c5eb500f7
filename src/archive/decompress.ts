// Indices come compressed: gzip is read with node's zlib; xz with the host's xz
// (xz-utils: on every Debian and Ubuntu host, and what the build's own tarball
// compression uses), as some suites (a -security or -updates suite) offer only .xz.
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { ArchiveError } from './errors.js';
import { findProgram, run } from './run.js';

const gunzipAsync = promisify(gunzip);

export type Compression = 'xz' | 'gz' | 'none';

/** The compressions to try, best first: gzip is read in this process, and faster than xz; xz where a suite offers nothing else. */
export function preferredCompressions(): Compression[] {
  return ['gz', 'xz', 'none'];
}

export const SUFFIX: Record<Compression, string> = { xz: '.xz', gz: '.gz', none: '' };

export async function decompress(bytes: Buffer, compression: Compression, what: string): Promise<Buffer> {
  if (compression === 'none') return bytes;
  if (compression === 'gz') {
    try {
      return await gunzipAsync(bytes);
    } catch (error) {
      throw new ArchiveError(`corrupt index ${what}: not gzip data (${(error as Error).message})`);
    }
  }
  const xz = findProgram('xz');
  if (!xz) throw new ArchiveError(`${what} is offered as .xz only, and xz is missing: install the xz-utils package`);
  const result = await run(xz, ['--decompress', '--stdout', '--quiet'], bytes);
  if (result.status !== 0) throw new ArchiveError(`corrupt index ${what}: xz cannot read it (${result.stderr.trim() || `exit ${result.status}`})`);
  return result.stdout;
}
