// The Docker tweaks: small files that make apt and dpkg behave inside a container,
// each with the reason it exists, and the commands that take the seed's four back out.
import type { ImageFile } from './sources.js';
import type { Resolved } from './resolve.js';

export const POLICY_RC_D = '/usr/sbin/policy-rc.d';
export const INITCTL = '/sbin/initctl';
const SPEEDUP = '/etc/dpkg/dpkg.cfg.d/02apt-speedup';
const NO_CACHE = '/etc/apt/apt.conf.d/no-cache';

export function tweakFiles(r: Resolved): ImageFile[] {
  const t = r.settings.tweaks;
  const files: ImageFile[] = [];
  if (t.policyRcD) {
    files.push({
      path: POLICY_RC_D,
      mode: '0755',
      content: '#!/bin/sh\nexit 101\n',
      why: 'invoke-rc.d asks this before starting a service; 101 = not allowed, so installs start no daemons',
    });
  }
  if (t.unsafeIo) {
    files.push({
      path: SPEEDUP,
      mode: '0644',
      content: 'force-unsafe-io\n',
      why: 'dpkg calls sync() after every unpack; a throwaway build does not need it and apt gets much faster',
    });
  }
  if (t.noCache) {
    files.push({
      path: NO_CACHE,
      mode: '0644',
      // The binary caches (pkgcache.bin, srcpkgcache.bin) are tens of MB that apt writes
      // at every update and rebuilds from the lists when it needs them; the official
      // Debian images turn them off the same way, so an image built FROM this one holds
      // only the packages it installs.
      content: 'DPkg::Post-Invoke {"/bin/rm -f /var/cache/apt/archives/*.deb || true";};\nDir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n',
      why: "delete downloaded .debs after every dpkg run and keep no binary package caches, so no layer keeps them",
    });
  }
  if (t.noLanguages) {
    files.push({
      path: '/etc/apt/apt.conf.d/docker-no-languages',
      mode: '0644',
      content: 'Acquire::Languages "none";\n',
      why: 'skip translated package descriptions: smaller lists, faster updates',
    });
  }
  if (t.gzipIndexes) {
    files.push({
      path: '/etc/apt/apt.conf.d/docker-gzip-indexes',
      mode: '0644',
      content: 'Acquire::GzipIndexes "true";\nAcquire::CompressionTypes::Order:: "gz";\n',
      why: 'keep package lists gzipped on disk',
    });
  }
  if (t.autoremoveSuggests) {
    files.push({
      path: '/etc/apt/apt.conf.d/docker-autoremove-suggests',
      mode: '0644',
      content: 'Apt::AutoRemove::SuggestsImportant "false";\n',
      why: 'let autoremove drop packages that are only suggested',
    });
  }
  return files;
}

/**
 * Archived releases and snapshots: their Release files are past Valid-Until and will
 * stay so. `forBuild`: what the build needs; else what the image keeps.
 */
export function validityAptFile(r: Resolved, forBuild: boolean): ImageFile | null {
  if (!(forBuild ? r.noValidUntil.build : r.noValidUntil.image)) return null;
  const content = 'Acquire::Check-Valid-Until "false";\n';
  if (r.archived) {
    return {
      path: '/etc/apt/apt.conf.d/docker-archived',
      mode: '0644',
      content,
      why: 'this release lives in the archive of ended releases, whose Release files have expired',
    };
  }
  return {
    path: '/etc/apt/apt.conf.d/docker-snapshot',
    mode: '0644',
    content,
    why: "a snapshot's Release files are old on purpose: they record the archive at one moment",
  };
}

/** The seed's undo, for images that run services: only the tweaks that were applied. */
export function undoCommands(r: Resolved): string[][] {
  const t = r.settings.tweaks;
  const commands: string[][] = [];
  if (t.policyRcD) commands.push(['rm', '-f', POLICY_RC_D]);
  if (r.divertInitctl) {
    commands.push(['rm', '-f', INITCTL]);
    commands.push(['dpkg-divert', '--local', '--rename', '--remove', INITCTL]);
  }
  if (t.unsafeIo) commands.push(['rm', '-f', SPEEDUP]);
  if (t.noCache) commands.push(['rm', '-f', NO_CACHE]);
  return commands;
}
