r"""Record an optimizer's update rule as a straight-line program, by running it once.

An optimizer's ``step_rule`` is written once, against NumPy operators and the backend
operations of :mod:`.arith`.  Run on *trace values* instead of numbers, it records every
operation it performs, in the order it performs them.  The result is a
:class:`Program`: a list of operations on

* **elementwise** values -- the gradient ``g``, the parameters ``p`` and the (R, d) state
  fields, one number per run and coordinate;
* **per-step** values -- the step ``t``, scheduled hyperparameters (:math:`\alpha_t`,
  :math:`\beta_{1,t}`), the per-run state fields such as
  :math:`\log\prod_s\beta_{1,s}`, and what the rule computes from them alone (the bias
  corrections :math:`1-\beta^t`, :math:`\sqrt{1-\beta_2^t}`, ...).

:mod:`.kernels` turns the elementwise part into one fused loop; the per-step part is
evaluated once per step by :meth:`Program.scalars`, with the very float operations the
rule performs in NumPy.  Each recorded operation is the one NumPy would apply to that
element, on the same operands in the same order, so the loop reproduces the NumPy path
bit for bit (IEEE +, -, *, /, sqrt are correctly rounded; nothing is reassociated).

Hyperparameters that are constant scalars are baked in as constants: a program belongs to
one optimizer instance.  Python control flow on a per-step value (``if s.step == 0``,
``is_scalar_zero(lr_t)``) is recorded as a **guard**: the program holds only while every
guard evaluates as it did when it was recorded, and :mod:`.kernels` records a second
program for the other branch.  Control flow on an elementwise value cannot be compiled
into one loop and raises :class:`TraceError`; so does anything the tracer does not know
(an operation NumPy applies to object arrays in a way other than elementwise, a nested
state, a per-run hyperparameter array).  A rule that cannot be traced keeps its NumPy path.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .arith import FLOAT
from .hparams import Scheduled


class TraceError(Exception):
    """The update rule does something a straight-line elementwise program cannot hold."""


# op -> (python function on values, arity); the per-step interpreter and the trace share it
_BINARY = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
           "div": operator.truediv, "pow": operator.pow,
           "lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge,
           "eq": operator.eq, "ne": operator.ne}
_UNARY = {"neg": operator.neg, "abs": abs}
COMPARISONS = ("lt", "le", "gt", "ge", "eq", "ne")
#: backend operations of :mod:`.arith`, evaluated on per-step values by FLOAT itself
_ARITH = {"sqrt": FLOAT.sqrt, "scalar_sqrt": FLOAT.scalar_sqrt, "maximum": FLOAT.maximum,
          "where": FLOAT.where, "safe_div": FLOAT.safe_div, "div_where": FLOAT.div_where,
          "one_minus_power": FLOAT.one_minus_power, "log0": FLOAT.log0,
          "neg_expm1": FLOAT.neg_expm1, "positive": FLOAT.positive}


class Node:
    """One recorded value: ``op`` applied to ``args`` (Nodes or constants).

    ``elementwise`` is True when it depends on an (R, d) array; otherwise it is a per-step
    value and ``value`` holds what it was when traced (a float or an (R, 1) array)."""

    __slots__ = ("prog", "id", "op", "args", "elementwise", "value")
    __hash__ = object.__hash__

    def __init__(self, prog: "Program", op: str, args: tuple, elementwise: bool, value=None):
        self.prog, self.op, self.args = prog, op, args
        self.elementwise, self.value = elementwise, value
        self.id = len(prog.nodes)
        prog.nodes.append(self)

    def __repr__(self) -> str:
        return f"Node#{self.id}({self.op})"

    # -- arithmetic: record, in the operand order Python gives ----------------------------
    def _bin(self, op, a, b):
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            return NotImplemented        # NumPy maps the operation over the array
        return self.prog.apply(op, a, b)

    def __add__(self, o): return self._bin("add", self, o)
    def __radd__(self, o): return self._bin("add", o, self)
    def __sub__(self, o): return self._bin("sub", self, o)
    def __rsub__(self, o): return self._bin("sub", o, self)
    def __mul__(self, o): return self._bin("mul", self, o)
    def __rmul__(self, o): return self._bin("mul", o, self)
    def __truediv__(self, o): return self._bin("div", self, o)
    def __rtruediv__(self, o): return self._bin("div", o, self)
    def __pow__(self, o): return self._bin("pow", self, o)
    def __rpow__(self, o): return self._bin("pow", o, self)
    def __lt__(self, o): return self._bin("lt", self, o)
    def __le__(self, o): return self._bin("le", self, o)
    def __gt__(self, o): return self._bin("gt", self, o)
    def __ge__(self, o): return self._bin("ge", self, o)
    def __eq__(self, o): return self._bin("eq", self, o)   # type: ignore[override]
    def __ne__(self, o): return self._bin("ne", self, o)   # type: ignore[override]
    def __neg__(self): return self.prog.apply("neg", self)
    def __abs__(self): return self.prog.apply("abs", self)
    def sqrt(self): return self.prog.apply("sqrt", self)   # np.sqrt of an object array

    def __bool__(self) -> bool:
        if self.elementwise:
            raise TraceError(f"the rule branches on an elementwise value ({self.op}); "
                             f"that cannot be one loop")
        try:
            out = bool(self.value)
        except ValueError as exc:     # an (R, 1) array of several runs
            raise TraceError(f"the rule branches on a per-run value ({self.op})") from exc
        self.prog.guards.append((self, out))
        return out

    def __float__(self):
        raise TraceError("the rule converts a traced value to a Python float")

    __int__ = __index__ = __float__


def _value(x):
    return x.value if isinstance(x, Node) else x


class Program:
    """The recorded rule of one optimizer instance (see the module docs)."""

    def __init__(self):
        self.nodes: list[Node] = []
        self.guards: list[tuple[Node, bool]] = []
        self.leaves: dict[str, Node] = {}      # name -> leaf (hyper:..., state:..., t, g, p)
        self.p_out: Any = None
        self.state_out: list[tuple[str, Any]] = []
        self.state_type: type | None = None
        self.extra: dict[str, Any] = {}        # further outputs (see trace's ``extra``)
        self._plan: list | None = None

    # -- recording --------------------------------------------------------------------------
    def leaf(self, name: str, elementwise: bool, value=None) -> Node:
        node = Node(self, "leaf", (name,), elementwise, value)
        self.leaves[name] = node
        return node

    def apply(self, op: str, *args) -> Node | Any:
        if not any(isinstance(a, Node) for a in args):     # constants: plain Python
            return _evaluate(op, [_value(a) for a in args])
        for a in args:
            if not isinstance(a, (Node, bool, int, float, np.floating, np.integer)):
                raise TraceError(f"operand of {op} is a {type(a).__name__}")
        elem = any(isinstance(a, Node) and a.elementwise for a in args)
        value = None
        if not elem:
            with np.errstate(all="ignore"):
                value = _evaluate(op, [_value(a) for a in args])
        return Node(self, op, tuple(args), elem, value)

    # -- replay of the per-step part --------------------------------------------------------
    def scalars(self, leaf_values: dict[str, Any]) -> dict[int, Any]:
        """The value of every per-step node, for this step's leaves (same float operations
        as the rule's NumPy path)."""
        vals: dict[int, Any] = {}
        if self._plan is None:           # the per-step nodes, once (they are few)
            self._plan = [(n.id, n.op, n.args) for n in self.nodes if not n.elementwise]
        with np.errstate(all="ignore"):
            for nid, op, args in self._plan:
                if op == "leaf":
                    vals[nid] = leaf_values[args[0]]
                else:
                    vals[nid] = _evaluate(op, [vals[a.id] if isinstance(a, Node) else a
                                               for a in args])
        return vals

    def holds(self, vals: dict[int, Any]) -> bool:
        """True when every guard evaluates as it did when the program was recorded."""
        try:
            return all(bool(vals[n.id]) == out for n, out in self.guards)
        except ValueError:               # a guard on several runs' values: ambiguous
            return False

    def elementwise_nodes(self) -> list[Node]:
        """The elementwise nodes the outputs depend on, in recorded (topological) order."""
        need: set[int] = set()
        outputs = [self.p_out] + [v for name, (_, v) in self.state_out   # (a field passed
                                  if not (isinstance(v, Node) and v.op == "leaf"  # through
                                          and v.args[0] == f"state:{name}")]     # is not)
        outputs += list(self.extra.values())
        stack = [v for v in outputs if isinstance(v, Node) and v.elementwise]
        while stack:
            n = stack.pop()
            if n.id in need:
                continue
            need.add(n.id)
            stack.extend(a for a in n.args if isinstance(a, Node) and a.elementwise)
        return [n for n in self.nodes if n.id in need]


