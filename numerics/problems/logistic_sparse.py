r"""Online logistic regression on sparse bag-of-words features (``logistic-sparse``).

The setting of Kingma & Ba, "Adam: A Method for Stochastic Optimization",
ICLR 2015, §6.1: logistic regression on the IMDB movie reviews as sparse
bag-of-words vectors, where most words are rare -- the case for which §4's regret bound (Theorem 4.1, Corollary 4.2) improves on
:math:`O(d\sqrt T)` through :math:`\sum_i\|g_{1:T,i}\|_2`.  Word frequencies in
natural text follow Zipf's law, :math:`P(\text{word of rank } i) \propto
i^{-s}` with :math:`s \approx 1` (Zipf, "Human Behavior and the Principle of
Least Effort", 1949).

Each step's document holds exactly :math:`k = \max(1, \operatorname{round}(
\mathrm{density}\cdot d))` distinct words, drawn by successive sampling
without replacement from the Zipf(s) law on :math:`\{0, \dots, d-1\}`
(feature 0 the most frequent); the feature vector has value v on those words
(v = 1, or :math:`1/\sqrt k` with ``normalize``) and 0 elsewhere.  Labels:
:math:`P(y_t = 1) = \sigma(v\sum_{j\in\text{doc}} w^*_j)` with hidden weights
:math:`w^*_j = \mathrm{signal}/(v\sqrt k)\cdot\Phi^{-1}(u_j)`, :math:`u_j` a
splitmix64 hash of (run key, j) -- so :math:`w^*` is never stored, whatever d.

.. math:: f_t(x) = \log\bigl(1 + e^{-y_t v\sum_{j\in S_t} x_j}\bigr), \qquad
          \nabla f_t(x) = -y_t v\,\sigma(-m_t)\,\mathbf 1_{S_t}.

Gradients travel as ``(indices, values)`` of shape (R, k), indices sorted;
one step costs O(R k), never O(d) (:meth:`SparseLogisticInstance.support`,
:meth:`~SparseLogisticInstance.loss_and_grad_support`).  No L2 term (it would
make every gradient dense), so F is a box :math:`[-r, r]^d` (separable, as the
O(nnz) path needs).

Sampling: i.i.d. Zipf draws by inverse CDF, keeping the first k distinct
(extending a document's stream until it has k); when that would need too many
draws (:math:`U(8k) < 1.1k` for the expected number :math:`U(n) = \sum_i
1-(1-p_i)^n` of distinct words in n draws), the Gumbel-top-k trick instead
(Vieira 2014; Kool, van Hoof & Welling, ICML 2019), which has the same law.

Comparator: the damped projected Newton method of
:func:`~adamlab.numerics.comparator_solvers.trust_newton_box` (L-BFGS-B as the fallback)
on the sparse matrix A (``scipy.sparse.csr_matrix``, T rows, nnz = T k) restricted to
the words that occur at least once (the others have zero gradient; they stay at 0),
certified by the Frank--Wolfe gap.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import sparse, special

from ..comparator import DEFAULT_TOL, assemble, within
from ..comparator_solvers import lbfgsb, trust_newton_box
from ..domains import Box
from ._base import Param, Problem, check_int, rng_for
from ._instance import Instance
from .logistic import logistic_total, softplus_neg
from ._registry import register

_M1, _M2, _G = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB), \
    np.uint64(0x9E3779B97F4A7C15)


def hash_normal(key: np.uint64, idx: np.ndarray) -> np.ndarray:
    r"""Standard normal values :math:`\Phi^{-1}(u)`, u from splitmix64(key + (i+1)·golden)."""
    z = (idx.astype(np.uint64) + np.uint64(1)) * _G + key
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    z = z ^ (z >> np.uint64(31))
    u = ((z >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0 ** -53
    return special.ndtri(u)


class ZipfSampler:
    """Documents of k distinct words from Zipf(s) on d words; see the module docstring."""

    def __init__(self, d: int, k: int, s: float):
        p = np.arange(1, d + 1, dtype=np.float64) ** (-s)
        self.p = p / p.sum()
        self.cdf = np.cumsum(self.p)
        self.cdf[-1] = 1.0
        self.d, self.k = d, k
        expected = float(np.sum(-np.expm1(8 * k * np.log1p(-np.minimum(self.p, 1 - 1e-16)))))
        self.method = "rejection" if (k < d and expected >= 1.1 * k) else "gumbel"

    def block_len(self) -> int:
        per = self.k if self.method == "rejection" else self.d
        return int(max(1, min(1024, (1 << 17) // max(per, 1))))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n documents: sorted int64 indices of shape (n, k)."""
        if self.method == "gumbel":
            keys = np.log(self.p) - np.log(-np.log(rng.random((n, self.d))))
            top = np.argpartition(-keys, self.k - 1, axis=1)[:, :self.k]
            return np.sort(top, axis=1).astype(np.int64)
        out = np.empty((n, self.k), dtype=np.int64)
        rows = np.arange(n)
        cand = np.empty((n, 0), dtype=np.int64)
        m = int(1.5 * self.k) + 16
        while rows.size:
            new = np.searchsorted(self.cdf, rng.random((rows.size, m)), side="right")
            cand = np.concatenate([cand, new], axis=1)
            order = np.argsort(cand, axis=1, kind="stable")
            sv = np.take_along_axis(cand, order, axis=1)
            first = np.ones(sv.shape, dtype=bool)
            first[:, 1:] = sv[:, 1:] != sv[:, :-1]
            ok = first.sum(axis=1) >= self.k
            pos = np.sort(np.where(first, order, cand.shape[1]), axis=1)[:, :self.k]
            picked = np.take_along_axis(cand[ok], pos[ok], axis=1)
            out[rows[ok]] = np.sort(picked, axis=1)
            rows, cand = rows[~ok], cand[~ok]
        return out


