#!/usr/bin/env python3
"""The console's reports page at /console/reports in a real browser: Debian's Chromium driven by Playwright, audited
by axe.

    python scripts/check-reports.py

Environment: ATELIER_BIN (the atelier executable), WORK (a scratch folder), ATELIER_PORT, DATABASE_URL (empty or
unset: SQLite); optional CHROMIUM (default /usr/bin/chromium). Starts `atelier serve` on 127.0.0.1 with the test
payment provider and the demo catalog (a new data folder, so the only orders are this run's), signs in as the
bootstrap console admin and changes its one-time password, makes a viewer and a designer with `atelier staff create`,
pays four figurines through the public API (cart → checkout → test payment), and checks: the page's default range
(the last 30 shop-local days, today last); the revenue line, the orders columns and the option ranking as inline
SVG images with a title and a description, whose last period is today with this run's orders and revenue (as the
admin API's JSON report and the orders' own totals say); the tables by product and template version; the switch to
weeks and months; the sales CSV downloaded in the browser equal, byte for byte, to the API's `Accept: text/csv`
answer and its summary row to the JSON report's totals (the options CSV likewise); a bad date answered 422 with its
message by its field; a viewer sees the page, a designer gets 403, nobody signed in is sent to sign-in; axe finds no
serious or critical violation. The page is saved to $WORK/console-reports.png, the server's log to
$WORK/reports-serve.log.
Prints one line per check and exits non-zero on the first failure; the server is stopped by its PID either way.
The orders are paid a few seconds before the page is read: a run across the shop's midnight can fail once.
"""
import csv
import datetime
import io
import os
import re
import secrets
import signal
import sys
import urllib.parse
from zoneinfo import ZoneInfo

from playwright.sync_api import sync_playwright

os.environ.setdefault("ATELIER_PORT", "18189")  # this check's own default port, before console_check reads it
from console_check import (BASE, COOKIE, Failed, Server, WORK, audit, call, expect, goto, ok, paid_order, path_of,
                           screenshot, sign_in)

server = Server("reports")
CHARTS = ["revenue-chart", "orders-chart", "options-chart"]
FIGURINES = [{"size": "large", "material": "resin", "colour": "red"}, {"size": "large", "material": "resin", "colour": "red"},
             {"size": "small", "material": "pla", "colour": "grey"}, {"size": "medium", "material": "pla", "colour": "red"}]


# --- the API -----------------------------------------------------------------------------------------------------------

def paid_figurine(selection):
    """A paid figurine through the public API (its order's id), each by a shopper of its own."""
    return paid_order({"product": "3d-printed-figurine", "selection": selection}, f"reports-{secrets.token_hex(4)}@example.com")["id"]


def admin_get(path, accept="application/json"):
    status, body, _ = call("GET", path, headers={"Accept": accept}, token=server.admin_key(), follow_redirects=False)
    expect(status == 200, f"GET {path} (Accept: {accept}): {status} {str(body)[:300]!r}")
    return body


def decimal(amount):
    """An amount in minor units as the charts write it: "124.00" (the demo shop's currency has two decimals)."""
    return f"{amount // 100}.{amount % 100:02d}"


# --- the browser -------------------------------------------------------------------------------------------------------

def query_of(url):
    return {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).items()}


def change_password(page, current, new):
    goto(page, "/console/password")
    page.get_by_label("Current password", exact=True).fill(current)
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("Repeat the new password", exact=True).fill(new)
    with page.expect_response(lambda r: r.request.method == "POST" and path_of(r.url) == "/console/password") as answer:
        page.locator("form#password-form button[type=submit]").click()
    expect(answer.value.status == 303, f"the password change answered {answer.value.status}, not 303")
    page.wait_for_url(BASE + "/console/")


def session_header(context):
    found = [c for c in context.cookies(BASE + "/console/") if c["name"] == COOKIE]
    expect(found, f"no {COOKIE} cookie in the browser")
    return {"Cookie": f"{COOKIE}={found[0]['value']}"}


