// Locale names as glibc supports them (releases/locales.ts): `jp_JP.UTF-8` has the right
// shape and a real charset, and locale-gen would still refuse it as root.
import { LOCALE_NAMES } from '../releases/locales.js';
import { describeInput } from './describe.js';
import { LOCALE, LOCALE_CHARSETS } from './formats.js';
import { closest, didYouMean } from './suggest.js';

const KNOWN = new Set(LOCALE_NAMES);

/** Other spellings of the same charset and modifier, for "did you mean". */
function sameKind(charset: string, modifier: string): string[] {
  return LOCALE_NAMES.filter((name) => name.endsWith(`.${charset}${modifier}`));
}

function suggestion(value: string, language: string, territory: string, charset: string, modifier: string): string {
  // A near name counts where it shares the language or the territory (jp_JP -> ja_JP), not any three letters.
  const near = value.length <= 40 ? closest(value, sameKind(charset, modifier)) : undefined;
  if (near && (near.startsWith(`${language}_`) || near.includes(`_${territory}.`))) return ` (did you mean "${near}"?)`;
  const some = (names: string[]) => names.slice(0, 4).join(', ');
  const inTerritory = LOCALE_NAMES.filter((name) => name.includes(`_${territory}.`));
  if (inTerritory.length > 0) return `; for ${territory} glibc has ${some(inTerritory)}`;
  const inLanguage = LOCALE_NAMES.filter((name) => name.startsWith(`${language}_`));
  if (inLanguage.length > 0) return `; for "${language}" glibc has ${some(inLanguage)}`;
  return ' (e.g. en_US.UTF-8, ja_JP.UTF-8; glibc lists them in localedata/SUPPORTED)';
}

/** Why `value` is no locale glibc generates, or undefined. */
export function localeProblem(value: string): string | undefined {
  if (value === 'C.UTF-8') return undefined;
  const match = LOCALE.exec(value);
  if (!match) return `${describeInput(value)} is not a locale name ll_CC.CHARSET (e.g. ja_JP.UTF-8)`;
  const [, language, territory, charset, modifier = ''] = match as unknown as [string, string, string, string, string | undefined];
  if (!(LOCALE_CHARSETS as readonly string[]).includes(charset)) {
    return `charset "${charset}" of ${describeInput(value)} is not one glibc generates${didYouMean(charset, LOCALE_CHARSETS)}`;
  }
  if (KNOWN.has(value)) return undefined;
  return `${describeInput(value)} is not a locale glibc supports${suggestion(value, language, territory, charset, modifier)}`;
}
