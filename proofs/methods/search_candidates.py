r"""The candidates of :func:`.search.search_bound`: grids, structured and random games, refinement.

Every candidate is a linear game on :math:`[-1,1]^d` (gradients ``g`` (T, d), start
``x1``), values of the free symbols, and optionally a sequence
:math:`\beta_{1,t} = u_t\,\beta_1^{\max}` (``u`` in [0, 1]; ``u_1 = 1`` when the
claim fixes :math:`\beta_{1,1}`).  All are ranked by the float64 ratio lhs/rhs
computed by the registry optimizer, R games at a time (:meth:`.search.Space.ratio`).

* T = 1, 2, 3: every gradient sequence with entries in ``LEVELS`` (times a scale
  in ``SCALES``), every start (0 and the corners), every 0/1 pattern of ``u``,
  the hyperparameters on a product grid inside the hypotheses -- all of it when
  at most ``grid_cap`` games per (T, d), a uniform random subset otherwise;
* longer T: structured sequences (Reddi et al. 2018 Thm 1 / §5 periodic spikes,
  constant, alternating, single spike, :math:`t^{-1/2}`) with every start, and
  random sequences with random starts and schedule kinds;
* refinement: SciPy Nelder--Mead over the gradient entries and the free symbols
  from the best points (distinct horizons first).
"""
from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from . import games

KINDS = ("published", "random", "alternating", "first-only", "constant")
LEVELS = (-1.0, -0.5, 0.0, 0.5, 1.0)
SCALES = (0.1, 1.0, 10.0)
GRID_CAP = 40000


def _starts(d: int, which: str = "corners") -> np.ndarray:
    """x_1 = 0, and (``which="corners"``) every corner of the box."""
    zero = [[0.0] * d]
    if which == "zero":
        return np.array(zero)
    return np.array(zero + [list(c) for c in itertools.product((-1.0, 1.0), repeat=d)])


def _bmax(S, vals, n):
    expr = S.beta1_t[0]
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    env = dict(vals, **{k: float(v) for k, v in S.constants.items()})
    return np.broadcast_to(np.asarray(games.lambdified(tuple(syms), expr, "numpy")(
        *[env[s.name] for s in syms]), float), (n,)).copy()


def _u_kind(kind: str, rng, n: int, T: int, first: str) -> np.ndarray | None:
    tt = np.arange(T)
    if kind == "published":
        return None
    u = {"random": lambda: rng.random((n, T)),
         "alternating": lambda: np.tile((tt % 2 == 0).astype(float), (n, 1)),
         "first-only": lambda: np.tile((tt == 0).astype(float), (n, 1)),
         "constant": lambda: np.ones((n, T))}[kind]()
    if first == "equal":
        u[:, 0] = 1.0
    return u


class _Tracker:
    def __init__(self, S, lhs, rhs):
        self.S, self.lhs, self.rhs = S, lhs, rhs
        self.best: dict[str, Any] = {"ratio": -np.inf}
        self.pool: list[dict] = []
        self.games = 0

    def run(self, g, x1, vals, u, kinds):
        """Evaluate n games; u: (n, T) multipliers of beta1_max or None; kinds: (n,) labels."""
        n = g.shape[0]
        seq = None if u is None else u * _bmax(self.S, vals, n)[:, None]
        r = self.S.ratio(self.lhs, self.rhs, g, x1, vals, seq)
        self.games += n
        r = np.where(np.isnan(r), -np.inf, r)
        for j in np.argsort(-r)[:2]:
            c = {"ratio": float(r[j]), "g": g[j].copy(), "x1": x1[j].copy(),
                 "vals": {k: float(v[j]) for k, v in vals.items()},
                 "u": None if u is None else u[j].copy(),
                 "seq": None if seq is None else seq[j].copy(), "kind": str(kinds[j])}
            self.pool.append(c)
            if c["ratio"] > self.best["ratio"]:
                self.best = c
        return r


def _short(tr: _Tracker, rng, T: int, d: int, cap: int) -> int:
    S = tr.S
    nfree = max(1, len(S.free))
    hp = S.grid(max(2, int(round(40 ** (1 / nfree)))))
    n_hp = len(next(iter(hp.values()))) if hp else 1
    starts = _starts(d, S.starts)
    if S.beta1_t is not None:
        pats = [np.array(p, float) for p in itertools.product((0.0, 1.0), repeat=T)
                if S.beta1_t[1] == "free" or p[0] == 1.0]
        pats = [None] + pats
    else:
        pats = [None]
    radix = [len(LEVELS)] * (T * d) + [len(SCALES), len(starts), n_hp, len(pats)]
    total = int(np.prod([float(r) for r in radix]))
    idx = np.arange(total) if total <= cap else rng.choice(total, cap, replace=False)
    digits = []
    rest = idx
    for r in reversed(radix):
        digits.append(rest % r)
        rest = rest // r
    digits = digits[::-1]
    lv = np.array(LEVELS)
    g = np.stack([lv[digits[k]] for k in range(T * d)], axis=1).reshape(-1, T, d)
    g = g * np.array(SCALES)[digits[T * d]][:, None, None]
    x1 = starts[digits[T * d + 1]]
    vals = {k: v[digits[T * d + 2]] for k, v in hp.items()}
    pat = digits[T * d + 3]
    for p in np.unique(pat):
        sel = pat == p
        u = None if pats[p] is None else np.tile(pats[p], (int(sel.sum()), 1))
        kind = "published" if pats[p] is None else "pattern " + "".join(
            str(int(b)) for b in pats[p])
        for lo in range(0, int(sel.sum()), 20000):
            s = np.flatnonzero(sel)[lo:lo + 20000]
            tr.run(g[s], x1[s], {k: v[s] for k, v in vals.items()},
                   None if u is None else u[:len(s)], [kind] * len(s))
    return len(idx)


