#!/usr/bin/env python3
"""gen_tensor.py -- independent oracle for the tensor end-to-end cases
(tensor_*, ex_tensor_*) of issue 3.

Writes NAME.gt (when the case owns its program), NAME.args and NAME.out
(and NAME.err for print() output) into tests/e2e/.  numpy is not used: a
tensor here is a small class holding a shape and a row-major list of sympy
expressions in the inputs' elements (one symbol per element), with NumPy's
broadcasting, reductions, matmul, transpose, reshape and basic indexing
written out directly (indexing uses Python's own slice.indices, so x[::-1],
x[-2:] and friends follow Python/NumPy by construction).  Each case repeats
the program's computation on these tensors; derivatives are taken by sympy
(a tensor output is summed first, as the tool does), evaluated exactly for
rational results and far beyond the working precision otherwise, then
rounded and printed by gen_e2e.py's number rules:
  * exact (dyadic) values, and values of one correctly rounded operation
    (cr=True), in shortest form;
  * anything else at --digits=30 (or 20), checked to be insensitive to the
    last bits of the working precision.
The training example is replicated with mpmath at 60 digits using
hand-written backpropagation (not sympy, not the tool), printed at
--digits=20.

Run offline:  python3 tests/oracle/gen_tensor.py   (python3-sympy, -mpmath)
Not run by `make check`; its outputs are committed.  Error cases (.err,
.status) are written by hand.
"""

import itertools
import os
import sys
from fractions import Fraction as Q

import mpmath
import sympy as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_e2e as G  # noqa: E402  (number formatting and rounding)

E2E = G.E2E
EX = "../../examples/tensors"
R = sp.Rational


# --------------------------------------------------------------------------
# Tensors of sympy expressions

