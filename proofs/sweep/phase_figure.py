r"""The figure of a (beta1, beta2) phase map (:mod:`.phase`): one heatmap panel per
optimizer with the gamma = 1 curves of Reddi, Kale & Kumar (ICLR 2018, Theorems 1-4:
:math:`\gamma = \beta_1/\sqrt{\beta_2}`) and of Kingma & Ba (ICLR 2015, Theorem 4.1:
:math:`\gamma = \beta_1^2/\sqrt{\beta_2}`), the regions the theorems speak about, and a
caption that says what the colour is and what the theorems do and do not predict.
"""
from __future__ import annotations

import math
import textwrap
from typing import Mapping

import numpy as np

#: the final iterate counts as "at the worst point" within this distance
WORST_TOL = 0.05
LABELS = {"adam": "Adam (Kingma & Ba Alg. 1)", "amsgrad": "AMSGrad (Reddi et al. Alg. 2)"}


def gamma_curves(beta2: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    r"""The :math:`\gamma = 1` curves at ``beta2``: ``"rkk"`` :math:`\beta_1 = \sqrt{\beta_2}`
    (RKK 2018: :math:`\gamma = \beta_1/\sqrt{\beta_2}`) and ``"kb"``
    :math:`\beta_1 = \beta_2^{1/4}` (KB 2015 Thm 4.1:
    :math:`\gamma = \beta_1^2/\sqrt{\beta_2}`), each as (beta2, beta1)."""
    b2 = np.asarray(beta2, dtype=np.float64)
    if not np.all((b2 >= 0) & (b2 <= 1)):
        raise ValueError("beta2 must lie in [0, 1]")
    return {"rkk": (b2, np.sqrt(b2)), "kb": (b2, b2 ** 0.25)}


# -- checking the arguments --------------------------------------------------------------


# -- the figure --------------------------------------------------------------------------
def _edges(x: np.ndarray, log: bool) -> np.ndarray:
    x = np.log(x) if log else np.asarray(x, dtype=float)
    mid = (x[1:] + x[:-1]) / 2
    e = np.concatenate([[x[0] - (mid[0] - x[0])], mid, [x[-1] + (x[-1] - mid[-1])]])
    return np.exp(e) if log else e


def phase_figure(problem: str, b1, b2, limit: Mapping[str, np.ndarray], *, T: int,
                 seeds: int, lr, params: Mapping | None = None,
                 theta: Mapping[str, np.ndarray] | None = None,
                 worst: float | None = None):
    r"""The heatmap: one panel per optimizer, x = :math:`\beta_2` on a log axis of
    :math:`1-\beta_2` (:math:`\beta_2 \to 1` to the right), y = :math:`\beta_1`, colour the
    fitted limit of :math:`R(T)/T` (diverging, 0 white); the two :math:`\gamma = 1` curves
    (:func:`gamma_curves`), the region :math:`\beta_1 \ge \sqrt{\beta_2}` hatched, the
    theorems' regions annotated, and a caption.  Returns a matplotlib Figure (Agg)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FixedLocator, NullLocator

    b1, b2 = np.asarray(b1, dtype=float), np.asarray(b2, dtype=float)
    u = 1 - b2
    # cells centred on the grid's values, cut to the meaningful ranges 1 - beta2 <= 1 and
    # 0 <= beta1 <= 1
    xe, ye = np.minimum(_edges(u, log=True), 1.0), np.clip(_edges(b1, log=False), 0.0, 1.0)
    names = list(limit)
    finite = np.concatenate([np.ravel(limit[n])[np.isfinite(np.ravel(limit[n]))]
                             for n in names] + [np.zeros(1)])
    vmax = max(float(np.max(finite)), 1e-3)
    clipped_low = float(np.min(finite)) < -vmax
    cmap = matplotlib.colormaps["RdBu_r"].with_extremes(bad="0.75")
    norm = Normalize(-vmax, vmax)
    n = len(names)
    fig = Figure(figsize=(4.9 * n + 1.3, 6.6))
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, n, squeeze=False)[0]
    fig.subplots_adjust(left=0.07 if n > 1 else 0.13, right=0.88 if n > 1 else 0.80,
                        top=0.86, bottom=0.31, wspace=0.18)
    uu = np.geomspace(xe.min(), xe.max(), 400)
    cur = gamma_curves(1 - uu)
    mesh = None
    for ax, name in zip(axes, names):
        mesh = ax.pcolormesh(xe, ye, np.ma.masked_invalid(limit[name]), cmap=cmap, norm=norm,
                             shading="flat")
        ax.fill_between(uu, cur["rkk"][1], ye[-1], where=cur["rkk"][1] < ye[-1],
                        facecolor="none", edgecolor="0.25",
                        hatch="///", linewidth=0, label="_hatch")
        ax.plot(uu, cur["rkk"][1], color="black", lw=2.0, label="rkk: beta1 = sqrt(beta2)")
        ax.plot(uu, cur["kb"][1], color="black", lw=1.6, ls="--",
                label="kb: beta1 = beta2^(1/4)")
        if theta is not None and worst is not None:
            hit = np.abs(np.asarray(theta[name]) - worst) <= WORST_TOL
            I, J = np.nonzero(hit)
            ax.scatter(u[J], b1[I], s=9, c="black", marker="o", linewidths=0, clip_on=False,
                       label="_worst")
        ax.set_xscale("log")
        ax.set_xlim(xe.max(), xe.min())          # beta2 -> 1 to the right
        ax.set_ylim(ye[0], ye[-1])
        ticks = [x for x in (0.5, 0.1, 1e-2, 1e-3, 1e-4, 1e-5) if xe.min() <= x <= xe.max()]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xticklabels([f"{1 - x:.{max(1, -int(math.floor(math.log10(x))))}f}"
                            for x in ticks])
        ax.set_xlabel(r"$\beta_2$  (axis: log of $1-\beta_2$)")
        ax.set_title(LABELS.get(name, name), fontsize=11)
        note = None
        if name == "amsgrad":
            note = ("below the solid curve ($\\gamma<1$):\nRKK Thm 4's hypotheses hold")
        elif name == "adam":
            note = ("below the solid curve ($\\beta_1<\\sqrt{\\beta_2}$): RKK Thm 2 --\n"
                    "SOME problem defeats Adam\n(not necessarily this one)")
        if note:
            ax.text(0.03, 0.04, note, transform=ax.transAxes, fontsize=8, va="bottom",
                    bbox=dict(boxstyle="round", facecolor="white", alpha=0.85, lw=0.5))
    axes[0].set_ylabel(r"$\beta_1$")
    for ax in axes[1:]:
        ax.tick_params(labelleft=False)
    cax = fig.add_axes([0.90 if n > 1 else 0.83, 0.31, 0.018, 0.55])
    cb = fig.colorbar(mesh, cax=cax, extend="min" if clipped_low else "neither")
    cb.set_label(r"fitted $\lim_{T\to\infty} R(T)/T$ (mean over seeds)")
    pstr = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                     for k, v in (params or {}).items())
    fig.suptitle(f"{problem}{' (' + pstr + ')' if pstr else ''}: where the average regret "
                 f"goes to 0\nT = {T:,}, {seeds} seed(s), lr = {lr}, eps = 0, constant beta1",
                 fontsize=12)
    handles = [Line2D([], [], color="black", lw=2.0),
               Line2D([], [], color="black", lw=1.6, ls="--"),
               Patch(facecolor="white", edgecolor="0.25", hatch="///")]
    labels = [r"$\beta_1=\sqrt{\beta_2}$: RKK's $\gamma=\beta_1/\sqrt{\beta_2}=1$",
              r"$\beta_1=\beta_2^{1/4}$: Kingma & Ba's $\gamma=\beta_1^2/\sqrt{\beta_2}=1$",
              r"$\beta_1\geq\sqrt{\beta_2}$: outside RKK Thms 1-4"]
    if theta is not None and worst is not None:
        handles.append(Line2D([], [], color="black", marker="o", ls="", ms=3.5))
        labels.append(f"final iterate within {WORST_TOL:g} of {worst:+g}, the worst point "
                      f"(x* = {-worst:+g})")
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=8.5, frameon=False,
               bbox_to_anchor=(0.5, 0.135))
    caption = (
        "Colour: L from a least-squares fit of R(t)/t = L + c t^(-1/2) on [T/100, T] "
        "(periodic games: ends of periods), R(t) the regret against the best fixed point of "
        "the first t losses; red: a positive limit, the average regret not going to 0 (by "
        "this T); white/blue: going to 0 (a negative L is a fit still in its transient). "
        "Reddi, Kale & Kumar (ICLR 2018) Thms 1-3: for every beta1 < sqrt(beta2) SOME convex "
        "problem (built for that pair) gives Adam non-vanishing average regret -- not "
        "necessarily the problem mapped here. Thm 4: AMSGrad's regret bound holds for "
        "gamma = beta1/sqrt(beta2) < 1, and is O(sqrt(T)) with a decaying beta1_t (Cor 1); "
        "beta1 is constant here. Kingma & Ba (ICLR 2015) Thm 4.1 assumed "
        "beta1^2/sqrt(beta2) < 1 (dashed curve) and a decaying beta1_t.")
    width_chars = int(fig.get_figwidth() * 15.5)
    fig.text(0.5, 0.012, textwrap.fill(caption, width_chars), ha="center", va="bottom",
             fontsize=7.8, color="0.2")
    return fig


__all__ = ["LABELS", "WORST_TOL", "gamma_curves", "phase_figure"]
