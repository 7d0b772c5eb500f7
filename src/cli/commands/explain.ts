import { SCRIPT_FILE } from '../../layout.js';
import type { Command } from '../command.js';
import { configs, EXIT, json, render } from '../common.js';

export const explain: Command<{ config: string; set?: string[]; json: boolean; compare?: string }> = {
  command: 'explain <config>',
  describe: "say in plain words what a preset or config builds: release facts, sources, steps, tags, files, the runtime's sha256, and every command",
  builder: (y) =>
    y
      .positional('config', { type: 'string', demandOption: true, describe: 'a config file, a config id of the project (its file name without extension), or a preset' })
      .option('set', { type: 'string', array: true, describe: 'override a setting: key.path=value (value read as YAML), repeatable' })
      .option('json', { type: 'boolean', default: false, describe: 'print the explanation as JSON' })
      .option('compare', {
        type: 'string',
        describe: "another script (a generated mkimage.sh, a config or a preset): say whether its runtime parts are this script's",
      })
      .example('$0 explain debian-bookworm-ja', 'explain a preset')
      .example('$0 explain configs/debian.yaml --json', 'the same facts for CI tooling')
      .example('$0 explain debian', 'in a project, from any folder of it: configs/debian.yaml')
      .example('$0 explain configs/debian.yaml --compare images/noble/mkimage.sh', 'is its runtime the one approved in that script?'),
  run: async (argv) => {
    const entry = (await configs()).loadOne(argv.config, argv.set ?? [], process.cwd());
    const other = argv.compare === undefined ? undefined : await (await import('../compare.js')).loadComparison(argv.compare, process.cwd());
    const { planImage, renderImage } = await render();
    const plan = planImage(entry);
    const files = renderImage(plan);
    const { dryRun } = await import('../../io/dry-run.js');
    const { explainJson, explainText } = await import('../explain.js');
    const { runtimeParts } = await import('../../render/runtime.js');
    const commands = dryRun(files.find((f) => f.path === SCRIPT_FILE)!.content);
    if (argv.json) process.stdout.write(json(explainJson(plan, files, commands, runtimeParts(), other)));
    // Every command once: the root ledger, which a test holds equal to the dry run.
    else process.stdout.write(explainText(plan, files, runtimeParts(), other));
    return EXIT.ok;
  },
};
