// A file the script carries inside itself (a key, a file for the image, a hook): its
// bytes, its sha256, and how the script embeds it. Text goes in as it is, so a reader
// sees it; anything else as base64. The script checks the sha256 before it uses one.
import { createHash } from 'node:crypto';
import { isPlainText } from '../model/embedded.js';

export interface Blob {
  /** The path beside the config that the file came from. */
  source: string;
  bytes: Uint8Array;
  sha256: string;
  encoding: 'text' | 'base64';
  /** What the here-document holds: the text, or base64 in 76-column lines; always ends with a newline. */
  body: string;
  /** The here-document's end marker: its sha256 in it, so no line of the body can end it early. */
  fence: string;
}

export function blob(embedded: Record<string, string>, source: string): Blob {
  const content = embedded[source];
  // Validation made sure every named file is embedded.
  if (content === undefined) throw new Error(`${source} is not embedded (validation should have said so)`);
  return blobOf(source, Buffer.from(content, 'base64'), content);
}

/** The same for bytes the plan made (a key in binary form); `content` is their base64. */
export function blobOf(source: string, raw: Uint8Array, content = Buffer.from(raw).toString('base64')): Blob {
  const bytes = Buffer.from(raw);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const fence = `MKIMAGE_EMBEDDED_${sha256.slice(0, 16).toUpperCase()}`;
  const text = bytes.toString('utf8');
  const asText = isPlainText(bytes) && text.endsWith('\n') && !text.split('\n').includes(fence);
  const body = asText ? text : `${(content.match(/.{1,76}/g) ?? []).join('\n')}\n`;
  return { source, bytes, sha256, encoding: asText ? 'text' : 'base64', body, fence };
}

