"""The races API (mounted at /api/races): definitions, previews, published results, and the
registers around them. Each part has its own router module."""

from ninja import Router

from saima.races import api_definitions, api_followup, api_register, api_results

router = Router(tags=["races"])
router.add_router("", api_results.router)
router.add_router("", api_definitions.router)
router.add_router("", api_register.router)
router.add_router("", api_followup.router)
