r"""Adversarial search for a regret claim ``lhs <= rhs`` over linear games on a box.

The data-driven interface (what a user's TOML claim is translated into)::

    search_bound(space, lhs, rhs, *, seed=0, thorough=False) -> dict

``lhs``, ``rhs``: SymPy expressions (or strings parsed with the names below) over
the names of :data:`adamlab.theory.regret.quantities.SYMBOLS` -- ``R`` (the
regret R(T)), ``T, d, D, D_inf, G, G_inf, sum_g_norm, sum_vhat_sqrt,
sum_sqrt_t_vhat, sum_b1t_vhat_over_alpha`` (computed from the game, see
:mod:`.games`) and the hyperparameter symbols of ``space``.

``space`` (a dict; every key validated, errors name the key):

``optimizer``
    a registry name (``adamlab.numerics.optimizers.names()``).
``fixed``
    optimizer hyperparameters that are not searched, e.g. ``{"eps": 0.0,
    "amsgrad_mode": "reddi"}``.
``hyper``
    optimizer hyperparameter -> SymPy expression in the step symbol ``t`` and the
    free/constant symbols (a tuple for ``betas``), e.g. ``{"lr": alpha/sqrt(t),
    "betas": (beta1*lam**(t-1), beta2)}``.
``free``
    symbol name -> ``{"range": [lo, hi], "scale": "log" | "linear", "atoms": [..]}``
    (atoms: special values drawn with probability 0.2, e.g. beta1 = 0).
``constants``
    symbol name -> exact value (number or SymPy expression, e.g. ``sqrt(2)``).
``hypotheses``
    SymPy relations over free/constant symbols that every sample satisfies
    (e.g. ``beta1/sqrt(beta2) < 1``).
``beta1_t`` (optional)
    ``{"max": <expr>, "first": "equal" | "free"}``: the claim only assumes
    :math:`\beta_{1,t} \le` max (and :math:`\beta_{1,1}` = max for "equal"), so
    ``betas[0]`` is also replaced by non-monotone sequences: random in
    [0, max], alternating max/0, max then 0, constant max (the expression in
    ``hyper`` is kept as the "published" kind).
``game``
    ``{"domain": "box", "dims": [1, 2], "horizons": [1, 2, 3, 5, 10, 30, 100],
    "starts": "corners"}`` (``"zero"``: only :math:`x_1 = 0`, for comparison):
    linear losses :math:`f_t(x) = g_t^\top x` on :math:`[-1,1]^d` (see :mod:`.games`).

What is searched: start points :math:`x_1 \in \{-1,1\}^d \cup \{0\}`; the short
horizons T = 1, 2, 3 by an exhaustive grid (gradient entries in
:data:`LEVELS` times scales :data:`SCALES`, every start, every 0/max pattern of
:math:`\beta_{1,t}`, hyperparameters on a grid filtered by the hypotheses;
subsampled at random above :data:`GRID_CAP` games); longer horizons by
structured sequences (Reddi et al.'s periodic spike, constant, alternating,
single spike, :math:`t^{-1/2}`) and random ones (Gaussian, signs, sparse spikes
at scales 1e-2..1e2); then SciPy Nelder--Mead from the best points of every
horizon up to ``local_T_max``.  The best point is replayed with the *registry's
optimizer* at 50 digits (mpmath); a ratio above 1 there is certified at 60 and
90 digits (:func:`certify`) and returned as a refutation with a witness whose
inputs are exact rationals.
"""
from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from adamlab.numerics import optimizers
from adamlab.numerics.optimizers import arith as ar
from adamlab.theory.regret import quantities as rq

from ..verdict import digits
from . import games
from .search_candidates import GRID_CAP, LEVELS, SCALES, candidates, refine
RERUN = "adamlab.proofs.methods.search.certify(evidence['witness'])"
_NAMES = dict(rq.SYMBOLS, t=games.t)


def _expr(x, what: str) -> sp.Expr:
    try:
        return sp.sympify(x, locals=_NAMES) if isinstance(x, str) else sp.sympify(x)
    except (sp.SympifyError, TypeError) as exc:
        raise TypeError(f"{what} must be a SymPy expression or a string; got {x!r}") from exc


def _frac(x) -> str:
    f = Fraction(float(x)) if not isinstance(x, Fraction) else x
    return f"{f.numerator}/{f.denominator}"


