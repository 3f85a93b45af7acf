#!/usr/bin/env python3
"""gen_reach.py -- independent oracle for the end-to-end cases of issue 16's
reach items: --jacobian (jacobian_opt_*), the tensor builders concat, stack,
tile, repeat, append (build_*), for v in x and the conditional expression
(forin_*, cond_*), load() and --at NAME=@file (load_*).

Each program is written twice: once in gradtool's language (the case's
argument) and once here by hand as sympy expressions of the inputs'
elements.  Derivatives are sympy's, evaluated exactly or far beyond the
working precision, rounded once to P bits and printed by the spec's number
rules (gen_e2e.py's helpers).  Values that are not single correctly
rounded operations are printed with --digits=30 after checking that 30
digits do not depend on the last bits.

Run offline: python3 tests/oracle/gen_reach.py.  Its outputs are committed;
error cases (.err/.status) are written by hand.
"""

import itertools
import os
import sys

import sympy as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_e2e import correctly_rounded, robust_digits, fmt  # noqa: E402

E2E = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e")
P = 128


def num(expr, digits):
    """expr (a sympy number) rounded once to P bits, printed."""
    expr = sp.nsimplify(expr) if getattr(expr, "is_Rational", False) else expr
    expr = sp.sympify(expr)
    if expr == 0:
        return "0"
    r, exact = correctly_rounded(expr, P)
    if digits is None:
        assert exact, expr
    elif not exact:
        robust_digits(r, P, digits)
    return fmt(r, P, digits)


def shape_of(t):
    s = []
    while isinstance(t, list):
        s.append(len(t))
        t = t[0] if t else None
    return s


def flat(t):
    if isinstance(t, list):
        return [e for x in t for e in flat(x)]
    return [t]


def nest(elems, shape):
    if not shape:
        return elems[0]
    n = len(elems) // shape[0] if shape[0] else 0
    return [nest(elems[i * n:(i + 1) * n], shape[1:]) for i in range(shape[0])]


def text(t, digits, subs):
    """A value as the tool prints it: a number, or nested lists."""
    if isinstance(t, list):
        return "[" + ", ".join(text(x, digits, subs) for x in t) + "]"
    return num(sp.sympify(t).subs(subs), digits)


def index_labels(name, shape):
    if not shape:
        return [name]
    return [name + "".join("[%d]" % i for i in ix)
            for ix in itertools.product(*[range(d) for d in shape])]


class Case:
    """inputs: [(name, value)], a value a number or nested list of numbers;
    outputs: [(name, sympy expression or nested list of them)] in the
    inputs' element symbols (sym(name) for a number, syms(name) nested).
    """

    def __init__(self, inputs, outputs):
        self.inputs = inputs
        self.outputs = outputs
        self.subs = {}
        for n, v in inputs:
            for s, e in zip(flat(sym_tree(n, v)), flat(v)):
                self.subs[s] = sp.nsimplify(e)

    def deriv(self, out, wrt, whole):
        """d out / d wrt[0] ... wrt[k-1]: the output's shape (whole) or
        its sum first, then each name's shape."""
        oexpr = dict(self.outputs)[out]
        vals = dict(self.inputs)
        oel = flat(oexpr)
        if not whole:
            oel = [sum(oel)]
        res = [sp.sympify(e) for e in oel]
        shape = shape_of(oexpr) if whole else []
        for w in wrt:
            ws = flat(sym_tree(w, vals[w]))
            res = [sp.diff(e, s) for e in res for s in ws]
            shape = shape + shape_of(vals[w])
        return nest(res, shape)


def sym_tree(name, v):
    if isinstance(v, list):
        sh = shape_of(v)
        syms = [sp.Symbol("%s_%s" % (name, "_".join(map(str, ix))), real=True)
                for ix in itertools.product(*[range(d) for d in sh])]
        return nest(syms, sh)
    return sp.Symbol(name, real=True)


def dlabel(out, wrt):
    k = len(wrt)
    s = "d%s%s/" % (k if k > 1 else "", out)
    i = 0
    while i < k:
        j = i
        while j < k and wrt[j] == wrt[i]:
            j += 1
        s += "d%s%s" % (wrt[i], j - i if j - i > 1 else "")
        i = j
    return s


