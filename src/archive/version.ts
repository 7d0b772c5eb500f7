// Debian version numbers, ordered as dpkg orders them (deb-version(7)): epoch, then the
// upstream version, then the revision, each compared by dpkg's verrevcmp. A rebuild
// report that said "older" where apt says "newer" would tell a team the wrong thing,
// so the tests hold this against `dpkg --compare-versions`.

export interface DebianVersion {
  epoch: string;
  upstream: string;
  revision: string;
}

/** Split `[epoch:]upstream[-revision]` as dpkg does: the epoch before the first colon, the revision after the last hyphen. */
export function parseVersion(text: string): DebianVersion {
  const value = text.trim();
  const colon = value.indexOf(':');
  const epoch = colon >= 0 ? value.slice(0, colon) : '0';
  const rest = colon >= 0 ? value.slice(colon + 1) : value;
  const hyphen = rest.lastIndexOf('-');
  return hyphen >= 0 ? { epoch, upstream: rest.slice(0, hyphen), revision: rest.slice(hyphen + 1) } : { epoch, upstream: rest, revision: '' };
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** dpkg's weight of a character in a non-digit run: `~` before the end, the end before letters, letters before the rest. */
function order(c: number | undefined): number {
  if (c === undefined) return 0;
  if (isDigit(c)) return 0;
  if (isLetter(c)) return c;
  if (c === 126) return -1; // ~
  return c + 256;
}

/** Two runs of digits as numbers, of any length: leading zeros dropped, then length, then digits. */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** dpkg's verrevcmp: alternate runs of non-digits (by order()) and digits (as numbers). */
function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = order(i < a.length ? a.charCodeAt(i) : undefined);
      const bc = order(j < b.length ? b.charCodeAt(j) : undefined);
      if (ac !== bc) return ac < bc ? -1 : 1;
      i++;
      j++;
    }
    const startA = i;
    while (i < a.length && isDigit(a.charCodeAt(i))) i++;
    const startB = j;
    while (j < b.length && isDigit(b.charCodeAt(j))) j++;
    const digits = compareDigits(a.slice(startA, i), b.slice(startB, j));
    if (digits !== 0) return digits;
  }
  return 0;
}

/** Negative, zero or positive as `a` is older than, the same as, or newer than `b`. */
export function compareVersions(a: string, b: string): number {
  if (a === b) return 0;
  const x = parseVersion(a);
  const y = parseVersion(b);
  return compareDigits(x.epoch, y.epoch) || verrevcmp(x.upstream, y.upstream) || verrevcmp(x.revision, y.revision);
}

export type Relation = '<<' | '<=' | '=' | '>=' | '>>';

/** Whether `version` stands in `relation` to `than`, as in a Depends field (`libc6 (>= 2.36)`). */
export function satisfiesRelation(version: string, relation: Relation, than: string): boolean {
  const c = compareVersions(version, than);
  switch (relation) {
    case '<<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '=':
      return c === 0;
    case '>=':
      return c >= 0;
    case '>>':
      return c > 0;
  }
}
