"""The step loop of the lazy sparse engine (the method is in :mod:`.sparse`).

State lives in flat arrays of R*d entries (run r, coordinate i at r*d + i):
the iterate, the optimizer's per-coordinate fields as of each coordinate's
last update, and ``last``, the step of that update.  A step gathers the
touched coordinates, catches them up (decays by powers, the drift from
:class:`.sparse_tables.DriftTables`, one projection), evaluates
:math:`f_t` and its gradient there, applies the optimizer's own ``update`` to
the (R, k) sub-arrays, projects, and scatters back.  At the end every
coordinate is caught up to the last step, so ``theta_final`` is the full
:math:`\\theta_{T+1}`.  The run is cut into epochs of at most
:data:`.sparse_epochs.EPOCH_STEPS` steps, at whose ends every coordinate is caught up
the same way, so that the tables and powers cover one epoch, not the whole run
(:mod:`.sparse_epochs`; ``spent`` marks the coordinates whose drift is complete).

With numba (``pip install "adamlab[fast]"``) the step's own work -- gather, catch-up,
drift, projection, the far end of the coming drift, write-back and the statistics -- runs
compiled (:mod:`.compiled`), around the problem's gradient and the optimizer's
``step_arrays``, which stay the one definition of each.  :func:`compiled_status` says
when: the C library's ``exp`` and ``log`` there against NumPy's here make the two paths
agree to rounding (relative :math:`10^{-12}` over whole runs, tested), not bit for bit,
so the choice depends only on the run's declared inputs (never on what a process has
compiled before) and is recorded in the result's metadata (``sparse_step``).
"""
from __future__ import annotations

import numpy as np

from .engine import EngineOutput, StopFlag, compiled_blocker
from ..optimizers import Resolved, kernels
from .sparse import SHORT_GAP, lazy_family
from .sparse_epochs import EPOCH_STEPS, Epoch, boundary_reach, catch_up, close, epochs, log_root
from .sparse_stats import SparseRecorder

#: the compiled step pays for its compilation (about 6 s per process, shared by every
#: series a process runs) from about this many steps on.  Measured on 2 cores, R = 3 runs
#: of logistic-sparse (d = 10^4, 100 words): a step costs 412 against 830 us for AMSGrad
#: and 434 against 928 us for Adam; R1's four series at T = 10^4 take 28.5-30.7 s
#: compiled against 42.9 s in NumPy (``ADAMLAB_KERNELS=always``: from the first step)
MIN_COMPILED_STEPS = 10_000


def compiled_status(opt, domain, T: int) -> str | None:
    """None when :func:`run_sparse` runs its step compiled for ``opt`` (any optimizer the
    lazy engine takes: every lazy family has a compiled step) on ``domain`` for ``T``
    steps, else the reason it runs in NumPy."""
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 1:
        raise ValueError(f"compiled_status: T must be an int >= 1; got {T!r}")
    blocker = compiled_blocker(domain)
    if blocker is not None:
        return blocker
    if kernels.mode() == "auto" and T < MIN_COMPILED_STEPS:
        return f"T = {T} < {MIN_COMPILED_STEPS} steps would not pay for a compilation"
    return None


