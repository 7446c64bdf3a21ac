"""The projects API (mounted at /api/projects): each feature's router, the fixed addresses
(`/settings`, `/problems`, `/indicators`) before those that take a project's code."""

from __future__ import annotations

from ninja import Router

from saima.projects.catalogue.api import router as catalogue
from saima.projects.investment.api import router as investment
from saima.projects.pipeline.api import router as pipeline
from saima.projects.weekly.api import router as weekly

router = Router()
router.add_router("", weekly)
router.add_router("", investment)
router.add_router("", pipeline)
router.add_router("", catalogue)
