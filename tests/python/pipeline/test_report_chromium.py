"""The report (pinetl_pipeline.report): one self-contained HTML page with the nine insights and the
accounting, rendered in headless Chromium (Debian's `chromium`, driven over the DevTools
protocol): every chart drew, no console error, no request leaves the file."""
import json
import os
import re

import pytest

import pinetl_pipeline.airflow as pa
import pinetl_pipeline.daily as daily
import pinetl_pipeline.report as report
from chromium_cdp import Chromium
from pipeline_fixtures import two_days

# Starts headless Chromium.
pytestmark = pytest.mark.service

CHARTS = [f"chart-{name}" for name, _, caption in report.SECTIONS if caption] + ["chart-accounting"]

# Per chart: its plotly traces' drawn marks (bars, points) and the SVG's size.
PROBE = """(() => {
  const out = {};
  for (const div of document.querySelectorAll('.js-plotly-plot')) {
    const svg = div.querySelector('svg.main-svg');
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    const marks = div.querySelectorAll(
      'g.trace.bars g.point path, g.trace.scatter path.point, g.trace.scatter path.js-line');
    let filled = 0;
    for (const m of marks) {
      const d = m.getAttribute('d') || '';
      if (d.length > 4 && d !== 'M0,0Z') filled++;
    }
    out[div.id] = {width: box.width, height: box.height, traces: (div.data || []).length,
                   marks: marks.length, drawn: filled};
  }
  return {charts: out, tables: document.querySelectorAll('table').length,
          rows: Array.from(document.querySelectorAll('h2')).map(h => h.id || h.textContent),
          plotly: typeof Plotly !== 'undefined' ? Plotly.version : null};
})()"""


@pytest.fixture(scope="module")
def day_report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    landing = tmp / "landing"
    days = two_days(str(landing))
    for day in days:
        daily.run_day(day, str(landing), str(tmp / "wh.db"), str(tmp / "out"))
    return tmp, tmp / "out" / days[-1] / "report.html"


def test_report_is_self_contained_and_deterministic(day_report):
    tmp, path = day_report
    page = path.read_text(encoding="utf-8")
    # plotly.js inlined once (its own text mentions web addresses, in strings it does not
    # fetch: the Chromium test watches the requests); elsewhere, no src/href to another place.
    scripts = re.findall(r"<script[^>]*>", page)
    assert len(scripts) == 1 + len(CHARTS) and not any("src" in s for s in scripts)
    start = page.index("<script")
    end = page.index("</script>", start)
    assert "plotly.js v" in page[start:end]
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:|//)', page[:start] + page[end:])
    insights = json.load(open(tmp / "out" / "2024-01-02" / "insights.json"))
    again = report.render(insights, pa.accounting(str(tmp / "wh.db"), until="2024-01-02"),
                          day="2024-01-02")
    assert again == page
    with pytest.raises(ValueError, match="insights lack users_joined_by_year"):
        report.render({k: v for k, v in insights.items() if k != "users_joined_by_year"}, [])


def test_report_draws_every_chart_in_headless_chromium(day_report):
    tmp, path = day_report
    insights = json.load(open(tmp / "out" / "2024-01-02" / "insights.json"))
    with Chromium(str(tmp)) as browser:
        page = browser.open(path.as_uri())
        state = page.evaluate(PROBE)
        text = page.evaluate("document.body.innerText")
        shot = page.screenshot(str(tmp / "report.png"), max_height=2600)
        errors, requests = page.errors(), page.requests()
        page.close()
    assert errors == []
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert state["plotly"] and state["plotly"].startswith(("3.", "4."))
    assert sorted(state["charts"]) == sorted(CHARTS)
    for chart_id, chart in state["charts"].items():
        assert chart["width"] > 200 and chart["height"] > 200, (chart_id, chart)
        assert chart["traces"] >= 1 and chart["drawn"] >= 1, (chart_id, chart)
    # Bars drawn match the data: one bar per join year, per age group.
    assert state["charts"]["chart-users_joined_by_year"]["drawn"] == len(
        insights["users_joined_by_year"])
    assert state["charts"]["chart-median_followers_by_age_group"]["drawn"] == len(
        insights["median_followers_by_age_group"])
    # The accounting shows both days and the rejects of day 2 by reason.
    for fragment in ("2024-01-01", "2024-01-02", "rejected: invalid_json", "all days"):
        assert fragment in text
    top = insights["top_country_by_followers"][0]
    assert f"{top['country']} ({top['follower_count']:,} followers)" in text
    assert os.path.getsize(shot) > 50_000
    target = os.environ.get("PINETL_REPORT_PNG")
    if target:  # the README's picture: PINETL_REPORT_PNG=docs/report.png
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
        with open(shot, "rb") as src, open(target, "wb") as dst:
            dst.write(src.read())
