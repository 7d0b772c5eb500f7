// Debian control-file paragraphs (deb822): Release files and Packages indices.
// `Field: value` lines, continuation lines start with a space or tab, paragraphs are
// separated by blank lines. Field names are case-insensitive; we key them in lower case.

export type Paragraph = Map<string, string>;

/**
 * Each paragraph of `text`, keeping only the fields `wanted` names (lower case), or every
 * field when it is undefined. A Packages index of a release is tens of megabytes: the
 * fields a report needs are a small part of each paragraph.
 */
export function* paragraphs(text: string, wanted?: ReadonlySet<string>): Generator<Paragraph> {
  let fields: Paragraph = new Map();
  let last: string | undefined;
  let start = 0;
  const end = text.length;
  while (start <= end) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = end;
    const line = text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl);
    start = nl + 1;
    if (line.trim() === '') {
      if (fields.size > 0) yield fields;
      fields = new Map();
      last = undefined;
      continue;
    }
    const first = line.charCodeAt(0);
    if (first === 32 || first === 9) {
      // A continuation line: part of the field above, kept with its line break.
      if (last !== undefined) fields.set(last, `${fields.get(last)}\n${line.slice(1)}`);
      continue;
    }
    if (first === 35) continue; // # comment (Release files have none, but deb822 allows them)
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).toLowerCase();
    if (wanted !== undefined && !wanted.has(name)) {
      last = undefined;
      continue;
    }
    last = name;
    fields.set(name, line.slice(colon + 1).trim());
  }
  if (fields.size > 0) yield fields;
}

/** The first paragraph of a Release file, all its fields. */
export function firstParagraph(text: string): Paragraph {
  for (const p of paragraphs(text)) return p;
  return new Map();
}
