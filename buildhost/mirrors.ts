// The Debian mirror the end-to-end builds use: read at run time from the build host's
// own apt sources (deb822 *.sources and one-line *.list / sources.list), because that
// is the mirror this machine is known to reach. Nothing in the repository names a host.
// MKIMAGE_E2E_MIRROR and MKIMAGE_E2E_SECURITY_MIRROR override what is found.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One apt source entry, whichever format it came from. */
export interface AptSource {
  types: string[];
  uris: string[];
  suites: string[];
  components: string[];
  enabled: boolean;
  /** Where it was read, for messages. */
  from: string;
}

export interface HostMirrors {
  mirror: string;
  securityMirror: string;
  /** Where each value came from, for the skip message and the test log. */
  origin: string;
}

/** deb822 stanzas: `Field: value` lines, continuation lines start with white space, `#` comments. */
export function parseDeb822(text: string, from: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const stanza of text.split(/\n[ \t]*\n/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#') || line.trim() === '') continue;
      if (/^[ \t]/.test(line) && last !== undefined) {
        fields.set(last, `${fields.get(last) ?? ''} ${line.trim()}`);
        continue;
      }
      const match = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
      if (!match) continue;
      last = match[1]!.toLowerCase();
      fields.set(last, match[2]!.trim());
    }
    if (!fields.has('uris')) continue;
    const words = (key: string) => (fields.get(key) ?? '').split(/\s+/).filter((w) => w !== '');
    sources.push({
      types: words('types'),
      uris: words('uris'),
      suites: words('suites'),
      components: words('components'),
      enabled: (fields.get('enabled') ?? 'yes').toLowerCase() !== 'no',
      from,
    });
  }
  return sources;
}

/** One-line sources: `deb [options] URI SUITE COMPONENT...`. */
export function parseOneLine(text: string, from: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const match = /^(deb|deb-src)\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)(.*)$/.exec(line);
    if (!match) continue;
    sources.push({
      types: [match[1]!],
      uris: [match[2]!],
      suites: [match[3]!],
      components: match[4]!.split(/\s+/).filter((w) => w !== ''),
      enabled: true,
      from,
    });
  }
  return sources;
}

/** Every source of the host, in apt's reading order: sources.list, then sources.list.d sorted. */
export function readHostSources(etcApt = '/etc/apt'): AptSource[] {
  const sources: AptSource[] = [];
  const main = join(etcApt, 'sources.list');
  if (existsSync(main)) sources.push(...parseOneLine(readFileSync(main, 'utf8'), main));
  const dir = join(etcApt, 'sources.list.d');
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (name.endsWith('.sources')) sources.push(...parseDeb822(readFileSync(path, 'utf8'), path));
      else if (name.endsWith('.list')) sources.push(...parseOneLine(readFileSync(path, 'utf8'), path));
    }
  }
  return sources;
}

const isSecuritySuite = (suite: string) => /-security$|\/updates$/.test(suite);
const isHttp = (uri: string) => /^https?:\/\//.test(uri);
const trimSlash = (uri: string) => uri.replace(/\/+$/, '');

/**
 * The Debian mirror and security mirror among the host's sources: the first enabled
 * binary (`deb`) source with a plain suite, and the first with a security suite.
 * Only Debian suites count, so a third-party repository listed first is passed over.
 */
export function pickMirrors(
  sources: readonly AptSource[],
  env: Record<string, string | undefined>,
): { mirrors?: HostMirrors; problem?: string } {
  const debianSuite =
    /^(buster|bullseye|bookworm|trixie|forky|duke|sid|oldstable|stable|testing|unstable)(-updates|-security|-backports|-proposed-updates|\/updates)?$/;
  const usable = sources.filter((s) => s.enabled && s.types.includes('deb'));
  const find = (security: boolean) => {
    for (const source of usable) {
      const suites = source.suites.filter((s) => debianSuite.test(s) && isSecuritySuite(s) === security);
      const uri = source.uris.find(isHttp);
      if (suites.length > 0 && uri) return { uri: trimSlash(uri), from: source.from };
    }
    return undefined;
  };
  const fromEnv = (name: string) => (env[name] ? trimSlash(env[name]!) : undefined);
  const envMirror = fromEnv('MKIMAGE_E2E_MIRROR');
  const envSecurity = fromEnv('MKIMAGE_E2E_SECURITY_MIRROR');
  const found = envMirror ? undefined : find(false);
  const foundSecurity = envSecurity ? undefined : find(true);
  const mirror = envMirror ?? found?.uri;
  const securityMirror = envSecurity ?? foundSecurity?.uri;
  if (!mirror) {
    return { problem: 'no Debian mirror in the host apt sources (/etc/apt): set MKIMAGE_E2E_MIRROR=http://.../debian' };
  }
  if (!securityMirror) {
    return {
      problem: 'no Debian security mirror (a *-security suite) in the host apt sources: set MKIMAGE_E2E_SECURITY_MIRROR=http://.../debian-security',
    };
  }
  const origin = [
    `mirror from ${envMirror ? 'MKIMAGE_E2E_MIRROR' : found!.from}`,
    `security mirror from ${envSecurity ? 'MKIMAGE_E2E_SECURITY_MIRROR' : foundSecurity!.from}`,
  ].join(', ');
  return { mirrors: { mirror, securityMirror, origin } };
}

export function hostMirrors(env: Record<string, string | undefined> = process.env, etcApt = '/etc/apt') {
  return pickMirrors(readHostSources(etcApt), env);
}
