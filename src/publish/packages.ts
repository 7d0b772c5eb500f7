// The package lists `verify` compares: what an attested SBOM (SPDX or CycloneDX, as the
// script writes them) lists, what a build's manifest lists, and how two lists differ.
import type { ManifestLine } from '../manifest.js';
import { ARCH_FACTS } from '../plan/arches.js';

/** One installed package: name, version, architecture (as dpkg names them). */
export type PackageKey = string;

const key = (name: string, version: string, arch: string): PackageKey => `${name} ${version} ${arch}`;

/** The architecture qualifier of a deb package URL: pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=... */
function purlArch(purl: unknown): string {
  if (typeof purl !== 'string') return '';
  const query = purl.slice(purl.indexOf('?') + 1);
  for (const pair of query.split('&')) {
    const [k, v] = pair.split('=');
    if (k === 'arch' && v !== undefined) return decodeURIComponent(v);
  }
  return '';
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The packages an SPDX document lists (every package with a deb package URL). */
export function spdxPackages(doc: unknown): PackageKey[] | { problem: string } {
  if (!isObject(doc) || !Array.isArray(doc.packages)) return { problem: 'not an SPDX document (no packages)' };
  const out: PackageKey[] = [];
  for (const p of doc.packages) {
    if (!isObject(p) || !Array.isArray(p.externalRefs)) continue;
    const ref = p.externalRefs.find((r) => isObject(r) && r.referenceType === 'purl');
    const purl = isObject(ref) ? ref.referenceLocator : undefined;
    if (typeof purl !== 'string' || !purl.startsWith('pkg:deb/')) continue;
    out.push(key(String(p.name), String(p.versionInfo), purlArch(purl)));
  }
  return out.sort();
}

/** The packages a CycloneDX document lists (every component with a deb package URL). */
export function cyclonedxPackages(doc: unknown): PackageKey[] | { problem: string } {
  if (!isObject(doc) || doc.bomFormat !== 'CycloneDX' || !Array.isArray(doc.components)) return { problem: 'not a CycloneDX document (no components)' };
  const out: PackageKey[] = [];
  for (const c of doc.components) {
    if (!isObject(c) || typeof c.purl !== 'string' || !c.purl.startsWith('pkg:deb/')) continue;
    out.push(key(String(c.name), String(c.version), purlArch(c.purl)));
  }
  return out.sort();
}

export function manifestPackages(lines: readonly ManifestLine[]): PackageKey[] {
  return lines.map((l) => key(l.name, l.version, l.arch)).sort();
}

/** The dpkg architecture a manifest was built for: the one its packages name, beside `all`. */
export function manifestArch(lines: readonly ManifestLine[]): string | undefined {
  const arches = new Set(lines.map((l) => l.arch).filter((a) => a !== 'all'));
  return arches.size === 1 ? [...arches][0] : undefined;
}

/** How two package lists differ, in words; [] when they are the same. */
export function packageDifferences(found: readonly PackageKey[], expected: readonly PackageKey[], foundName: string, expectedName: string, max = 8): string[] {
  const a = new Set(found);
  const b = new Set(expected);
  const onlyFound = found.filter((k) => !b.has(k));
  const onlyExpected = expected.filter((k) => !a.has(k));
  const list = (keys: string[]) => keys.slice(0, max).join(', ') + (keys.length > max ? ` and ${keys.length - max} more` : '');
  return [
    ...(onlyFound.length > 0 ? [`only in ${foundName}: ${list(onlyFound)}`] : []),
    ...(onlyExpected.length > 0 ? [`only in ${expectedName}: ${list(onlyExpected)}`] : []),
  ];
}

/** An OCI platform as dpkg names its architecture (the inverse of ARCH_FACTS). */
export function dpkgArch(platform: { architecture?: string; variant?: string }): string {
  const found = Object.entries(ARCH_FACTS).filter(([, f]) => f.ociArch === platform.architecture);
  const exact = found.find(([, f]) => f.ociVariant === platform.variant) ?? (found.length === 1 ? found[0] : undefined);
  return exact?.[0] ?? `${platform.architecture ?? '?'}${platform.variant ? `/${platform.variant}` : ''}`;
}
