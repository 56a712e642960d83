r"""Figures of arrays: regret curves with reference curves, and step-size suprema.

Plain arrays in, :class:`matplotlib.figure.Figure` out; nothing here knows
about theorems (the caller says which reference curves are *valid*).  The
figures are drawn on the Agg canvas without :mod:`matplotlib.pyplot` (no global
state, no display needed), in the Okabe--Ito colorblind-safe palette (Okabe &
Ito, "Color Universal Design", 2008), with one style per role everywhere:

* a regret curve: the median over runs (solid line) and a shaded band between
  two quantiles over runs;
* a reference curve that applies (a theorem's bound whose hypotheses hold):
  dashed, same color as its curve;
* a reference curve that does not apply: dotted and faded, its reason in the
  legend;
* a slope guide (:math:`\propto\sqrt T`): thin grey dash-dot.

Panels (``panel``): ``"regret"`` :math:`R(T)` on log-log axes,
``"sqrt"`` :math:`R(T)/\sqrt T`, ``"avg"`` :math:`R(T)/T` -- each plotted against
:math:`T` on a log axis.  Values :math:`\le 0` cannot be shown on a log axis and
are left out (the caller's note should say so).

:func:`save_figure` writes PNG/SVG/PDF atomically (temporary file, then
:func:`os.replace`); SVG keeps its text as text (``svg.fonttype = "none"``) so
labels can be searched in the file.
"""
from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .atomic import atomic_write

#: Okabe & Ito (2008), reordered so that the first colors are the most distinct on white
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
             "#F0E442")
FORMATS = ("png", "svg", "pdf")
PANELS = {
    "regret": (r"regret $R(T)$ (loss units)", "Regret $R(T)$", 0.0),
    "sqrt": (r"$R(T)/\sqrt{T}$", r"Regret over $\sqrt{T}$", 0.5),
    "avg": (r"average regret $R(T)/T$", "Average regret $R(T)/T$", 1.0),
}
#: a bound more than this factor above the data's top is drawn clipped, its value marked
CLIP_FACTOR = 30.0
XLABEL = "horizon $T$ (steps)"
_VALID_DASHES = ((0, (5, 2)), (0, (8, 2, 2, 2)))      # dashed, dash-dot
_INVALID_DASHES = ((0, (1, 1.5)), (0, (1, 3.5)))      # dotted, sparse dotted
_RC = {"svg.fonttype": "none", "svg.hashsalt": "adamlab", "pdf.fonttype": 42,
       "ps.fonttype": 42, "font.size": 9,
       "axes.titlesize": 10, "legend.fontsize": 7.5, "axes.grid": True, "grid.alpha": 0.3}


@dataclass
class Reference:
    """A curve to compare with (a bound): ``values`` (n,) in regret units at steps ``t``."""

    label: str
    t: np.ndarray
    values: np.ndarray
    valid: bool = True


@dataclass
class Curve:
    r"""A regret curve over runs: ``median``, ``lo``, ``hi`` (n,) at steps ``t`` (n,)."""

    label: str
    t: np.ndarray
    median: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    references: list[Reference] = field(default_factory=list)
    marker: str | None = None


def _check_curve(c: Curve) -> None:
    if not isinstance(c, Curve):
        raise TypeError(f"curves must hold Curve objects; got {type(c).__name__}")
    n = np.shape(c.t)[0]
    for name in ("median", "lo", "hi"):
        if np.shape(getattr(c, name)) != (n,):
            raise ValueError(f"Curve {c.label!r}: {name} must have shape ({n},) like t; "
                             f"got {np.shape(getattr(c, name))}")
    for r in c.references:
        if np.shape(r.values) != np.shape(r.t):
            raise ValueError(f"Reference {r.label!r}: values and t must have the same "
                             f"shape; got {np.shape(r.values)} and {np.shape(r.t)}")


def _scaled(t, y, power: float) -> np.ndarray:
    t = np.asarray(t, dtype=np.float64)
    with np.errstate(all="ignore"):
        out = np.asarray(y, dtype=np.float64) / t**power
    return np.where(np.isfinite(out) & (out > 0), out, np.nan)


def color(i: int) -> str:
    """The i-th color of the palette (cycling)."""
    return OKABE_ITO[i % len(OKABE_ITO)]