def _structured(T: int, d: int) -> list[np.ndarray]:
    t = np.arange(1, T + 1)
    out = [np.ones((T, d)), np.where(t % 2 == 1, 1.0, -1.0)[:, None].repeat(d, 1),
           np.eye(1, T).reshape(T, 1).repeat(d, 1)]
    for C, p in ((3.0, 3), (10.0, 3), (1010.0 / 10, 101), (5.0, 2)):
        out.append(np.where((t - 1) % p == 0, C, -1.0)[:, None].repeat(d, 1))
    out.append((t ** -0.5)[:, None].repeat(d, 1))
    return out


def _random_g(rng, n: int, T: int, d: int) -> np.ndarray:
    scale = 10 ** rng.uniform(-2, 2, (n, 1, 1))
    kind = rng.integers(0, 3, n)[:, None, None]
    gauss = rng.normal(size=(n, T, d))
    signs = rng.choice([-1.0, 1.0], size=(n, T, d))
    spikes = np.where(rng.random((n, T, d)) < 0.1, rng.normal(size=(n, T, d)) * 30, signs)
    return scale * np.where(kind == 0, gauss, np.where(kind == 1, signs, spikes))


def _long(tr: _Tracker, rng, T: int, d: int, opts) -> None:
    S = tr.S
    starts = _starts(d, S.starts)
    st = np.stack(_structured(T, d))
    reps = opts["reps"]
    g = np.repeat(np.repeat(st, reps, axis=0), len(starts), axis=0)
    x1 = np.tile(starts, (st.shape[0] * reps, 1))
    _with_kinds(tr, rng, g, x1, T)
    n = opts["n_random"]
    _with_kinds(tr, rng, _random_g(rng, n, T, d), starts[rng.integers(0, len(starts), n)], T)


def _with_kinds(tr, rng, g, x1, T):
    S = tr.S
    n = g.shape[0]
    vals = S.sample(rng, n)
    kinds = np.array(KINDS)[rng.integers(0, len(KINDS), n)] if S.beta1_t is not None \
        else np.array(["published"] * n)
    for k in np.unique(kinds):
        s = kinds == k
        u = None if S.beta1_t is None else _u_kind(k, rng, int(s.sum()), T, S.beta1_t[1])
        tr.run(g[s], x1[s], {a: v[s] for a, v in vals.items()}, u, kinds[s])


def candidates(S, lhs, rhs, rng, opts) -> dict[str, Any]:
    """Stages 1 and 2; returns best, pool, games, and what the short horizons covered."""
    tr = _Tracker(S, lhs, rhs)
    short = {"T": [1, 2, 3], "levels": list(LEVELS), "scales": list(SCALES), "games": 0,
             "exhaustive": True}
    for d in S.dims:
        for T in (1, 2, 3):
            cap = opts["grid_cap"]
            n = _short(tr, rng, T, d, cap)
            short["games"] += n
            short["exhaustive"] &= n < cap
        for T in S.horizons:
            if T > 3:
                _long(tr, rng, T, d, opts)
    kinds = ["published"] if S.beta1_t is None else list(KINDS) + ["0/1 patterns (T <= 3)"]
    return {"best": tr.best, "pool": tr.pool, "games": tr.games, "short": short,
            "kinds": kinds, "tracker": tr}


def refine(S, lhs, rhs, found, opts) -> list[dict]:
    """Nelder--Mead from the best pool points (distinct (T, d) first); updates found['best']."""
    from scipy.optimize import minimize
    pool = sorted((c for c in found["pool"] if c["g"].shape[0] <= opts["local_T_max"]
                   and np.isfinite(c["ratio"])), key=lambda c: -c["ratio"])
    chosen, seen = [], set()
    for c in pool:
        key = c["g"].shape
        if key not in seen:
            chosen.append(c)
            seen.add(key)
    chosen = sorted(chosen, key=lambda c: -c["ratio"])[:opts["n_local"]]
    names = list(S.free)
    local = []
    for c in chosen:
        shape = c["g"].shape

        def unpack(z, c=c, shape=shape):
            vals = {}
            for j, k in enumerate(names):
                lo, hi, scale, _ = S.free[k]
                v = z[shape[0] * shape[1] + j]
                vals[k] = np.array([np.clip(np.exp(v) if scale == "log" else v, lo, hi)])
            return z[:shape[0] * shape[1]].reshape((1,) + shape), vals

        def neg(z, c=c):
            g, vals = unpack(z)
            if names and not S.holds(vals)[0]:
                return 0.0
            seq = None if c["u"] is None else c["u"][None] * _bmax(S, vals, 1)[:, None]
            r = S.ratio(lhs, rhs, g, c["x1"][None], vals, seq)[0]
            return -r if np.isfinite(r) else 0.0

        z0 = np.concatenate([c["g"].ravel(), [np.log(c["vals"][k]) if S.free[k][2] == "log"
                                              else c["vals"][k] for k in names]])
        res = minimize(neg, z0, method="Nelder-Mead", options={"maxiter": opts["maxiter"]})
        local.append({"T": int(shape[0]), "d": int(shape[1]), "start_ratio": c["ratio"],
                      "end_ratio": float(-res.fun)})
        if -res.fun > found["best"]["ratio"]:
            g, vals = unpack(res.x)
            seq = None if c["u"] is None else (c["u"] * _bmax(S, vals, 1)[0])
            found["best"] = dict(c, ratio=float(-res.fun), g=g[0],
                                 vals={k: float(v[0]) for k, v in vals.items()}, seq=seq)
    return local

