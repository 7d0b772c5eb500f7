// A whole directory tree as path -> what is there, read without following links or
// opening anything but regular files (a FIFO or a device in a hostile tree must not
// hang the test): type, mode, inode, content hash or link target.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const name of readdirSync(join(dir, sub)).sort()) {
      const rel = sub === '' ? name : `${sub}/${name}`;
      const path = join(dir, rel);
      const stat = lstatSync(path);
      const mode = (stat.mode & 0o7777).toString(8);
      if (stat.isDirectory()) {
        out[`${rel}/`] = `dir ${mode}`;
        walk(rel);
      } else if (stat.isSymbolicLink()) {
        out[rel] = `link -> ${readlinkSync(path)}`;
      } else if (stat.isFile()) {
        out[rel] = `file ${mode} ino=${stat.ino} sha256=${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
      } else {
        out[rel] = `${stat.isFIFO() ? 'fifo' : stat.isSocket() ? 'socket' : 'device'} ${mode} rdev=${stat.rdev}`;
      }
    }
  };
  walk('');
  return out;
}