def partials(names, order):
    """each distinct order-tuple of names once, nondecreasing in index"""
    return [list(t) for t in
            itertools.combinations_with_replacement(names, order)]


def write(name, data):
    with open(os.path.join(E2E, name), "w") as f:
        f.write(data)


def deriv_case(name, args, c, wrt, order=1, whole=True, digits=None,
               fmt_name="text", stdin=None):
    """A run printing c's outputs and their derivatives (order K, every
    distinct partial of the names wrt) in one format."""
    ders = [(o, w, c.deriv(o, w, whole)) for o, _ in c.outputs
            for w in partials(wrt, order)]
    if fmt_name == "text":
        body = "".join("%s = %s\n" % (o, text(e, digits, c.subs))
                       for o, e in c.outputs)
        body += "".join("%s = %s\n" % (dlabel(o, w), text(v, digits, c.subs))
                        for o, w, v in ders)
    elif fmt_name == "json":
        body = '{"precision": %d,\n "values": {%s},\n "derivatives": [' % (
            P, ", ".join('"%s": %s' % (o, text(e, digits, c.subs))
                         for o, e in c.outputs))
        body += ",".join('\n   {"of": "%s", "wrt": [%s], "value": %s}'
                         % (o, ", ".join('"%s"' % x for x in w),
                            text(v, digits, c.subs)) for o, w, v in ders)
        body += "]}\n"
    else:
        sep = "," if fmt_name == "csv" else "\t"
        head, row = [], []
        for n, v in c.inputs + c.outputs:
            head += index_labels(n, shape_of(v))
            row += [text(e, digits, c.subs) for e in flat(v)]
        for o, w, v in ders:
            head += index_labels(dlabel(o, w), shape_of(v))
            row += [text(e, digits, c.subs) for e in flat(v)]
        body = sep.join(head) + "\n" + sep.join(row) + "\n"
    write(name + ".args", args + "\n")
    write(name + ".out", body)
    if stdin is not None:
        write(name + ".stdin", stdin)


def jacobian_cases():
    D = 30
    s = sp.Symbol
    x0, x1, x2, a = (s("x_0", real=True), s("x_1", real=True),
                     s("x_2", real=True), s("a", real=True))
    prog = ("input x = [1, 2, 3]; input a = 2; "
            "y = [x[0] * x[1], sin(x[2]), a * x[0]^2]; s = sum(y); "
            "output y, s")
    ys = [x0 * x1, sp.sin(x2), a * x0**2]
    c = Case([("x", [1, 2, 3]), ("a", 2)], [("y", ys), ("s", sum(ys))])
    base = "-e '%s' --jacobian --digits=%d" % (prog, D)
    deriv_case("jacobian_opt_text", base, c, ["x", "a"], digits=D)
    deriv_case("jacobian_opt_json", base + " -f json", c, ["x", "a"],
               digits=D, fmt_name="json")
    deriv_case("jacobian_opt_csv", base + " --wrt x -f csv", c, ["x"],
               digits=D, fmt_name="csv")
    deriv_case("jacobian_opt_tsv", base + " --wrt a -f tsv", c, ["a"],
               digits=D, fmt_name="tsv")
    deriv_case("jacobian_opt_order2", base + " --order 2 --wrt x,a", c,
               ["x", "a"], order=2, digits=D)
    # without --jacobian the seed's meaning: the gradient of the sum
    deriv_case("jacobian_opt_without", "-e '%s' --digits=%d" % (prog, D), c,
               ["x", "a"], whole=False, digits=D)
    # a matrix times a vector: the Jacobian is the matrix itself
    A = [[1, 2, 3], [4, 5, 6]]
    xs = [x0, x1, x2]
    c2 = Case([("x", [1, -1, 2])],
              [("y", [sum(A[i][j] * xs[j] for j in range(3))
                      for i in range(2)])])
    deriv_case("jacobian_opt_matvec",
               "-e 'input x = [1, -1, 2]; y = [[1, 2, 3], [4, 5, 6]] @ x' "
               "--jacobian", c2, ["x"])
    # a matrix output of a matrix input: rank 4
    m = sym_tree("m", [[1, 2], [3, 4]])
    c3 = Case([("m", [[1, 2], [3, 4]])],
              [("y", [[m[j][i] * m[i][j] for j in range(2)]
                      for i in range(2)])])
    deriv_case("jacobian_opt_rank4",
               "-e 'input m = [[1, 2], [3, 4]]; y = transpose(m) * m' "
               "--jacobian", c3, ["m"])
    # --batch: one row per point
    c4a = Case([("x", [1, 2, 3]), ("a", 2)], [("y", ys), ("s", sum(ys))])
    c4b = Case([("x", [1, 2, 3]), ("a", 3)], [("y", ys), ("s", sum(ys))])
    r1 = []
    for cc, fname in ((c4a, "a"), (c4b, "b")):
        deriv_case("_tmp_" + fname, "", cc, ["a"], digits=D, fmt_name="csv")
        r1.append(open(os.path.join(E2E, "_tmp_" + fname + ".out")).read())
        os.remove(os.path.join(E2E, "_tmp_" + fname + ".out"))
        os.remove(os.path.join(E2E, "_tmp_" + fname + ".args"))
    lines = r1[0].splitlines()
    # the header row of the batch names only the batch's columns: the
    # inputs x (default) and a (from stdin) are both listed by the tool
    write("jacobian_opt_batch.args",
          base + " --wrt a --batch -f csv\n")
    write("jacobian_opt_batch.stdin", "a\n2\n3\n")
    write("jacobian_opt_batch.out", lines[0] + "\n" + lines[1] + "\n"
          + r1[1].splitlines()[1] + "\n")


