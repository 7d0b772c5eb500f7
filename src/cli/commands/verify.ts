import type { Command } from '../command.js';
import type { VerifyArgs } from '../verify.js';

export const verify: Command<VerifyArgs> = {
  command: 'verify <image>',
  describe:
    "check a pushed image before use: its signature, its attestations (SPDX, CycloneDX, SLSA provenance) and that the attested SBOMs list the build's packages",
  builder: (y) =>
    y
      .positional('image', { type: 'string', demandOption: true, describe: 'registry/repository:tag or @sha256:digest' })
      .option('key', { type: 'string', demandOption: true, describe: 'the public key (cosign.pub) or a KMS reference cosign understands' })
      .option('manifest', {
        type: 'string',
        array: true,
        describe: "the build's package manifest (rootfs.manifest); one per architecture. Without it the SPDX and CycloneDX lists are compared with each other",
      })
      .option('published', { type: 'string', describe: 'the publish record the script wrote (published.json): the tag must still name its digest' })
      .option('type', { type: 'string', array: true, choices: ['spdx', 'cyclonedx', 'provenance'], describe: 'the attestations to require (default: all three)' })
      .example('$0 verify registry.example.com/infra/debian:bookworm --key cosign.pub --manifest out/rootfs.manifest', 'before a deploy')
      .epilogue(
        'cosign and skopeo read the registry login from the usual files (docker login, REGISTRY_AUTH_FILE); the transparency log is not consulted (key pairs).\nExit codes: 0 everything matches; 1 something differs (each difference named: another digest, a missing or foreign signature or attestation, a changed SBOM); 2 bad input.',
      ),
  run: async (argv) => (await import('../verify.js')).verify(argv),
};
