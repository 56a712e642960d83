r"""The dense engine: the reference step loop over every coordinate of every run.

Any optimizer runs here, registered or not, with or without declared
capabilities: each step is the optimizer's own :meth:`~.optimizers.Optimizer.update`,
then the projection :math:`\Pi_F` (or the weighted projection with
:math:`\sqrt{\hat v_t}` when the optimizer declares a second moment).
"""
from __future__ import annotations

import numpy as np

from . import stats as _stats
from .engine import EngineOutput, StopFlag


def run_dense(inst, opt, theta0: np.ndarray, T: int, cfg: dict, bar) -> EngineOutput:
    """The reference engine: every coordinate of every run, step by step."""
    R, d = theta0.shape
    domain = inst.domain
    weighted = cfg["projection"] == "weighted"
    want_stats = cfg["stats"]
    has_v = _stats.has_second_moment(opt)
    rec = _stats.DenseRecorder(T, R, d, vhat=has_v, beta1=_stats.has_beta1(opt)) \
        if want_stats else None
    losses = np.full((T, R), np.nan)
    iterates = np.full((T, R, d), np.nan) if cfg["record_iterates"] else None
    theta, state = theta0.copy(), opt.init(theta0)
    lossgrad = _dense_lossgrad(inst)
    stop = cfg.get("stop") or StopFlag()
    done = 0
    try:
        for t in range(1, T + 1):
            if stop.requested:
                break
            f, g = lossgrad(t, theta)
            if iterates is not None:
                iterates[t - 1] = theta
            if rec is not None:
                rec.grads(t, g, theta)
            new, state = opt.update(g, state, theta)
            mom = _stats.second_moment(opt, state, R) if (weighted or (rec and has_v)) \
                else None
            theta = domain.project_weighted(new, np.sqrt(mom.vhat)) if weighted \
                else domain.project(new)
            if rec is not None:
                rec.moment(t, mom)
            losses[t - 1] = f
            done = t
            bar.update(1)
    except KeyboardInterrupt:
        pass
    out_stats = rec.out if rec is not None else {}
    meta = {"D": _stats.D_META, "D_inf": _stats.D_INF_META} if rec is not None else {}
    return EngineOutput(losses, out_stats, theta, done, meta, iterates, final_state=state)


def _dense_lossgrad(inst):
    if hasattr(inst, "loss_and_grad"):
        return inst.loss_and_grad
    return lambda t, theta: (inst.loss(t, theta), inst.grad(t, theta))


__all__ = ["run_dense"]
