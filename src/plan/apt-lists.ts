// Where apt and debootstrap keep the index files they fetched, in the rootfs's
// /var/lib/apt/lists: the URL without its scheme, '/' turned into '_'. apt also
// percent-encodes the characters it reserves (http://host/deb~x_y -> host/deb%7ex%5fy),
// debootstrap does not. The script looks a Release file up under both names to prove
// that the build read the very file it checked (see check_apt_lists).

/** Characters apt encodes as %xx (lowercase) in a list file's name, besides controls, space and non-ASCII. */
const APT_QUOTED = new Set('\\|{}[]<>"^~_=!@#$%^&*');

const withoutScheme = (url: string) => url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');

/** apt's name for the list file of `url` (URItoFileName). */
export function aptListName(url: string): string {
  let out = '';
  for (const ch of withoutScheme(url)) {
    const code = ch.charCodeAt(0);
    out += APT_QUOTED.has(ch) || code <= 0x20 || code >= 0x7f ? `%${code.toString(16).padStart(2, '0')}` : ch;
  }
  return out.replaceAll('/', '_');
}

/** debootstrap's name for the same file: no encoding. */
export function debootstrapListName(url: string): string {
  return withoutScheme(url).replaceAll('/', '_');
}

/** Both names of a list file, once each. */
export function listNames(url: string): string[] {
  return [...new Set([aptListName(url), debootstrapListName(url)])];
}