def _evaluate(op: str, vals: list):
    if op in _BINARY:
        return _BINARY[op](*vals)
    if op in _UNARY:
        return _UNARY[op](*vals)
    return _ARITH[op](*vals)


class TraceArith:
    """The :mod:`.arith` backend of a trace: each operation maps over object arrays and
    records one node per element."""

    name = "trace"

    def __init__(self, prog: Program):
        self.prog = prog

    def _map(self, op, *xs):
        if not any(isinstance(x, (np.ndarray, Node)) for x in xs):
            return _evaluate(op, list(xs))
        arrs = np.broadcast_arrays(*[np.asarray(x, dtype=object) for x in xs])
        out = np.empty(arrs[0].shape, dtype=object)
        for idx in np.ndindex(out.shape):
            out[idx] = self.prog.apply(op, *[a[idx] for a in arrs])
        return out if out.ndim else out[()]

    def sqrt(self, x): return self._map("sqrt", x)
    def scalar_sqrt(self, x): return self._map("scalar_sqrt", x)
    def maximum(self, a, b): return self._map("maximum", a, b)
    def positive(self, x): return self._map("positive", x)
    def where(self, c, a, b): return self._map("where", c, a, b)
    def safe_div(self, n, d): return self._map("safe_div", n, d)
    def div_where(self, c, n, d): return self._map("div_where", c, n, d)
    def one_minus_power(self, beta, t): return self._map("one_minus_power", beta, t)
    def log0(self, x): return self._map("log0", x)
    def neg_expm1(self, x): return self._map("neg_expm1", x)

    @staticmethod
    def const(value):
        return value

    @staticmethod
    def zeros_like(p):
        return np.full(np.shape(p), 0.0, dtype=object)

    @staticmethod
    def zeros(shape, like):
        return np.full(shape, 0.0, dtype=object)

    @staticmethod
    def full(shape, value, like):
        return np.full(shape, value, dtype=object)

    def all_finite(self, x) -> bool:
        raise TraceError("the rule tests finiteness inside the step")