def run_sparse(inst, opt, theta0: np.ndarray, T: int, cfg: dict, bar) -> EngineOutput:
    R, d = theta0.shape
    fam = lazy_family(opt, T, R)
    state0 = opt.init(theta0)
    F = np.empty((len(fam.fields), R * d))          # the fields, one row each (views below)
    for q, name in enumerate(fam.fields):
        F[q] = np.asarray(getattr(state0, name), dtype=np.float64).reshape(-1)
    fields = {name: F[q] for q, name in enumerate(fam.fields)}
    glob = getattr(state0, "log_beta1_prod", None)
    theta = theta0.reshape(-1).copy()
    last = np.zeros(R * d, dtype=np.int64)
    spent = np.zeros(R * d, dtype=bool)             # drift complete until the next touch
    rows = np.arange(R)[:, None]
    roff = rows * d
    decaying = [name for name in fam.fields if name in fam.decay]
    tid_run = fam.tid[:, None] if fam.tid is not None else None
    project = _projector(inst.domain)
    get_support, lossgrad = _problem_access(inst, theta, R, d)
    why_not = compiled_status(opt, inst.domain, T) if cfg.get("compiled", True) else \
        "the probe game plays the NumPy reference"
    jit = None if why_not is not None else _Compiled(fam, decaying, inst.domain, R, d, T)
    rec = None
    if cfg["stats"]:
        vinfo = None if fam.vinfo is None else \
            dict(fam.vinfo, state=np.asarray(getattr(state0, fam.vfield)))
        rec = (jit.recorder if jit is not None else SparseRecorder)(
            T, theta0, vinfo, fam.driver is not None)
    losses = np.full((T, R), np.nan)
    stop = cfg.get("stop") or StopFlag()
    done = 0
    spans = iter(epochs(T, EPOCH_STEPS))
    ep = Epoch(fam, decaying, *next(spans), R)
    if jit is not None:
        jit.use(ep)
    try:
        for t in range(1, T + 1):
            if stop.requested:
                break
            idx = get_support(t)
            flat = idx + roff
            if jit is not None:
                th, sub = jit.pre(t, flat, last, theta, F, ep.P, spent)
            else:
                th, sub = _pre_numpy(fam, ep, t, flat, idx, last, spent, theta, fields,
                                     tid_run, project)
            f, g = lossgrad(t, idx, flat, th)
            g = np.asarray(g, dtype=np.float64)
            state = fam.state(opt, t - 1, sub, glob)
            h = Resolved(opt, t, R, th.dtype)
            # the optimizer's own step on the (R, k) sub-arrays, with the guards of update
            new_th, st = opt.step_arrays(g, th, state, h, repeats=T)
            new_fields = {name: getattr(st, name) for name in fam.fields}
            if jit is not None:     # project, reach, and commit in one compiled call
                new_th, reach = jit.post(t, flat, new_th, new_fields, theta, F, last, spent,
                                         rec is not None)
            else:
                new_th = project(new_th, idx)
                reach = None
                if rec is not None and fam.driver is not None:
                    reach = _reach(fam, ep, new_fields, new_th, idx, tid_run, t, project)
                # commit (no exception can leave half a step behind after this point)
                theta[flat] = new_th
                for name in fam.fields:
                    fields[name][flat] = new_fields[name]
                last[flat] = t
                spent[flat] = False
            glob = getattr(st, "log_beta1_prod", None)
            losses[t - 1] = f
            if rec is not None:
                rec.step(t, flat, g, th, new_th, reach,
                         None if fam.vfield is None else sub[fam.vfield],
                         None if fam.vfield is None else new_fields[fam.vfield])
            done = t
            bar.update(1)
            if t == ep.end and t < T:       # the next epoch's tables (sparse_epochs)
                close(fam, ep, fields, theta, last, spent, R, d, project)
                ep = Epoch(fam, decaying, *next(spans), R)
                if jit is not None:
                    jit.use(ep)
                if rec is not None and fam.driver is not None:
                    rec.widen(*boundary_reach(fam, ep, fields, theta, spent, d, project))
    except KeyboardInterrupt:
        pass
    theta_final = catch_up(fam, ep, fields, theta, last, spent, done, R, d, project)[0]
    meta = {}
    if rec is not None:
        if fam.driver is None:
            meta = {"D": "bounding-box diagonal of the iterates (upper bound of the pairwise "
                         "maximum, exact for d = 1); no drift, so equal to the dense engine's",
                    "D_inf": "exact: max_i (max_s theta_{s,i} - min_s theta_{s,i})"}
        else:
            meta = {"D": "upper bound: bounding-box diagonal of the iterates, where each "
                         "touch adds the end point of the coming (monotone) drift at once "
                         f"(lazy sparse engine; up to the end of its epoch of {EPOCH_STEPS} "
                         "steps, and the rest at the next one's start)",
                    "D_inf": "upper bound: max_i of the per-coordinate range, where each "
                             "touch adds the end point of the coming (monotone) drift at "
                             f"once (lazy sparse engine; up to the end of its epoch of "
                             f"{EPOCH_STEPS} steps, and the rest at the next one's start); "
                             "exact once the drifts have ended"}
    return EngineOutput(losses, rec.out if rec is not None else {},
                        theta_final.reshape(R, d), done, meta,
                        notes={"sparse_step": "compiled (numba)" if jit is not None else
                               f"numpy ({why_not})"})


