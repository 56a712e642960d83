r"""Linear games on the box :math:`[-1,1]^d`, played by a registry optimizer.

The game (the worst case for a deterministic learner, see Zinkevich 2003 §2 and
Reddi, Kale & Kumar 2018 §3): at step t the learner plays :math:`x_t`, the loss is
:math:`f_t(x) = g_t^\top x`, the optimizer sees :math:`g_t`, and

.. math::

    x_{t+1} = \Pi_F\bigl(\mathrm{update}(g_t, x_t)\bigr), \qquad
    \Pi_F = \text{clip to } [-1,1]^d, \qquad
    R(T) = \sum_{t=1}^T g_t^\top x_t + \sum_{i=1}^d \Bigl|\sum_{t=1}^T g_{t,i}\Bigr|,

since :math:`\min_F \sum_t g_t^\top x = -\lVert\sum_t g_t\rVert_1`.  On a box the
Euclidean and every diagonally weighted projection (AMSGrad's
:math:`\Pi_{F,\sqrt{\hat V_t}}`) are the same coordinate-wise clip.

:func:`play` runs the *registry's* optimizer (``optimizers.make(name, ...)``)
with hyperparameters built from SymPy expressions in the step symbol :data:`t`
and the free symbols (one value per run, shape (R, 1)).  ``arith="float"``
plays R games at once in float64; ``arith="mpmath"`` replays one game with the
same optimizer on object arrays of ``mpf`` at ``mp.dps`` (the certificate).
:func:`build` also makes the optimizer for an exact replay on SymPy numbers (the
step-checked proofs of :mod:`adamlab.proofs.steps` play their own rounds).
Besides R(T) it returns the statistics a bound may name (the schema of
:mod:`adamlab.theory.regret.quantities`): ``T, d, D, D_inf`` (the box's
diameters :math:`2\sqrt d` and 2), ``G, G_inf, sum_g_norm`` and, from the
optimizer's own second moment (:func:`adamlab.numerics.sim.stats.second_moment`),
``sum_vhat_sqrt, sum_sqrt_t_vhat, sum_b1t_vhat_over_alpha``.
"""
from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from typing import Any, Mapping

import numpy as np
import sympy as sp

from adamlab.numerics import optimizers
from adamlab.numerics.optimizers import arith as ar
from adamlab.numerics.sim.stats import second_moment
from adamlab.theory.regret import quantities as rq

#: the step symbol of hyperparameter expressions (alpha_t = alpha/sqrt(t), ...)
t = sp.Symbol("t", integer=True, positive=True)
#: the regret R(T) (documented in :data:`adamlab.theory.regret.quantities.SYMBOLS` as "R")
R = rq.SYMBOLS.get("R", sp.Symbol("R", real=True))
VHAT_STATS = ("sum_vhat_sqrt", "sum_sqrt_t_vhat", "sum_b1t_vhat_over_alpha")


@lru_cache(maxsize=512)
def lambdified(args: tuple, expr, module: str):
    """``sympy.lambdify(args, expr, module)``, cached (searches evaluate the same
    expressions many thousand times)."""
    return sp.lambdify(list(args), expr, modules=module)


class _Sched:
    """A hyperparameter schedule: a lambdified expression of t at per-run values, or a
    sequence (R, T) given step by step (``seq``)."""

    def __init__(self, fn, args, A, R, seq=None):
        self.fn, self.args, self.A, self.R, self.seq = fn, args, A, R, seq

    def __call__(self, step: int):
        if self.seq is not None:
            out = self.seq[:, step - 1:step]
        else:
            tt = step if self.A is ar.FLOAT else self.A.const(step)
            out = self.fn(tt, *self.args)
        if self.A is ar.FLOAT:
            return np.broadcast_to(np.asarray(out, dtype=float), (self.R, 1)).copy() \
                if np.ndim(out) else float(out)
        return out[0, 0] if isinstance(out, np.ndarray) else out


def _value(expr, vals, A, R):
    """Build one hyperparameter: a constant (float / (R,1) / mpf) or a :class:`_Sched`."""
    expr = sp.sympify(expr)
    syms = sorted(expr.free_symbols - {t}, key=lambda s: s.name)
    unknown = [s.name for s in syms if s.name not in vals]
    if unknown:
        raise ValueError(f"hyperparameter expression {expr} uses {unknown}, which have no "
                         f"value (free or fixed symbols: {sorted(vals)})")
    module = {"float": "numpy", "sympy": "sympy"}.get(A.name, "mpmath")
    fn = lambdified(tuple([t] + syms), expr, module)
    args = [vals[s.name] for s in syms]
    if t in expr.free_symbols:
        return _Sched(fn, args, A, R)
    out = fn(1, *args)
    if A is ar.FLOAT:
        return np.broadcast_to(np.asarray(out, dtype=float), (R, 1)).copy() \
            if np.ndim(out) else float(out)
    if module == "sympy":               # a constant reaches the optimizer exactly as a Fraction
        out = sp.sympify(out)
        if not out.is_Rational:
            raise ValueError(f"hyperparameter {expr} = {out} is not rational; the exact "
                             f"(SymPy) replay takes constant hyperparameters as rationals")
        return Fraction(int(out.p), int(out.q))
    return out


