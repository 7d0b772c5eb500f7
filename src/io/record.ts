// The record of what generate wrote into an output tree, kept in the tree itself. Only
// files it lists can ever be orphans: a file with our header that some other run, tool
// or person put there is not ours to remove, and neither is anything in another output
// tree nested below (it has a record of its own).

/** The record's file name, at the top of the output tree. Never an output path. */
export const RECORD_FILE = '.mkimage-gen-files';

/** A record is a list of paths; one this large was not written by us. */
export const MAX_RECORD_BYTES = 1024 * 1024;

const RECORD_HEADER = [
  '# Files mkimage-gen generate wrote in this folder, one a line. The next generate removes',
  '# the ones no config renders any more (if they still carry the generated header); nothing',
  '# else. Deterministic: commit it with the generated files. DO NOT EDIT.',
];

export function serializeRecord(paths: readonly string[]): string {
  return `${[...RECORD_HEADER, ...[...paths].sort()].join('\n')}\n`;
}

/** The paths a record lists: comment and blank lines skipped; a path is checked again before use. */
export function parseRecord(text: string): string[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}