class T:
    def __init__(self, shape, data):
        self.shape = tuple(shape)
        self.data = list(data)
        n = 1
        for d in self.shape:
            n *= d
        assert len(self.data) == n, (shape, len(data))

    @staticmethod
    def of(nested):
        """From nested lists of numbers (str, int, Fraction) or sympy."""
        shape = []
        x = nested
        while isinstance(x, list):
            shape.append(len(x))
            x = x[0] if x else None

        def flat(y):
            if isinstance(y, list):
                assert len(y) == shape[len(shape) - depth(y)], "ragged"
                return [z for e in y for z in flat(e)]
            return [sp.nsimplify(y) if isinstance(y, str) else sp.sympify(y)]

        def depth(y):
            return 1 + depth(y[0]) if isinstance(y, list) else 0
        return T(shape, flat(nested))

    @staticmethod
    def symbols(name, shape):
        idx = list(itertools.product(*[range(d) for d in shape]))
        return T(shape, [sp.Symbol("%s_%s" % (name, "_".join(map(str, i))),
                                   real=True) for i in idx])

    # -- broadcasting ----------------------------------------------------
    def bshape(self, other):
        a, b = self.shape, other.shape
        r = max(len(a), len(b))
        a = (1,) * (r - len(a)) + a
        b = (1,) * (r - len(b)) + b
        out = []
        for x, y in zip(a, b):
            assert x == y or x == 1 or y == 1, "shapes do not broadcast"
            out.append(y if x == 1 else x)
        return tuple(out)

    def at(self, idx):
        """Element at a multi-index of a broadcast shape (right-aligned)."""
        idx = idx[len(idx) - len(self.shape):]
        k = 0
        for i, d in zip(idx, self.shape):
            k = k * d + (0 if d == 1 else i)
        return self.data[k]

    def zip(self, other, f):
        other = lift(other)
        s = self.bshape(other)
        return T(s, [f(self.at(i), other.at(i))
                     for i in itertools.product(*[range(d) for d in s])])

    def map(self, f):
        return T(self.shape, [f(x) for x in self.data])

    __add__ = lambda a, b: a.zip(b, lambda x, y: x + y)
    __radd__ = lambda a, b: lift(b).zip(a, lambda x, y: x + y)
    __sub__ = lambda a, b: a.zip(b, lambda x, y: x - y)
    __rsub__ = lambda a, b: lift(b).zip(a, lambda x, y: x - y)
    __mul__ = lambda a, b: a.zip(b, lambda x, y: x * y)
    __rmul__ = lambda a, b: lift(b).zip(a, lambda x, y: x * y)
    __truediv__ = lambda a, b: a.zip(b, lambda x, y: x / y)
    __pow__ = lambda a, n: a.map(lambda x: x ** n)
    __neg__ = lambda a: a.map(lambda x: -x)

    # -- reductions --------------------------------------------------------
    def reduce(self, f, axis=None):
        if axis is None:
            return T((), [f(self.data)])
        if axis < 0:
            axis += len(self.shape)
        rest = self.shape[:axis] + self.shape[axis + 1:]
        out = []
        for o in itertools.product(*[range(d) for d in rest]):
            lane = [self.get(o[:axis] + (j,) + o[axis:])
                    for j in range(self.shape[axis])]
            out.append(f(lane))
        return T(rest, out)

    def get(self, idx):
        k = 0
        for i, d in zip(idx, self.shape):
            k = k * d + i
        return self.data[k]

    def sum(self, axis=None):
        return self.reduce(lambda l: sp.Add(*l), axis)

    def mean(self, axis=None):
        return self.reduce(lambda l: sp.Add(*l) / len(l), axis)

    def prod(self, axis=None):
        return self.reduce(lambda l: sp.Mul(*l), axis)

    # max/min of numbers only (their derivatives are conventions)
    def rmax(self, axis=None):
        return self.reduce(lambda l: max(l), axis)

    def rmin(self, axis=None):
        return self.reduce(lambda l: min(l), axis)

    # -- linear algebra and layout -----------------------------------------
    def __matmul__(self, b):
        a = self
        am = a if len(a.shape) == 2 else T((1,) + a.shape, a.data)
        bm = b if len(b.shape) == 2 else T(b.shape + (1,), b.data)
        m, k = am.shape
        k2, n = bm.shape
        assert k == k2, "matmul mismatch"
        data = [sp.Add(*[am.get((i, l)) * bm.get((l, j)) for l in range(k)])
                for i in range(m) for j in range(n)]
        shape = (() if len(a.shape) == 1 else (m,)) + \
            (() if len(b.shape) == 1 else (n,))
        return T(shape, data)

    def transpose(self):
        s = self.shape[::-1]
        return T(s, [self.get(i[::-1]) for i in
                     itertools.product(*[range(d) for d in s])])

    def reshape(self, *dims):
        dims = list(dims)
        if -1 in dims:
            rest = 1
            for d in dims:
                if d != -1:
                    rest *= d
            dims[dims.index(-1)] = len(self.data) // rest
        return T(dims, self.data)

    def __getitem__(self, items):
        """NumPy basic indexing: ints drop their axis, slices keep it."""
        if not isinstance(items, tuple):
            items = (items,)
        axes = []
        for d, n in enumerate(self.shape):
            it = items[d] if d < len(items) else slice(None)
            if isinstance(it, int):
                j = it + n if it < 0 else it
                assert 0 <= j < n, "index out of range"
                axes.append(([j], False))
            else:
                axes.append((list(range(*it.indices(n))), True))
        shape = [len(ix) for ix, keep in axes if keep]
        data = [self.get(i) for i in
                itertools.product(*[ix for ix, _ in axes])]
        return T(shape, data)

    def setitem(self, items, value):
        """A new tensor with self[items] = value (value broadcast)."""
        if not isinstance(items, tuple):
            items = (items,)
        axes = []
        for d, n in enumerate(self.shape):
            it = items[d] if d < len(items) else slice(None)
            if isinstance(it, int):
                axes.append([it + n if it < 0 else it])
            else:
                axes.append(list(range(*it.indices(n))))
        view = self[items]
        value = (lift(value) + T(view.shape, [0] * len(view.data)))
        data = list(self.data)
        for k, idx in enumerate(itertools.product(*axes)):
            pos = 0
            for i, d in zip(idx, self.shape):
                pos = pos * d + i
            data[pos] = value.data[k]
        return T(self.shape, data)


def lift(x):
    return x if isinstance(x, T) else T((), [sp.sympify(x)])


def stack(items):
    items = [lift(x) for x in items]
    assert all(x.shape == items[0].shape for x in items), "ragged"
    return T((len(items),) + items[0].shape,
             [d for x in items for d in x.data])


def emap(f, x):
    return lift(x).map(f)


def zeros(*shape):
    n = 1
    for d in shape:
        n *= d
    return T(shape, [sp.Integer(0)] * n)


def grad(y, x):
    """d sum(y) / d x, with x's shape."""
    s = sp.Add(*lift(y).data)
    return T(x.shape, [sp.diff(s, v) for v in x.data])


