"""The demo data, invented deterministically as plain rows (no Django here).

Every series is drawn from its own `random.Random`, seeded by a fixed seed, the year and the
unit and indicator codes, and the whole year is drawn before it is cut at `as_of`: the same
`as_of` gives the same figures to the byte, and a later `as_of` only adds months.

How the figures are invented, per unit × indicator:

- each unit has a *bias* in percentage points ahead of (+) or behind (−) the time-sequence
  schedule, and each of its indicators adds noise to it (the red unit stays far behind on most
  indicators, with a couple of bright spots);
- amounts and counts: last year's total comes from the indicator's size for an average unit, the
  unit's size and its kind; the target adds the planned growth; last year's months follow the
  indicator's seasonal profile (linear if it has none) with noise; this year's cumulative figure is
  `target × τ(m) × ratio`, the ratio drifting towards the unit's performance through the year;
- growth indicators: the cumulative year-on-year growth around the target, jumpy in the first
  months and settling later;
- levels: a seasonal monthly level around the target (better or worse by the unit's performance),
  reported as the average to date.
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass
from decimal import Decimal

from saima.demo.catalogue import (
    CITY,
    COMMITMENTS,
    EXTRA_INDICATORS,
    GENERIC_REASONS,
    GROUPS,
    INDICATORS,
    KIND_SUFFIX,
    MISSING_UNIT,
    PROVINCE,
    RED_UNIT,
    REPORTER_UNIT,
    SYLLABLES,
    UNITS,
    GroupSpec,
    IndicatorSpec,
    UnitSpec,
)

SEED = 20260325
SCALES = ("city", "province")
PROVINCE_UNITS = 150
PROVINCE_INDICATORS = 40
GROUP_SIZE = 15
#: Above this many units the province scale takes the national shape (see `national_cast`).
PROVINCE_MAX_UNITS = 300
MAX_UNITS = 3000
#: The national shape: six race groups of uneven sizes, like provinces (as the engine bench).
NATIONAL_GROUPS = (
    ("north", "华北组", "North", 0.042),
    ("east", "华东组", "East", 0.081),
    ("west", "西部组", "West", 0.133),
    ("south", "华南组", "South", 0.183),
    ("central", "华中组", "Central", 0.245),
    ("coast", "沿海组", "Coast", 0.316),
)
#: The national shape's mix of unit kinds inside each group (districts, counties, zones).
NATIONAL_KINDS = (("district", 0.3), ("county", 0.5), ("zone", 0.2))
REPORT_DAY = 8

#: Thresholds the notes use to spot a lagging figure (the engine's defaults).
YELLOW_PP, GROWTH_YELLOW_PP, LEVEL_YELLOW_PCT = 5.0, 1.0, 5.0


@dataclass(frozen=True)
class TargetRow:
    unit: str
    indicator: str
    year: int
    value: Decimal | None
    not_applicable: bool
    last_year_total: Decimal | None


@dataclass(frozen=True)
class ObservationRow:
    unit: str
    indicator: str
    year: int
    month: int
    value: Decimal
    last_year_value: Decimal | None
    growth: Decimal | None
    note: str


@dataclass(frozen=True)
class Dataset:
    scale: str
    as_of: datetime.date
    year: int
    months: tuple[int, ...]
    root: tuple[str, str, str]
    groups: tuple[GroupSpec, ...]
    units: tuple[UnitSpec, ...]
    indicators: tuple[IndicatorSpec, ...]
    targets: tuple[TargetRow, ...]
    observations: tuple[ObservationRow, ...]
    red_units: tuple[str, ...]
    missing_units: tuple[str, ...]


# --- periods -------------------------------------------------------------------------------


def reporting_deadline(year: int, month: int) -> datetime.date:
    """The day figures for `month` are due: the 8th of the next month."""
    return datetime.date(year + month // 12, month % 12 + 1, REPORT_DAY)


def latest_reported(as_of: datetime.date) -> tuple[int, int]:
    """The last (year, month) whose reporting deadline has passed by `as_of`."""
    year, month = as_of.year, as_of.month
    for _step in range(2):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        if as_of > reporting_deadline(year, month):
            return year, month
    raise AssertionError("unreachable: the month before last is always due")  # pragma: no cover


def reported_months(as_of: datetime.date) -> tuple[int, tuple[int, ...]]:
    """The demo year and its months reported by `as_of` (January to the latest month due).

    The year is that of the latest month due: on 2026-11-25 it is 2026 with January–October;
    on 2027-01-20 it is 2026 with all twelve months (2027 has no figure due yet).
    """
    year, month = latest_reported(as_of)
    return year, tuple(range(1, month + 1))


def schedule(spec: IndicatorSpec) -> list[float]:
    """Cumulative percent for months 1..12 (index 0 is January), as the engine reads it."""
    if spec.profile is None:
        return [m * 100 / 12 for m in range(1, 13)]
    if spec.combined_jan_feb:
        first = spec.profile[0]
        return [first * 0.45, *spec.profile]
    return list(spec.profile)


# --- the cast ------------------------------------------------------------------------------


def _numeral_zh(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def _roman(n: int) -> str:
    out = []
    for value, letters in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def province_cast(n_units: int) -> tuple[tuple[GroupSpec, ...], tuple[UnitSpec, ...]]:
    """Race groups of about fifteen (districts, counties, zones) and their generated units; above
    `PROVINCE_MAX_UNITS` units, the national shape (`national_cast`)."""
    if n_units < 3:
        raise ValueError("the province scale needs at least 3 units")
    if n_units > PROVINCE_MAX_UNITS:
        return national_cast(n_units)
    rng = random.Random(f"{SEED}-province-cast")
    n_groups = max(3, round(n_units / GROUP_SIZE))
    n_districts = max(1, round(n_groups * 0.3))
    n_zones = max(1, round(n_groups * 0.2))
    n_counties = n_groups - n_districts - n_zones
    kinds = ["district"] * n_districts + ["county"] * n_counties + ["zone"] * n_zones
    base = {g.kind: g for g in GROUPS}
    groups, counters = [], dict.fromkeys(KIND_SUFFIX, 0)
    for kind in kinds:
        counters[kind] += 1
        k, template = counters[kind], base[kind]
        groups.append(
            GroupSpec(
                f"{template.code}-{k}",
                template.name_zh.replace("组", f"{_numeral_zh(k)}组"),
                f"{template.name_en} {_roman(k)}",
                kind,
            )
        )
    pairs = [(a, b) for a in SYLLABLES for b in SYLLABLES if a != b]
    rng.shuffle(pairs)
    taken_codes = {u.code for u in UNITS}
    taken_names = {u.name_zh for u in UNITS}
    units: list[UnitSpec] = []
    per_group, extra = divmod(n_units, n_groups)
    for index, group in enumerate(groups):
        size = per_group + (1 if index < extra else 0)
        members: list[UnitSpec] = []
        if index == 0:
            members.append(next(u for u in UNITS if u.code == REPORTER_UNIT))
            members[0] = _regroup(members[0], group.code)
        while len(members) < size:
            (zh1, py1), (zh2, py2) = pairs.pop()
            suffix_zh, suffix_en = KIND_SUFFIX[group.kind]
            code = f"{py1}{py2}-{group.kind}"
            name_zh = f"{zh1}{zh2}{suffix_zh}"
            if code in taken_codes or name_zh in taken_names:
                continue
            taken_codes.add(code)
            taken_names.add(name_zh)
            members.append(
                _drawn_unit(
                    rng,
                    code,
                    name_zh,
                    f"{(py1 + py2).capitalize()} {suffix_en}",
                    group.kind,
                    group.code,
                )
            )
        units.extend(members)
    return tuple(groups), tuple(units)


def national_cast(n_units: int) -> tuple[tuple[GroupSpec, ...], tuple[UnitSpec, ...]]:
    """Six race groups of uneven sizes (`NATIONAL_GROUPS`, from 4% to 32% of the units), each
    mixing districts, counties and zones; units named from two syllables, then from three once
    the pairs are used up (codes and Chinese names unique)."""
    rng = random.Random(f"{SEED}-national-cast")
    groups = tuple(GroupSpec(code, zh, en, "county") for code, zh, en, _share in NATIONAL_GROUPS)
    sizes = [round(n_units * share) for *_names, share in NATIONAL_GROUPS]
    sizes[-1] += n_units - sum(sizes)
    pairs = [(a, b) for a in SYLLABLES for b in SYLLABLES if a != b]
    triples = [(a, b, c) for a, b in pairs for c in SYLLABLES if c not in (a, b)]
    rng.shuffle(pairs)
    rng.shuffle(triples)
    names = iter([*pairs, *triples])
    taken_codes = {u.code for u in UNITS}
    taken_names = {u.name_zh for u in UNITS}
    units: list[UnitSpec] = []
    for index, (group, size) in enumerate(zip(groups, sizes, strict=True)):
        kinds = [
            kind for kind, share in NATIONAL_KINDS for _ in range(max(1, round(size * share)))
        ][:size]
        kinds += ["county"] * (size - len(kinds))
        rng.shuffle(kinds)
        members: list[UnitSpec] = []
        if index == 0:
            members.append(_regroup(next(u for u in UNITS if u.code == REPORTER_UNIT), group.code))
            kinds.pop(kinds.index("district"))
        for kind in kinds:
            while True:
                syllables = next(names)
                suffix_zh, suffix_en = KIND_SUFFIX[kind]
                pinyin = "".join(py for _zh, py in syllables)
                code = f"{pinyin}-{kind}"
                name_zh = "".join(zh for zh, _py in syllables) + suffix_zh
                if code not in taken_codes and name_zh not in taken_names:
                    break
            taken_codes.add(code)
            taken_names.add(name_zh)
            members.append(
                _drawn_unit(
                    rng, code, name_zh, f"{pinyin.capitalize()} {suffix_en}", kind, group.code
                )
            )
        units.extend(members)
    return groups, tuple(units)


def _regroup(unit: UnitSpec, group: str) -> UnitSpec:
    return UnitSpec(unit.code, unit.name_zh, unit.name_en, unit.kind, group, unit.size, unit.bias)


def _drawn_unit(
    rng: random.Random, code: str, name_zh: str, name_en: str, kind: str, group: str
) -> UnitSpec:
    """A generated unit, its size and then its bias drawn from `rng`."""
    size = round(rng.lognormvariate(0, 0.35), 3)
    return UnitSpec(code, name_zh, name_en, kind, group, size, _draw_bias(rng))


def _draw_bias(rng: random.Random) -> float:
    roll = rng.random()
    if roll < 0.35:
        return round(rng.uniform(1.0, 7.0), 2)
    if roll < 0.75:
        return round(rng.uniform(-2.0, 2.0), 2)
    return round(rng.uniform(-5.0, -1.0), 2)


def _province_designations(
    groups: tuple[GroupSpec, ...], units: tuple[UnitSpec, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """One red and one missing unit per race group (never the reporter's district); in the
    national shape's big groups, one of each per fifteen units or so."""
    rng = random.Random(f"{SEED}-province-designations")
    red, missing = [], []
    national = len(units) > PROVINCE_MAX_UNITS
    for group in groups:
        members = [u.code for u in units if u.group == group.code and u.code != REPORTER_UNIT]
        if len(members) < 2:
            continue
        # The national shape's big groups: one red and one missing per fifteen units or so.
        each = max(1, round(len(members) / GROUP_SIZE)) if national else 1
        chosen = rng.sample(members, 2 * each)
        red.extend(chosen[:each])
        missing.extend(chosen[each:])
    return tuple(red), tuple(missing)


# --- the figures ---------------------------------------------------------------------------


def _q(value: float, decimals: int) -> Decimal:
    return Decimal(f"{value:.{decimals}f}")


def _performance(unit: UnitSpec, spec: IndicatorSpec, red: bool, bright: bool, year: int) -> float:
    """Percentage points ahead (+) or behind (−) for this unit on this indicator."""
    rng = random.Random(f"{SEED}-{year}-perf-{unit.code}-{spec.code}")
    if red and bright:
        return rng.uniform(0.5, 3.0)
    if red:
        return unit.bias + rng.uniform(-4.0, 4.0)
    return unit.bias + rng.gauss(0.0, 3.0)


def _amount_series(unit, spec, perf, rng, count: bool):
    """Last year's total, the target, and cumulative figures of last year and this year."""
    size = unit.size * spec.affinity.get(unit.kind, 1.0) * rng.lognormvariate(0.0, 0.2)
    growth = max(0.0, spec.target_growth + rng.gauss(0.0, 0.015))
    tau = schedule(spec)
    shares = [b - a for a, b in zip([0.0, *tau[:-1]], tau, strict=True)]
    increments = [s * rng.lognormvariate(0.0, 0.05) for s in shares]
    last_total = spec.base * size
    if count:
        last_total = float(max(2, round(last_total)))
        target = float(max(round(last_total * (1 + growth)), last_total + 1))
    else:
        last_total = round(last_total, 2)
        target = round(last_total * (1 + growth), 1)
    scale = last_total / sum(increments)
    last_year, running = [], 0.0
    for inc in increments:
        running += inc * scale
        last_year.append(running)
    last_year[-1] = last_total
    final_ratio = 1 + perf * 1.2 / 100
    this_year, previous = [], 0.0
    for month in range(1, 13):
        ratio = 1 + (final_ratio - 1) * (0.6 + 0.4 * month / 12) + rng.gauss(0.0, 0.01)
        value = max(target * tau[month - 1] / 100 * ratio, previous * 1.002)
        this_year.append(value)
        previous = value
    if count:
        last_year = _monotonic_int(last_year)
        this_year = _monotonic_int(this_year)
    return last_total, target, last_year, this_year


def _monotonic_int(values: list[float]) -> list[float]:
    out, previous = [], 0
    for v in values:
        previous = max(previous, round(v))
        out.append(float(previous))
    return out


def _growth_series(spec, perf, rng):
    target = round((spec.base + rng.gauss(0.0, 0.5)) * 2) / 2
    final = target + perf / 5
    last_level = target + rng.gauss(-0.3, 0.8)
    this_year = [final + rng.gauss(0.0, 1.6) * (12 - m) / 11 for m in range(1, 13)]
    last_year = [last_level + rng.gauss(0.0, 1.6) * (12 - m) / 11 for m in range(1, 13)]
    return target, last_year, this_year


def _level_series(unit, spec, perf, rng):
    digits = max(spec.decimals - 1, 0)
    target = round(spec.base * spec.affinity.get(unit.kind, 1.0) * rng.uniform(0.92, 1.08), digits)
    sign = 1 if spec.direction == "lower" else -1
    season = spec.season or (1.0,) * 12
    cap = 100.0 if spec.measure_en == "%" else math.inf

    def averages(level: float) -> list[float]:
        monthly = [min(level * f * (1 + rng.gauss(0.0, 0.03)), cap) for f in season]
        return [sum(monthly[:m]) / m for m in range(1, 13)]

    last_year = averages(target * (1 + sign * 0.04 + rng.gauss(0.0, 0.03)))
    this_year = averages(target * (1 - sign * perf / 100))
    return target, last_year, this_year


def _lagging(spec: IndicatorSpec, value: float, target: float, tau: float) -> bool:
    """Red by the engine's default thresholds."""
    lower = spec.direction == "lower"
    if spec.kind in ("amount", "count"):
        good = value * 100 / target - tau
        limit = YELLOW_PP
    elif spec.kind == "growth":
        good, limit = value - target, GROWTH_YELLOW_PP
    else:
        good, limit = value * 100 / target - 100, LEVEL_YELLOW_PCT
    return (-good if lower else good) < -limit


def _note(spec: IndicatorSpec, rng: random.Random) -> str:
    reasons = spec.reasons or GENERIC_REASONS[spec.kind]
    return f"{rng.choice(reasons)}；{rng.choice(COMMITMENTS)}"


def check_request(*, scale: str, units: int | None) -> None:
    """ValueError for a scale or a unit count the generator cannot make."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; use one of {', '.join(SCALES)}")
    if scale == "city" and units is not None:
        raise ValueError("the city scale has a fixed cast; `units` is for the province")
    if units is not None and not 3 <= units <= MAX_UNITS:
        raise ValueError(
            f"the province scale takes 3 to {MAX_UNITS} units "
            f"(above {PROVINCE_MAX_UNITS}, the national shape)"
        )


def build_dataset(
    *, as_of: datetime.date, scale: str = "city", units: int | None = None
) -> Dataset:
    """Everything the demo loads, as plain rows."""
    check_request(scale=scale, units=units)
    year, months = reported_months(as_of)
    if scale == "city":
        root, groups, cast = CITY, GROUPS, UNITS
        indicators = INDICATORS
        red_units, missing_units = (RED_UNIT,), (MISSING_UNIT,)
    else:
        root = PROVINCE
        groups, cast = province_cast(PROVINCE_UNITS if units is None else units)
        indicators = (INDICATORS + EXTRA_INDICATORS)[:PROVINCE_INDICATORS]
        red_units, missing_units = _province_designations(groups, cast)
    latest = months[-1]
    targets: list[TargetRow] = []
    observations: list[ObservationRow] = []
    for unit in cast:
        red = unit.code in red_units
        unit_rng = random.Random(f"{SEED}-{year}-unit-{unit.code}")
        bright = set(unit_rng.sample([i.code for i in indicators], 2)) if red else set()
        missing = unit.code in missing_units
        for spec in indicators:
            rng = random.Random(f"{SEED}-{year}-{unit.code}-{spec.code}")
            if unit.kind in spec.not_applicable:
                targets.append(TargetRow(unit.code, spec.code, year, None, True, None))
                continue
            perf = _performance(unit, spec, red, spec.code in bright, year)
            target_row, rows = _series(unit, spec, perf, rng, year, months)
            targets.append(target_row)
            for row in rows:
                if missing and row.year == year and row.month == latest:
                    continue
                observations.append(row)
    return Dataset(
        scale=scale,
        as_of=as_of,
        year=year,
        months=months,
        root=root,
        groups=tuple(groups),
        units=tuple(cast),
        indicators=tuple(indicators),
        targets=tuple(targets),
        observations=tuple(observations),
        red_units=red_units,
        missing_units=missing_units,
    )


def _series(unit, spec, perf, rng, year, months):
    first = 2 if spec.combined_jan_feb else 1
    latest = months[-1]
    tau = schedule(spec)
    digits = spec.decimals
    rows: list[ObservationRow] = []
    if spec.kind in ("amount", "count"):
        count = spec.kind == "count"
        last_total, target, last_year, this_year = _amount_series(unit, spec, perf, rng, count)
        target_row = TargetRow(
            unit.code, spec.code, year, _q(target, digits), False, _q(last_total, digits)
        )
    elif spec.kind == "growth":
        target, last_year, this_year = _growth_series(spec, perf, rng)
        target_row = TargetRow(unit.code, spec.code, year, _q(target, digits), False, None)
    else:
        target, last_year, this_year = _level_series(unit, spec, perf, rng)
        target_row = TargetRow(unit.code, spec.code, year, _q(target, digits), False, None)
    note_rng = random.Random(f"{SEED}-{year}-note-{unit.code}-{spec.code}")
    for month in range(first, 13):
        rows.append(
            ObservationRow(
                unit.code, spec.code, year - 1, month, _q(last_year[month - 1], digits),
                None, None, "",
            )
        )  # fmt: skip
    for month in months:
        if month < first:
            continue
        value = _q(this_year[month - 1], digits)
        last_value = growth = None
        if spec.kind in ("amount", "count"):
            last_value = _q(last_year[month - 1], digits)
            if spec.kind == "amount" and last_value > 0:
                growth = _q((float(value) / float(last_value) - 1) * 100, 1)
        note = ""
        if month == latest and _lagging(spec, float(value), target, tau[month - 1]):
            note = _note(spec, note_rng)
        rows.append(
            ObservationRow(unit.code, spec.code, year, month, value, last_value, growth, note)
        )
    return target_row, rows
