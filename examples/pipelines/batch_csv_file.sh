#!/bin/sh
# batch_csv_file.sh -- the range of a projectile and its sensitivities to
# speed and angle, for every launch in a CSV file with a header; awk keeps
# the launches whose range grows with the angle (dR/dtheta > 0).
# GRADTOOL names the binary; without it, the one built in this source
# tree (cli/gradtool), else gradtool on PATH.
set -eu
if [ -n "${GRADTOOL:-}" ]; then
  gradtool=$GRADTOOL
elif [ -x "$(dirname "$0")/../../cli/gradtool" ]; then
  gradtool=$(dirname "$0")/../../cli/gradtool
else
  gradtool=gradtool
fi
here=$(dirname "$0")

"$gradtool" --batch --digits 6 "$here/projectile.gt" <"$here/launches.csv" |
  awk -F, 'NR == 1 || $5 > 0'