def build_cases():
    """concat, stack, tile, repeat, append: each output written out by
    hand, element by element, as NumPy defines the builder; derivatives
    and Jacobians by sympy."""
    x = sym_tree("x", [1, 2])
    x0, x1 = x
    s = sp.Symbol("s", real=True)
    X = [("x", [1, 2])]
    XS = X + [("s", 3)]
    # concat of vectors, and along both axes of matrices
    deriv_case("build_concat",
               "-e 'input x = [1, 2]; input s = 3; "
               "y = concat(x^2, [s, s*x[0]], x)' --jacobian",
               Case(XS, [("y", [x0**2, x1**2, s, s * x0, x0, x1])]),
               ["x", "s"])
    m = sym_tree("m", [[1, 2], [3, 4]])
    M = [("m", [[1, 2], [3, 4]])]
    deriv_case("build_concat_axis",
               "-e 'input m = [[1, 2], [3, 4]]; "
               "a = concat(m, m^2, axis=0); b = concat(m, 2*m, axis=-1); "
               "output a, b' --jacobian",
               Case(M, [("a", [m[0], m[1], [e**2 for e in m[0]],
                               [e**2 for e in m[1]]]),
                        ("b", [m[0] + [2 * e for e in m[0]],
                               m[1] + [2 * e for e in m[1]]])]),
               ["m"])
    # stack along axes 0, 1 and -1
    deriv_case("build_stack",
               "-e 'input x = [1, 2]; a = stack(x, x^3); "
               "b = stack(x, x^3, axis=1); c = stack(x[0], x[1]*x[0]); "
               "output a, b, c' --jacobian",
               Case(X, [("a", [[x0, x1], [x0**3, x1**3]]),
                        ("b", [[x0, x0**3], [x1, x1**3]]),
                        ("c", [x0, x1 * x0])]), ["x"])
    deriv_case("build_stack_matrix",
               "-e 'input m = [[1, 2], [3, 4]]; "
               "y = stack(m, -m, axis=-1)' --jacobian",
               Case(M, [("y", [[[m[i][j], -m[i][j]] for j in range(2)]
                               for i in range(2)])]), ["m"])
    # tile: along the last axis, with a leading new axis, a matrix
    deriv_case("build_tile",
               "-e 'input x = [1, 2]; a = tile(x^2, 3); "
               "b = tile(x, 2, 2); c = tile([[1], [2]] * x, [1, 2]); "
               "output a, b, c' --jacobian",
               Case(X, [("a", [x0**2, x1**2] * 3),
                        ("b", [[x0, x1, x0, x1]] * 2),
                        ("c", [[x0, x1, x0, x1], [2 * x0, 2 * x1,
                                                  2 * x0, 2 * x1]])]),
               ["x"])
    # repeat: flattened, along an axis given both ways
    deriv_case("build_repeat",
               "-e 'input m = [[1, 2], [3, 4]]; a = repeat(m, 2); "
               "b = repeat(m^2, 2, axis=0); c = repeat(m, 3, 1); "
               "output a, b, c' --jacobian",
               Case(M, [("a", [e for row in m for e in row for _ in (0, 1)]),
                        ("b", [[e**2 for e in m[0]]] * 2
                         + [[e**2 for e in m[1]]] * 2),
                        ("c", [[e for e in row for _ in (0, 1, 2)]
                               for row in m])]), ["m"])
    deriv_case("build_append",
               "-e 'input x = [1, 2]; input s = 3; a = append(x, s^2); "
               "b = append([[s]], [x], axis=1); c = append(s, x); "
               "output a, b, c' --jacobian",
               Case(XS, [("a", [x0, x1, s**2]), ("b", [[s, x0, x1]]),
                         ("c", [s, x0, x1])]), ["x", "s"])
    # second derivatives through a repeat: the copies' adjoints add up
    y = sum(a * b for a, b in zip([x0, x0, x0, x1, x1, x1],
                                  [x0, x1, x0, x1, x0, x1]))
    deriv_case("build_hessian",
               "-e 'input x = [1, 2]; y = sum(repeat(x, 3) * tile(x, 3))' "
               "--order 2", Case(X, [("y", y)]), ["x"], order=2,
               whole=False)
    # the keyword on a reduction is its positional axis
    deriv_case("build_sum_axis_kw",
               "-e 'input m = [[1, 2], [3, 4]]; a = sum(m^2, axis=0); "
               "b = mean(m, axis=-1); output a, b' --jacobian",
               Case(M, [("a", [m[0][j]**2 + m[1][j]**2 for j in range(2)]),
                        ("b", [sp.Rational(1, 2) * (row[0] + row[1])
                               for row in m])]), ["m"])


