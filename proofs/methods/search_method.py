r"""The search method: decide a regret claim by adversarial search, as a :class:`Method`.

:class:`Search` holds a search space (:func:`.search.search_bound`'s ``space``:
the registry optimizer, how its hyperparameters are built from free symbols,
the hypotheses, the games) and the claim's two sides.  :meth:`Search.decide`
runs the search and returns

* ``refuted`` with the certified witness (every input an exact rational; re-run
  by :func:`.search.certify` from the JSON alone) when a game exceeds the bound at
  60 and 90 digits;
* ``verified`` (never ``proved``) with what was covered and the largest ratio
  found, float64 and re-checked at 50 digits, otherwise.
"""
from __future__ import annotations

from typing import Any

import mpmath as mp
import sympy as sp

from ..claim import Method
from ..verdict import Verdict
from .search import search_bound


def coverage(res: dict[str, Any]) -> str:
    """One paragraph saying what a :func:`search_bound` result covered."""
    short = res["short_horizons"]
    return (f"{res['games']} linear games f_t(x) = g_t.x on [-1,1]^d played by the registry "
            f"optimizer {res['optimizer']!r}, d in {res['dims']}, T in {res['horizons']}, "
            f"{res['starts']}; T = 1, 2, 3 on a grid ({short['games']} games, entries "
            f"{short['levels']} x scales {short['scales']}); structured and random sequences "
            f"at longer horizons; beta1_t schedules {res['schedule_kinds']}; hyperparameters "
            f"inside the hypotheses {res['hypotheses']} and ranges {res['hyper_ranges']}; "
            f"then {len(res['local_searches'])} Nelder-Mead local searches")


TOLERANCE = ("a violation needs lhs > rhs at 50 digits (the registry optimizer replayed in "
             "mpmath), certified at 60 and 90 digits (agreeing to 40 digits, margin > 1e-30)")


class Search(Method):
    """Method: adversarial search over ``space`` for a game with ``lhs > rhs``
    (``thorough_game`` updates ``space["game"]`` under ``--thorough``, e.g. more
    dimensions and longer horizons; the thorough search runs *besides* the default one,
    so it never reports a smaller worst case)."""

    kind = "search"

    def __init__(self, space: dict, lhs, rhs, *, seed: int = 0, reading: str = "",
                 thorough_game: dict | None = None):
        if not isinstance(space, dict):
            raise TypeError(f"space must be a dict (see search_bound); got "
                            f"{type(space).__name__}")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be an int >= 0; got {seed!r}")
        if thorough_game is not None and not isinstance(thorough_game, dict):
            raise TypeError("thorough_game must be a dict (the game with --thorough) or None")
        self.space, self.lhs, self.rhs, self.seed, self.reading = space, lhs, rhs, seed, reading
        self.thorough_game = thorough_game

    @classmethod
    def of(cls, space: dict, relation, **kw) -> "Search":
        """From a relation ``lhs <= rhs`` (or ``<``; ``>=`` / ``>`` are turned around)."""
        if isinstance(relation, (sp.Le, sp.Lt)):
            return cls(space, relation.lhs, relation.rhs, **kw)
        if isinstance(relation, (sp.Ge, sp.Gt)):
            return cls(space, relation.rhs, relation.lhs, **kw)
        raise TypeError(f"a searched statement must be an inequality (<=, <, >=, >); got "
                        f"{relation}")

    def decide(self, claim, thorough: bool = False) -> Verdict:
        res = search_bound(self.space, self.lhs, self.rhs, seed=self.seed)
        if thorough:       # a superset of the default search: both run, the worse case wins
            space = self.space
            if self.thorough_game is not None:
                space = dict(space, game=dict(space.get("game", {}), **self.thorough_game))
            more = search_bound(space, self.lhs, self.rhs, seed=self.seed, thorough=True)
            default = {"games": res["games"], "best_ratio_50_digits":
                       res["best_ratio_50_digits"], "refuted": res["refuted"]}
            if more["refuted"] or not res["refuted"] and mp.mpf(
                    more["best_ratio_50_digits"]) >= mp.mpf(res["best_ratio_50_digits"]):
                res = dict(more, default_search=default)
            else:
                res = dict(res, thorough_search={"games": more["games"], "best_ratio_50_digits":
                                                 more["best_ratio_50_digits"]})
            res["games"] = more["games"] + default["games"]
            res["dims"] = sorted(set(res["dims"]) | set(more["dims"]))
            res["horizons"] = sorted(set(res["horizons"]) | set(more["horizons"]))
        ev = {"reading": self.reading or f"{self.lhs} <= {self.rhs} for every game of the class",
              "search": res, "inputs_covered": coverage(res), "tolerance": TOLERANCE}
        if res["refuted"]:
            w = res["witness"]
            ev.update(witness=w, lhs=w["certificate"]["lhs"], rhs=w["certificate"]["rhs"])
            b = res["best"]
            return Verdict(claim.id, "refuted",
                           f"refuted: T = {b['T']}, d = {b['d']}, x_1 = {b['x1']}: lhs = "
                           f"{w['certificate']['lhs'][:12]} > rhs "
                           f"{w['certificate']['rhs'][:12]} (registry optimizer "
                           f"{res['optimizer']!r} replayed at 60/90 digits)", ev)
        if mp.mpf(res["best_ratio_50_digits"]) > 1:
            return Verdict(claim.id, "pending", "the search found a violation in float64 that "
                           "did not certify", ev)
        return Verdict(claim.id, "verified",
                       f"verified (not proved): {res['games']} adversarial games (d <= "
                       f"{max(res['dims'])}, T <= {max(res['horizons'])}, corner and zero "
                       f"starts): max lhs/rhs = {res['best_ratio_50_digits'][:22]} <= 1 "
                       f"(50-digit recheck)", ev)

    def describe(self) -> str:
        return (f"search (adversarial games, registry optimizer "
                f"{self.space.get('optimizer')!r}, 50-digit certificate)")


__all__ = ["Search", "TOLERANCE", "coverage"]
