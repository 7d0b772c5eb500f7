import type { Command } from '../command.js';
import { EXIT, json } from '../common.js';

export const schema: Command<{ project: boolean }> = {
  command: 'schema',
  describe: 'print the JSON Schema of config files (or of the project file), for editors',
  builder: (y) =>
    y
      .option('project', { type: 'boolean', default: false, describe: "the project file's schema instead" })
      .example('$0 schema > config.schema.json', 'save it for your editor'),
  run: async (argv) => {
    const { projectJsonSchema, settingsJsonSchema } = await import('../../model/json-schema.js');
    process.stdout.write(json(argv.project ? projectJsonSchema() : settingsJsonSchema()));
    return EXIT.ok;
  },
};
