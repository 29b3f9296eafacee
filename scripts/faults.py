"""mitmproxy addon: faults on the wire in front of a webhook receiver.

    mitmdump --mode reverse:http://127.0.0.1:RECEIVER --listen-host 127.0.0.1 -p PORT -s scripts/faults.py

For requests whose path starts with /drop, the first request of each webhook-id is killed before it reaches the
receiver: the sender sees its connection closed without an answer. Everything else passes through untouched.
"""
from mitmproxy import http

seen = set()


def request(flow: http.HTTPFlow) -> None:
    if not flow.request.path.startswith("/drop"):
        return
    event = flow.request.headers.get("webhook-id", "")
    if event not in seen:
        seen.add(event)
        flow.kill()
