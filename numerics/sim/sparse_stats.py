r"""The schema statistics at O(nnz) (or O(nnz log d)) per step, for the lazy sparse engine.

What the dense recorder (:class:`.stats.DenseRecorder`) computes from full
(R, d) arrays, this one maintains incrementally from the touched coordinates:

* ``G``, ``G_inf``: untouched coordinates have :math:`g_{t,i} = 0`;
* ``sum_g_norm``: :math:`\sum_i\sqrt{S_i}` with :math:`S_i = \sum_s g_{s,i}^2`,
  updated by the change of the touched terms (each change is >= 0);
* ``sum_vhat_sqrt``: the optimizer's second-moment state decays by the same
  factor :math:`\delta` (:math:`\beta_2` for Adam, :math:`\rho` for RMSprop,
  1 for AMSGrad's maximum and AdaGrad's sum) in every untouched coordinate, so
  :math:`Q_t = \sum_i\sqrt{\mathrm{state}_{t,i}} = \sqrt\delta\,Q_{t-1} +
  \sum_{\text{touched}}(\sqrt{\mathrm{state}_{t,i}} -
  \sqrt{\delta\,\mathrm{state}_{t-1,i}})`, and :math:`\sum_i\hat v_{t,i}^{1/2} =
  \sqrt{\mathrm{scale}_t}\,Q_t` (scale :math:`1/(1-\beta_2^t)`, :math:`1/t` or 1);
* ``gamma_min_eig``: an untouched coordinate has :math:`\Gamma_{t,i} =
  \kappa_t\sqrt{\mathrm{state}_{t-1,i}}` with :math:`\kappa_t =
  \sqrt{\delta\,\mathrm{scale}_t}/\alpha_t - \sqrt{\mathrm{scale}_{t-1}}/\alpha_{t-1}`
  the same for all of them, so their minimum is :math:`\kappa_t` times the
  largest (if :math:`\kappa_t < 0`) or smallest (if :math:`\kappa_t > 0`)
  :math:`\sqrt{\mathrm{state}_{t-1,i}}` among the untouched coordinates.  In
  the keys :math:`k_i = \tfrac12\log\mathrm{state}_{s,i} - \tfrac s2\log\delta`
  (s the last update; :math:`\sqrt{\mathrm{state}_{t-1,i}} = e^{k_i + (t-1)\log
  \delta/2}`) untouched coordinates keep their order, and a touch never
  lowers a key (:math:`v_t \ge \beta_2 v_{t-1}`, the maximum and the sum only
  grow).  Hence the M > k largest keys of the touched-so-far coordinates
  (kept exactly: a key can enter only when touched) contain the largest
  untouched one, O(nnz) per step; never-touched coordinates all hold the
  initial key.  The smallest untouched key is the initial one while some
  never-touched coordinate is untouched; otherwise (every coordinate seen,
  and :math:`\kappa_t > 0`) it takes one O(d) pass;
* ``D``, ``D_inf``: per coordinate the range of the values it took.  Without
  drift (AdaGrad, RMSprop without momentum, Adam with :math:`\beta_1 = 0`) an
  untouched coordinate keeps its value, and the ranges are those of the dense
  recorder exactly.  With drift, each touch also adds the farthest point the
  coming drift can reach (the monotone drift is bounded by
  :meth:`.sparse_tables.DriftTables.drift_bound`): an upper bound, as the
  schema allows.  The far end is that of the drift within the current epoch of the
  engine; a drift that goes on into the next epoch adds its far end there at the
  epoch's start (:meth:`SparseRecorder.widen`).
"""
from __future__ import annotations

import math

import numpy as np