def _range(values: list[np.ndarray]) -> tuple[float, float] | None:
    pos = [v[np.isfinite(v) & (v > 0)] for v in values]
    pos = [v for v in pos if v.size]
    if not pos:
        return None
    return float(min(v.min() for v in pos)), float(max(v.max() for v in pos))


def draw_regret_panel(ax, curves: Sequence[Curve], panel: str = "regret", *,
                      guide: bool = True, ylim: tuple[float, float] | None = None) -> None:
    r"""Draw ``curves`` on ``ax`` as ``panel`` (see module docs): medians, bands,
    references, and for ``"regret"`` a :math:`\propto\sqrt T` guide through the
    first curve's median at its last positive point.

    The y-range follows the data (the bands), widened to the references that come
    within :data:`CLIP_FACTOR` of it; a reference that ends above the range (a vacuous
    bound) is drawn clipped, with a marker at the top edge and its last value written
    there.
    ``ylim`` (low, high) sets the range instead."""
    if panel not in PANELS:
        raise ValueError(f"panel must be one of {tuple(PANELS)}; got {panel!r}")
    if ylim is not None and not (len(ylim) == 2 and 0 < ylim[0] < ylim[1] < np.inf):
        raise ValueError(f"ylim must be (low, high) with 0 < low < high; got {ylim!r}")
    ylabel, title, power = PANELS[panel]
    for c in curves:
        _check_curve(c)
    data = _range([_scaled(c.t, y, power) for c in curves for y in (c.lo, c.hi, c.median)])
    refs = [(i, r, _scaled(r.t, r.values, power)) for i, c in enumerate(curves)
            for r in c.references]
    for i, c in enumerate(curves):
        col = color(i)
        ax.fill_between(c.t, _scaled(c.t, c.lo, power), _scaled(c.t, c.hi, power),
                        color=col, alpha=0.2, linewidth=0)
        ax.plot(c.t, _scaled(c.t, c.median, power), color=col, linewidth=1.8, label=c.label,
                marker=c.marker, markersize=3.5)
        for k, r in enumerate(c.references):
            style = dict(linestyle=_VALID_DASHES[k % 2], linewidth=1.3, alpha=0.95) \
                if r.valid else dict(linestyle=_INVALID_DASHES[k % 2], linewidth=1.3,
                                     alpha=0.55)
            ax.plot(r.t, _scaled(r.t, r.values, power), color=col, label=r.label, **style)
    if guide and panel == "regret" and curves:
        c = curves[0]
        med = np.asarray(c.median, dtype=np.float64)
        ok = np.flatnonzero(np.isfinite(med) & (med > 0))
        if ok.size:
            j = ok[-1]
            t = np.asarray(c.t, dtype=np.float64)
            ax.plot(t, med[j] * np.sqrt(t / t[j]), color="0.45", linestyle="-.",
                    linewidth=0.9, label=r"slope guide $\propto\sqrt{T}$ (slope 1/2)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(XLABEL)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if ylim is None and data is not None:
        lo, hi = data
        near = _range([v for _, _, v in refs if np.nanmax(np.append(v, 0)) <=
                       CLIP_FACTOR * hi]) if refs else None
        if near is not None:
            lo, hi = min(lo, near[0]), max(hi, near[1])
        ylim = (lo / 2, hi * 2)
    if ylim is not None:
        ax.set_ylim(*ylim)
        top, n_off = ylim[1], 0
        for i, r, v in refs:                       # bounds off the top: marked, not hidden
            if np.all(~np.isfinite(v)):
                continue
            j = int(np.flatnonzero(np.isfinite(v))[-1])
            if v[j] <= top:                         # ends on the axes: visible as drawn
                continue
            ax.plot([r.t[j]], [top], marker="^", color=color(i), markersize=6, clip_on=False,
                    alpha=0.95 if r.valid else 0.55)
            ax.annotate(f"{r.label.split(' - ')[0]}: {v[j]:.2g} at T = {r.t[j]:,} "
                        f"(off scale)", (r.t[j], top), xytext=(-6, -4 - 9 * n_off),
                        textcoords="offset points", ha="right", va="top", fontsize=6.5,
                        color=color(i), bbox=dict(facecolor="white", edgecolor="none",
                                                  alpha=0.8, pad=0.5))
            n_off += 1


def _bottom(fig_w: float, n_labels: int, ncol: int, notes: Sequence[str]):
    """(legend height, notes text, notes height) in inches for the area under the axes."""
    wrap = max(60, int(16 * fig_w))
    text = "\n".join(textwrap.fill(n, wrap) for n in notes)
    lines = text.count("\n") + 1 if text else 0
    rows = -(-n_labels // ncol)
    return 0.15 + 0.17 * rows, text, (0.08 + 0.115 * lines) if lines else 0.0


def _figure_with_bottom(w: float, plot_h: float, n_labels: int, ncol: int,
                        notes: Sequence[str]):
    leg_h, text, note_h = _bottom(w, n_labels, ncol, notes)
    fig = Figure(figsize=(w, plot_h + leg_h + note_h), layout="constrained")
    FigureCanvasAgg(fig)
    top, bottom = fig.subfigures(2, 1, height_ratios=[plot_h, leg_h + note_h])
    return fig, top, bottom, text, note_h / (leg_h + note_h)


def _finish_bottom(bottom, handles, labels, ncol: int, text: str, note_frac: float) -> None:
    bottom.legend(handles, labels, loc="upper center", ncol=ncol, frameon=False)
    if text:
        bottom.text(0.01, note_frac - 0.02, text, fontsize=6.5, va="top", ha="left",
                    color="0.25")


def regret_figure(curves: Sequence[Curve], panels: Sequence[str] = ("regret",), *,
                  title: str = "", notes: Sequence[str] = (), width: float | None = None,
                  ylim: dict | None = None) -> Figure:
    """One figure with the given panels side by side; under them one shared legend, then
    the notes.  ``curves`` are :class:`Curve` objects (at least one); ``ylim`` maps a
    panel name to its (low, high) range (default: from the data, see
    :func:`draw_regret_panel`)."""
    curves = list(curves)
    if not curves:
        raise ValueError("regret_figure: curves must hold at least one Curve")
    panels = list(panels)
    if not panels or any(p not in PANELS for p in panels):
        raise ValueError(f"regret_figure: panels must be a non-empty list of "
                         f"{tuple(PANELS)}; got {panels!r}")
    with matplotlib.rc_context(_RC):
        w = width if width is not None else max(6.4, 4.6 * len(panels))
        n_labels = len(curves) + sum(len(c.references) for c in curves) + 1
        ncol = 1 if len(panels) == 1 else 2 if len(panels) == 2 else 3
        fig, top, bottom, text, frac = _figure_with_bottom(w, 4.2, n_labels, ncol, notes)
        axes = top.subplots(1, len(panels), squeeze=False)[0]
        for ax, p in zip(axes, panels):
            draw_regret_panel(ax, curves, p, ylim=(ylim or {}).get(p))
        if title:
            top.suptitle(title)
        handles, labels = axes[0].get_legend_handles_labels()
        _finish_bottom(bottom, handles, labels, ncol, text, frac)
    return fig


@dataclass
class StepCurve:
    r"""An exact supremum curve ``sup`` (n,) at steps ``t`` and the value ``claimed`` (n,)
    that a paper states for it."""

    label: str
    t: np.ndarray
    sup: np.ndarray
    claimed: np.ndarray
    claimed_label: str = "claimed"


def step_size_figure(curves: Sequence[StepCurve], *, title: str = "",
                     ylabel: str = r"$\sup_g |\Delta_t| / \alpha$", notes: Sequence[str] = ()
                     ) -> Figure:
    """The exact step-size supremum against t (solid) beside each claimed bound (dashed),
    t on a log axis, the ratio on a linear one."""
    curves = list(curves)
    if not curves:
        raise ValueError("step_size_figure: curves must hold at least one StepCurve")
    with matplotlib.rc_context(_RC):
        fig, top, bottom, text, frac = _figure_with_bottom(6.4, 4.2, 2 * len(curves), 2,
                                                           notes)
        ax = top.subplots()
        for i, c in enumerate(curves):
            if not isinstance(c, StepCurve):
                raise TypeError(f"curves must hold StepCurve objects; got {type(c).__name__}")
            if np.shape(c.sup) != np.shape(c.t) or np.shape(c.claimed) != np.shape(c.t):
                raise ValueError(f"StepCurve {c.label!r}: sup and claimed must have t's shape")
            ax.plot(c.t, c.sup, color=color(i), linewidth=1.8, label=c.label)
            # interleaved dashes: equal claims of several curves stay visible side by side
            n = len(curves)
            ax.plot(c.t, c.claimed, color=color(i), linestyle=(3.0 * i, (3.0, 3.0 * (n - 1)
                                                                           + 0.01)),
                    linewidth=1.4, label=c.claimed_label)
        ax.set_xscale("log")
        ax.set_xlabel("step $t$")
        ax.set_ylabel(ylabel)
        if title:
            ax.set_title(title)
        handles, labels = ax.get_legend_handles_labels()
        _finish_bottom(bottom, handles, labels, 2, text, frac)
    return fig


@dataclass(frozen=True)
class DriftCurve:
    """One series' drift from its float64 twin: the running maximum over runs and
    coordinates of the relative error, at the steps ``t``."""

    label: str
    t: np.ndarray
    drift: np.ndarray


def drift_figure(curves: Sequence[DriftCurve], unit_roundoff: float, *, title: str = "",
                 storage: str = "", notes: Sequence[str] = ()) -> Figure:
    r"""Drift of low-precision runs against t, log-log, with two guides in gray: the unit
    roundoff u (dotted: one rounding) and u t (dash-dotted: t roundings adding up).
    Zero drift (no rounding yet) is not drawn on the log axis."""
    curves = list(curves)
    if not curves:
        raise ValueError("drift_figure: curves must hold at least one DriftCurve")
    if not (isinstance(unit_roundoff, float) and 0 < unit_roundoff < 1):
        raise ValueError(f"drift_figure: unit_roundoff must be a float in (0, 1); got "
                         f"{unit_roundoff!r}")
    with matplotlib.rc_context(_RC):
        fig, top, bottom, text, frac = _figure_with_bottom(6.4, 4.2, len(curves) + 2, 2,
                                                           notes)
        ax = top.subplots()
        t_max = 1
        for i, c in enumerate(curves):
            if not isinstance(c, DriftCurve):
                raise TypeError(f"curves must hold DriftCurve objects; got "
                                f"{type(c).__name__}")
            if np.shape(c.drift) != np.shape(c.t):
                raise ValueError(f"DriftCurve {c.label!r}: drift must have t's shape")
            y = np.where(np.asarray(c.drift, dtype=np.float64) > 0, c.drift, np.nan)
            ax.plot(c.t, y, color=color(i), linewidth=1.8, label=c.label)
            t_max = max(t_max, int(np.max(c.t)))
        t = np.geomspace(1, t_max, 200)
        name = f" of {storage}" if storage else ""
        ax.plot(t, np.full_like(t, unit_roundoff), color="0.45", linestyle=":",
                linewidth=1.2, label=f"unit roundoff u{name} = $2^{{{np.log2(unit_roundoff):.0f}}}$")
        ax.plot(t, unit_roundoff * t, color="0.45", linestyle="-.", linewidth=1.2,
                label="u t (t roundings adding up)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("step $t$")
        ax.set_ylabel(r"$\max_{s \leq t}\; |\theta_s - \theta^{64}_s| / \max(|\theta^{64}_s|, 1)$")
        if title:
            ax.set_title(title, fontsize="medium")
        handles, labels = ax.get_legend_handles_labels()
        _finish_bottom(bottom, handles, labels, 2, text, frac)
    return fig


def save_figure(fig: Figure, base: str | os.PathLike, formats: Sequence[str] = ("png", "svg")
                ) -> list[Path]:
    """Write ``fig`` to ``base.<fmt>`` for each format (png, svg, pdf), atomically;
    return the paths."""
    if not isinstance(fig, Figure):
        raise TypeError(f"save_figure: fig must be a matplotlib Figure; got "
                        f"{type(fig).__name__}")
    formats = list(formats)
    bad = [f for f in formats if f not in FORMATS]
    if not formats or bad:
        raise ValueError(f"save_figure: formats must be a non-empty list of {FORMATS}; "
                         f"got {formats!r}")
    base = Path(base)
    base.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for fmt in formats:
        path = base.with_name(f"{base.name}.{fmt}")
        meta = {"Date": None} if fmt in ("svg", "pdf") else {}

        def draw(fh, fmt=fmt, meta=meta):
            with matplotlib.rc_context(_RC):
                fig.savefig(fh, format=fmt, dpi=150, metadata=meta)
        atomic_write(path, draw)
        out.append(path)
    return out


__all__ = ["Curve", "DriftCurve", "FORMATS", "OKABE_ITO", "PANELS", "Reference", "StepCurve", "XLABEL",
           "color", "draw_regret_panel", "drift_figure", "regret_figure", "save_figure", "step_size_figure"]