def jacobian(y, x):
    y = lift(y)
    return T(y.shape + x.shape, [sp.diff(e, v) for e in y.data
                                 for v in x.data])


# --------------------------------------------------------------------------
# Formatting

def number_text(e, prec, digits, cr):
    e = sp.nsimplify(e) if isinstance(e, float) else sp.sympify(e)
    if digits is not None and e == 0:
        return "0." + "0" * (digits - 1) if digits > 1 else "0"
    if e.is_Rational:
        q = Q(int(e.p), int(e.q))
        r = G.round_bits(q, prec)
        if digits is None:
            assert r == q or cr, "inexact %s in shortest form" % e
        return G.fmt(r, prec, digits)
    r, _ = G.correctly_rounded(e, prec)
    if digits is None:
        assert cr, "inexact %s in shortest form" % e
    else:
        G.robust_digits(r, prec, digits)
    return G.fmt(r, prec, digits)


def tensor_text(t, prec, digits, cr, js=False):
    t = lift(t)
    items = [number_text(e, prec, digits, cr) for e in t.data]
    if js:
        items = ['"%s"' % s if s in ("nan", "inf", "-inf") else s
                 for s in items]

    def nest(shape, flat):
        if not shape:
            return flat[0]
        n = len(flat) // shape[0] if shape[0] else 0
        return "[" + ", ".join(nest(shape[1:], flat[k * n:(k + 1) * n])
                               for k in range(shape[0])) + "]"
    return nest(list(t.shape), items)


# --------------------------------------------------------------------------
# Cases

CASES = []


def case(name, prog=None, args=None, inputs=(), fn=None, wrt=None, of=None,
         prec=128, digits=None, json=False, cr=False, derivs=None, err=None):
    """inputs: [(name, nested value)] in program order; fn(**tensors) ->
    [(output name, T)] in output order; derivs: {(of, wrt): T or nested}
    overriding sympy (conventions at kinks)."""
    CASES.append(dict(name=name, prog=prog, args=args, inputs=list(inputs),
                      fn=fn, wrt=wrt, of=of, prec=prec, digits=digits,
                      json=json, cr=cr, derivs=derivs or {}, err=err))


def expected(c):
    syms, subs = {}, {}
    for n, v in c["inputs"]:
        val = T.of(v)
        s = T.symbols(n, val.shape)
        syms[n] = s
        subs.update(zip(s.data, val.data))
    outs = c["fn"](**syms)
    p, dg, cr = c["prec"], c["digits"], c["cr"]
    at = lambda t: lift(t).map(lambda e: sp.sympify(e).subs(subs))
    wrt = c["wrt"] if c["wrt"] is not None else [n for n, _ in c["inputs"]]
    of = c["of"] if c["of"] is not None else [n for n, _ in outs]
    od = dict(outs)
    values = [(n, tensor_text(at(t), p, dg, cr, c["json"])) for n, t in outs]
    ders = []
    for o in of:
        for w in wrt:
            if (o, w) in c["derivs"]:
                d = lift(c["derivs"][(o, w)])
                if not isinstance(c["derivs"][(o, w)], T):
                    d = T.of(c["derivs"][(o, w)])
                conn = True
            else:
                d = grad(od[o], syms[w])
                fs = set().union(*[sp.sympify(e).free_symbols
                                   for e in lift(od[o]).data])
                conn = bool(fs & set(syms[w].data))
            ders.append((o, w, tensor_text(at(d), p, dg, cr, c["json"]),
                         conn))
    if not c["json"]:
        lines = ["%s = %s" % v for v in values]
        lines += ["d%s/d%s = %s" % (o, w, t) for o, w, t, _ in ders]
        return "".join(l + "\n" for l in lines)
    s = '{"precision": %d,\n' % p
    s += ' "values": {%s},\n' % ", ".join('"%s": %s' % v for v in values)
    items = ['{"of": "%s", "wrt": ["%s"], "value": %s%s}'
             % (o, w, t, "" if conn else ', "connected": false')
             for o, w, t, conn in ders]
    s += ' "derivatives": [\n   ' + ",\n   ".join(items) + "]" if items \
        else ' "derivatives": []'
    return s + "}\n"


M23 = [[1, -2, "0.5"], [3, "1.5", "-0.75"]]
V3 = ["0.5", "-1.25", 2]

