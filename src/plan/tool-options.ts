// The options the bootstrap tools and tar are called with, decided once: the step's
// template lays them out (partials/tool-options.hbs, each with the comment that says
// why), and the step's ledger part lists the same words for the architecture it is at.
import { joined, ref, setting, type Word } from './commands.js';
import type { LedgerWriter } from './ledger-entry.js';
import type { Resolved } from './resolve.js';

/** Options added only where the script finds itself: in a build container, or given --package-cache. */
export type OptionCondition = 'buildkit' | 'package-cache';

/** Words of a command line, with why they are there and when the script adds them (always, if not said). */
export interface ToolOption {
  words: Word[];
  /** The comment above them in the script, line by line. */
  why?: readonly string[];
  when?: OptionCondition;
  /** A shellcheck warning the words raise on purpose, and why ("SC2016 # ..."). */
  lint?: string;
}

const namesCache = (options: readonly ToolOption[]) => options.some((o) => o.when === 'package-cache');

/**
 * What partials/tool-options.hbs lays out: one `args+=(...)` line per option, then, where
 * an option names the --package-cache folder, the command that makes it.
 */
export function optionLines(options: readonly ToolOption[]) {
  return {
    lines: options.map((o) => ({ words: o.words, why: o.why ?? [], lint: o.lint ?? null, buildkit: o.when === 'buildkit', cache: o.when === 'package-cache' })),
    makesCache: namesCache(options),
  };
}

/** The ledger's entry for the --package-cache folder the options name, where they name it. */
export function cacheFolderLedger(options: readonly ToolOption[], out: LedgerWriter): void {
  if (namesCache(options)) out.add('create', 'mkdir -p $PACKAGE_CACHE', { when: 'with --package-cache' });
}

/** The words of the options the ledger lists: those the script adds in a plain run (or --buildkit's). */
export function optionWords(options: readonly ToolOption[], out: LedgerWriter): string[] {
  return options.filter((o) => o.when === undefined || (o.when === 'buildkit' && out.inBuildkit)).flatMap((o) => o.words.map(out.expand));
}

/** The packages added to the variant (the INCLUDE setting), where there are any. */
const including = (include: readonly string[]): ToolOption[] => (include.length > 0 ? [{ words: [['--include=', joined('INCLUDE')]] }] : []);

/** debootstrap's options; `include`: what the INCLUDE setting holds. */
export function debootstrapOptions(r: Resolved, include: readonly string[]): ToolOption[] {
  const s = r.settings;
  return [
    { words: ['--verbose', ['--arch=', ref('ARCH')], ['--keyring=', setting('KEYRING')], ['--components=', joined('COMPONENTS')]] },
    ...(s.variant === 'default' ? [] : [{ words: [['--variant=', setting('VARIANT')]] }]),
    ...including(include),
    ...(s.exclude.length > 0 ? [{ words: [['--exclude=', joined('EXCLUDE')]] }] : []),
    { words: [['--cache-dir=', ref('PACKAGE_CACHE')]], when: 'package-cache', why: ['--package-cache: debootstrap keeps and reuses the .debs it downloads there.'] },
  ];
}

/** What every mmdebstrap call is told of the archive (architecture, keyring, components), and merged /usr without usrmerge. */
export const MMDEBSTRAP_ARCHIVE: readonly Word[] = [
  ['--arch=', ref('ARCH')],
  ['--keyring=', setting('KEYRING')],
  ['--components=', joined('COMPONENTS')],
  ['--hook-dir=', setting('MERGED_USR_HOOK')],
];

