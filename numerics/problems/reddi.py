r"""Reddi, Kale & Kumar's one-dimensional linear counterexamples to Adam.

Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond", ICLR 2018.

``rkk-thm1`` -- Theorem 1 (proof in Appendix A): on :math:`F = [-1, 1]`,

.. math:: f_t(x) = \begin{cases} C x & t \bmod 3 = 1 \\ -x & \text{otherwise}
          \end{cases}, \qquad C > 2,

for which Adam with :math:`\beta_1 = 0`, :math:`\beta_2 = 1/(1+C^2)`,
:math:`\alpha_t = \alpha/\sqrt t` (:math:`\alpha < \sqrt{1-\beta_2}`) has
:math:`R_T/T \not\to 0`, while the optimum is :math:`x = -1`.

``rkk-online`` -- §5 ("Synthetic Experiments"), online setting:
:math:`f_t(x) = 1010 x` for :math:`t \bmod 101 = 1`, :math:`-10 x` otherwise,
on :math:`F = [-1, 1]` (the paper runs :math:`\beta_1 = 0.9`,
:math:`\beta_2 = 0.99`).

Both are one periodic game with parameters ``C`` (the slope at the steps
:math:`t \equiv 1 \pmod{\mathrm{period}}`, i.e. :math:`t = 1, 1+p, 1+2p, \dots`),
``period`` p and ``slope_other`` b (the loss is :math:`-b x` at every other
step).  Over a full period the coefficients sum to :math:`C - (p-1)b`, so for
:math:`C > (p-1)b` the best fixed point is :math:`x^* = -1`.

``rkk-stochastic`` -- §5, stochastic setting (the instance of Theorem 3's
construction used in the experiment): :math:`f_t(x) = 1010 x` with probability
0.01 and :math:`-10 x` otherwise, i.i.d. over t; parameters ``C``,
``slope_other``, ``prob``.  Its expected loss :math:`\mathbb E f_t(x) = (pC -
(1-p)b)\,x = 0.2\,x` is minimized at :math:`x = -1`.  The comparator here is the
best fixed point *in hindsight* for the sampled sequence (the regret of the
online game); the paper's stochastic plots use the expected loss instead.

All three are linear and oblivious: the simulator may call
:meth:`~._base.LinearInstance.linear_coefficients` and skip the per-step loop.
The comparator is exact: with :math:`n_1(t)` the number of steps :math:`s \le t`
carrying slope C, :math:`S_t = C n_1(t) - b(t - n_1(t))` and
:math:`\min_{x\in[-1,1]} S_t x = -|S_t|` at :math:`x^* = -\operatorname{sign}(S_t)`
(0 when :math:`S_t = 0`).
"""
from __future__ import annotations

import numpy as np

from .. import domains as _domains
from ..comparator import linear_comparator
from ._base import Param, Problem
from ._instance import LinearInstance
from ._registry import register

_F = _domains.Box(-1.0, 1.0, d=1)


class _ReddiInstance(LinearInstance):
    """Shared: exact prefix sums S_t = C n_1(t) - b (t - n_1(t)) from the counts n_1(t)."""

    memo_sums = False         # the sums are exact counts, no pass over the data

    chunk = 1 << 20

    def _counts(self, t0: int, t1: int, before: np.ndarray) -> np.ndarray:  # pragma: no cover
        """n_1(t) for t = t0+1..t1, shape (t1 - t0, R), given n_1(t0) = ``before`` (R,)."""
        raise NotImplementedError

    def _sums(self, t0, n1):
        p = self.problem
        t = np.arange(t0 + 1, t0 + 1 + n1.shape[0], dtype=np.float64)[:, None]
        return p.C * n1 - p.slope_other * (t - n1)

    def _prefix_chunks(self, t1: int):
        """Yield (s, e, S_t for t = s+1..e) for consecutive chunks up to t1, in one pass."""
        before = np.zeros(self.runs)
        for s in range(0, t1, self.chunk):
            e = min(s + self.chunk, t1)
            n1 = self._counts(s, e, before)
            before = n1[-1]
            yield s, e, self._sums(s, n1)

    def _S(self, t: int) -> np.ndarray:
        """S_t, shape (R,) (S_0 = 0)."""
        out = np.zeros(self.runs)
        for _, _, S in self._prefix_chunks(t):
            out = S[-1]
        return out

    def coefficient_sum(self, t0: int = 0, t1: int | None = None) -> np.ndarray:
        t1 = self.T if t1 is None else t1
        return (self._S(t1) - self._S(t0))[:, None]

    def prefix_best_losses(self) -> np.ndarray:
        out = np.empty((self.T, self.runs))
        for s, e, S in self._prefix_chunks(self.T):
            out[s:e] = -np.abs(S)
        return out

    def _comparator(self):
        S = self.coefficient_sum()
        return linear_comparator(self.domain, S, total_loss=-np.abs(S[:, 0]))


