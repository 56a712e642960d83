r"""Every fast engine answers to the registry's optimizer: a probe game at setup.

The loop-free scan (:mod:`.oblivious_steps`) and the lazy sparse catch-up
(:mod:`.sparse`) do not call the optimizer's step for every step of every
coordinate -- that is the point of them.  The scan applies the optimizer's
moment recurrence (:func:`adamlab.numerics.optimizers.adam.ema_weights`) and
direction (:func:`~adamlab.numerics.optimizers.adam.adam_direction`) to whole
arrays; the catch-up uses their closed form over the steps a coordinate was
not touched,

.. math:: m_u = \beta_1^{u-s} m_s, \quad v_u = \beta_2^{u-s} v_s, \quad
          \theta_{u+1} = \theta_u - \alpha_u\,\mathrm{direction}(m_u, v_u, u),

summed in :class:`.sparse_tables.DriftTables`.  A closed form is a second
statement of the rule, so before an engine is used it plays a small game
against the dense engine, which is the optimizer's own :meth:`update`
(:func:`agrees`).  If the registry's rule was changed (a convention, a user's
subclass, a patched function) and the fast engine no longer reproduces it,
the engine declines with the reason: ``engine="auto"`` then runs the dense
engine, and an explicit ``engine="sparse"`` / ``"oblivious"`` is a
ValueError.  So a change of the rule in one place changes every engine's
result, or stops the engine that cannot follow.

The probe game: :data:`PROBE_T` = 10 steps of oblivious linear losses
:math:`f_t(\theta) = \langle a_t, \theta\rangle` on :math:`\mathbb R^3`, one
pattern per coordinate with gaps of up to three untouched steps (so the sparse
catch-up runs), and coordinate scales :math:`1, 10^{-4}, 10^{-8}` (where
:math:`\epsilon`'s placement shows); every run of the batch plays it with its
own hyperparameters.  Agreement: every iterate within :data:`RTOL` (relative)
of the dense engine's -- the engines' contract is 1e-12, a changed convention
moves the iterates by far more.  It costs a few milliseconds.
"""
from __future__ import annotations

import numpy as np

from ..domains import Unconstrained
from .dense import run_dense
from .oblivious import run_oblivious
from .sparse_engine import run_sparse

PROBE_T = 10
RTOL = 1e-9
_PATTERN = np.array([1.0, 0.0, 0.0, -0.5, 0.25, 0.0, 0.0, 0.0, 2.0, -1.0])
_SCALES = (1.0, 1e-4, 1e-8)


def _coefficients(R: int) -> np.ndarray:
    """(T, R, 3): a_t for every run; coordinate j plays the pattern shifted by j steps."""
    cols = [np.roll(_PATTERN, j) * sc for j, sc in enumerate(_SCALES)]
    a = np.stack(cols, axis=1)                       # (T, 3)
    return np.ascontiguousarray(np.broadcast_to(a[:, None, :], (PROBE_T, R, len(_SCALES))))


class _ProbeGame:
    """The probe as an instance every engine can play (dense, oblivious, sparse)."""

    def __init__(self, R: int):
        self.a = _coefficients(R)
        self.T, self.runs, self.d = PROBE_T, R, self.a.shape[2]
        self.domain = Unconstrained(self.d)

    def loss_and_grad(self, t, theta):
        a = self.a[t - 1]
        return np.einsum("rd,rd->r", a, theta), a.copy()

    def linear_coefficients(self, t0, t1):
        return self.a[t0:t1]

    def support(self, t):
        idx = np.flatnonzero(self.a[t - 1, 0] != 0)
        return np.broadcast_to(idx, (self.runs, idx.size)).copy()

    def loss_and_grad_support(self, t, theta_support):
        k = np.flatnonzero(self.a[t - 1, 0] != 0)
        vals = self.a[t - 1][:, k]
        return np.einsum("rk,rk->r", vals, theta_support), vals.copy()


class _NoBar:
    def update(self, n=1):
        pass

    def set(self, n):
        pass


# "compiled": False -- the probe checks the fast engine's NumPy statement of the rule,
# the reference its compiled path is tested against (and it compiles nothing for 10 steps)
_CFG = {"stats": False, "projection": "euclidean", "record_iterates": False, "stop": None,
        "compiled": False}


def agrees(opt, R: int, engine: str) -> bool | str:
    """True when ``engine`` ("oblivious" or "sparse") reproduces the dense engine (the
    registry optimizer's own step) on the probe game for ``opt`` over ``R`` runs, else
    the reason it declines.  See the module docs."""
    fast = {"oblivious": run_oblivious, "sparse": run_sparse}
    if engine not in fast:
        raise ValueError(f"agrees: engine must be 'oblivious' or 'sparse'; got {engine!r}")
    game = _ProbeGame(R)
    theta0 = np.zeros((R, game.d))
    try:
        ref = run_dense(game, opt, theta0, PROBE_T, dict(_CFG), _NoBar())
        got = fast[engine](game, opt, theta0, PROBE_T, dict(_CFG), _NoBar())
    except (ValueError, ArithmeticError, FloatingPointError) as exc:
        return (f"the {engine} engine failed on the probe game against {opt.name!r}'s own "
                f"step ({type(exc).__name__}: {exc})")
    # the losses <a_t, theta_t> of every step show every iterate; theta_{T+1} the last
    pairs = ((ref.losses, got.losses, "losses"), (ref.theta_final, got.theta_final, "theta"))
    for want, have, what in pairs:
        want, have = np.asarray(want), np.asarray(have)
        with np.errstate(invalid="ignore", over="ignore"):   # inf - inf: compared below
            scale = np.max(np.abs(want[np.isfinite(want)]), initial=0.0)
            err = np.abs(have - want)
            rel = err / np.where(want != 0, np.abs(want), 1.0)
        fin = np.isfinite(err)
        if not np.all(np.isfinite(have) == np.isfinite(want)) or \
                np.any(err[fin] > RTOL * (np.abs(want[fin]) + scale)):
            worst = float(np.max(rel[np.isfinite(rel)], initial=np.inf))
            return (f"the {engine} engine's closed form does not reproduce {opt.name!r}'s "
                    f"own step on the probe game ({what} differ by up to {worst:.3g} "
                    f"relative; the update rule or a convention changed?); the dense "
                    f"engine runs the registry's step")
    return True


__all__ = ["PROBE_T", "RTOL", "agrees"]
