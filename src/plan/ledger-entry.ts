// The root ledger's entries, and the writer a step's ledger part adds them through: it
// knows the architecture being built and its rootfs, and prints words as the script's
// dry run does (shellQuote is the one quoting rule of both).
import { shellQuote } from '../render/quote.js';
import type { Resolved } from './resolve.js';
import type { Piece, RuntimeValue, Word } from './commands.js';

export type LedgerKind = 'run' | 'chroot' | 'mount' | 'unmount' | 'fetch' | 'create' | 'write' | 'remove' | 'read' | 'image-file';

export interface LedgerEntry {
  /** The step's function, or `main` for what the script does around its steps. */
  step: string;
  kind: LedgerKind;
  /** The command line (as --dry-run prints it, with $WORK_DIR, $ROOTFS, $OUTPUT_DIR, $SCRIPT_DIR), path or URL. */
  what: string;
  /** image-file: sha256 of the content written; null where the build works it out. */
  sha256?: string | null;
  /** Only under some condition (a file that exists, an option): a dry run may not show it. */
  when?: string;
  /** Does --dry-run print this entry as a `+` line? Downloads and the work dir are done, not printed. */
  shown: boolean;
}

/** Stand-ins a dry run with `--work-dir /W --output-dir /O` prints, and the names the ledger gives them. */
export const DRY_RUN_STAND_INS = {
  workDir: '/W/mkimage.XXXXXXXXXX',
  outputDir: '/O',
  scriptDir: '/S',
  resultCache: '/C',
  hookRootfs: '<mmdebstrap rootfs>',
} as const;

/** Stand-ins -> the ledger's names; applied to the ledger's own lines and to a dry run's alike. */
export function symbolic(line: string): string {
  const s = DRY_RUN_STAND_INS;
  return line
    .replace(new RegExp(`${s.workDir.replaceAll('.', '\\.')}/rootfs(-[a-z0-9]+)?`, 'g'), '$ROOTFS')
    .replaceAll(s.hookRootfs, '$ROOTFS')
    .replaceAll(s.workDir, '$WORK_DIR')
    .replace(/(^|[ '=])\/S\//g, '$1$SCRIPT_DIR/')
    .replace(/(^|[ '=:])\/O(?=[/ ']|$)/g, '$1$OUTPUT_DIR')
    .replace(/(^|[ '=])\/C(?=[/ ']|$)/g, '$1$RESULT_CACHE');
}

/** The settings of the script plan by name, as a step's ledger part reads them. */
export interface PlanValues {
  vars: Record<string, string>;
  arrays: Record<string, string[]>;
  maps: Record<string, Record<string, string>>;
}

export class LedgerWriter {
  readonly out: LedgerEntry[] = [];
  step = 'main';
  arch: string;
  rootfs: string;
  /** Steps mmdebstrap calls back: their host files go in the temporary folder it was given. */
  inHookStage = false;
  readonly workDir = DRY_RUN_STAND_INS.workDir;
  readonly outputDir = DRY_RUN_STAND_INS.outputDir;
  readonly scriptDir = DRY_RUN_STAND_INS.scriptDir;

  constructor(
    readonly r: Resolved,
    readonly plan: PlanValues,
    /** The script runs with --buildkit: in a build container, where nothing may be mounted. */
    readonly inBuildkit = false,
  ) {
    this.arch = r.settings.arch[0]!;
    this.rootfs = `${this.workDir}/rootfs`;
  }

  readonly symbolic = symbolic;
  /** A command line as the dry run prints it: each word as shellQuote spells it. */
  readonly line = (words: readonly string[]) => symbolic(words.map(shellQuote).join(' '));
  /** A word as the dry run prints its value. */
  readonly expand = (word: Word): string => (typeof word === 'string' ? word : word.map(this.pieceValue).join(''));

  private readonly pieceValue = (piece: Piece): string => {
    if (typeof piece === 'string') return piece;
    if ('ref' in piece) return this.valueOf(piece.ref);
    if ('setting' in piece) return this.known(this.plan.vars[piece.setting], piece.setting);
    return this.known(this.plan.arrays[piece.joined], piece.joined).join(',');
  };

  private known<T>(value: T | undefined, name: string): T {
    if (value === undefined) throw new Error(`the script has no setting ${name}`);
    return value;
  }

  private valueOf(ref: RuntimeValue): string {
    switch (ref) {
      case 'ROOTFS':
        return this.rootfs;
      case 'WORK_DIR':
        return this.workDir;
      case 'BUILD_TMP':
        return `${this.workDir}/tmp`;
      case 'OUTPUT_DIR':
        return this.outputDir;
      case 'ARCH':
        return this.arch;
      case 'PACKAGE_CACHE':
        return '$PACKAGE_CACHE';
      case 'BUILD_MODE':
        return this.r.settings.mode;
      case 'MIRROR':
        return this.plan.maps.MIRRORS![this.arch]!;
      case 'SOURCE_DATE_EPOCH':
        return this.r.epoch === null ? '<newest Release date>' : String(this.r.epoch);
    }
  }

  add(kind: LedgerKind, what: string, extra: Partial<LedgerEntry> = {}): void {
    this.out.push({ step: this.step, kind, what, shown: true, ...extra });
  }
  host(...words: Word[]): void {
    this.add('run', this.line(words.map(this.expand)));
  }
  chroot(...words: string[]): void {
    this.add('chroot', this.line(words));
  }
  /** check_apt_lists: the Release files apt keeps in the rootfs, compared with those checked before the build. */
  listsRead(): void {
    this.add('read', symbolic(`compare the Release files in ${this.rootfs}/var/lib/apt/lists with ${this.workDir}/tmp/release-files`));
  }
}
