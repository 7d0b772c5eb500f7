// The one way the CLI reads a file: configs, the project file, the files a config embeds,
// manifests and checksum files, the output tree, and mkimage-gen's own templates. Only
// regular files, only up to a limit known before the first byte is read, and never in a
// way that can block: a FIFO opened for reading waits for a writer forever, a device such
// as /dev/zero never ends, and while a synchronous read blocks Node runs no signal
// handler, so not even SIGTERM ends it. A test (test/one-reader.test.ts) keeps every
// other module from reading files any other way.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

export type FileKind = 'file' | 'folder' | 'symlink' | 'FIFO' | 'socket' | 'device';

export function kindOf(stat: Stats): FileKind {
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'folder';
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isFIFO()) return 'FIFO';
  if (stat.isSocket()) return 'socket';
  return 'device';
}

/** What is at a path, without opening it. `follow`: look through a final symlink (for paths the user named). */
export function inspect(path: string, follow = false): Stats | undefined {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

export interface ReadLimits {
  /** The most bytes read. A larger file is refused, unread, unless `prefix`. */
  maxBytes: number;
  /** Look through a final symlink: only for a path the user named (the target must still be a regular file). */
  follow?: boolean;
  /** Read the first `maxBytes` of a larger file instead of refusing it (a header, a diff). */
  prefix?: boolean;
}

/** Why a file was not read. */
export type Refusal =
  | { why: 'missing' }
  /** Not a regular file; `linked`: a symlink the read looked through leads to it. */
  | { why: 'kind'; kind: FileKind; linked: boolean }
  | { why: 'size'; size: number; maxBytes: number }
  | { why: 'error'; code: string };

export type ReadResult = { ok: true; bytes: Buffer } | { ok: false; refused: Refusal };

const refuse = (refused: Refusal): ReadResult => ({ ok: false, refused });
const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code ?? String(error);

/**
 * The bytes of a regular file, or why not. The path is looked at first without opening
 * it, so a device is never opened; then opened with O_NONBLOCK (and O_NOFOLLOW unless
 * `follow`), and the open file checked again with fstat, which closes the window in
 * which it could be swapped for a FIFO or a link. The size comes from that fstat, before
 * the first read, and no more than the limit is ever read.
 */
export function readRegularFile(path: string, limits: ReadLimits): ReadResult {
  const follow = limits.follow ?? false;
  let seen: Stats | undefined;
  let linked = false;
  try {
    seen = inspect(path, follow);
    linked = follow && seen !== undefined && inspect(path)?.isSymbolicLink() === true;
  } catch (error) {
    return refuse({ why: 'error', code: errorCode(error) });
  }
  if (seen === undefined) return refuse({ why: 'missing' });
  if (!seen.isFile()) return refuse({ why: 'kind', kind: kindOf(seen), linked });
  if (seen.size > limits.maxBytes && !limits.prefix) return refuse({ why: 'size', size: seen.size, maxBytes: limits.maxBytes });
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY | (follow ? 0 : constants.O_NOFOLLOW);
  let fd: number;
  try {
    fd = openSync(path, flags);
  } catch (error) {
    const code = errorCode(error);
    // Swapped since we looked: for a link (O_NOFOLLOW), a socket (ENXIO), or nothing.
    if (code === 'ELOOP') return refuse({ why: 'kind', kind: 'symlink', linked: false });
    if (code === 'ENXIO') return refuse({ why: 'kind', kind: 'socket', linked });
    if (code === 'ENOENT' || code === 'ENOTDIR') return refuse({ why: 'missing' });
    return refuse({ why: 'error', code });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return refuse({ why: 'kind', kind: kindOf(stat), linked });
    if (stat.size > limits.maxBytes && !limits.prefix) return refuse({ why: 'size', size: stat.size, maxBytes: limits.maxBytes });
    const buffer = Buffer.alloc(Math.min(stat.size, limits.maxBytes));
    let filled = 0;
    while (filled < buffer.length) {
      const n = readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (n === 0) break;
      filled += n;
    }
    return { ok: true, bytes: buffer.subarray(0, filled) };
  } catch (error) {
    return refuse({ why: 'error', code: errorCode(error) });
  } finally {
    closeSync(fd);
  }
}

/** A refusal in words, for a message that names the file first: `not a regular file but a FIFO`. */
export function refusalText(refused: Refusal, what = 'the file'): string {
  switch (refused.why) {
    case 'missing':
      return 'no such file';
    case 'kind':
      return `not a regular file but a ${refused.kind}${refused.linked ? ' (through a symlink)' : ''}`;
    case 'size':
      return `${refused.size} bytes; ${what} may have at most ${refused.maxBytes}`;
    case 'error':
      return `cannot read it (${refused.code === 'EACCES' ? 'permission denied' : refused.code})`;
  }
}

/** The bytes, or an Error whose message is the refusal: for mkimage-gen's own files, where a refusal is a broken install. */
export function readOwnFile(path: string, maxBytes: number): Buffer {
  const result = readRegularFile(path, { maxBytes, follow: true });
  if (!result.ok) throw new Error(`${path}: ${refusalText(result.refused)}`);
  return result.bytes;
}
