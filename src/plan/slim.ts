// Slim images: dpkg path-exclude rules, as the official slim images carry, so packages
// installed now and later leave out documentation, manuals and translations. Copyright
// files stay (their licences ask for it), and so do the translations of the locales
// the image generates.
import { localeCharset } from '../model/formats.js';
import type { Settings } from '../model/index.js';
import type { ImageFile } from './sources.js';

/** Folders whose whole content the rules leave out. */
const DROPPED = ['/usr/share/man', '/usr/share/info', '/usr/share/groff', '/usr/share/lintian', '/usr/share/linda'];

export interface SlimPlan {
  rules: ImageFile;
  /** Locale sources (/usr/share/i18n/locales) the generated locales start from. */
  localeSources: string[];
  /** Charmaps (/usr/share/i18n/charmaps/<name>.gz) they use. */
  charmaps: string[];
  /** Emptied in the rootfs too: the rules only apply to what dpkg unpacks from now on. */
  droppedDirs: string[];
  /** Entries of /usr/share/locale that stay: locale.alias and the languages in use. */
  keptLocaleEntries: string[];
}

/** ja_JP.UTF-8 keeps /usr/share/locale/ja and /usr/share/locale/ja_JP. */
function translationDirs(locales: readonly string[]): string[] {
  const dirs = locales.flatMap((locale) => {
    const territory = locale.replace(/[.@].*$/, '');
    return [territory.replace(/_.*$/, ''), territory];
  });
  return [...new Set(dirs)].sort();
}

export function planSlim(settings: Settings): SlimPlan | null {
  if (!settings.slim) return null;
  const kept = translationDirs(settings.locales.generate);
  const rules = [
    '# Leave out what a container does not read; dpkg applies this to every package installed.',
    'path-exclude /usr/share/doc/*',
    'path-include /usr/share/doc/*/copyright',
    ...DROPPED.map((dir) => `path-exclude ${dir}/*`),
    'path-exclude /usr/share/locale/*',
    'path-include /usr/share/locale/locale.alias',
    ...kept.map((dir) => `path-include /usr/share/locale/${dir}/*`),
  ];
  return {
    rules: {
      path: '/etc/dpkg/dpkg.cfg.d/docker-slim',
      mode: '0644',
      content: `${rules.join('\n')}\n`,
      why: 'dpkg skips docs, manuals and translations for every package from now on',
    },
    droppedDirs: DROPPED,
    keptLocaleEntries: ['locale.alias', ...kept],
    // ja_JP.UTF-8 is built from the source ja_JP and the charmap UTF-8; sr_RS.UTF-8@latin from sr_RS@latin.
    localeSources: [...new Set(settings.locales.generate.map((l) => l.replace(/\.[^@]*/, '')))].sort(),
    charmaps: [...new Set(settings.locales.generate.map(localeCharset))].sort(),
  };
}
