// Slim images: dpkg path-exclude rules, as the official slim images carry, so packages
// installed now and later leave out documentation, manuals and translations. Copyright
// files stay (their licences ask for it), stored once when identical. Translations go
// as in the official slim images (debuerreotype keeps locale.alias only): the generated
// locales stay whole (character classes, collation, dates, iconv), programs print their
// messages in English. The locale sources and charmaps stay as far as locale-gen needs
// them to rebuild the generated locales.
import { localeCharset } from '../model/formats.js';
import type { Settings } from '../model/index.js';
import type { ImageFile } from './sources.js';

/** Folders whose whole content the rules leave out. */
const DROPPED = ['/usr/share/man', '/usr/share/info', '/usr/share/groff', '/usr/share/lintian', '/usr/share/linda'];

/** Converted inside glibc itself (gconv_builtin): no module to keep for them. */
const BUILTIN_CHARSETS = new Set(['UTF-8', 'ANSI_X3.4-1968', 'ISO-8859-1', 'UCS-2', 'UCS-4', 'UTF-16', 'UTF-32', 'UTF-7']);

export interface SlimPlan {
  rules: ImageFile;
  /** Locale sources (/usr/share/i18n/locales) the generated locales start from. */
  localeSources: string[];
  /** Charmaps (/usr/share/i18n/charmaps/<name>.gz) they use. */
  charmaps: string[];
  /** Emptied in the rootfs too: the rules only apply to what dpkg unpacks from now on. */
  droppedDirs: string[];
  /** Entries of /usr/share/locale that stay: locale.alias, which setlocale and localedef read. */
  keptLocaleEntries: string[];
  /**
   * Files of this name under this folder that are byte for byte the same (the krb5
   * libraries each ship one copyright text) become hard links to one of them: every
   * package keeps its file, the tarball stores the text once.
   */
  linkIdentical: { dir: string; name: string };
  /**
   * Character sets whose glibc converter modules (/usr/lib/<triplet>/gconv) stay, with
   * the helper libraries they load: the generated locales' charsets but UTF-8, which
   * glibc converts without a module. ja_JP.EUC-JP keeps EUC-JP.so and libJIS.so.
   */
  gconvCharsets: string[];
}

/**
 * What stays of /usr/share/locale: the alias list, as in debuerreotype's slim images.
 * The message catalogs go, those of the generated locales' languages too: a container
 * base image writes to logs that tools parse and people search, and the official slim
 * images, which it is compared with, carry none. For bookworm's ja image that is
 * 1.2 MB (coreutils, dpkg, libc, bash, apt...), a quarter of what the locales add.
 */
const KEPT_LOCALE_ENTRIES = ['locale.alias'];

export function planSlim(settings: Settings): SlimPlan | null {
  if (!settings.slim) return null;
  const rules = [
    '# Leave out what a container does not read; dpkg applies this to every package installed.',
    'path-exclude /usr/share/doc/*',
    'path-include /usr/share/doc/*/copyright',
    ...DROPPED.map((dir) => `path-exclude ${dir}/*`),
    'path-exclude /usr/share/locale/*',
    ...KEPT_LOCALE_ENTRIES.map((entry) => `path-include /usr/share/locale/${entry}`),
  ];
  return {
    rules: {
      path: '/etc/dpkg/dpkg.cfg.d/docker-slim',
      mode: '0644',
      content: `${rules.join('\n')}\n`,
      why: 'dpkg skips docs, manuals and translations for every package from now on',
    },
    droppedDirs: DROPPED,
    keptLocaleEntries: KEPT_LOCALE_ENTRIES,
    linkIdentical: { dir: '/usr/share/doc', name: 'copyright' },
    // ja_JP.UTF-8 is built from the source ja_JP and the charmap UTF-8; sr_RS.UTF-8@latin from sr_RS@latin.
    localeSources: [...new Set(settings.locales.generate.map((l) => l.replace(/\.[^@]*/, '')))].sort(),
    charmaps: [...new Set(settings.locales.generate.map(localeCharset))].sort(),
    gconvCharsets: [...new Set(settings.locales.generate.map(localeCharset))].filter((c) => !BUILTIN_CHARSETS.has(c)).sort(),
  };
}
