// Disk access for refresh-manifest: read a build's manifest (checked against the
// checksum file it was published with, where there is one) and replace the committed
// one atomically.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { OutputError } from './tree.js';

/** The manifest's text; an OutputError if a checksum file beside it lists it with another sum. */
export function readBuiltManifest(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new OutputError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const sum = createHash('sha256').update(text).digest('hex');
  const dir = dirname(path);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sha256'))) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      const [listed, name] = line.split('  ');
      if (name === basename(path) && listed !== sum) {
        throw new OutputError(`${path} does not match its checksum in ${join(dir, file)}: it changed since the build`);
      }
    }
  }
  return text;
}

export function readExpected(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
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
