"""The races API (mounted at /api/races): definitions, previews, published results, and the
registers around them. Each feature has its own router."""

from ninja import Router

from saima.races.definitions.api import router as definitions
from saima.races.followup.api import router as followup
from saima.races.register.api import router as register
from saima.races.results.api import router as results

router = Router(tags=["races"])
router.add_router("", results)
router.add_router("", definitions)
router.add_router("", register)
router.add_router("", followup)