def control_cases():
    """for v in x and a if c else b: the loop unrolled and the branch
    chosen by hand at the case's point, then sympy."""
    x = sym_tree("x", [1, 2, 3])
    X = [("x", [1, 2, 3])]
    deriv_case("forin_vector",
               "-e 'input x = [1, 2, 3]; s = 0; for v in x { s += v^2 }'",
               Case(X, [("s", sum(e**2 for e in x))]), ["x"])
    m = sym_tree("m", [[1, 2], [3, 4]])
    M = [("m", [[1, 2], [3, 4]])]
    deriv_case("forin_rows",
               "-e 'input m = [[1, 2], [3, 4]]; s = 0; "
               "for row in m { s += row[0] * sin(row[1]) }' --digits=30",
               Case(M, [("s", sum(r[0] * sp.sin(r[1]) for r in m))]),
               ["m"], digits=30)
    deriv_case("forin_function",
               "-e 'def f(v) { p = 1; for e in v { p = p * e }; return p }; "
               "input x = [1, 2, 3]; y = f(x^2)' --order 2",
               Case(X, [("y", (x[0] * x[1] * x[2])**2)]), ["x"], order=2,
               whole=False)
    deriv_case("forin_last",
               "-e 'input x = [1, 2, 3]; for v in x { }; y = v * 2'",
               Case(X, [("y", 2 * x[2])]), ["x"])
    deriv_case("forin_break",
               "-e 'input x = [1, 2, 3]; s = 0; "
               "for v in x { if v > 1.5 { break }; s += v }; y = s + v'",
               Case(X, [("y", x[0] + x[1])]), ["x"])
    xs = sp.Symbol("x", real=True)
    for name, x0, f in (("cond_then", 2, xs**2), ("cond_else", -2, -xs**3)):
        deriv_case(name, "-e 'input x = %d; y = x^2 if x > 0 else -x^3' "
                   "--order 2 --all-orders" % x0,
                   Case([("x", x0)], [("y", f)]), ["x"], order=1)
        # --all-orders prints order 1 then 2: append the second by hand
        with open(os.path.join(E2E, name + ".out"), "a") as fo:
            fo.write("d2y/dx2 = %s\n" % num(sp.diff(f, xs, 2).subs(xs, x0),
                                             None))
    deriv_case("cond_lazy",
               "-e 'input x = 0; y = 1 if x == 0 else sin(x)/x'",
               Case([("x", 0)], [("y", sp.Integer(1))]), ["x"])
    deriv_case("cond_chain",
               "-e 'input x = 3; y = 1 if x < 0 else x^2 if x < 2 else "
               "x^3 + 1 if x < 5 or x > 9 else 0'",
               Case([("x", 3)], [("y", xs**3 + 1)]), ["x"])
    deriv_case("cond_recursion",
               "-e 'def p(x, n) { return 1 if n == 0 else x * p(x, n - 1) }; "
               "input x = 3; y = p(x, 4)'",
               Case([("x", 3)], [("y", xs**4)]), ["x"])
    deriv_case("cond_in_grad",
               "-e 'input x = 2; g = grad(x^3 if x > 1 else x, x); "
               "output g'",
               Case([("x", 2)], [("g", 3 * xs**2)]), ["x"])


