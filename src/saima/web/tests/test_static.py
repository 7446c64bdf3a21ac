"""The pages load only vendored, local assets."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders


def test_every_asset_a_page_names_is_vendored(client, world):
    client.force_login(world.user("office"))
    html = client.get("/units/east/?period=2026-06").content.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert {a.rsplit("/", 1)[-1] for a in assets} >= {
        "saima.css",
        "saima.js",
        "htmx-2.0.11.min.js",
        "echarts-5.6.0.min.js",
    }
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)  # nothing from the network


def test_vendored_libraries_carry_their_licences():
    for name in ("echarts-5.6.0.LICENSE.txt", "htmx-2.0.11.LICENSE.txt", "VERSIONS.txt"):
        assert finders.find(f"saima/vendor/{name}"), name


def test_no_inline_script_with_data(client, world):
    client.force_login(world.user("office"))
    html = client.get("/units/east/?period=2026-06").content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [' id="saima-charts" type="application/json"']
