"""API routes for indicators, targets, figures, their history, and computed progress.

Stored figures (targets, observations) travel as strings of exact decimals ("58.5", trailing zeros
dropped), so nothing is lost to binary floating point; they may be sent as strings or JSON numbers.
Computed progress is the engine's output and travels as JSON numbers.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Annotated

import polars as pl
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, StrictBool

from saima.common.api import ERRORS, Code, CodeFilter, PeriodName
from saima.common.text import NOTE_LENGTH, storable_problem
from saima.engine import Period, parse_period
from saima.metrics import selectors
from saima.metrics.models import Indicator, Observation, Target
from saima.metrics.services import (
    check_period_open,
    target_set,
    to_decimal,
)
from saima.org.access import Access, access_of, readable_unit, require_office
from saima.org.models import Unit

router = Router(tags=["metrics"])

Year = Annotated[int, Field(ge=1990, le=2100)]


# --- Input ---------------------------------------------------------------------------------------


def _figure_input(value: object) -> object:
    """Let through what could be a number (a string, an integer or a float); refuse the rest."""
    if value is None or (isinstance(value, int | float | str) and not isinstance(value, bool)):
        if isinstance(value, str) and len(value) > 64:
            raise ValueError(_("This is too long to be a number."))
        return value
    raise ValueError(_('Give a number, as a JSON number or a string such as "58.5".'))


def text_input(value: str | None) -> str:
    """Text the database can store: no NUL character, no lone surrogate (null means blank)."""
    if value is None:
        return ""
    problem = storable_problem(value)
    if problem:
        raise ValueError(problem)
    return value


Figure = Annotated[str | int | float | None, BeforeValidator(_figure_input)]
Note = Annotated[str | None, Field(max_length=NOTE_LENGTH), AfterValidator(text_input)]


class TargetIn(Schema):
    model_config = ConfigDict(extra="forbid")

    value: Figure = None
    not_applicable: StrictBool = False
    last_year_total: Figure = None


# --- Output --------------------------------------------------------------------------------------


def figure(number: Decimal | None) -> str | None:
    """An exact decimal as a plain string without trailing zeros ("58.5", "120", "-0.3")."""
    if number is None:
        return None
    if number == 0:
        return "0"
    return format(number.normalize(), "f")


class IndicatorOut(Schema):
    code: str
    name_zh: str
    name_en: str
    kind: str
    direction: str
    measure_zh: str
    measure_en: str
    decimals: int
    frequency: str
    combined_jan_feb: bool
    profile: list[float] | None


class TargetOut(Schema):
    unit: str
    indicator: str
    year: int
    value: str | None
    not_applicable: bool
    last_year_total: str | None
    profile: list[float] | None


class ObservationOut(Schema):
    unit: str
    indicator: str
    period: str
    year: int
    month: int
    value: str | None
    last_year_value: str | None
    growth: str | None
    note: str
    entered_by: str | None
    entered_at: datetime | None


class ChangeOut(Schema):
    history_id: int
    change: str = Field(description="created, changed or deleted")
    changed_at: datetime
    changed_by: str | None
    value: str | None
    last_year_value: str | None
    growth: str | None
    note: str


class ProgressOut(Schema):
    unit: str
    indicator: str
    period: str
    kind: str | None
    direction: str | None
    value: float | None
    target: float | None
    last_year_value: float | None
    time_progress: float | None
    completion: float | None
    gap_pp: float | None
    light: str | None
    double_over_half: bool | None
    run_rate_needed: float | None
    run_rate_ratio: float | None
    required_growth: float | None
    projection: float | None
    growth: float | None
    applicable: bool | None
    #: A level's gap: value − target in the indicator's own unit (levels have no completion).
    level_gap: float | None = None


def indicator_out(indicator: Indicator) -> IndicatorOut:
    return IndicatorOut(
        code=indicator.code,
        name_zh=indicator.name_zh,
        name_en=indicator.name_en,
        kind=indicator.kind,
        direction=indicator.direction,
        measure_zh=indicator.measure_zh,
        measure_en=indicator.measure_en,
        decimals=indicator.decimals,
        frequency=indicator.frequency,
        combined_jan_feb=indicator.combined_jan_feb,
        profile=indicator.profile or None,
    )


def target_out(target: Target) -> TargetOut:
    return TargetOut(
        unit=target.unit.code,
        indicator=target.indicator.code,
        year=target.year,
        value=figure(target.value),
        not_applicable=target.not_applicable,
        last_year_total=figure(target.last_year_total),
        profile=target.profile or None,
    )


def observation_out(observation: Observation) -> ObservationOut:
    return ObservationOut(
        unit=observation.unit.code,
        indicator=observation.indicator.code,
        period=Period(observation.year, observation.month).label,
        year=observation.year,
        month=observation.month,
        value=figure(observation.value),
        last_year_value=figure(observation.last_year_value),
        growth=figure(observation.growth),
        note=observation.note,
        entered_by=observation.entered_by.get_username() if observation.entered_by else None,
        entered_at=observation.entered_at,
    )


_CHANGES = {"+": "created", "~": "changed", "-": "deleted"}


def change_out(record) -> ChangeOut:
    return ChangeOut(
        history_id=record.history_id,
        change=_CHANGES.get(record.history_type, record.history_type),
        changed_at=record.history_date,
        changed_by=record.history_user.get_username() if record.history_user else None,
        value=figure(record.value),
        last_year_value=figure(record.last_year_value),
        growth=figure(record.growth),
        note=record.note,
    )


# --- Fetch and authorise (one helper per object type) --------------------------------------------


def indicator_by_code(code: str) -> Indicator:
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        raise Http404(_("There is no indicator with the code %(code)s.") % {"code": code})
    return indicator


def check_figures(payload: Schema, *fields: str) -> None:
    """Refuse a figure that is not a number, or that the database cannot keep exactly (400)."""
    errors: dict[str, list] = {}
    for field in fields:
        try:
            to_decimal(getattr(payload, field), field=field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


def open_period(text: str) -> Period:
    """A period name that parses and is not in the future (PeriodError / ValidationError: 400)."""
    period = parse_period(text)
    check_period_open(period)
    return period


def _filters(
    access: Access, unit: str | None, indicator: str | None
) -> tuple[Unit | None, Indicator | None]:
    """The optional unit (readable) and indicator filters of a list route."""
    return (
        readable_unit(access, unit) if unit else None,
        indicator_by_code(indicator) if indicator else None,
    )


# --- Indicators ----------------------------------------------------------------------------------


@router.get("/indicators", response={200: list[IndicatorOut], **ERRORS})
def list_indicators(request):
    return [indicator_out(indicator) for indicator in Indicator.objects.all()]


@router.get("/indicators/{code}", response={200: IndicatorOut, **ERRORS})
def get_indicator(request, code: Code):
    return indicator_out(indicator_by_code(code))


# --- Targets -------------------------------------------------------------------------------------


class TargetQuery(Schema):
    year: Year
    unit: CodeFilter = None
    indicator: CodeFilter = None


@router.get("/targets", response={200: list[TargetOut], **ERRORS})
def list_targets(request, filters: Query[TargetQuery]):
    """Annual targets of the units the caller may read."""
    access = access_of(request)
    unit, indicator = _filters(access, filters.unit, filters.indicator)
    targets = Target.objects.filter(unit__in=access.units(), year=filters.year)
    if unit is not None:
        targets = targets.filter(unit=unit)
    if indicator is not None:
        targets = targets.filter(indicator=indicator)
    targets = targets.select_related("unit", "indicator").order_by(
        "unit__order", "unit__code", "indicator__order", "indicator__code"
    )
    return [target_out(target) for target in targets]


@router.put("/targets/{unit}/{indicator}/{year}", response={200: TargetOut, **ERRORS})
def put_target(request, unit: Code, indicator: Code, year: Year, payload: TargetIn):
    """Set one unit's annual target on one indicator (the office only)."""
    access = access_of(request)
    the_unit = readable_unit(access, unit)
    the_indicator = indicator_by_code(indicator)
    require_office(access)
    check_figures(payload, "value", "last_year_total")
    target = target_set(
        access=access,
        user=request.user,
        unit=the_unit,
        indicator=the_indicator,
        year=year,
        value=payload.value,
        not_applicable=payload.not_applicable,
        last_year_total=payload.last_year_total,
    )
    return target_out(target)