class Space:
    """A validated ``space`` (see the module docstring)."""

    def __init__(self, space: dict):
        if not isinstance(space, dict):
            raise TypeError(f"space must be a dict; got {type(space).__name__}")
        unknown = set(space) - {"optimizer", "fixed", "hyper", "free", "constants",
                                "hypotheses", "beta1_t", "game"}
        if unknown:
            raise ValueError(f"space has unknown keys {sorted(unknown)}")
        self.name = space.get("optimizer")
        if self.name not in optimizers.names():
            raise ValueError(f"space['optimizer'] must be one of {optimizers.names()}; "
                             f"got {self.name!r}")
        self.fixed = dict(space.get("fixed", {}))
        self.hyper = {k: (tuple(_expr(e, f"space['hyper'][{k!r}]") for e in v)
                          if isinstance(v, (tuple, list)) else _expr(v, f"space['hyper'][{k!r}]"))
                      for k, v in space.get("hyper", {}).items()}
        self.free = {}
        for k, spec in space.get("free", {}).items():
            lo, hi = (float(v) for v in spec.get("range", (None, None)))
            scale = spec.get("scale", "linear")
            if scale not in ("log", "linear") or not lo <= hi or (scale == "log" and lo <= 0):
                raise ValueError(f"space['free'][{k!r}] needs range [lo, hi] with lo <= hi "
                                 f"(lo > 0 for scale 'log') and scale 'log' or 'linear'")
            self.free[k] = (lo, hi, scale, tuple(float(a) for a in spec.get("atoms", ())))
        self.constants = {k: _expr(v, f"space['constants'][{k!r}]")
                          for k, v in space.get("constants", {}).items()}
        self.hypotheses = [_expr(h, "space['hypotheses']") for h in space.get("hypotheses", ())]
        b1 = space.get("beta1_t")
        if b1 is not None and (not isinstance(b1, dict) or "max" not in b1
                               or b1.get("first", "free") not in ("equal", "free")):
            raise ValueError("space['beta1_t'] must be {'max': expr, 'first': 'equal'|'free'}")
        self.beta1_t = None if b1 is None else (_expr(b1["max"], "space['beta1_t']['max']"),
                                                b1.get("first", "free"))
        game = space.get("game", {})
        if game.get("domain", "box") != "box":
            raise ValueError("space['game']['domain'] must be 'box' ([-1,1]^d)")
        self.dims = tuple(int(x) for x in game.get("dims", (1, 2)))
        self.horizons = tuple(int(x) for x in game.get("horizons", (1, 2, 3, 5, 10, 30, 100)))
        self.starts = game.get("starts", "corners")
        if self.starts not in ("corners", "zero"):
            raise ValueError("space['game']['starts'] must be 'corners' (x_1 = 0 and every "
                             "corner of the box, the default) or 'zero' (x_1 = 0 only)")
        if not self.dims or min(self.dims) < 1 or not self.horizons or min(self.horizons) < 1:
            raise ValueError("space['game'] dims and horizons must be positive ints")

    # ---- hyperparameter samples ----------------------------------------------------------
    def sample(self, rng, n: int) -> dict[str, np.ndarray]:
        """n samples of the free symbols inside the hypotheses (rejection sampling)."""
        out = {k: np.empty(0) for k in self.free}
        for _ in range(200):
            m = 4 * n + 16
            draw = {}
            for k, (lo, hi, scale, atoms) in self.free.items():
                x = 10 ** rng.uniform(np.log10(lo), np.log10(hi), m) if scale == "log" \
                    else rng.uniform(lo, hi, m)
                if atoms:
                    x = np.where(rng.random(m) < 0.2, rng.choice(atoms, m), x)
                draw[k] = x
            ok = self.holds(draw)
            out = {k: np.concatenate([out[k], draw[k][ok]]) for k in out}
            if not self.free or len(next(iter(out.values()))) >= n:
                break
        if self.free and len(next(iter(out.values()))) < n:
            raise ValueError("the hypotheses admit (almost) no point of the free ranges")
        return {k: v[:n] for k, v in out.items()}

    def grid(self, k: int) -> dict[str, np.ndarray]:
        """The product grid of k points per free symbol (plus atoms), inside the hypotheses."""
        axes = []
        for lo, hi, scale, atoms in self.free.values():
            pts = np.geomspace(lo, hi, k) if scale == "log" else np.linspace(lo, hi, k)
            axes.append(np.unique(np.concatenate([pts, atoms])))
        prod = np.array(list(itertools.product(*axes))) if axes else np.zeros((1, 0))
        draw = {name: prod[:, j] for j, name in enumerate(self.free)}
        ok = self.holds(draw) if draw else np.ones(1, bool)
        return {name: v[ok] for name, v in draw.items()}

    def holds(self, vals: dict[str, np.ndarray]) -> np.ndarray:
        n = len(next(iter(vals.values()))) if vals else 1
        ok = np.ones(n, bool)
        allv = dict(vals, **{k: float(v) for k, v in self.constants.items()})
        for h in self.hypotheses:
            syms = sorted(h.free_symbols, key=lambda s: s.name)
            with np.errstate(all="ignore"):
                ok &= np.broadcast_to(games.lambdified(tuple(syms), h, "numpy")(
                    *[allv[s.name] for s in syms]), (n,))
        return ok

    # ---- evaluation -----------------------------------------------------------------------
    def ratio(self, lhs, rhs, g, x1, vals, seq=None) -> np.ndarray:
        """lhs/rhs in float64 for R games (inf where rhs <= 0 < lhs); ValueError-safe."""
        n = g.shape[0]
        try:
            allv = {k: np.asarray(v, float).reshape(n, 1) for k, v in vals.items()}
            allv.update({k: float(v) for k, v in self.constants.items()})
            opt = games.build(self.name, self.fixed, self.hyper, allv, ar.FLOAT, n, seq)
            st = games.play(opt, g, x1, _needs(lhs, rhs))
        except ValueError:
            if n == 1:
                return np.array([np.nan])
            h = n // 2
            sl = lambda a, s: None if a is None else a[s]    # noqa: E731
            return np.concatenate([
                self.ratio(lhs, rhs, g[:h], x1[:h], {k: v[:h] for k, v in vals.items()},
                           sl(seq, slice(0, h))),
                self.ratio(lhs, rhs, g[h:], x1[h:], {k: v[h:] for k, v in vals.items()},
                           sl(seq, slice(h, None)))])
        env = dict(st, **{k: np.asarray(v, float) for k, v in vals.items()},
                   **{k: float(v) for k, v in self.constants.items()})
        a, b = _eval(lhs, env, "numpy"), _eval(rhs, env, "numpy")
        a, b = np.broadcast_to(a, (n,)), np.broadcast_to(b, (n,))
        with np.errstate(all="ignore"):
            return np.where(b > 0, a / b, np.where(a > 0, np.inf, 0.0))

    def exact(self, lhs, rhs, w: dict, dps: int):
        """(lhs, rhs) of the witness ``w`` replayed with the registry optimizer at dps digits."""
        with mp.workdps(dps):
            A = ar.mpmath_arith()
            vals = {k: A.const(Fraction(v)) for k, v in w["values"].items()}
            vals.update({k: mp.mpf(str(sp.N(v, dps + 10))) for k, v in self.constants.items()})
            seq = None
            if w.get("beta1_t") is not None:
                seq = ar.to_mpmath([[Fraction(b) for b in w["beta1_t"]]])
            opt = games.build(self.name, self.fixed, self.hyper, vals, A, 1, seq)
            g = ar.to_mpmath([[[Fraction(x) for x in row] for row in w["gradients"]]])
            x1 = ar.to_mpmath([[Fraction(x) for x in w["x1"]]])
            st = games.play(opt, g, x1, _needs(lhs, rhs), arith="mpmath")
            env = dict(st, **vals)
            return _eval(lhs, env, "mpmath"), _eval(rhs, env, "mpmath")


