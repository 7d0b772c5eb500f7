// What a build of the script writes into its output directory, which is by default the
// script's own folder in the output tree (so the Dockerfile and bake beside it find the
// tarball): each tarball with its checksum file and records, the bake facts, the OCI
// outputs, and the temporary names each is written under first. The folder's ignore file
// lists them, so a build never lands in a commit, and `check` names the ones it finds.
import { BUILD_VARS_FILE, OCI_ARCHIVE, OCI_LAYOUT_DIR, recordFiles } from '../layout.js';
import type { Resolved } from './resolve.js';

/** Names relative to the output directory, in the order the build publishes them; a folder ends in `/`. */
export function buildOutputs(r: Resolved): string[] {
  const oci = r.settings.output.oci;
  const published = [
    ...r.builds.flatMap((b) => [b.tarball, `${b.tarball}.sha256`, ...recordFiles(b.tarball)]),
    ...(oci ? [OCI_ARCHIVE] : []),
  ];
  // The script writes each published file as .partial-<name> first, the bake facts and
  // the OCI layout beside their final names (templates/partials/publish.hbs, steps/oci_image.hbs).
  return [
    ...published,
    ...(oci ? [`${OCI_LAYOUT_DIR}/`] : []),
    BUILD_VARS_FILE,
    ...published.map((name) => `.partial-${name}`),
    ...(oci ? [`${OCI_LAYOUT_DIR}.old/`] : []),
    `${BUILD_VARS_FILE}.partial`,
  ];
}
