#!/bin/sh
# Runs on the build host just before packing, with the rootfs as $1: prints the image's
# packages and versions into the build log, so the log records what went in.
set -eu
dpkg-query --admindir="$1/var/lib/dpkg" -W -f '${Package} ${Version}\n' | sort
