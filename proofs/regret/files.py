r"""The files of a regret experiment: figures, a CSV summary and a JSON summary.

:func:`write_outputs` turns an :class:`~adamlab.proofs.regret.experiment.Experiment`
into (all written atomically: temporary file, then :func:`os.replace`)

* ``regret_loglog.*`` -- :math:`R(T)` against T, log-log, with a
  :math:`\propto\sqrt T` guide; ``regret_over_sqrtT.*`` -- :math:`R(T)/\sqrt T`;
  ``regret_over_T.*`` -- :math:`R(T)/T`; ``regret_panels.*`` -- the three side
  by side.  Each: per series the median over runs and the 10--90 % band, the
  bounds of :func:`~adamlab.proofs.regret.experiment.bound_ids_for` in the same
  color (dashed: applies; dotted and faded: a hypothesis fails, with the reason
  in the legend and the note below);
* ``caption.md`` -- the figures' caption: the series with their hyperparameters, what
  is drawn, and each bound's outcome (kept out of the images);
* ``summary.csv`` -- one row per series and horizon :math:`T \in \{10, 100,
  \dots\} \cup \{T\}`: regret quantiles over runs, fitted slope, each bound's
  value (median over runs) and status, and the series' hyperparameters as numbers
  (``hp[lr].alpha``, ``hp[betas][1]``, ...);
* ``summary.json`` -- everything above plus hyperparameters, engines, reasons,
  file names and, under ``comparators``, each horizon's comparator certificate
  (``certified: false`` with the relative bound reached, where it is not);
* ``precision_drift.*`` -- only for a low-precision experiment (``adamlab regret
  --dtype``): each series' drift from its float64 twin against t, with the unit
  roundoff u and u t as guides; ``summary.json`` then holds the settings under
  ``precision`` and each series' drift report (first inf/NaN step, updates rounded to
  zero, drift, R(T) in both precisions) under ``series[i].precision``.

The per-series results (.npz + .json) are written by the simulator while the
experiment runs (``runs/<label>.npz``).
"""
from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Sequence

import numpy as np

from adamlab.numerics import plots
from adamlab.numerics.atomic import atomic_write_text
from adamlab.numerics.curves import log_grid, quantile_band
from adamlab.numerics.optimizers.precision import unit_roundoff
from adamlab.theory.regret.bounds import CLAIM_IDS

from .assess import json_float as _f
from .experiment import (QUANTILES, Experiment, SeriesOutcome, hyper_text, precision_line,
                         precision_text)

FORMAT = "adamlab.regret/1"
FIGURES = {"regret_loglog": ("regret",), "regret_over_sqrtT": ("sqrt",),
           "regret_over_T": ("avg",), "regret_panels": ("regret", "sqrt", "avg")}
PLOT_POINTS = 300


def _short(b) -> str:
    names = [n.split(" (")[0] for n in b.failed] or ["bound infinite"]
    return ", ".join(names)


def series_label(s: SeriesOutcome) -> str:
    lo, med, hi = s.slope_summary()
    return f"{s.label}: slope {med:.2f} [{lo:.2f}, {hi:.2f}]"


def bound_label(s: SeriesOutcome, b) -> str:
    """The legend entry of a bound: its outcome on the series (see
    :meth:`~adamlab.proofs.regret.assess.BoundAssessment.outcome`)."""
    head = f"{s.label}: {b.claim_id} bound"
    oc = b.outcome(s.regret if s.complete else None, s.t)
    if oc["kind"] == "violated":
        return f"{head} - VIOLATED at t = {oc['first_t']:,}"
    if oc["kind"] == "holds":
        return f"{head} - holds"
    return f"{head} - does not apply ({_short(b)})"


def curves(exp: Experiment, points: int = PLOT_POINTS) -> list[plots.Curve]:
    """The plotted curves: per complete series the quantile band on a log grid and its
    evaluable bounds (median over runs)."""
    out = []
    for s in exp.series:
        if not s.complete:
            continue
        if s.regret_kind == "horizons":
            t = s.t
            rows = np.arange(t.size)
        else:
            t = log_grid(exp.T, points)
            rows = t - 1
        q = quantile_band(s.regret[rows], QUANTILES)
        refs = []
        for b in s.bounds:
            if b.values is None:
                continue
            vals = b.values[t - 1]
            with np.errstate(all="ignore"):
                med = np.nanmedian(np.where(np.isfinite(vals), vals, np.nan), axis=1)
            refs.append(plots.Reference(bound_label(s, b), t, med, b.status == "applies"))
        out.append(plots.Curve(series_label(s), t, q[1], q[0], q[2], refs,
                               "o" if s.regret_kind == "horizons" else None))
    return out


