"""The balanced scorecard as four perspectives, ready to be laid side by side."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from .formatting import item_text


@dataclass(frozen=True)
class Indicator:
    """A Messgröße; target and actual stay None until the city records real figures."""

    name: str
    unit: str = ""
    target: float | None = None
    actual: float | None = None

    @property
    def has_figures(self) -> bool:
        return self.target is not None and self.actual is not None


@dataclass(frozen=True)
class Perspective:
    name: str
    question: str
    goals: tuple[str, ...]
    actions: tuple[str, ...]
    indicators: tuple[Indicator, ...]


def _items(text: str) -> tuple[str, ...]:
    return tuple(item_text(line) for line in str(text).splitlines() if line.strip())


def _number(value: object) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def perspectives(scorecard: pd.DataFrame) -> list[Perspective]:
    """Perspectives in sheet order, each with its goals, actions and Messgrößen."""
    result = []
    for name, rows in scorecard.groupby("perspective", sort=False):
        first = rows.iloc[0]
        indicators = tuple(
            Indicator(str(r.indicator), str(r.unit), _number(r.target_value), _number(r.actual_value))
            for r in rows.itertuples()
            if str(r.indicator).strip()
        )
        result.append(
            Perspective(str(name), str(first["question"]), _items(first["goals"]), _items(first["actions"]), indicators)
        )
    return result
