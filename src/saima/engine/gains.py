"""What would gain a unit one place: the smallest improvement on each single item.

For a unit and an item, improve the unit's metric by δ and nothing else: the unit's points on the
item rise, other units' points on it may fall (it passes them in a `rank`; it becomes the group's
maximum in an `efficacy`; it moves the mean of a `linear`), and the unit gains a place when some
unit now ahead of it is ahead no longer. The answer is the smallest such δ: exact where the points
jump (the places of a `rank`, the thresholds of `bands`, the qualifying threshold), otherwise the
smallest multiple of the published precision.

It is worked out for every unit and item of a race at once, one item at a time: each round tries a
few values of δ for every (unit, item) still open, and scores in one `score` call only the rows
that matter, the unit's and those of the units it might pass, against the group statistics
(places, minimum, maximum, mean, median) the scenario would have, which are computed here from the
rest of the group. Only units ahead of the unit can be passed (everyone else's points can only
fall), and of those only the ones within reach of what the item can give: a national group of
900 units costs a few hundred rows per scenario, not 900. `tests/gains_oracle.py` finds the same
answers by re-scoring whole groups, and the tests hold the two together.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from saima.engine.frames import COMPARE_DIGITS
from saima.engine.race import GROUP, RaceResult, unit_totals
from saima.engine.rules import Item, Rules
from saima.engine.scoring import max_points, rank_step, score, takes_part

#: Values of δ tried per open (unit, item) in each round of the search.
PROBES = 5
#: Brackets for the continuous methods, as multiples of the spread of the group's metric.
_BRACKETS = (1.0, 10.0, 100.0, 1000.0)
_SCHEMA = {"unit": pl.String, "item": pl.String, "gain_one_place": pl.Float64}


def gains(result: RaceResult, units: Sequence[str] | None = None) -> pl.DataFrame:
    """For each ranked unit below first place and each item: the smallest improvement of the
    item's metric, alone, that gains the unit one place (null where none does).

    The improvement is in the metric's own terms (percentage points of gap, points of a manual
    score...), in the better direction; "gaining a place" means a better rank, which may be shared
    with the unit drawn level with. One row per unit and item, units in the order of the
    standings.
    """
    rules = result.rules
    standings = result.standings.filter(pl.col("rank") > 1)
    if units is not None:
        standings = standings.filter(pl.col("unit").is_in(list(units)))
    if standings.height == 0:
        return pl.DataFrame(schema=_SCHEMA)
    totals = unit_totals(rules, result.scored, result.adjustments, GROUP).join(
        result.standings.select("unit", "rank"), on="unit", how="left"
    )
    searches = [
        _ItemSearch(rules, item, result.scored, totals, standings["unit"]) for item in rules.items
    ]
    _run_together(searches)
    found = pl.concat(search.found() for search in searches)
    # Every unit asked about and every item, in the standings' and the rules' order.
    grid = standings.select("unit").join(
        pl.DataFrame({"item": [item.code for item in rules.items]}), how="cross"
    )
    return grid.join(found, on=["unit", "item"], how="left").select(list(_SCHEMA))


@dataclass
class _Cases:
    """The open (unit, item) questions of one item, as arrays (one entry per case)."""

    row: np.ndarray  # the unit's row in the item's arrays
    ahead: np.ndarray  # how many of its candidates are ahead of it now
    candidates: list[np.ndarray]  # rows of the units whose order with it may change


class _ItemSearch:
    """Every case of one item: its arrays, the scenarios' statistics, the search."""

    def __init__(
        self,
        rules: Rules,
        item: Item,
        scored: pl.DataFrame,
        totals: pl.DataFrame,
        asked: pl.Series,
    ) -> None:
        self.rules, self.item = rules, item
        self.sign = -1.0 if item.lower_is_better else 1.0
        self.scale = 10.0**rules.decimals
        rows = (
            scored.filter(pl.col("item") == item.code)
            .select(
                "group",
                "unit",
                "item",
                "x",
                "x_target",
                "participant",
                "applicable",
                "excluded",
                "taking_part",
                pl.col("points").fill_null(0.0),
                (pl.col("weight") / item.weight).alias("factor"),
            )
            .join(
                totals.select("unit", "total", "tie", "veto", "rank"),
                on="unit",
                how="left",
            )
            .sort("group", "unit")
        )
        self.rows = rows
        self.units = rows["unit"].to_numpy()
        self.group = rows["group"].cast(pl.Categorical).to_physical().to_numpy().astype(np.int64)
        self.x = rows["x"].to_numpy().astype(float)
        self.participant = rows["participant"].fill_null(False).to_numpy()
        self.counted = (rows["applicable"] & ~rows["excluded"]).fill_null(False).to_numpy()
        self.taking_part = rows["taking_part"].fill_null(False).to_numpy()
        self.points = rows["points"].to_numpy()
        self.factor = rows["factor"].fill_null(0.0).to_numpy()
        self.total = rows["total"].to_numpy().astype(float)
        self.tie = rows["tie"].to_numpy().astype(float)
        self.veto = rows["veto"].fill_null(False).to_numpy()
        self.rank = rows["rank"].fill_null(0).to_numpy()
        self.b = self.sign * self.x
        self.b9 = np.round(self.b, COMPARE_DIGITS)
        self.starts = np.searchsorted(self.group, np.arange(self.group.max() + 2))
        self.cases = self._cases(set(asked.to_list()))
        self.statistics = _GroupStatistics(self)

    # --- who can pass whom -------------------------------------------------------------------

    def _cases(self, asked: set[str]) -> _Cases:
        """Each unit asked about, ranked below first and taking part in the item, with the units
        whose order with it its improvement may change.

        Improving, a unit taking part lowers (or keeps) everyone else's points on the item, so
        only units ahead of it can change places with it, and only those it can reach. A unit
        below the `qualify` threshold is different: once it crosses, it joins the group's
        statistics, and a new minimum, mean or median may raise others, even units behind it.
        """
        open_rows, ahead_counts, candidates = [], [], []
        ceiling = max_points(self.item)
        slack = 1.0 / self.scale + 1e-9
        for row in range(len(self.units)):
            if self.units[row] not in asked or self.rank[row] <= 1 or not self.participant[row]:
                continue
            start, end = self.starts[self.group[row]], self.starts[self.group[row] + 1]
            group = np.arange(start, end)
            rivals = group[(self.rank[group] >= 1) & (group != row)]
            if self.rules.flags.veto == "last":  # vetoed units are ranked after the others
                rivals = rivals[self.veto[rivals] == self.veto[row]]
            joining = not self.taking_part[row] and self._others_move()
            if not joining:
                rivals = rivals[self.rank[rivals] < self.rank[row]]
                reach = self.total[row] - self.points[row] + ceiling * self.factor[row] + slack
                rivals = rivals[self.total[rivals] - self._most_lost(rivals) <= reach]
            if not self._others_move():  # only the nearest unit ahead matters
                published = np.round(self.total[rivals], self.rules.decimals)
                rivals = rivals[_nearest(published, self.tie[rivals])]
            open_rows.append(row)
            ahead_counts.append(int((self.rank[rivals] < self.rank[row]).sum()))
            candidates.append(rivals)
        return _Cases(np.array(open_rows, dtype=np.int64), np.array(ahead_counts), candidates)

    def _others_move(self) -> bool:
        """Whether one unit's metric moves the points of others on this item."""
        item = self.item
        return (
            item.method == "rank"
            or (item.method == "efficacy" and item.satisfactory is None)
            or (item.method == "linear" and item.reference in ("mean", "median"))
        )

    def _most_lost(self, rows: np.ndarray) -> np.ndarray:
        """An upper bound of the points each unit may lose on this item when another improves:
        a place's step under `rank`, down to the base under `efficacy` (the share cannot fall
        below 0), down to the least points under `linear`."""
        item, points, factor = self.item, self.points[rows], self.factor[rows]
        if not self._others_move():
            return np.zeros(len(rows))
        if item.method == "rank":
            return np.minimum(points, rank_step(item) * factor)
        floor = item.weight * item.base if item.method == "efficacy" else (item.min_points or 0.0)
        return np.maximum(points - floor * factor, 0.0)

    # --- the search --------------------------------------------------------------------------

    def search(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The search, as rounds: yields (cases, values of δ) to try, is sent whether each wins
        (see `_run_together`); the answers are in `self.answers` when it ends."""
        cases = self.cases
        self.answers = np.full(len(cases.row), np.nan)
        reachable = cases.ahead > 0
        if self.item.method in ("rank", "bands"):
            yield from self._search_candidates(self.answers, reachable)
        else:
            yield from self._search_continuous(self.answers, reachable)

    def found(self) -> pl.DataFrame:
        rows = self.cases.row
        return pl.DataFrame(
            {
                "unit": self.units[rows].astype(str) if len(rows) else [],
                "item": [self.item.code] * len(rows),
                "gain_one_place": [None if math.isnan(a) else float(a) for a in self.answers],
            },
            schema=_SCHEMA,
        )

    def _search_candidates(self, answers: np.ndarray, reachable: np.ndarray) -> Iterator:
        """Rank and bands: the points change only at known values of δ; search those."""
        lists = [
            self._jumps(row) if ok else np.array([])
            for row, ok in zip(self.cases.row, reachable, strict=True)
        ]
        low = np.full(len(lists), -1)  # the largest index known not to win
        high = np.array([len(values) for values in lists])  # the smallest known to win
        unknown = high.copy()  # `high` not yet tried
        while True:
            open_cases = np.flatnonzero(high - low > 1)
            if len(open_cases) == 0:
                break
            case_ids, deltas, positions = [], [], []
            for case in open_cases:
                probes = _spread_between(low[case], high[case], PROBES)
                case_ids += [case] * len(probes)
                positions += list(probes)
                deltas += list(lists[case][probes])
            won = yield np.array(case_ids), np.array(deltas, dtype=float)
            for case, position, win in zip(case_ids, positions, won, strict=True):
                if win:
                    high[case] = min(high[case], position)
                else:
                    low[case] = max(low[case], position)
            for case in open_cases:
                if high[case] < low[case]:  # not monotone: cannot happen, but never loop
                    high[case] = low[case] + 1
        for case, values in enumerate(lists):
            if high[case] < unknown[case]:
                answers[case] = values[high[case]]

    def _jumps(self, row: int) -> np.ndarray:
        """Where the unit's or others' points on a rank or bands item change, or the unit draws
        level on the tie-break, as δ > 0."""
        start, end = self.starts[self.group[row]], self.starts[self.group[row] + 1]
        group = np.arange(start, end)
        others = group[(group != row) & self.taking_part[group]]
        epsilon = 1.0 / self.scale
        if self.item.method == "rank":
            ties = self.b[others] - self.b[row]
            values = np.concatenate([ties, ties + epsilon])
        else:
            edges = [self.sign * threshold for threshold, _points in self.item.bands or []]
            values = np.array(edges, dtype=float) - self.b[row]
        if self.item.qualify is not None:
            values = np.append(values, self.sign * self.item.qualify - self.b[row])
        if self.rules.tie_break == self.item.code:  # the tie-break moves with the metric
            level = group[(group != row) & ~np.isnan(self.b[group])]
            values = np.concatenate([values, self.b[level] - self.b[row]])
        values = np.round(values, COMPARE_DIGITS)
        return np.unique(values[values > 0])

    def _search_continuous(self, answers: np.ndarray, reachable: np.ndarray) -> Iterator:
        """The other methods: bracket δ, narrow it, then the smallest winning multiple of the
        published precision."""
        count = len(self.cases.row)
        brackets = [
            self._brackets(row) if ok else []
            for row, ok in zip(self.cases.row, reachable, strict=True)
        ]
        low, high = np.zeros(count), np.full(count, np.nan)
        tried = [(c, d) for c in range(count) for d in brackets[c]]
        if tried:
            case_ids, deltas = (np.array(v) for v in zip(*tried, strict=True))
            won = yield case_ids, deltas.astype(float)
            for case, delta, win in zip(case_ids, deltas, won, strict=True):
                if win and not delta >= high[case]:
                    high[case] = delta
            for case, delta, win in zip(case_ids, deltas, won, strict=True):
                if not win and delta < high[case]:
                    low[case] = max(low[case], delta)
        scale = self.scale
        while True:
            open_cases = np.flatnonzero(~np.isnan(high) & ((high - low) * scale > PROBES))
            if len(open_cases) == 0:
                break
            steps = (high[open_cases] - low[open_cases]) / PROBES
            ks = np.arange(1, PROBES + 1)
            case_ids = np.repeat(open_cases, PROBES)
            deltas = (low[open_cases, None] + steps[:, None] * ks).ravel()
            won = (yield case_ids, deltas).reshape(len(open_cases), PROBES)
            first = np.where(won.any(axis=1), won.argmax(axis=1), PROBES - 1)
            new_high = low[open_cases] + steps * (first + 1)
            low[open_cases] = np.maximum(low[open_cases], new_high - steps)
            high[open_cases] = new_high
        # The answer at the published precision: the smallest multiple of 1/scale that wins.
        case_ids, deltas = [], []
        for case in np.flatnonzero(~np.isnan(high)):
            first = max(math.floor(low[case] * scale), 1)
            last = math.ceil(round(high[case] * scale, 6))
            for k in range(first, last + 1):
                case_ids.append(case)
                deltas.append(k / scale)
        if case_ids:
            ids = np.array(case_ids)
            won = yield ids, np.array(deltas)
            best = np.full(count, np.inf)
            np.minimum.at(best, ids[won], np.array(deltas)[won])
            for case in np.flatnonzero(~np.isnan(high)):
                answers[case] = best[case] if math.isfinite(best[case]) else high[case]

    def _brackets(self, row: int) -> list[float]:
        """Growing values of δ; the last is large enough that more cannot help. Between two of
        them the unit's standing only improves, so the search may narrow in on the first that
        wins. It does everywhere but at the `qualify` threshold: crossing it the unit joins the
        group's statistics, which may lift others past it again; so the crossing is a bracket,
        and so, when this item is the tie-break and others' points move with the unit, are the
        levels below the crossing where the unit draws level with another on the tie-break
        (before the crossing only the tie-break moves; a place won there may be lost after)."""
        if self.item.method == "manual":
            room = self.item.weight - self.x[row]
            return [room] if room > 0 else []
        start, end = self.starts[self.group[row]], self.starts[self.group[row] + 1]
        group = np.arange(start, end)
        others = self.x[group[(group != row) & self.participant[group]]]
        others = others[~np.isnan(others)]
        values = np.append(others, self.x[row])
        spread = max(values.max() - values.min(), abs(self.x[row]), 1.0)
        found = [spread * k for k in _BRACKETS]
        if self.item.qualify is not None:
            crossing = self.sign * (self.item.qualify - self.x[row])
            found.append(crossing)
            if (
                not self.taking_part[row]
                and self._others_move()
                and self.rules.tie_break == self.item.code
            ):
                levels = self.sign * (others - self.x[row])
                found += list(levels[levels < crossing])
        found = np.round(found, COMPARE_DIGITS)
        return sorted(set(found[found > 0].tolist()))

    # --- one round of scenarios ---------------------------------------------------------------

    def round(self, case_ids: np.ndarray, deltas: np.ndarray) -> Iterator[pl.DataFrame]:
        """For each scenario (case, δ): does the unit gain a place? A generator: it yields the
        frames to score (see `_run_together`), is sent their raw points, and returns the answer.

        The unit's own rows are scored first; then, of its candidates, those still within reach
        of its new total in that scenario (bounds on what each can lose, given how far the
        scenario moved the group's statistics), and the unit gains a place when fewer of them
        are strictly ahead of it than before.
        """
        cases = self.cases
        count = len(case_ids)
        mine = cases.row[case_ids]
        new_x = self.x[mine] + self.sign * deltas
        new_b9 = np.round(self.sign * new_x, COMPARE_DIGITS)
        joins = self.participant[mine]
        if self.item.qualify is not None:
            joins = joins & takes_part(self.item, pl.Series(new_x)).to_numpy()
        scene = self._scene(mine, new_x, joins)
        everyone = np.arange(count)
        ahead = self.statistics.ahead_without(self.group[mine], mine, new_b9)
        place = np.where(joins, ahead + 1, np.nan)
        raw = yield self._frame(mine, new_x, everyone, place, scene)
        total, published = self._new_totals(mine, raw)
        tie = self.tie[mine].copy()
        if self.rules.tie_break == self.item.code:
            tie = np.where(np.isnan(new_x), -np.inf, new_b9)
        # The candidates still within reach in each scenario.
        sizes = np.array([len(cases.candidates[c]) for c in case_ids])
        scenario = np.repeat(everyone, sizes)
        rows = np.concatenate(
            [np.zeros(0, dtype=np.int64)] + [cases.candidates[c] for c in case_ids]
        )
        joining = ~self.taking_part[mine] & joins
        reach = total[scenario] + 1.0 / self.scale + 1e-9
        lowest = self.total[rows] - self._loss_bound(rows, scenario, scene)
        keep = joining[scenario] | (lowest <= reach)
        rows, scenario = rows[keep], scenario[keep]
        was_ahead = self.rank[rows] < self.rank[mine][scenario]
        ahead = self.statistics.ahead_without(
            self.group[mine][scenario], mine[scenario], self.b9[rows]
        )
        ahead += joins[scenario] & (new_b9[scenario] > self.b9[rows])
        place = np.where(self.taking_part[rows], ahead + 1, np.nan)
        scene_rows = {name: values[scenario] for name, values in scene.items()}
        raw = yield self._frame(rows, self.x[rows], scenario, place, scene_rows)
        _, theirs = self._new_totals(rows, raw)
        still = (theirs > published[scenario]) | (
            (theirs == published[scenario]) & (self.tie[rows] > tie[scenario])
        )
        still_ahead = np.bincount(scenario, weights=still, minlength=count)
        before = np.bincount(scenario, weights=was_ahead, minlength=count)
        return still_ahead < before

    def _frame(self, rows, x, scenario, place, scene) -> pl.DataFrame:
        """Rows of this item to score at metric `x` against the scenario's statistics."""
        return self.rows.select("unit", "item", "x_target", "participant")[rows].with_columns(
            x=pl.Series(x, dtype=pl.Float64),
            scenario=pl.Series(scenario, dtype=pl.Int64),
            place=pl.Series(place, nan_to_null=True, dtype=pl.Float64).cast(pl.Int64),
            **{
                name: pl.Series(values, nan_to_null=True, dtype=pl.Float64)
                for name, values in scene.items()
            },
        )

    def _new_totals(self, rows: np.ndarray, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The totals (and published totals) of `rows` given the item's new raw points."""
        counted = self.counted[rows]
        points = np.where(counted, np.round(raw * self.factor[rows], COMPARE_DIGITS), 0.0)
        change = points - np.where(counted, self.points[rows], 0.0)
        total = np.round(self.total[rows] + change, COMPARE_DIGITS)
        return total, np.round(total, self.rules.decimals)

    def _scene(self, mine: np.ndarray, new_x: np.ndarray, joins: np.ndarray) -> dict:
        """The group statistics of each scenario (NaN where the item needs none)."""
        stats, item, group = self.statistics, self.item, self.group[mine]
        nothing = np.full(len(mine), np.nan)
        scene = {
            "group_min": nothing,
            "group_max": nothing,
            "group_mean": nothing,
            "group_median": nothing,
        }
        if item.method == "efficacy" and item.satisfactory is None:
            low, high = stats.extremes_without(group, mine)
            new_b = np.where(joins, self.sign * new_x, np.nan)
            scene["group_min"], scene["group_max"] = np.fmin(low, new_b), np.fmax(high, new_b)
        if item.method == "linear" and item.reference == "mean":
            scene["group_mean"] = stats.mean_with(group, mine, new_x, joins)
        if item.method == "linear" and item.reference == "median":
            scene["group_median"] = stats.median_with(group, mine, new_x, joins)
        return scene

    def _loss_bound(self, rows: np.ndarray, scenario: np.ndarray, scene: dict) -> np.ndarray:
        """An upper bound of the points each candidate loses in its scenario."""
        item, points, factor = self.item, self.points[rows], self.factor[rows]
        if not self._others_move():
            return np.zeros(len(rows))
        group = self.group[rows]
        base = self.statistics.base
        if item.method == "rank":  # a place's step, whatever the scenario
            return self._most_lost(rows)
        if item.method == "efficacy":
            moved = (scene["group_min"][scenario] != base["group_min"][group]) | (
                scene["group_max"][scenario] != base["group_max"][group]
            )
            return np.where(moved, np.maximum(points - item.weight * item.base * factor, 0.0), 0)
        name = "group_mean" if item.reference == "mean" else "group_median"
        shift = np.abs(scene[name][scenario] - base[name][group])
        shift = np.where(np.isnan(shift), np.inf, shift)
        bound = factor * (item.slope or 0.0) * (shift / item.per + 1e-9)
        return np.minimum(bound, np.maximum(points - (item.min_points or 0.0) * factor, 0.0))


def _run_together(searches: list[_ItemSearch]) -> None:
    """Run every item's search in step, so that each round scores the scenarios of all items in
    two `score` calls (the units' own rows, then their candidates') rather than two per item."""
    asking = {}
    for search in searches:
        steps = search.search()
        try:
            asking[search] = (steps, next(steps))
        except StopIteration:
            continue
    while asking:
        rounds = {search: search.round(*probes) for search, (_steps, probes) in asking.items()}
        answers: dict[_ItemSearch, np.ndarray] = {}
        frames = {search: next(step) for search, step in rounds.items()}
        while frames:
            raw = _score_together(frames)
            frames = {}
            for search, points in raw.items():
                try:
                    frames[search] = rounds[search].send(points)
                except StopIteration as done:
                    answers[search] = done.value
        for search, won in answers.items():
            steps = asking[search][0]
            try:
                asking[search] = (steps, steps.send(won))
            except StopIteration:
                del asking[search]


#: Rows scored in one call at the most: many small frames are cheaper together (one call's
#: overhead), large ones apart (a call over every item's parameters costs more per row).
BATCH_ROWS = 100_000


def _score_together(frames: dict[_ItemSearch, pl.DataFrame]) -> dict[_ItemSearch, np.ndarray]:
    """Raw points of each search's frame, small frames scored together in one call."""
    out: dict[_ItemSearch, np.ndarray] = {}
    batch: list[_ItemSearch] = []
    rows = 0
    for search, frame in sorted(frames.items(), key=lambda pair: pair[1].height):
        if batch and rows + frame.height > BATCH_ROWS:
            out.update(_score_batch({s: frames[s] for s in batch}))
            batch, rows = [], 0
        batch.append(search)
        rows += frame.height
    if batch:
        out.update(_score_batch({s: frames[s] for s in batch}))
    return out


def _score_batch(frames: dict[_ItemSearch, pl.DataFrame]) -> dict[_ItemSearch, np.ndarray]:
    searches = list(frames)
    if not sum(frame.height for frame in frames.values()):
        return {search: np.zeros(0) for search in searches}
    items = [search.item for search in searches]
    raw = score(pl.concat(frames.values()), items, ["scenario"], statistics=True)
    sizes = np.cumsum([0, *(frame.height for frame in frames.values())])
    points = raw["raw_points"].to_numpy()
    return {search: points[sizes[i] : sizes[i + 1]] for i, search in enumerate(searches)}


class _GroupStatistics:
    """The statistics of each group's units taking part, for scenarios in which one of them (the
    unit asking) stands elsewhere: worked out from the group without that unit."""

    def __init__(self, search: _ItemSearch) -> None:
        s = self.search = search
        takes = s.taking_part
        self.sorted_b9, self.sorted_x, self.count = [], [], []
        groups = len(s.starts) - 1
        #: Each group's statistics as the race has them (NaN: nobody takes part).
        self.base = {
            name: np.full(groups, np.nan)
            for name in ("group_min", "group_max", "group_mean", "group_median")
        }
        for g in range(groups):
            members = slice(s.starts[g], s.starts[g + 1])
            self.sorted_b9.append(np.sort(s.b9[members][takes[members]]))
            self.sorted_x.append(np.sort(s.x[members][takes[members]]))
            self.count.append(int(takes[members].sum()))
            if self.count[-1]:
                b, x = s.b[members][takes[members]], self.sorted_x[-1]
                self.base["group_min"][g], self.base["group_max"][g] = b.min(), b.max()
                self.base["group_mean"][g] = round(float(x.mean()), COMPARE_DIGITS)
                self.base["group_median"][g] = round(float(np.median(x)), COMPARE_DIGITS)

    def ahead_without(self, group: np.ndarray, mine: np.ndarray, b9: np.ndarray) -> np.ndarray:
        """How many units of the group, the unit left out, stand strictly above `b9`."""
        s = self.search
        out = np.empty(len(group), dtype=np.int64)
        for g in np.unique(group):
            at = group == g
            values = self.sorted_b9[g]
            out[at] = len(values) - np.searchsorted(values, b9[at], side="right")
        return out - (s.taking_part[mine] & (s.b9[mine] > b9))

    def extremes_without(self, group: np.ndarray, mine: np.ndarray):
        """The least and greatest `b` in each unit's group, the unit left out (NaN: nobody)."""
        s = self.search
        low, high = np.full(len(group), np.nan), np.full(len(group), np.nan)
        for g in np.unique(group):
            at = np.flatnonzero(group == g)
            members = np.arange(s.starts[g], s.starts[g + 1])
            members = members[s.taking_part[members]]
            if len(members) == 0:
                continue
            order = members[np.argsort(s.b[members], kind="stable")]
            b = np.append(s.b[order], np.nan)  # index -1 past the end: nobody
            alone = len(order) == 1
            low[at] = np.where(mine[at] == order[0], b[-1 if alone else 1], b[0])
            high[at] = np.where(mine[at] == order[-1], b[-1 if alone else -3], b[-2])
        return low, high

    def mean_with(self, group, mine, new_x, joins) -> np.ndarray:
        """The mean metric of each group with the unit at `new_x` (if it takes part)."""
        s = self.search
        sums = np.array([values.sum() for values in self.sorted_x])
        counts = np.array(self.count)
        own = s.taking_part[mine]
        total = sums[group] - np.where(own, s.x[mine], 0.0) + np.where(joins, new_x, 0.0)
        count = counts[group] - own + joins
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(count > 0, total / count, np.nan)
        return np.round(mean, COMPARE_DIGITS)

    def median_with(self, group, mine, new_x, joins) -> np.ndarray:
        """The median metric of each group with the unit at `new_x` (if it takes part)."""
        s = self.search
        out = np.full(len(group), np.nan)
        for entry in range(len(group)):
            values = self.sorted_x[group[entry]]
            if s.taking_part[mine[entry]]:
                values = np.delete(values, np.searchsorted(values, s.x[mine[entry]]))
            if joins[entry]:
                values = np.insert(values, np.searchsorted(values, new_x[entry]), new_x[entry])
            if len(values):
                out[entry] = np.median(values)
        return np.round(out, COMPARE_DIGITS)


def _nearest(total: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """The positions of the units with the lowest total (and tie-break) among `total`."""
    if len(total) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((tie, total))
    return order[:1]


def _spread_between(low: int, high: int, count: int) -> np.ndarray:
    """Up to `count` indices strictly between `low` and `high`, evenly spread, `high - 1` last
    (so that a case whose every candidate loses is settled in one round)."""
    inside = np.arange(low + 1, high)
    if len(inside) <= count:
        return inside
    picks = np.linspace(low + 1, high - 1, count).round().astype(np.int64)
    return np.unique(picks)
