#!/bin/sh
# batch_csv_file.sh -- the range of a projectile and its sensitivities to
# speed and angle, for every launch in a CSV file with a header; awk keeps
# the launches whose range grows with the angle (dR/dtheta > 0).
# GRADTOOL names the binary (default: gradtool on PATH).
set -eu
gradtool=${GRADTOOL:-gradtool}
here=$(dirname "$0")

"$gradtool" --batch --digits 6 "$here/projectile.gt" <"$here/launches.csv" |
  awk -F, 'NR == 1 || $5 > 0'
