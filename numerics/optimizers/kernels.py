r"""Compiled update steps: an optimizer's recorded rule as one fused loop (``[fast]``).

The NumPy step of Adam makes about 25 passes over the (R, d) arrays (temporaries,
:func:`~.arith.FloatArith.safe_div`'s 0/0 guard, the finiteness checks).  Here the same
rule, recorded operation by operation by :mod:`.trace` from the optimizer's own
``step_rule`` (no second copy of any update rule), becomes one loop over the elements
that reads ``g``, ``p`` and the state once and writes the new ones once, and is compiled
by numba (``pip install "adamlab[fast]"``).  The loop performs the recorded IEEE
operations in the recorded order, so its results equal the NumPy step's *bit for bit*
(the tests check this on every optimizer that declares ``kernel=True``).

When it is used: :meth:`.Optimizer.step_arrays` (and so ``update`` and every engine)
asks :func:`compiled_step` first, which runs the kernel when

* the registry entry declares ``kernel=True`` (:mod:`.capabilities`),
* numba can be imported and ``ADAMLAB_KERNELS`` is not ``off``,
* the arrays are float64 and the compilation (about half a second) pays: at least
  :data:`MIN_ELEMENTS` elements for a single ``update``, or enough steps when the caller
  says how many it will take (:func:`pays`; ``ADAMLAB_KERNELS=always`` compiles
  whatever the size), and
* the rule could be recorded for this configuration (:mod:`.trace`).

Otherwise the NumPy step runs, which stays the reference.  :func:`status` says which
applies and why.  Non-finite results are not returned: the kernel counts them, and the
NumPy step is then run to raise its error.  A kernel is compiled once per process
(about a second) and kept for the optimizer instance; it is not cached on disk, since
numba's disk cache stores pickles.
"""
from __future__ import annotations

import math
import os
import weakref
from typing import Any

import numpy as np

from ._guards import check_subnormal
from .trace import COMPARISONS, Node, Program, TraceError, leaf_values, trace

ENV = "ADAMLAB_KERNELS"
MIN_ELEMENTS = 1 << 15
#: what a compiled call saves over the NumPy step, roughly, and what a compilation costs
#: (measured on the 2-core development machine: 75 -> 31 us per call on (3, 100)
#: arrays, 413 -> 70 ms per call at 10^7 elements; about 0.5 s per compilation)
SAVED_PER_CALL_S, SAVED_PER_ELEMENT_S, COMPILE_S = 4e-5, 3.4e-8, 0.5