def read_back(t):
    """a table's numbers, each one correctly rounded reading (so shortest
    form prints the decimal written in the file)"""
    if isinstance(t, list):
        return "[" + ", ".join(read_back(x) for x in t) + "]"
    return fmt(correctly_rounded(sp.sympify(t), P)[0], P)


def load_cases():
    """load("file") and --at NAME=@file: the generator writes each table
    and reads it back here by hand (decimal text to exact rationals), so
    the expected tensor is the table's numbers rounded once."""
    Q = sp.Rational
    tables = {
        # header, CRLF ends, a comment, a blank line, blanks around fields
        "load_a.csv": ("x,y\r\n1,2\r\n# a comment\r\n\r\n3 , 4.5\r\n"
                       "-5,6e-1\r\n",
                       [[1, 2], [3, Q(9, 2)], [-5, Q(3, 5)]]),
        "load_col.txt": ("0.1\n0.25\n2\n", [Q(1, 10), Q(1, 4), 2]),
        "load_t.tsv": ("a\tb\tc\n1\t2\t3\n", [[1, 2, 3]]),
        "load_w.txt": ("# blanks\n  1  2.5e1\n\t3 +4\n", [[1, 25], [3, 4]]),
    }
    for fname, (body, _) in tables.items():
        with open(os.path.join(E2E, fname), "w", newline="") as f:
            f.write(body)
    for case, fname in (("load_csv", "load_a.csv"), ("load_column",
                                                      "load_col.txt"),
                        ("load_tsv", "load_t.tsv"),
                        ("load_blanks", "load_w.txt")):
        val = tables[fname][1]
        write(case + ".args", "-e 'y = load(\"%s\")'\n" % fname)
        write(case + ".out", "y = %s\n" % read_back(val))
    # a table as an input, with derivatives: d sum(d^2) / dd = 2 d
    d = sym_tree("d", [1, 2, 3])
    col = tables["load_col.txt"][1]
    c = Case([("d", col)], [("y", sum(e**2 for e in flat(d)))])
    c.subs = {s_: v for s_, v in zip(flat(d), col)}
    deriv_case("load_at", "-e 'input d; y = sum(d^2)' --at d=@load_col.txt "
               "--digits 30", c, ["d"], digits=30)
    # a program in another directory reads the table next to it
    os.makedirs(os.path.join(E2E, "load_dir"), exist_ok=True)
    with open(os.path.join(E2E, "load_dir", "prog.gt"), "w") as f:
        f.write("# load() takes a relative name from this file's folder\n"
                "input w = 2\nt = load(\"table.csv\")\n"
                "y = sum(w * t[:, 1])\n")
    with open(os.path.join(E2E, "load_dir", "table.csv"), "w") as f:
        f.write("t,v\n0,1.5\n1,2.5\n")
    write("load_relative.args", "load_dir/prog.gt\n")
    write("load_relative.out", "y = 8\ndy/dw = 4\n")
    # the working precision: 1/10 at 200 bits prints as 0.1
    write("load_precision.args",
          "-e 'y = load(\"load_col.txt\") * 3' -p 200 --digits 60\n")
    vals = [fmt(correctly_rounded(3 * correctly_rounded(v, 200)[0], 200)[0],
                200, 60) for v in col]
    write("load_precision.out", "y = [%s]\n" % ", ".join(vals))
    # fields longer than the reader's small buffer, at 600 bits: each
    # number is read from its own digits only
    longs = ["0." + "1234567890" * 18 + "7",
             "-" + "9" * 140 + ".5e-150", "3"]
    with open(os.path.join(E2E, "load_longfield.txt"), "w") as f:
        f.write("\n".join(longs) + "\n")
    write("load_long_fields.args",
          "-e 'y = load(\"load_longfield.txt\")' -p 600 --digits 150\n")
    vals = [fmt(correctly_rounded(sp.Rational(v), 600)[0], 600, 150)
            for v in longs]
    write("load_long_fields.out", "y = [%s]\n" % ", ".join(vals))