def build(name: str, fixed: Mapping[str, Any], hyper: Mapping[str, Any],
          vals: Mapping[str, Any], A, R: int, beta1_seq=None):
    """The registry optimizer ``name`` with ``fixed`` hyperparameters and ``hyper``
    (name -> SymPy expression, or a tuple of them for ``betas``) evaluated at ``vals``
    (symbol name -> (R, 1) floats, mpf for one mpmath run, or SymPy numbers for one exact
    run with ``A`` the SymPy backend, :func:`~adamlab.numerics.optimizers.arith.sympy_arith`:
    schedules then give exact SymPy values, constants exact Fractions).  ``beta1_seq`` (R, T)
    replaces ``betas[0]`` by a given sequence :math:`\\beta_{1,t}`."""
    kw = dict(fixed)
    for key, expr in hyper.items():
        if isinstance(expr, (tuple, list)):
            kw[key] = tuple(_value(e, vals, A, R) for e in expr)
        else:
            kw[key] = _value(expr, vals, A, R)
    if beta1_seq is not None:
        if "betas" not in kw:
            raise ValueError("a beta1_t sequence needs an optimizer with betas")
        kw["betas"] = (_Sched(None, (), A, R, seq=beta1_seq), kw["betas"][1])
    return optimizers.make(name, **kw)


def replay_exact(opt, x1, rows, clip=None):
    """Replay one run of the registry optimizer ``opt`` (built for the SymPy backend, e.g. by
    :func:`build`) on exact SymPy numbers from the point ``x1`` (d values) over the gradient
    ``rows`` (T rows of d values), each new point clipped to ``clip = (lo, hi)`` when given
    (the projection onto a box).  Yields ``(t, h, theta_t, theta_next, state)``: ``h`` the
    hyperparameters resolved at step t, the points as lists, ``state`` after the step."""
    A = ar.sympy_arith()
    x = ar.to_sympy([list(x1)])
    state = opt.init(x)
    for t, row in enumerate(rows, 1):
        h = optimizers.Resolved(opt, t, 1, np.dtype(object), A)
        z, state = opt.update(ar.to_sympy([list(row)]), state, x)
        nxt = [sp.Min(sp.Max(v, clip[0]), clip[1]) for v in z[0]] if clip else list(z[0])
        yield t, h, list(x[0]), nxt, state
        x = ar.to_sympy([nxt])


def play(opt, g, x1, needs=(), arith: str = "float") -> dict[str, Any]:
    """Play the linear games ``g`` (R, T, d) from ``x1`` (R, d) with optimizer ``opt``.

    ``arith="float"``: float64 arrays, values (R,) arrays.  ``"mpmath"``: object arrays
    of mpf (R = 1; convert with :func:`adamlab.numerics.optimizers.arith.to_mpmath`),
    values mpf scalars.  ``needs``: the statistic names wanted besides ``R``.
    """
    if arith not in ("float", "mpmath"):
        raise ValueError(f"arith must be 'float' or 'mpmath'; got {arith!r}")
    A = ar.FLOAT if arith == "float" else ar.mpmath_arith()
    if np.ndim(g) != 3 or np.ndim(x1) != 2 or np.shape(x1) != (np.shape(g)[0], np.shape(g)[2]):
        raise ValueError(f"g must be (R, T, d) and x1 (R, d); got {np.shape(g)}, {np.shape(x1)}")
    n, T, d = g.shape
    one = A.const(1)
    x = np.array(x1, dtype=float if A is ar.FLOAT else object)
    state = opt.init(x)
    loss = A.zeros((n,), x)
    want_v = any(k in needs for k in VHAT_STATS)
    mid = A.zeros((n,), x)
    vroot = None
    dtype = np.float64 if A is ar.FLOAT else object
    for step in range(T):
        gt = g[:, step]
        loss = loss + (gt * x).sum(axis=1)
        x, state = opt.update(gt, state, x)
        x = np.clip(x, -1.0, 1.0) if A is ar.FLOAT else \
            np.where(x > one, one, np.where(x < -one, -one, x))
        if want_v:
            mom = second_moment(opt, state, n, dtype)
            if mom is None:
                raise ValueError(f"{opt.name} has no second moment; the bound needs {needs}")
            vroot = A.sqrt(mom.vhat).sum(axis=1)
            b1 = mom.beta1 if mom.beta1 is not None else 0.0
            mid = mid + np.reshape(b1 / mom.alpha * np.reshape(vroot, (n, 1)), (n,))
    S = g.sum(axis=1)
    sq = (g * g).sum(axis=1)                                    # (n, d)
    out = {"R": loss + np.abs(S).sum(axis=1), "T": T, "d": d,
           "D": 2 * A.scalar_sqrt(A.const(d)), "D_inf": A.const(2),
           "G": A.sqrt((g * g).sum(axis=2)).max(axis=1), "G_inf": np.abs(g).max(axis=(1, 2)),
           "sum_g_norm": A.sqrt(sq).sum(axis=1)}
    if want_v:
        out.update(sum_vhat_sqrt=vroot, sum_b1t_vhat_over_alpha=mid,
                   sum_sqrt_t_vhat=A.scalar_sqrt(A.const(T)) * vroot)
    if A is not ar.FLOAT:
        out = {k: (v[0] if isinstance(v, np.ndarray) else v) for k, v in out.items()}
    out["x_final"] = x
    return out


__all__ = ["R", "VHAT_STATS", "build", "lambdified", "play", "replay_exact", "t"]
