// Every file the CLI reads goes through one reader (src/io/regular-file.ts): only regular
// files, a limit checked with fstat before the first byte, nothing that can block. This
// proves that reader on every kind of thing a path can name, and that no other module
// reads a file another way, so a new reader cannot bring back a hang or a crash.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRegularFile, refusalText } from '../src/io/regular-file.js';
import { ROOT } from './helpers/presets.js';

/** Modules that may read files themselves, and why. */
const OWN_READERS: Record<string, string> = {
  'src/io/regular-file.ts': 'the reader',
};

/** The ways Node reads a file (or opens one to read). */
const READS = /\b(?:readFileSync|readSync|openSync|createReadStream|openAsBlob|readFile|read|open)\s*\(|['"](?:node:)?fs\/promises['"]|\bfs\.promises\b/;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sources(path);
    return /\.(?:ts|cjs|mjs|js)$/.test(entry.name) ? [path] : [];
  });
}

describe('one reader', () => {
  it('no module but the reader reads a file', () => {
    const files = sources('src');
    expect(files.length).toBeGreaterThan(50);
    const offenders = files
      .filter((file) => !(file in OWN_READERS))
      .flatMap((file) =>
        readFileSync(join(ROOT, file), 'utf8')
          .split('\n')
          .map((line, i) => ({ line, at: `${file}:${i + 1}` }))
          // Comments may speak of reading; calls on the reader's own result (read.ok) are not reads.
          // An open for writing only (O_WRONLY) reads nothing.
          .filter(({ line }) => !/^\s*(?:\/\/|\*|\/\*)/.test(line) && !/\bO_WRONLY\b/.test(line) && READS.test(line.replace(/\breadRegularFile\(|\breadOwnFile\(/g, ''))),
      )
      .map(({ at, line }) => `${at}: ${line.trim()}`);
    expect(offenders).toEqual([]);
  });

  it('the check finds a read where there is one, and each exception exists', () => {
    for (const file of Object.keys(OWN_READERS)) expect(existsSync(join(ROOT, file)), file).toBe(true);
    for (const line of ["const x = readFileSync(p, 'utf8');", "import { readFile } from 'node:fs/promises';", 'fs.promises.open(p)', 'openSync(p, "r")']) {
      expect(READS.test(line), line).toBe(true);
    }
  });
});

describe('readRegularFile', () => {
  let dir: string;
  const server = createServer();
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mkimage-gen-reader-'));
    writeFileSync(join(dir, 'file'), 'hello\n');
    symlinkSync('file', join(dir, 'link'));
    expect(spawnSync('mkfifo', [join(dir, 'fifo')]).status).toBe(0);
    symlinkSync('fifo', join(dir, 'link-to-fifo'));
    symlinkSync('/dev/zero', join(dir, 'zero'));
    mkdirSync(join(dir, 'folder'));
    writeFileSync(join(dir, 'sparse'), '');
    truncateSync(join(dir, 'sparse'), 400 * 1024 * 1024);
    await new Promise<void>((resolve) => server.listen(join(dir, 'socket'), resolve));
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const read = (name: string, limits: Parameters<typeof readRegularFile>[1]) => readRegularFile(join(dir, name), limits);
  const why = (name: string, limits: Parameters<typeof readRegularFile>[1]) => {
    const r = read(name, limits);
    return r.ok ? 'read' : refusalText(r.refused, 'it');
  };

  it('reads a regular file, and through a link only when told to', () => {
    const r = read('link', { maxBytes: 100, follow: true });
    expect(r.ok && r.bytes.toString()).toBe('hello\n');
    expect(why('link', { maxBytes: 100 })).toBe('not a regular file but a symlink');
  });

  it('refuses, unopened and unread, what is not a regular file, naming it', () => {
    expect(why('fifo', { maxBytes: 100, follow: true })).toBe('not a regular file but a FIFO');
    expect(why('link-to-fifo', { maxBytes: 100, follow: true })).toBe('not a regular file but a FIFO (through a symlink)');
    expect(why('zero', { maxBytes: 100, follow: true })).toBe('not a regular file but a device (through a symlink)');
    expect(why('folder', { maxBytes: 100, follow: true })).toBe('not a regular file but a folder');
    expect(why('socket', { maxBytes: 100, follow: true })).toBe('not a regular file but a socket');
    expect(why('absent', { maxBytes: 100, follow: true })).toBe('no such file');
  });

  it('refuses a file over its limit by its size alone; a prefix read takes exactly the limit', () => {
    expect(why('sparse', { maxBytes: 1024 })).toBe('419430400 bytes; it may have at most 1024');
    const head = read('sparse', { maxBytes: 1024, prefix: true });
    expect(head.ok && head.bytes.length).toBe(1024);
    const exact = read('file', { maxBytes: 6 });
    expect(exact.ok && exact.bytes.toString()).toBe('hello\n');
    expect(why('file', { maxBytes: 5 })).toBe('6 bytes; it may have at most 5');
  });
});