def chart(page, chart_id):
    """The chart's periods or bars in order, as (key, value, written value), after checking it is a titled image."""
    svg = page.locator(f"svg#{chart_id}")
    expect(svg.count() == 1, f"no single svg#{chart_id}")
    expect(svg.get_attribute("role") == "img", f"svg#{chart_id} has role {svg.get_attribute('role')!r}, not img")
    labelled = svg.get_attribute("aria-labelledby") or ""
    title = page.locator(f"svg#{chart_id} > title")
    expect(title.count() == 1 and title.get_attribute("id") in labelled.split() and title.text_content().strip(),
           f"svg#{chart_id}: no <title> named by aria-labelledby={labelled!r}")
    desc = page.locator(f"svg#{chart_id} > desc")
    expect(desc.count() == 1 and desc.text_content().strip(), f"svg#{chart_id}: no <desc>")
    expect(page.locator(f"svg#{chart_id} text.tick").count() >= 1, f"svg#{chart_id}: no axis tick labels")
    return svg.locator("g.datum").evaluate_all(
        "gs => gs.map(g => [g.dataset.key, Number(g.dataset.value), (g.querySelector('text.value') || {}).textContent || ''])")


def periods_shown(page, report, what):
    """The revenue and orders charts against the API's JSON report of the same range and periods."""
    revenue, orders = chart(page, "revenue-chart"), chart(page, "orders-chart")
    trend = report["trend"]
    expect([k for k, _, _ in orders] == [b["from"] for b in trend],
           f"{what}: the orders chart's periods {[k for k, _, _ in orders]} are not the API's {[b['from'] for b in trend]}")
    expect([v for _, v, _ in orders] == [b["figures"]["orders"] for b in trend], f"{what}: the orders chart's values differ from the API's")
    expect([k for k, _, _ in revenue] == [b["from"] for b in trend], f"{what}: the revenue chart's periods differ from the API's")
    expect([v for _, v, _ in revenue] == [b["figures"]["revenue"] for b in trend], f"{what}: the revenue chart's values differ from the API's")
    expect(all(text.strip() == str(v) for _, v, text in orders), f"{what}: an orders column does not write its value: {orders}")
    expect(all(text.strip() in (decimal(v), "0") for _, v, text in revenue), f"{what}: a revenue point does not write its value: {revenue}")
    expect(page.locator("svg#revenue-chart circle.marker").count() == len(trend), f"{what}: not one marker per period on the revenue line")
    return revenue, orders


# --- the checks ---------------------------------------------------------------------------------------------------------