def mle_cases():
    """examples/mle/gamma_mle.gt: the gamma log-likelihood, its gradient
    and Hessian in closed form (digamma, trigamma) with mpmath, and the
    Newton step solved exactly from them."""
    import mpmath as mp
    mp.mp.dps = 80
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "examples", "mle", "storms.csv")
    rows = [sp.Rational(w.strip()) for w in open(path)
            if w.strip() and w.strip()[0] in "0123456789"]
    xs = [mp.mpf(q.p) / q.q for q in rows]
    n = len(xs)
    slog, sx = mp.fsum(mp.log(v) for v in xs), mp.fsum(xs)

    def ll(k, th):
        return (k - 1) * slog - sx / th - n * (k * mp.log(th) + mp.loggamma(k))

    def grad(k, th):
        return [slog - n * mp.log(th) - n * mp.digamma(k),
                sx / th**2 - n * k / th]

    def hess(k, th):
        return [[-n * mp.psi(1, k), -n / th],
                [-n / th, -2 * sx / th**3 + n * k / th**2]]

    D = 25

    def t(v):
        if isinstance(v, list):
            return "[" + ", ".join(t(e) for e in v) + "]"
        r, exact = correctly_rounded(sp.Float(mp.nstr(v, 70), 70), P)
        robust_digits(r, P, D)
        return fmt(r, P, D)

    for case, k, th in (("ex_mle_gamma", mp.mpf(2), mp.mpf(6) / 5),
                        ("ex_mle_gamma_at", mp.mpf(5) / 2, mp.mpf(1))):
        g, H = grad(k, th), hess(k, th)
        det = H[0][0] * H[1][1] - H[0][1] * H[1][0]
        s1 = [(H[1][1] * g[0] - H[0][1] * g[1]) / det,
              (H[0][0] * g[1] - H[1][0] * g[0]) / det]
        p1 = [k - s1[0], th - s1[1]]
        body = "ll = %s\ng = %s\nH = %s\np1 = %s\nll1 = %s\n" % (
            t(ll(k, th)), t(g), t(H), t(p1), t(ll(*p1)))
        at = " --at \'p=[2.5, 1]\'" if case.endswith("_at") else ""
        write(case + ".args", "../../examples/mle/gamma_mle.gt --of ll%s "
              "--digits %d\n" % (at, D))
        write(case + ".out", body + "dll/dp = %s\n" % t(g))
        if not at:
            # the Hessian differentiated once more (lgamma's third
            # derivative, polygamma(2, k); issue 16 item 1): d sum(H)/dp
            dH = [-n * mp.psi(2, k) + n / th**2,
                  2 * n / th**2 + 6 * sx / th**4 - 2 * n * k / th**3]
            write("ex_mle_gamma_dhessian.args",
                  "../../examples/mle/gamma_mle.gt --of H --digits %d\n" % D)
            write("ex_mle_gamma_dhessian.out", body + "dH/dp = %s\n" % t(dH))
            write("ex_mle_gamma_hessian.args",
                  "../../examples/mle/gamma_mle.gt --of ll --order 2 "
                  "--digits %d\n" % D)
            write("ex_mle_gamma_hessian.out",
                  body + "d2ll/dp2 = %s\n" % t(H))


