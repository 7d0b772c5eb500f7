// One isolated Handlebars instance: no HTML escaping (we write shell, not HTML),
// strict lookups (a missing plan field is a bug, not an empty string), and the
// quoting helpers as the only way values get into the output. Where the templates come
// from (compiled from templates/, or precompiled in the CLI bundle) is ./templates.ts.
import { IMAGE_REPOSITORY, IMAGE_TAG } from '../model/formats.js';
import {
  commentText,
  dockerfileExecForm,
  dockerfileListItem,
  dockerfilePlatformQuote,
  dockerfileQuote,
  dockerfileRunPlatformWord,
  dockerfileRunWord,
  dockerfileWord,
  dockerignoreName,
  gitignoreName,
  hclQuote,
  shellHeredoc,
  shellQuote,
  shellArrayItems,
  shellBracedVariable,
  shellVariable,
} from './quote.js';
import { createHandlebars, loadPartials, loadTemplate } from './templates.js';

function strings(value: unknown, helper: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new Error(`{{${helper}}} takes a list of strings`);
  }
  return value;
}

function text(value: unknown, helper: string): string {
  if (typeof value !== 'string') throw new Error(`{{${helper}}} takes a string, got ${typeof value}`);
  return value;
}

/** A piece of a word that names the script's values: the variable, or the array joined with commas. */
function pieceExpansion(piece: unknown): { bare: string; quoted: string } {
  const { ref, setting, joined } = (piece ?? {}) as { ref?: unknown; setting?: unknown; joined?: unknown };
  if (joined !== undefined) {
    const items = shellArrayItems(text(joined, 'shWords'));
    return { bare: `"$(join_by , ${items})"`, quoted: `$(join_by , ${items})` };
  }
  const name = text(ref ?? setting, 'shWords');
  return { bare: shellVariable(name), quoted: shellBracedVariable(name) };
}

