"""numerics.curves and numerics.plots: slopes, bands, grids and figure objects."""
from __future__ import annotations

import numpy as np
import pytest

from adamlab.numerics import plots
from adamlab.numerics.curves import log_grid, loglog_slope, quantile_band


def test_loglog_slope_recovers_power_laws_and_skips_nonpositive():
    t = np.arange(1, 20001, dtype=float)
    exps = np.array([0.25, 0.5, 0.8, 1.0])
    R = 3.0 * t[:, None] ** exps[None, :]
    np.testing.assert_allclose(loglog_slope(t, R), exps, rtol=1e-12)
    # a run that is <= 0 in the window has no slope; a run that is positive only on part
    # of the window gets the slope of that part
    R2 = np.stack([-t, np.where(t > 5000, t**0.5, -1.0)], axis=1)
    s = loglog_slope(t, R2)
    assert np.isnan(s[0]) and s[1] == pytest.approx(0.5, rel=1e-9)


def test_loglog_slope_window_only_sees_the_last_decade():
    t = np.arange(1, 10001, dtype=float)
    # slope 1 up to t = 100, then sqrt growth: the last decade [1000, 10000] sees 1/2
    R = np.where(t <= 100, t, 100 * np.sqrt(t / 100))
    assert loglog_slope(t, R)[0] == pytest.approx(0.5, rel=1e-12)
    assert loglog_slope(t, R, start=0.001)[0] > 0.55


def test_quantile_band_matches_numpy_per_row():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(7, 11))
    band = quantile_band(x, (0.1, 0.5, 0.9))
    for i in range(7):
        np.testing.assert_allclose(band[:, i], np.quantile(x[i], [0.1, 0.5, 0.9]))
    x[3] = np.nan
    assert np.all(np.isnan(quantile_band(x)[:, 3]))


def test_log_grid_and_errors():
    g = log_grid(100000, 300)
    assert g[0] == 1 and g[-1] == 100000 and np.all(np.diff(g) > 0) and g.size <= 300
    assert list(log_grid(3, 50)) == [1, 2, 3]
    with pytest.raises(ValueError, match="T must be an int >= 1"):
        log_grid(0)
    with pytest.raises(ValueError, match="start must be a number in"):
        loglog_slope([1, 2, 3], [1, 2, 3], start=1.5)
    with pytest.raises(ValueError, match="quantiles must be numbers in"):
        quantile_band(np.ones((2, 2)), (0.5, 2.0))


def _curve(label, valid):
    t = np.array([1, 10, 100, 1000])
    med = np.sqrt(t) * 2.0
    ref = plots.Reference(f"{label} bound", t, 10 * med, valid)
    return plots.Curve(label, t, med, med * 0.5, med * 1.5, [ref])


def test_regret_figure_axes_series_styles_and_svg_text(tmp_path):
    fig = plots.regret_figure([_curve("alpha-series", True), _curve("beta-series", False)],
                              ("regret", "sqrt", "avg"), title="my title",
                              notes=["a note about things"])
    axes = fig.axes
    assert [ax.get_ylabel() for ax in axes] == [v[0] for v in plots.PANELS.values()]
    assert all(ax.get_xlabel() == plots.XLABEL for ax in axes)
    assert all(ax.get_xscale() == "log" and ax.get_yscale() == "log" for ax in axes)
    lines = {ln.get_label(): ln for ln in axes[0].get_lines()}
    assert {"alpha-series", "alpha-series bound", "beta-series", "beta-series bound"} <= \
        set(lines)
    assert lines["alpha-series"].get_color() == plots.OKABE_ITO[0]
    assert lines["beta-series bound"].get_color() == plots.OKABE_ITO[1]
    # a bound that applies is dashed and opaque; one that does not is dotted and faded
    assert lines["alpha-series bound"].get_alpha() > 0.9
    assert lines["beta-series bound"].get_alpha() < 0.6
    # dash patterns (matplotlib reports any custom pattern as "--"): dotted = on-length 1
    valid = lines["alpha-series bound"]._unscaled_dash_pattern[1]
    invalid = lines["beta-series bound"]._unscaled_dash_pattern[1]
    assert valid[0] > 1 and invalid[0] == 1
    assert lines["alpha-series"].get_linestyle() == "-"
    # the sqrt panel divides by sqrt(T): the median 2 sqrt(T) plots as the constant 2
    sq = {ln.get_label(): ln for ln in axes[1].get_lines()}
    np.testing.assert_allclose(sq["alpha-series"].get_ydata(), 2.0)
    legend = [t.get_text() for f in [fig, *fig.subfigs] for leg in f.legends
              for t in leg.get_texts()]
    assert "beta-series bound" in legend and any("slope guide" in x for x in legend)
    paths = plots.save_figure(fig, tmp_path / "fig", ("png", "svg", "pdf"))
    assert [p.suffix for p in paths] == [".png", ".svg", ".pdf"]
    svg = (tmp_path / "fig.svg").read_text()
    for text in ("alpha-series bound", "beta-series", "my title", "a note about things"):
        assert text in svg
    assert (tmp_path / "fig.png").read_bytes()[:4] == b"\x89PNG"


def test_figure_input_errors():
    with pytest.raises(ValueError, match="at least one Curve"):
        plots.regret_figure([])
    with pytest.raises(ValueError, match="panels must be"):
        plots.regret_figure([_curve("a", True)], ("loglog",))
    bad = _curve("a", True)
    bad.lo = bad.lo[:2]
    with pytest.raises(ValueError, match="lo must have shape"):
        plots.regret_figure([bad])
    with pytest.raises(ValueError, match="formats must be"):
        plots.save_figure(plots.regret_figure([_curve("a", True)]), "x", ("gif",))