def _pre_numpy(fam, ep, t, flat, idx, last, spent, theta, fields, tid_run, project):
    """The NumPy reference of :func:`.compiled.step.pre_step`: ``(theta_t, sub)``."""
    s = last[flat]
    n = (t - 1) - s
    raw, sub = {}, {}
    pn = n + ep.run_offsets
    for name in fam.fields:
        raw[name] = val = fields[name][flat]
        pw = ep.powers.get(name)
        sub[name] = val * pw[pn] if pw is not None else val
    if fam.L is not None:          # m_{t-1} = m_s prod_{r=s+1}^{t-1} beta1_r
        sub["m"] = raw["m"] * np.exp((fam.L[t - 1] - fam.L[s]).astype(np.float64))
    th = theta[flat]
    if fam.driver is not None:
        drv = raw[fam.driver]
        sel = (n > 0) & (drv != 0) & (tid_run >= 0) & ~spent[flat]
        if sel.any():
            tid = np.broadcast_to(tid_run, sel.shape)[sel]
            ss = s[sel] - ep.origin
            e = ep.tables.window_end(tid, ss, t - 1 - ep.origin)
            logz = log_root(fam, raw, sel)
            th[sel] -= drv[sel] * ep.tables.drift(tid, ss, e, logz, SHORT_GAP)
            th = project(th, idx)
    return th, sub


class _Compiled:
    """The compiled step's fixed arguments, for one run set (see :mod:`.compiled.step`);
    :meth:`use` switches to an epoch's tables and powers."""

    def __init__(self, fam, decaying, domain, R, d, T):
        from .compiled import drift, recorder, step      # numba is imported here, only
        self.step, self.recorder, self.drift = step, recorder.CompiledRecorder, drift
        self.d, self.T = d, T
        self.names = fam.fields
        self.prow = np.array([decaying.index(n) if n in decaying else -1
                              for n in fam.fields], dtype=np.int64)
        self.has_drift = fam.driver is not None and bool(fam.specs)
        self.driver = fam.fields.index(fam.driver) if self.has_drift else -1
        self.zfield = fam.fields.index(fam.zfield) if fam.zfield is not None else -1
        self.tid = (np.ascontiguousarray(fam.tid, dtype=np.int64) if fam.tid is not None
                    else np.full(R, -1, dtype=np.int64))
        if fam.L is not None:       # a scheduled beta1: L as a double-double
            self.m_row = fam.fields.index("m")
            self.L_hi = fam.L.astype(np.float64)
            self.L_lo = (fam.L - self.L_hi.astype(np.longdouble)).astype(np.float64)
        else:
            self.m_row, self.L_hi = -1, np.zeros(1)
            self.L_lo = self.L_hi
        kind = getattr(domain, "name", None)
        lo, hi = (-np.inf, np.inf) if kind == "unconstrained" else (domain.lo, domain.hi)
        self.lo = np.ascontiguousarray(np.broadcast_to(np.asarray(lo, np.float64), (d,)))
        self.hi = np.ascontiguousarray(np.broadcast_to(np.asarray(hi, np.float64), (d,)))

    def use(self, ep):
        """Read the tables and powers of epoch ``ep`` from now on."""
        self.origin, self.stride = ep.origin, ep.stride
        self.ta = self.drift.table_arrays(ep.tables if self.has_drift else _empty_tables())

    def pre(self, t, flat, last, theta, F, P, spent):
        th, _raw, sub = self.step.pre_step(t, self.origin, flat, self.d, last, spent, theta,
                                           F, P, self.prow, self.stride, self.driver,
                                           self.zfield, self.tid, self.ta, SHORT_GAP,
                                           self.lo, self.hi, self.m_row, self.L_hi,
                                           self.L_lo)
        return th, {name: sub[q] for q, name in enumerate(self.names)}

    def post(self, t, flat, new_th, new_fields, theta, F, last, spent, want_reach):
        new_th = np.array(new_th, dtype=np.float64, order="C")        # projected in place
        NF = np.empty((len(self.names),) + new_th.shape)
        for q, name in enumerate(self.names):
            NF[q] = new_fields[name]
        want = want_reach and self.driver >= 0
        reach = np.empty_like(new_th) if want else new_th
        self.step.post_step(t, self.origin, flat, self.d, new_th, NF, theta, F, last, spent,
                            self.driver, self.zfield, self.tid, self.ta, want, reach,
                            self.lo, self.hi)
        return new_th, (reach if want else None)


