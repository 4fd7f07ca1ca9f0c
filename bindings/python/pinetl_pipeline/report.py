"""The daily report: the nine insights and the run's accounting as ONE self-contained HTML page.

Charts are drawn by plotly.js, inlined in the page (no network needed to open it); tables are
plain HTML. The page is a pure function of its inputs (fixed element ids, no clock), so writing
the report of a day twice gives the same bytes.

    import json, pinetl_pipeline.report
    page = pinetl_pipeline.report.render(json.load(open("insights.json")),
                                pinetl_pipeline.airflow.accounting("warehouse.db"), day="2024-01-01")

render() takes the insights as the C library renders them to JSON ({name: [row objects]}) and
the accounting as pinetl_pipeline.airflow.accounting() returns it (one dict per day and table).
plotly is imported when a report is rendered, never on `import pinetl`.
"""
import html

import pinetl

AGE_GROUPS = pinetl.scalar.age_groups()
REASONS = pinetl.scalar.reject_reasons()   # the C library's names
TABLES = tuple(pinetl.tables())   # the C library's list

# (insight, title, what the chart shows) in the page's order.
SECTIONS = (
    ("top_category_by_country", "Most popular category per country",
     "Number of countries in which each category is the most popular (ties kept)"),
    ("top_category_by_year", "Most popular category per year ({years})",
     "Posts in the year's most popular category"),
    ("top_category_by_age_group", "Most popular category per age group",
     "Posts in the age group's most popular category"),
    ("top_user_by_country", "Most-followed user per country",
     "The 15 countries whose most-followed user has the most followers"),
    ("top_country_by_followers", "Country of the most-followed user", None),
    ("median_followers_by_age_group", "Median follower count per age group",
     "Median follower count"),
    ("users_joined_by_year", "Users joined per year ({years})", "Users who joined"),
    ("median_followers_by_join_year", "Median follower count per join year ({years})",
     "Median follower count"),
    ("median_followers_by_age_group_and_join_year",
     "Median follower count per age group and join year", "Median follower count"),
)


def _with_years(sections):
    # "{years}" in a title: the insight's year window, as the library counts it.
    out = []
    for name, title, what in sections:
        years = pinetl.warehouse.insight_years(name)
        out.append((name, title.format(years=f"{years[0]}-{years[1]}" if years else ""), what))
    return tuple(out)


SECTIONS = _with_years(SECTIONS)

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
       max-width: 1180px; padding: 16px 24px; color: #1f2328; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
