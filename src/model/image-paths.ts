// Paths in the image that a config's files may not take: trees the kernel, the build or
// a container's runtime mounts over (the file would be written into the host's mount, or
// hidden), and the absolute links into /run that every rootfs has (written from the
// build host, the path would lead into the host's own /run). And where each CA
// certificate is installed, so two never take one path.
import { describeInput } from './describe.js';
import { IMAGE_PATH } from './formats.js';

/** Each tree, and why a file cannot go there. */
const NO_FILES_UNDER: readonly { tree: string; why: string }[] = [
  { tree: '/proc', why: "/proc is the kernel's process filesystem: the build mounts the host's there, and a container gets its own" },
  { tree: '/sys', why: "/sys is the kernel's sysfs: the build mounts the host's there, and a container gets its own" },
  { tree: '/dev', why: "/dev holds device nodes: the build mounts the host's /dev/pts there, and a container gets its own /dev" },
  { tree: '/run', why: '/run holds runtime state: init and container runtimes mount an empty tmpfs there' },
  { tree: '/var/run', why: "/var/run is a symlink to /run in every rootfs: written from the build host, the file would land in the host's /run" },
  { tree: '/var/lock', why: "/var/lock is a symlink to /run/lock in every rootfs: written from the build host, the file would land in the host's /run/lock" },
];

/** An absolute path in the image that is none of those trees: the format of a file's destination. */
export const FILE_DESTINATION = new RegExp(`^(?!(?:${NO_FILES_UNDER.map(({ tree }) => tree.replace(/\//g, '\\/')).join('|')})(?:/|$))${IMAGE_PATH.source.slice(1)}`);

/** Why a file cannot be written at `path` (an absolute path in the image), or undefined. */
export function runtimePathProblem(path: string): string | undefined {
  const hit = NO_FILES_UNDER.find(({ tree }) => path === tree || path.startsWith(`${tree}/`));
  if (hit === undefined) return undefined;
  return `${describeInput(path)} is ${path === hit.tree ? `${hit.tree} itself` : `under ${hit.tree}`}: ${hit.why}; put the file elsewhere (e.g. under /etc or /usr/local)`;
}

/** Where update-ca-certificates looks for local certificates (only *.crt). */
export const LOCAL_CA_DIR = '/usr/local/share/ca-certificates';

/** A CA certificate's path in the image: its base name, .crt for .pem/.cer/.crt. */
export function caCertificatePath(source: string): string {
  const name = source.slice(source.lastIndexOf('/') + 1).replace(/\.(crt|pem|cer)$/, '');
  return `${LOCAL_CA_DIR}/${name}.crt`;
}
