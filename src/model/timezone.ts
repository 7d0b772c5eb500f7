// Time zones as the image's tzdata has them: a name Node's Intl resolves (JST, PST, any
// case) may not exist in /usr/share/zoneinfo, and a legacy name (US/Pacific) exists only
// where the release's tzdata still ships the backward links.
import { LEGACY_TIME_ZONES, TIME_ZONES } from '../releases/timezones.js';
import type { Release } from '../releases/index.js';
import { describeInput } from './describe.js';
import { closest } from './suggest.js';

/** Abbreviations people write for a zone: none is a zone name, several mean more than one place. */
const ABBREVIATIONS: Readonly<Record<string, readonly string[]>> = {
  JST: ['Asia/Tokyo'],
  KST: ['Asia/Seoul'],
  IST: ['Asia/Kolkata', 'Europe/Dublin', 'Asia/Jerusalem'],
  PST: ['America/Los_Angeles'],
  PDT: ['America/Los_Angeles'],
  MDT: ['America/Denver'],
  CST: ['America/Chicago', 'Asia/Shanghai'],
  CDT: ['America/Chicago'],
  EDT: ['America/New_York'],
  BST: ['Europe/London'],
  CEST: ['Europe/Berlin'],
  EEST: ['Europe/Athens'],
  AEST: ['Australia/Sydney'],
  AEDT: ['Australia/Sydney'],
  NZST: ['Pacific/Auckland'],
  HKT: ['Asia/Hong_Kong'],
  SGT: ['Asia/Singapore'],
  PHT: ['Asia/Manila'],
  WIB: ['Asia/Jakarta'],
  MSK: ['Europe/Moscow'],
};

const CURRENT = new Set(TIME_ZONES);
const ALL = [...TIME_ZONES, ...Object.keys(LEGACY_TIME_ZONES)];
const quoteList = (names: readonly string[]) => names.map((n) => `"${n}"`).join(' or ');

/** Why `zone` is no time zone tzdata ships on any release, or undefined. */
export function timezoneProblem(zone: string): string | undefined {
  if (CURRENT.has(zone) || Object.hasOwn(LEGACY_TIME_ZONES, zone)) return undefined;
  const shown = describeInput(zone);
  const abbreviation = ABBREVIATIONS[zone.toUpperCase()];
  if (abbreviation) return `${shown} is an abbreviation, not an IANA time zone tzdata ships (did you mean ${quoteList(abbreviation)}?)`;
  if (zone.startsWith('SystemV/')) {
    return `${shown} is not an IANA time zone tzdata ships: the SystemV names were dropped from tzdata (2020b); name a region/city zone, e.g. America/New_York`;
  }
  const sameButCase = ALL.find((name) => name.toLowerCase() === zone.toLowerCase());
  // No zone name is longer than 32 characters: a far longer value is no typo of one.
  const hint = sameButCase ?? (zone.length <= 40 ? closest(zone, TIME_ZONES) : undefined);
  return `${shown} is not an IANA time zone tzdata ships${hint ? ` (did you mean "${hint}"?)` : ' (e.g. Asia/Tokyo)'}`;
}

/** True where the release's tzdata package leaves the legacy names to tzdata-legacy (see timezones.ts). */
export function splitsLegacyZones(release: Release): boolean {
  if (release.distro === 'debian') return release.version === 'unstable' || Number(release.version) >= 13;
  return Number(release.version) >= 23.1;
}

/** Why `zone` would not exist in this release's image, or undefined. */
export function legacyTimezoneProblem(zone: string, release: Release): string | undefined {
  if (!Object.hasOwn(LEGACY_TIME_ZONES, zone) || !splitsLegacyZones(release)) return undefined;
  const current = LEGACY_TIME_ZONES[zone];
  return (
    `${describeInput(zone)} is a legacy name that ${release.codename}'s tzdata does not ship (it moved to tzdata-legacy)` +
    (current ? `: use "${current}"` : ': use a region/city zone, e.g. Asia/Tokyo')
  );
}
