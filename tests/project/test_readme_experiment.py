"""The README's "Your own experiment in Python" runs as written (issue 17)."""
from __future__ import annotations

import contextlib
import io
from pathlib import Path


def test_readme_experiment_snippet_runs_and_shows_the_counterexample():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Your own experiment in Python", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    out = io.StringIO()
    scope: dict = {}
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), scope)
    text = out.getvalue()
    assert "kb.thm4.1 VIOLATED at t = " in text            # the refutation, from Python
    assert [s.label for s in scope["exp"].series] == ["adam", "amsgrad"]
    ams = scope["exp"].series[1]
    assert [b.outcome(ams.regret, ams.t)["kind"] for b in ams.bounds
            if b.claim_id == "rkk.thm4"] == ["holds"]


def test_public_names_are_listed_and_load():
    import adamlab.numerics as numerics
    import adamlab.proofs as proofs
    import adamlab.theory as theory
    for mod, names in ((theory, ("regret_bounds", "quantities", "recursions")),
                       (numerics, ("optimizers", "problems", "simulate", "domains")),
                       (proofs, ("Claim", "decide", "run_experiment", "SeriesSpec",
                                 "Asymptotic"))):
        for name in names:
            assert name in dir(mod) and getattr(mod, name) is not None, (mod, name)
    assert theory.regret_bounds.get("z.ogd-regret").source
