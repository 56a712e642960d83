r"""Theory's Adam is the registry's Adam: an exact check where the two layers meet.

:mod:`adamlab.theory` states Adam's recurrences as mathematics
(:func:`adamlab.theory.recursions.ema`, :func:`~adamlab.theory.recursions.adam_moments`,
:func:`adamlab.theory.regret.pieces.adam_iterates`,
:func:`~adamlab.theory.regret.pieces.amsgrad_vhat`), because theory never imports the
simulator; the regret lemmas' certificates evaluate those statements.  The
simulator's one definition is the registry (:mod:`adamlab.numerics.optimizers.adam`).
This module replays the registry's optimizers on exact SymPy numbers
(:func:`adamlab.numerics.optimizers.arith.sympy_arith`) on a fixed set of rational
instances and compares every quantity with theory's, by exact equality:

* ``adam`` (eps = 0, constant betas): :math:`m_T, v_T` (its state) and
  :math:`\hat m_T = m_T/(1-\beta_1^T)`, :math:`\hat v_T = v_T/(1-\beta_2^T)`, against
  ``recursions.adam_moments``;
* ``adam`` as Kingma & Ba's proof reads it (:data:`.adam_exact.ADAM_KB`: :math:`\alpha_t =
  \alpha/\sqrt t`, :math:`\beta_{1,t} = \beta_1\lambda^{t-1}`, correction :math:`1-\beta_1^t`):
  the iterates :math:`\theta_1..\theta_T`, against ``pieces.adam_iterates``;
* ``amsgrad`` (``amsgrad_mode="reddi"``, Reddi et al. Algorithm 2): :math:`\hat v_t` (its
  state ``vmax``) for every t and coordinate, against ``pieces.amsgrad_vhat``.

The certificates that evaluate theory's statements of Adam's moments
(:func:`.regret.certify`) take :func:`agreement` as a hypothesis: if the registry's
rule changes (a convention, a patched function) and theory's statement no longer
describes it, they say so instead of certifying a statement about another algorithm.
"""
from __future__ import annotations

import copy
import functools
from fractions import Fraction

import sympy as sp

from adamlab.numerics import optimizers
from adamlab.numerics.optimizers import arith
from adamlab.theory import recursions
from adamlab.theory.regret import pieces

from ..methods import games
from .adam_exact import ADAM_KB

#: the rational instances: (beta1, beta2, lam, alpha, gradients (T rows of d = 2))
INSTANCES = (
    (Fraction(1, 2), Fraction(3, 4), Fraction(1, 2), Fraction(1, 10),
     ((1, Fraction(-1, 2)), (Fraction(-1, 2), 0), (2, 3), (Fraction(1, 4), -1))),
    (Fraction(9, 10), Fraction(99, 100), Fraction(3, 4), Fraction(1, 3),
     ((3, 1), (-1, -1), (-1, 2), (0, Fraction(1, 3)))),
    (Fraction(0), Fraction(1, 5), Fraction(1, 2), Fraction(2),
     ((Fraction(-2, 3), 1), (5, 0), (1, 1))),
)


def _q(x) -> sp.Rational:
    return sp.Rational(Fraction(x).numerator, Fraction(x).denominator)


def _registry_run(opt, rows):
    """The registry optimizer ``opt`` over the gradient rows (d columns), one run, exact;
    returns the iterates theta_1..theta_{T+1} (rows of d) and the states after each step."""
    steps = list(games.replay_exact(opt, [0] * len(rows[0]),
                                    [[_q(v) for v in row] for row in rows]))
    return [steps[0][2]] + [s[3] for s in steps], [s[4] for s in steps]


def _compare(found: list, what: str, theirs, ours) -> None:
    diff = sp.simplify(sp.nsimplify(theirs) - sp.nsimplify(ours)) if not (
        isinstance(theirs, sp.Rational) and isinstance(ours, sp.Rational)) else theirs - ours
    if diff != 0:
        found.append({"quantity": what, "theory": str(theirs), "registry": str(ours)})


def agreement() -> dict:
    """Compare theory's statements of Adam with the registry's optimizers on
    :data:`INSTANCES` (see the module docs).  Returns ``{"agrees": bool, "compared":
    int, "instances": int, "mismatches": [...]}``; each mismatch names the quantity and
    gives both exact values.  Computed once per process (about 0.5 s);
    :func:`clear_cache` forgets it (after a change to the registry's rule)."""
    return copy.deepcopy(_agreement())


def clear_cache() -> None:
    """Forget the cached :func:`agreement` (e.g. after registering a changed rule)."""
    _agreement.cache_clear()


@functools.lru_cache(maxsize=1)
def _agreement() -> dict:
    A = arith.sympy_arith()
    found: list[dict] = []
    compared = 0
    for b1, b2, lam, alpha, rows in INSTANCES:
        qb1, qb2 = _q(b1), _q(b2)
        d = len(rows[0])
        # constant betas: the moments
        adam = optimizers.make("adam", lr=1.0, betas=(b1, b2), eps=0.0)
        _, states = _registry_run(adam, rows)
        for i in range(d):
            gs = [_q(r[i]) for r in rows]
            m, v, mh, vh = recursions.adam_moments(qb1, qb2, gs)
            s, T = states[-1], len(rows)
            c1 = optimizers.bias_correction(qb1, T, A)
            c2 = optimizers.bias_correction(qb2, T, A)
            for what, th, reg in (("m_T", m, s.m[0, i]), ("v_T", v, s.v[0, i]),
                                  ("mhat_T", mh, s.m[0, i] / c1),
                                  ("vhat_T", vh, s.v[0, i] / c2)):
                _compare(found, f"{what} (coordinate {i})", th, reg)
                compared += 1
        # Kingma & Ba's reading: the iterates, one coordinate (theory's is 1-d)
        vals = {"alpha": _q(alpha), "beta1": qb1, "beta2": qb2, "lam": _q(lam)}
        kb = games.build("adam", ADAM_KB["fixed"], ADAM_KB["hyper"], vals, A, 1)
        gs = [_q(r[0]) for r in rows]
        if gs[0] != 0:                           # vhat_t > 0 from the first step on
            thetas, _ = _registry_run(kb, [(g,) for g in gs[:-1]])
            inst = dict(vals, theta1=sp.Integer(0), gradients=gs)
            for t, (th, reg) in enumerate(zip(pieces.adam_iterates(inst, sp.sqrt), thetas), 1):
                _compare(found, f"theta_{t}", th, reg[0])
                compared += 1
        # Reddi et al.'s AMSGrad: vhat_t = max(vhat_{t-1}, v_t), no bias correction
        ams = optimizers.make("amsgrad", lr=1.0, betas=(b1, b2), eps=0.0,
                              amsgrad_mode="reddi")
        _, states = _registry_run(ams, rows)
        theory = pieces.amsgrad_vhat(qb2, [[_q(v) for v in r] for r in rows])
        for t, (th_row, s) in enumerate(zip(theory, states), 1):
            for i in range(d):
                _compare(found, f"AMSGrad vhat_{t} (coordinate {i})", th_row[i], s.vmax[0, i])
                compared += 1
    return {"agrees": not found, "compared": compared, "instances": len(INSTANCES),
            "mismatches": found}


__all__ = ["INSTANCES", "agreement", "clear_cache"]
