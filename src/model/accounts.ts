// Users and groups a config creates: every clash that would make groupadd or useradd fail
// late, as root, inside the build is refused here with the field. No name or id twice, no
// name or fixed id the image has already (releases/accounts.ts), no id 0, and every group
// a user names exists by the time useradd runs (groups first, then users in order).
import type { z } from 'zod';
import { baseGroups, baseUsers, type BaseAccount } from '../releases/accounts.js';
import type { Release } from '../releases/index.js';
import { describeInput } from './describe.js';
import { didYouMean } from './suggest.js';

interface Accounts {
  groups: readonly { name: string; gid?: number | undefined }[];
  users: readonly { name: string; uid?: number | undefined; group?: string | undefined; groups: readonly string[] }[];
}

type Issue = (path: (string | number)[], message: string) => void;

/** Each name and id once in its list, and none the image has already. */
function checkList(
  issue: Issue,
  list: 'users' | 'groups',
  entries: readonly { name: string; id?: number | undefined }[],
  base: readonly BaseAccount[],
): void {
  const word = list === 'users' ? 'user' : 'group';
  const idKey = list === 'users' ? 'uid' : 'gid';
  entries.forEach((entry, i) => {
    const first = entries.findIndex((e) => e.name === entry.name);
    if (first !== i) issue([list, i, 'name'], `${describeInput(entry.name)} is listed twice`);
    else if (base.some((b) => b.name === entry.name)) {
      issue([list, i, 'name'], `${describeInput(entry.name)} is a ${word} the image has already: choose another name`);
    }
    if (entry.id === undefined) return;
    const taken = base.find((b) => b.id === entry.id);
    const earlier = entries.findIndex((e) => e.id === entry.id);
    if (entry.id === 0) issue([list, i, idKey], `${idKey} 0 is root's: give the ${word} an id of its own (e.g. 10001), or leave ${idKey} out`);
    else if (taken) issue([list, i, idKey], `${idKey} ${entry.id} is the image's ${word} ${describeInput(taken.name)} already: choose a free id (e.g. 10001)`);
    else if (earlier !== i) issue([list, i, idKey], `${idKey} ${entry.id} is ${list}[${earlier}]'s already`);
  });
}

export function checkAccounts(s: Accounts, release: Release, ctx: z.RefinementCtx): void {
  const issue: Issue = (path, message) => ctx.addIssue({ code: 'custom', path, message });
  const imageGroups = baseGroups(release).map((g) => g.name);
  checkList(issue, 'groups', s.groups.map((g) => ({ name: g.name, id: g.gid })), baseGroups(release));
  checkList(issue, 'users', s.users.map((u) => ({ name: u.name, id: u.uid })), baseUsers(release));
  // Groups exist in this order: the image's, the config's groups, then each user's own
  // group as useradd --user-group creates it.
  const known = new Set([...imageGroups, ...s.groups.map((g) => g.name)]);
  for (const [i, u] of s.users.entries()) {
    const named = [...(u.group === undefined ? [] : [{ name: u.group, path: ['users', i, 'group'] }]), ...u.groups.map((name, j) => ({ name, path: ['users', i, 'groups', j] }))];
    for (const { name, path } of named) {
      if (!known.has(name)) {
        const later = s.users.findIndex((v, k) => k >= i && v.name === name && v.group === undefined);
        issue(
          path,
          later >= 0
            ? `group ${describeInput(name)} is created with users[${later}], after this user: list that user first, or add the group to groups`
            : `group ${describeInput(name)} is neither in groups nor one the image has${didYouMean(name, [...known])}`,
        );
      }
    }
    if (u.group === undefined) {
      // useradd --user-group refuses to create a group that exists.
      if (known.has(u.name)) {
        const owner = s.groups.findIndex((g) => g.name === u.name);
        issue(
          ['users', i, 'name'],
          `useradd would create a group ${describeInput(u.name)}, which ${owner >= 0 ? `groups[${owner}] creates` : 'the image has'} already: set group: ${u.name}, or choose another name`,
        );
      } else known.add(u.name);
    }
  }
}
