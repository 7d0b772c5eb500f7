// Formatting of the generated script: prettier with prettier-plugin-sh, which is shfmt
// (2 spaces, binary operators and case bodies as .editorconfig says), so `shfmt -d`
// agrees and templates need not be whitespace-perfect.
import { format } from 'prettier';
import * as shPlugin from 'prettier-plugin-sh';

export async function formatShell(script: string): Promise<string> {
  return format(script, { parser: 'sh', plugins: [shPlugin], filepath: 'mkimage.sh' });
}