class SparseLogisticInstance(Instance):

    def __init__(self, *args):
        super().__init__(*args)
        self.block_len = self.problem.sampler.block_len()
        self._keys = {}

    def _key(self, r: int) -> np.uint64:
        if r not in self._keys:
            ss = np.random.SeedSequence(self.seed, spawn_key=(r, 1, 0))
            self._keys[r] = ss.generate_state(1, dtype=np.uint64)[0]
        return self._keys[r]

    def _run_block(self, r, b):
        rr = 0 if self.shared else r
        p, rng = self.problem, rng_for(self.seed, rr, 0, b)
        idx = p.sampler.sample(rng, self.block_len)
        margin = p.value * p.w_scale * hash_normal(self._key(rr), idx).sum(axis=1)
        y = np.where(rng.random(self.block_len) < special.expit(margin), 1.0, -1.0)
        return {"idx": idx, "y": y}

    # -- the O(k) per-step interface --------------------------------------------------
    def support(self, t: int) -> np.ndarray:
        """The words of step t's documents: sorted int64 indices, shape (R, k)."""
        return np.array(self._step(self._t(t))["idx"])

    def loss_and_grad_support(self, t: int, theta_support):
        r"""``(f_t (R,), values (R, k))`` from :math:`\theta` at :meth:`support` (t) only."""
        t = self._t(t)
        v = self._support_vals(theta_support, "theta_support")
        return self._lg_vals(t, v)

    def _support_vals(self, vals, name):
        owner, shape = self.problem.name, (self.runs, self.problem.k)
        if not isinstance(vals, np.ndarray) or vals.dtype not in (np.float32, np.float64):
            raise TypeError(f"{owner}: {name} must be a float32/float64 array of shape {shape}")
        if vals.shape != shape:
            raise ValueError(f"{owner}: {name} must have shape (R, k) = {shape}; got "
                             f"{vals.shape} (mismatched dimensions)")
        if not np.all(np.isfinite(vals)):
            raise ValueError(f"{owner}: {name} must be finite; found NaN or inf")
        return vals

    def _lg_vals(self, t, vals):
        p, y = self.problem, self._step(t)["y"]
        m = y * p.value * vals.sum(axis=1, dtype=np.float64)
        coef = -y * p.value * special.expit(-m)
        gv = np.broadcast_to(coef[:, None], vals.shape).astype(vals.dtype)
        return softplus_neg(m).astype(vals.dtype), gv

    def _gather(self, t, theta):
        x = self._theta(theta, finite=False)
        idx = self._step(t)["idx"]
        vals = np.take_along_axis(x, idx, axis=1) if x.strides[0] else x[0][idx]
        return idx, self._support_vals(vals, "theta (at the step's support)")

    def loss_and_grad_sparse(self, t: int, theta):
        """``(f_t (R,), idx (R, k), values (R, k))``; reads theta only at the support."""
        t = self._t(t)
        idx, vals = self._gather(t, theta)
        f, g = self._lg_vals(t, vals)
        return f, np.array(idx), g

    def grad_sparse(self, t: int, theta):
        """The gradient as ``(idx (R, k) int64 sorted, values (R, k))``, in O(R k)."""
        _, idx, g = self.loss_and_grad_sparse(t, theta)
        return idx, g

    def loss(self, t: int, theta) -> np.ndarray:
        return self.loss_and_grad_sparse(t, theta)[0]

    def _dense(self, x, idx, g):
        out = np.zeros((self.runs, self.d), dtype=x.dtype)
        np.put_along_axis(out, idx, g, axis=1)
        return out

    def grad(self, t: int, theta) -> np.ndarray:
        """The same gradient as a dense (R, d) array: O(R d), a reference for tests."""
        x = self._theta(theta)
        _, idx, g = self.loss_and_grad_sparse(t, x)
        return self._dense(x, idx, g)

    def loss_and_grad(self, t: int, theta):
        x = self._theta(theta)
        f, idx, g = self.loss_and_grad_sparse(t, x)
        return f, self._dense(x, idx, g)

    # -- whole-horizon data -------------------------------------------------------------
    def matrix(self, r: int) -> sparse.csr_matrix:
        """Run r's signed data matrix A (rows :math:`y_t v\\,\\mathbf 1_{S_t}`): CSR, (T, d)."""
        data, k = self.run_data(r), self.problem.k
        vals = np.repeat(data["y"] * self.problem.value, k)
        indptr = np.arange(self.T + 1, dtype=np.int64) * k
        return sparse.csr_matrix((vals, data["idx"].ravel(), indptr), shape=(self.T, self.d))

    def _cumulative(self, x):
        return np.array([float(np.sum(softplus_neg(self.matrix(r) @ x[r])))
                         for r in range(self.runs)])

    def _comparator(self):
        todo, run_map = self._distinct_runs()
        results, x0 = [], self.problem.x0(1)[0]
        lo = np.broadcast_to(self.domain.lo, (self.d,))
        hi = np.broadcast_to(self.domain.hi, (self.d,))
        for r in todo:
            A = self.matrix(r)
            used = np.unique(A.indices)
            Ared = A[:, used].tocsr()
            AredT = Ared.T.tocsr()          # formed once, not in every product
            fgh = (lambda z, need_hess=True, Ared=Ared, AredT=AredT:
                   logistic_total(Ared, z, 0.0, need_hess, AT=AredT))
            box = Box(lo[used], hi[used])
            res = trust_newton_box(fgh, x0[used], box)
            res["solver"] = "trust-newton"
            if not within(res, DEFAULT_TOL):      # the fallback, from the best point so far
                res = min(res, lbfgsb(fgh, res["theta"], box, scale=float(self.T)),
                          key=lambda r: r["bound"])
                res["solver"] = "trust-newton + L-BFGS-B"
            theta = x0.copy()
            theta[used] = res["theta"]
            res["theta"] = theta
            res["n_used"] = int(used.size)
            results.append(res)
        return assemble(results, run_map, "trust-region Newton",
                        info={"words_used": [results[i]["n_used"] for i in run_map],
                              "solver": [results[i]["solver"] for i in run_map]})


