import pytest


@pytest.mark.slow
def test_browser_loads_home_page_with_counts(page, live_service):
    page.goto(live_service + "/")
    assert "knowledge graph" in page.locator("h1").inner_text()
    assert page.locator("#counts tbody tr").count() == 17
