r"""Oblivious linear losses without a per-step Python loop (T = 10^7 in seconds).

When :math:`f_t(x) = \langle a_t, x\rangle` and the coefficients do not depend on
the iterates (Reddi et al.'s examples, random linear losses), the gradients
:math:`g_t = a_t` are known before the run.  For the optimizers here the
moments depend on the gradients only, so the whole run is three vectorized
passes over time, chunk by chunk (about 2^20 numbers per chunk):

1. **moments** by linear filters (:func:`.oblivious_scan.ema`, the same
   floating-point operations as the step loop), AMSGrad's maximum by
   ``np.maximum.accumulate``, AdaGrad's sum by ``np.cumsum``;
2. **steps** :math:`\delta_t` by the optimizer's formulas applied to whole
   arrays (bias corrections, epsilon placement, schedules);
3. **the projected walk** :math:`\theta_{t+1} = \Pi_F(\theta_t - \delta_t)` by
   composing clamp maps (:func:`.oblivious_scan.clamp_walk`): the projection
   onto the box stays exact, step by step, with no loop over t.

Then the losses :math:`\langle a_t, \theta_t\rangle` and the statistics follow
by cumulative sums and maxima.  Supported: the optimizers whose registry
entry declares ``oblivious_scan`` (:mod:`.optimizers.capabilities`), i.e.
Adam, AMSGrad (all modes), AdamW without decay, AdaGrad, RMSprop (centered,
momentum), SGD (momentum, Nesterov), ADOPT (clipped or not), with any
learning-rate schedule and, for the Adam family, a
scheduled :math:`\beta_{1,t}` (e.g. Kingma & Ba's :math:`\beta_1\lambda^{t-1}`,
Theorem 4.1): then :math:`m_t = \beta_{1,t}m_{t-1} + (1-\beta_{1,t})g_t` is a
linear recursion with a time-varying coefficient, scanned by
:func:`.oblivious_scan.ema_tv`, and the bias correction
:math:`1-\prod_{s\le t}\beta_{1,s}` (``beta1_correction="product"``) comes from
a running sum of :math:`\log\beta_{1,s}`, as in the step loop.  On a box, an
L-infinity ball or no constraint.  Otherwise the dense engine runs.

Before it is used, the scan plays a probe game against the optimizer's own step
(:mod:`.probe`) and declines if it does not reproduce it.

**Compiled** (numba, ``pip install "adamlab[fast]"``; :func:`compiled_status` says when):
the three passes become one loop over the steps of a chunk
(:mod:`.compiled.fused`) that runs the optimizer's own rule as recorded by
:mod:`..optimizers.trace`, clips, adds up the loss and records every statistic, so its
iterates are those of the step loop, bit for bit, and agree with the NumPy scan above
to rounding (relative :math:`10^{-12}`, tested).  A rule that cannot be recorded as one
loop (a branch on an element: RMSprop, ADOPT; per-run hyperparameters) keeps the NumPy
scan, and only the walk, the losses and the statistics are compiled
(:mod:`.compiled.walk`).  The result's ``metadata["oblivious_step"]`` says which ran.
"""
from __future__ import annotations

import numpy as np

from . import stats as _stats
from .engine import EngineOutput, StopFlag, compiled_blocker
from .oblivious_scan import clamp_walk
from .oblivious_steps import Stepper
from ..optimizers import caps_of, kernels
from ..optimizers.trace import TraceError

_CHUNK_ELEMENTS = 1 << 20     # numbers per array per chunk (steps x runs x d)


def oblivious_support(prob, opt, projection, inst) -> bool | str:
    """True when the loop-free engine applies, else the reason it does not."""
    if not (getattr(prob, "oblivious", False) and getattr(prob, "linear", False)) or \
            getattr(prob, "adaptive", False):
        return "the losses are not oblivious linear functions of theta"
    if not hasattr(inst, "linear_coefficients"):
        return "the instance has no linear_coefficients(t0, t1)"
    if getattr(inst.domain, "name", None) not in ("box", "linf_ball", "unconstrained"):
        return (f"projection onto {type(inst.domain).__name__} couples the coordinates "
                f"(only boxes are walked without a loop)")
    h = opt.hyper
    if not caps_of(opt).oblivious_scan:
        return (f"{opt.name!r} declares no loop-free scan (oblivious_scan=False on its "
                f"registry entry; the Adam family, AdaGrad, RMSprop, SGD and ADOPT declare one)")
    if not np.all(np.asarray(h["weight_decay"]) == 0):
        return "weight decay makes the gradient depend on theta"
    return True


