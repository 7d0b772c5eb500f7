// The users and groups a minbase image has before a config adds its own, with their ids.
//
// Source: /etc/passwd and /etc/group of minbase trees built with
// `mmdebstrap --variant=minbase` for Debian bookworm (base-passwd 3.6.1), Debian trixie
// (3.6.7) and Ubuntu noble (3.6.3build1). The three hold exactly base-passwd's
// passwd.master and group.master: no package of minbase adds an account, and there is
// no systemd-* account, since systemd is not in minbase.
//
// Older releases run base-passwd before 3.6.0 (Debian up to bullseye, Ubuntu up to
// jammy). Its changelog: 3.6.0 "Stop creating the gnats user and group on new
// installations", so those also have gnats (41:41); 3.6.1 "passwd.master: Add _apt
// user", so on those apt's own maintainer script creates _apt (apt 1.1 on) with the
// next free system uid, not 42.
import type { Release } from './table.js';

export interface BaseAccount {
  name: string;
  /** The fixed id; null where the system picks it when the package is installed. */
  id: number | null;
}

const USERS: readonly BaseAccount[] = [
  { name: 'root', id: 0 },
  { name: 'daemon', id: 1 },
  { name: 'bin', id: 2 },
  { name: 'sys', id: 3 },
  { name: 'sync', id: 4 },
  { name: 'games', id: 5 },
  { name: 'man', id: 6 },
  { name: 'lp', id: 7 },
  { name: 'mail', id: 8 },
  { name: 'news', id: 9 },
  { name: 'uucp', id: 10 },
  { name: 'proxy', id: 13 },
  { name: 'www-data', id: 33 },
  { name: 'backup', id: 34 },
  { name: 'list', id: 38 },
  { name: 'irc', id: 39 },
  { name: '_apt', id: 42 },
  { name: 'nobody', id: 65534 },
];

const GROUPS: readonly BaseAccount[] = [
  { name: 'root', id: 0 },
  { name: 'daemon', id: 1 },
  { name: 'bin', id: 2 },
  { name: 'sys', id: 3 },
  { name: 'adm', id: 4 },
  { name: 'tty', id: 5 },
  { name: 'disk', id: 6 },
  { name: 'lp', id: 7 },
  { name: 'mail', id: 8 },
  { name: 'news', id: 9 },
  { name: 'uucp', id: 10 },
  { name: 'man', id: 12 },
  { name: 'proxy', id: 13 },
  { name: 'kmem', id: 15 },
  { name: 'dialout', id: 20 },
  { name: 'fax', id: 21 },
  { name: 'voice', id: 22 },
  { name: 'cdrom', id: 24 },
  { name: 'floppy', id: 25 },
  { name: 'tape', id: 26 },
  { name: 'sudo', id: 27 },
  { name: 'audio', id: 29 },
  { name: 'dip', id: 30 },
  { name: 'www-data', id: 33 },
  { name: 'backup', id: 34 },
  { name: 'operator', id: 37 },
  { name: 'list', id: 38 },
  { name: 'irc', id: 39 },
  { name: 'src', id: 40 },
  { name: 'shadow', id: 42 },
  { name: 'utmp', id: 43 },
  { name: 'video', id: 44 },
  { name: 'sasl', id: 45 },
  { name: 'plugdev', id: 46 },
  { name: 'staff', id: 50 },
  { name: 'games', id: 60 },
  { name: 'users', id: 100 },
  { name: 'nogroup', id: 65534 },
];

const GNATS: BaseAccount = { name: 'gnats', id: 41 };

/** base-passwd 3.6.1 or later: Debian from bookworm (and testing, unstable), Ubuntu from 24.04. */
function currentBasePasswd(release: Release): boolean {
  const version = Number.parseFloat(release.version);
  if (release.distro === 'debian') return Number.isNaN(version) || version >= 12;
  return version >= 24.04;
}

/** The users a minbase image of `release` has. */
export function baseUsers(release: Release): readonly BaseAccount[] {
  if (currentBasePasswd(release)) return USERS;
  return [...USERS.map((u) => (u.name === '_apt' ? { name: '_apt', id: null } : u)), GNATS];
}

/** The groups a minbase image of `release` has. */
export function baseGroups(release: Release): readonly BaseAccount[] {
  return currentBasePasswd(release) ? GROUPS : [...GROUPS, GNATS];
}