class PeriodicInstance(_ReddiInstance):
    block_len = 1 << 16

    def _coeffs(self, t0, t1):
        p = self.problem
        t = np.arange(t0 + 1, t1 + 1)
        a = np.where((t - 1) % p.period == 0, p.C, -p.slope_other)
        return np.broadcast_to(a[:, None, None], (t1 - t0, self.runs, 1))

    def _counts(self, t0, t1, before=None):
        t = np.arange(t0 + 1, t1 + 1)
        n1 = ((t - 1) // self.problem.period + 1).astype(np.float64)
        return np.broadcast_to(n1[:, None], (t1 - t0, self.runs))

    def _S(self, t):
        if t == 0:
            return np.zeros(self.runs)
        return self._sums(t - 1, self._counts(t - 1, t))[-1]

    def _loss(self, t, x):
        return self._coeffs(t - 1, t)[0, :, 0] * x[:, 0]

    def _grad(self, t, x):
        return np.array(self._coeffs(t - 1, t)[0])


class PeriodicLinear(Problem):
    r"""Reddi et al.'s periodic linear game on [-1, 1]; see the module docstring."""

    params_spec = (
        Param("C", "real", 3.0, "slope at the steps t = 1 (mod period)"),
        Param("period", "int", 3, "the period p (an int >= 1)"),
        Param("slope_other", "real", 1.0, "b: the loss is -b x at the other steps"),
    )
    oblivious = linear = True
    fixed_domain = _F
    instance_cls = PeriodicInstance

    def gradient_bounds(self) -> dict:
        g = max(abs(self.C), abs(self.slope_other) if self.period > 1 else 0.0)
        return {"G": g, "G_inf": g}


class StochasticInstance(_ReddiInstance):
    block_len = 1 << 16

    def _gen_block(self, rng, b):
        return {"hit": rng.random(self.block_len) < self.problem.prob}

    def _coeffs(self, t0, t1):
        p = self.problem
        hit = self._range(t0, t1)["hit"]            # (R, n)
        return np.where(hit, p.C, -p.slope_other).T[:, :, None]

    def _counts(self, t0, t1, before):
        hits = self._range(t0, t1)["hit"]            # (R, n)
        return before[None, :] + np.cumsum(hits, axis=1).T


class StochasticLinear(Problem):
    r"""Reddi et al.'s stochastic linear game on [-1, 1]; see the module docstring."""

    params_spec = (
        Param("C", "real", 1010.0, "slope with probability prob"),
        Param("slope_other", "real", 10.0, "b: the loss is -b x otherwise"),
        Param("prob", "prob", 0.01, "probability of the slope C, in (0, 1)"),
    )
    oblivious = linear = True
    fixed_domain = _F
    instance_cls = StochasticInstance

    def gradient_bounds(self) -> dict:
        g = max(abs(self.C), abs(self.slope_other))
        return {"G": g, "G_inf": g}


_SRC = "Reddi, Kale & Kumar, On the Convergence of Adam and Beyond, ICLR 2018"
register("rkk-thm1", PeriodicLinear,
         summary="f_t(x) = C x if t = 1 (mod 3), -x otherwise, on [-1, 1]",
         source=f"{_SRC}, Theorem 1 (C > 2; proof in Appendix A)")
register("rkk-online", PeriodicLinear,
         summary="f_t(x) = 1010 x if t = 1 (mod 101), -10 x otherwise, on [-1, 1]",
         source=f"{_SRC}, Section 5 (synthetic experiments, online setting)",
         defaults={"C": 1010.0, "period": 101, "slope_other": 10.0})
register("rkk-stochastic", StochasticLinear,
         summary="f_t(x) = 1010 x with probability 0.01, -10 x otherwise, on [-1, 1]",
         source=f"{_SRC}, Section 5 (synthetic experiments, stochastic setting; cf. Theorem 3)")