def floordiv_cases():
    """a // b: Python's floor division of the exact quotient of the two
    P-bit operands (Fractions), then rounded once."""
    from fractions import Fraction as F
    from gen_e2e import round_bits

    def rn(q):
        return round_bits(F(q), P)

    def show(q):
        return fmt(rn(q), P)

    pairs = [("7", "2"), ("-7", "2"), ("7", "-2"), ("7.5", "0.5"),
             ("-0.5", "3")]
    vals = [F(a) // F(b) for a, b in pairs]
    names = "abcde"
    prog = "; ".join("%s = %s // %s" % (n, a, b)
                     for n, (a, b) in zip(names, pairs))
    prog += "; f = -1 // inf; g = 1 // inf; output %s, f, g" % ", ".join(
        names)
    write("fdiv_basic.args", "-e '%s'\n" % prog)
    write("fdiv_basic.out", "".join("%s = %s\n" % (n, show(v))
                                     for n, v in zip(names, vals))
          + "f = -1\ng = 0\n")
    # a quotient just below 3 that rounds to 3: the floor is 2
    b = rn(F(11, 10))
    t = 3 * b
    e = 0
    while F(2) ** e <= t:
        e += 1                      # 2^(e-1) <= t < 2^e
    ulp = F(2) ** (e - P)
    a = rn(t)
    if a >= t:
        a -= ulp
    assert rn(a) == a and rn(a / b) == 3 and a / b < 3
    # the exact decimal expansion of a (a dyadic rational)
    k = 0
    while (a * 10**k).denominator != 1:
        k += 1
    digits = str(a.numerator * 10**k // a.denominator)
    lit = digits[:-k] + "." + digits[-k:] if k else digits
    write("fdiv_exact.args", "-e 'a = %s; y = a // 1.1; z = floor(a / 1.1); "
          "output y, z'\n" % lit)
    write("fdiv_exact.out", "y = %s\nz = 3\n" % show(a // b))
    # 3.3 // 1.1 as the stored numbers give it
    q = rn(F(33, 10)) / rn(F(11, 10))
    write("fdiv_decimal.args", "-e 'y = 3.3 // 1.1'\n")
    write("fdiv_decimal.out", "y = %s\n" % show(q // 1))
    # derivative 0 through the floor; tensors broadcast; //=
    xs = sp.Symbol("x", real=True)
    deriv_case("fdiv_deriv", "-e 'input x = 7.5; y = (x // 2) * x + x // 0.25'",
               Case([("x", sp.Rational(15, 2))], [("y", 3 * xs + 30)]), ["x"])
    write("fdiv_tensor.args", "-e 'y = [7, -8, 9.5] // [[2], [-3]]; "
          "z = 10; z //= 4; output y, z'\n")
    rows = [[show(F(a) // F(b)) for a in ("7", "-8", "9.5")]
            for b in ("2", "-3")]
    write("fdiv_tensor.out", "y = [%s]\nz = 2\n" % ", ".join(
        "[" + ", ".join(r) + "]" for r in rows))


def session_jacobian_case():
    """:jacobian in the interactive session (stdin, no terminal): the
    element-by-element derivative of a tensor expression, next to :grad's
    gradient of its sum, at order 1 and 2."""
    D = 30
    x = [sp.Symbol("x_%d" % i, real=True) for i in range(3)]
    c = Case([("x", [1, 2, 3])], [])
    sub = c.subs

    def jac(es, order=1):
        res, shape = list(es), [len(es)]
        for _ in range(order):
            res = [sp.diff(e, s) for e in res for s in x]
            shape = shape + [3]
        return text(nest(res, shape), D, sub)

    sq = [e**2 for e in x]
    mix = [sp.sin(x[0]) * e for e in x]
    cube = [e**3 for e in x]
    out = "d(x^2)/dx = %s\n" % jac(sq)
    out += "d(x^2)/dx = %s\n" % text([sp.diff(sum(sq), s) for s in x], D,
                                     sub)
    out += "d(sin(x[0])*x)/dx = %s\n" % jac(mix)
    out += "dx/dx = %s\n" % jac(x)
    out += "d2(x^3)/dx2 = %s\n" % jac(cube, 2)
    write("session_jacobian.args", "-i --digits=%d\n" % D)
    write("session_jacobian.stdin",
          "input x = [1, 2, 3]\n:jacobian x^2 wrt x\n:grad x^2 wrt x\n"
          ":j sin(x[0])*x wrt x\n:jac x\n:order 2\n:jacobian x^3 wrt x\n"
          ":jacobian x^2 wrt y\n:jacobian wrt x\n")
    write("session_jacobian.out", out)
    write("session_jacobian.err",
          "gradtool: :jacobian: the session has no input or variable named "
          "'y'\ngradtool: usage: :jacobian EXPR wrt NAME[, NAME]...\n")


def main():
    session_jacobian_case()
    jacobian_cases()
    build_cases()
    control_cases()
    load_cases()
    mle_cases()
    floordiv_cases()
    return 0


if __name__ == "__main__":
    sys.exit(main())
