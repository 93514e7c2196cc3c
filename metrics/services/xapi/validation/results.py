"""A statement's result and its score."""

from __future__ import annotations

from metrics.services.xapi.validation.grammar import RESULT_KEYS, SCORE_KEYS
from metrics.services.xapi.validation.primitives import (
    _boolean,
    _extensions,
    _number,
    _object,
    _present,
    _Problems,
    _string,
)
from metrics.services.xapi.validation.times import duration_seconds


def _result(problems: _Problems, value, path: str) -> None:
    if not _object(problems, value, path, RESULT_KEYS):
        return
    if _present(value, "score"):
        _score(problems, value["score"], f"{path}.score")
    for key in ("success", "completion"):
        if _present(value, key):
            _boolean(problems, value[key], f"{path}.{key}")
    if _present(value, "response"):
        _string(problems, value["response"], f"{path}.response")
    if _present(value, "duration"):
        duration = value["duration"]
        if _string(problems, duration, f"{path}.duration") and duration_seconds(duration) is None:
            problems.add(
                f"{path}.duration",
                f"{duration[:40]!r} is not an ISO 8601 duration like PT1H30M or P1W",
            )
    if _present(value, "extensions"):
        _extensions(problems, value["extensions"], f"{path}.extensions")


def _score(problems: _Problems, value, path: str) -> None:
    if not _object(problems, value, path, SCORE_KEYS):
        return
    numbers = {
        key: value[key]
        for key in SCORE_KEYS
        if _present(value, key) and _number(problems, value[key], f"{path}.{key}")
    }
    if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
        problems.add(f"{path}.scaled", f"{numbers['scaled']} is outside -1 to 1")
    low, high, raw = numbers.get("min"), numbers.get("max"), numbers.get("raw")
    if low is not None and high is not None and low >= high:
        problems.add(f"{path}.max", f"{high} must be greater than min {low}")
    if raw is not None and low is not None and raw < low:
        problems.add(f"{path}.raw", f"{raw} is below min {low}")
    if raw is not None and high is not None and raw > high:
        problems.add(f"{path}.raw", f"{raw} is above max {high}")