# ---- broadcasting: (2,3)+(3,), (3,1)*(1,3), scalar with tensor --------------
case("tensor_broadcast", prog="""\
input m = [[1, -2, 0.5], [3, 1.5, -0.75]]
input v = [0.5, -1.25, 2]
input s = 1.5
a = m + v
b = reshape(v, 3, 1) * reshape(v, 1, 3)
c = s * m - v
y = sum(a * b[0]) + sum(c^2)
output a, b, c, y
""", inputs=[("m", M23), ("v", V3), ("s", "1.5")],
     fn=lambda m, v, s: (lambda a, b, c: [
         ("a", a), ("b", b), ("c", c),
         ("y", (a * b[0]).sum() + (c ** 2).sum())])(
         m + v, v.reshape(3, 1) * v.reshape(1, 3), s * m - v))

# ---- reductions, matmul, transpose, dot --------------------------------------
case("tensor_reduce", prog="""\
input m = [[1, -2, 0.5], [3, 1.5, -0.75]]
a = sum(m, 0)
b = mean(m, -1)
c = prod(m, 1)
d = reduce_max(m, 0)
f = reduce_min(m)
g = transpose(m) @ m
h = dot(m[0], m[1])
output a, b, c, d, f, g, h
""",
     inputs=[("m", M23)], cr=True,
     fn=lambda m: [("a", m.sum(0)), ("b", m.mean(-1)), ("c", m.prod(1)),
                   ("d", T((3,), [m.data[3], m.data[4], m.data[2]])),
                   ("f", T((), [m.data[1]])),
                   ("g", m.transpose() @ m), ("h", m[0] @ m[1])])

# ---- indexing and slicing as NumPy --------------------------------------------
X5 = [10, 20, 30, 40, 50]
case("tensor_index_slices", prog="""\
input x = [10, 20, 30, 40, 50]
m = [[1, 2, 3], [4, 5, 6]]
a = x[-1]
b = x[1:3]
c = x[::2]
d = x[::-1]
f = m[:, 1]
g = m[1, :]
h = x[-2:]
k = x[3:0:-2]
p = x[-4:-1:2]
y = sum(b * [1, 2]) + sum(g * x[:3]) + a * f[0]
output a, b, c, d, f, g, h, k, p, y
""", inputs=[("x", X5)],
     fn=lambda x: (lambda m: [
         ("a", x[-1]), ("b", x[1:3]), ("c", x[::2]), ("d", x[::-1]),
         ("f", m[:, 1]), ("g", m[1, :]), ("h", x[-2:]), ("k", x[3:0:-2]),
         ("p", x[-4:-1:2]),
         ("y", (x[1:3] * T.of([1, 2])).sum() + (m[1, :] * x[:3]).sum()
          + x[-1] * m[:, 1][0])])(T.of([[1, 2, 3], [4, 5, 6]])))
case("tensor_at_vector_index", args="--at 'x=[1, 2, 3, 4, 5]' --of y,d "
     "tensor_index_slices.gt", inputs=[("x", [1, 2, 3, 4, 5])],
     fn=CASES[-1]["fn"], of=["y", "d"])


# ---- element assignment in loops -------------------------------------------------
def assign_loop(x, u):
    v = zeros(4)
    for i in range(4):
        v = v.setitem(i, (i + 1) * x ** (i + 1))
    m = zeros(3, 3)
    for i in range(3):
        for j in range(3):
            m = m.setitem((i, j), m[i, j] + u[i] * u[j])
            m = m.setitem((i, j), m[i, j] + (i - j))
    return [("v", v), ("m", m), ("s", v.sum() + (m * m).sum())]


case("tensor_assign_loop", prog="""\
input x = 0.5
v = zeros(4)
for i in range(4) {
  v[i] = (i + 1) * x^(i + 1)
}
input u = [1, 2, 3]
m = zeros(3, 3)
for i in range(3) {
  for j in range(3) {
    m[i, j] += u[i] * u[j]
    m[i, j] += i - j
  }
}
s = sum(v) + sum(m * m)
output v, m, s
""", inputs=[("x", "0.5"), ("u", [1, 2, 3])], fn=assign_loop)


def slice_assign(x):
    f = x.setitem(slice(None, None, -2), 10 * x[:2])
    g = zeros(2, 3).setitem((slice(None), 1), x[1:])
    return [("f", f), ("g", g), ("y", (f * T.of([1, 2, 3])).sum()
                                 + (g * g).sum())]


