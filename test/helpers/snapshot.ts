// A whole directory tree as path -> mode and bytes, to prove a command left it untouched.
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const name of readdirSync(join(dir, sub)).sort()) {
      const rel = sub === '' ? name : `${sub}/${name}`;
      const stat = lstatSync(join(dir, rel));
      const mode = (stat.mode & 0o777).toString(8);
      if (stat.isDirectory()) {
        out[`${rel}/`] = mode;
        walk(rel);
      } else if (stat.isSymbolicLink()) {
        out[rel] = `-> ${readlinkSync(join(dir, rel))}`;
      } else {
        out[rel] = `${mode} ${readFileSync(join(dir, rel)).toString('base64')}`;
      }
    }
  };
  walk('');
  return out;
}
