#!/bin/bash
# api.sh -- the library as its users get it: install it (make install
# DESTDIR=...), then compile the example program of gradtool(3) against the
# installed header and library with pkg-config, run it, and compare what it
# prints with examples/api/deriv.out (mpmath, tests/oracle/gen_api.py).
# Also checks that the program in the man page is examples/api/deriv.c.

. "$(cd "$(dirname "$0")" && pwd)/common.sh" api
top_builddir=${top_builddir:-$here/..}

ok=0 bad=0
pass() { echo "PASS: $1"; ok=$((ok + 1)); }
fail() { echo "FAIL: $1"; bad=$((bad + 1)); }

page=$top_srcdir/man/gradtool.3
src=$top_srcdir/examples/api/deriv.c

# the display after the ".\" test: api program" comment, unescaped
awk '/^\.\\" test: api program/ { on = 1; next }
     on && /^\.EX/ { inside = 1; next }
     inside && /^\.EE/ { exit }
     inside { print }' "$page" |
  sed -e 's/\\-/-/g' -e 's/\\e/\\/g' -e 's/^\\&//' >"$tmp/page.c"
if cmp -s "$tmp/page.c" "$src"; then
  pass "gradtool.3: the example is examples/api/deriv.c"
else
  fail "gradtool.3: the example differs from examples/api/deriv.c"
  diff -u "$src" "$tmp/page.c" | sed 's/^/    /'
fi

if ! command -v pkg-config >/dev/null 2>&1; then
  echo "SKIP: no pkg-config"
  echo "$ok passed, $bad failed, 1 skipped"
  [ $bad -eq 0 ] || exit 1
  exit 0
fi

dest=$tmp/dest
if ! ${MAKE:-make} -C "$top_builddir" install DESTDIR="$dest" \
     >"$tmp/install.log" 2>&1; then
  fail "make install DESTDIR=..."
  sed 's/^/    /' "$tmp/install.log" | tail -20
  echo "$ok passed, $bad failed"
  exit 1
fi
pass "make install DESTDIR=..."

pc=$(find "$dest" -name gradtool.pc | head -1)
if [ -z "$pc" ]; then
  fail "gradtool.pc is installed"
else
  pass "gradtool.pc is installed"
  export PKG_CONFIG_PATH=${pc%/*} PKG_CONFIG_SYSROOT_DIR=$dest
  if pkg-config --print-requires gradtool | grep -q '^mpfr'; then
    pass "gradtool.pc requires mpfr (the header includes <mpfr.h>)"
  else
    fail "gradtool.pc requires mpfr"
  fi
  flags=$(pkg-config --cflags --libs gradtool)
  libdir=$(pkg-config --variable=libdir gradtool)
  # the build's own flags: a sanitizer build's library needs them
  # shellcheck disable=SC2086 # lists of flags on purpose
  if ${CC:-cc} ${GT_BUILD_CFLAGS:-} -std=c99 -Wall -Wextra -Werror \
       -o "$tmp/deriv" "$src" $flags ${GT_BUILD_LDFLAGS:-} \
       >"$tmp/cc.log" 2>&1; then
    pass "cc deriv.c \$(pkg-config --cflags --libs gradtool)"
    # pkgconf puts the sysroot before libdir already; pkg-config 0.29 does not
    case $libdir in "$dest"/*) ;; *) libdir=$dest$libdir ;; esac
    if LD_LIBRARY_PATH=$libdir "$tmp/deriv" >"$tmp/out" 2>"$tmp/err" &&
       cmp -s "$tmp/out" "$top_srcdir/examples/api/deriv.out" &&
       [ ! -s "$tmp/err" ]; then
      pass "./deriv prints examples/api/deriv.out"
    else
      fail "./deriv prints examples/api/deriv.out"
      diff -u "$top_srcdir/examples/api/deriv.out" "$tmp/out" | sed 's/^/    /'
      sed 's/^/    /' "$tmp/err"
    fi
  else
    fail "cc deriv.c \$(pkg-config --cflags --libs gradtool)"
    sed 's/^/    /' "$tmp/cc.log"
  fi
fi
echo "$ok passed, $bad failed"
[ $bad -eq 0 ]
