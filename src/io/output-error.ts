// Its own module, so the CLI can tell this error apart without loading tree.ts.

/**
 * The output tree cannot be written or compared as asked. `exitCode` 2: what is in the
 * tree is in the way (bad input, nothing was changed); 1: the write itself failed.
 */
export class OutputError extends Error {
  override name = 'OutputError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
  }
}