.sub { color: #59636e; margin-top: 0; }
.grid { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px;
        align-items: start; }
.chart { min-height: 340px; }
.scroll { max-height: 340px; overflow-y: auto; border: 1px solid #d1d9e0; }
table { border-collapse: collapse; font-size: 0.86em; width: 100%; }
th, td { padding: 3px 8px; border-bottom: 1px solid #e6eaef; text-align: left; }
th { background: #f6f8fa; position: sticky; top: 0; }
.acct td:first-child { white-space: nowrap; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.totals td { font-weight: 600; }
.headline { font-size: 1.1em; }
"""


def _plotly():
    import plotly.graph_objects as go
    import plotly.io as pio
    from plotly.offline import get_plotlyjs
    return go, pio, get_plotlyjs


def _chart(fig, div_id, height=340):
    _, pio, _ = _plotly()
    fig.update_layout(height=height, margin=dict(l=60, r=20, t=30, b=60), template="plotly_white",
                      legend=dict(orientation="h", y=-0.2))
    return ('<div class="chart">' +
            pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id,
                        config={"displayModeBar": False, "responsive": True}) +
            "</div>")


def _cell(value, column=""):
    if value is None:
        return "<td></td>"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if column.endswith("year"):
            text = str(value)
        else:
            text = f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
        return f'<td class="n">{text}</td>'
    return f"<td>{html.escape(str(value))}</td>"


def _table(rows, columns, labels=None, scroll=True, totals=None):
    head = "".join(f'<th class="n">{html.escape(label)}</th>' if numeric else
                   f"<th>{html.escape(label)}</th>"
                   for label, numeric in zip(labels or columns, _numeric(rows, columns)))
    body = "".join("<tr>" + "".join(_cell(r.get(c), c) for c in columns) + "</tr>" for r in rows)
    if totals:
        body += '<tr class="totals">' + "".join(_cell(totals.get(c), c) for c in columns) + "</tr>"
    if not rows:
        body = f'<tr><td colspan="{len(columns)}">no rows</td></tr>'
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="scroll">{table}</div>' if scroll else table


def _numeric(rows, columns):
    return [any(isinstance(r.get(c), (int, float)) and not isinstance(r.get(c), bool)
                for r in rows) for c in columns]


def _bar(x, y, text=None, name=None, horizontal=False):
    go, _, _ = _plotly()
    if horizontal:
        return go.Bar(x=y, y=x, text=text, name=name, orientation="h", textposition="auto")
    return go.Bar(x=x, y=y, text=text, name=name, textposition="auto")


def _figure(name, rows):
    """The chart of one insight (a plotly Figure), or None when it has no chart."""
    go, _, _ = _plotly()
    fig = go.Figure()
    if name == "top_category_by_country":
        countries = {}
        for r in rows:
            countries.setdefault(r["category"], set()).add(r["country"])
        cats = sorted(countries, key=lambda c: (-len(countries[c]), c))
        fig.add_trace(_bar(cats, [len(countries[c]) for c in cats]))
        fig.update_layout(xaxis_title="category", yaxis_title="countries")
    elif name in ("top_category_by_year", "top_category_by_age_group"):
        key = "post_year" if name == "top_category_by_year" else "age_group"
        for cat in sorted({r["category"] for r in rows}):
            sel = [r for r in rows if r["category"] == cat]
            fig.add_trace(_bar([str(r[key]) for r in sel], [r["category_count"] for r in sel],
                               text=[cat] * len(sel), name=cat))
        fig.update_layout(barmode="group", xaxis_title=key.replace("_", " "),
                          yaxis_title="posts", xaxis_type="category")
        order = list(AGE_GROUPS) if key == "age_group" else \
            [str(y) for y in sorted({r[key] for r in rows})]
        fig.update_xaxes(categoryorder="array", categoryarray=order)
    elif name == "top_user_by_country":
        best = {}
        for r in rows:
            seen = best.get(r["country"])
            if seen is None or r["follower_count"] > seen["follower_count"]:
                best[r["country"]] = r
        top = sorted(best.values(), key=lambda r: (-r["follower_count"], r["country"]))[:15]
        top.reverse()
        fig.add_trace(_bar([r["country"] for r in top], [r["follower_count"] for r in top],
                           text=[r["poster_name"] for r in top], horizontal=True))
        fig.update_layout(xaxis_title="followers", margin=dict(l=160))
    elif name == "median_followers_by_age_group":
        fig.add_trace(_bar([r["age_group"] for r in rows],
                           [r["median_follower_count"] for r in rows]))
        fig.update_layout(xaxis_title="age group", yaxis_title="median followers",
                          xaxis_type="category")
    elif name in ("users_joined_by_year", "median_followers_by_join_year"):
        col = "number_users_joined" if name == "users_joined_by_year" else "median_follower_count"
        fig.add_trace(_bar([str(r["post_year"]) for r in rows], [r[col] for r in rows]))
        fig.update_layout(xaxis_title="join year", xaxis_type="category",
                          yaxis_title="users" if col == "number_users_joined"
                          else "median followers")
    elif name == "median_followers_by_age_group_and_join_year":
        for group in AGE_GROUPS:
            sel = [r for r in rows if r["age_group"] == group]
            if sel:
                fig.add_trace(go.Scatter(x=[str(r["post_year"]) for r in sel],
                                         y=[r["median_follower_count"] for r in sel],
                                         mode="lines+markers", name=group))
        fig.update_layout(xaxis_title="join year", yaxis_title="median followers",
                          xaxis_type="category")
    else:
        return None
    return fig


def _accounting_section(accounting):
    """The accounting: one row per day and table, totals, and a chart of cleaned and rejected
    records per day."""
    go, _, _ = _plotly()
    rows = []
    for a in accounting:
        row = {"day": a["day"], "table": a["table"], "files": a["files"], "read": a["read"],
               "cleaned": a["cleaned"], "rejected": a["rejected"], "written": a["written"]}
        for reason in REASONS:
            row[reason] = a["rejected_by_reason"].get(reason, 0)
        rows.append(row)
    columns = ["day", "table", "files", "read", "cleaned", "rejected"] + list(REASONS) + ["written"]
    labels = ["day", "table", "files", "read", "cleaned", "rejected"] + \
        [f"rejected: {r}" for r in REASONS] + ["rows written"]
    totals = {c: sum(r[c] for r in rows) for c in columns[2:]}
    totals["day"], totals["table"] = "all days", ""
    fig = go.Figure()
    days = sorted({r["day"] for r in rows})
    for table in TABLES:
        sel = {r["day"]: r for r in rows if r["table"] == table}
        fig.add_trace(go.Bar(x=days, y=[sel[d]["cleaned"] if d in sel else 0 for d in days],
                             name=f"{table} cleaned", offsetgroup=table))
        fig.add_trace(go.Bar(x=days, y=[sel[d]["rejected"] if d in sel else 0 for d in days],
                             name=f"{table} rejected", offsetgroup=table,
                             base=[sel[d]["cleaned"] if d in sel else 0 for d in days]))
    fig.update_layout(barmode="group", xaxis_title="day", yaxis_title="records",
                      xaxis_type="category")
    balanced = all(r["read"] == r["cleaned"] + r["rejected"] for r in rows)
    note = ("Every record read was cleaned or rejected (read = cleaned + rejected on every row)"
            if balanced else "WARNING: read != cleaned + rejected on some rows")
    return ("<h2>Accounting</h2>"
            f'<p class="sub">Records read from the landing data, cleaned and rejected (by '
            f"reason), per table and per day; rows written is what the load changed in the "
            f"warehouse (0 for records it already held). {html.escape(note)}.</p>"
            + _chart(fig, "chart-accounting", 300)
            + '<div class="acct">' + _table(rows, columns, labels, scroll=len(rows) > 12,
                                            totals=totals) + "</div>")


def render(insights, accounting, day=None, title="Pinterest pipeline: daily report"):
    """The report as one HTML page (str): insights {name: [row dicts]} and accounting rows."""
    _, _, get_plotlyjs = _plotly()
    missing = [name for name, _, _ in SECTIONS if name not in insights]
    if missing:
        raise ValueError(f"insights lack {', '.join(missing)}")
    parts = []
    for name, heading, caption in SECTIONS:
        rows = insights[name]
        columns = list(rows[0]) if rows else []
        parts.append(f'<h2 id="{name}">{html.escape(heading)}</h2>'
                     f'<p class="sub"><code>{name}</code>: {len(rows)} row'
                     f'{"" if len(rows) == 1 else "s"}. {html.escape(caption or "")}</p>')
        fig = _figure(name, rows) if rows else None
        if fig is None:
            headline = ", ".join(f"{r['country']} ({r['follower_count']:,} followers)"
                                 for r in rows) if name == "top_country_by_followers" else ""
            parts.append(f'<p class="headline">{html.escape(headline)}</p>' +
                         _table(rows, columns, scroll=False))
        else:
            parts.append('<div class="grid">' + _chart(fig, f"chart-{name}") +
                         _table(rows, columns) + "</div>")
    subtitle = f"Day {html.escape(day)}" if day else "All data"
    days = sorted({a["day"] for a in accounting})
    if days:
        subtitle += (f"; the warehouse holds the loads of {len(days)} day"
                     f"{'' if len(days) == 1 else 's'} ({days[0]} to {days[-1]})")
    # plotly.js goes in as plotly's own to_html inlines it; it holds no "</script>".
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}{' ' + html.escape(day) if day else ''}</title>"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>{_CSS}</style>"
            f'<script type="text/javascript">{get_plotlyjs()}</script></head><body>'
            f"<h1>{html.escape(title)}</h1><p class=\"sub\">{subtitle}. Insights as defined in "
            "pinetl's SPEC (section 3); medians are percentile_approx's.</p>"
            + _accounting_section(accounting) + "".join(parts) + "</body></html>\n")


def write(path, insights, accounting, day=None):
    """Renders the report into path; returns the number of bytes written."""
    page = render(insights, accounting, day)
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)
    return len(page.encode("utf-8"))