/** What mmdebstrap is told before the hook stages (see mmdebstrapDownloads for after them). */
export function mmdebstrapOptions(include: readonly string[], how: { eatmydata: boolean; noValidUntil: boolean; keepPolicyRcD: boolean }): ToolOption[] {
  const options: ToolOption[] = [
    {
      words: [
        ['--mode=', ref('BUILD_MODE')],
        '--format=tar',
        ['--variant=', setting('VARIANT')],
        ...MMDEBSTRAP_ARCHIVE,
      ],
    },
    ...including(include),
  ];
  if (how.eatmydata) {
    options.push({
      words: [['--hook-dir=', setting('EATMYDATA_HOOK')]],
      why: [
        'Even with force-unsafe-io, dpkg syncs its database after every change and starts',
        "writeback of every file; a throwaway rootfs needs neither. mmdebstrap's eatmydata",
        'hook runs its dpkg without syncs and removes eatmydata again before our customize',
        "hook (the image is the same; the preflight checks for the hook's dpkg-architecture).",
      ],
    });
  }
  options.push(
    {
      words: ['--skip=cleanup/apt'],
      why: [
        "mmdebstrap's own apt cleanup is not run. With clean: true our apt_clean step has",
        "already emptied the cache and lists at the customize stage, as with debootstrap;",
        "mmdebstrap's cleanup would then run apt-get update once more and recreate",
        '/var/lib/apt/lists/partial, owned by root in mode root but by _apt in mode unshare',
        "(apt's sandbox user can read the rootfs only there), so the two modes' tarballs",
        'would differ. With clean: false the lists and cache stay in the image.',
      ],
    },
    { words: ['--skip=chroot/mount'], when: 'buildkit', why: ['--buildkit: a build container may not mount; the hooks and chroots need no /proc.'] },
  );
  if (how.noValidUntil) {
    options.push({ words: ['--aptopt=Acquire::Check-Valid-Until "false"'], why: ['The Release files are old on purpose (a snapshot or the archive): no Valid-Until check.'] });
  }
  if (how.keepPolicyRcD) {
    options.push({ words: ['--skip=chroot/policy-rc.d'], why: ['Our policy-rc.d (written at the setup hook) stays; mmdebstrap would remove its own.'] });
  }
  options.push({
    words: [
      '--skip=essential/unlink',
      '--setup-hook=mkdir -p "$1/var/cache/apt/archives"',
      ['--setup-hook=sync-in ', ref('PACKAGE_CACHE'), ' /var/cache/apt/archives/'],
      ['--customize-hook=sync-out /var/cache/apt/archives ', ref('PACKAGE_CACHE')],
    ],
    when: 'package-cache',
    why: [
      '--package-cache: the .debs of earlier builds go in before apt downloads (it fetches',
      'only what is missing), and every .deb of this build comes back out before the',
      "customize steps clean apt's cache; the essential ones are kept for that too.",
    ],
    lint: 'SC2016 # mmdebstrap\'s shell expands "$1", the rootfs',
  });
  return options;
}

/**
 * What mmdebstrap is told after the hook stages: it copies the version file and dpkg's
 * status (the records list the packages from it) out itself, so no hook writes outside
 * the rootfs.
 */
export function mmdebstrapDownloads(): ToolOption[] {
  return [
    {
      words: [
        ['--customize-hook=download ', setting('VERSION_FILE'), ' ', ref('WORK_DIR'), '/version-', ref('ARCH')],
        ['--customize-hook=download /var/lib/dpkg/status ', ref('WORK_DIR'), '/dpkg-', ref('ARCH'), '/status'],
      ],
      why: [
        'mmdebstrap copies the version file out itself, so no hook writes outside the rootfs.',
        "The same for dpkg's status, which the records list the packages from.",
      ],
    },
  ];
}

/** tar's options for packing a rootfs: numeric owners; where reproducible, sorted entries and clamped mtimes. */
export function tarOptions(reproducible: boolean): ToolOption[] {
  const options: ToolOption[] = [{ words: ['--numeric-owner', '--one-file-system', '-C', [ref('ROOTFS')]] }];
  if (reproducible) {
    options.push({
      words: ['--sort=name', ['--mtime=@', ref('SOURCE_DATE_EPOCH')], '--clamp-mtime', '--format=posix', '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime'],
      lint: "SC2054 # the commas are tar's, inside one word",
    });
  }
  return options;
}