#: the compiled loop pays for its compilation from about this many step-coordinates
#: (T R d) on.  Measured on 2 cores: compiling takes about 3 s for the first loop of a
#: process and 1-1.3 s for each further one; the loop saves 30-40 ns per step-coordinate
#: without statistics (rkk-online, d = 1: 0.88 -> 0.5-0.6 s at T = 10^7), about 90 ns
#: with them (2.1 -> 1.1-1.3 s) and about 60 ns on a batch (R = 1000, d = 10: 22 -> 9.5 s
#: at T = 2 10^4).
MIN_COMPILED_ELEMENTS = 1 << 26


def compiled_status(domain, T: int, R: int, d: int) -> str | None:
    """None when :func:`run_oblivious` runs compiled (see the module docs) for T steps
    of R runs in d coordinates on ``domain``, else the reason it runs in NumPy.  The
    choice depends on these declared inputs only, so the same seed gives the same bits in
    any process."""
    for name, v in (("T", T), ("R", R), ("d", d)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"compiled_status: {name} must be an int >= 1; got {v!r}")
    blocker = compiled_blocker(domain)
    if blocker is not None:
        return blocker
    if kernels.mode() == "auto" and T * R * d < MIN_COMPILED_ELEMENTS:
        return (f"T R d = {T * R * d} < {MIN_COMPILED_ELEMENTS} step-coordinates would not "
                f"pay for a compilation")
    return None