class SparseLogistic(Problem):
    r"""Online logistic regression on Zipf bag-of-words; see the module docstring."""

    params_spec = (
        Param("d", "int", 10_000, "vocabulary size (up to 10^6 and beyond)", high=2**31 - 1),
        Param("density", "fraction", 0.01, "fraction of the vocabulary in each document: "
                                           "k = max(1, round(density d)) words"),
        Param("zipf", "nonneg", 1.0, "Zipf exponent s (0: uniform)"),
        Param("signal", "nonneg", 3.0, "std of the hidden margin"),
        Param("normalize", "bool", False, "feature value 1/sqrt(k) instead of 1"),
        Param("domain", "domain", "box", "F (separable)"),
        Param("radius", "positive", 1.0, "F = [-radius, radius]^d"),
    )
    sparse = True
    domain_choices = ("box", "linf")
    instance_cls = SparseLogisticInstance

    def _setup(self):
        self.k = max(1, int(round(self.density * self.d)))
        self.value = 1.0 / math.sqrt(self.k) if self.normalize else 1.0
        self.w_scale = self.signal / (self.value * math.sqrt(self.k))
        self.sampler = ZipfSampler(self.d, self.k, self.zipf)
        check_int(self.name, "k = round(density * d)", self.k, 1, self.d)

    def gradient_bounds(self) -> dict:
        return {"G": self.value * math.sqrt(self.k), "G_inf": self.value}


register("logistic-sparse", SparseLogistic,
         summary="online logistic regression on Zipf-distributed sparse bag-of-words features",
         source="Kingma & Ba, Adam, ICLR 2015, Section 6.1 (IMDB bag-of-words logistic "
                "regression); Zipf (1949) word frequencies")
