"""The whole ledger: every CLAIMS.md ID decided (never pending) and the JSON contract of issue 6 §4.

The ledger is decided once, by the main job as a user runs it (``adamlab check --json``,
~40 s of CPU); every test here reads that run's JSON and terminal text.  The witness
re-checks live in test_ledger_witnesses.py and test_ledger_seed.py.
"""
from __future__ import annotations

import io
import json
import re
from fractions import Fraction

import mpmath as mp
import pytest
import sympy as sp

from adamlab.proofs import claims, ledger
from adamlab.theory.regret.quantities import LATEX_NAMES

RATIONAL = re.compile(r"^-?\d+(/\d+)?$")
# keys inside a witness that hold text or derived outputs, not inputs
NOT_INPUTS = {"certificate", "note", "rerun", "reading", "gradients_are", "bound", "claim",
              "optimizer", "kind", "domain", "sup_squared_exact", "term", "strict",
              "framework", "config", "unknown_value", "delta_60_digits", "dtype"}


class _Row:
    """A ledger row read back from ``adamlab check --json`` (what a user gets)."""

    def __init__(self, row: dict):
        self.row, self.verdict, self.evidence = row, row["verdict"], row["evidence"]


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """One run of the main job, ``adamlab check --json`` (the whole ledger, ~40 s of CPU):
    its terminal text and its JSON rows; every test here reads them."""
    from adamlab import cli
    path = tmp_path_factory.mktemp("ledger") / "ledger.json"
    out = io.StringIO()
    # --workers 1: in this process, whose caches the ledger tests before it have warmed
    # (the processes of the default run are tested in tests/cli/test_cli.py)
    assert cli.main(["check", "--json", str(path), "--workers", "1"], out=out) == 0
    return out.getvalue(), json.loads(path.read_text())["claims"]


@pytest.fixture(scope="module")
def decided(checked):
    return {r["id"]: _Row(r) for r in checked[1]}


@pytest.mark.slow
def test_check_lists_every_claim_with_a_tally(checked):
    text, rows = checked
    assert [r["id"] for r in rows] == claims.ids()
    for c in claims.CLAIMS:
        assert c.id in text
    tally = re.search(r"^(\d+) claims: (.*)$", text, re.M)
    assert "proved: a symbolic or step-checked proof" in text      # the legend
    assert tally and int(tally.group(1)) == len(claims.CLAIMS)
    counts = [int(n) for n in re.findall(r"(\d+) (?:proved|verified|refuted|pending)",
                                         tally.group(2))]
    assert sum(counts) == len(claims.CLAIMS)
    assert "optimizers registered" not in text          # that is `adamlab list optimizers`


def test_every_published_claim_is_one_object_with_a_method():
    ids = claims.ids()
    # CLAIMS.md's 47, issue 20's two, AdaBelief/Yogi's two (belief.py), ADOPT's one (adopt.py)
    assert len(ids) == len(set(ids)) == 52
    assert ledger.registered() == ids
    for c in claims.CLAIMS:
        # the LaTeX is generated from the SymPy statement, so it changes with it
        assert isinstance(c.expr(), sp.Basic) and c.latex().startswith(
            sp.latex(c.expr(), symbol_names=LATEX_NAMES)), c.id
        assert c.method.describe() and c.text and c.source


@pytest.mark.slow
def test_no_verdict_is_pending(decided):
    pending = [i for i, v in decided.items() if v.verdict == "pending"]
    assert pending == []
    assert {v.verdict for v in decided.values()} <= set(ledger.VERDICTS) - {"pending"}


def _sig_digits(s: str) -> int:
    mant = s.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
    return len(mant)


def _inputs(obj, path="witness"):
    """Yield (path, value) for every input leaf of a witness."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k not in NOT_INPUTS:
                yield from _inputs(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for j, v in enumerate(obj):
            yield from _inputs(v, f"{path}[{j}]")
    else:
        yield path, obj


@pytest.mark.slow
def test_json_contract(checked):
    back = checked[1]
    assert [r["id"] for r in back] == claims.ids()
    for r in back:
        assert {"id", "source", "verdict", "statement", "statement_text", "summary",
                "evidence", "corrected", "method", "quantifies"} <= set(r)
        assert r["verdict"] in ("proved", "verified", "refuted", "refuted-as-stated")
        assert "\\" in r["statement"] or "=" in r["statement"], r["id"]   # LaTeX
        if r["verdict"] == "refuted-as-stated":
            assert r["corrected"], r["id"]
        if r["verdict"].startswith("refuted"):
            ev = r["evidence"]
            assert "witness" in ev, r["id"]
            for side in ("lhs", "rhs"):         # 30 digits, or an exact zero
                assert isinstance(ev[side], str) and (
                    _sig_digits(ev[side]) >= 30 or Fraction(ev[side]) == 0), (r["id"], side)
            for path, val in _inputs(ev["witness"]):
                ok = isinstance(val, bool) or isinstance(val, int) or (
                    isinstance(val, str) and RATIONAL.match(val))
                assert ok, (r["id"], path, val)


@pytest.mark.slow
def test_refutation_sides_are_ordered(decided):
    """The certified sides violate the claim's relation: lhs > rhs where it reads <=,
    lhs >= rhs where it reads <, lhs < rhs where it reads >=, lhs <= rhs where it reads
    >, lhs != rhs for equalities (and the two claims whose sides are compared as printed
    expressions)."""
    for i, v in decided.items():
        if v.verdict.startswith("refuted"):
            lhs, rhs = Fraction(v.evidence["lhs"]), Fraction(v.evidence["rhs"])
            rel = claims.get(i).expr()
            if i in ("kb.alg1.efficient-order", "kb.proof10.5.final-display") or isinstance(
                    rel, sp.Eq):
                assert lhs != rhs, i
                continue
            fails = {sp.Ge: lhs < rhs, sp.Gt: lhs <= rhs, sp.Le: lhs > rhs,
                     sp.Lt: lhs >= rhs, sp.Ne: lhs == rhs}
            assert fails.get(type(rel), lhs > rhs), i     # compound statements: lhs > rhs


@pytest.mark.slow
def test_verified_states_inputs(decided):
    for i in ("rkk.thm4", "dhs.adagrad-regret", "z.ogd-regret"):
        ev = decided[i].evidence
        assert ev["inputs_covered"] and ev["tolerance"] and ev["search"]["games"] > 1000
        # read at 50 digits: Zinkevich's bound is tight at T = 1 from a corner, so the
        # largest ratio is 1 - 1e-20 and float() would round it to 1
        with mp.workdps(50):
            assert mp.mpf(ev["search"]["best_ratio_50_digits"]) < 1
    for i in ("rkk.thm1", "rkk.sec5.online", "rkk.sec5.stochastic", "kb.cor4.2"):
        ev = decided[i].evidence
        assert "runs" in ev and ("rule" in ev or "rules" in ev), i


def test_unknown_id_is_rejected():
    with pytest.raises(ValueError, match="unknown claim id"):
        ledger.decide("kb.thm4.2")
    with pytest.raises(ValueError):
        ledger.digits(1, 0)