def check_page(page, paid, expected_revenue):
    response = goto(page, "/console/reports", status=None)
    expect(response.status == 200, f"GET /console/reports: {response.status}")
    csp = response.headers.get("content-security-policy", "")
    expect("script-src" not in csp and "default-src 'none'" in csp, f"the reports page's CSP: {csp!r}")
    expect(page.locator("h1").all_inner_texts() == ["Reports"], f"the page's h1: {page.locator('h1').all_inner_texts()}")
    start, end = page.locator("#from").input_value(), page.locator("#to").input_value()
    expect(page.locator("#interval").input_value() == "day", "the periods are not days by default")
    report = admin_get(f"/reports/sales?from={start}&to={end}&interval=day")
    today = datetime.datetime.now(ZoneInfo(report["timeZone"])).date()
    expect(end == today.isoformat(), f"the default range ends {end}, not today in {report['timeZone']} ({today})")
    expect(start == (today - datetime.timedelta(days=29)).isoformat(), f"the default range starts {start}, not 29 days before today")
    ok(f"GET /console/reports: h1 Reports, CSP without script, default range {start} to {end} (30 shop-local days, "
       f"{report['timeZone']}), by day")

    revenue, orders = periods_shown(page, report, "by day")
    expect(len(orders) == 30 and orders[-1][0] == end, f"the orders chart has {len(orders)} periods ending {orders[-1][0] if orders else None}")
    expect(orders[-1][1] == len(paid) and orders[-1][2].strip() == str(len(paid)),
           f"today's orders column reads {orders[-1]}, not the {len(paid)} orders paid")
    expect(revenue[-1][1] == expected_revenue and revenue[-1][2].strip() == decimal(expected_revenue),
           f"today's revenue point reads {revenue[-1]}, not {decimal(expected_revenue)} (the orders' totals less tax)")
    summary = report["summary"]
    expect(page.locator("#summary-orders .figure").inner_text().strip() == str(summary["orders"]), "#summary-orders differs from the API")
    expect(page.locator("#summary-revenue .figure").inner_text().strip() == f"{decimal(summary['revenue'])} {report['currency']}",
           f"#summary-revenue reads {page.locator('#summary-revenue .figure').inner_text()!r}")
    ok(f"revenue line and orders columns: 30 days as the API's report; today {len(paid)} orders and {decimal(expected_revenue)} "
       f"{report['currency']} revenue written on the charts; the summary as the API's")

    products = page.locator("table#products-table")
    expect(products.count() == 1 and products.locator("th[scope=col]").count() >= 3, "no table#products-table with column headers")
    row = products.locator("tbody tr").filter(has_text="3D-printed figurine")
    expect(row.count() == 1 and row.locator("svg.bar-cell").count() == 1, "table#products-table: no figurine row with its bar")
    sales = report["products"][0]["figures"]["sales"]
    expect(row.locator(".amount").inner_text().strip() == f"{decimal(sales)} {report['currency']}",
           f"the figurine's sales read {row.locator('.amount').inner_text()!r}, not {decimal(sales)}")
    versions = page.locator("table#template-versions-table")
    expect(versions.count() == 1 and versions.locator("tbody tr").count() == len(report["templates"]),
           "table#template-versions-table has not one row per template version of the API's report")
    ok(f"tables by product and template version: the figurine's {decimal(sales)} {report['currency']} written next to its bar")

    options = chart(page, "options-chart")
    choices = admin_get(f"/reports/options?from={start}&to={end}")["choices"]
    expect([(k, v) for k, v, _ in options] == [(f"{c['kind']}:{c['attribute']}={c['value']}", c["units"]) for c in choices],
           f"the option ranking {[(k, v) for k, v, _ in options]} is not the API's {choices}")
    sizes = [k for k, _, _ in options if k.startswith("variant:size=")]
    expect(sizes and sizes[0] == "variant:size=large", f"the sizes are not ranked large first: {sizes}")
    expect(all(re.match(r"\d+ units?, \d+ orders?", text) for _, _, text in options), "an option bar does not write its units")
    ok(f"option ranking: {len(options)} bars as the API's options report, size large (2 units) first of the sizes")

    for link in ["sales-csv", "products-csv", "template-versions-csv", "options-csv"]:
        href = page.locator(f"a#{link}").get_attribute("href") or ""
        expect(path_of(href).endswith(".csv") and query_of(href).get("from") == start and query_of(href).get("to") == end,
               f"a#{link} goes to {href!r}")
    ok("CSV links: #sales-csv, #products-csv, #template-versions-csv, #options-csv for the page's range")
    audit(page, "the reports page")
    screenshot(page, "reports")
    return start, end, report


def check_intervals(page, start, end, paid):
    page.locator("#interval").select_option("week")
    with page.expect_navigation():
        page.get_by_role("button", name="Show the report").click()
    expect(path_of(page.url) == "/console/reports" and query_of(page.url).get("interval") == "week", f"the form went to {page.url}")
    week = admin_get(f"/reports/sales?from={start}&to={end}&interval=week")
    _, orders = periods_shown(page, week, "by week")
    expect(orders[-1][1] == len(paid), f"this week's orders column reads {orders[-1]}")
    expect(page.locator("a#by-week").get_attribute("aria-current") == "page", "a#by-week is not the current period")
    with page.expect_navigation():
        page.locator("a#by-month").click()
    expect(query_of(page.url).get("interval") == "month", f"a#by-month went to {page.url}")
    month = admin_get(f"/reports/sales?from={start}&to={end}&interval=month")
    _, orders = periods_shown(page, month, "by month")
    expect(len(orders) in (1, 2) and orders[-1][1] == len(paid), f"by month: {orders}")
    ok(f"periods: the form's select to weeks ({len(week['trend'])} periods) and the link to months ({len(orders)}), "
       "each as the API's report")
    return month


