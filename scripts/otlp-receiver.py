#!/usr/bin/env python3
"""A small OpenTelemetry receiver (OTLP over HTTP) on loopback that keeps the spans it is sent.

    python scripts/otlp-receiver.py PORT [--out FILE]

As a command it prints every span it receives as one JSON object a line (to FILE, or standard output) until
SIGINT or SIGTERM. As a module (the file name has a hyphen: load it with importlib, as scripts/check-traces.py
does) it runs in a thread of the caller:

    receiver = OTLPReceiver(26213).start()
    ...                                  # point OTEL_EXPORTER_OTLP_ENDPOINT at receiver.endpoint
    spans = receiver.spans(trace_id)     # or receiver.wait_for(predicate, seconds)
    receiver.stop()

`POST /v1/traces` takes an `ExportTraceServiceRequest` as protobuf (`application/x-protobuf`, decoded with the
`opentelemetry-proto` package) or as OTLP JSON (`application/json`, ids in hex), gzip-compressed or not, and
answers 200 with an empty `ExportTraceServiceResponse` in the same encoding. `/v1/metrics` and `/v1/logs` are
answered 200 and dropped, so an exporter of those does not retry. Anything it cannot decode gets 400.

Each span is a dict: trace_id, span_id, parent_span_id (lowercase hex; "" for a root), name, kind (SERVER,
CLIENT, INTERNAL, PRODUCER, CONSUMER or UNSPECIFIED), attributes (a dict), service_name (the resource's
service.name), resource (its attributes), scope, start_ns, end_ns, status (UNSET, OK or ERROR).
"""
import argparse
import gzip
import json
import signal
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

KINDS = {0: "UNSPECIFIED", 1: "INTERNAL", 2: "SERVER", 3: "CLIENT", 4: "PRODUCER", 5: "CONSUMER"}
STATUSES = {0: "UNSET", 1: "OK", 2: "ERROR"}
MAX_BODY = 16 * 1024 * 1024


# --- protobuf

def _proto_value(value):
    which = value.WhichOneof("value")
    if which is None:
        return None
    if which == "array_value":
        return [_proto_value(v) for v in value.array_value.values]
    if which == "kvlist_value":
        return {kv.key: _proto_value(kv.value) for kv in value.kvlist_value.values}
    if which == "bytes_value":
        return value.bytes_value.hex()
    return getattr(value, which)


def _proto_attributes(attributes):
    return {kv.key: _proto_value(kv.value) for kv in attributes}


def spans_from_protobuf(body):
    request = trace_service_pb2.ExportTraceServiceRequest.FromString(body)
    spans = []
    for resource_spans in request.resource_spans:
        resource = _proto_attributes(resource_spans.resource.attributes)
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                spans.append({
                    "trace_id": span.trace_id.hex(), "span_id": span.span_id.hex(),
                    "parent_span_id": span.parent_span_id.hex(), "name": span.name,
                    "kind": KINDS.get(span.kind, str(span.kind)), "attributes": _proto_attributes(span.attributes),
                    "service_name": resource.get("service.name"), "resource": resource,
                    "scope": scope_spans.scope.name, "start_ns": span.start_time_unix_nano,
                    "end_ns": span.end_time_unix_nano, "status": STATUSES.get(span.status.code, str(span.status.code))})
    return spans


# --- OTLP JSON (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): camelCase keys, ids in hex,
# 64-bit integers as strings or numbers, enums as numbers (or, leniently, their names).

def _json_value(value):
    if not isinstance(value, dict) or not value:
        return None
    key, inner = next(iter(value.items()))
    if key == "intValue":
        return int(inner)
    if key == "doubleValue":
        return float(inner)
    if key == "arrayValue":
        return [_json_value(v) for v in (inner or {}).get("values", [])]
    if key == "kvlistValue":
        return {kv["key"]: _json_value(kv.get("value")) for kv in (inner or {}).get("values", [])}
    return inner  # stringValue, boolValue, bytesValue (base64, left as it is)


def _json_attributes(attributes):
    return {kv["key"]: _json_value(kv.get("value")) for kv in attributes or []}


def _json_enum(value, names, prefix):
    if isinstance(value, str) and not value.isdigit():
        return value.removeprefix(prefix)
    return names.get(int(value or 0), str(value))


def spans_from_json(body):
    document = json.loads(body)
    spans = []
    for resource_spans in document.get("resourceSpans", []):
        resource = _json_attributes((resource_spans.get("resource") or {}).get("attributes"))
        for scope_spans in resource_spans.get("scopeSpans", []):
            for span in scope_spans.get("spans", []):
                spans.append({
                    "trace_id": (span.get("traceId") or "").lower(), "span_id": (span.get("spanId") or "").lower(),
                    "parent_span_id": (span.get("parentSpanId") or "").lower(), "name": span.get("name", ""),
                    "kind": _json_enum(span.get("kind"), KINDS, "SPAN_KIND_"),
                    "attributes": _json_attributes(span.get("attributes")),
                    "service_name": resource.get("service.name"), "resource": resource,
                    "scope": (scope_spans.get("scope") or {}).get("name", ""),
                    "start_ns": int(span.get("startTimeUnixNano") or 0), "end_ns": int(span.get("endTimeUnixNano") or 0),
                    "status": _json_enum((span.get("status") or {}).get("code"), STATUSES, "STATUS_CODE_")})
    return spans


