// Mirror and proxy URLs, read by a small parser of our own rather than WHATWG's: that
// one repairs what debootstrap, apt and wget do not (`HTTP://`, `http:host/debian`,
// `http:/x`, backslashes), so a URL it accepts can still fail on the build host.
import { URL_SAFE } from './formats.js';

const SCHEMES = ['http', 'https', 'file'] as const;
/** A DNS name (labels of letters, digits and inner hyphens) or a bracketed IPv6 address. */
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\])$/;

export type UrlVerdict =
  | { ok: true }
  /** `credentials`: the URL holds a user name or password (never shown back). */
  | { ok: false; reason: string; credentials?: boolean };

export function checkUrl(value: string): UrlVerdict {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1];
  if (scheme === undefined) return { ok: false, reason: 'it has no scheme (http://, https:// or file:///)' };
  const lower = scheme.toLowerCase() as (typeof SCHEMES)[number];
  if (!SCHEMES.includes(lower)) return { ok: false, reason: `the scheme "${lower}" is not http, https or file` };
  if (scheme !== lower) return { ok: false, reason: `write the scheme in lower case (${lower}://...)` };
  if (value.includes('\\')) return { ok: false, reason: 'it holds a backslash; URLs use "/"' };
  const rest = value.slice(scheme.length + 1);
  if (!rest.startsWith('//')) return { ok: false, reason: `"${scheme}:" must be followed by "//" and the host (${scheme}://host/path)` };
  const slash = rest.indexOf('/', 2);
  const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
  // An @ anywhere: a password may hold "/" (user:pa/ss@host), which ends the authority early.
  if (rest.includes('@')) return { ok: false, reason: 'carries credentials', credentials: true };
  if (!URL_SAFE.test(value)) return { ok: false, reason: 'expected printable ASCII without spaces, quotes or shell characters' };
  if (lower === 'file') {
    if (authority !== '' && authority !== 'localhost') return { ok: false, reason: 'a file URL names a local path: file:///srv/mirror' };
    if (slash < 0) return { ok: false, reason: 'a file URL needs a path: file:///srv/mirror' };
  } else {
    const port = /:([0-9]*)$/.exec(authority);
    const host = port ? authority.slice(0, port.index) : authority;
    if (host === '' || !HOST.test(host)) return { ok: false, reason: `${JSON.stringify(host)} is not a host name` };
    if (port && !(Number(port[1]) >= 1 && Number(port[1]) <= 65535 && /^[1-9]/.test(port[1]!))) {
      return { ok: false, reason: `":${port[1]}" is not a port (1 to 65535)` };
    }
  }
  try {
    new URL(value);
  } catch {
    return { ok: false, reason: 'it does not parse as a URL' };
  }
  return { ok: true };
}