def check_downloads(page, start, end, month):
    # Through the browser, as a click on the link: the file the console gives.
    with page.expect_download() as download:
        page.locator("a#sales-csv").click()
    name = download.value.suggested_filename
    expect(name.endswith(".csv") and start in name, f"the sales CSV is saved as {name!r}")
    console_csv = open(download.value.path(), "rb").read()
    api_csv = admin_get(f"/reports/sales?from={start}&to={end}&interval=month", accept="text/csv")
    expect(console_csv == api_csv, f"the console's sales CSV ({len(console_csv)} bytes) is not the API's ({len(api_csv)} bytes):\n"
           f"{console_csv[:400]!r}\n{api_csv[:400]!r}")
    rows = list(csv.DictReader(io.StringIO(console_csv.decode("utf-8"))))
    summary = [r for r in rows if r["section"] == "summary"]
    expect(len(summary) == 1, "the sales CSV has no single summary row")
    totals = month["summary"]
    for column, figure in [("orders", "orders"), ("units", "units"), ("sales", "sales"), ("total", "total"), ("revenue", "revenue"), ("tax", "tax")]:
        expect(int(summary[0][column]) == totals[figure], f"the CSV's summary {column} {summary[0][column]} is not the JSON's {totals[figure]}")
    expect([r["from"] for r in rows if r["section"] == "month"] == [b["from"] for b in month["trend"]], "the CSV's months differ from the JSON's")
    ok(f"sales CSV downloaded in the browser as {name}: byte for byte the API's Accept: text/csv answer ({len(console_csv)} bytes), "
       "its summary row the JSON report's totals")

    cookie = session_header(page.context)
    query = f"from={start}&to={end}&interval=month"
    for file in ["sales", "products", "template-versions", "options"]:
        status, body, headers = call("GET", f"/console/reports/{file}.csv?{query}", headers=cookie, follow_redirects=False)
        expect(status == 200, f"GET /console/reports/{file}.csv: {status}")
        expect((headers.get("Content-Type") or "").startswith("text/csv"), f"{file}.csv: Content-Type {headers.get('Content-Type')!r}")
        disposition = headers.get("Content-Disposition") or ""
        expect(disposition.startswith("attachment") and f"{file}-" in disposition and ".csv" in disposition,
               f"{file}.csv: Content-Disposition {disposition!r}")
        if file == "options":
            expect(body == admin_get(f"/reports/options?from={start}&to={end}", accept="text/csv"), "the options CSV is not the API's")
        elif file != "sales":
            section = "product" if file == "products" else "template"
            mine = [r for r in csv.DictReader(io.StringIO(body.decode("utf-8"))) if r["section"] != "summary"]
            expect(mine and all(r["section"] == section for r in mine) and mine == [r for r in rows if r["section"] == section],
                   f"{file}.csv does not hold the sales CSV's {section} rows")
    ok("CSV downloads: sales, products, template-versions and options with text/csv and Content-Disposition attachment; "
       "options byte for byte the API's, products and template versions the sales CSV's rows of their section")


