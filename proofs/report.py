r"""The ``adamlab check --out DIR`` report: the ledger table and its figures, in Markdown.

:func:`write_report` writes into ``DIR``

* ``report.md`` -- the ledger (ID, source, verdict, evidence in one line), then
  the figures with what they show, then every claim in full (statement as printed,
  in words and LaTeX, evidence, corrected statement) and the references;
* ``ledger.json`` -- every verdict with its evidence (as ``adamlab check --json``);
* ``step_size.{png,svg}`` -- the exact supremum :math:`\sup_g|\Delta_t|/\alpha`
  of Adam's effective step against t (:func:`adamlab.theory.step_bounds.adam_sup_ratio_np`,
  lambdified from the closed form of :mod:`adamlab.theory.adam_step`) beside the
  bound claimed in Kingma & Ba, ICLR 2015, §2.1:

  .. math:: |\Delta_t| \le \alpha\,\frac{1-\beta_1}{\sqrt{1-\beta_2}}
            \ \text{ if } 1-\beta_1 > \sqrt{1-\beta_2}, \qquad
            |\Delta_t| \le \alpha \ \text{ otherwise};

* ``regret_<problem>.{png,svg}`` -- Adam against AMSGrad on Reddi, Kale &
  Kumar's problems (ICLR 2018: Theorem 1's game with C = 3, and §5's online
  and stochastic games) with the settings of the paper, their regret
  :math:`R(T)` and :math:`R(T)/T` with the bounds of
  :mod:`adamlab.proofs.regret.experiment`.
"""
from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Sequence

import numpy as np

from adamlab.numerics import plots
from adamlab.numerics.atomic import atomic_write_text
from adamlab.numerics.curves import log_grid
from adamlab.numerics.optimizers.schedules import InverseSqrt
from adamlab.theory.step_bounds import adam_sup_ratio_inf_np, adam_sup_ratio_np

from .regret import files as regret_files
from .regret.experiment import SeriesSpec, run_experiment

#: (beta1, beta2) pairs of the step-size figure: KB's defaults (case a), the boundary
#: case (1-b1) = sqrt(1-b2), and a case (b) pair
STEP_BETAS = ((0.9, 0.999), (0.9, 0.99), (0.99, 0.999))
STEP_T_MAX = 10_000


