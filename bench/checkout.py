#!/usr/bin/env python3
"""Drives ORDERS shoppers through add-to-cart → POST /checkout → test payment with CONCURRENCY at once.

    python bench/checkout.py BASE_URL ORDERS CONCURRENCY [SUMMARY_JSON [STARTED_FILE]]

Prints paid orders per second (the whole flow, three requests per order), latency percentiles of each
step, and checks that every payment made exactly one order. SUMMARY_JSON receives the figures as JSON;
STARTED_FILE is created when the warm-up ends and the measured run begins.
"""
import asyncio
import json
import sys
import time
import uuid

import aiohttp

BASE, ORDERS, CONCURRENCY = sys.argv[1].rstrip("/"), int(sys.argv[2]), int(sys.argv[3])
SUMMARY = sys.argv[4] if len(sys.argv) > 4 else None
STARTED = sys.argv[5] if len(sys.argv) > 5 else None
ITEM = json.dumps({"product": "3d-printed-figurine", "selection": {"size": "large", "material": "resin", "colour": "red"}})
CHECKOUT = json.dumps({
    "contact": {"email": "bench@example.com", "name": "Bench Shopper"},
    "shippingAddress": {"name": "Bench Shopper", "line1": "1 Loop Road", "city": "Albany", "region": "NY",
                        "postalCode": "12207", "country": "US"},
    "shippingMethod": "standard", "payment": {"provider": "test"}})
JSON = {"Content-Type": "application/json"}


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] * 1000


async def shopper(session, todo, timings, outcomes):
    while todo:
        todo.pop()
        t0 = time.perf_counter()
        async with session.post(BASE + "/cart/items", data=ITEM, headers=JSON) as r:
            assert r.status == 201, (r.status, await r.text())
            key = r.headers["X-Session-Key"]
            await r.read()
        t1 = time.perf_counter()
        async with session.post(BASE + "/checkout", data=CHECKOUT,
                                headers={**JSON, "X-Session-Key": key, "Idempotency-Key": str(uuid.uuid4())}) as r:
            assert r.status == 201, (r.status, await r.text())
            started = await r.json()
        t2 = time.perf_counter()
        checkout = started["checkout"]["id"]
        async with session.post(f"{BASE}/checkout/{checkout}/test-payment", data="{}",
                                headers={**JSON, "X-Access-Token": started["accessToken"]}) as r:
            assert r.status == 200, (r.status, await r.text())
            outcomes.append((await r.json())["outcome"])
        t3 = time.perf_counter()
        timings["add"].append(t1 - t0)
        timings["checkout"].append(t2 - t1)
        timings["pay"].append(t3 - t2)
        timings["flow"].append(t3 - t0)


async def main():
    timings = {"add": [], "checkout": [], "pay": [], "flow": []}
    outcomes = []
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:
        # Warm up connections and caches, outside the measurement.
        warm = list(range(min(50, ORDERS)))
        await asyncio.gather(*(shopper(session, warm, {k: [] for k in timings}, []) for _ in range(CONCURRENCY)))
        todo = list(range(ORDERS))
        if STARTED:
            open(STARTED, "w").close()
        start, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(shopper(session, todo, timings, outcomes) for _ in range(CONCURRENCY)))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert outcomes.count("order_created") == ORDERS, {o: outcomes.count(o) for o in set(outcomes)}
    print(f"{ORDERS} paid orders in {elapsed:.1f} s: {ORDERS / elapsed:.0f} orders/s "
          f"({3 * ORDERS / elapsed:.0f} requests/s), concurrency {CONCURRENCY}")
    for step in ("add", "checkout", "pay", "flow"):
        v = timings[step]
        label = {"add": "POST /cart/items", "checkout": "POST /checkout", "pay": "POST test-payment", "flow": "whole flow"}[step]
        print(f"  {label:<20} p50 {percentile(v, 50):6.1f} ms   p90 {percentile(v, 90):6.1f} ms   p99 {percentile(v, 99):6.1f} ms")
    if SUMMARY:
        with open(SUMMARY, "w") as out:
            json.dump({"ordersPerSecond": ORDERS / elapsed, "checkoutP99Ms": percentile(timings["checkout"], 99),
                       "payP99Ms": percentile(timings["pay"], 99), "flowP50Ms": percentile(timings["flow"], 50), "clientCpuSeconds": cpu}, out)


asyncio.run(main())
