#!/bin/sh
# check_hand_derivative.sh -- is d/dx sin(x^2) = 2 x cos(x^2)?  And is it
# x cos(x^2)?  gradtool --check answers at 100 random points of [-3, 3]:
# the first claim holds (status 0), the second does not (status 1, with a
# counterexample).  x is an input because --range names it.
# GRADTOOL names the binary (default: gradtool on PATH).
set -u
gradtool=${GRADTOOL:-gradtool}

for claim in '2*x*cos(x^2)' 'x*cos(x^2)'; do
  "$gradtool" -e 'y = sin(x^2)' --check "x=$claim" --range x=-3:3 --samples 100
  echo "exit status $?"
done