def kb_claimed_step_bound(beta1: float, beta2: float) -> float:
    r"""The bound on :math:`|\Delta_t|/\alpha` claimed in Kingma & Ba §2.1 (see module docs);
    ``beta1``, ``beta2`` in [0, 1)."""
    for name, v in (("beta1", beta1), ("beta2", beta2)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < 1:
            raise ValueError(f"{name} must be a number in [0, 1); got {v!r}")
    a, b = 1.0 - beta1, float(np.sqrt(1.0 - beta2))
    return a / b if a > b else 1.0


def step_size_figure(betas: Sequence[tuple[float, float]] = STEP_BETAS,
                     t_max: int = STEP_T_MAX):
    """The step-size figure (a matplotlib Figure) and a JSON-able table of what it shows."""
    t = log_grid(t_max, 200)
    curves, rows = [], []
    for b1, b2 in betas:
        sup = np.asarray(adam_sup_ratio_np(b1, b2, t), dtype=np.float64)
        claim = kb_claimed_step_bound(b1, b2)
        case = "(1-b1)/sqrt(1-b2)" if claim != 1.0 else "1"
        # the first t above the claim, exactly: every step up to t_max (the grid only draws)
        every = np.arange(1, t_max + 1)
        above = np.flatnonzero(np.asarray(adam_sup_ratio_np(b1, b2, every)) > claim)
        first = int(every[above[0]]) if above.size else None
        curves.append(plots.StepCurve(
            rf"exact sup, $\beta_1$={b1:g}, $\beta_2$={b2:g}", t, sup,
            np.full(t.shape, claim),
            "KB §2.1 claim: 1" if case == "1" else f"KB §2.1 claim: {case} = {claim:.4g}"))
        rows.append({"beta1": b1, "beta2": b2, "claimed": claim, "claimed_form": case,
                     "sup_at_t_max": float(sup[-1]),
                     "sup_limit": float(adam_sup_ratio_inf_np(b1, b2)),
                     "first_t_above_claim": first})
    fig = plots.step_size_figure(
        curves, title=r"Adam's effective step: exact worst case vs Kingma & Ba §2.1",
        notes=["Solid: the exact supremum over all gradient sequences of |Delta_t|/alpha = "
               "|mhat_t|/sqrt(vhat_t) (epsilon = 0), from the closed form in "
               "adamlab.theory.adam_step (lambdified). Dashed: the bound printed in Kingma & "
               "Ba (ICLR 2015) §2.1 for the same betas. Where solid is above dashed, the "
               "printed bound fails."])
    return fig, rows


#: the problems of the regret figures: (name, params, Adam/AMSGrad hyperparameters, runs)
REDDI_SETTINGS = (
    ("rkk-thm1", {"C": 3.0}, {"lr": InverseSqrt(0.5), "betas": (0.0, 0.1)}, 1,
     "Theorem 1 (C = 3; beta1 = 0, beta2 = 1/(1+C^2), alpha = 0.5 < sqrt(1-beta2)); Adam "
     "with lambda = 1/2 (beta1 = 0 meets Theorem 4.1's schedule for any lambda): the "
     "ledger's own instance for kb.thm4.1 and kb.cor4.2"),
    ("rkk-online", {}, {"lr": InverseSqrt(0.1), "betas": (0.9, 0.99)}, 1,
     "Section 5, online (beta1 = 0.9, beta2 = 0.99)"),
    ("rkk-stochastic", {}, {"lr": InverseSqrt(0.1), "betas": (0.9, 0.99)}, 5,
     "Section 5, stochastic (beta1 = 0.9, beta2 = 0.99); the comparator is the best fixed "
     "point in hindsight of the sampled sequence, whereas the paper plots the expected loss"),
)


def reddi_experiments(T: int = 100_000, seed: int = 0, progress: bool | None = None):
    """Adam vs AMSGrad (Reddi et al.'s Algorithm 2) on each problem of REDDI_SETTINGS;
    yields (name, description, Experiment)."""
    for name, params, hyper, runs, what in REDDI_SETTINGS:
        common = dict(hyper, eps=0.0)
        # beta1 = 0: any lambda gives the same iterates, and lambda < 1 is the schedule
        # Kingma & Ba's Theorem 4.1 states, so its bounds are judged on this run
        lam = 0.5 if hyper["betas"][0] == 0 else 1.0
        specs = [SeriesSpec("adam", dict(common, lam=lam)),
                 SeriesSpec("amsgrad", dict(common, amsgrad_mode="reddi"))]
        exp = run_experiment(name, specs, T, runs, seed, problem_params=params,
                             progress=progress)
        yield name, what, exp


def _md(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def ledger_markdown(rows: Sequence[dict]) -> str:
    """The ledger as a Markdown table (rows as from :func:`adamlab.proofs.ledger.entry`)."""
    lines = ["| ID | source | verdict | evidence |", "|---|---|---|---|"]
    for r in rows:
        lines.append(f"| `{r['id']}` | {_md(r['source'])} | **{r['verdict']}** | "
                     f"{_md(r['summary'])} |")
    counts = {}
    for r in rows:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    tally = ", ".join(f"{v}: {n}" for v, n in sorted(counts.items()))
    return "\n".join(lines) + f"\n\n{len(rows)} claims ({tally}).\n"


#: the abbreviations of the claims' sources, expanded (the report's references)
REFERENCES = {
    "KB": "D. P. Kingma and J. Ba, \"Adam: A Method for Stochastic Optimization\", ICLR 2015, "
          "arXiv:1412.6980v9.",
    "RKK": "S. J. Reddi, S. Kale and S. Kumar, \"On the Convergence of Adam and Beyond\", "
           "ICLR 2018 (camera-ready).",
    "DHS": "J. Duchi, E. Hazan and Y. Singer, \"Adaptive Subgradient Methods for Online "
           "Learning and Stochastic Optimization\", JMLR 12 (2011) 2121-2159.",
    "Z": "M. Zinkevich, \"Online Convex Programming and Generalized Infinitesimal Gradient "
         "Ascent\", ICML 2003.",
}


def claims_markdown(rows: Sequence[dict]) -> str:
    """Every claim in full: its statement as printed (words and LaTeX), the verdict with
    its one line of evidence, and the corrected statement where there is one."""
    out = []
    for r in rows:
        out.append(f"### `{r['id']}` ({_md(r['source'])}): **{r['verdict']}**\n")
        if r.get("statement_text"):
            out.append(f"*As printed:* {r['statement_text']}\n")
        if r.get("statement"):
            out.append(f"$$ {r['statement']} $$\n")
        out.append(f"*Evidence:* {r['summary']}\n")
        if r.get("corrected"):
            out.append(f"*Corrected statement:* {r['corrected']}\n")
    return "\n".join(out)


def references_markdown(rows: Sequence[dict]) -> str:
    """The references the claims' sources abbreviate (only those used)."""
    used = [k for k in REFERENCES if any(str(r["source"]).split()[0] == k for r in rows)]
    return "\n".join(f"- **{k}**: {REFERENCES[k]}" for k in used) + "\n"


def write_report(out_dir, rows: Sequence[dict], *, formats: Sequence[str] = ("png", "svg"),
                 T: int = 100_000, seed: int = 0, progress: bool | None = None,
                 log=None) -> dict:
    """Write the report folder (see module docs); return {"report": path, "files": [...]}."""
    from adamlab import __version__
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ext = next((f for f in ("png", "svg") if f in formats), formats[0])
    files = []
    fig, step_rows = step_size_figure()
    files += [str(p) for p in plots.save_figure(fig, out / "step_size", formats)]
    parts = [f"# adamlab {__version__}: claims ledger report\n",
             f"Generated {_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d %H:%M UTC} by "
             f"`adamlab check --out`.\n", "## Ledger\n", ledger_markdown(rows),
             "## Adam's effective step against the claimed bound (KB §2.1)\n",
             f"![step size](step_size.{ext})\n",
             "| beta1 | beta2 | claimed bound | exact sup at t = %d | limit t -> oo | "
             "first t above the claim |" % STEP_T_MAX, "|---|---|---|---|---|---|"]
    for r in step_rows:
        parts.append(f"| {r['beta1']} | {r['beta2']} | {r['claimed_form']} = "
                     f"{r['claimed']:.6g} | {r['sup_at_t_max']:.6g} | {r['sup_limit']:.6g} | "
                     f"{r['first_t_above_claim'] or f'never (t <= {STEP_T_MAX:,})'} |")
    parts.append("\n## Adam against AMSGrad on Reddi et al.'s problems\n")
    for name, what, exp in reddi_experiments(T, seed, progress):
        if log:
            log(f"report: {name} done ({exp.elapsed_s:.1f} s)")
        cs = regret_files.curves(exp)
        fig = plots.regret_figure(cs, ("regret", "avg"), title=f"Adam vs AMSGrad: {exp.title}")
        files += [str(p) for p in plots.save_figure(fig, out / f"regret_{name}", formats)]
        parts.append(f"### {name}: {what}\n\n![{name}](regret_{name}.{ext})\n")
        parts += [f"- {_md(n)}" for n in regret_files.notes(exp)] + [""]
        parts.append("| series | R(T)/T (median) | log-log slope (median) | bounds |")
        parts.append("|---|---|---|---|")
        for s in exp.series:
            med = float(np.median(s.regret[-1]))
            bounds = "; ".join(f"{b.claim_id}: {b.outcome(s.regret, s.t)['text']}"
                               for b in s.bounds) or "-"
            parts.append(f"| {s.label} | {med / exp.T:.4g} | {s.slope_summary()[1]:.3f} | "
                         f"{_md(bounds)} |")
        parts.append("")
    parts += ["## The claims in full\n", claims_markdown(rows), "## References\n",
              references_markdown(rows)]
    ledger_path = out / "ledger.json"
    atomic_write_text(ledger_path, json.dumps(
        {"adamlab": __version__, "claims": list(rows)}, indent=2, default=str) + "\n")
    report = atomic_write_text(out / "report.md", "\n".join(parts) + "\n")
    return {"report": str(report), "files": [str(ledger_path)] + files}


__all__ = ["REDDI_SETTINGS", "REFERENCES", "STEP_BETAS", "claims_markdown",
           "kb_claimed_step_bound", "ledger_markdown", "references_markdown",
           "reddi_experiments", "step_size_figure", "write_report"]
