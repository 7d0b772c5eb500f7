// Every value in every template goes through the quoting helper of its output's
// language (bash, Dockerfile, HCL), or a helper that can only print safe characters.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QUOTING_HELPERS } from '../src/render/engine.js';
import { TEMPLATES_DIR } from '../src/render/templates.js';
import { auditTemplate, COMMENT_HELPERS, SAFE_HELPERS, templateContext } from './helpers/template-audit.js';

function templates(dir = TEMPLATES_DIR, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? templates(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

const all = templates().sort();

describe('quoting audit of templates/', () => {
  it('finds the templates of all three languages', () => {
    expect(all).toEqual(expect.arrayContaining(['mkimage.sh.hbs', 'Dockerfile.base.hbs', 'Dockerfile.derived.hbs', 'docker-bake.hcl.hbs']));
    expect(all.some((t) => t.startsWith('partials/'))).toBe(true);
  });

  it.each(all)('%s prints values only through its quoting helpers', (template) => {
    const context = templateContext(template);
    expect(context, `${template}: say which language it renders`).toBeDefined();
    expect(auditTemplate(readFileSync(join(TEMPLATES_DIR, template), 'utf8'), context!)).toEqual([]);
  });

  it('every helper of the engine is classified (a new helper must be proven safe first)', () => {
    const classified = new Set([...Object.values(SAFE_HELPERS).flat(), ...COMMENT_HELPERS]);
    expect(Object.keys(QUOTING_HELPERS).filter((h) => !classified.has(h))).toEqual([]);
  });
});

describe('the audit can fail', () => {
  const cases: [string, string, Parameters<typeof auditTemplate>[1]][] = [
    ['a bare value', 'echo {{value}}\n', 'shell'],
    ['a bare value in a block', '{{#each items}}\nrun {{this}}\n{{/each}}\n', 'shell'],
    ['a raw triple-stash value', 'echo {{{sh value}}}\n', 'shell'],
    ['a data variable', '{{#each xs}}{{@index}}{{/each}}\n', 'shell'],
    ['a Dockerfile helper in bash', 'echo {{dockerfile value}}\n', 'shell'],
    ['a bash helper in a Dockerfile ENV', 'ENV A={{sh value}}\n', 'dockerfile'],
    ['a bash helper on a Dockerfile RUN line', 'RUN apt-get install {{shArgs packages}}\n', 'dockerfile'],
    ['a bash helper in HCL', 'tags = [{{sh tag}}]\n', 'hcl'],
    ['comment text outside a comment', 'echo {{comment why}}\n', 'shell'],
    ['a quoted value inside double quotes', 'echo "{{sh value}}"\n', 'shell'],
    ['a quoted value inside single quotes', "echo 'x {{sh value}}'\n", 'shell'],
    ['an unknown block helper', '{{#raw value}}x{{/raw}}\n', 'shell'],
    ['an unknown helper', 'echo {{upper value}}\n', 'shell'],
  ];

  it.each(cases)('reports %s', (_what, source, context) => {
    expect(auditTemplate(source, context)).toHaveLength(1);
  });

  it('passes what the templates do', () => {
    const ok = [
      '# {{comment why}}\nwrite_file {{sh path}} {{sh mode}} {{sh content}}\n{{#if x}}\nreadonly -a A={{shArray values}}\n{{/if}}\n{{> runtime}}\n',
      'step {{int number}} {{sh title}} {{ident fn}}\nfor dir in {{shArgs dirs}}; do keep+=(! -name "$dir"); done\n',
    ];
    for (const source of ok) expect(auditTemplate(source, 'shell')).toEqual([]);
    expect(auditTemplate('FROM {{imageRef from}}\nENV {{ident key}}={{dockerfile value}}\nRUN x {{runArgs p}}\n', 'dockerfile')).toEqual([]);
  });
});