# --- Observations --------------------------------------------------------------------------------


class PeriodQuery(Schema):
    period: PeriodName
    unit: CodeFilter = None
    indicator: CodeFilter = None


@router.get("/observations", response={200: list[ObservationOut], **ERRORS})
def list_observations(request, filters: Query[PeriodQuery]):
    """Reported figures for one period, of the units the caller may read."""
    access = access_of(request)
    period = open_period(filters.period)
    unit, indicator = _filters(access, filters.unit, filters.indicator)
    observations = Observation.objects.filter(
        unit__in=access.units(), year=period.year, month=period.month
    )
    if unit is not None:
        observations = observations.filter(unit=unit)
    if indicator is not None:
        observations = observations.filter(indicator=indicator)
    observations = observations.select_related("unit", "indicator", "entered_by").order_by(
        "unit__order", "unit__code", "indicator__order", "indicator__code"
    )
    return [observation_out(observation) for observation in observations]


@router.get(
    "/observations/{unit}/{indicator}/{period}/history",
    response={200: list[ChangeOut], **ERRORS},
)
def observation_history(request, unit: Code, indicator: Code, period: PeriodName):
    """Every recorded change of one figure, oldest first, with who and when."""
    access = access_of(request)
    the_unit = readable_unit(access, unit)
    the_indicator = indicator_by_code(indicator)
    the_period = open_period(period)
    records = (
        Observation.history.filter(
            unit_id=the_unit.pk,
            indicator_id=the_indicator.pk,
            year=the_period.year,
            month=the_period.month,
        )
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    return [change_out(record) for record in records]


# --- Progress ------------------------------------------------------------------------------------


#: Rows of `/api/progress` in one answer unless `limit` says otherwise, and the most it takes. A
#: city's answer is one page; a nation's (2,850 units × 40 indicators, 49 MB of JSON whole) is
#: read page by page, following the `Link` header.
PROGRESS_PAGE = 5000
PROGRESS_PAGE_MAX = 20000


class ProgressQuery(PeriodQuery):
    limit: int = Field(
        PROGRESS_PAGE, ge=1, le=PROGRESS_PAGE_MAX, description="Rows in this answer."
    )
    offset: int = Field(0, ge=0, le=10_000_000, description="Rows skipped before this answer.")


@router.get("/progress", response={200: list[ProgressOut], **ERRORS})
def progress(request, filters: Query[ProgressQuery]):
    """Progress against the time-sequence schedule, as the engine computes it (JSON numbers),
    a page of `limit` rows (5,000 unless asked) from `offset`, in the order of the units and the
    indicators. `X-Total-Count` gives the number of rows in all; while more follow, `Link`
    names the next page (`rel="next"`)."""
    access = access_of(request)
    period = open_period(filters.period)
    unit, indicator = _filters(access, filters.unit, filters.indicator)
    scope = selectors.Scope(
        unit_ids=None if unit is None else frozenset({unit.pk}),
        indicator_ids=None if indicator is None else frozenset({indicator.pk}),
    )
    version = selectors.data_version()
    key = selectors.cache_key(
        "api-progress",
        period.label,
        selectors.reader_key(access),
        sorted(scope.unit_ids or ()),
        sorted(scope.indicator_ids or ()),
        filters.offset,
        filters.limit,
        version,
    )

    def compute() -> tuple[bytes, int]:
        frame = selectors.cached_progress(access, period, scope, version=version)
        return progress_json(frame.slice(filters.offset, filters.limit)), frame.height

    body, total = selectors.remembered(key, compute)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["X-Total-Count"] = str(total)
    following = filters.offset + filters.limit
    if following < total:
        query = request.GET.copy()
        query["offset"], query["limit"] = str(following), str(filters.limit)
        response["Link"] = f'<{request.path}?{query.urlencode()}>; rel="next"'
    return response


def progress_json(frame: pl.DataFrame) -> bytes:
    """The rows of `ProgressOut` as JSON, built in one pass over the frame (no per-row schema):
    the same fields in the same order, NaN and infinities as null."""
    columns = []
    for name in ProgressOut.model_fields:
        if name not in frame.columns:
            columns.append(pl.lit(None).alias(name))
        elif frame.schema[name].is_float():
            column = pl.col(name)
            columns.append(pl.when(column.is_finite()).then(column).otherwise(None).alias(name))
        else:
            columns.append(pl.col(name))
    rows = frame.select(columns).to_dicts()
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode()
