// Rules that make whole classes of late, root-time failures impossible at generate time:
// account clashes with the image (per release), file names the build needs for itself,
// destinations a mount hides or a link leads out of, and the port range in either form.
// The bad corpus (test/fixtures/bad) shows each once through the CLI; these go through
// every member of each class.
import { describe, expect, it } from 'vitest';
import { buildFileClashes, RESERVED_FILE_NAMES } from '../src/layout.js';
import type { SettingsInput } from '../src/model/index.js';
import { baseGroups, baseUsers } from '../src/releases/accounts.js';
import { findRelease, RELEASES } from '../src/releases/index.js';
import { DEBIAN, UBUNTU, problems } from './helpers/settings.js';

/** The problems of a config, `field: message` each; [] where it validates. */
const on = (suite: string): SettingsInput => ({ ...DEBIAN, suite });

describe('users and groups the image has already', () => {
  it('the table is what minbase holds on the releases measured: base-passwd 3.6, no gnats, _apt at 42', () => {
    for (const suite of ['bookworm', 'trixie', 'noble']) {
      const release = RELEASES.find((r) => r.codename === suite)!;
      expect(baseUsers(release).map((u) => `${u.name}:${u.id}`)).toEqual(
        ['root:0', 'daemon:1', 'bin:2', 'sys:3', 'sync:4', 'games:5', 'man:6', 'lp:7', 'mail:8', 'news:9', 'uucp:10', 'proxy:13', 'www-data:33', 'backup:34', 'list:38', 'irc:39', '_apt:42', 'nobody:65534'],
      );
      expect(baseGroups(release)).toHaveLength(38);
      expect(baseGroups(release).some((g) => g.name === 'gnats')).toBe(false);
    }
    // base-passwd before 3.6.0: gnats; _apt comes from apt's maintainer script with no fixed uid.
    for (const [distro, suite] of [['debian', 'bullseye'], ['ubuntu', 'jammy']] as const) {
      const release = findRelease(distro, suite)!;
      expect(baseUsers(release).find((u) => u.name === 'gnats')?.id).toBe(41);
      expect(baseGroups(release).find((g) => g.name === 'gnats')?.id).toBe(41);
      expect(baseUsers(release).find((u) => u.name === '_apt')?.id).toBeNull();
    }
  });

  it.each(RELEASES.filter((r) => r.distro === 'debian' && r.status !== 'archived').map((r) => r.codename))(
    '%s: every user and group name of the image is refused, and every fixed id',
    (suite) => {
      const release = findRelease('debian', suite)!;
      for (const user of baseUsers(release)) {
        expect(problems({ ...on(suite), users: [{ name: user.name, group: 'users' }] })).toContain(`users[0].name: "${user.name}" is a user the image has already: choose another name`);
        if (user.id !== null && user.id !== 0) {
          expect(problems({ ...on(suite), users: [{ name: 'app', uid: user.id }] })).toContain(
            `users[0].uid: uid ${user.id} is the image's user "${user.name}" already: choose a free id (e.g. 10001)`,
          );
        }
      }
      for (const group of baseGroups(release)) {
        expect(problems({ ...on(suite), groups: [{ name: group.name }] })).toContain(`groups[0].name: "${group.name}" is a group the image has already: choose another name`);
        if (group.id !== 0) {
          expect(problems({ ...on(suite), groups: [{ name: 'app', gid: group.id }] })).toContain(
            `groups[0].gid: gid ${group.id} is the image's group "${group.name}" already: choose a free id (e.g. 10001)`,
          );
        }
      }
    },
  );

  it('gnats only where the release has it; uid 42 is free where _apt has no fixed id', () => {
    expect(problems({ ...DEBIAN, groups: [{ name: 'gnats' }] })).toEqual([]);
    expect(problems({ ...DEBIAN, suite: 'bullseye', groups: [{ name: 'gnats' }] })).toEqual(['groups[0].name: "gnats" is a group the image has already: choose another name']);
    expect(problems({ ...DEBIAN, suite: 'bullseye', users: [{ name: 'app', uid: 42 }] })).toEqual([]);
    expect(problems({ ...DEBIAN, users: [{ name: 'app', uid: 42 }] })).toEqual(['users[0].uid: uid 42 is the image\'s user "_apt" already: choose a free id (e.g. 10001)']);
  });

  it('id 0, ids twice, and a group a user creates in the wrong order', () => {
    expect(problems({ ...DEBIAN, users: [{ name: 'app', uid: 0 }], groups: [{ name: 'web', gid: 0 }] })).toEqual([
      "groups[0].gid: gid 0 is root's: give the group an id of its own (e.g. 10001), or leave gid out",
      "users[0].uid: uid 0 is root's: give the user an id of its own (e.g. 10001), or leave uid out",
    ]);
    expect(problems({ ...DEBIAN, users: [{ name: 'a', uid: 2000 }, { name: 'b', uid: 2001 }, { name: 'c', uid: 2000 }] })).toEqual([
      "users[2].uid: uid 2000 is users[0]'s already",
    ]);
    // b's own group exists only once useradd has created b.
    expect(problems({ ...DEBIAN, users: [{ name: 'a', group: 'b' }, { name: 'b' }] })).toEqual([
      'users[0].group: group "b" is created with users[1], after this user: list that user first, or add the group to groups',
    ]);
    expect(problems({ ...DEBIAN, users: [{ name: 'b' }, { name: 'a', group: 'b' }] })).toEqual([]);
    // --user-group would create a group the config creates already.
    expect(problems({ ...DEBIAN, groups: [{ name: 'app' }], users: [{ name: 'app' }] })).toEqual([
      'users[0].name: useradd would create a group "app", which groups[0] creates already: set group: app, or choose another name',
    ]);
    expect(problems({ ...DEBIAN, groups: [{ name: 'app' }], users: [{ name: 'app', group: 'app' }] })).toEqual([]);
  });
});

