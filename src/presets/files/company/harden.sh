#!/bin/sh
# Runs inside the image after the packages: no setuid bits beyond the ones su and
# passwd need, and a login banner that says whose image this is.
set -eu
find / -xdev -perm -4000 -type f ! -path '/usr/bin/su' ! -path '/usr/bin/passwd' -exec chmod u-s {} +
printf 'Example Company base image\n' > /etc/issue.net
