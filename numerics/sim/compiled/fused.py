r"""The loop-free engine's whole step, compiled: the optimizer's recorded rule, the
projection, the loss and the statistics in one loop over a chunk of steps (``[fast]``).

For oblivious linear losses :math:`f_t(\theta) = \langle a_t, \theta\rangle` the
gradients :math:`g_t = a_t` are known before the run (:mod:`..oblivious`).  Here a chunk
of n steps t = t0+1..t0+n runs as one compiled call::

    for t in chunk:                 # one step after the other
        for each run r:
            per-step values         # alpha_t, 1 - beta^t, ...: the rule's scalar part
            for each coordinate i:  # the rule's elementwise part, then
                f_t   += a_{t,i} theta_{t,i}
                theta_{t+1,i} = min(max(p_i', lo_i), hi_i)     # p' the rule's result
            statistics (:func:`.walk.stats_row`)

The update rule is not written here.  It is the optimizer's own ``step_rule``, recorded
operation by operation by :mod:`...optimizers.trace` (the same recording the dense
engine's compiled step uses, :mod:`...optimizers.kernels`), together with the run's
second moment :math:`(\hat v_t, \alpha_t, \beta_{1,t})` as :func:`..stats.moment_at`
defines it; this module only lays the recorded operations out in a loop over steps.  The
per-step part is computed with ``math``'s functions, as :data:`...optimizers.arith.FLOAT`
computes it on Python floats.  A recorded program holds while its guards do (e.g. SGD's
``step == 0``): the loop stops before a step where one fails, and the step is recorded
again there.

Scheduled hyperparameters come in as (n, R) arrays: a declared schedule vectorized
(:func:`..oblivious_steps.hyper_sequence`), any other one step by step.
"""
from __future__ import annotations

import weakref

import numpy as np

from ...optimizers import Resolved, kernels
from ...optimizers.trace import COMPARISONS, Node, TraceError, trace
from .. import stats as _stats
from ..oblivious_steps import hyper_sequence
from .walk import stats_row

_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class Layout:
    """Where a program's values live in the loop: elementwise fields ``fields`` (each an
    (R, d) array argument, in order), per-step state fields ``carried`` (rows of ``C``
    (nc, R)), scheduled hyperparameters ``hypers`` (rows of ``H`` (nh, n, R))."""

    def __init__(self, prog):
        self.fields = [name for name, (kind, _) in prog.state_out if kind == "e"]
        self.carried = [name for name, (kind, _) in prog.state_out if kind != "e"]
        self.hypers = [name for name in prog.leaves if name.startswith("hyper:")]


