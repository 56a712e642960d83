r"""What :meth:`Problem.sample` returns: :class:`Instance` (one horizon of R runs'
data, loss and gradient evaluation, the comparator) and :class:`LinearInstance`
(linear losses :math:`f_t(x) = \langle a_t, x\rangle`).  Seeding and the data
blocks are described in :mod:`._base`."""
from __future__ import annotations

import math
import threading
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import comparator_cache
from ._base import check_int, rng_for, rowdot

if TYPE_CHECKING:
    from ._base import Problem

__all__ = ["BlockStore", "Instance", "LinearInstance"]

COMPARATOR_MEMO = 4
"""How many comparators a problem object remembers (see :meth:`Instance.comparator`)."""
CACHE_MIN_SECONDS = 0.2
_MEMO_LOCK = threading.Lock()
"""Comparators that took at least this long to solve are stored on disk."""


class Instance:
    """The sampled data of R runs of a problem over T steps.

    Subclasses implement ``_loss(t, x)``, ``_grad(t, x)`` (and optionally
    ``_loss_grad``) on validated 2-D ``x`` of shape (R, d), and ``_comparator()``.
    Data are generated per block by ``_gen_block(rng, b)`` -> dict of arrays
    with leading axis ``block_len`` (see the module docstring).
    """

    block_len = 4096

    def __init__(self, problem: Problem, T: int, runs: int, seed: int, shared: bool):
        self.problem, self.T, self.runs, self.seed, self.shared = problem, T, runs, seed, shared
        self.d, self.domain = problem.d, problem.domain
        self._cache_b, self._cache = -1, None
        self._comp = None
        self._kept = None              # a BlockStore keeping every block drawn (keep_blocks)

    def __repr__(self) -> str:
        return (f"Instance[{self.problem.name}](T={self.T}, runs={self.runs}, seed={self.seed}"
                f"{', shared=True' if self.shared else ''})")

    # -- validation -------------------------------------------------------------
    def _t(self, t: Any) -> int:
        return check_int(self.problem.name, "t", t, 1, self.T)

    def _theta(self, theta: Any, name: str = "theta", finite: bool = True) -> np.ndarray:
        owner = self.problem.name
        if not isinstance(theta, np.ndarray):
            raise TypeError(f"{owner}: {name} must be a float array of shape (R, d) = "
                            f"({self.runs}, {self.d}); got {type(theta).__name__}")
        if theta.dtype not in (np.float32, np.float64):
            raise TypeError(f"{owner}: {name} must have dtype float32 or float64; got "
                            f"{theta.dtype}")
        if theta.shape == (self.d,):
            theta = np.broadcast_to(theta, (self.runs, self.d))
        if theta.shape != (self.runs, self.d):
            raise ValueError(f"{owner}: {name} must have shape (R, d) = ({self.runs}, "
                             f"{self.d}) or (d,); got {theta.shape} (mismatched dimensions)")
        if finite and not math.isfinite(float(np.sum(theta))) and \
                not np.all(np.isfinite(theta)):
            raise ValueError(f"{owner}: {name} must be finite; found NaN or inf")
        return theta

    # -- public API ---------------------------------------------------------------
    def loss(self, t: int, theta) -> np.ndarray:
        r""":math:`f_t(\theta)` for each run: shape (R,)."""
        t, x = self._t(t), self._theta(theta)
        return self._loss(t, x).astype(x.dtype, copy=False)

    def grad(self, t: int, theta) -> np.ndarray:
        r"""A (sub)gradient :math:`g_t = \nabla f_t(\theta)` as a dense (R, d) array."""
        t, x = self._t(t), self._theta(theta)
        return self._grad(t, x).astype(x.dtype, copy=False)

    def loss_and_grad(self, t: int, theta):
        """``(loss(t, theta), grad(t, theta))`` in one pass."""
        t, x = self._t(t), self._theta(theta)
        f, g = self._loss_grad(t, x)
        return f.astype(x.dtype, copy=False), g.astype(x.dtype, copy=False)

    def _loss_grad(self, t, x):
        return self._loss(t, x), self._grad(t, x)

    def cumulative_loss(self, theta) -> np.ndarray:
        r""":math:`\sum_{t=1}^T f_t(\theta)` for a fixed point per run: shape (R,)."""
        x = self._theta(theta).astype(np.float64)
        return self._cumulative(x)

    def _cumulative(self, x):
        return np.sum([self._loss(t, x) for t in range(1, self.T + 1)], axis=0)

    def comparator(self):
        r"""The best fixed point in hindsight, :math:`\min_{x\in F}\sum_{t\le T} f_t(x)` (cached).

        The data are a function of ``(problem, T, runs, seed, shared)`` alone, so
        the comparator is also remembered on the problem object for the last
        :data:`COMPARATOR_MEMO` such keys: the series of one experiment (one
        problem, several optimizers) solve it once, not once each.  Adaptive
        problems, whose losses depend on the iterates played, are never shared.
        """
        if self._comp is None:
            if getattr(self.problem, "adaptive", False):
                self._comp = self._comparator()
                return self._comp
            key = (self.T, self.runs, self.seed, self.shared)
            with _MEMO_LOCK:
                memo = self.problem.__dict__.setdefault("_comparator_memo", {})
                comp = memo.get(key)
            if comp is None:                  # solved outside the lock (threads in parallel)
                comp = self._solved_or_cached()
                with _MEMO_LOCK:
                    while len(memo) >= COMPARATOR_MEMO:
                        memo.pop(next(iter(memo)))
                    memo[key] = comp
            self._comp = comp
        return self._comp

    def _solved_or_cached(self):
        """From the disk cache (:mod:`..comparator_cache`) when there, else solved (and
        stored when it took at least :data:`CACHE_MIN_SECONDS` and is certified)."""
        key = comparator_cache.key_of(self.problem, self.T, self.runs, self.seed, self.shared)
        comp = comparator_cache.load(key)
        if comp is not None and self._same_data(comp):
            return comp
        start = time.perf_counter()
        comp = self._comparator()
        seconds = time.perf_counter() - start
        comp.info.setdefault("seconds", round(seconds, 3))
        if seconds >= CACHE_MIN_SECONDS:
            comparator_cache.store(key, comp)
        return comp

    def _same_data(self, comp) -> bool:
        """Verify, do not trust: a cached comparator is used only if its total loss is
        this instance's total loss at its point (to 1e-9 relative), so that data which
        changed under the same key (a new sampler, the same version number) are solved
        again."""
        with np.errstate(all="ignore"):
            here = np.asarray(self._cumulative(comp.theta), dtype=np.float64).reshape(-1)
        want = np.asarray(comp.total_loss, dtype=np.float64).reshape(-1)
        return here.shape == want.shape and bool(np.all(
            np.abs(here - want) <= 1e-9 * np.maximum(1.0, np.abs(want))))

    def _comparator(self):  # pragma: no cover - abstract
        raise NotImplementedError

    # -- data blocks ----------------------------------------------------------------
    def _gen_block(self, rng: np.random.Generator, b: int) -> dict:  # pragma: no cover
        raise NotImplementedError

    def _run_block(self, r: int, b: int) -> dict:
        return self._gen_block(rng_for(self.seed, 0 if self.shared else r, 0, b), b)

    def keep_blocks(self, store: "BlockStore") -> None:
        """Keep every data block this instance draws in ``store`` (within its budget), so
        that playing the same game again (another optimizer on the same data) does not
        draw it again.  The blocks are the same arrays, bit for bit."""
        if not isinstance(store, BlockStore):
            raise TypeError(f"keep_blocks: store must be a BlockStore; got "
                            f"{type(store).__name__}")
        self._kept = store

    def _block(self, b: int) -> dict:
        """Block b for all runs: arrays of shape (R, block_len, ...), cached one at a time
        (and kept, see :meth:`keep_blocks`)."""
        if b != self._cache_b:
            data = self._kept.get(self, b) if self._kept is not None else None
            if data is None:
                data = self._draw_block(b)
                if self._kept is not None:
                    self._kept.put(self, b, data)
            self._cache_b, self._cache = b, data
        return self._cache

    def _draw_block(self, b: int) -> dict:
        if self.shared:
            one = self._run_block(0, b)
            return {k: np.broadcast_to(v, (self.runs,) + v.shape) for k, v in one.items()}
        per = [self._run_block(r, b) for r in range(self.runs)]
        return {k: np.stack([p[k] for p in per]) for k in per[0]}

    def _step(self, t: int) -> dict:
        """The data of step t for all runs: arrays of shape (R, ...)."""
        b, off = divmod(t - 1, self.block_len)
        return {k: v[:, off] for k, v in self._block(b).items()}

    def _range(self, t0: int, t1: int) -> dict:
        """Data of steps t0+1..t1 for all runs: arrays of shape (R, t1 - t0, ...)."""
        parts = []
        b0, b1 = t0 // self.block_len, (t1 - 1) // self.block_len
        for b in range(b0, b1 + 1):
            lo = max(t0 - b * self.block_len, 0)
            hi = min(t1 - b * self.block_len, self.block_len)
            parts.append({k: v[:, lo:hi] for k, v in self._block(b).items()})
        return {k: np.concatenate([p[k] for p in parts], axis=1) for k in parts[0]}

    def run_data(self, r: int) -> dict:
        """All T steps of run r's data: arrays with leading axis T (not cached)."""
        r = check_int(self.problem.name, "r", r, 0, self.runs - 1)
        nb = -(-self.T // self.block_len)
        parts = [self._run_block(r, b) for b in range(nb)]
        return {k: np.concatenate([p[k] for p in parts])[:self.T] for k in parts[0]}

    def _distinct_runs(self):
        """(runs to solve, map run -> solved index): with shared data, one solve serves all."""
        return ([0], np.zeros(self.runs, dtype=np.int64)) if self.shared else \
            (list(range(self.runs)), np.arange(self.runs))


class BlockStore:
    """Data blocks kept for the instances that :meth:`Instance.keep_blocks` names, up to
    ``budget_bytes`` in all (after that, blocks are drawn again, as without a store).

    Integer arrays are kept in the smallest integer type that holds their values (the
    words of a document: 2 bytes each for up to 65,536 words) and handed back in their
    own type, so a kept block is the drawn one exactly.  The store belongs to whoever made
    it (e.g. one regret experiment) and goes with it."""

    def __init__(self, budget_bytes: int = 512 * 2**20):
        if isinstance(budget_bytes, bool) or not isinstance(budget_bytes, (int, np.integer)) \
                or budget_bytes < 0:
            raise ValueError(f"BlockStore: budget_bytes must be an int >= 0; got "
                             f"{budget_bytes!r}")
        self.budget_bytes = int(budget_bytes)
        self.used_bytes = 0
        self._blocks: dict = {}

    def put(self, inst: "Instance", b: int, data: dict) -> bool:
        """Keep block b of ``inst`` if it fits; True when kept."""
        if self.used_bytes >= self.budget_bytes:       # full: nothing more to pack
            return False
        packed = {}
        size = 0
        for k, v in data.items():
            arr = np.asarray(v)
            if arr.dtype.kind in "iu" and arr.size:
                small = np.promote_types(np.min_scalar_type(int(arr.min())),
                                         np.min_scalar_type(int(arr.max())))
                packed[k] = (arr.astype(small), arr.dtype)
            else:
                packed[k] = (np.array(arr), None)
            size += packed[k][0].nbytes
        if self.used_bytes + size > self.budget_bytes:
            return False
        self._blocks[(id(inst), b)] = (inst, packed)
        self.used_bytes += size
        return True

    def get(self, inst: "Instance", b: int) -> dict | None:
        """Block b of ``inst`` as drawn, or None when it was not kept."""
        entry = self._blocks.get((id(inst), b))
        if entry is None or entry[0] is not inst:
            return None
        return {k: (v.astype(dtype) if dtype is not None else v.copy())
                for k, (v, dtype) in entry[1].items()}


class LinearInstance(Instance):
    r"""Instances of linear losses :math:`f_t(x) = \langle a_t, x\rangle` (oblivious or adaptive).

    :meth:`coefficient_sum` over the whole horizon (the comparator's :math:`S`) adds the
    coefficients chunk by chunk.  When :meth:`linear_coefficients` hands out exactly
    those chunks in order (the loop-free engine does), each is added as it goes out, with
    the same operations, so the comparator then costs no second pass over the data: the
    same bits, without generating the coefficients again.  ``memo_sums`` declares this;
    a subclass whose sums come in closed form sets it False.
    """

    memo_sums = True

    def _sum_chunk(self) -> int:
        return max(1, 2**20 // max(1, self.runs * self.d))

    def _observe(self, t0: int, t1: int, a: np.ndarray) -> None:
        """Add chunk (t0, t1) to the running sum when it is the next chunk of the grid."""
        if not self.memo_sums or t1 != min(t0 + self._sum_chunk(), self.T):
            return
        done = getattr(self, "_sum_done", 0)
        if t0 != done:
            return
        if t0 == 0:
            self._sum_acc = np.zeros((self.runs, self.d))
        self._sum_acc += a.sum(axis=0)
        self._sum_done = t1

    def linear_coefficients(self, t0: int, t1: int) -> np.ndarray:
        r"""The coefficients :math:`a_t` of steps :math:`t = t_0+1, \dots, t_1`: shape (t1-t0, R, d).

        Python-slice convention on 0-based step positions: ``(0, T)`` is the
        whole horizon and row j is step :math:`t = t_0 + 1 + j`.
        """
        owner = self.problem.name
        t0 = check_int(owner, "t0", t0, 0, self.T - 1)
        t1 = check_int(owner, "t1", t1, t0 + 1, self.T)
        a = self._coeffs(t0, t1)
        self._observe(t0, t1, a)
        return a

    def _coeffs(self, t0, t1):
        return np.moveaxis(self._range(t0, t1)["a"], 1, 0)

    def _loss(self, t, x):
        return rowdot(self._coeffs(t - 1, t)[0], x)

    def _grad(self, t, x):
        return np.array(self._coeffs(t - 1, t)[0], dtype=np.float64)

    def coefficient_sum(self, t0: int = 0, t1: int | None = None) -> np.ndarray:
        r""":math:`\sum_{t=t_0+1}^{t_1} a_t`, shape (R, d) (default: the whole horizon)."""
        t1 = self.T if t1 is None else t1
        if t0 == 0 and t1 == self.T and getattr(self, "_sum_done", 0) == self.T:
            return self._sum_acc.copy()          # summed as the chunks went out (see above)
        out = np.zeros((self.runs, self.d))
        chunk = self._sum_chunk()
        for s in range(t0, t1, chunk):
            out += self._coeffs(s, min(s + chunk, t1)).sum(axis=0)
        return out

    def _cumulative(self, x):
        return rowdot(self.coefficient_sum(), x)

    def prefix_best_losses(self) -> np.ndarray:
        r""":math:`\min_{x\in F}\sum_{s\le t} f_s(x) = -\sigma_F(-S_t)` for every t: shape (T, R).

        The comparator of each prefix in closed form (for the stats'
        ``regret_prefix``), computed chunk by chunk.
        """
        out = np.empty((self.T, self.runs))
        acc = np.zeros((self.runs, self.d))
        chunk = max(1, 2**20 // max(1, self.runs * self.d))
        for s in range(0, self.T, chunk):
            e = min(s + chunk, self.T)
            S = acc + np.cumsum(self._coeffs(s, e), axis=0)
            out[s:e] = -self.domain.support(-S.reshape(-1, self.d)).reshape(e - s, self.runs)
            acc = S[-1]
        return out

    def _comparator(self):
        from ..comparator import linear_comparator
        return linear_comparator(self.domain, self.coefficient_sum())