class _TraceResolved:
    """``h`` of a trace: constant scalar hyperparameters as numbers, scheduled ones and
    ``t`` as per-step leaves, per-run arrays refused."""

    def __init__(self, prog: Program, opt, real, arith: TraceArith):
        self.prog, self._opt, self._real, self.arith = prog, opt, real, arith
        self.t = prog.leaf("t", False, real.t)

    def __getitem__(self, name: str):
        return self._convert(name, self._opt.hyper[name], self._real[name])

    def _convert(self, path, declared, value):
        if isinstance(value, tuple):
            return tuple(self._convert(f"{path}[{i}]", d, v)
                         for i, (d, v) in enumerate(zip(declared, value)))
        if isinstance(value, np.ndarray):
            raise TraceError(f"{path} has one value per run")
        if isinstance(declared, Scheduled):
            key = f"hyper:{path}"
            if key not in self.prog.leaves:
                self.prog.leaf(key, False, value)
            return self.prog.leaves[key]
        return value


# the trace's stand-ins for (R, d) arrays: shape (1, 2), so that they are told apart from
# per-run (R, 1) fields; both entries hold the same leaf
_E_SHAPE = (1, 2)


def elementwise_fields(opt) -> frozenset[str] | None:
    """The names of ``opt``'s (R, d) state fields, read from its initial state at d = 2
    (at d = 1 an (R, d) field has the shape of a per-run (R, 1) one); None where that
    state cannot be formed."""
    try:
        probe = opt.init_state(np.zeros((1, 2)))
    except Exception:                    # (e.g. per-run arrays that need R runs)
        return None
    return frozenset(name for name, v in zip(probe._fields, probe)
                     if isinstance(v, np.ndarray) and v.ndim == 2 and v.shape[1] == 2)


