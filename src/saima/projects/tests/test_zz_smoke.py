import pytest
from saima.projects.tests.conftest import *  # noqa

PAGES = ["/projects/", "/projects/E1/", "/projects/E1/edit/", "/projects/new/", "/projects/import/",
 "/projects/settings/", "/projects/proposals/", "/projects/map/", "/projects/map/print/", "/projects/map/wall/east/",
 "/projects/weekly/", "/projects/weekly/east/", "/projects/problems/", "/projects/investment/?period=2026-05",
 "/projects/investment/?period=2026-05&unit=east", "/projects/indicators/?period=2026-05", "/projects/export/?format=xlsx",
 "/projects/export/?format=csv"]

@pytest.mark.parametrize("url", PAGES)
def test_pages(projects, as_user, url):
    r = as_user("office").get(url)
    assert r.status_code == 200, r.content.decode()[:3000]

def test_api(projects, as_user):
    c = as_user("office")
    for url in ["/api/projects/", "/api/projects/E1", "/api/projects/E1/milestones", "/api/projects/E1/stages",
                "/api/projects/E1/plans/2026", "/api/projects/E1/actuals", "/api/projects/W1/weekly",
                "/api/projects/problems", "/api/projects/settings", "/api/projects/indicators?period=2026-05"]:
        r = c.get(url)
        assert r.status_code == 200, (url, r.content[:2000])
