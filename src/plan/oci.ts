// The OCI image the script writes without a daemon (output.oci): everything of the image
// config that is known now is decided here, as JSON text; the script adds only what the
// build measures (the layer's digest, the created time) and the digests that follow.
import { OCI_ARCHIVE, OCI_LAYOUT_DIR } from '../layout.js';
import { ARCH_FACTS } from './arches.js';
import { VERSION } from '../package-root.js';
import { baseImageConfig, OCI } from './dockerfiles.js';
import type { Resolved } from './resolve.js';

/** The PATH a container gets when its image names none; written out so every runtime agrees. */
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** What only the build knows, marked in the config's JSON text for the script to fill in. */
const MARKS = { created: '\u0000created', version: '\u0000version', diffId: '\u0000diffId' } as const;
type Mark = keyof typeof MARKS;

export interface OciImagePlan {
  arch: string;
  /** The platform object of index entries: {"architecture":...,"os":"linux"[,"variant":...]}. */
  platform: string;
  /**
   * The image config as JSON text, keys sorted and no white space (the same settings give
   * the same bytes), cut where the build fills in what it knows: `marks[i]` goes between
   * `configParts[i]` and `configParts[i + 1]`, each a JSON value (the created time, the
   * release version, the layer's diff id).
   */
  configParts: string[];
  marks: Mark[];
}

export interface OciPlan {
  layoutDir: string;
  archive: string;
  images: OciImagePlan[];
  /** Several architectures: the tags name an image index of them all, and each one's own tags its image. */
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

/** The JSON text cut at each marked value, with the marks in the order they occur. */
function cut(text: string): { configParts: string[]; marks: Mark[] } {
  const byText = new Map(Object.entries(MARKS).map(([mark, value]) => [JSON.stringify(value), mark as Mark]));
  const pattern = new RegExp([...byText.keys()].map((k) => k.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')).join('|'), 'g');
  return { configParts: text.split(pattern), marks: [...text.matchAll(pattern)].map((m) => byText.get(m[0])!) };
}

/**
 * Each architecture's image config: the base image's CMD, ENV and labels (naming that
 * architecture's records), the created and version labels the import gives, and one
 * history entry for its one layer, as an image built by a Dockerfile would have.
 */
export function planOci(r: Resolved): OciPlan | null {
  if (!r.settings.output.oci) return null;
  const images = r.builds.map((build) => {
    const config = baseImageConfig(r, build);
    const facts = ARCH_FACTS[build.arch];
    const platform = { architecture: facts.ociArch, os: 'linux', ...(facts.ociVariant ? { variant: facts.ociVariant } : {}) };
    const labels = Object.fromEntries(config.labels.map(({ key, value }) => [key, value]));
    // What the build learns wins over a label of the same name, as in the Dockerfile and the import.
    labels[`${OCI}.created`] = MARKS.created;
    labels[`${OCI}.version`] = MARKS.version;
    const text = canonical({
      ...platform,
      config: { Cmd: config.cmd, Env: [DEFAULT_PATH, ...config.env.map(({ key, value }) => `${key}=${value}`)], Labels: labels },
      created: MARKS.created,
      history: [{ created: MARKS.created, created_by: `mkimage.sh ${r.settings.name} (mkimage-gen ${VERSION}): ${build.tarball}` }],
      rootfs: { diff_ids: [MARKS.diffId], type: 'layers' },
    });
    return { arch: build.arch, platform: canonical(platform), ...cut(text) };
  });
  return { layoutDir: OCI_LAYOUT_DIR, archive: OCI_ARCHIVE, images, several: images.length > 1 };
}
