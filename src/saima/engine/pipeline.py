"""A race from its inputs in one call: the same path for the CLI and for the platform.

The inputs are a `RaceInputs`: the frames of the race's files (targets, actuals, units,
adjustments, manual scores, the previous result). Whatever reads them — `saima.inputs` from
spreadsheets or the platform from its database — hands them here, so a race published in Saima
and the same race recomputed with `saima race` on the exported files take exactly the same steps.
"""

from __future__ import annotations

from saima.engine.errors import DataError
from saima.engine.frames import RaceInputs
from saima.engine.periods import Period
from saima.engine.progress import compute_progress, specs_from_rules
from saima.engine.race import RaceResult, score_race
from saima.engine.rules import Rules
from saima.engine.text import _


def compute_race(rules: Rules, period: Period, inputs: RaceInputs) -> RaceResult:
    """Progress for the period under the rules' schedules, then the race."""
    check_race_period(rules, period)
    progress = compute_progress(
        inputs.targets,
        inputs.actuals,
        period,
        specs=specs_from_rules(rules),
        thresholds=rules.thresholds,
    )
    return score_race(
        rules,
        progress,
        inputs.units,
        adjustments=inputs.adjustments,
        scores=inputs.scores,
        previous=inputs.previous,
    )


def check_race_period(rules: Rules, period: Period) -> None:
    """The period must lie in the rules' year, and exist for every scored indicator."""
    if period.year != rules.year:
        raise DataError(
            _(
                "the period %(period)s is outside the rules' year %(year)s",
                period=period.label,
                year=rules.year,
            )
        )
    combined = [i.code for i in rules.items if rules.combined_for(i)]
    if period.month == 1 and combined:
        raise DataError(
            _(
                "%(items)s report January and February together: "
                "there is no %(period)s race for them; use %(year)s-02",
                items=", ".join(combined),
                period=period.label,
                year=period.year,
            )
        )
