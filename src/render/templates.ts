// Where the templates come from: templates/ at the package root, compiled on first use.
// The CLI bundle replaces this module with the same templates precompiled at build time
// (scripts/bundle.mjs, through ./precompile.ts), so the CLI loads only the Handlebars
// runtime and compiles nothing; both use COMPILE_OPTIONS, so they render the same bytes.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { readOwnFile } from '../io/regular-file.js';
import { PACKAGE_ROOT } from '../package-root.js';

/** templates/ sits at the package root. */
export const TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates');

/** No HTML escaping (we write shell, not HTML); strict lookups (a missing plan field is a bug). */
export const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

/** Folders of templates that others include by name: `{{> runtime}}`, `{{> (lookup . "template")}}` = steps/<fn>. */
const PARTIAL_DIRS = [
  { dir: 'partials', prefix: '' },
  { dir: 'steps', prefix: 'steps/' },
];

/** Every partial's name and file under templates/, in a fixed order. */
export function partialFiles(): { name: string; file: string }[] {
  return PARTIAL_DIRS.flatMap(({ dir, prefix }) =>
    readdirSync(join(TEMPLATES_DIR, dir))
      .filter((file) => file.endsWith('.hbs'))
      .sort()
      .map((file) => ({ name: `${prefix}${file.replace(/\.hbs$/, '')}`, file: `${dir}/${file}` })),
  );
}

/** The top-level templates: the files directly in templates/. */
export function templateFiles(): string[] {
  return readdirSync(TEMPLATES_DIR)
    .filter((file) => file.endsWith('.hbs'))
    .sort();
}

export const readTemplate = (file: string): string => readOwnFile(join(TEMPLATES_DIR, file), 1024 * 1024).toString('utf8');

/** A fresh, isolated Handlebars instance. */
export const createHandlebars = (): typeof Handlebars => Handlebars.create();

/** templates/<name> as a function of `hbs`. */
export const loadTemplate = (hbs: typeof Handlebars, name: string): HandlebarsTemplateDelegate => hbs.compile(readTemplate(name), COMPILE_OPTIONS);

/** Every partial as a function of `hbs`, by name. */
export const loadPartials = (hbs: typeof Handlebars): [string, HandlebarsTemplateDelegate][] =>
  partialFiles().map(({ name, file }) => [name, hbs.compile(readTemplate(file), COMPILE_OPTIONS)]);
