// Build time only: the JavaScript module that stands in for ./templates.ts in the CLI
// bundle. It holds every template of templates/ precompiled with the same options, and
// the same four exports, so the engine cannot tell the two apart.
import Handlebars from 'handlebars';
import { COMPILE_OPTIONS, partialFiles, readTemplate, templateFiles } from './templates.js';

const specs = (entries: [string, string][]) =>
  `{\n${entries.map(([name, file]) => `  ${JSON.stringify(name)}: ${Handlebars.precompile(readTemplate(file), COMPILE_OPTIONS)},`).join('\n')}\n}`;

export function precompiledModule(): string {
  const templates = specs(templateFiles().map((file) => [file, file]));
  const partials = specs(partialFiles().map(({ name, file }) => [name, file]));
  return `// Precompiled from templates/ by scripts/bundle.mjs; stands in for src/render/templates.ts.
import Handlebars from 'handlebars/runtime';
const TEMPLATES = ${templates};
const PARTIALS = ${partials};
export const createHandlebars = () => Handlebars.create();
export const loadTemplate = (hbs, name) => {
  if (!Object.hasOwn(TEMPLATES, name)) throw new Error(\`no template \${name} in templates/\`);
  return hbs.template(TEMPLATES[name]);
};
export const loadPartials = (hbs) => Object.entries(PARTIALS).map(([name, spec]) => [name, hbs.template(spec)]);
`;
}