def numba_available() -> bool:
    """True when numba can be imported (the ``[fast]`` extra)."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def mode() -> str:
    """``"off"``, ``"auto"`` (default) or ``"always"``, from ``$ADAMLAB_KERNELS``."""
    value = os.environ.get(ENV, "auto").strip().lower() or "auto"
    if value not in ("off", "auto", "always"):
        raise ValueError(f"{ENV} must be off, auto or always; got {value!r}")
    return value


# -- code generation ------------------------------------------------------------------------
_HELPERS = '''
def _safe_div(n, d):
    if d == 0.0 and n == 0.0:
        return 0.0
    return n / d


def _maximum(a, b):
    if a != a or a >= b:
        return a
    return b


def _div_where(c, n, d):
    if c:
        return n / d
    return 0.0


def _one_minus_power(b, t):
    if b == 0.0:
        return 1.0
    return -math.expm1(t * math.log(b))


def _log0(x):
    if x > 0.0:
        return math.log(x)
    return -math.inf
'''
#: the helpers above, each compiled with the kernel that calls it
HELPERS = ("_safe_div", "_maximum", "_div_where", "_one_minus_power", "_log0")
_INFIX = {"add": "+", "sub": "-", "mul": "*", "div": "/", "lt": "<", "le": "<=",
          "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}


def source(prog: Program, inplace: bool = False) -> tuple[str, list[str], list[Node],
                                                       list[str]]:
    """Python source of the fused loop of ``prog``: ``(code, array inputs, per-step
    inputs, outputs)``.  The loop is ``kernel(*arrays, *scalars, *outs) -> bad``:
    arrays (R, d), per-step values (R,), outputs (R, d); ``bad`` counts the non-finite
    values among ``g``, ``p`` and the results.  With ``inplace`` a result whose array is
    also an input (``p``, ``m``, ...) is written into that input argument (each element
    is read before it is written), and only the others are in ``outs``: writing through
    the same argument, not an alias of it, keeps the loop vectorised."""
    body = prog.elementwise_nodes()
    arrays = [n.args[0] for n in body if n.op == "leaf"]
    scal: list[Node] = []
    slot: dict[int, int] = {}            # node id -> its per-step input (never Node ==)
    for n in body:
        for a in n.args:
            if isinstance(a, Node) and not a.elementwise and a.id not in slot:
                slot[a.id] = len(scal)
                scal.append(a)
    results = [("p", prog.p_out)] + [
        (name, v) for name, (kind, v) in prog.state_out
        if kind == "e" and not (v.op == "leaf" and v.args[0] == f"state:{name}")]
    outs: list[str] = []
    targets = []
    for name, _ in results:
        leaf = "p" if name == "p" else f"state:{name}"
        if inplace and leaf in arrays:
            targets.append(f"A{arrays.index(leaf)}")
        else:
            targets.append(f"O{len(outs)}")
            outs.append(name)

    def ref(a) -> str:
        if isinstance(a, Node):
            if a.elementwise:
                return f"e{a.id}"
            boolean = a.op in COMPARISONS or a.op == "positive"
            return f"(s{slot[a.id]} != 0.0)" if boolean else f"s{slot[a.id]}"
        if isinstance(a, (bool, np.bool_)):
            return "True" if a else "False"
        return repr(float(a))

    lines = []
    args = [f"A{i}" for i in range(len(arrays))] + [f"S{i}" for i in range(len(scal))] + \
        [f"O{i}" for i in range(len(outs))]
    lines.append(f"def kernel({', '.join(args)}):")
    lines.append("    R, d = A0.shape")
    lines.append("    bad = 0")
    lines.append("    for r in range(R):")
    for i in range(len(scal)):
        lines.append(f"        s{i} = S{i}[r]")
    lines.append("        for i in range(d):")
    for n in body:
        expr = expression(n, ref, lambda name: f"A{arrays.index(name)}[r, i]")
        lines.append(f"            e{n.id} = {expr}")
        if n.op == "leaf" and n.args[0] in ("g", "p"):     # the inputs update() validates
            lines.append(f"            bad += e{n.id} - e{n.id} != 0.0")
    for (name, node), target in zip(results, targets):
        lines.append(f"            {target}[r, i] = {ref(node)}")
        if name == "p" or not name.startswith("log_"):
            # x - x is 0 for a finite x, nan for inf and nan (counted in an integer, so
            # that the loop still vectorises)
            lines.append(f"            bad += {ref(node)} - {ref(node)} != 0.0")
    lines.append("    return bad")
    return loop_module(lines), arrays, scal, outs


def loop_module(lines: list[str]) -> str:
    """The source of a module: ``math``, the helpers (:data:`HELPERS`) and ``lines``."""
    return "import math\n" + _HELPERS + "\n\n" + "\n".join(lines) + "\n"


def expression(n: Node, ref, leaf) -> str:
    """The loop form of the recorded operation ``n``: ``ref(arg)`` names an operand (a
    node or a constant), ``leaf(name)`` reads a leaf.  Per-step operations compute as
    :data:`.arith.FLOAT` does on Python floats (``math``'s functions); elementwise powers
    only where NumPy's power equals one operation (:func:`_pow`)."""
    a = n.args
    if n.op == "leaf":
        return leaf(a[0])
    if n.op in _INFIX:
        return f"{ref(a[0])} {_INFIX[n.op]} {ref(a[1])}"
    if n.op == "pow":
        return _pow(ref(a[0]), a[1]) if n.elementwise else f"{ref(a[0])} ** {ref(a[1])}"
    if n.op == "neg":
        return f"-{ref(a[0])}"
    if n.op == "abs":
        return f"abs({ref(a[0])})"
    if n.op in ("sqrt", "scalar_sqrt"):
        return f"math.sqrt({ref(a[0])})"
    if n.op == "positive":
        return f"{ref(a[0])} > 0.0"
    if n.op == "where":
        return f"{ref(a[1])} if {ref(a[0])} else {ref(a[2])}"
    if n.op == "neg_expm1":
        return f"-math.expm1({ref(a[0])})"
    if n.op == "one_minus_power" and not isinstance(a[0], Node):     # a constant beta:
        if float(a[0]) == 0.0:                                      # its log once, here
            return "1.0"
        return f"-math.expm1({ref(a[1])} * {math.log(float(a[0]))!r})"
    helper = {"maximum": "_maximum", "safe_div": "_safe_div", "div_where": "_div_where",
              "one_minus_power": "_one_minus_power", "log0": "_log0"}.get(n.op)
    if helper is None:
        raise TraceError(f"no loop form for {n.op}")
    return f"{helper}({', '.join(ref(x) for x in a)})"


def _pow(base: str, exponent) -> str:
    # NumPy's power takes these exponents on fast paths that equal one operation
    if isinstance(exponent, Node):
        raise TraceError("a traced exponent")
    if exponent == 2:
        return f"{base} * {base}"
    if exponent == 0.5:
        return f"math.sqrt({base})"
    if exponent == -1:
        return f"1.0 / {base}"
    raise TraceError(f"power with exponent {exponent!r} (NumPy and a loop may round it "
                     f"differently)")


# -- compilation ----------------------------------------------------------------------------
def compile_source(code: str, backend: str = "numba", names: dict | None = None):
    """The function ``kernel`` of ``code``: compiled by numba (``backend="numba"``; in
    memory, once per process and program -- numba's own disk cache would write pickles)
    or as plain Python (``backend="python"``, slow; what the tests use to check the
    generated code without numba).  ``names``: further globals the code calls (compiled
    functions, with numba)."""
    if backend not in ("numba", "python"):
        raise ValueError(f"backend must be 'numba' or 'python'; got {backend!r}")
    space: dict[str, Any] = {"math": math, **(names or {})}
    exec(compile(code, "<adamlab kernel>", "exec"), space)   # our own generated source
    if backend == "python":
        return space["kernel"]
    import numba
    for helper in HELPERS:
        space[helper] = numba.njit(error_model="numpy")(space[helper])
    return numba.njit(error_model="numpy")(space["kernel"])


# -- the step -------------------------------------------------------------------------------
class _Compiled:
    """One recorded program and its loops (the plain one and the in-place one, each
    generated and compiled when first needed)."""

    __slots__ = ("prog", "backend", "loops")

    def __init__(self, prog, backend):
        self.prog, self.backend, self.loops = prog, backend, {}

    def loop(self, inplace: bool):
        """``(fn, arrays, scalars, outs)`` of the loop (see :func:`source`)."""
        if inplace not in self.loops:
            code, arrays, scal, outs = source(self.prog, inplace)
            self.loops[inplace] = (compile_source(code, self.backend), arrays, scal, outs)
        return self.loops[inplace]


_PROGRAMS: "weakref.WeakKeyDictionary[Any, dict]" = weakref.WeakKeyDictionary()
_FAILED: "weakref.WeakKeyDictionary[Any, str]" = weakref.WeakKeyDictionary()


def pays(size: int, repeats: int = 1) -> bool:
    """Whether compiling pays for ``repeats`` steps on arrays of ``size`` elements: for a
    single call (``update``, which may be called again and again) at least
    :data:`MIN_ELEMENTS` elements; for a known number of steps (an engine's T), when the
    estimated saving is at least four compilations."""
    if repeats <= 1:
        return size >= MIN_ELEMENTS
    return repeats * (SAVED_PER_CALL_S + SAVED_PER_ELEMENT_S * size) >= 4 * COMPILE_S


def status(opt, size: int | None = None, repeats: int = 1) -> str | None:
    """None when :func:`compiled_step` would run ``opt``'s compiled kernel on arrays of
    ``size`` elements (default: any size) for ``repeats`` steps, else the reason it would
    not."""
    entry = getattr(opt, "entry", None)
    if entry is None or not entry.caps.kernel:
        return f"{getattr(opt, 'name', opt)!s} does not declare kernel=True"
    m = mode()
    if m == "off":
        return f"{ENV}=off"
    if not numba_available():
        return 'numba is not installed (pip install "adamlab[fast]")'
    if size is not None and m == "auto" and not pays(size, repeats):
        return (f"fewer than {MIN_ELEMENTS} elements (NumPy is as fast there)" if repeats <= 1
                else f"{repeats} steps of {size} elements would not pay for a compilation")
    if opt in _FAILED:
        return f"the rule could not be recorded: {_FAILED[opt]}"
    return None


def holding(entries, state, h):
    """``(entry, per-step values)`` for the first of ``entries`` (objects with a ``prog``,
    a recorded :class:`.trace.Program`) whose guards hold at the step ``h`` in ``state``,
    or None."""
    for c in entries:
        vals = c.prog.scalars(leaf_values(c.prog, state, h))
        if c.prog.holds(vals):
            return c, vals
    return None


def program_for(opt, state, h, backend: str = "numba"):
    """The recorded step of ``opt`` valid at this step (recorded now if none of the
    cached ones holds here): ``(compiled, per-step values)``."""
    progs = _PROGRAMS.setdefault(opt, {}).setdefault(backend, [])
    found = holding(progs, state, h)
    if found is not None:
        return found
    prog = trace(opt, state, h)
    c = _Compiled(prog, backend)
    c.loop(False)                        # generate and compile now: errors surface here
    progs.append(c)
    return c, prog.scalars(leaf_values(prog, state, h))


def compiled_step(opt, g: np.ndarray, p: np.ndarray, state, h, *, inplace: bool = False,
                  repeats: int = 1, force: bool = False, backend: str = "numba"):
    """``(new_p, new_state)`` from the compiled kernel, or None where it does not apply
    (see the module docs) or where ``g``, ``p`` or a result is not finite (the caller's
    NumPy path then raises its error).  ``inplace``: the results go into ``p`` and the
    state's arrays; a non-finite value then raises ValueError here, after the write.
    ``repeats``: how many such steps the caller will take (an engine's T), so that small
    arrays stepped many times also pay for a compilation.  ``force`` skips the size and mode checks (for tests); ``backend``
    as in :func:`compile_source`."""
    if not force:
        if p.dtype != np.float64 or status(opt, p.size, repeats) is not None:
            return None
    try:
        c, vals = program_for(opt, state, h, backend)
    except Exception as exc:             # recording, generating or compiling failed:
        _FAILED[opt] = str(exc) if isinstance(exc, TraceError) else \
            f"{type(exc).__name__} while generating or compiling the loop: {exc}"
        if force:                        # (the tests want to see it)
            raise
        return None                      # the NumPy step, the reference, runs instead
    R = p.shape[0]
    named = {"g": g, "p": p}

    def array(name):
        return named[name] if name in named else getattr(state, name[6:])

    if inplace:                          # writes go into the caller's own arrays
        inplace = all(_writable(array(n), p) for n in c.loop(True)[1] if n != "g")
    fn, names, scalars, out_names = c.loop(inplace)
    arrays = [np.ascontiguousarray(array(n), dtype=np.float64) for n in names]
    scal = [_per_run(vals[n.id], R) for n in scalars]
    outs = [getattr(state, n) if inplace and _writable(getattr(state, n, None), p)
            else np.empty_like(p) for n in out_names]
    with np.errstate(all="ignore"):      # (the Python backend computes in NumPy scalars)
        bad = fn(*arrays, *scal, *outs)
    if bad != 0 and not inplace:         # the NumPy step raises the precise error
        return None
    if bad != 0:                         # the caller's arrays hold the step already
        raise ValueError(f"{opt.name}: the update at step t={h.t} became non-finite "
                         f"(grads or params not finite, or g**2 overflowing); with "
                         f"inplace=True, params and state now hold that step")
    out_arr = dict(zip(out_names, outs))
    if inplace:
        out_arr.setdefault("p", p)
    fields = []
    for name, (kind, v) in c.prog.state_out:
        if kind == "e":
            if name in out_arr:
                fields.append(out_arr[name])
            else:                       # passed through unchanged
                fields.append(getattr(state, name))
        elif isinstance(v, Node):
            val = vals[v.id]
            fields.append(np.asarray(val) if kind == "r" else val)
        else:
            fields.append(v)
    new_p = out_arr["p"]
    new_state = c.prog.state_type(*fields)
    if "eps" in opt.hyper:
        eps = h["eps"]
        if isinstance(eps, np.ndarray) or eps == 0:     # (it only looks where eps = 0)
            check_subnormal(opt.name, eps, new_state, p, new_p, h.t)
    return new_p, new_state


def _per_run(value, R: int) -> np.ndarray:
    """A per-step value as the loop's (R,) float64 input."""
    if isinstance(value, np.ndarray):
        return np.ascontiguousarray(np.broadcast_to(
            value.astype(np.float64, copy=False).reshape(-1), (R,)))
    return np.full(R, float(value))


def _writable(arr, p) -> bool:
    return isinstance(arr, np.ndarray) and arr.shape == p.shape and \
        arr.dtype == np.float64 and arr.flags.c_contiguous and arr.flags.writeable


__all__ = ["ENV", "HELPERS", "MIN_ELEMENTS", "compile_source", "compiled_step", "expression",
           "holding", "loop_module", "mode", "numba_available", "pays", "program_for", "source",
           "status"]