def source(prog, with_moment: bool) -> tuple[str, Layout]:
    """The Python source of the chunk loop of ``prog`` (see the module docs):
    ``kernel(A, X, F..., H, C, t0, lo, hi, losses, stats, XB, VH, carry, carry_rd, out)
    -> steps done``."""
    lay = Layout(prog)
    body = prog.elementwise_nodes()
    scal = [n for n in prog.nodes if not n.elementwise]
    for name in prog.leaves:
        if name.startswith("state:") and not prog.leaves[name].elementwise \
                and name[6:] not in lay.carried:
            raise TraceError(f"the per-step state field {name[6:]} is not an output")

    def ref(a) -> str:
        if isinstance(a, Node):
            return f"e{a.id}" if a.elementwise else f"s{a.id}"
        if isinstance(a, (bool, np.bool_)):
            return "True" if a else "False"
        return repr(float(a))

    def leaf(name: str) -> str:
        if name == "t":
            return "t"
        if name == "g":
            return "g0"
        if name == "p":
            return "p0"
        if name.startswith("hyper:"):
            return f"H[{lay.hypers.index(name)}, j]"
        field = name[6:]
        if field in lay.fields:
            return f"F{lay.fields.index(field)}[r, i]"
        return f"C[{lay.carried.index(field)}, r]"

    # per-step values: once per step, except those that depend on a per-run field
    per_run = {name for name, (kind, _) in prog.state_out if kind == "r"}
    dep: set[int] = set()
    for n in scal:
        if (n.op == "leaf" and n.args[0][6:] in per_run and n.args[0].startswith("state:")) \
                or any(isinstance(x, Node) and x.id in dep for x in n.args):
            dep.add(n.id)

    def line(n) -> str:
        return f"s{n.id} = {kernels.expression(n, ref, leaf if n.id in dep else leaf0)}"

    def leaf0(name: str) -> str:            # a leaf read once per step (run 0's value)
        return leaf(name).replace(", r]", ", 0]")

    def guard(node, out) -> str:
        test = ref(node) if node.op in COMPARISONS or node.op == "positive" \
            else f"({ref(node)} != 0.0)"
        return f"if bool({test}) != {out}:"

    once = [line(n) for n in scal if n.id not in dep]
    each = [line(n) for n in scal if n.id in dep]
    fargs = "".join(f"F{k}, " for k in range(len(lay.fields)))
    L = [f"def kernel(A, X, {fargs}H, C, t0, lo, hi, losses, stats, XB, VH, carry, "
         f"carry_rd, out):",
         "    n, R, d = A.shape",
         "    for j in range(n):",
         "        row = t0 + j",
         "        t = float(row + 1)",
         "        root_t = math.sqrt(t)"]
    L += [f"        {x}" for x in once]
    for node, out in prog.guards:
        if node.id not in dep:
            L += [f"        {guard(node, out)}", "            return j"]
    if any(node.id in dep for node, _ in prog.guards):   # every run's, before any write
        L.append("        for r in range(R):")
        L += [f"            {x}" for x in each]
        for node, out in prog.guards:
            if node.id in dep:
                L += [f"            {guard(node, out)}", "                return j"]
    L.append("        for r in range(R):")
    L += [f"            {x}" for x in each]
    L += ["            f = 0.0",
          "            for i in range(d):",
          "                g0 = A[j, r, i]",
          "                p0 = X[r, i]",
          "                f += g0 * p0",
          "                if stats:",
          "                    XB[i] = p0"]
    for n in body:
        L.append(f"                e{n.id} = {kernels.expression(n, ref, leaf)}")
    for name, (kind, v) in prog.state_out:
        if kind == "e" and not (isinstance(v, Node) and v.op == "leaf"
                                and v.args[0] == f"state:{name}"):
            L.append(f"                F{lay.fields.index(name)}[r, i] = {ref(v)}")
    L += [f"                x = {ref(prog.p_out)}",
          "                if x < lo[i]:",
          "                    x = lo[i]",
          "                if x > hi[i]:",
          "                    x = hi[i]",
          "                X[r, i] = x"]
    if with_moment:
        L.append(f"                VH[i] = {ref(prog.extra['vhat'])}")
    L.append("            losses[row, r] = f")
    alpha = ref(prog.extra["alpha"]) if with_moment else "1.0"
    beta1 = ref(prog.extra["beta1"]) if with_moment and "beta1" in prog.extra else "0.0"
    has_b1 = "True" if with_moment and "beta1" in prog.extra else "False"
    L += ["            if stats:",
          f"                stats_row(row, r, A[j, r], XB, carry, carry_rd, out, "
          f"{with_moment}, VH, {alpha}, {has_b1}, {beta1}, root_t)"]
    for name, (kind, v) in prog.state_out:
        if kind != "e":
            L.append(f"            C[{lay.carried.index(name)}, r] = {ref(v)}")
    L.append("    return n")
    return kernels.loop_module(L), lay


class _Program:
    __slots__ = ("prog", "fn", "layout")

    def __init__(self, prog, fn, layout):
        self.prog, self.fn, self.layout = prog, fn, layout


def _extra(opt):
    def extra(new_state, h):
        mom = _stats.moment_at(opt, new_state, h)
        out = {"vhat": mom.vhat, "alpha": mom.alpha}
        if mom.beta1 is not None:
            out["beta1"] = mom.beta1
        return out
    return extra


