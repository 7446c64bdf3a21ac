"""The computation core: periods, progress against the schedule, and race scoring.

Pure functions over Polars frames; no Django, no files, no clock (the period is an argument).
"""

from saima.engine.checks import (
    CHECKS,
    DEFAULT_SEVERITY,
    CheckConfig,
    blocking,
    needs_acknowledgement,
    run_checks,
)
from saima.engine.errors import DataError, EngineError
from saima.engine.frames import FINDINGS_SCHEMA, PROGRESS_COLUMNS, RaceInputs
from saima.engine.gains import gains
from saima.engine.periods import Period, PeriodError, parse_period
from saima.engine.progress import (
    IndicatorSpec,
    compute_progress,
    compute_progress_periods,
    indicator_specs_from_table,
    specs_from_rules,
)
from saima.engine.race import RaceResult, score_race, score_races
from saima.engine.rules import Item, Rules, RulesError, load_rules, parse_rules, rules_from_mapping

__all__ = [
    "CHECKS",
    "DEFAULT_SEVERITY",
    "FINDINGS_SCHEMA",
    "PROGRESS_COLUMNS",
    "CheckConfig",
    "DataError",
    "EngineError",
    "IndicatorSpec",
    "Item",
    "Period",
    "PeriodError",
    "RaceInputs",
    "RaceResult",
    "Rules",
    "RulesError",
    "blocking",
    "compute_progress",
    "compute_progress_periods",
    "gains",
    "indicator_specs_from_table",
    "load_rules",
    "needs_acknowledgement",
    "parse_period",
    "parse_rules",
    "rules_from_mapping",
    "run_checks",
    "score_race",
    "score_races",
    "specs_from_rules",
]