def _empty_tables():
    """Tables of one trivial sequence, for a run set without drift (never evaluated)."""
    from .sparse_tables import DriftTables
    return DriftTables([dict(la0=np.zeros(2), lb0=np.zeros(2), ga=0.0, gb=0.0, eps=1.0)], 1)


def _reach(fam, ep, new_fields, new_th, idx, tid_run, t, project):
    """Where the drift after step t takes each touched coordinate if it is not touched
    again within the epoch ``ep``: the far end of its monotone path (exactly, by the
    same drift sums; a drift that goes on after the epoch is widened at its start,
    :func:`.sparse_epochs.boundary_reach`)."""
    drv = new_fields[fam.driver]
    tid = np.broadcast_to(tid_run, drv.shape)
    ok = (drv != 0) & (tid >= 0)
    tab = ep.tables
    tl = t - ep.origin
    if tl >= tab.T or not ok.any():
        return new_th
    factor = tab.reach(tid[ok], tl, log_root(fam, new_fields, ok))
    reach = new_th.copy()
    reach[ok] -= drv[ok] * factor
    return project(reach, idx)


def _projector(domain):
    """(values, idx) -> values projected coordinate-wise (separable domains)."""
    kind = getattr(domain, "name", None)      # the domain's declared kind
    if kind in ("box", "linf_ball"):
        lo, hi = domain.lo, domain.hi
        if isinstance(lo, np.ndarray) or isinstance(hi, np.ndarray):
            lo_a = np.broadcast_to(np.asarray(lo, dtype=np.float64), (domain.d,))
            hi_a = np.broadcast_to(np.asarray(hi, dtype=np.float64), (domain.d,))
            return lambda v, idx: np.clip(v, lo_a[idx], hi_a[idx])
        return lambda v, idx: np.clip(v, lo, hi)
    if kind == "unconstrained":
        return lambda v, idx: v
    return domain.project_coords


def _problem_access(inst, theta, R, d):
    """(support(t), lossgrad(t, idx, flat, theta_at_idx)) for the instance's interface."""
    view = theta.reshape(R, d)
    if hasattr(inst, "support"):
        get_support = inst.support
    else:   # learn the support from a gradient call at the (stale) iterate
        get_support = lambda t: np.asarray(inst.grad_sparse(t, view)[0])  # noqa: E731
    if hasattr(inst, "loss_and_grad_support"):
        return get_support, lambda t, idx, flat, th: inst.loss_and_grad_support(t, th)

    def lossgrad(t, idx, flat, th):
        theta[flat] = th                  # the problem reads theta at the support only
        if hasattr(inst, "loss_and_grad_sparse"):
            f, gidx, g = inst.loss_and_grad_sparse(t, view)
        else:
            gidx, g = inst.grad_sparse(t, view)
            f = inst.loss(t, view)
        if not np.array_equal(gidx, idx):
            raise ValueError(f"sparse engine: grad_sparse(t={t}) returned indices that "
                             f"differ from support(t); the support must not depend on theta")
        return f, g
    return get_support, lossgrad


__all__ = ["run_sparse"]
