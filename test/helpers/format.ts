// The formatter the generated scripts are held to: prettier with prettier-plugin-sh,
// which is shfmt (2 spaces, binary operators and case bodies as .editorconfig says).
// Templates are written in its style; the lint tests check that it changes nothing.
import { format } from 'prettier';
import * as shPlugin from 'prettier-plugin-sh';

export async function formatShell(script: string): Promise<string> {
  return format(script, { parser: 'sh', plugins: [shPlugin], filepath: 'mkimage.sh' });
}
