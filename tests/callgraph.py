#!/usr/bin/env python3
"""callgraph.py -- lib/'s file-level call graph, from the objects' symbols.

Usage: tests/callgraph.py [-v] OBJ...   (e.g. lib/libgtcore_la-*.o)

For every object, `nm` tells which global symbols it defines and which it
uses.  File A calls file B when A uses a function (nm type T) that B
defines.  Uses of data (the op table gt_ops) are listed apart: the
recorder evaluates the op table's rules through pointers, and the
recorded rules call the recorder, so a data edge is not a call.  Prints
the edges, the files that call into interp.c, and every cycle of calls
(strongly connected component of more than one file); exits 1 when there
is a cycle.  -v names the symbols behind each edge.
"""
import os
import re
import subprocess
import sys


def source_name(obj):
    base = os.path.basename(obj)
    base = re.sub(r'^lib[a-z]+_la-', '', base)
    return re.sub(r'\.o$', '.c', base)


def symbols(obj):
    out = subprocess.run(['nm', obj], capture_output=True, text=True,
                         check=True).stdout
    defined, used = {}, set()
    for line in out.splitlines():
        f = line.split()
        if len(f) == 2 and f[0] == 'U':
            used.add(f[1])
        elif len(f) == 3 and f[1] in 'TDRBVW':
            defined[f[2]] = 'func' if f[1] == 'T' else 'data'
    return defined, used


def sccs(nodes, edges):
    """Tarjan's algorithm; components in reverse topological order."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def main(argv):
    verbose = '-v' in argv
    objs = [a for a in argv if a != '-v']
    owner, kind, uses = {}, {}, {}
    for o in objs:
        src = source_name(o)
        d, u = symbols(o)
        for s, k in d.items():
            owner[s] = src
            kind[s] = k
        uses[src] = u
    calls, data = {}, {}
    for src, u in uses.items():
        for s in u:
            dst = owner.get(s)
            if dst is None or dst == src:
                continue
            table = calls if kind[s] == 'func' else data
            table.setdefault(src, {}).setdefault(dst, []).append(s)
    nedges = sum(len(v) for v in calls.values())
    print('files: %d, call edges between files: %d' % (len(uses), nedges))
    for a in sorted(calls):
        for b in sorted(calls[a]):
            syms = ''
            if verbose:
                syms = ' (' + ', '.join(sorted(calls[a][b])) + ')'
            print('  %s -> %s%s' % (a, b, syms))
    for a in sorted(data):
        for b in sorted(data[a]):
            print('  %s uses data of %s (%s)'
                  % (a, b, ', '.join(sorted(data[a][b]))))
    back = sorted(a for a in calls if 'interp.c' in calls[a])
    print('files calling into interp.c: %s' % (', '.join(back) or 'none'))
    cycles = [c for c in sccs(uses.keys(), calls) if len(c) > 1]
    print('call cycles: %d' % len(cycles))
    for c in cycles:
        print('  ' + ' '.join(c))
    return 1 if cycles else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
