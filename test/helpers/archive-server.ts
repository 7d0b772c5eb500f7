// Signed apt archives made by the tests, and a server for them on 127.0.0.1 that
// answers as a snapshot service does: a moment between two snapshots is redirected to
// the one before it (snapshot.debian.org's way). The Packages indices are whatever the
// test gives (written by hand, or apt-ftparchive's over real .debs); the Release files
// list their SHA256 and are signed with the test's throwaway key (InRelease and
// Release.gpg). The server runs in a child process, so a CLI run with spawnSync reaches it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { gzipSync } from 'node:zlib';
import type { SigningKey } from '../e2e/support/apt-repo.js';

export interface SuiteSpec {
  /** The tree the suite is in, relative to the server root: `debian`, `archive/debian/20250101T000000Z`. */
  tree: string;
  suite: string;
  codename?: string;
  /** Packages text per component, for `arch`. */
  packages: Record<string, string>;
  arch?: string;
  date?: Date;
  validUntil?: Date;
  origin?: string;
  /** Which compressed forms to write: default both. */
  forms?: ('gz' | 'xz')[];
  acquireByHash?: boolean;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function gpg(key: SigningKey, args: string[]): void {
  const r = spawnSync('gpg', ['--batch', '--no-tty', '--yes', '--homedir', key.gnupghome, '--local-user', key.fingerprint, ...args], {
    env: { PATH: '/usr/bin:/bin', HOME: key.gnupghome, GNUPGHOME: key.gnupghome, LC_ALL: 'C.UTF-8' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`gpg ${args.join(' ')}: ${r.stderr}`);
}

/** Write one suite (indices, Release, InRelease, Release.gpg) under `root`. */
export function writeSuite(root: string, key: SigningKey, spec: SuiteSpec): string {
  const arch = spec.arch ?? 'amd64';
  const dist = join(root, spec.tree, 'dists', spec.suite);
  const files: { path: string; bytes: Buffer }[] = [];
  for (const [component, text] of Object.entries(spec.packages)) {
    const plain = Buffer.from(text);
    const dir = `${component}/binary-${arch}`;
    files.push({ path: `${dir}/Packages`, bytes: plain });
    if ((spec.forms ?? ['gz', 'xz']).includes('gz')) files.push({ path: `${dir}/Packages.gz`, bytes: gzipSync(plain) });
    if ((spec.forms ?? ['gz', 'xz']).includes('xz')) {
      const xz = spawnSync('xz', ['-c'], { input: plain });
      files.push({ path: `${dir}/Packages.xz`, bytes: xz.stdout });
    }
  }
  for (const f of files) {
    mkdirSync(dirname(join(dist, f.path)), { recursive: true });
    writeFileSync(join(dist, f.path), f.bytes);
    if (spec.acquireByHash) {
      const byHash = join(dist, dirname(f.path), 'by-hash/SHA256', sha256(f.bytes));
      mkdirSync(dirname(byHash), { recursive: true });
      writeFileSync(byHash, f.bytes);
    }
  }
  const when = (d: Date) => d.toUTCString().replace(/GMT$/, 'UTC');
  const release = [
    `Origin: ${spec.origin ?? 'Debian'}`,
    `Label: ${spec.origin ?? 'Debian'}`,
    `Suite: ${spec.suite}`,
    `Codename: ${spec.codename ?? spec.suite}`,
    `Date: ${when(spec.date ?? new Date())}`,
    ...(spec.validUntil ? [`Valid-Until: ${when(spec.validUntil)}`] : []),
    ...(spec.acquireByHash ? ['Acquire-By-Hash: yes'] : []),
    `Architectures: ${arch}`,
    `Components: ${Object.keys(spec.packages).join(' ')}`,
    'SHA256:',
    ...files.map((f) => ` ${sha256(f.bytes)} ${String(f.bytes.length).padStart(8)} ${f.path}`),
    '',
  ].join('\n');
  writeFileSync(join(dist, 'Release'), release);
  gpg(key, ['--digest-algo', 'SHA512', '--clearsign', '--output', join(dist, 'InRelease'), join(dist, 'Release')]);
  gpg(key, ['--digest-algo', 'SHA512', '--armor', '--detach-sign', '--output', join(dist, 'Release.gpg'), join(dist, 'Release')]);
  return dist;
}

/** A Packages paragraph. */
export function stanza(fields: Record<string, string>): string {
  return `${Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')}\n\n`;
}

const SERVER = `
const { createServer } = require('node:http');
const { readFileSync, readdirSync, statSync } = require('node:fs');
const { join, normalize, sep } = require('node:path');
const [root, snapshotTrees, anyMomentTrees] = process.argv.slice(1);
const trees = JSON.parse(snapshotTrees);
const anyMoment = JSON.parse(anyMomentTrees);
const isFile = (p) => { try { return statSync(p).isFile(); } catch { return false; } };
const server = createServer((req, res) => {
  let path;
  try { path = decodeURIComponent((req.url || '/').split('?')[0]); } catch { path = '/'; }
  for (const tree of anyMoment) {
    const m = new RegExp('^/' + tree + '/\\\\d{8}T\\\\d{6}Z(/.*)?$').exec(path);
    if (m && (!m[1] || m[1] === '/')) { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end('<html></html>'); return; }
    if (m) path = '/' + tree + m[1];
  }
  for (const tree of trees) {
    const m = new RegExp('^/' + tree + '/(\\\\d{8}T\\\\d{6}Z)(/.*)?$').exec(path);
    if (!m) continue;
    let moments = [];
    try { moments = readdirSync(join(root, tree)).filter((n) => /^\\d{8}T\\d{6}Z$/.test(n)).sort(); } catch {}
    if (!moments.includes(m[1])) {
      const before = moments.filter((t) => t <= m[1]).pop();
      if (!before) { res.writeHead(404); res.end(); return; }
      res.writeHead(301, { Location: '/' + tree + '/' + before + (m[2] || '/') }); res.end(); return;
    }
    if (!m[2] || m[2] === '/') { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end('<html></html>'); return; }
  }
  const file = normalize(join(root, path));
  if (!file.startsWith(root + sep) || !isFile(file)) { res.writeHead(404); res.end(); return; }
  const body = readFileSync(file);
  res.writeHead(200, { 'Content-Length': body.length }); res.end(body);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n'));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
`;

export interface ArchiveServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Serve `root` on 127.0.0.1. `snapshotTrees` (e.g. `archive/debian`) hold timestamped
 * snapshots, as snapshot.debian.org does; `anyMomentTrees` serve their one state at any
 * moment (`<tree>/<timestamp>/...`), as snapshot.ubuntu.com answers.
 */
export function serveArchive(root: string, snapshotTrees: string[] = [], anyMomentTrees: string[] = []): Promise<ArchiveServer> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER, root, JSON.stringify(snapshotTrees), JSON.stringify(anyMomentTrees)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const { port } = JSON.parse(line) as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the archive server exited (${code})`)));
  });
}
