// What a CLI command is: a yargs command module whose handler does not act. main.ts
// hands yargs each command of its list with a handler that only records `run`, and runs
// it once the whole command line has parsed: nothing is read or written before then.
import type { ArgumentsCamelCase, CommandModule } from 'yargs';

export interface Command<A = any> extends Omit<CommandModule<object, A>, 'handler'> {
  /** `command` as yargs reads it ('generate [configs..]'); its first word names it. */
  command: string;
  describe: string;
  /** The command's work, after parsing: its exit code. */
  run: (argv: ArgumentsCamelCase<A>) => Promise<number>;
}
