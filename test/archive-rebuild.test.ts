// What a rebuild would change, on archives written out here: apt's choice of version
// (priorities, pins, NotAutomatic), new dependencies pulled in, dropped ones removed,
// packages no source has, and an image that is current changing nothing.
import { describe, expect, it } from 'vitest';
import { parsePackages } from '../src/archive/packages.js';
import { parsePreferences, Universe } from '../src/archive/policy.js';
import { manifestText, rebuild, type Roots } from '../src/archive/rebuild.js';
import { parseRelease } from '../src/archive/release.js';
import type { ReadSource } from '../src/archive/source.js';
import { parseManifest, type ManifestLine } from '../src/manifest.js';

function source(label: string, packages: string, release: Partial<Record<string, string>> = {}, security = false, uri = 'http://mirror.example/debian'): ReadSource {
  const fields = { Origin: 'Debian', Suite: label, Codename: label, ...release };
  const text = `${Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')}\nSHA256:\n ${'0'.repeat(64)} 1 main/binary-amd64/Packages\n`;
  return {
    spec: { uri, suite: label, components: ['main'], arch: 'amd64', label, security, ignoreValidUntil: true },
    release: parseRelease(text),
    releaseUrl: `${uri}/dists/${label}/InRelease`,
    indices: [{ component: 'main', packages: parsePackages(packages) }],
    notes: [],
  };
}

const pkg = (name: string, version: string, extra: Record<string, string> = {}) =>
  `${Object.entries({ Package: name, Version: version, Architecture: 'amd64', ...extra })
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')}\n\n`;

const line = (name: string, version: string, arch = 'amd64'): ManifestLine => ({ name, version, arch, source: name, sourceVersion: version });
const roots = (wanted: string[] = [], pins: Record<string, string> = {}): Roots => ({
  wanted: new Map(wanted.map((n) => [n, 'the config includes it'])),
  pins: new Map(Object.entries(pins)),
  bootstrap: new Set(wanted),
  mainSource: 'bookworm',
});

const MAIN = source(
  'bookworm',
  pkg('libc6', '2.36-9+deb12u1', { Priority: 'required' }) +
    pkg('app', '1.0-1', { Depends: 'libc6 (>= 2.36), libold1' }) +
    pkg('libold1', '1.0-1', { Depends: 'libc6' }) +
    pkg('tool', '2.0-1', { Depends: 'libc6' }),
);
const SECURITY = source('bookworm-security', pkg('libc6', '2.36-9+deb12u4', { Priority: 'required' }), {}, true, 'http://mirror.example/debian-security');
const UPDATES = source(
  'bookworm-updates',
  // app's update needs libnew2 instead of libold1.
  pkg('app', '1.0-2', { Depends: 'libc6 (>= 2.36), libnew2 | libalt2' }) + pkg('libnew2', '2.0-1', { Depends: 'libc6' }) + pkg('libalt2', '2.0-1'),
);
const IMAGE = [line('app', '1.0-1'), line('libc6', '2.36-9+deb12u1'), line('libold1', '1.0-1'), line('tool', '2.0-1')];

