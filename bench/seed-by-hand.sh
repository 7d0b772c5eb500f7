#!/usr/bin/env bash
# The seed's steps done by hand, as its article runs them, for the benchmark to compare
# against: debootstrap, the Docker tweaks, sources, upgrade, Japanese locales, clean, tar.
# Usage: seed-by-hand.sh MIRROR SECURITY_MIRROR SUITE OUTPUT.tar.xz
set -euo pipefail
mirror=$1 security=$2 suite=$3 output=$4
dir=$(mktemp -d /var/tmp/seed-by-hand.XXXXXXXX)
trap 'rm -rf --one-file-system "$dir"' EXIT

debootstrap --variant=minbase --include=iproute2 --arch=amd64 "$suite" "$dir" "$mirror"
cd "$dir"
printf '#!/bin/sh\nexit 101\n' >usr/sbin/policy-rc.d
chmod +x usr/sbin/policy-rc.d
chroot . dpkg-divert --local --rename --add /sbin/initctl
ln -sf /bin/true sbin/initctl
chroot . apt-get clean
echo 'force-unsafe-io' >etc/dpkg/dpkg.cfg.d/02apt-speedup
echo 'DPkg::Post-Invoke {"/bin/rm -f /var/cache/apt/archives/*.deb || true";};' >etc/apt/apt.conf.d/no-cache
cat >etc/apt/sources.list <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
SOURCES
chroot . apt-get update
chroot . env DEBIAN_FRONTEND=noninteractive apt-get -y dist-upgrade
echo 'locales locales/locales_to_be_generated multiselect ja_JP.EUC-JP EUC-JP, ja_JP.UTF-8 UTF-8' | chroot . debconf-set-selections
echo 'locales locales/default_environment_locale select ja_JP.UTF-8' | chroot . debconf-set-selections
chroot . env DEBIAN_FRONTEND=noninteractive apt-get -y install locales
chroot . apt-get clean
tar --numeric-owner -caf "$output" .
