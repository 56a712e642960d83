r"""Adversarial search over gradient sequences and hyperparameters for a regret bound.

Used by :mod:`.theorems` for Reddi et al.'s Theorem 4, Duchi et al.'s AdaGrad
bound and Zinkevich's Theorem 1 (the games of :mod:`.oco_search`).  Three
stages, all seeded (deterministic):

1. structured candidates from the theory: Reddi et al.'s periodic instance
   (one large gradient C every p steps, -1 otherwise; their Theorem 1 and
   §5), constant, alternating and single-spike sequences, at every horizon;
2. random sequences: Gaussian at log-uniform scales, random signs, sparse
   spikes; random hyperparameters inside each theorem's hypotheses;
3. SciPy Nelder--Mead from the best points, over the gradient entries (and
   the continuous hyperparameters), maximizing R(T)/bound.

The largest ratio found is re-evaluated with mpmath at 50 digits.
"""
from __future__ import annotations

from typing import Any

import mpmath as mp
import numpy as np

from .oco_search import play_mp, ratio


def _hp(kind: str, rng, n: int) -> dict[str, np.ndarray]:
    if kind == "amsgrad-rkk":
        b1 = np.where(rng.random(n) < 0.2, 0.0, rng.uniform(0, 0.99, n))
        b2 = b1 ** 2 + (1 - b1 ** 2) * rng.uniform(0.001, 0.999, n)
        lam = np.where(rng.random(n) < 0.5, 1.0, rng.uniform(0, 1, n))
        return {"alpha": 10 ** rng.uniform(-2, 1, n), "beta1": b1, "beta2": b2, "lam": lam}
    if kind == "adagrad":
        return {"eta": np.full(n, np.sqrt(2.0))}          # eta = D_inf/sqrt(2), D_inf = 2
    return {"eta": 10 ** rng.uniform(-2, 1, n)}


def _structured(T: int, d: int) -> list[np.ndarray]:
    t = np.arange(1, T + 1)
    out = [np.ones((T, d)), np.where(t % 2 == 1, 1.0, -1.0)[:, None].repeat(d, 1),
           np.eye(1, T).reshape(T, 1).repeat(d, 1)]
    for C, p in ((3.0, 3), (10.0, 3), (1010.0 / 10, 101), (5.0, 2)):
        out.append(np.where((t - 1) % p == 0, C, -1.0)[:, None].repeat(d, 1))
    out.append((t ** -0.5)[:, None].repeat(d, 1))
    return out


def _random(rng, n: int, T: int, d: int) -> np.ndarray:
    scale = 10 ** rng.uniform(-2, 2, (n, 1, 1))
    kind = rng.integers(0, 3, n)[:, None, None]
    gauss = rng.normal(size=(n, T, d))
    signs = rng.choice([-1.0, 1.0], size=(n, T, d))
    spikes = np.where(rng.random((n, T, d)) < 0.1, rng.normal(size=(n, T, d)) * 30, signs)
    return scale * np.where(kind == 0, gauss, np.where(kind == 1, signs, spikes))


def search(kind: str, *, seed: int = 0, horizons=(1, 2, 3, 5, 10, 30, 100), dims=(1, 2),
           n_random: int = 400, n_local: int = 3, local_T_max: int = 10,
           maxiter: int = 400) -> dict[str, Any]:
    """Maximize R(T)/bound; return the best point, the counts and the 50-digit recheck."""
    from scipy.optimize import minimize
    rng = np.random.default_rng(seed)
    best: dict[str, Any] = {"ratio": -np.inf}
    pool: list[tuple[float, np.ndarray, dict]] = []
    counted = 0

    def consider(r, g, hp):
        nonlocal best
        j = int(np.nanargmax(r))
        if r[j] > best["ratio"]:
            best = {"ratio": float(r[j]), "g": g[j].copy(),
                    "hp": {k: float(v[j]) for k, v in hp.items()}}
        if g.shape[1] <= local_T_max:
            for j in np.argsort(-r)[:2]:
                pool.append((float(r[j]), g[j].copy(), {k: float(v[j]) for k, v in hp.items()}))

    for T in horizons:
        for d in dims:
            st = np.stack(_structured(T, d))
            reps = 20
            g = np.repeat(st, reps, axis=0)
            hp = _hp(kind, rng, g.shape[0])
            consider(ratio(kind, g, hp), g, hp)
            g = _random(rng, n_random, T, d)
            hp = _hp(kind, rng, n_random)
            consider(ratio(kind, g, hp), g, hp)
            counted += st.shape[0] * reps + n_random
    pool.sort(key=lambda p: -p[0])
    local = []
    for r0, g0, hp0 in pool[:n_local]:
        shape = g0.shape

        def neg(z, hp0=hp0, shape=shape):
            hp = {k: np.array([v]) for k, v in hp0.items()}
            if kind == "ogd":
                hp["eta"] = np.array([np.exp(np.clip(z[-1], -10, 10))])
                z = z[:-1]
            val = ratio(kind, z.reshape((1,) + shape), hp)[0]
            return -val if np.isfinite(val) else 0.0
        z0 = g0.ravel() if kind != "ogd" else np.append(g0.ravel(), np.log(hp0["eta"]))
        res = minimize(neg, z0, method="Nelder-Mead", options={"maxiter": maxiter})
        local.append({"start_ratio": r0, "end_ratio": float(-res.fun)})
        if -res.fun > best["ratio"]:
            z = res.x
            hp = dict(hp0)
            if kind == "ogd":
                hp["eta"] = float(np.exp(np.clip(z[-1], -10, 10)))
                z = z[:-1]
            best = {"ratio": float(-res.fun), "g": z.reshape(shape), "hp": hp}
    g = best["g"]
    with mp.workdps(50):
        lhs, rhs = play_mp(kind, [[repr(float(x)) for x in row] for row in g],
                           {k: repr(float(v)) for k, v in best["hp"].items()}, dps=50)
        r50 = mp.nstr(lhs / rhs, 20) if rhs != 0 else "inf"
    return {"games": counted, "horizons": list(horizons), "dims": list(dims),
            "local_searches": local, "best_ratio": best["ratio"], "best_ratio_50_digits": r50,
            "best": {"T": int(g.shape[0]), "d": int(g.shape[1]), "hp": best["hp"],
                     "gradients": [[float(f"{x:.17g}") for x in row] for row in g]}}


__all__ = ["search"]
