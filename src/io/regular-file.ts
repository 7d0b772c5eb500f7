// Reading files that sit in a tree we do not control (the output directory, a config
// path): only regular files, only as many bytes as we mean to, and never in a way that
// can block. A FIFO opened for reading waits for a writer forever, a device such as
// /dev/zero never ends, and while a synchronous read blocks, Node runs no signal handler.
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

/**
 * Up to `maxBytes` of a regular file. The caller has looked at the path first (see
 * `inspect`); opening again with O_NONBLOCK and O_NOFOLLOW, then checking the open file
 * is still a regular file, closes the window in which it could have been swapped for a
 * FIFO or a link. Returns undefined where it is no longer a regular file.
 */
export function readRegularFile(path: string, maxBytes: number, follow = false): Buffer | undefined {
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY | (follow ? 0 : constants.O_NOFOLLOW);
  let fd: number;
  try {
    fd = openSync(path, flags);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENXIO') return undefined;
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return undefined;
    const buffer = Buffer.alloc(Math.min(stat.size, maxBytes));
    let filled = 0;
    while (filled < buffer.length) {
      const n = readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (n === 0) break;
      filled += n;
    }
    return buffer.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}
