"""Through the pages, an import lands whole or not at all, whatever the file holds."""

from __future__ import annotations

import io
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from saima.metrics.models import Observation
from saima.testing import examples

IMPORT = "/reporting/import/"

UNITS = st.sampled_from(["east", "west", "north", "东城区", "east", "west", "nowhere", ""])
INDICATORS = st.sampled_from(["fai", "ivag", "pm25", "projects", "固定资产投资", "fai", "gdp"])
PLAUSIBLE = st.decimals(min_value=80, max_value=150, places=1, allow_nan=False).map(str)
VALUES = st.one_of(
    PLAUSIBLE,
    PLAUSIBLE,
    st.decimals(min_value=-10, max_value=10**6, places=2, allow_nan=False).map(str),
    st.sampled_from(["", "-", "abc", "1e400", "=1+1", "12345678901234567", "１２"]),
)
ROWS = st.lists(st.tuples(UNITS, INDICATORS, VALUES), min_size=1, max_size=4)


def _csv(rows) -> bytes:
    lines = ["unit,indicator,value", *(",".join(row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def _snapshot() -> dict:
    return {
        (o["unit__code"], o["indicator__code"], o["year"], o["month"]): o["value"]
        for o in Observation.objects.values(
            "unit__code", "indicator__code", "year", "month", "value"
        )
    }


@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=ROWS, period=st.sampled_from(["2026-07", "2026-06"]))
def test_an_import_lands_whole_or_not_at_all(client, world, rows, period):
    client.force_login(world.user("office"))
    before = _snapshot()
    upload = io.BytesIO(_csv(rows))
    upload.name = "fuzz.csv"
    preview = client.post(IMPORT, {"period": period, "file": upload})
    assert preview.status_code in (200, 400)
    assert _snapshot() == before  # the preview writes nothing
    if preview.status_code != 200 or preview.context["refused"]:
        event("refused before saving")
        token = preview.context.get("token") or "none"
        client.post(IMPORT, {"period": period, "confirm": "1", "token": token})
        assert _snapshot() == before
        return
    changes = preview.context["changes"]
    done = client.post(
        IMPORT, {"period": period, "confirm": "1", "token": preview.context["token"]}
    )
    after = _snapshot()
    event(f"confirm answered {done.status_code}")
    if done.status_code != 200:
        assert after == before  # refused by figures_save: nothing at all
        return
    for change in changes:
        row = change.row
        key = (row.unit_code, row.indicator_code, row.year, row.month)
        assert after[key] == (None if row.value is None else Decimal(row.value))
    untouched = {k: v for k, v in after.items() if k not in {c.row.key for c in changes}}
    assert untouched == {k: v for k, v in before.items() if k in untouched}