def run_oblivious(inst, opt, theta0: np.ndarray, T: int, cfg: dict, bar) -> EngineOutput:
    """The loop-free engine (see the module docs and :mod:`.engine`)."""
    R, d = theta0.shape
    domain = inst.domain
    unconstrained = getattr(domain, "name", None) == "unconstrained"
    lo, hi = (-np.inf, np.inf) if unconstrained else (domain.lo, domain.hi)
    chunk = max(1, min(T, _CHUNK_ELEMENTS // (R * d)))
    stepper = Stepper(opt, theta0)
    why_not = compiled_status(domain, T, R, d) if cfg.get("compiled", True) else \
        "the probe game plays the NumPy reference"
    rec = _Recorder(T, R, d, _stats.has_second_moment(opt), _stats.has_beta1(opt)) \
        if cfg["stats"] else None
    losses = np.empty((T, R))           # rows not reached are set to NaN by the simulator
    theta = theta0.astype(np.float64).copy()
    comp = _Compiled(opt, theta, lo, hi, rec) if why_not is None else None
    stop = cfg.get("stop") or StopFlag()
    done = 0
    try:
        for t0 in range(0, T, chunk):
            if stop.requested:
                break
            t1 = min(T, t0 + chunk)
            a = np.asarray(inst.linear_coefficients(t0, t1), dtype=np.float64)
            if comp is not None:
                comp.chunk(t0, a, stepper, losses)
            else:
                theta = _numpy_chunk(t0, a, stepper, theta, lo, hi, losses, rec)
            done = t1
            bar.set(t1)
    except KeyboardInterrupt:
        pass
    if comp is not None:
        theta = comp.theta_at(done)
    meta = {"D": _stats.D_META, "D_inf": _stats.D_INF_META} if rec is not None else {}
    notes = {"oblivious_step": comp.note() if comp is not None else f"numpy ({why_not})"}
    return EngineOutput(losses, rec.out if rec is not None else {}, theta, done, meta,
                        notes=notes)


def _numpy_chunk(t0, a, stepper, theta, lo, hi, losses, rec):
    """Steps t0+1..t0+n in NumPy: the scan, the walk, the losses and the statistics;
    returns theta_{t0+n+1}."""
    delta, vhat, alpha, beta1 = stepper.run(a, t0)
    walk = clamp_walk(theta, delta, lo, hi)          # theta_{t0+2} .. theta_{t1+1}
    seq = np.concatenate([theta[None], walk[:-1]])   # theta_{t0+1} .. theta_{t1}
    losses[t0:t0 + a.shape[0]] = np.einsum("nrd,nrd->nr", a, seq)
    if rec is not None:
        rec.chunk(t0, a, seq, vhat, alpha, beta1)
    return walk[-1].copy()


class _Compiled:
    """The compiled engine: the optimizer's recorded rule fused with the walk, the losses
    and the statistics (:mod:`.compiled.fused`); where the rule cannot be recorded, the
    NumPy scan's steps walked and recorded compiled (:mod:`.compiled.walk`).  The first
    step runs in NumPy (a first step often takes a branch of its own, e.g. SGD's
    ``step == 0``); the optimizer's state after it starts the loop."""

    def __init__(self, opt, theta, lo, hi, rec):
        from .compiled import fused, walk       # numba is imported here, only
        self.fused_mod, self.walk_fn = fused, walk.walk
        R, d = theta.shape
        self.opt, self.theta, self.rec = opt, theta, rec
        self.lo = np.ascontiguousarray(np.broadcast_to(np.asarray(lo, np.float64), (d,)))
        self.hi = np.ascontiguousarray(np.broadcast_to(np.asarray(hi, np.float64), (d,)))
        self.carry = np.zeros((3, R))
        self.carry_rd = np.zeros((4, R, d))
        self.fused = None
        self.why: str | None = None      # why the rule is not fused (after the first step)
        self.steps = 0
        self.before = theta.copy()       # theta at the start of the chunk being stepped

    def note(self) -> str:
        if self.why is None:
            return "compiled (numba): the recorded update rule, fused with the walk"
        return f"compiled walk (numba), the rule's scan in NumPy ({self.why})"

    def chunk(self, t0, a, stepper, losses):
        n = a.shape[0]
        self.before[...] = self.theta
        self.steps = t0 + n            # (before any work: an interrupt leaves theta_at right)
        if t0 == 0:
            self.theta[...] = _numpy_chunk(0, a[:1], stepper, self.theta, self.lo, self.hi,
                                           losses, self.rec)
            self._adopt(self.rec)
            a, t0 = a[1:], 1
            if not a.shape[0]:
                return
        if self.fused is None and self.why is None:    # from the state after step 1
            self._start(stepper.state)
        rec = self.rec
        out = rec.block if rec is not None else np.zeros((1, 1, 1))
        if self.fused is not None:
            self.fused.chunk(t0, a, losses, rec is not None, self.carry, self.carry_rd, out)
            return
        delta, vhat, alpha, beta1 = stepper.run(a, t0)
        n, R, _ = a.shape
        has_v = rec is not None and rec.has_v and vhat is not None
        has_b1 = has_v and rec.has_b1
        empty = np.zeros((1, 1))
        vh = np.ascontiguousarray(vhat, dtype=np.float64) if has_v else empty[None]
        al = np.ascontiguousarray(np.broadcast_to(alpha, (n, R, 1))[:, :, 0],
                                  dtype=np.float64) if has_v else empty
        b1 = np.ascontiguousarray(np.broadcast_to(beta1, (n, R)), dtype=np.float64) \
            if has_b1 else empty
        self.walk_fn(self.theta, np.ascontiguousarray(delta, dtype=np.float64),
                     np.ascontiguousarray(a), self.lo, self.hi, losses, t0, rec is not None,
                     has_v, has_b1, vh, al, b1, self.carry, self.carry_rd, out)

    def _adopt(self, rec):
        """The NumPy recorder's running values after the first step, as the loop's."""
        if rec is None:
            return
        self.carry[0], self.carry[1], self.carry[2] = rec.G, rec.Ginf, rec.b1sum
        self.carry_rd[0], self.carry_rd[1], self.carry_rd[2] = rec.sq, rec.lo, rec.hi
        self.carry_rd[3] = rec.prev

    def _start(self, state):
        moment = self.rec is not None and self.rec.has_v
        try:
            self.fused = self.fused_mod.Fused(self.opt, state, self.theta, self.lo,
                                              self.hi, moment)
        except TraceError as exc:
            self.why = f"the rule could not be recorded: {exc}"
        except Exception as exc:         # generating or compiling the loop failed
            self.why = f"{type(exc).__name__} while compiling the loop: {exc}"

    def theta_at(self, done):
        """theta_{done+1}: the stepped iterate (a chunk is stepped whole or not at all)."""
        return self.theta if done == self.steps else self.before


class _Recorder:
    """The schema statistics for whole chunks of steps (see :mod:`.stats`), in one block
    ``block`` (K, T, R) whose rows are the arrays of ``out`` (name -> (T, R)), in the
    order of :data:`.compiled.walk.STATS`'s first K names."""

    def __init__(self, T, R, d, has_v, has_b1):
        names = ["G", "G_inf", "D", "D_inf", "sum_g_norm"]
        if has_v:
            names += ["sum_sqrt_t_vhat", "sum_vhat_sqrt", "gamma_min_eig"]
            if has_b1:
                names.append("sum_b1t_vhat_over_alpha")
        # np.empty: every row reached is written; the simulator NaNs the rest
        self.block = np.empty((len(names), T, R))
        self.out = {k: self.block[q] for q, k in enumerate(names)}
        self.has_v, self.has_b1 = has_v, has_b1
        self.G, self.Ginf = np.zeros(R), np.zeros(R)
        self.sq = np.zeros((R, d))
        self.lo = self.hi = None
        self.prev = np.zeros((R, d))
        self.b1sum = np.zeros(R)

    @staticmethod
    def _running(op, x, carry, out):
        """out = running op (maximum/minimum) of x along axis 0, started from carry."""
        op.accumulate(x, axis=0, out=out)
        op(out, carry, out=out)
        return out

    def chunk(self, t0, g, theta, vhat, alpha, beta1):
        n, R, d = g.shape
        o = self.out
        rows = slice(t0, t0 + n)
        if d == 1:
            ag = np.abs(g[:, :, 0])
            norms = ginf = ag
        else:
            norms = np.sqrt(np.einsum("nrd,nrd->nr", g, g))
            ginf = np.abs(g).max(axis=2)
        self.G = self._running(np.maximum, norms, self.G, o["G"][rows])[-1].copy()
        self.Ginf = self._running(np.maximum, ginf, self.Ginf, o["G_inf"][rows])[-1].copy()
        sq = np.cumsum(g * g, axis=0)
        sq += self.sq
        o["sum_g_norm"][rows] = np.sqrt(sq[:, :, 0]) if d == 1 else np.sqrt(sq).sum(axis=2)
        self.sq = sq[-1].copy()
        if self.lo is None:
            self.lo, self.hi = theta[0].copy(), theta[0].copy()
        lo = self._running(np.minimum, theta, self.lo, np.empty_like(theta))
        hi = self._running(np.maximum, theta, self.hi, np.empty_like(theta))
        spread = hi
        spread -= lo
        if d == 1:
            o["D_inf"][rows] = o["D"][rows] = spread[:, :, 0]
        else:
            o["D_inf"][rows] = spread.max(axis=2)
            o["D"][rows] = np.sqrt(np.einsum("nrd,nrd->nr", spread, spread))
        self.lo, self.hi = lo[-1].copy(), (spread[-1] + lo[-1])
        if not self.has_v or vhat is None:
            return
        root = np.sqrt(vhat)
        total = root[:, :, 0] if d == 1 else root.sum(axis=2)
        t = np.arange(t0 + 1, t0 + n + 1, dtype=np.float64)[:, None]
        o["sum_vhat_sqrt"][rows] = total
        o["sum_sqrt_t_vhat"][rows] = np.sqrt(t) * total
        scaled = root / alpha
        gam = np.empty_like(scaled)
        gam[0] = scaled[0] - self.prev
        np.subtract(scaled[1:], scaled[:-1], out=gam[1:])
        o["gamma_min_eig"][rows] = gam[:, :, 0] if d == 1 else gam.min(axis=2)
        self.prev = scaled[-1].copy()
        if self.has_b1:
            b1 = beta1 if beta1.ndim == 2 else beta1[None, :]     # (n, R) when scheduled
            inc = b1 * total / alpha[:, :, 0]
            cum = np.cumsum(inc, axis=0)
            cum += self.b1sum
            o["sum_b1t_vhat_over_alpha"][rows] = cum
            self.b1sum = cum[-1].copy()


__all__ = ["MIN_COMPILED_ELEMENTS", "compiled_status", "oblivious_support", "run_oblivious"]
