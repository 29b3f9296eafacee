"""Times the report endpoints over ranges from one day to two years, ending on the shop's today (ZONE): the median
and the slowest of REPEAT calls each.  python3 bench/reports.py BASE_URL ADMIN_KEY REPEAT ZONE"""
import datetime
import statistics
import sys
import time
import urllib.request
import zoneinfo

base, key, repeat, zone = sys.argv[1], sys.argv[2], max(1, int(sys.argv[3])), sys.argv[4]
today = datetime.datetime.now(zoneinfo.ZoneInfo(zone)).date()  # the shop's today, not this machine's


def timed(path, accept="application/json"):
    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + key, "Accept": accept})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
        assert response.status == 200, response.status
    return (time.perf_counter() - started) * 1000, len(body)


cases = []
for label, days in [("1 day", 0), ("1 month", 30), ("1 year", 364), ("2 years", 729)]:
    start = (today - datetime.timedelta(days=days)).isoformat()
    for interval in ["day", "week", "month"]:
        cases.append((f"sales {label}, by {interval}", f"/reports/sales?from={start}&to={today}&interval={interval}", "application/json"))
    cases.append((f"sales {label}, CSV by day", f"/reports/sales?from={start}&to={today}&interval=day", "text/csv"))
    cases.append((f"options {label}", f"/reports/options?from={start}&to={today}&limit=10", "application/json"))

slowest = 0.0
print(f"{'report':36} {'p50 ms':>8} {'max ms':>8} {'bytes':>8}")
for label, path, accept in cases:
    timed(path, accept)  # warm
    times = []
    size = 0
    for _ in range(repeat):
        elapsed, size = timed(path, accept)
        times.append(elapsed)
    times.sort()
    slowest = max(slowest, times[-1])
    print(f"{label:36} {statistics.median(times):8.1f} {times[-1]:8.1f} {size:8d}")
print(f"slowest single answer: {slowest:.1f} ms")