case("tensor_assign_slice", prog="""\
input x = [1, 2, 3]
f = x
f[::-2] = 10 * x[:2]
g = zeros(2, 3)
g[:, 1] = x[1:]
y = sum(f * [1, 2, 3]) + sum(g * g)
output f, g, y
""", inputs=[("x", [1, 2, 3])], fn=slice_assign)

# ---- jacobian and hessian -----------------------------------------------------------
case("tensor_jacobian", prog="""\
input x = [1, 2, 0.5]
y = [x[0] * x[1], x[1]^2 * x[2], x[0] + 3 * x[2]]
j = jacobian(y, x)
k = jacobian(x * x, x)
output j, k
""", inputs=[("x", [1, 2, "0.5"])],
     fn=lambda x: [("j", jacobian(stack([x.data[0] * x.data[1],
                                         x.data[1] ** 2 * x.data[2],
                                         x.data[0] + 3 * x.data[2]]), x)),
                   ("k", jacobian(x * x, x))])
case("tensor_jacobian_tanh", prog="""\
input x = [0.5, -1]
A = [[1, 2], [-0.5, 0.25], [3, -1]]
y = tanh(A @ x)
j = jacobian(y, x)
output y, j
""", args="--digits 30 tensor_jacobian_tanh.gt", digits=30,
     inputs=[("x", ["0.5", -1])],
     fn=lambda x: (lambda y: [("y", y), ("j", jacobian(y, x))])(
         (T.of([[1, 2], ["-0.5", "0.25"], [3, -1]]) @ x).map(sp.tanh)))


def hess_fn(x):
    f = (x ** 3).sum() + x.data[0] * x.data[1] * x.data[2]
    return [("f", f), ("h", jacobian(grad(f, x), x))]


case("tensor_hessian", prog="""\
input x = [1, 2, 3]
f = sum(x^3) + x[0] * x[1] * x[2]
h = hessian(f, x)
output f, h
""", inputs=[("x", [1, 2, 3])], fn=hess_fn)
case("tensor_at_vector", args="--at 'x=[2, -1, 0.5]' tensor_hessian.gt",
     inputs=[("x", [2, -1, "0.5"])], fn=hess_fn)
case("tensor_json", args="-f json tensor_hessian.gt",
     inputs=[("x", [1, 2, 3])], fn=hess_fn, json=True)
case("tensor_json_unconnected", args="-f json --at 'u=[1, 1, 2]' "
     "tensor_assign_loop.gt", inputs=[("x", "0.5"), ("u", [1, 1, 2])],
     fn=assign_loop, json=True)

# ---- the seed's tensor example with --wrt on a tensor and --at -------------------
case("tensor_gradient_tape_at", args="--at 'x=[[1, 2], [3, 4]]' --wrt x "
     "../../examples/tutorial/gradient_tape.gt",
     inputs=[("x", [[1, 2], [3, 4]])],
     fn=lambda x: [("z", x.sum() ** 2)])

# ---- min/max of three at a tie: 1/k each (the kink note is in .err) -------------
case("tensor_max3_tie", prog="""\
input a = 2
input b = 2
input c = 2
m = max(a, b, c)
n = min(a, b + 1, c)
output m, n
""", inputs=[("a", 2), ("b", 2), ("c", 2)], cr=True,
     fn=lambda a, b, c: [("m", a), ("n", a)],
     derivs={("m", "a"): R(1, 3), ("m", "b"): R(1, 3), ("m", "c"): R(1, 3),
             ("n", "a"): R(1, 2), ("n", "b"): 0, ("n", "c"): R(1, 2)},
     err="""\
tensor_max3_tie.gt:4:5: note: the largest value is tied; the derivative is split evenly between the tied elements
    4 | m = max(a, b, c)
      |     ^~~~~~~~~~~~
tensor_max3_tie.gt:5:5: note: the smallest value is tied; the derivative is split evenly between the tied elements
    5 | n = min(a, b + 1, c)
      |     ^~~~~~~~~~~~~~~~
""")

# ---- prod with a zero: the numeric sweep (--wrt) is exact ----------------------------
case("tensor_prod_zero", prog="input x = [2, 0, 3]\ny = prod(x)\n",
     inputs=[("x", [2, 0, 3])], fn=lambda x: [("y", x.prod())])


# ---- examples/tensors ------------------------------------------------------------------
LX = [[1, 2], [2, 1], [-1, "-1.5"], ["0.5", -2], [-2, "0.5"], ["1.5", "1.5"]]
LT = [1, 1, 0, 0, 0, 1]