class SparseRecorder:
    """Incremental statistics; see the module docstring.

    ``vinfo`` (or None when the optimizer has no second moment) holds per-run
    arrays: ``decay`` (R,), ``scale`` (R, T+1) (:math:`\\hat v = \\mathrm{scale}
    \\cdot\\mathrm{state}`), ``alpha`` (R, T+1), ``beta1`` (R,) or (R, T+1) (scheduled) or None, and the
    initial ``state`` (R, d).
    """

    def __init__(self, T: int, x0: np.ndarray, vinfo: dict | None, bounded_drift: bool):
        R, d = x0.shape
        self.R, self.d, self.T = R, d, T
        nan = np.full((T, R), np.nan)
        self.out = {k: nan.copy() for k in ("G", "G_inf", "D", "D_inf", "sum_g_norm")}
        self._G, self._Ginf = np.zeros(R), np.zeros(R)
        self._sq = np.zeros(R * d)
        self._sumroot = np.zeros(R)
        self._lo, self._hi = x0.reshape(-1).copy(), x0.reshape(-1).copy()
        self._range2, self._dinf = np.zeros(R), np.zeros(R)
        self._pending = None
        self.drift = bounded_drift
        self.v = vinfo
        if vinfo is None:
            return
        for k in ("sum_sqrt_t_vhat", "sum_vhat_sqrt", "gamma_min_eig"):
            self.out[k] = nan.copy()
        if vinfo.get("beta1") is not None:
            self.out["sum_b1t_vhat_over_alpha"] = nan.copy()
            self._b1sum = np.zeros(R)
        self._decay = np.asarray(vinfo["decay"], dtype=np.float64)
        self._sqrt_decay = np.sqrt(self._decay)
        with np.errstate(divide="ignore"):
            self._half_log_decay = 0.5 * np.log(self._decay)
        state0 = np.asarray(vinfo["state"], dtype=np.float64)
        self._Q = np.sqrt(state0).sum(axis=1)
        scale, alpha = vinfo["scale"], vinfo["alpha"]
        prev = np.zeros((R, T))
        prev[:, 1:] = np.sqrt(scale[:, 1:T]) / alpha[:, 1:T]
        self._kappa = (np.sqrt(self._decay[:, None] * scale[:, 1:T + 1]) /
                       alpha[:, 1:T + 1] - prev)
        with np.errstate(divide="ignore"):
            keys = 0.5 * np.log(state0)
        self._keys = keys.reshape(-1).copy()            # current key of every coordinate
        self._key0 = keys[:, 0].copy()                  # the initial key (uniform per run)
        if not np.all(keys == self._key0[:, None]):
            raise ValueError("SparseRecorder: the initial second-moment state must be "
                             "uniform within each run")
        self._fresh = np.full(R, d, dtype=np.int64)    # coordinates never touched
        self._stamp = np.zeros(R * d, dtype=np.int64)  # step of the latest touch
        self._top_flat = np.zeros((R, 0), dtype=np.int64)
        self._top_key = np.zeros((R, 0))

    # -- per step ----------------------------------------------------------------------
    def step(self, t: int, flat: np.ndarray, g: np.ndarray, theta_t: np.ndarray,
             theta_next: np.ndarray, reach: np.ndarray | None,
             old_state: np.ndarray | None, new_state: np.ndarray | None) -> None:
        """Record row t-1.  (R, k) arrays over the touched coordinates (``flat`` their
        flat indices r*d + i, unique): ``g`` the gradient values, ``theta_t`` /
        ``theta_next`` the iterate before and after the step, ``reach`` the farthest
        point of the coming drift (or None), ``old_state`` the second-moment state
        at t-1 (caught up) and ``new_state`` after step t."""
        i = t - 1
        g2 = g * g
        np.maximum(self._G, np.sqrt(g2.sum(axis=1)), out=self._G)
        np.maximum(self._Ginf, np.abs(g).max(axis=1, initial=0.0), out=self._Ginf)
        self.out["G"][i], self.out["G_inf"][i] = self._G, self._Ginf
        old = self._sq[flat]
        new = old + g2
        self._sq[flat] = new
        self._sumroot += (np.sqrt(new) - np.sqrt(old)).sum(axis=1)
        self.out["sum_g_norm"][i] = self._sumroot
        if self._pending is not None:
            for pflat, values in self._pending:
                self._widen(pflat, values)
        self._widen(flat, theta_t)
        self.out["D"][i] = np.sqrt(self._range2)
        self.out["D_inf"][i] = self._dinf
        self._pending = [(flat, theta_next)] + ([] if reach is None else [(flat, reach)])
        if self.v is not None:
            self._moment(t, flat, old_state, new_state)

    def widen(self, flat: np.ndarray, values: np.ndarray) -> None:
        """Widen the ranges of the coordinates ``flat`` (1-D flat indices, unique, of any
        runs) to include ``values`` from the next row on: the far ends of drifts that go
        on into a new epoch (:func:`.sparse_epochs.boundary_reach`)."""
        widen_ranges(self._lo, self._hi, self._range2, self._dinf, flat, values, self.d)

    def _widen(self, flat, values):
        lo, hi = self._lo[flat], self._hi[flat]
        before = hi - lo
        lo = np.minimum(lo, values)
        hi = np.maximum(hi, values)
        self._lo[flat], self._hi[flat] = lo, hi
        after = hi - lo
        self._range2 += (after * after - before * before).sum(axis=1)
        np.maximum(self._dinf, after.max(axis=1, initial=0.0), out=self._dinf)

    def _moment(self, t, flat, old_state, new_state):
        i, v = t - 1, self.v
        sd = self._sqrt_decay[:, None]
        root_new = np.sqrt(new_state)
        root_old = np.sqrt(old_state)
        self._Q = self._sqrt_decay * self._Q + (root_new - sd * root_old).sum(axis=1)
        scale_t = v["scale"][:, t]
        total = np.sqrt(scale_t) * self._Q
        self.out["sum_vhat_sqrt"][i] = total
        self.out["sum_sqrt_t_vhat"][i] = math.sqrt(t) * total
        alpha_t = v["alpha"][:, t]
        if v.get("beta1") is not None:
            b1 = v["beta1"]
            self._b1sum += (b1[:, t] if np.ndim(b1) == 2 else b1) * total / alpha_t
            self.out["sum_b1t_vhat_over_alpha"][i] = self._b1sum
        # Gamma over the touched coordinates ...
        cur = (np.sqrt(scale_t) / alpha_t)[:, None] * root_new
        if t > 1:
            cur = cur - (np.sqrt(v["scale"][:, t - 1]) / v["alpha"][:, t - 1])[:, None] * root_old
        gam = cur.min(axis=1, initial=np.inf)
        # ... and over the untouched ones
        gam = np.minimum(gam, self._untouched_gamma(t, flat))
        self.out["gamma_min_eig"][i] = gam
        with np.errstate(divide="ignore"):
            key = 0.5 * np.log(new_state) - t * self._half_log_decay[:, None]
        self._remember(t, flat, key)

    def _untouched_gamma(self, t, flat):
        """min over untouched i of kappa_t sqrt(state_{t-1,i}) per run (inf if none)."""
        R, d, k = self.R, self.d, flat.shape[1]
        kappa = self._kappa[:, t - 1]
        self._first_now = self._stamp[flat] == 0
        fresh_left = (self._fresh - self._first_now.sum(axis=1)) > 0
        self._stamp[flat] = t
        top = self._top_key.shape[1]
        if top and top <= k and np.any(d - self._fresh > top):   # truncated and too small
            self._rebuild_top(2 * k + 16)
        hi = np.where(fresh_left, self._key0, -np.inf)
        if self._top_key.shape[1]:
            mine = self._stamp[self._top_flat] == t
            hi = np.maximum(hi, np.where(mine, -np.inf, self._top_key).max(axis=1))
        lo = np.where(fresh_left, self._key0, np.inf)
        for r in np.flatnonzero((kappa > 0) & ~fresh_left):   # every coordinate seen: O(d)
            row = self._keys[r * d:(r + 1) * d]
            mask = self._stamp[r * d:(r + 1) * d] == t
            lo[r] = np.where(mask, np.inf, row).min(initial=np.inf)
        ext = np.where(kappa < 0, hi, lo)
        if k == d:                                      # nothing is untouched
            return np.full(R, np.inf)
        with np.errstate(over="ignore", invalid="ignore"):
            val = kappa * np.exp(ext + (t - 1) * self._half_log_decay)
        return np.where(kappa == 0, 0.0, val)

    def _remember(self, t, flat, key):
        """Store the touched coordinates' new keys; keep the M largest keys touched so far."""
        k = flat.shape[1]
        self._fresh -= self._first_now.sum(axis=1)
        self._keys[flat] = key
        M = max(2 * k + 16, self._top_key.shape[1])
        if self._top_key.shape[1]:
            old_key = np.where(self._stamp[self._top_flat] == t, -np.inf, self._top_key)
            keys = np.concatenate([old_key, key], axis=1)
            flats = np.concatenate([self._top_flat, flat], axis=1)
        else:
            keys, flats = key, flat
        if keys.shape[1] > M:
            part = np.argpartition(-keys, M - 1, axis=1)[:, :M]
            keys = np.take_along_axis(keys, part, axis=1)
            flats = np.take_along_axis(flats, part, axis=1)
        self._top_key, self._top_flat = keys, flats

    def _rebuild_top(self, M):
        """The M largest keys of each run from the full key array (O(d), rare)."""
        R, d = self.R, self.d
        keys = self._keys.reshape(R, d)
        M = min(M, d)
        part = np.argpartition(-keys, M - 1, axis=1)[:, :M]
        self._top_key = np.take_along_axis(keys, part, axis=1)
        self._top_flat = part + (np.arange(R) * d)[:, None]


def widen_ranges(lo, hi, range2, dinf, flat, values, d: int) -> None:
    """In place: per coordinate ``lo``/``hi`` (R d) widened to include ``values`` at the
    unique flat indices ``flat`` (1-D), and per run the sum of squared ranges ``range2``
    and the largest range ``dinf`` (R,) updated by the change."""
    if flat.shape[0] == 0:
        return
    run = flat // d
    a, b = lo[flat], hi[flat]
    before = b - a
    a, b = np.minimum(a, values), np.maximum(b, values)
    lo[flat], hi[flat] = a, b
    after = b - a
    range2 += np.bincount(run, weights=after * after - before * before,
                          minlength=range2.shape[0])
    np.maximum.at(dinf, run, after)


__all__ = ["SparseRecorder", "widen_ranges"]
