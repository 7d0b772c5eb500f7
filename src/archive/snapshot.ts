// The newest moment of a snapshot service. snapshot.debian.org keeps the archive as it was
// at each import (about every six hours) and answers a moment between two imports with a
// redirect to the import before it; snapshot.ubuntu.com serves the archive as it was at
// any moment itself. So: ask for the archive as it is now; a redirect names the newest
// import, a plain answer means "now" is a moment the service serves.
import { ArchiveError } from './errors.js';
import { get } from './http.js';

const TIMESTAMP = /\/(\d{8}T\d{6}Z)(?:\/|$)/;

/** A moment as the snapshot services write it: YYYYMMDDTHHMMSSZ. */
export function timestampOf(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** The newest moment `tree` (a snapshot archive's URL without the timestamp) serves, as of `now`. */
export async function newestSnapshot(tree: string, now: Date): Promise<string> {
  const asked = timestampOf(now);
  const url = `${tree.replace(/\/+$/, '')}/${asked}/`;
  const response = await get(url, { redirects: 'manual', maxBytes: 16 * 1024 * 1024 });
  if (response.status >= 300 && response.status < 400) {
    const moment = response.location === undefined ? undefined : TIMESTAMP.exec(new URL(response.location).pathname)?.[1];
    if (moment === undefined) throw new ArchiveError(`${url} redirects to ${response.location ?? 'nowhere'}, which names no snapshot timestamp`);
    return moment;
  }
  if (response.status === 200) return asked;
  throw new ArchiveError(`cannot find the newest snapshot at ${url}: the server answered ${response.status}`);
}
