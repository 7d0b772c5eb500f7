// Nothing the script writes into the rootfs from the host may land outside it. A rootfs
// has absolute symbolic links (/var/run -> /run in every Debian image, which the model
// refuses as a destination; a package or a hook may add more): followed by the host, they lead to the host's own files, and the
// script runs as root. The script's steps resolve every path inside the rootfs as the
// chroot would (rootfs_resolve) and refuse /proc, /sys and /dev, where the host kernel's
// file systems are mounted during the build. Checked three ways: the templates name no
// "$ROOTFS/..." path of their own; the generated steps, run for real on a rootfs made of
// such links, write only inside it; a dry run refuses a destination in /proc.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planImage, renderImage } from '../src/generate.js';
import { validateSettings, type Settings } from '../src/model/index.js';
import { rootLedger, symbolic } from '../src/plan/ledger.js';
import { runAsNobody } from './helpers/dry-run.js';
import { ROOT } from './helpers/presets.js';
import { DEBIAN } from './helpers/settings.js';

const work = mkdtempSync(join(tmpdir(), 'mkimage-gen-rootfs-paths-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const b64 = (text: string) => Buffer.from(text).toString('base64');
const origin = { generatedFrom: 'test', regenerate: 'test' };
const scriptOf = (settings: Settings) => renderImage(planImage({ id: 't', settings, origin })).find((f) => f.path === 'mkimage.sh')!.content;

/** Every .hbs under templates/, with its lines. */
function templates(): { file: string; lines: string[] }[] {
  const dir = join(ROOT, 'templates');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.hbs'))
    .map((f) => ({ file: f, lines: readFileSync(join(dir, f), 'utf8').split('\n') }));
}

/**
 * Lines that join a path to $ROOTFS themselves ("$ROOTFS/etc", $ROOTFS$path,
 * "$ROOTFS"{{sh path}}), outside the two functions whose job that is: the resolver and
 * the mount-point check. A step writes through write_file, install_embedded, rootfs_dest,
 * rootfs_dir, rootfs_rm or rootfs_link instead, or runs in the chroot.
 */
function pathsJoinedToRootfs(files: { file: string; lines: string[] }[]): string[] {
  const found: string[] = [];
  for (const { file, lines } of files) {
    let fn = '';
    lines.forEach((line, i) => {
      const start = /^([a-z_]+)\(\) \{$/.exec(line);
      if (start) fn = start[1]!;
      if (line.trimStart().startsWith('#') || fn === 'rootfs_resolve' || fn === 'mount_point') return;
      if (/\$\{?ROOTFS\}?"?(?=[/$A-Za-z0-9_{])/.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  return found;
}

describe('the templates', () => {
  it('join no path to $ROOTFS outside the resolver: every write goes through the helpers that resolve it in the rootfs', () => {
    expect(pathsJoinedToRootfs(templates())).toEqual([]);
  });

  it('the check finds a step that writes "$ROOTFS/..." itself (it can fail)', () => {
    const bad = { file: 'steps/bad.hbs', lines: ['bad() {', '  run rm -f "$ROOTFS"/var/log/x', '  printf x > "$ROOTFS$1"', '}'] };
    expect(pathsJoinedToRootfs([bad])).toHaveLength(2);
  });
});

/**
 * The config the fixture is written for: image files through links, a time zone (a link
 * the step makes), initctl diverted (another link), a hook in the chroot, and finalize.
 */
const unique = `mkimage-gen-test-${process.pid}`;
const settings = validateSettings(
  {
    ...DEBIAN,
    timezone: 'Asia/Tokyo',
    tweaks: { initctl: true },
    files: [
      { source: 'run.txt', path: `/srv/link/${unique}` },
      { source: 'evil.txt', path: '/etc/evil/planted' },
    ],
    hooks: [{ stage: 'after-packages', script: 'hook.sh' }],
    embedded: { 'run.txt': b64('into /run of the image\n'), 'evil.txt': b64('must stay in the rootfs\n'), 'hook.sh': b64('#!/bin/sh\ntrue\n') },
  },
  't',
);
const library = join(work, 'lib.sh');
writeFileSync(library, scriptOf(settings).slice(0, scriptOf(settings).lastIndexOf('main "$@"')));

/**
 * Run step functions of the generated script on `rootfs`, for real (DRY_RUN=0). The
 * chroot is the only thing replaced: a function that logs, so no binary of the fixture runs.
 */
function steps(rootfs: string, body: string) {
  return spawnSync(
    'bash',
    [
      '-c',
      `source ${library}
       trap - EXIT
       DRY_RUN=0 ROOTFS=$1 WORK_DIR=$2 ARCH=amd64
       chroot() { printf '%s\\n' "$*" >> "$WORK_DIR/chroot.log"; }
       ${body}`,
      'test',
      rootfs,
      work,
    ],
    { encoding: 'utf8', input: '', env: { PATH: process.env.PATH } },
  );
}

/** A directory tree as relative paths (links as `name -> target`), to prove it unchanged. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((p) => {
      const full = join(dir, p);
      return lstatSync(full).isSymbolicLink() ? `${p} -> ${readlinkSync(full)}` : p;
    })
    .sort();
}

describe('the steps, run on a rootfs full of links that point out of it', () => {
  const rootfs = join(work, 'rootfs');
  // What the links point at on the host: it must stay as it is.
  const outside = join(work, 'outside');
  mkdirSync(join(outside, 'zoneinfo-dir'), { recursive: true });
  writeFileSync(join(outside, 'dpkg.log'), 'the host log\n');
  for (const dir of ['run', 'etc', 'usr/sbin', 'var', `${outside}`]) mkdirSync(join(rootfs, dir), { recursive: true });
  symlinkSync('/run', join(rootfs, 'var/run'));
  // The model refuses /var/run itself; a package or hook may make a link like it anywhere.
  mkdirSync(join(rootfs, 'srv'));
  symlinkSync('/run', join(rootfs, 'srv/link'));
  symlinkSync(outside, join(rootfs, 'etc/evil'));
  symlinkSync(join(outside, 'zoneinfo-dir'), join(rootfs, 'etc/localtime'));
  symlinkSync('/usr/sbin', join(rootfs, 'sbin'));
  symlinkSync(outside, join(rootfs, 'var/log'));
  const before = tree(outside);
  const hostRun = `/run/${unique}`;
  afterAll(() => rmSync(hostRun, { force: true }));

  const files = steps(rootfs, 'image_files');

  it('image files: /srv/link/x (/srv/link -> /run) is written to the image\'s /run, a file through an absolute link stays in the rootfs', () => {
    expect(files.status, files.stderr).toBe(0);
    expect(existsSync(hostRun), `${hostRun} was written on the host`).toBe(false);
    expect(readFileSync(join(rootfs, 'run', unique), 'utf8')).toBe('into /run of the image\n');
    // /etc/evil -> <outside>: inside the rootfs, that is <rootfs>/<outside>.
    expect(readFileSync(join(rootfs, outside, 'planted'), 'utf8')).toBe('must stay in the rootfs\n');
    expect(tree(outside)).toEqual(before);
    // chown ran in the chroot, on the path as the image names it.
    expect(readFileSync(join(work, 'chroot.log'), 'utf8')).toContain(`chown -- root:root /srv/link/${unique}`);
  });

  it('links the steps make (time zone, initctl) replace a link there, never follow it out', () => {
    const run = steps(rootfs, 'timezone && divert_initctl && hooks_after_packages');
    expect(run.status, run.stderr).toBe(0);
    expect(readlinkSync(join(rootfs, 'etc/localtime'))).toBe('/usr/share/zoneinfo/Asia/Tokyo');
    // /sbin -> /usr/sbin is followed in the rootfs.
    expect(readlinkSync(join(rootfs, 'usr/sbin/initctl'))).toBe('/bin/true');
    expect(tree(outside)).toEqual(before);
  });

  it('finalize removes the build\'s logs in the rootfs, not the host\'s behind /var/log -> <outside>', () => {
    mkdirSync(join(rootfs, outside, 'apt'), { recursive: true });
    writeFileSync(join(rootfs, outside, 'dpkg.log'), 'the build log\n');
    const run = steps(rootfs, 'finalize');
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(rootfs, outside, 'dpkg.log'))).toBe(false);
    expect(readFileSync(join(outside, 'dpkg.log'), 'utf8')).toBe('the host log\n');
    expect(tree(outside)).toEqual(before);
  });

  it('a destination that leads into /proc, /sys or /dev is refused, and nothing is written there', () => {
    for (const [link, target] of [
      ['etc/motd.d', '/proc/sys/kernel'],
      ['etc/sysfs', '../sys'],
      ['etc/devices', '/dev'],
    ] as const) {
      symlinkSync(target, join(rootfs, link));
      const run = steps(rootfs, `write_file /${link}/x 0644 planted`);
      expect(run.status, `/${link} -> ${target}`).not.toBe(0);
      expect(run.stderr).toContain(`refusing to write /${link}/x in the rootfs`);
    }
    for (const dir of ['proc', 'sys', 'dev']) expect(existsSync(join(rootfs, dir)), dir).toBe(false);
  });

  it('mounts only on the rootfs\'s own /proc, /sys and /dev/pts, never through a link', () => {
    const run = steps(rootfs, 'run() { printf "%s\\n" "$*"; }; mount_chroot_fs');
    // This rootfs has no /proc: a link there would be followed by mount.
    symlinkSync('/etc', join(rootfs, 'proc'));
    const linked = steps(rootfs, 'run() { printf "%s\\n" "$*"; }; mount_chroot_fs');
    expect(run.stdout).toContain(`mount -t proc proc ${rootfs}/proc`);
    expect(linked.status).not.toBe(0);
    expect(linked.stderr).toContain("the rootfs's /proc is a link to /etc: refusing to mount there");
    expect(linked.stdout).toBe('');
  });
});

describe('the dry run', () => {
  it('refuses an image file in /proc, naming it, before anything else of its step', () => {
    // The model refuses such a path; the script does not rely on that.
    const unchecked = structuredClone(settings);
    unchecked.files = [{ ...unchecked.files[0]!, path: '/proc/sys/kernel/core_pattern' }];
    const run = runAsNobody(scriptOf(unchecked), ['--dry-run', '--output-dir', '/O', '--work-dir', '/W']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('refusing to write /proc/sys/kernel/core_pattern in the rootfs');
    expect(run.stdout).not.toContain('core_pattern');
  });

  it('and the ledger name /srv/link/x as the rootfs\'s own path', () => {
    const plan = planImage({ id: 't', settings, origin });
    const run = runAsNobody(scriptOf(settings), ['--dry-run', '--output-dir', '/O', '--work-dir', '/W']);
    expect(run.status, run.stderr).toBe(0);
    const sha = createHash('sha256').update(Buffer.from(settings.embedded['run.txt']!, 'base64')).digest('hex');
    const shown = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('+ ') && !l.startsWith('+ chroot ') && l.includes(unique))
      .map((l) => symbolic(l.slice(2)));
    expect(shown).toEqual([`unpack $ROOTFS/srv/link/${unique} (sha256 ${sha})`, `chmod -- 0644 $ROOTFS/srv/link/${unique}`]);
    const ledger = rootLedger(plan.script, plan.resolved).filter((e) => e.what.includes(unique));
    expect(ledger.map((e) => e.what)).toEqual([...shown, `chown -- root:root /srv/link/${unique}`]);
  });
});
