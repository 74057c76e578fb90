"""The table of states (forecast.yaml): read, interpolated, refined by pace, and refused when it would invert."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
import yaml

from checklists.likelihood import ITEM_STATES, PARAMETERS_FILE, ParameterError, default_parameters, parse_parameters

D = Decimal
RAW = yaml.safe_load(PARAMETERS_FILE.read_text(encoding="utf-8"))


def test_the_shipped_table_keeps_the_states_in_order_at_every_time_and_pace():
    params = default_parameters()
    for weeks in (D(0), D(1), D("3.5"), D(8), D(20)):
        for pace in (D(0), D("0.5"), D(1)):
            ps = [params.p(state, weeks, pace) for state in ITEM_STATES]
            assert ps == sorted(ps, reverse=True), (weeks, pace, ps)
            assert all(0 <= p <= 1 for p in ps)


def test_p_is_interpolated_by_time_and_placed_by_pace():
    params = default_parameters()
    band = params.states["missing"]
    assert params.p("missing", D(0), D(0)) == band.no_time[0]
    assert params.p("missing", D(0), D(1)) == band.no_time[1]
    assert params.p("missing", params.ample_time_weeks * 2, D(1)) == band.ample_time[1]
    halfway = params.p("missing", params.ample_time_weeks / 2, D(0))
    assert halfway == (band.no_time[0] + band.ample_time[0]) / 2
    assert params.pace(0) == 0 and params.pace(10**6) == 1
    assert params.pace(1) == 1 / (params.window_weeks * params.full_rate_per_week)


def test_a_table_that_inverts_two_states_is_refused():
    raw = copy.deepcopy(RAW)
    raw["states"]["missing"]["ample_time"] = [
        raw["states"]["sent_back"]["ample_time"][0] + 0.01,
        raw["states"]["sent_back"]["ample_time"][1] + 0.01,
    ]
    with pytest.raises(ParameterError, match="missing.ample_time .* the states' order would invert"):
        parse_parameters(raw)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r["states"]["waiting"].update(no_time=[0.9, 0.8]), "0 ≤ low ≤ high ≤ 1"),
        (lambda r: r["states"]["waiting"].update(no_time=[0.99, 1.0]), "less time left must never give a higher p"),
        (lambda r: r["states"].pop("overdue"), "expected exactly waiting, sent_back, missing, overdue"),
        (lambda r: r.update(ample_time_weeks=0), "must be positive"),
    ],
)
def test_bad_parameters_are_refused_with_the_place(change, message):
    raw = copy.deepcopy(RAW)
    change(raw)
    with pytest.raises(ParameterError, match=message):
        parse_parameters(raw)
