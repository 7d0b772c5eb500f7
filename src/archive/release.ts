// A Release file: what a suite is (origin, suite, codename, dates, defaults for apt's
// policy) and the SHA256 of every index it lists, which the indices are checked against.
import { firstParagraph } from './control.js';

export interface IndexEntry {
  sha256: string;
  size: number;
}

export interface Release {
  origin: string;
  label: string;
  suite: string;
  codename: string;
  version: string;
  /** Date: when the archive made it; undefined where it has none. */
  date: Date | undefined;
  validUntil: Date | undefined;
  architectures: string[];
  components: string[];
  /** apt gives a NotAutomatic suite priority 1, or 100 with ButAutomaticUpgrades (backports). */
  notAutomatic: boolean;
  butAutomaticUpgrades: boolean;
  /** Indices can be fetched by their hash, so a mirror updated mid-run cannot hand out a mismatched one. */
  acquireByHash: boolean;
  /** Architecture-all packages are listed in each architecture's index too (not only in binary-all). */
  allInEachArch: boolean;
  /** Index paths (relative to dists/<suite>/) with their SHA256 and size. */
  files: Map<string, IndexEntry>;
}

const words = (value: string | undefined) => (value ?? '').split(/\s+/).filter((w) => w !== '');
const yes = (value: string | undefined) => value?.toLowerCase() === 'yes';

function date(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  // RFC 2822 with "UTC" where Date.parse wants "GMT" or "+0000".
  const parsed = Date.parse(value.replace(/\bUTC$/, 'GMT'));
  return Number.isNaN(parsed) ? undefined : new Date(parsed);
}

/** The fields of a Release file's text (the signed part of an InRelease, or a Release). */
export function parseRelease(text: string): Release {
  const p = firstParagraph(text);
  const files = new Map<string, IndexEntry>();
  for (const line of (p.get('sha256') ?? '').split('\n')) {
    const [sha256, size, path] = words(line);
    if (sha256 === undefined || size === undefined || path === undefined) continue;
    if (!/^[0-9a-f]{64}$/.test(sha256) || !/^[0-9]+$/.test(size)) continue;
    files.set(path, { sha256, size: Number(size) });
  }
  return {
    origin: p.get('origin') ?? '',
    label: p.get('label') ?? '',
    suite: p.get('suite') ?? '',
    codename: p.get('codename') ?? '',
    version: p.get('version') ?? '',
    date: date(p.get('date')),
    validUntil: date(p.get('valid-until')),
    architectures: words(p.get('architectures')),
    components: words(p.get('components')),
    notAutomatic: yes(p.get('notautomatic')),
    butAutomaticUpgrades: yes(p.get('butautomaticupgrades')),
    acquireByHash: yes(p.get('acquire-by-hash')),
    allInEachArch: words(p.get('no-support-for-architecture-all')).includes('Packages'),
    files,
  };
}