def _needs(lhs, rhs):
    return {s.name for s in (lhs.free_symbols | rhs.free_symbols)}


def _eval(expr, env, module):
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    missing = [s.name for s in syms if s.name not in env]
    if missing:
        raise ValueError(f"the claim names {missing}, which neither the game statistics nor "
                         f"the space's symbols supply")
    return games.lambdified(tuple(syms), expr, module)(*[env[s.name] for s in syms])


def certify(w: dict[str, Any]) -> dict[str, Any]:
    """Re-run a witness of :func:`search_bound` from its JSON alone, at 60 and 90 digits:
    both sides, whether the precisions agree to 40 digits, and ``violated``."""
    for key in ("optimizer", "bound", "gradients", "x1", "values"):
        if key not in w:
            raise ValueError(f"witness lacks {key!r}")
    sp_ = Space(w["optimizer"]["space"])
    lhs, rhs = _expr(w["bound"]["lhs"], "lhs"), _expr(w["bound"]["rhs"], "rhs")
    lo = sp_.exact(lhs, rhs, w, 60)
    hi = sp_.exact(lhs, rhs, w, 90)
    with mp.workdps(90):
        agree = all(abs(a - b) < mp.mpf(10) ** -40 for a, b in zip(lo, hi))
        return {"lhs": digits(hi[0]), "rhs": digits(hi[1]), "precisions_agree": bool(agree),
                "violated": bool(agree and hi[0] - hi[1] > mp.mpf(10) ** -30)}


