// A whole directory tree as path -> mode and bytes, to prove a command left it untouched.
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
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

/** Write a snapshot back (files and modes; symlinks are not expected in output trees). */
export function restoreTree(dir: string, snapshot: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [rel, entry] of Object.entries(snapshot)) {
    if (rel.endsWith('/')) {
      mkdirSync(join(dir, rel), { recursive: true });
    } else {
      const [mode, base64] = entry.split(' ');
      writeFileSync(join(dir, rel), Buffer.from(base64!, 'base64'));
      chmodSync(join(dir, rel), parseInt(mode!, 8));
    }
  }
}
