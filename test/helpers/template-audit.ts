// Reads a Handlebars template and lists every place a value could reach the output
// without the quoting helper of that output's language.
import Handlebars from 'handlebars';

export type Context = 'shell' | 'dockerfile' | 'hcl' | 'gitignore' | 'dockerignore';

/** Which helpers may print a value, per output language. */
export const SAFE_HELPERS: Record<Context, readonly string[]> = {
  // sh/shArray/shArgs single-quote; shWords too, or "$NAME" of a setting's name; ident and int emit only [A-Za-z0-9_]; imageRef only [a-z0-9._:/-].
  // heredoc: a quoted here-document whose fence no body line can match.
  shell: ['sh', 'shArray', 'shArgs', 'shWords', 'ident', 'int', 'imageRef', 'heredoc'],
  // dockerfile escapes " $ \ and refuses newlines; runArgs shell-quotes one-line words;
  // dockerfileList takes only plain words.
  // execForm: JSON strings (CMD/ENTRYPOINT expand nothing); dockerfileWord: only [A-Za-z0-9_.:/@%+=,-];
  // dockerfilePlatform: as dockerfile, but for the platform's own build args.
  // runPlatformWord: runArgs' quoting around the platform's own args, double-quoted.
  dockerfile: ['dockerfile', 'dockerfileList', 'runArgs', 'ident', 'int', 'imageRef', 'execForm', 'dockerfileWord', 'dockerfilePlatform', 'runPlatformWord'],
  hcl: ['hcl', 'int', 'ident'],
  // gitignore: one name, anchored, with git's pattern characters escaped.
  gitignore: ['gitignore'],
  // dockerignore: one path of plain characters, none of its pattern characters.
  dockerignore: ['dockerignore'],
};

/** Helpers whose output is only safe inside a `#` comment line. */
export const COMMENT_HELPERS: readonly string[] = ['comment'];

/** Block helpers that choose or repeat parts of a template and print nothing themselves. */
const BLOCK_HELPERS = new Set(['if', 'unless', 'each', 'with']);

/** The output language of a template, from its file name (relative to templates/). */
export function templateContext(path: string): Context | undefined {
  // Partials that other languages' templates include say theirs in their name.
  if (path.startsWith('partials/bake-')) return 'hcl';
  if (path.startsWith('partials/dockerfile-')) return 'dockerfile';
  if (path.startsWith('partials/') || path.startsWith('steps/') || path.endsWith('.sh.hbs')) return 'shell';
  if (/(^|\/)Dockerfile[^/]*\.hbs$/.test(path)) return 'dockerfile';
  if (path.endsWith('.hcl.hbs')) return 'hcl';
  if (path === 'gitignore.hbs') return 'gitignore';
  if (path === 'dockerignore.hbs') return 'dockerignore';
  return undefined;
}

/** True when the text before a mustache leaves a quote open (a quoted value would then be mangled). */
function insideQuotes(prefix: string): boolean {
  let quote: string | null = null;
  for (let i = 0; i < prefix.length; i++) {
    const c = prefix[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
    } else if (c === '\\') {
      i++;
    } else if (quote === '"') {
      if (c === '"') quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
    }
  }
  return quote !== null;
}

type Node = hbs.AST.Node & { loc: hbs.AST.SourceLocation };

export function auditTemplate(source: string, context: Context): string[] {
  const lines = source.split('\n');
  const problems: string[] = [];
  const where = (node: Node) => `line ${node.loc.start.line}`;
  const prefixOf = (node: Node) => lines[node.loc.start.line - 1]!.slice(0, node.loc.start.column);

  const visit = (node: Node | null | undefined): void => {
    if (!node) return;
    switch (node.type) {
      case 'Program':
        for (const child of (node as unknown as hbs.AST.Program).body) visit(child as Node);
        return;
      case 'BlockStatement': {
        const block = node as unknown as hbs.AST.BlockStatement & Node;
        const name = block.path.type === 'PathExpression' ? (block.path as hbs.AST.PathExpression).original : '?';
        if (!BLOCK_HELPERS.has(name)) problems.push(`${where(node)}: block helper {{#${name}}} is not one that prints nothing`);
        visit(block.program as Node);
        visit(block.inverse as Node);
        return;
      }
      case 'MustacheStatement': {
        const m = node as unknown as hbs.AST.MustacheStatement & Node;
        const name = m.path.type === 'PathExpression' ? (m.path as hbs.AST.PathExpression).original : String(m.path.type);
        const text = lines[node.loc.start.line - 1]!.slice(node.loc.start.column, node.loc.end.column);
        if (!m.escaped) problems.push(`${where(node)}: ${text} is a raw (triple-stash) mustache`);
        if (m.params.length === 0) {
          problems.push(`${where(node)}: ${text} prints a value without a quoting helper`);
        } else if (COMMENT_HELPERS.includes(name)) {
          if (!/^\s*#/.test(prefixOf(node))) problems.push(`${where(node)}: ${text} is comment text outside a # comment line`);
        } else if (!SAFE_HELPERS[context].includes(name)) {
          problems.push(`${where(node)}: ${text} uses {{${name}}}, which is not a ${context} quoting helper`);
        } else if (insideQuotes(prefixOf(node))) {
          problems.push(`${where(node)}: ${text} is inside quotes that its helper does not expect`);
        }
        return;
      }
      case 'PartialStatement':
      case 'PartialBlockStatement':
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      default:
        problems.push(`${where(node)}: unexpected ${node.type}`);
    }
  };
  visit(Handlebars.parse(source) as unknown as Node);
  return problems;
}