def notes(exp: Experiment) -> list[str]:
    """The notes under each figure: what is plotted, and why a bound is faded or absent."""
    lo, hi = QUANTILES[0], QUANTILES[-1]
    kinds = {s.regret_kind for s in exp.series if s.complete}
    if "final-comparator" in kinds:
        what = ("R(t) is the regret against the best fixed point of the whole horizon (only "
                "its last value is R(T))")
    else:
        what = "R(T) is the regret against the best fixed point of the first T steps"
        if "horizons" in kinds:
            what += (" (markers: the horizons at which the best fixed point was computed, "
                     "one certified comparator each)")
    out = [f"{what}. Lines: median over runs; band: {lo:.0%}-{hi:.0%} quantiles over runs; "
           f"slope: least-squares log-log slope over the last decade, median "
           f"[{lo:.0%}, {hi:.0%}] over runs. Dashed: a bound whose statement applies (the legend "
           f"says whether it holds or is VIOLATED); dotted and faded: a bound that does not "
           f"apply. Values <= 0 are not drawn on log axes."]
    for s in exp.series:
        if s.complete and s.result.runs > 1 and np.all(np.ptp(s.regret, axis=1) == 0):
            out.append("The runs coincide: the problem draws no randomness.")
            break
    for s in exp.series:
        for b in s.bounds:
            oc = b.outcome(s.regret if s.complete else None, s.t)
            if oc["kind"] == "violated":
                out.append(f"{s.label}, {b.claim_id}: the statement's hypotheses hold and the "
                           f"bound is {oc['text']}: a counterexample to the statement as "
                           f"printed.")
            elif b.status == "not met":
                out.append(f"{s.label}, {b.claim_id} bound does not apply, fails: "
                           + "; ".join(b.failed or ["the bound is infinite"]) + ".")
            elif b.status == "not applicable":
                out.append(f"{s.label}, {b.claim_id} bound not drawn: " + "; ".join(b.reasons)
                           + ".")
            if b.proof_only and b.status == "applies":
                out.append(f"{s.label}, {b.claim_id}: " + "; ".join(b.proof_only) + ".")
    if exp.precision is not None:
        out.append(f"Low precision: every series ran with {precision_text(exp.precision)}, "
                   f"beside its float64 twin on the same data (dense engine). The bounds are "
                   f"the theorems' for exact arithmetic, evaluated on the low-precision runs' "
                   f"statistics.")
        for s in exp.series:
            if s.precision is not None:
                out.append(f"{s.label}, {precision_line(s.precision)}.")
    comps = exp.comparators
    if comps is not None and not comps["certified"]:
        bad = [c for c in comps["certificates"] if not c["certified"]]
        out.append("WARNING: the best fixed point is NOT CERTIFIED at T = "
                   + ", ".join(f"{c['h']:,} (relative bound {float(c['relative_bound']):.1e})"
                               for c in bad) + "; the regret there is uncertain by that much.")
    for s in exp.series:
        if not s.complete:
            out.append(f"{s.label}: interrupted after {s.result.steps_done} steps; not drawn.")
    if exp.interrupted and all(s.label != exp.interrupted for s in exp.series):
        out.append(f"interrupted while running {exp.interrupted}; later series not run.")
    return out


def write_figures(exp: Experiment, out_dir, formats: Sequence[str] = ("png", "svg"), *,
                  bounds: bool = True, panels: Sequence[str] | None = None,
                  ylim: dict | None = None) -> dict[str, list[str]]:
    """Draw and save the figures; returns {figure name: [paths]}.  ``bounds=False`` leaves
    the bounds out; ``panels`` (a subset of ``regret``, ``sqrt``, ``avg``) chooses the
    single-panel figures and the panels of ``regret_panels``; ``ylim`` maps a panel to
    its (low, high) range."""
    chosen = list(panels) if panels is not None else ["regret", "sqrt", "avg"]
    bad = [p for p in chosen if p not in plots.PANELS]
    if not chosen or bad:
        raise ValueError(f"panels must be a non-empty list of {tuple(plots.PANELS)}; got "
                         f"{panels!r}")
    cs = curves(exp)
    if not cs:
        return {}
    if not bounds:
        cs = [plots.Curve(c.label, c.t, c.median, c.lo, c.hi, [], c.marker) for c in cs]
    files = {}
    for name, figure_panels in FIGURES.items():
        figure_panels = [p for p in figure_panels if p in chosen] \
            if name == "regret_panels" else list(figure_panels)
        if not figure_panels or any(p not in chosen for p in figure_panels):
            continue
        fig = plots.regret_figure(cs, figure_panels, title=exp.title, ylim=ylim)
        files[name] = [str(p) for p in plots.save_figure(fig, Path(out_dir) / name, formats)]
    drift = drift_curves(exp)
    if drift:
        fig = plots.drift_figure(drift, unit_roundoff(exp.precision["storage"]),
                                 storage=exp.precision["storage"],
                                 title=f"{exp.problem.name}: drift from float64\n"
                                       f"{precision_text(exp.precision)}")
        files["precision_drift"] = [str(p) for p in
                                    plots.save_figure(fig, Path(out_dir) / "precision_drift",
                                                      formats)]
    files["caption"] = [str(atomic_write_text(Path(out_dir) / "caption.md", caption(exp)))]
    return files


