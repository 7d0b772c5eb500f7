// The root ledger's lines and a dry run's, in one spelling, for the tests that prove they agree.
import { symbolic, type LedgerEntry } from '../../src/plan/ledger.js';

/** Host-dependent words: the debootstrap script (the suite's or the fallback, whichever the host has). */
const normalize = (line: string) => line.replace(/\/usr\/share\/debootstrap\/scripts\/[a-z]+/g, '/usr/share/debootstrap/scripts/<script>');

/** A ledger entry as the dry run prints it. */
export function expected(entry: LedgerEntry): string {
  return normalize(entry.kind === 'chroot' ? `[chroot] ${entry.what}` : entry.what);
}

/** The entries a plain dry run prints (no option that adds some), as it prints them. */
export const shownLines = (ledger: readonly LedgerEntry[]) => ledger.filter((e) => e.shown && e.when === undefined).map(expected);

/** The dry run's `+` lines, with the ledger's names for its directories and chroot env left out. */
export function dryRunLines(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('+ '))
    .map((line) => line.slice(2).replace(/\/[^' ]*mkimage-gen-dry-[^/' ]+\//g, '/S/'))
    .map(symbolic)
    .map((line) =>
      line.replace(
        /^chroot '?\$ROOTFS'? \/usr\/bin\/env -i PATH=\S+ HOME=\/root LC_ALL=C DEBIAN_FRONTEND=noninteractive(?: https?_proxy=\S+)*(?: 'SOURCE_DATE_EPOCH=[^']*'| SOURCE_DATE_EPOCH=\d+)? /,
        '[chroot] ',
      ),
    )
    .map(normalize);
}
