// Look inside a built image: unpack its tarball as root (owners as stored) and run
// commands in it with chroot and a clean environment, as a container would start.
import { mkdirSync } from 'node:fs';
import { must, sh, type Sh } from './host.js';

export const CHROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** tar picks the decompressor from the file's contents (gzip, xz, zstd). */
export function unpack(tarball: string, into: string): string {
  mkdirSync(into, { recursive: true });
  must('tar', ['-x', '-f', tarball, '-C', into, '--numeric-owner', '--same-permissions']);
  return into;
}

/** `tar -tv` of the tarball, without --numeric-owner: names appear where the tarball stores them. */
export function listing(tarball: string): string[] {
  return must('tar', ['-t', '-v', '-f', tarball]).trimEnd().split('\n');
}

/** A command inside the unpacked rootfs, with the environment a container gets. */
export function inRoot(rootfs: string, command: readonly string[], env: Record<string, string> = {}): Sh {
  const vars = Object.entries({ PATH: CHROOT_PATH, HOME: '/root', ...env }).map(([k, v]) => `${k}=${v}`);
  return sh('chroot', [rootfs, '/usr/bin/env', '-i', ...vars, ...command]);
}