def logistic(w, b):
    X, t = T.of(LX), T.of(LT)
    p = (X @ w + b).map(lambda z: 1 / (1 + sp.exp(-z)))
    loss = -(t * p.map(sp.log) + (1 - t) * (1 - p).map(sp.log)).mean()
    return [("loss", loss)]


case("ex_tensor_logistic", args=f"--digits 30 {EX}/logistic_regression.gt",
     inputs=[("w", ["0.5", "-0.25"]), ("b", "0.125")], fn=logistic,
     digits=30)
case("ex_tensor_logistic_at", args=f"--digits 30 --wrt w --at 'w=[1, 1]' "
     f"{EX}/logistic_regression.gt",
     inputs=[("w", [1, 1]), ("b", "0.125")], fn=logistic, wrt=["w"],
     digits=30)


def train_two_layer(steps=8, rate=mpmath.mpf("0.5")):
    """The example's gradient descent, by hand-written backpropagation in
    mpmath at 60 digits; returns the losses printed, then the final one."""
    mpmath.mp.dps = 60
    mp = mpmath.mpf
    X = [[0, 0], [0, 1], [1, 0], [1, 1]]
    t = [0, 1, 1, 0]
    W1 = [[mp("0.5"), mp("-0.75"), mp(1)], [mp(-1), mp("0.5"), mp("0.75")]]
    b1 = [mp("0.25"), mp("-0.25"), mp(0)]
    w2 = [mp(1), mp("-0.5"), mp("0.75")]
    b2 = mp(0)
    n = len(X)

    def forward():
        hs, ys = [], []
        for x in X:
            h = [mpmath.tanh(sum(x[i] * W1[i][j] for i in range(2)) + b1[j])
                 for j in range(3)]
            hs.append(h)
            ys.append(sum(h[j] * w2[j] for j in range(3)) + b2)
        loss = sum((ys[k] - t[k]) ** 2 for k in range(n)) / n
        return hs, ys, loss

    losses = []
    for _ in range(steps):
        hs, ys, loss = forward()
        losses.append(loss)
        dy = [2 * (ys[k] - t[k]) / n for k in range(n)]
        gb2 = sum(dy)
        gw2 = [sum(dy[k] * hs[k][j] for k in range(n)) for j in range(3)]
        dz = [[dy[k] * w2[j] * (1 - hs[k][j] ** 2) for j in range(3)]
              for k in range(n)]
        gb1 = [sum(dz[k][j] for k in range(n)) for j in range(3)]
        gW1 = [[sum(X[k][i] * dz[k][j] for k in range(n)) for j in range(3)]
               for i in range(2)]
        W1 = [[W1[i][j] - rate * gW1[i][j] for j in range(3)]
              for i in range(2)]
        b1 = [b1[j] - rate * gb1[j] for j in range(3)]
        w2 = [w2[j] - rate * gw2[j] for j in range(3)]
        b2 = b2 - rate * gb2
    return losses, forward()[2]


def mp_text(x, digits):
    q = G.to_fraction(sp.Float(mpmath.nstr(x, 55), 55))
    r = G.round_bits(q, 128)
    G.robust_digits(r, 128, digits)
    return G.fmt(r, 128, digits)


def two_layer_case():
    losses, final = train_two_layer()
    assert all(a > b for a, b in zip(losses, losses[1:] + [final])), \
        "the loss must go down"
    err = "".join("loss %s\n" % mp_text(l, 20) for l in losses)
    out = "loss = %s\n" % mp_text(final, 20)
    return out, err


# --------------------------------------------------------------------------

def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def main():
    G.self_test()
    names = set()
    for c in CASES:
        n = c["name"]
        assert n not in names, n
        names.add(n)
        base = os.path.join(E2E, n)
        if c["prog"] is not None:
            write(base + ".gt", c["prog"])
        if c["args"] is not None:
            write(base + ".args", c["args"] + "\n")
        if c["err"] is not None:
            write(base + ".err", c["err"])
        write(base + ".out", expected(c))
    out, err = two_layer_case()
    base = os.path.join(E2E, "ex_tensor_two_layer")
    write(base + ".args", f"--digits 20 {EX}/two_layer_net.gt\n")
    write(base + ".out", out)
    write(base + ".err", err)
    print("gen_tensor.py: wrote %d cases into %s" % (len(CASES) + 1,
                                                     os.path.normpath(E2E)))


if __name__ == "__main__":
    sys.exit(main())
