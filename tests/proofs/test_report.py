"""``adamlab check --out``: the report folder, its figures and its numbers."""
from __future__ import annotations

import io
import json
import re

import mpmath as mp
import numpy as np
import pytest

from adamlab import cli
from adamlab.proofs import report


def _sup_by_brute_force(b1: float, b2: float, t: int) -> mp.mpf:
    """|mhat_t|/sqrt(vhat_t) of Algorithm 1 (eps = 0) at 50 digits, on the gradient
    sequence g_i = (b1/b2)^(t-i) that attains the supremum (Cauchy-Schwarz equality)."""
    with mp.workdps(50):
        B1, B2 = mp.mpf(b1), mp.mpf(b2)          # the binary floats, exactly
        m = v = mp.mpf(0)
        for i in range(1, t + 1):
            g = (B1 / B2) ** (t - i)
            m = B1 * m + (1 - B1) * g
            v = B2 * v + (1 - B2) * g * g
        return abs(m / (1 - B1**t)) / mp.sqrt(v / (1 - B2**t))


def test_kb_claimed_step_bound_cases():
    assert report.kb_claimed_step_bound(0.9, 0.999) == pytest.approx(0.1 / np.sqrt(0.001))
    assert report.kb_claimed_step_bound(0.99, 0.999) == 1.0    # 1-b1 <= sqrt(1-b2)
    assert report.kb_claimed_step_bound(0.0, 0.0) == 1.0
    with pytest.raises(ValueError, match="beta2 must be a number in"):
        report.kb_claimed_step_bound(0.9, 1.0)


def test_step_size_figure_shows_the_exact_supremum_and_the_claim():
    fig, rows = report.step_size_figure(((0.9, 0.999), (0.99, 0.999)), t_max=2000)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "step $t$" and "Delta_t" in ax.get_ylabel()
    lines = ax.get_lines()
    assert len(lines) == 4 and lines[1].get_linestyle() == "--"
    t, sup = lines[0].get_xdata(), lines[0].get_ydata()
    for k in (0, 5, 60, len(t) - 1):                 # independent: the iteration itself
        assert sup[k] == pytest.approx(float(_sup_by_brute_force(0.9, 0.999, int(t[k]))),
                                       rel=1e-9)
    np.testing.assert_allclose(lines[1].get_ydata(), 0.1 / np.sqrt(0.001))
    # where the exact supremum first exceeds the claim: at every step, not on the grid
    # (the ledger's kb.sec2.1.step-bound-a says t = 210 for these betas)
    first = rows[0]["first_t_above_claim"]
    claim = 0.1 / np.sqrt(0.001)
    assert _sup_by_brute_force(0.9, 0.999, first) > claim
    assert _sup_by_brute_force(0.9, 0.999, first - 1) <= claim
    assert rows[1]["claimed_form"] == "1"


def test_ledger_markdown_escapes_and_counts():
    rows = [{"id": "kb.x", "source": "KB | §2", "verdict": "proved", "summary": "ok\nline"},
            {"id": "rkk.y", "source": "RKK", "verdict": "pending", "summary": "none"}]
    md = report.ledger_markdown(rows)
    assert "| `kb.x` | KB \\| §2 | **proved** | ok line |" in md       # escaped, one line
    assert md.count("\n|") == 3 and "2 claims (pending: 1, proved: 1)." in md


@pytest.mark.slow
def test_check_out_through_the_cli(tmp_path, capsys):
    out = io.StringIO()
    code = cli.main(["check", "kb.sec3.ema-unroll", "rkk.cor1", "--out", str(tmp_path / "r"),
                     "--formats", "svg", "--T", "500"], out=out)
    assert code == 0, capsys.readouterr().err
    md = (tmp_path / "r" / "report.md").read_text()
    data = json.loads((tmp_path / "r" / "ledger.json").read_text())
    assert [c["id"] for c in data["claims"]] == ["kb.sec3.ema-unroll", "rkk.cor1"]
    for c in data["claims"]:                   # the table shows the ledger's own verdicts
        assert f"| `{c['id']}` |" in md and f"**{c['verdict']}**" in md
    assert "report.md" in out.getvalue()
    for img in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md):
        assert img.endswith(".svg") and (tmp_path / "r" / img).exists(), img
    for name in ("step_size", "regret_rkk-thm1", "regret_rkk-online", "regret_rkk-stochastic"):
        assert (tmp_path / "r" / f"{name}.svg").exists()
    svg = (tmp_path / "r" / "regret_rkk-thm1.svg").read_text()
    assert "Adam vs AMSGrad: rkk-thm1 (d = 1), T = 500, 1 run" in svg
    assert "amsgrad: rkk.thm4 bound - holds" in svg
    # the ledger's own instance: Theorem 4.1's bound applies and is violated, in the
    # figure and in the table
    assert "adam: kb.thm4.1 bound - VIOLATED at t = " in svg
    assert "kb.thm4.1: VIOLATED at t = " in md
    assert "![step size](step_size.svg)" in md
    code = cli.main(["check", "rkk.cor1", "--out", str(tmp_path / "r"), "--formats", "jpg"],
                    out=io.StringIO())
    assert code == 2 and "unknown format 'jpg'" in capsys.readouterr().err


def test_the_report_gives_every_claim_in_full_with_references():
    rows = [{"id": "kb.x", "source": "KB Thm 4.1", "verdict": "refuted-as-stated",
             "statement_text": "R(T) <= bound", "statement": r"R(T) \le B",
             "summary": "refuted: witness", "corrected": "R(T) <= 2 bound"},
            {"id": "z.y", "source": "Z Thm 1", "verdict": "verified",
             "statement_text": "R <= D^2", "statement": "R \\le D^2",
             "summary": "verified", "corrected": None}]
    md = report.claims_markdown(rows)
    assert "### `kb.x` (KB Thm 4.1): **refuted-as-stated**" in md
    assert "*As printed:* R(T) <= bound" in md and "$$ R(T) \\le B $$" in md
    assert "*Corrected statement:* R(T) <= 2 bound" in md
    assert md.count("*Corrected statement:*") == 1
    refs = report.references_markdown(rows)
    assert "Kingma and J. Ba" in refs and "Zinkevich" in refs and "Reddi" not in refs
