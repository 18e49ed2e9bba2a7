"""Tick labels never repeat or state another value than their position, on every chart."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.ticker import FixedLocator, FuncFormatter

from iaobs.core import text as tx
from iaobs.errors import ReportError
from iaobs.reports import figures
from iaobs.reports.ticks import settle_ticks, tick_faults


def _axis(low: float, high: float, ticks: list[float], fmt) -> plt.Figure:  # type: ignore[no-untyped-def]
    fig, ax = plt.subplots()
    ax.set_xlim(low, high)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(fmt))
    return fig


def test_half_steps_rounded_to_units_are_found_and_settled() -> None:
    # the pilot-training fault: "1 2 2 3 3 4 4 5 5"
    fig = _axis(
        1, 5, [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5], lambda v, _p: tx.format_decimal(v, decimals=0)
    )
    faults = tick_faults(fig)
    assert any("répétées" in f for f in faults) and any("à la position 1.5" in f for f in faults)
    assert tick_faults(settle_ticks(fig)) == []
    plt.close(fig)


def test_percent_labels_that_round_are_found_and_settled() -> None:
    # the overview fault: "3 %, 8 %, 13 %" at 2,5 %, 7,5 %, 12,5 %
    fig = _axis(0, 0.15, [0.025, 0.075, 0.125], lambda v, _p: tx.format_percent(v))
    assert len(tick_faults(fig)) == 3
    assert tick_faults(settle_ticks(fig)) == []
    plt.close(fig)


def test_sound_axes_and_diverging_magnitudes_pass() -> None:
    fig = _axis(-0.5, 0.5, [-0.4, -0.2, 0, 0.2, 0.4], lambda v, _p: tx.format_percent(abs(v)))
    assert tick_faults(fig) == []
    plt.close(fig)
    fig, ax = plt.subplots()
    ax.barh([0, 1], [1, 2])
    ax.set_yticks([0, 1], ["Banque", "Banque"])  # two categories with one name: a fault
    assert tick_faults(fig)
    plt.close(fig)


def test_figure_html_refuses_a_misleading_chart(monkeypatch: pytest.MonkeyPatch) -> None:
    fig, ax = plt.subplots()
    ax.set_yticks([0, 1], ["Même", "Même"])
    with pytest.raises(ReportError, match="graduations"):
        figures._png(fig)
    plt.close(fig)


@pytest.mark.parametrize("high", [0.03, 0.12, 0.47, 0.9, 1.0])
def test_bar_charts_of_any_range_have_sound_ticks(high: float) -> None:
    data = pd.DataFrame(
        {
            "label": ["a", "b", "c"],
            "estimate": [high / 3, high / 2, high],
            "ci_low": [high / 4, high / 3, high * 0.8],
            "ci_high": [high / 2, high * 0.7, min(high * 1.1, 1)],
            "n": [40, 40, 40],
            "flag": ["", "", ""],
        }
    )
    fig = figures.plot_bars(data)
    assert tick_faults(settle_ticks(fig)) == []
    plt.close(fig)


def test_default_numeric_ticks_follow_french_typography() -> None:
    fig, ax = plt.subplots()
    try:
        ax.plot([-1.5, 0, 2500], [0.5, 1.5, 2.5])
        settle_ticks(fig, language="fr")
        fig.canvas.draw()
        xs = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        ys = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
        assert any("\u202f" in x for x in xs)  # 1 000, 2 000: grouped thousands
        assert any(x.startswith("\u2212") for x in xs)  # a true minus
        assert not any("-" in x for x in xs)
        assert any("," in y for y in ys) and not any("." in y for y in ys)  # 0,5
        assert tick_faults(fig) == []
    finally:
        plt.close(fig)