describe('rebuild', () => {
  it('changes nothing for an image that is current', () => {
    const universe = new Universe([MAIN]);
    const result = rebuild(IMAGE, universe, roots(['libc6', 'app']), 'amd64');
    expect(result.changes).toEqual([]);
    expect(result.problems).toEqual([]);
    expect(manifestText(result.manifest)).toBe(manifestText(IMAGE));
  });

  it('reports each new version with its suite, a security update marked, new dependencies added and dropped ones removed', () => {
    const universe = new Universe([MAIN, UPDATES, SECURITY]);
    const result = rebuild(IMAGE, universe, roots(['app']), 'amd64');
    expect(result.changes).toEqual([
      { kind: 'upgrade', name: 'app', arch: 'amd64', from: '1.0-1', to: '1.0-2', suite: 'bookworm-updates', security: false },
      { kind: 'upgrade', name: 'libc6', arch: 'amd64', from: '2.36-9+deb12u1', to: '2.36-9+deb12u4', suite: 'bookworm-security', security: true },
      {
        kind: 'add',
        name: 'libnew2',
        arch: 'amd64',
        to: '2.0-1',
        suite: 'bookworm-updates',
        security: false,
        reason: 'needed by app 1.0-2 (libnew2 | libalt2)',
      },
      { kind: 'remove', name: 'libold1', arch: 'amd64', from: '1.0-1', reason: 'nothing needs it any more (was needed by app)' },
    ]);
    // The new manifest is what the script would write: sorted, tab-separated.
    const text = manifestText(result.manifest);
    expect('lines' in parseManifest(text)).toBe(true);
    expect(text.split('\n')[0]).toBe('app\t1.0-2\tamd64\tapp\t1.0-2');
  });

  it('keeps an alternative the image already holds', () => {
    const universe = new Universe([MAIN, UPDATES]);
    const image = [...IMAGE, line('libalt2', '2.0-1')];
    const result = rebuild(image, universe, roots(['app']), 'amd64');
    expect(result.changes.map((c) => `${c.kind} ${c.name}`)).toEqual(['upgrade app', 'remove libold1']);
  });

  it('keeps packages no source lists (a hook installed them, say) as they are', () => {
    const universe = new Universe([MAIN]);
    const image = [...IMAGE, line('local-hook-pkg', '1.0')];
    const result = rebuild(image, universe, roots(['app']), 'amd64');
    expect(result.changes).toEqual([]);
    expect(result.kept).toEqual(['local-hook-pkg']);
  });

  it('adds what the build asks for and the image lacks, and names what no source has', () => {
    const universe = new Universe([MAIN]);
    const result = rebuild(IMAGE, universe, roots(['app', 'missing-pkg']), 'amd64');
    expect(result.problems).toEqual(['missing-pkg (the config includes it) is in no source: the build would fail']);
    const withTool = rebuild(IMAGE.filter((l) => l.name !== 'tool'), universe, roots(['app', 'tool']), 'amd64');
    expect(withTool.changes).toEqual([{ kind: 'add', name: 'tool', arch: 'amd64', to: '2.0-1', suite: 'bookworm', security: false, reason: 'the config includes it' }]);
  });

  it('holds a pinned version, and says when no source has it', () => {
    const universe = new Universe([MAIN, SECURITY]);
    expect(rebuild(IMAGE, universe, roots(['app'], { libc6: '2.36-9+deb12u1' }), 'amd64').changes).toEqual([]);
    const gone = rebuild(IMAGE, universe, roots(['app'], { libc6: '2.36-9+deb12u2' }), 'amd64');
    expect(gone.problems).toContain('libc6=2.36-9+deb12u2 is pinned by the config, and no source has that version: the build would fail');
  });
});

describe('apt policy', () => {
  const BACKPORTS = source('bookworm-backports', pkg('tool', '3.0-1~bpo12+1', { Depends: 'libc6' }), { NotAutomatic: 'yes', ButAutomaticUpgrades: 'yes' });
  const EXPERIMENTAL = source('experimental', pkg('tool', '4.0-1'), { NotAutomatic: 'yes' });
  const COMPANY = source('stable', pkg('tool', '2.5-1'), { Origin: 'Company' }, false, 'http://apt.company.example/debian');

  it('takes NotAutomatic suites only when asked, and a newer version on equal priority', () => {
    const universe = new Universe([MAIN, BACKPORTS, EXPERIMENTAL, COMPANY]);
    expect(universe.candidate('tool')?.pkg.version).toBe('2.5-1');
    expect(universe.priority('tool', '3.0-1~bpo12+1')).toBe(100);
    expect(universe.priority('tool', '4.0-1')).toBe(1);
  });

  it('follows the preferences the plan writes: specific pins first, then the general ones by origin or release', () => {
    const prefs = parsePreferences(
      'Package: tool\nPin: release n=bookworm-backports\nPin-Priority: 990\n\nPackage: *\nPin: origin "apt.company.example"\nPin-Priority: 100\n',
    );
    const universe = new Universe([MAIN, BACKPORTS, COMPANY], prefs);
    expect(universe.priority('tool', '2.5-1')).toBe(100);
    expect(universe.candidate('tool')?.pkg.version).toBe('3.0-1~bpo12+1');
    const byVersion = new Universe([MAIN, COMPANY], parsePreferences('Package: tool\nPin: version 2.0*\nPin-Priority: 1001\n'));
    expect(byVersion.candidate('tool')?.pkg.version).toBe('2.0-1');
  });

  it('does not downgrade below what the bootstrap installed unless a pin is 1000 or more', () => {
    const older = source('old', pkg('tool', '1.0-1'));
    const universe = new Universe([MAIN, older], parsePreferences('Package: *\nPin: release a=old\nPin-Priority: 900\n'));
    expect(universe.candidate('tool', '2.0-1')?.pkg.version).toBe('2.0-1');
    const forced = new Universe([MAIN, older], parsePreferences('Package: *\nPin: release a=old\nPin-Priority: 1001\n'));
    expect(forced.candidate('tool', '2.0-1')?.pkg.version).toBe('1.0-1');
    const never = new Universe([MAIN], parsePreferences('Package: tool\nPin: version *\nPin-Priority: -1\n'));
    expect(never.candidate('tool')).toBeUndefined();
  });
});
