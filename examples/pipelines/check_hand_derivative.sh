#!/bin/sh
# check_hand_derivative.sh -- is d/dx sin(x^2) = 2 x cos(x^2)?  And is it
# x cos(x^2)?  gradtool --check answers at 100 random points of [-3, 3]:
# the first claim holds (status 0), the second does not (status 1, with a
# counterexample).  x is an input because --range names it.
# GRADTOOL names the binary; without it, the one built in this source
# tree (cli/gradtool), else gradtool on PATH.
set -u
if [ -n "${GRADTOOL:-}" ]; then
  gradtool=$GRADTOOL
elif [ -x "$(dirname "$0")/../../cli/gradtool" ]; then
  gradtool=$(dirname "$0")/../../cli/gradtool
else
  gradtool=gradtool
fi

for claim in '2*x*cos(x^2)' 'x*cos(x^2)'; do
  "$gradtool" -e 'y = sin(x^2)' --check "x=$claim" --range x=-3:3 --samples 100
  echo "exit status $?"
done
