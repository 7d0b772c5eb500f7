// Moving a config's `snapshot:` pin in place. The yaml package's Document API finds the
// value's exact place in the text; only those characters are replaced, so every
// comment, blank line, quote style and indentation of the file stays as it was (a
// re-serialised document would not keep all of them). JSON configs work the same way.
import { isMap, isScalar, parseDocument } from 'yaml';

export type PinEdit = { text: string } | { problem: string };

/** The text of a config whose top-level `snapshot:` is `timestamp`; or why it cannot be edited in place. */
export function movePin(text: string, timestamp: string): PinEdit {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) return { problem: `it does not parse: ${doc.errors[0]!.message.split('\n')[0]}` };
  if (!isMap(doc.contents)) return { problem: 'its top level is not a mapping of settings' };
  const node = doc.contents.get('snapshot', true);
  if (node === undefined) return { problem: 'it has no snapshot: of its own (set by the project file\'s defaults or --set?): add snapshot: to the config' };
  if (!isScalar(node) || node.range === undefined || node.range === null) return { problem: 'its snapshot: is not a plain value' };
  const [start, end] = node.range;
  // The scalar's style, by name (the CLI's bundle loads yaml's functions only).
  const quote = node.type === 'QUOTE_DOUBLE' ? '"' : node.type === 'QUOTE_SINGLE' ? "'" : node.type === 'PLAIN' ? '' : undefined;
  if (quote === undefined) return { problem: 'its snapshot: is a block scalar; write it as snapshot: YYYYMMDDTHHMMSSZ' };
  const edited = `${text.slice(0, start)}${quote}${timestamp}${quote}${text.slice(end)}`;
  // The edit must say exactly that, and nothing else may have moved.
  const check = parseDocument(edited, { uniqueKeys: true });
  const before = doc.toJS() as Record<string, unknown>;
  const after = check.toJS() as Record<string, unknown>;
  if (check.errors.length > 0 || after.snapshot !== timestamp || JSON.stringify({ ...before, snapshot: timestamp }) !== JSON.stringify(after)) {
    return { problem: 'editing snapshot: in place would change more than the pin' };
  }
  return { text: edited };
}
