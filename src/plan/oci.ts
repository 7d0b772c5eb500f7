// The OCI image the script writes without a daemon (output.oci): everything of the image
// config that is known now is decided here, as JSON text; the script adds only what the
// build measures (the layer's digest, the created time) and the digests that follow.
import { OCI_ARCHIVE, OCI_LAYOUT_DIR } from '../layout.js';
import { ARCH_FACTS } from './arches.js';
import type { ImageConfig } from './dockerfiles.js';
import type { Resolved } from './resolve.js';

/** The PATH a container gets when its image names none; written out so every runtime agrees. */
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface OciImagePlan {
  arch: string;
  /** The platform object of index entries: {"architecture":...,"os":"linux"[,"variant":...]}. */
  platform: string;
  /**
   * The image config up to its last two members: the script appends
   * `,"created":"<time>","rootfs":{"diff_ids":["sha256:<layer>"],"type":"layers"}}`.
   * Keys sorted before those two, no white space: the same settings give the same bytes.
   */
  configHead: string;
}

export interface OciPlan {
  layoutDir: string;
  archive: string;
  images: OciImagePlan[];
  /** Several architectures: the tags name an image index of them all. */
  several: boolean;
}

/** JSON with keys in sorted order, so the text never depends on how an object was built. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function planOci(r: Resolved, config: ImageConfig): OciPlan | null {
  if (!r.settings.output.oci) return null;
  const images = r.builds.map((build) => {
    const facts = ARCH_FACTS[build.arch];
    const platform = { architecture: facts.ociArch, os: 'linux', ...(facts.ociVariant ? { variant: facts.ociVariant } : {}) };
    const body = canonical({
      ...platform,
      config: {
        Cmd: config.cmd,
        Env: [DEFAULT_PATH, ...config.env.map(({ key, value }) => `${key}=${value}`)],
        ...(config.labels.length > 0 ? { Labels: Object.fromEntries(config.labels.map(({ key, value }) => [key, value])) } : {}),
      },
    });
    // Drop the closing brace: the script appends `created` and `rootfs`.
    return { arch: build.arch, platform: canonical(platform), configHead: body.slice(0, -1) };
  });
  return { layoutDir: OCI_LAYOUT_DIR, archive: OCI_ARCHIVE, images, several: images.length > 1 };
}
