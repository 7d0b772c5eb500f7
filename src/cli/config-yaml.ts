// A config as YAML with a comment above each setting: its description in the model (the
// field's .describe(), as the JSON Schema carries it). What `init` writes and `presets
// --show` prints.
import { Document, isMap, isPair, isScalar, type YAMLMap } from 'yaml';

/**
 * `descriptions` by field path (fieldDescriptions of a JSON Schema); `modeline` is the
 * first line (an editor's schema hint), `heading` the comment under it. Keys of nested
 * mappings are commented too; the items of a list are not (each would repeat them).
 */
export function commentedYaml(value: object, heading: string[], descriptions: Readonly<Record<string, string>>, modeline?: string): string {
  const doc = new Document(value);
  const comment = (map: YAMLMap, path: string) => {
    for (const item of map.items) {
      if (!isPair(item) || !isScalar(item.key)) continue;
      const at = `${path}${String(item.key.value)}`;
      const text = descriptions[at];
      if (text !== undefined) item.key.commentBefore = ` ${text}`;
      if (isMap(item.value)) comment(item.value, `${at}.`);
    }
  };
  if (isMap(doc.contents)) comment(doc.contents, '');
  const top = [...(modeline ? [modeline] : []), ...heading].map((line) => `#${line === '' ? '' : ` ${line}`}`);
  return `${top.join('\n')}\n${doc.toString({ lineWidth: 0 })}`;
}
