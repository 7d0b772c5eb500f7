// A config as YAML with a comment above each setting, in the words of the JSON Schema:
// what `init` writes and `presets --show` prints.
import { Document, isMap, isPair, isScalar, type Pair } from 'yaml';
import { FIELD_DESCRIPTIONS } from '../model/descriptions.js';

/** `modeline` is the first line (an editor's schema hint), `heading` the comment under it. */
export function commentedYaml(value: object, heading: string[], modeline?: string, descriptions = FIELD_DESCRIPTIONS): string {
  const doc = new Document(value);
  if (isMap(doc.contents)) {
    for (const item of doc.contents.items) {
      if (!isPair(item) || !isScalar((item as Pair).key)) continue;
      const text = descriptions[String((item as Pair<{ value: unknown }>).key!.value)];
      if (text !== undefined) (item as Pair<{ commentBefore?: string }>).key!.commentBefore = ` ${text}`;
    }
  }
  const top = [...(modeline ? [modeline] : []), ...heading].map((line) => `#${line === '' ? '' : ` ${line}`}`);
  return `${top.join('\n')}\n${doc.toString({ lineWidth: 0 })}`;
}