def check_bad_dates(page):
    response = goto(page, "/console/reports?from=2026-02-30&to=2026-03-31", status=None)
    expect(response.status in (400, 422), f"a 30 February answered {response.status}, not 400 or 422")
    field = page.locator("#from")
    expect(field.get_attribute("aria-invalid") == "true" and field.get_attribute("aria-describedby") == "from-error",
           "#from is not marked invalid and described by #from-error")
    expect("calendar date" in page.locator("#from-error").inner_text(), f"#from-error reads {page.locator('#from-error').inner_text()!r}")
    expect(page.locator("[role=alert]").count() == 1, "no role=alert summary")
    expect(page.locator("svg#revenue-chart").count() == 0, "a chart is drawn for a bad range")
    audit(page, "the reports page with a bad date")
    response = goto(page, "/console/reports?from=2026-04-01&to=2026-03-01", status=None)
    expect(response.status in (400, 422) and "before" in page.locator("#to-error").inner_text(),
           f"a range that ends before it starts: {response.status}")
    response = goto(page, "/console/reports/sales.csv?from=2026-02-30&to=2026-03-31", status=None)
    expect(response.status in (400, 422), f"the sales CSV of a bad range answered {response.status}")
    ok(f"bad dates: 30 February answered {response.status} with #from-error by its field (aria-invalid, aria-describedby) "
       "and a role=alert summary; a reversed range names #to; no CSV for them")


def check_roles(browser, viewer, designer):
    context, page = sign_in(browser, *viewer, "viewer")
    response = goto(page, "/console/reports", status=None)
    expect(response.status == 200 and page.locator("svg#orders-chart").count() == 1, f"viewer: /console/reports {response.status}")
    context.close()

    context, page = sign_in(browser, *designer, "designer")
    expect(page.locator('nav a[href="/console/reports"]').count() == 0, "the designer's menu links to the reports")
    response = goto(page, "/console/reports", status=None)
    expect(response.status == 403, f"designer: /console/reports answered {response.status}, not 403")
    status, _, _ = call("GET", "/console/reports/sales.csv", headers=session_header(context), follow_redirects=False)
    expect(status == 403, f"designer: /console/reports/sales.csv answered {status}, not 403")
    context.close()

    status, _, headers = call("GET", "/console/reports/sales.csv", follow_redirects=False)
    expect(status in (302, 303) and path_of(headers.get("Location") or "") == "/console/sign-in",
           f"no session: /console/reports/sales.csv answered {status} {headers.get('Location')!r}")
    ok("roles: a viewer sees the reports; a designer gets 403 on the page and its CSV (and no menu link); "
       "without a session the CSV sends to sign-in")


def run(browser, admin_password):
    tag = secrets.token_hex(3)
    viewer = (f"viewer-{tag}@example.com", server.staff_create(f"viewer-{tag}@example.com", "viewer", "Vera Viewer"))
    designer = (f"designer-{tag}@example.com", server.staff_create(f"designer-{tag}@example.com", "designer", "Dan Designer"))
    ok("staff create: a viewer and a designer, each with a one-time password")

    paid = [paid_figurine(selection) for selection in FIGURINES]
    details = [admin_get(f"/admin/orders/{order_id}")["order"] for order_id in paid]
    expected_revenue = sum(d["total"]["amount"] - d["tax"]["amount"] for d in details)
    ok(f"{len(paid)} figurines paid through the public API ({decimal(expected_revenue)} revenue: totals less tax)")

    context, page = sign_in(browser, "admin@localhost", admin_password, "the bootstrap admin", accept_downloads=True)
    change_password(page, admin_password, f"Reports-{secrets.token_hex(8)}-Xy7")
    ok("the bootstrap admin changed the one-time password")
    start, end, _ = check_page(page, paid, expected_revenue)
    month = check_intervals(page, start, end, paid)
    check_downloads(page, start, end, month)
    check_bad_dates(page)
    context.close()
    check_roles(browser, viewer, designer)


def main():
    os.makedirs(WORK, exist_ok=True)
    # `timeout` ends this script with SIGTERM: turn it into an exception so that the server is still stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("FAILED: terminated (timeout?)"))
    try:
        server.start()
        admin_password = server.bootstrap_password()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=["--no-sandbox"])
            try:
                run(browser, admin_password)
            finally:
                browser.close()
    except Failed as failure:
        print(f"FAILED: {failure}", flush=True)
        server.stop()
        sys.exit(1)
    finally:
        server.stop()
    print("reports: ok")


if __name__ == "__main__":
    main()