class Fused:
    """The compiled chunk step of one optimizer for R runs in d coordinates, with the
    iterate and the optimizer's state kept in its own arrays between chunks (see the
    module docs).  ``with_moment``: record :math:`\\hat v`, :math:`\\alpha_t`,
    :math:`\\beta_{1,t}` for the statistics."""

    def __init__(self, opt, state, theta, lo, hi, with_moment: bool):
        self.opt, self.with_moment = opt, with_moment
        self.R, self.d = theta.shape
        self.theta = theta
        self.lo, self.hi = lo, hi
        self.state = state
        self.fresh = state.step            # the step before the one the program was found at
        self.current = self._program(state, Resolved(opt, state.step + 1, self.R,
                                                     np.dtype(np.float64)))

    def _program(self, state, h) -> _Program:
        """The recorded and compiled program that holds at step h (recorded now if none of
        those kept for this optimizer does)."""
        key = "moment" if self.with_moment else "plain"
        progs = _CACHE.setdefault(self.opt, {}).setdefault(key, [])
        found = kernels.holding(progs, state, h)
        if found is not None:
            return found[0]
        prog = trace(self.opt, state, h, _extra(self.opt) if self.with_moment else None)
        code, lay = source(prog, self.with_moment)
        fn = kernels.compile_source(code, "numba", {"stats_row": stats_row})
        c = _Program(prog, fn, lay)
        progs.append(c)
        return c

    def _unpack(self, c: _Program):
        """The state's fields as the loop's arrays (copies it may write)."""
        s, lay, R = self.state, c.layout, self.R
        F = [np.array(getattr(s, name), dtype=np.float64, order="C") for name in lay.fields]
        C = np.empty((len(lay.carried), R))
        for k, name in enumerate(lay.carried):
            C[k] = np.broadcast_to(np.asarray(getattr(s, name), dtype=np.float64)
                                   .reshape(-1), (R,))
        return F, C

    def _pack(self, c: _Program, F, C):
        """The optimizer's state from the loop's arrays."""
        fields = []
        old = self.state
        for name, (kind, v) in c.prog.state_out:
            if kind == "e":
                fields.append(F[c.layout.fields.index(name)])
            else:
                row = C[c.layout.carried.index(name)]
                before = getattr(old, name)
                if kind == "r":
                    fields.append(row.reshape(-1, 1).copy())
                elif isinstance(before, (int, np.integer)) and not isinstance(before, bool):
                    fields.append(int(row[0]))
                else:
                    fields.append(float(row[0]))
        return c.prog.state_type(*fields)

    def chunk(self, t0, a, losses, stats, carry, carry_rd, out):
        """Steps t0+1..t0+n (``a`` (n, R, d)), in place: the iterate, the losses' rows and
        with ``stats`` the statistics' rows and running values (see :mod:`.walk`)."""
        n = a.shape[0]
        a = np.ascontiguousarray(a, dtype=np.float64)
        XB, VH = np.empty(self.d), np.empty(self.d)
        j = 0
        c = self.current
        while j < n:
            F, C = self._unpack(c)
            H = np.empty((len(c.layout.hypers), n - j))    # (one value for every run:
            for k, name in enumerate(c.layout.hypers):          # the trace refuses others)
                H[k] = hyper_sequence(self.opt, name[6:], t0 + j, n - j, 1)[:, 0]
            done = c.fn(a[j:], self.theta, *F, H, C, t0 + j, self.lo, self.hi, losses,
                        stats, XB, VH, carry, carry_rd, out)
            self.state = self._pack(c, F, C)
            if done == 0 and self.fresh == t0 + j:
                raise TraceError(f"the guards recorded at step {t0 + j + 1} evaluate "
                                 f"differently in the loop")
            j += done
            if j < n:               # a guard failed at step t0 + j + 1: record it there
                c = self.current = self._program(self.state, Resolved(
                    self.opt, t0 + j + 1, self.R, np.dtype(np.float64)))
                self.fresh = t0 + j


__all__ = ["Fused", "Layout", "source"]
