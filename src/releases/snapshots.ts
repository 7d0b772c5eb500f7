// The snapshot archives: every state of the Debian and Ubuntu archives, by time, so a
// build pinned to a moment installs the same packages next year.
// Debian: https://snapshot.debian.org/ (archives "debian" and "debian-security", URLs
// /archive/<archive>/<YYYYMMDDTHHMMSSZ>/, from March 2005).
// Ubuntu: https://snapshot.ubuntu.com/ (the releases on the regular archive, URLs
// /ubuntu/<timestamp> and /ubuntu-ports/<timestamp>, from March 2023; old-releases is not served).
import type { Distro, Release } from './table.js';

const TIMESTAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** The first moment each snapshot archive holds. */
export const SNAPSHOT_FIRST: Readonly<Record<Distro, string>> = {
  debian: '20050312T000000Z',
  ubuntu: '20230301T000000Z',
};

const SNAPSHOT_HOSTS = ['snapshot.debian.org', 'snapshot.ubuntu.com'];

/** Seconds since the epoch of a YYYYMMDDTHHMMSSZ timestamp, or undefined if it names no real moment. */
export function snapshotEpoch(timestamp: string): number | undefined {
  const m = TIMESTAMP.exec(timestamp);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(ms);
  const same =
    back.getUTCFullYear() === year &&
    back.getUTCMonth() === month - 1 &&
    back.getUTCDate() === day &&
    back.getUTCHours() === hour &&
    back.getUTCMinutes() === minute &&
    back.getUTCSeconds() === second;
  return same ? ms / 1000 : undefined;
}

export function isSnapshotTimestamp(value: string): boolean {
  return snapshotEpoch(value) !== undefined;
}

/** Ubuntu's snapshot serves the releases of the regular archive only. */
export function snapshotServed(release: Release): boolean {
  return release.distro === 'debian' || release.status !== 'archived';
}

/** Where each distro's snapshot service is; a config's snapshotMirror names a copy laid out the same way. */
export const SNAPSHOT_BASE: Readonly<Record<Distro, string>> = {
  debian: 'http://snapshot.debian.org',
  ubuntu: 'http://snapshot.ubuntu.com',
};

/** The snapshot trees (without the timestamp) for the main archive and the security archive. */
export function snapshotTrees(distro: Distro, arch: string, base = SNAPSHOT_BASE[distro]): { mirror: string; security: string } {
  const root = base.replace(/\/+$/, '');
  if (distro === 'debian') return { mirror: `${root}/archive/debian`, security: `${root}/archive/debian-security` };
  // Ubuntu keeps amd64 (and i386) in ubuntu, every other architecture in ubuntu-ports.
  const tree = `${root}/${arch === 'amd64' || arch === 'i386' ? 'ubuntu' : 'ubuntu-ports'}`;
  return { mirror: tree, security: tree };
}

/** The snapshot URLs for the main archive and the security archive at a moment. */
export function snapshotMirrors(distro: Distro, arch: string, timestamp: string, base?: string): { mirror: string; security: string } {
  const trees = snapshotTrees(distro, arch, base);
  return { mirror: `${trees.mirror}/${timestamp}`, security: `${trees.security}/${timestamp}` };
}

/** A mirror URL on a snapshot archive: its Release files are old on purpose, so Valid-Until must not be checked. */
export function isSnapshotMirror(url: string): boolean {
  try {
    const parsed = new URL(url);
    return SNAPSHOT_HOSTS.includes(parsed.hostname) || /\/\d{8}T\d{6}Z\/?$/.test(parsed.pathname);
  } catch {
    return false;
  }
}
