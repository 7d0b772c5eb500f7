// The formats of single values in the build model. Each one is strict enough that
// what passes can be printed into a root script or a Dockerfile without surprise;
// the quoting helpers still quote everything, this is the first of two walls.

// The architectures and what each is called elsewhere: one module, src/plan/arches.ts.
export { ARCHES, type Arch } from '../plan/arches.js';

// Package names and pins: packages.ts (apt reads more than the policy grammar into a word).

/** Archive components as they appear in Debian and Ubuntu Release files. */
export const COMPONENT = /^[a-z][a-z0-9-]*$/;

/** Character sets that glibc's localedata/SUPPORTED pairs with locales. */
export const LOCALE_CHARSETS = [
  'UTF-8',
  'ISO-8859-1',
  'ISO-8859-2',
  'ISO-8859-3',
  'ISO-8859-5',
  'ISO-8859-6',
  'ISO-8859-7',
  'ISO-8859-8',
  'ISO-8859-9',
  'ISO-8859-13',
  'ISO-8859-14',
  'ISO-8859-15',
  'EUC-JP',
  'EUC-KR',
  'EUC-TW',
  'GB2312',
  'GBK',
  'GB18030',
  'BIG5',
  'BIG5-HKSCS',
  'KOI8-R',
  'KOI8-U',
  'KOI8-T',
  'CP1251',
  'CP1255',
  'TIS-620',
  'ARMSCII-8',
  'GEORGIAN-PS',
  'TCVN5712-1',
] as const;

/** ll_CC.CHARSET, with an optional @modifier (e.g. sr_RS.UTF-8@latin). */
export const LOCALE = /^([a-z]{2,3})_([A-Z]{2})\.([A-Z0-9-]+)(@[a-z]+)?$/;

/** The charset of a locale name: ja_JP.EUC-JP -> EUC-JP, sr_RS.UTF-8@latin -> UTF-8. */
export function localeCharset(locale: string): string {
  return locale.slice(locale.indexOf('.') + 1).replace(/@.*$/, '');
}

/** Docker reference grammar: [host[:port]/]component(/component)*, lowercase. */
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)';
/** Docker's reference grammar; a name is at most 255 characters (distribution's NameTotalLengthMax). */
export const IMAGE_REPOSITORY = new RegExp(`^(?=.{1,255}$)${DOMAIN}?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);

/** Docker tag grammar: at most 128 characters. */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** POSIX-style environment variable names, as a Dockerfile ENV key. */
export const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

// Time zones: timezone.ts checks them against the table of names tzdata ships (releases/timezones.ts).

/**
 * Mirror and proxy URLs: printable ASCII (apt lines and debootstrap take bytes, not IRIs)
 * without anything a shell or an apt line would split on or expand.
 */
export const URL_SAFE = /^(?:(?![\s'"`\\$;|&<>(){}[\]*?!#^])[!-~])+$/;

/**
 * The tarball's file name: no directories, no leading dot or dash, and short enough that
 * `.partial-<name>.sha256` stays within the 255 bytes of a file name.
 */
export const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,199}$/;

/** A name for an extra repository: it names its keyring, sources and preferences files. */
export const REPOSITORY_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A suite of an extra repository: a codename, `stable`, or a path-like suite (`bookworm/updates`). */
export const REPOSITORY_SUITE = /^[A-Za-z0-9][A-Za-z0-9._\/-]{0,99}$/;

/** A path inside the image: absolute, plain characters, no `.` or `..` components, no trailing slash. */
export const IMAGE_PATH = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9_@%+=:,.-]+)+$/;

/** A file beside the config, as the config names it: relative, plain characters, no `..`. */
export const RELATIVE_PATH = /^(?!\.\.?(?:\/|$))[A-Za-z0-9_@%+=:,.-]+(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9_@%+=:,.-]+)*$/;

/** A user or group name as useradd takes it by default (NAME_REGEX of adduser, plus _ first). */
export const ACCOUNT_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/** File owner: user or user:group, by name or number. */
export const OWNER = /^(?:[a-z_][a-z0-9_-]{0,31}|[0-9]{1,10})(?::(?:[a-z_][a-z0-9_-]{0,31}|[0-9]{1,10}))?$/;

/** A file mode in octal, as chmod takes it. */
export const FILE_MODE = /^0?[0-7]{3}$/;

/** A label key: reverse-DNS style, as the OCI annotation rules suggest. */
export const LABEL_KEY = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** EXPOSE: a port from 1 to 65535 (written as a pattern, so the JSON Schema says it too), optionally with its protocol. */
export const PORT = /^(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])(?:\/(?:tcp|udp))?$/;

/** apt_preferences Package: names or globs. */
export const PIN_PACKAGE = /^[a-z0-9*?][a-z0-9+.*?-]*$/;

/** apt_preferences Pin: release fields (a=, n=, o=, l=, c=, v=), an origin host, or a version. */
export const PIN = /^(?:release [a-z]=[A-Za-z0-9.+~_\/-]+(?:,[a-z]=[A-Za-z0-9.+~_\/-]+)*|origin "?[A-Za-z0-9.-]*"?|version [A-Za-z0-9.+~:*-]+)$/;
