// An unprivileged user for the rootless build: made by the test with a subordinate uid
// and gid range (what mmdebstrap --mode=unshare maps the image's owners to), a home the
// build writes into, and removed again with its ranges and home.
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { must, sh } from './host.js';

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** A range far above the usual 100000 ones, so it never overlaps a real user's. */
const SUBID_RANGE = '3000000-3065535';

export function makeUnprivilegedUser(parent: string): TestUser {
  const name = `mkimg-e2e-${process.pid}`;
  const home = join(parent, 'home');
  mkdirSync(parent, { recursive: true });
  must('useradd', ['--no-create-home', '--home-dir', home, '--shell', '/bin/sh', '--user-group', name]);
  // useradd may or may not have given it a range (login.defs): give it a known one.
  const subids = sh('usermod', ['--add-subuids', SUBID_RANGE, '--add-subgids', SUBID_RANGE, name]);
  if (subids.status !== 0) {
    removeUser({ name, uid: -1, gid: -1, home });
    throw new Error(`usermod --add-subuids failed: ${subids.stderr}`);
  }
  const uid = Number(must('id', ['-u', name]).trim());
  const gid = Number(must('id', ['-g', name]).trim());
  mkdirSync(home, { recursive: true });
  must('chown', [`${uid}:${gid}`, home]);
  chmodSync(home, 0o755);
  return { name, uid, gid, home };
}

/** Remove the user, its group and its subordinate ranges; idempotent. */
export function removeUser(user: TestUser): void {
  if (sh('id', [user.name]).status !== 0) return;
  sh('usermod', ['--del-subuids', SUBID_RANGE, '--del-subgids', SUBID_RANGE, user.name]);
  must('userdel', [user.name]);
}
