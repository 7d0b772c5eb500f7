// Commands as data: what a step does, as a list the plan decides once. One renderer
// turns the list into the step's shell lines (through steps/commands.hbs and the
// quoting helpers) and into its root ledger entries; the dry run's text is what the
// runtime's command functions (run, in_chroot, write_file, install_embedded, ...) print
// for those lines, so nothing here or in a template spells a dry-run line by hand.
import { createHash } from 'node:crypto';
import type { Blob } from './blob.js';
import type { LedgerWriter } from './ledger-entry.js';

/**
 * Values only the running script knows: its folders, the architecture it builds and that
 * architecture's mirror, the build mode (--mode) and the epoch read from the Release files.
 */
export type RuntimeValue = 'ROOTFS' | 'WORK_DIR' | 'BUILD_TMP' | 'OUTPUT_DIR' | 'ARCH' | 'PACKAGE_CACHE' | 'BUILD_MODE' | 'MIRROR' | 'SOURCE_DATE_EPOCH';

/**
 * Part of a word: literal text decided now, a runtime value, a setting of the script
 * ("$KEYRING"), or an array setting joined with commas as the tools take lists
 * ("$(join_by , "${INCLUDE[@]}")").
 */
export type Piece = string | { ref: RuntimeValue } | { setting: string } | { joined: string };

/** A word of an argv: a literal decided now, or pieces joined into one word ("$ROOTFS"'/etc/x'). */
export type Word = string | readonly Piece[];

/** A runtime value as a piece of a word. */
export const ref = (name: RuntimeValue) => ({ ref: name }) as const;
/** A setting of the script as a piece of a word. */
export const setting = (name: string) => ({ setting: name }) as const;
/** An array setting of the script, comma-joined, as a piece of a word. */
export const joined = (name: string) => ({ joined: name }) as const;

/** Only under a condition the script tests when it runs (and the ledger states). */
export type Condition =
  | { undoTweaks: true }
  /** the path exists in the rootfs */
  | { exists: string }
  /** the architecture being built is one of these */
  | { arches: readonly string[] };

interface Base {
  /** A comment line above the command in the script. */
  why?: string;
  when?: Condition;
}

export type Command = Base &
  (
    | { kind: 'host'; argv: readonly Word[] }
    | { kind: 'chroot'; argv: readonly string[]; stdin?: string }
    /** A file written into the image (mode, content). */
    | { kind: 'write'; path: string; mode: string; content: string }
    /** A file the script carries, checked against its sha256, then given its mode and owner. */
    | { kind: 'embedded'; path: string; mode: string; owner: string; blob: Blob }
    /** A symbolic link in the image. */
    | { kind: 'link'; target: string; path: string }
    /** Files of the image removed (the last part of each may be a pattern); `recursive`: folders too. */
    | { kind: 'remove'; paths: readonly string[]; recursive: boolean }
    /** Folders of the image emptied (what is in them removed, the folders kept). */
    | { kind: 'empty'; dirs: readonly string[] }
    /** What the step downloads: the ledger's only. */
    | { kind: 'fetch'; what: string }
    /** The Release files apt keeps in the rootfs, compared with those checked before the build. */
    | { kind: 'check-lists' }
    /** A signing key in the image, its fingerprints read with the host's gpg. */
    | { kind: 'check-key'; path: string; fingerprints: readonly string[] }
    /** A hook the script carries, run in the rootfs or on the host. */
    | { kind: 'hook'; on: 'rootfs' | 'host'; blob: Blob; where: string }
  );

