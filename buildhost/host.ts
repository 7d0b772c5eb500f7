// What builds on this host need (root, the tools, a mirror that answers) and the
// host-side helpers around them: commands, mounts, processes, temporary directories.
// Shared by the end-to-end tests and the benchmark; nothing here knows of vitest.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { accessSync, constants, chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostMirrors, type HostMirrors } from './mirrors.js';

/** The PATH the generated scripts and the checks run with: the usual root PATH. */
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A command of the host and the Debian package that provides it. */
export interface Tool {
  command: string;
  pkg: string;
}

export const TOOLS: readonly Tool[] = [
  { command: 'debootstrap', pkg: 'debootstrap' },
  { command: 'mmdebstrap', pkg: 'mmdebstrap' },
  { command: 'podman', pkg: 'podman' },
  { command: 'buildah', pkg: 'buildah' },
  { command: 'zstd', pkg: 'zstd' },
  { command: 'gzip', pkg: 'gzip' },
  { command: 'chroot', pkg: 'coreutils' },
  { command: 'mount', pkg: 'mount' },
  { command: 'tar', pkg: 'tar' },
  { command: 'setpriv', pkg: 'util-linux' },
  { command: 'apt-cacher-ng', pkg: 'apt-cacher-ng' },
];

const FILES: readonly Tool[] = [
  { command: '/usr/share/keyrings/debian-archive-keyring.gpg', pkg: 'debian-archive-keyring' },
  { command: '/usr/lib/apt/apt-helper', pkg: 'apt' },
];

/** Where a command is on the system PATH, or undefined. */
export function which(command: string, path = SYSTEM_PATH): string | undefined {
  for (const dir of path.split(':')) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function missingTools(tools: readonly Tool[] = TOOLS): string[] {
  const missing = tools.filter((t) => !which(t.command)).map((t) => `${t.command} (apt: ${t.pkg})`);
  missing.push(...FILES.filter((f) => !existsSync(f.command)).map((f) => `${f.command} (apt: ${f.pkg})`));
  return missing;
}

async function reachable(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(20_000) });
    return response.ok;
  } catch {
    return false;
  }
}

export interface Prerequisites {
  problems: string[];
  mirrors?: HostMirrors;
}

let checked: Promise<Prerequisites> | undefined;

/** Root, the tools, and a mirror read from the host that answers. */
export function prerequisites(): Promise<Prerequisites> {
  checked ??= (async () => {
    const problems: string[] = [];
    if (process.platform !== 'linux') problems.push(`they need Linux, this is ${process.platform}`);
    else if (process.getuid?.() !== 0) problems.push('not root: debootstrap, chroot and mount need it (run the tests with sudo)');
    const missing = missingTools();
    if (missing.length > 0) problems.push(`missing tools: ${missing.join(', ')} (sudo bash .ci/deps installs them)`);
    const { mirrors, problem } = hostMirrors();
    if (problem) problems.push(problem);
    if (mirrors) {
      for (const [what, url] of [
        ['mirror', `${mirrors.mirror}/dists/bookworm/InRelease`],
        ['security mirror', `${mirrors.securityMirror}/dists/bookworm-security/InRelease`],
      ] as const) {
        if (!(await reachable(url))) problems.push(`the ${what} (${mirrors.origin}) does not answer for ${url}`);
      }
    }
    return mirrors ? { problems, mirrors } : { problems };
  })();
  return checked;
}

/** A fresh directory for one test file, readable by everyone (the not-root test runs a script from it). */
export function makeTempRoot(label: string): string {
  const dir = mkdtempSync(join(process.env.MKIMAGE_E2E_TMPDIR ?? tmpdir(), `mkimage-e2e-${label}-`));
  chmodSync(dir, 0o755);
  return dir;
}

/** /proc/self/mounts escapes space, tab, newline and backslash as octal. */
function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** The mount table (this process shares the mount namespace of the scripts): mount point and file system type. */
function mounts(): { point: string; type: string }[] {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => fields.length > 2)
    .map((fields) => ({ point: unescapeMount(fields[1]!), type: fields[2]! }));
}

/** Mount points at or below a directory. */
export function mountsUnder(dir: string): string[] {
  return mounts()
    .map((m) => m.point)
    .filter((mnt) => mnt === dir || mnt.startsWith(`${dir}/`));
}

/** Mount points of tmpfs file systems. */
export function tmpfsMounts(): string[] {
  return mounts()
    .filter((m) => m.type === 'tmpfs')
    .map((m) => m.point);
}

/**
 * Processes that still work in a directory: their root (a chroot) or working directory
 * is at or below it, or their command line names it (mmdebstrap and its hooks).
 */
export function processesUnder(dir: string): string[] {
  const found: string[] = [];
  const under = (path: string) => path === dir || path.startsWith(`${dir}/`);
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)) {
    try {
      const root = readlinkSync(`/proc/${pid}/root`);
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (under(root) || under(cwd) || cmdline.includes(`${dir}/`)) {
        const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        found.push(`${pid} ${comm}: ${cmdline.slice(0, 120)}`);
      }
    } catch {
      // gone, or a zombie with nothing left to read
    }
  }
  return found;
}

export interface Sh {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run a command and collect its output; never throws. */
export function sh(command: string, args: readonly string[], options: SpawnSyncOptions = {}): Sh {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { PATH: SYSTEM_PATH, HOME: '/root', LC_ALL: 'C.UTF-8' },
    ...options,
  });
  return {
    status: result.status,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? '') + (result.error ? `\n${result.error.message}` : ''),
  };
}

/** Run a command that must succeed; its output otherwise becomes the error. */
export function must(command: string, args: readonly string[], options: SpawnSyncOptions = {}): string {
  const result = sh(command, args, options);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}\n${result.stdout}\n${result.stderr}`.trim());
  }
  return result.stdout;
}

/**
 * Remove a temporary tree that scripts and chroots worked in. Whatever is still
 * mounted below it is unmounted first (and reported: that is a leak), and rm never
 * crosses into another file system.
 */
export function removeTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const leaked = mountsUnder(dir);
  for (const mnt of [...leaked].sort().reverse()) {
    if (sh('umount', [mnt]).status !== 0) sh('umount', ['-l', mnt]);
  }
  must('rm', ['-rf', '--one-file-system', '--', dir]);
  return leaked;
}