def drift_curves(exp: Experiment) -> list[plots.DriftCurve]:
    """The drift of every low-precision series that recorded it per step (none in
    float64, or when the iterates were too many to compare)."""
    out = []
    for s in exp.series:
        rep = s.precision
        if s.complete and rep is not None and rep.get("drift_series") is not None:
            drift = np.array([float(x) for x in rep["drift_series"]])   # JSON: 'inf' strings
            out.append(plots.DriftCurve(s.label, np.asarray(rep["drift_t"]), drift))
    return out


def caption(exp: Experiment) -> str:
    """The figures' caption (Markdown): what is drawn, the hyperparameters of each series,
    and every bound's outcome -- beside the figures, not inside them."""
    lines = [f"# {exp.title}", "", "Series:", ""]
    lines += [f"- **{s.label}** ({s.optimizer.name}): {hyper_text(s.hyper)}"
              for s in exp.series]
    lines += ["", "Notes:", ""] + [f"- {n}" for n in notes(exp)] + [""]
    return "\n".join(lines)


def horizons(T: int) -> list[int]:
    """10, 100, ... below T, then T."""
    out, h = [], 10
    while h < T:
        out.append(h)
        h *= 10
    return out + [T]


CSV_COLUMNS = (["series", "optimizer", "T", "runs", "complete", "regret_kind", "regret_q10",
                "regret_median", "regret_q90", "regret_over_sqrtT_median", "regret_over_T_median",
                "slope_q10", "slope_median", "slope_q90"]
               + [f"bound[{c}]" for c in CLAIM_IDS] + [f"status[{c}]" for c in CLAIM_IDS]
               + [f"outcome[{c}]" for c in CLAIM_IDS]
               + [f"violated_first_t[{c}]" for c in CLAIM_IDS])


def hyper_columns(hyper: dict) -> dict[str, str]:
    """A series' hyperparameters as CSV columns ``hp[...]``, one number or word each:
    ``{"lr": {"schedule": "inverse_sqrt", "alpha": 0.05}, "betas": [.., 0.99]}`` gives
    ``hp[lr].schedule = inverse_sqrt``, ``hp[lr].alpha = 0.05``, ``hp[betas][1] = 0.99``,
    so that a grid's values can be plotted or filtered without parsing labels."""
    out: dict[str, str] = {}

    def walk(key, value):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{key}.{k}", v)
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                walk(f"{key}[{i}]", v)
        elif isinstance(value, bool) or value is None or isinstance(value, str):
            out[key] = "" if value is None else str(value).lower() \
                if isinstance(value, bool) else value
        else:
            out[key] = _num(value)

    for name, value in hyper.items():
        walk(f"hp[{name}]", value)
    return out