def search_bound(space: dict, lhs, rhs, *, seed: int = 0, thorough: bool = False,
                 **budget) -> dict[str, Any]:
    """Search for a game with ``lhs > rhs``; return the evidence (see the module docstring).

    ``budget`` overrides: n_random, reps, n_local, local_T_max, maxiter, grid_cap.
    The result has ``refuted`` (bool), the largest ratio (``best_ratio`` float64,
    ``best_ratio_50_digits``), ``best`` (the point), the coverage and, when refuted,
    ``witness`` (exact inputs, re-run by :func:`certify`).
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int; got {seed!r}")
    S = Space(space)
    lhs, rhs = _expr(lhs, "lhs"), _expr(rhs, "rhs")
    opts = dict(n_random=400, reps=20, n_local=8, local_T_max=10, maxiter=400,
                grid_cap=GRID_CAP)
    if thorough:
        opts.update(n_random=1500, reps=40, n_local=10, maxiter=1500, grid_cap=4 * GRID_CAP)
    unknown = set(budget) - set(opts)
    if unknown:
        raise TypeError(f"unknown budget options {sorted(unknown)}")
    opts.update(budget)
    rng = np.random.default_rng(seed)
    found = candidates(S, lhs, rhs, rng, opts)
    local = refine(S, lhs, rhs, found, opts)
    best = found["best"]
    w = {"optimizer": {"name": S.name, "space": _space_json(space)},
         "bound": {"lhs": str(lhs), "rhs": str(rhs)},
         "gradients": [[_frac(x) for x in row] for row in best["g"]],
         "x1": [_frac(x) for x in best["x1"]],
         "values": {k: _frac(v) for k, v in best["vals"].items()},
         "domain": "[-1,1]^d", "rerun": RERUN}
    if best.get("seq") is not None:
        w["beta1_t"] = [_frac(b) for b in best["seq"]]
    a50, b50 = S.exact(lhs, rhs, w, 50)
    with mp.workdps(50):
        r50 = a50 / b50 if b50 > 0 else (mp.inf if a50 > 0 else mp.mpf(0))
        r50s = mp.nstr(r50, 20)
    out = {"method": "adversarial search (adamlab.proofs.methods.search.search_bound)",
           "optimizer": S.name, "games": found["games"], "horizons": list(S.horizons),
           "dims": list(S.dims),
           "starts": ("x_1 = 0 and every corner of [-1,1]^d" if S.starts == "corners"
                      else "x_1 = 0 only"),
           "short_horizons": found["short"], "schedule_kinds": found["kinds"],
           "hyper_ranges": {k: {"range": [lo, hi], "scale": sc} for k, (lo, hi, sc, _)
                            in S.free.items()},
           "hypotheses": [str(h) for h in S.hypotheses],
           "local_searches": local, "best_ratio": float(best["ratio"]),
           "best_ratio_50_digits": r50s,
           "best": {"T": int(best["g"].shape[0]), "d": int(best["g"].shape[1]),
                    "hp": {k: float(v) for k, v in best["vals"].items()},
                    "x1": [float(x) for x in best["x1"]], "schedule": best.get("kind"),
                    "beta1_t": None if best.get("seq") is None
                    else [float(b) for b in best["seq"]],
                    "gradients": [[float(f"{x:.17g}") for x in row] for row in best["g"]]},
           "refuted": False}
    if r50 > 1:
        w["certificate"] = certify(w)
        if w["certificate"]["violated"]:
            out.update(refuted=True, witness=w)
    return out


def _space_json(space: dict) -> dict:
    """The space as JSON (expressions as strings), enough for :func:`certify` to rebuild."""
    def conv(v):
        if isinstance(v, dict):
            return {str(k): conv(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [conv(x) for x in v]
        if isinstance(v, (sp.Basic,)):
            return str(v)
        return v
    return conv(space)


__all__ = ["GRID_CAP", "LEVELS", "RERUN", "SCALES", "Space", "certify", "search_bound"]
