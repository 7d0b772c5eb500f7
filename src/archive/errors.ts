// A source that cannot be read or trusted: bad input for outdated and refresh (exit 2),
// named so the user knows which mirror, Release file or index it was.
import { OutputError } from '../io/output-error.js';

export class ArchiveError extends OutputError {
  override name = 'ArchiveError';
  constructor(message: string) {
    super(message, 2);
  }
}