def csv_text(exp: Experiment) -> str:
    """The CSV summary (see module docs); one row per series and horizon, then the
    hyperparameters of each series in columns ``hp[...]`` (:func:`hyper_columns`)."""
    buf = io.StringIO()
    hp = {s.label: hyper_columns(s.hyper) for s in exp.series}
    extra = list(dict.fromkeys(k for cols in hp.values() for k in cols))
    w = csv.DictWriter(buf, CSV_COLUMNS + extra, lineterminator="\n", restval="")
    w.writeheader()
    for s in exp.series:
        sl = s.slope_summary()
        status = {b.claim_id: b for b in s.bounds}
        # a partial series: the horizons it reached, then where it stopped (regret known
        # there only where the problem gives the regret of every prefix)
        hs = horizons(exp.T) if s.complete else \
            [h for h in horizons(exp.T) if h < s.result.steps_done] + [s.result.steps_done]
        for h in hs:
            at = s.at(h) if h >= 1 else None
            if at is None and not s.complete and h == s.result.steps_done:
                at = np.full(s.result.runs, np.nan)      # where it stopped: marked, unknown
            if at is None:
                continue
            q = quantile_band(at[None, :], QUANTILES)[:, 0]
            row = {"series": s.label, "optimizer": s.optimizer.name, "T": h,
                   "runs": s.result.runs, "complete": s.complete, "regret_kind": s.regret_kind,
                   "regret_q10": _num(q[0]), "regret_median": _num(q[1]),
                   "regret_q90": _num(q[2]), "regret_over_sqrtT_median": _num(q[1] / math.sqrt(h)),
                   "regret_over_T_median": _num(q[1] / h), "slope_q10": _num(sl[0]),
                   "slope_median": _num(sl[1]), "slope_q90": _num(sl[2]), **hp[s.label]}
            for cid in CLAIM_IDS:
                b = status.get(cid)
                row[f"status[{cid}]"] = "" if b is None else b.status
                oc = None if b is None else b.outcome(s.regret if s.complete else None, s.t)
                row[f"outcome[{cid}]"] = "" if oc is None else oc["kind"]
                row[f"violated_first_t[{cid}]"] = "" if oc is None or oc["first_t"] is None \
                    else str(oc["first_t"])
                row[f"bound[{cid}]"] = "" if b is None or b.values is None else \
                    _num(np.median(b.values[h - 1]))
            w.writerow(row)
    return buf.getvalue()


def _num(x) -> str:
    x = float(x)
    return "" if math.isnan(x) else repr(x)


def summary(exp: Experiment) -> dict:
    """The JSON summary (see module docs), without the file list."""
    series = []
    for s in exp.series:
        q = quantile_band(s.regret[-1][None, :], QUANTILES)[:, 0] if s.complete else \
            np.full(3, np.nan)
        sl = s.slope_summary()
        series.append({
            "label": s.label, "optimizer": s.optimizer.name, "hyper": s.hyper,
            "engine": s.result.metadata.get("engine"), "complete": s.complete,
            "steps_done": s.result.steps_done, "result_file": s.path,
            "regret_kind": s.regret_kind,
            "regret_at_T": {"q10": _f(q[0]), "median": _f(q[1]), "q90": _f(q[2])},
            "slope": {"q10": _f(sl[0]), "median": _f(sl[1]), "q90": _f(sl[2]),
                      "per_run": [_f(x) for x in s.slopes]},
            "regret_known_at": "every step" if s.t.size == exp.T else [int(x) for x in s.t],
            "bounds": [b.to_json(s.regret, s.t) for b in s.bounds],
            "elapsed_s": s.result.metadata.get("elapsed_s"),
            "precision": s.precision,
        })
    from adamlab import __version__
    return {"format": FORMAT, "adamlab": __version__, "problem": exp.problem.to_json(),
            "d": exp.problem.d, "T": exp.T, "runs": exp.runs, "seed": exp.seed,
            "complete": exp.complete, "interrupted": exp.interrupted,
            "elapsed_s": exp.elapsed_s, "quantiles": list(QUANTILES),
            "slope_window": "least squares of log R on log t over t in [T/10, T]",
            "notes": notes(exp), "series": series, "precision": exp.precision,
            "comparators": None if exp.comparators is None else {
                "certified": exp.comparators["certified"],
                "seconds": _f(exp.comparators["seconds"]),
                "threads": exp.comparators["workers"],
                "per_horizon": exp.comparators["certificates"]}}


def write_outputs(exp: Experiment, out_dir, formats: Sequence[str] = ("png", "svg"), *,
                  extra: dict | None = None, figure_options: dict | None = None) -> dict:
    """Write figures, ``summary.csv`` and ``summary.json`` into ``out_dir``; return the
    JSON summary (with ``files``).  ``extra`` entries (e.g. the command line) are added;
    ``figure_options`` go to :func:`write_figures` (bounds, panels, ylim)."""
    out_dir = Path(out_dir)
    files = {"figures": write_figures(exp, out_dir, formats, **(figure_options or {}))}
    files["csv"] = str(atomic_write_text(out_dir / "summary.csv", csv_text(exp)))
    doc = summary(exp)
    doc.update(extra or {})
    files["json"] = str(out_dir / "summary.json")
    files["results"] = [s.path for s in exp.series if s.path]
    doc["files"] = files
    atomic_write_text(out_dir / "summary.json",
                      json.dumps(doc, indent=1, allow_nan=False, default=str) + "\n")
    return doc


__all__ = ["CSV_COLUMNS", "FIGURES", "FORMAT", "bound_label", "caption", "csv_text",
           "hyper_columns", "curves", "drift_curves", "horizons", "notes", "series_label", "summary", "write_figures",
           "write_outputs"]