class OTLPReceiver:
    """An OTLP/HTTP receiver in a background thread. Thread-safe; bounded in what it keeps."""

    def __init__(self, port, host="127.0.0.1", on_span=None, max_spans=100_000):
        self.host, self.port = host, port
        self.endpoint = f"http://{host}:{port}"
        self.on_span = on_span
        self.max_spans = max_spans
        self.requests = []   # (path, content type, span count or error) per request, for diagnostics
        self._spans = []
        self._lock = threading.Condition()
        self._server = None
        self._thread = None

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                receiver._handle(self)

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="otlp-receiver", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def spans(self, trace_id=None):
        with self._lock:
            return [dict(s) for s in self._spans if trace_id is None or s["trace_id"] == trace_id]

    def wait_for(self, predicate, seconds):
        """Calls predicate(spans) whenever spans arrive, until it returns something true or `seconds` pass; returns
        its last value."""
        deadline = time.monotonic() + seconds
        with self._lock:
            while True:
                value = predicate([dict(s) for s in self._spans])
                remaining = deadline - time.monotonic()
                if value or remaining <= 0:
                    return value
                self._lock.wait(min(remaining, 0.5))

    def _handle(self, handler):
        path = handler.path.split("?", 1)[0]
        content_type = (handler.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        as_json = content_type == "application/json"
        length = int(handler.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self._answer(handler, 413, b"", "text/plain")
        body = handler.rfile.read(length)
        if path not in ("/v1/traces", "/v1/metrics", "/v1/logs"):
            return self._answer(handler, 404, b"", "text/plain")
        try:
            encoding = (handler.headers.get("Content-Encoding") or "").strip().lower()
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            elif encoding not in ("", "identity"):
                raise ValueError(f"unsupported Content-Encoding {encoding}")
            spans = []
            if path == "/v1/traces":
                spans = spans_from_json(body) if as_json else spans_from_protobuf(body)
        except Exception as error:  # a body that is not an export request
            with self._lock:
                self.requests.append((path, content_type, f"undecodable: {error}"))
            return self._answer(handler, 400, str(error).encode(), "text/plain")
        with self._lock:
            self.requests.append((path, content_type, len(spans)))
            room = max(0, self.max_spans - len(self._spans))
            self._spans.extend(spans[:room])
            self._lock.notify_all()
        if self.on_span:
            for span in spans:
                self.on_span(span)
        if as_json:
            self._answer(handler, 200, b"{}", "application/json")
        else:
            self._answer(handler, 200, trace_service_pb2.ExportTraceServiceResponse().SerializeToString(),
                         "application/x-protobuf")

    @staticmethod
    def _answer(handler, status, body, content_type):
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


def span_tree(spans, highlight=None):
    """The spans as an indented tree (children under their parent, by start time), one line each."""
    by_id = {s["span_id"]: s for s in spans}
    children = {}
    for span in sorted(spans, key=lambda s: s["start_ns"]):
        parent = span["parent_span_id"] if span["parent_span_id"] in by_id else None
        children.setdefault(parent, []).append(span)
    lines = []

    def walk(span, depth):
        attributes = span["attributes"]
        shown = {k: attributes[k] for k in ("http.request.method", "http.route", "server.address", "server.port",
                                            "url.full", "http.response.status_code") if k in attributes}
        parent = span["parent_span_id"]
        orphan = f" (parent {parent} not received)" if parent and parent not in by_id else ""
        mark = " <-" if highlight and highlight(span) else ""
        lines.append(f"{'  ' * depth}{span['kind']} {span['name']!r} span {span['span_id']}{orphan}"
                     f" [{span['service_name']}] {json.dumps(shown) if shown else ''}{mark}")
        for child in children.get(span["span_id"], []):
            if depth < 50:
                walk(child, depth + 1)

    for root in children.get(None, []):
        walk(root, 0)
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description="OTLP/HTTP receiver printing spans as JSON lines")
    parser.add_argument("port", type=int)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--out", help="file to append the spans to (default: standard output)")
    args = parser.parse_args()
    out = open(args.out, "a") if args.out else sys.stdout
    write_lock = threading.Lock()

    def write(span):
        with write_lock:
            out.write(json.dumps(span, sort_keys=True) + "\n")
            out.flush()

    receiver = OTLPReceiver(args.port, host=args.host, on_span=write, max_spans=0).start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    print(f"OTLP receiver on {receiver.endpoint}/v1/traces", file=sys.stderr, flush=True)
    while not stopped.wait(1):
        pass
    receiver.stop()


if __name__ == "__main__":
    main()