/** Text that means itself between double quotes. */
const DOUBLE_QUOTE_SAFE = /^[^"$`\\!\x00-\x1f\x7f]*$/;

/**
 * One word joined from pieces: --arch="$ARCH" where the literals need no quotes, one
 * double-quoted string where they need only those ("sync-in ${PACKAGE_CACHE} /x/"),
 * else each literal single-quoted and each variable double-quoted, side by side.
 */
function piecesWord(pieces: unknown): string {
  if (!Array.isArray(pieces) || pieces.length === 0) throw new Error('{{shWords}}: a word is a string or a list of pieces');
  const literals = pieces.filter((piece): piece is string => typeof piece === 'string');
  const expansions = pieces.map((piece: unknown) => (typeof piece === 'string' ? null : pieceExpansion(piece)));
  const plain = literals.every((piece) => piece === '' || shellQuote(piece) === piece);
  if (!plain && literals.every((piece) => DOUBLE_QUOTE_SAFE.test(piece))) {
    return `"${pieces.map((piece: unknown, i) => (typeof piece === 'string' ? piece : expansions[i]!.quoted)).join('')}"`;
  }
  return pieces.map((piece: unknown, i) => (typeof piece === 'string' ? (piece === '' ? '' : shellQuote(piece)) : expansions[i]!.bare)).join('');
}

/** Helpers that quote: every value printed into an output goes through one of these. */
export const QUOTING_HELPERS = {
  /** one bash word */
  sh: (value: unknown) => shellQuote(text(value, 'sh')),
  /** one name in a .gitignore, anchored to its folder */
  gitignore: (value: unknown) => gitignoreName(text(value, 'gitignore')),
  /** a bash array literal: (a 'b c') */
  shArray: (value: unknown) => `(${strings(value, 'shArray').map(shellQuote).join(' ')})`,
  /** a command line: each word quoted */
  shArgs: (value: unknown) => strings(value, 'shArgs').map(shellQuote).join(' '),
  /** a command line of words, each a literal or a list of pieces (see Piece in plan/commands.ts) */
  shWords: (value: unknown) => {
    if (!Array.isArray(value)) throw new Error('{{shWords}} takes a list of words');
    return value.map((w: unknown) => (typeof w === 'string' ? shellQuote(w) : piecesWord(w))).join(' ');
  },
  /** a Dockerfile double-quoted string */
  dockerfile: (value: unknown) => dockerfileQuote(text(value, 'dockerfile')),
  /** the same, where ${TARGETARCH} and ${TARGETVARIANT} (only) expand */
  dockerfilePlatform: (value: unknown) => dockerfilePlatformQuote(text(value, 'dockerfilePlatform')),
  /** one path kept in a build context by a .dockerignore */
  dockerignore: (value: unknown) => dockerignoreName(text(value, 'dockerignore')),
  /** a Dockerfile exec-form list: ["a", "b"], of plain words only */
  dockerfileList: (value: unknown) => `[${strings(value, 'dockerfileList').map(dockerfileListItem).join(', ')}]`,
  /** shell words on a Dockerfile RUN line: each quoted, none with a newline */
  runArgs: (value: unknown) => strings(value, 'runArgs').map(dockerfileRunWord).join(' '),
  /** one shell word on a RUN line where ${TARGETARCH} and ${TARGETVARIANT} (only) expand */
  runPlatformWord: (value: unknown) => dockerfileRunPlatformWord(text(value, 'runPlatformWord')),
  /** an HCL string */
  hcl: (value: unknown) => hclQuote(text(value, 'hcl')),
  /** text inside a # comment */
  comment: (value: unknown) => commentText(text(value, 'comment')),
  /** a shell name (variable or function) chosen by the plan, never by the config */
  ident: (value: unknown) => {
    const name = text(value, 'ident');
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`{{ident}}: "${name}" is not a shell name`);
    return name;
  },
  /** an image reference repository:tag, checked against Docker's grammar, bare (FROM takes no quotes) */
  imageRef: (value: unknown) => {
    const ref = text(value, 'imageRef');
    const colon = ref.lastIndexOf(':');
    if (!IMAGE_REPOSITORY.test(ref.slice(0, colon)) || !IMAGE_TAG.test(ref.slice(colon + 1))) {
      throw new Error(`{{imageRef}}: "${ref}" is not an image reference`);
    }
    return ref;
  },
  /** a quoted here-document of a {fence, body}: the rest of the line is bash's, the body is not */
  heredoc: (value: unknown) => {
    const { fence, body } = (value ?? {}) as { fence?: unknown; body?: unknown };
    return shellHeredoc(text(fence, 'heredoc'), text(body, 'heredoc'));
  },
  /** a Dockerfile exec-form list for CMD and ENTRYPOINT, which expand nothing: JSON strings */
  execForm: (value: unknown) => dockerfileExecForm(strings(value, 'execForm')),
  /** a bare Dockerfile word (USER, WORKDIR, EXPOSE, LABEL keys): plain characters only, nothing to expand */
  dockerfileWord: (value: unknown) => dockerfileWord(text(value, 'dockerfileWord')),
  /** a whole number */
  int: (value: unknown) => {
    if (!Number.isSafeInteger(value)) throw new Error(`{{int}} takes a whole number, got ${String(value)}`);
    return String(value);
  },
} as const;

type Engine = ReturnType<typeof createHandlebars>;

function createEngine(): Engine {
  const hbs = createHandlebars();
  for (const [name, fn] of Object.entries(QUOTING_HELPERS)) hbs.registerHelper(name, fn);
  for (const [name, partial] of loadPartials(hbs)) hbs.registerPartial(name, partial);
  return hbs;
}

let engine: Engine | undefined;
const compiled = new Map<string, HandlebarsTemplateDelegate>();

/**
 * A partial alone, with no data at all: strict lookups make any value it names an error,
 * so what it renders cannot depend on a config (the runtime's parts, see ./runtime.ts).
 */
export function renderPartialAlone(name: string): string {
  engine ??= createEngine();
  const partial = engine.partials[name];
  if (typeof partial !== 'function') throw new Error(`no partial ${name} in templates/`);
  return (partial as HandlebarsTemplateDelegate)({});
}

/** Render templates/<name> with a plan; each template is loaded once per process. */
export function renderTemplate(name: string, plan: object): string {
  engine ??= createEngine();
  let template = compiled.get(name);
  if (!template) {
    template = loadTemplate(engine, name);
    compiled.set(name, template);
  }
  return template(plan);
}