/** The same apt options every apt-get install and dist-upgrade takes: keep changed config files without asking. */
export const APT_OPTIONS = ['-y', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'] as const;

/** One shell line of a command step, as steps/commands.hbs lays it out. */
export interface ShellLine {
  why: string | null;
  undoTweaks: boolean;
  exists: string | null;
  arches: readonly string[] | null;
  /** The runtime function that runs it. */
  call: string;
  args: readonly Word[];
  heredoc: { fence: string; body: string } | null;
}

const EMPTY = { why: null, undoTweaks: false, exists: null, arches: null, heredoc: null } as const;

function shellLine(c: Command): ShellLine {
  const when = c.when;
  const base = {
    ...EMPTY,
    why: c.why ?? null,
    undoTweaks: when !== undefined && 'undoTweaks' in when,
    exists: when !== undefined && 'exists' in when ? when.exists : null,
    arches: when !== undefined && 'arches' in when ? when.arches : null,
  };
  switch (c.kind) {
    case 'host':
      return { ...base, call: 'run', args: c.argv };
    case 'chroot':
      return c.stdin === undefined ? { ...base, call: 'in_chroot', args: c.argv } : { ...base, call: 'in_chroot_with_input', args: [c.stdin, ...c.argv] };
    case 'write':
      return { ...base, call: 'write_file', args: [c.path, c.mode, c.content] };
    case 'embedded':
      return { ...base, call: 'install_embedded', args: [c.path, c.mode, c.owner, c.blob.sha256, c.blob.encoding], heredoc: c.blob };
    case 'link':
      return { ...base, call: 'rootfs_link', args: [c.target, c.path] };
    case 'remove':
      return { ...base, call: 'rootfs_rm', args: [...(c.recursive ? ['-r'] : []), ...c.paths] };
    case 'empty':
      return { ...base, call: 'rootfs_empty', args: c.dirs };
    case 'check-lists':
      return { ...base, call: 'check_apt_lists', args: [] };
    case 'check-key':
      return { ...base, call: 'check_key', args: [c.path, ...c.fingerprints] };
    case 'hook':
      return { ...base, why: `${c.blob.source}: ${c.where}; sha256 ${c.blob.sha256}`, call: 'run_hook', args: [c.on, c.blob.sha256, c.blob.encoding], heredoc: c.blob };
    case 'fetch':
      throw new Error('a fetch has no shell line');
  }
}

/** The data of steps/commands.hbs: the function, the comment above it, its lines. */
export function commandStep(fn: string, doc: string[], commands: readonly Command[]) {
  return { fn, doc, lines: commands.filter((c) => c.kind !== 'fetch').map(shellLine) };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function conditionText(when: Condition): string {
  if ('undoTweaks' in when) return 'with --undo-tweaks';
  if ('exists' in when) return `if the rootfs has ${when.exists}`;
  return `when it builds ${when.arches.join(' or ')}`;
}

/** The root ledger's entries of a command list, for the architecture `out` is at. */
export function commandLedger(commands: readonly Command[], out: LedgerWriter): void {
  for (const c of commands) {
    // A command for other architectures only is not this one's.
    if (c.when && 'arches' in c.when) {
      if (!c.when.arches.includes(out.arch)) continue;
    }
    const extra = c.when && !('arches' in c.when) ? { when: conditionText(c.when) } : {};
    const rootfs = out.rootfs;
    switch (c.kind) {
      case 'host':
        out.add('run', out.line(c.argv.map(out.expand)), extra);
        break;
      case 'chroot':
        out.add('chroot', out.line(c.argv), extra);
        break;
      case 'write':
        out.add('image-file', out.symbolic(`write ${rootfs}${c.path} (mode ${c.mode})`), { sha256: sha256(c.content), ...extra });
        break;
      case 'embedded':
        out.add('image-file', out.symbolic(`unpack ${rootfs}${c.path} (sha256 ${c.blob.sha256})`), { sha256: c.blob.sha256, ...extra });
        out.add('run', out.line(['chmod', '--', c.mode, `${rootfs}${c.path}`]), extra);
        out.add('chroot', out.line(['chown', '--', c.owner, c.path]), extra);
        break;
      case 'link':
        out.add('run', out.line(['ln', '-sfT', c.target, `${rootfs}${c.path}`]), extra);
        break;
      case 'remove':
        out.add('run', out.line(['rm', c.recursive ? '-rf' : '-f', ...c.paths.map((p) => `${rootfs}${p}`)]), extra);
        break;
      case 'empty':
        out.add('run', out.line(['find', ...c.dirs.map((d) => `${rootfs}${d}`), '-mindepth', '1', '-delete']), extra);
        break;
      case 'fetch':
        out.add('fetch', c.what, { shown: false, ...extra });
        break;
      case 'check-lists':
        out.listsRead();
        break;
      case 'check-key':
        out.add('read', out.symbolic(`read the fingerprints of ${rootfs}${c.path} with gpg: ${[...c.fingerprints].sort().join(' ')}`), extra);
        break;
      case 'hook': {
        const script = c.on === 'rootfs' ? `${rootfs}/tmp/mkimage-hook` : out.inHookStage ? `${out.workDir}/tmp/mkimage-host-hook` : `${out.workDir}/hook`;
        out.add('write', out.symbolic(`unpack ${script} (sha256 ${c.blob.sha256})`), extra);
        out.add('run', out.line(['chmod', '0700', script]), extra);
        if (c.on === 'rootfs') out.add('chroot', out.line(['/tmp/mkimage-hook']), extra);
        else out.add('run', out.line(['env', `MKIMAGE_ROOTFS=${rootfs}`, script, rootfs]), extra);
        out.add('run', out.line(['rm', '-f', '--', script]), extra);
        break;
      }
    }
  }
}
