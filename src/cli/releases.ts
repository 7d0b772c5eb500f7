// releases: the table of releases mkimage-gen knows, the facts a config relies on.
import { DISTROS, RELEASES, securitySuite } from '../releases/index.js';

export function releaseRows() {
  return RELEASES.map((r) => ({
    distro: r.distro,
    codename: r.codename,
    version: r.version,
    status: r.status,
    sourcesFormat: r.sourcesFormat,
    securitySuite: securitySuite(r),
  }));
}

export function releasesText(): string {
  const rows = releaseRows().map((r) => [r.distro, r.codename, r.version, r.status, r.sourcesFormat, r.securitySuite ?? 'none']);
  const head = ['distro', 'codename', 'version', 'status', 'sources', 'security suite'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const covers = Object.entries(DISTROS).map(([distro, facts]) => `${distro}: ${facts.tableCovers}`);
  return [line(head), ...rows.map(line), '', ...covers, ''].join('\n');
}