def trace(opt, state, h, extra=None) -> Program:
    """Record ``opt.step_rule`` at the step ``h`` (a float64 :class:`._core.Resolved`) on a
    state shaped like ``state``; raise :class:`TraceError` where that is not possible.

    ``extra(new_state, h)``, if given, is recorded after the rule, on the traced new state
    and step: it returns named values (elementwise arrays, per-step values or constants),
    kept in :attr:`Program.extra` as further outputs (e.g. a run's statistics).

    Which state fields are elementwise is read from ``opt``'s initial state at d = 2
    (:func:`elementwise_fields`), so that a program recorded at d = 1 holds at any d;
    failing that, from the shapes here (an (R, 1) field is then per run)."""
    elementwise = elementwise_fields(opt)
    prog = Program()
    A = TraceArith(prog)
    shape = None
    fields = []
    for name, value in zip(state._fields, state):
        if isinstance(value, tuple):
            raise TraceError(f"state field {name} is a nested state")
        fields.append((name, value))
        if isinstance(value, np.ndarray) and value.ndim == 2 and (
                value.shape[1] != 1 if elementwise is None else name in elementwise):
            shape = value.shape

    def elem(name):
        return np.full(_E_SHAPE, prog.leaf(name, True), dtype=object)

    g, p = elem("g"), elem("p")
    traced = []
    for name, value in fields:
        if isinstance(value, np.ndarray) and value.ndim == 2 and value.shape == shape and \
                (elementwise is None or name in elementwise):
            traced.append(elem(f"state:{name}"))
        elif isinstance(value, np.ndarray) and value.ndim == 2 and value.shape[1] == 1:
            traced.append(np.full((1, 1), prog.leaf(f"state:{name}", False, value),
                                  dtype=object))
        elif isinstance(value, (int, float, np.integer, np.floating)) \
                and not isinstance(value, bool):
            traced.append(prog.leaf(f"state:{name}", False, value))
        else:
            raise TraceError(f"state field {name} is a {type(value).__name__}")
    s = type(state)(*traced)
    hh = _TraceResolved(prog, opt, h, A)
    with np.errstate(all="ignore"):
        new_p, new_s = opt.step_rule(g, p, s, hh)
    prog.p_out = _element(new_p, "the new parameters")
    prog.state_type = type(new_s)
    for name, value in zip(new_s._fields, new_s):
        prog.state_out.append((name, _output(value, name)))
    if extra is not None:
        with np.errstate(all="ignore"):
            for name, value in extra(new_s, hh).items():
                kind, v = _output(value, name)
                if kind == "r":
                    raise TraceError(f"{name} has one value per run")
                prog.extra[name] = v
    return prog


def _element(x, what):
    """The [0, 0] entry of a traced (1, 2) output (what the loop computes per element)."""
    if not (isinstance(x, np.ndarray) and x.shape == _E_SHAPE):
        raise TraceError(f"{what} are not elementwise")
    v = x[0, 0]
    if not (isinstance(v, Node) and v.elementwise):
        raise TraceError(f"{what} do not depend on the arrays")
    return v


def _output(value, name):
    """A new state field: ``("e", node)`` elementwise, ``("s", node or constant)`` per step
    (an (R, 1) field: ``("r", ...)``)."""
    if isinstance(value, np.ndarray) and value.shape == _E_SHAPE:
        return ("e", _element(value, f"state field {name}"))
    if isinstance(value, np.ndarray) and value.shape == (1, 1):
        return ("r", value[0, 0])
    if isinstance(value, np.ndarray):
        raise TraceError(f"state field {name} has the traced shape {value.shape}")
    return ("s", value)


def leaf_values(prog: Program, state, h) -> dict[str, Any]:
    """This step's value of every per-step leaf of ``prog``."""
    out: dict[str, Any] = {}
    for name, node in prog.leaves.items():
        if node.elementwise:
            continue
        if name == "t":
            out[name] = h.t
        elif name.startswith("state:"):
            out[name] = getattr(state, name[6:])
        else:
            out[name] = _hyper_at(h, name[6:])
    return out


def _hyper_at(h, path: str):
    base, _, rest = path.partition("[")
    v = h[base]
    while rest:
        i, _, rest = rest.partition("]")
        v = v[int(i)]
        rest = rest.lstrip("[")
    return v


__all__ = ["COMPARISONS", "Node", "Program", "TraceArith", "TraceError", "elementwise_fields",
           "leaf_values", "trace"]
