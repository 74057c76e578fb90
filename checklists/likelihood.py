"""How likely a pending piece of evidence is to be won by its horizon: the table of states in forecast.yaml,
interpolated by the weeks left and refined by the owner department's recent pace. Pure; Decimal only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ZERO, ONE = Decimal(0), Decimal(1)
PARAMETERS_FILE = Path(__file__).with_name("forecast.yaml")
ITEM_STATES = ("waiting", "sent_back", "missing", "overdue")  # best first
MEASUREMENT_STATES = ("below_target", "not_measured")


@dataclass(frozen=True)
class Band:
    """p of one state: [low, high] with no time left and with ample time left."""

    no_time: tuple[Decimal, Decimal]
    ample_time: tuple[Decimal, Decimal]

    def bounds(self, fraction_of_time: Decimal) -> tuple[Decimal, Decimal]:
        (l0, h0), (l1, h1) = self.no_time, self.ample_time
        return l0 + (l1 - l0) * fraction_of_time, h0 + (h1 - h0) * fraction_of_time


@dataclass(frozen=True)
class ForecastParameters:
    ample_time_weeks: Decimal
    window_weeks: int
    full_rate_per_week: Decimal
    track_record_states: frozenset[str]
    states: dict[str, Band]
    soon_days: int
    critical_share_percent: Decimal
    on_track_p: Decimal

    def time_fraction(self, weeks_left: Decimal) -> Decimal:
        return min(ONE, max(ZERO, weeks_left) / self.ample_time_weeks)

    def pace(self, provided_in_window: int) -> Decimal:
        return min(ONE, Decimal(provided_in_window) / (self.window_weeks * self.full_rate_per_week))

    def p(self, state: str, weeks_left: Decimal, pace: Decimal) -> Decimal:
        low, high = self.states[state].bounds(self.time_fraction(weeks_left))
        return low + (high - low) * pace


class ParameterError(ValueError):
    pass


def _pair(raw: object, place: str) -> tuple[Decimal, Decimal]:
    if not (isinstance(raw, list) and len(raw) == 2):
        raise ParameterError(f"{place}: expected [low, high], got {raw!r}")
    low, high = (Decimal(str(v)) for v in raw)
    if not ZERO <= low <= high <= ONE:
        raise ParameterError(f"{place}: expected 0 ≤ low ≤ high ≤ 1, got {raw!r}")
    return low, high


def _check_order(states: dict[str, Band], order: tuple[str, ...], place: str) -> None:
    """For the same time left and the same pace, a better state never has a lower p. p is linear in both between
    the four corners (no time or ample time; idle or full pace), so checking the corners suffices."""
    for better, worse in zip(order, order[1:]):
        for column in ("no_time", "ample_time"):
            for end, pace in ((0, "idle"), (1, "full pace")):
                high, low = getattr(states[better], column)[end], getattr(states[worse], column)[end]
                if high < low:
                    raise ParameterError(
                        f"{place}: {better}.{column} ({pace}) {high} < {worse}.{column} ({pace}) "
                        f"{low}: the states' order would invert"
                    )


def parse_parameters(raw: dict[str, Any]) -> ForecastParameters:
    states: dict[str, Band] = {}
    for group, names in (("states", ITEM_STATES), ("measurement", MEASUREMENT_STATES)):
        table = raw.get(group) or {}
        if set(table) != set(names):
            raise ParameterError(f"{group}: expected exactly {', '.join(names)}, got {', '.join(table) or 'nothing'}")
        for name in names:
            states[name] = Band(
                *(_pair(table[name].get(column), f"{group}.{name}.{column}") for column in ("no_time", "ample_time"))
            )
            if (
                states[name].no_time[0] > states[name].ample_time[0]
                or states[name].no_time[1] > states[name].ample_time[1]
            ):
                raise ParameterError(f"{group}.{name}: less time left must never give a higher p")
    _check_order(states, ITEM_STATES, "states")
    pace = raw.get("pace") or {}
    track_record = list(pace.get("track_record") or ())
    unknown = sorted(set(track_record) - set(ITEM_STATES) - set(MEASUREMENT_STATES))
    if unknown:
        raise ParameterError(f"pace.track_record: unknown state(s) {', '.join(unknown)}")
    for better, worse in zip(ITEM_STATES, ITEM_STATES[1:]):
        # the record only ever raises p: a worse state using it while a better one does not could invert them
        if worse in track_record and better not in track_record:
            raise ParameterError(f"pace.track_record: {worse} uses the track record, so {better} must too")
    risk = raw.get("risk") or {}
    parameters = ForecastParameters(
        ample_time_weeks=Decimal(str(raw["ample_time_weeks"])),
        window_weeks=int(pace["window_weeks"]),
        full_rate_per_week=Decimal(str(pace["full_rate_per_week"])),
        track_record_states=frozenset(track_record),
        states=states,
        soon_days=int(risk["soon_days"]),
        critical_share_percent=Decimal(str(risk["critical_share_percent"])),
        on_track_p=Decimal(str(risk["on_track_p"])),
    )
    if parameters.ample_time_weeks <= 0 or parameters.window_weeks < 1 or parameters.full_rate_per_week <= 0:
        raise ParameterError("ample_time_weeks, pace.window_weeks and pace.full_rate_per_week must be positive")
    return parameters


@lru_cache(maxsize=1)
def default_parameters() -> ForecastParameters:
    return parse_parameters(yaml.safe_load(PARAMETERS_FILE.read_text(encoding="utf-8")))