describe('names the build writes beside its script', () => {
  it.each(RESERVED_FILE_NAMES)('output.tarball %s is refused, for one architecture or several', (name) => {
    for (const arch of ['amd64', ['amd64', 'arm64']] as const) {
      expect(problems({ ...DEBIAN, arch: arch as SettingsInput['arch'], output: { tarball: name } })).toEqual([
        expect.stringMatching(new RegExp(`^output\\.tarball: "${name.replace('.', '\\.')}" is the name of .*, beside the tarball: choose another name`)),
      ]);
    }
  });

  it('no name a build gives its tarball or records for an architecture takes a reserved one', () => {
    // The reserved names have no suffix a record adds, nor an architecture token: checked, not assumed.
    expect(buildFileClashes('mkimage.sh', ['amd64', 'arm64'])).toEqual([]);
    expect(buildFileClashes('rootfs.tar.xz', ['amd64'])).toEqual([]);
    expect(buildFileClashes('x', ['amd64'], 'x.manifest')).toEqual([
      { field: 'expect', message: '"x.manifest" is the package manifest this build writes: keep the expected manifest under another name (e.g. expected.manifest)' },
    ]);
  });

  it('the expected manifest may not be a file the build writes, for each architecture', () => {
    expect(problems({ ...DEBIAN, expect: 'rootfs.manifest' })).toEqual([
      'expect: "rootfs.manifest" is the package manifest this build writes: keep the expected manifest under another name (e.g. expected.manifest)',
    ]);
    expect(problems({ ...DEBIAN, output: { compression: 'zstd' }, expect: 'rootfs.tar.zst.sha256' })).toEqual([
      'expect: "rootfs.tar.zst.sha256" is the tarball\'s checksum file: keep the expected manifest under another name (e.g. expected.manifest)',
    ]);
    expect(problems({ ...DEBIAN, arch: ['amd64', 'arm64'], expect: 'rootfs.manifest' })).toEqual([
      'expect: "rootfs-amd64.manifest" is the package manifest this build writes: keep the expected manifest under another name (e.g. expected.manifest)',
      'expect: "rootfs-arm64.manifest" is the package manifest this build writes: keep the expected manifest under another name (e.g. expected.manifest)',
    ]);
    expect(problems({ ...DEBIAN, expect: 'mkimage.sh' })).toEqual([
      'expect: "mkimage.sh" is the script itself: keep the expected manifest under another name (e.g. expected.manifest)',
    ]);
    expect(problems({ ...DEBIAN, expect: 'expected.manifest' })).toEqual([]);
  });
});

describe('destinations in the image', () => {
  const refused = ['/proc', '/proc/sys/kernel/x', '/sys/x', '/dev/x', '/dev/pts/0', '/run', '/run/x', '/var/run/x', '/var/lock/x', '/var/run'];
  it.each(refused)('%s is refused for files and for derived images\' files', (path) => {
    expect(problems({ ...DEBIAN, files: [{ source: 'a', path }], embedded: { a: 'YQo=' } })).toEqual([expect.stringMatching(/^files\[0\]\.path: ".*" is (under \/|\/[\w/]+ itself)/)]);
    expect(problems({ ...DEBIAN, derived: [{ name: 'local/app', files: [{ source: 'a', path }] }], embedded: { a: 'YQo=' } })).toEqual([
      expect.stringMatching(/^derived\[0\]\.files\[0\]\.path: /),
    ]);
  });

  it.each(['/etc/motd', '/var/lib/x', '/devices', '/runner/x', '/usr/local/share/x', '/var/running'])('%s is fine', (path) => {
    expect(problems({ ...DEBIAN, files: [{ source: 'a', path }], embedded: { a: 'YQo=' } })).toEqual([]);
  });

  it('two CA certificates that would install to one path', () => {
    const pem = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
    expect(problems({ ...DEBIAN, caCertificates: ['a/root.pem', 'b/root.cer'], embedded: { 'a/root.pem': pem, 'b/root.cer': pem } })).toEqual([
      'caCertificates[1]: "b/root.cer" would install to /usr/local/share/ca-certificates/root.crt, as caCertificates[0] "a/root.pem" does: give each certificate its own file name',
    ]);
    expect(problems({ ...DEBIAN, caCertificates: ['a/root.pem', 'b/other.pem'], embedded: { 'a/root.pem': pem, 'b/other.pem': pem } })).toEqual([]);
  });
});

describe('ports and archived releases', () => {
  it.each([['0', false], ['99999', false], ['65536/tcp', false], ['1', true], ['65535/udp', true], ['8080', true]] as const)('expose %s: valid %s', (port, valid) => {
    const result = problems({ ...DEBIAN, derived: [{ name: 'local/app', expose: [port] }] });
    expect(result).toEqual(valid ? [] : [`derived[0].expose[0]: "${port}" is not a port from 1 to 65535, optionally /tcp or /udp (e.g. 80, 8443/tcp)`]);
  });

  it.each(RELEASES.filter((r) => r.status === 'archived').map((r) => [r.distro, r.codename] as const))('%s %s takes no extra repositories', (distro, suite) => {
    const key = Buffer.from('x').toString('base64');
    const result = problems({
      ...(distro === 'debian' ? DEBIAN : UBUNTU),
      suite,
      mirror: 'http://archive.example/x',
      repositories: [{ name: 'company', url: 'http://apt.example.com/x', suites: [suite], key: 'k.asc' }],
      embedded: { 'k.asc': key },
    });
    expect(result).toContain(`repositories: ${suite} is archived: archived releases take no extra repositories (the oldest apt has no Signed-By to tie a key to its repository); remove repositories`);
  });
});
