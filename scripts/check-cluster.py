#!/usr/bin/env python3
"""Three API nodes and two job workers on one PostgreSQL, behind nginx, under load while nodes are killed and rolled.

    .venv-peers/bin/python scripts/check-cluster.py

Environment: ATELIER_BIN (the atelier executable; its `*.resources` folders beside it), WORK (a scratch folder;
a new temporary one when unset), CLUSTER_SECONDS (how long the shoppers buy, default 60), CLUSTER_SHOPPERS (200),
CLUSTER_STOCK (units of the limited variant, 25), CLUSTER_PG_SSLMODE (`verify-full`; the nodes' sslmode),
CLUSTER_DRAIN_SECONDS (longest wait for the deliveries after the load, 120), CLUSTER_STRICT_ROLL (1: a 5xx or
unanswered request while a node is rolled with SIGTERM fails the run, as one around a SIGKILL never does).
Everything listens on loopback, on ports 26100–26199.

The setup: a certificate authority and a certificate for `localhost` and 127.0.0.1 made with openssl; a private
PostgreSQL that accepts TLS connections only (`hostssl`), which every process reaches with
`sslmode=CLUSTER_PG_SSLMODE&sslrootcert=CA`; `atelier migrate` once; three `atelier serve` nodes (no in-process
workers, each its own data folder, one set of data keys) and two `atelier worker` processes; nginx terminating TLS
(HTTP/2 by ALPN, HTTP/1.1) and balancing over the nodes (least_conn, keepalive, `proxy_next_upstream error
timeout`), naming the node of every answer in `X-Upstream`; the fulfillment service (a standardwebhooks receiver)
and aiosmtpd (STARTTLS and AUTH required) in a child process (`--receivers`), recording every delivery.

The run: CLUSTER_SHOPPERS shoppers buy through nginx over HTTPS (add to cart, checkout with an Idempotency-Key, test
payment; checkout and payment are retried after a 5xx or no answer, the checkout with the same key, each request
with a 30 s timeout), a fifth of them a variant with CLUSTER_STOCK units, so it sells out. At a quarter of the time
one node and one worker are killed (SIGKILL) and started again 3 s later; at half the time the three nodes are
rolled one by one (SIGTERM, exit, start from a copy of the binary's folder, ready) and then both workers. After the
load a product renamed through node 1 must show on nodes 2 and 3 within ATELIER_CATALOG_POLL_MS + 1 s, and the
deliveries must drain.

The proof, from SQL and the admin API: every checkout that answered 201 and whose payment answered paid is exactly
one order, no paid checkout lacks its order, stock never went below zero nor sold more than it had, every order
reached the fulfillment service and the shopper's mailbox once per event (a repeat only with the same webhook-id or
Message-ID), and every 5xx or unanswered request was in flight on a node that was being killed or rolled. Prints
the figures, then `cluster: ok`; exits non-zero on any failed invariant. WORK keeps the logs, nginx's access log
(with the upstream of every request) and cluster-run.json (every request, the windows, the payments).
"""
import asyncio
import base64
import email
import json
import os
import random
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PG_PORT, BALANCER_PORT = 26100, 26101
NODE_PORTS = {1: 26111, 2: 26112, 3: 26113}
FULFILLMENT_PORT, SMTP_PORT = 26120, 26121
SMTP_USER, SMTP_PASSWORD = "shop", "cluster pass"
CATALOG_POLL_MS = 500
REQUEST_TIMEOUT = 30.0
RETRIES = 3             # extra attempts of a checkout or payment step after a 5xx or no answer
LIMITED_SHARE = 0.2     # shoppers' share of flows that buy the limited variant
MAX_FLOWS = 100_000     # per shopper: the clock ends the load long before
PRODUCT = "3d-printed-figurine"
OPEN_ITEM = {"product": PRODUCT, "selection": {"size": "large", "material": "resin", "colour": "red"}}
LIMITED_ITEM = {"product": PRODUCT, "selection": {"size": "small", "material": "pla", "colour": "grey"}}
LIMITED_KEY = "variant:colour=grey;material=pla;size=small"
RENAMED_SLUG = "cluster-lantern"
CHECKOUT_BODY = {
    "contact": {"email": "shopper@example.com", "name": "Cluster Shopper"},
    "shippingAddress": {"name": "Cluster Shopper", "line1": "1 Loop Road", "city": "Albany", "region": "NY",
                        "postalCode": "12207", "country": "US"},
    "shippingMethod": "standard", "payment": {"provider": "test"}}
ORDER_LINK = re.compile(r"/orders/(ord_[0-9a-z]+)")


# --- the receivers (a child process, so that the shoppers' event loop does not slow them down) ---------------------

def run_receivers(work, secret, cert, key):
    """The fulfillment service and the SMTP server; each delivery is a JSON line in WORK/fulfillment.jsonl or mail.jsonl."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword
    from standardwebhooks.webhooks import Webhook

    lock = threading.Lock()
    fulfillment_log = open(os.path.join(work, "fulfillment.jsonl"), "a", buffering=1)
    mail_log = open(os.path.join(work, "mail.jsonl"), "a", buffering=1)

    def write(out, record):
        with lock:
            out.write(json.dumps(record) + "\n")

    class Fulfillment(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            record = {"at": time.time(), "webhookId": headers.get("webhook-id"), "valid": False}
            try:
                event = Webhook(secret).verify(body, headers)
                record.update(valid=True, type=event.get("type"), orderId=(event.get("data") or {}).get("orderId"))
            except Exception as error:  # a forged or broken delivery: recorded, refused
                record["error"] = str(error)[:200]
            write(fulfillment_log, record)
            self.send_response(204 if record["valid"] else 400)
            self.send_header("Content-Length", "0")
            self.end_headers()

    class Mailbox:
        async def handle_DATA(self, server, session, envelope):
            message = email.message_from_bytes(envelope.content, policy=policy.default)
            text = message.get_body(preferencelist=("plain",))
            found = ORDER_LINK.search(text.get_content() if text is not None else "")
            write(mail_log, {"at": time.time(), "messageId": message["Message-ID"], "subject": message["Subject"],
                             "to": envelope.rcpt_tos, "tls": session.ssl is not None, "authenticated": session.authenticated,
                             "orderId": found.group(1) if found else None})
            return "250 Message accepted for delivery"

    def authenticator(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=isinstance(auth_data, LoginPassword) and auth_data.login == SMTP_USER.encode()
                          and auth_data.password == SMTP_PASSWORD.encode())

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    controller = Controller(Mailbox(), hostname="127.0.0.1", port=SMTP_PORT, tls_context=context, require_starttls=True,
                            auth_required=True, auth_require_tls=True, authenticator=authenticator)
    controller.start()
    partner = ThreadingHTTPServer(("127.0.0.1", FULFILLMENT_PORT), Fulfillment)
    partner.daemon_threads = True
    threading.Thread(target=partner.serve_forever, daemon=True).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("receivers ready", flush=True)
    stop.wait(3600)
    partner.shutdown()
    controller.stop()


if __name__ == "__main__" and sys.argv[1:2] == ["--receivers"]:
    run_receivers(*sys.argv[2:6])
    sys.exit(0)


import aiohttp  # noqa: E402  (the receivers' process does not need it)

BIN = os.path.realpath(os.environ["ATELIER_BIN"])
SECONDS = float(os.environ.get("CLUSTER_SECONDS", "60"))
SHOPPERS = int(os.environ.get("CLUSTER_SHOPPERS", "200"))
STOCK = int(os.environ.get("CLUSTER_STOCK", "25"))
SSLMODE = os.environ.get("CLUSTER_PG_SSLMODE", "verify-full")
DRAIN_SECONDS = float(os.environ.get("CLUSTER_DRAIN_SECONDS", "120"))
STRICT_ROLL = os.environ.get("CLUSTER_STRICT_ROLL", "") == "1"
OWN_WORK = not os.environ.get("WORK")
WORK = os.path.realpath(os.environ.get("WORK") or tempfile.mkdtemp(prefix="atelier-cluster."))
BALANCER = f"https://127.0.0.1:{BALANCER_PORT}"
STARTED = time.monotonic()
T0 = None               # monotonic time the load began; every recorded time is relative to it
failures = []
processes = []          # every Proc started, stopped in the end whatever happens
lock = threading.Lock()


def clock():
    return time.monotonic() - (T0 if T0 is not None else STARTED)


def say(message):
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", flush=True)


def fail(message):
    failures.append(message)
    say(f"FAILED: {message}")


def setup_failed(message):
    raise SystemExit(f"FAILED: {message}")


def tail(path, lines=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


class Proc:
    """A process of ours: started with its own log, stopped by its pid."""

    def __init__(self, name, argv, env=None):
        self.name, self.log = name, os.path.join(WORK, f"{name}.log")
        self.out = open(self.log, "w")
        self.popen = subprocess.Popen(argv, env=env, stdout=self.out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.pid = self.popen.pid
        with lock:
            processes.append(self)

    def alive(self):
        return self.popen.poll() is None

    def signal(self, sig):
        if self.alive():
            os.kill(self.pid, sig)

    def wait(self, seconds):
        try:
            return self.popen.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return None


def stop_all(seconds=20):
    """Every process we started, by its pid: SIGINT to the nodes and workers (a shutdown without the drain period),
    SIGTERM to the others, all at once; SIGKILL to whatever still runs after `seconds`."""
    with lock:
        started = list(processes)
    for proc in started:
        proc.signal(signal.SIGINT if proc.name.startswith(("node", "worker")) else signal.SIGTERM)
    deadline = time.monotonic() + seconds
    for proc in started:
        if proc.wait(max(0.1, deadline - time.monotonic())) is None:
            proc.signal(signal.SIGKILL)
            proc.wait(5)
        proc.out.close()


def pg_bin():
    folders = [os.path.join("/usr/lib/postgresql", v, "bin") for v in os.listdir("/usr/lib/postgresql")]
    return sorted(folders, key=lambda f: [int(p) for p in re.findall(r"\d+", f)])[-1]


AS_POSTGRES = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
PSQL = os.path.join(pg_bin(), "psql")
CA = os.path.join(WORK, "tls", "ca.pem")
CONNINFO = f"host=localhost port={PG_PORT} user=atelier dbname=atelier_cluster sslmode=verify-full sslrootcert={CA} connect_timeout=10"


def sql(query):
    """Rows of a query, as lists of strings, through psql over TLS checked against the test's authority."""
    done = subprocess.run([PSQL, CONNINFO, "-X", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", query],
                          capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"psql: {done.stderr.strip()}\n{query}")
    return [line.split("\t") for line in done.stdout.splitlines()]


def sql_value(query):
    rows = sql(query)
    return rows[0][0] if rows else None


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def make_certificates():
    """A certificate authority and a server certificate for localhost and 127.0.0.1 that it signed."""
    folder = os.path.join(WORK, "tls")
    os.makedirs(folder, exist_ok=True)
    ca_key, server_key = os.path.join(folder, "ca.key"), os.path.join(folder, "server.key")
    csr, cert, ext = os.path.join(folder, "server.csr"), os.path.join(folder, "server.pem"), os.path.join(folder, "server.ext")
    curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *curve, "-keyout", ca_key, "-out", CA, "-days", "2", "-subj", "/CN=Atelier cluster check CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", *curve, "-keyout", server_key, "-out", csr, "-subj", "/CN=localhost")
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", csr, "-CA", CA, "-CAkey", ca_key, "-set_serial", str(random.getrandbits(63)),
            "-out", cert, "-days", "2", "-extfile", ext)
    return cert, server_key


def start_postgres(cert, key):
    """A private cluster on loopback that takes TLS connections only; the application's role and database."""
    data = os.path.join(WORK, "pg")
    os.makedirs(data)
    if AS_POSTGRES:
        shutil.chown(data, "postgres")
    subprocess.run([*AS_POSTGRES, os.path.join(pg_bin(), "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "--no-sync",
                    "-E", "UTF8"], check=True, capture_output=True, timeout=120)
    for source, name in ((cert, "server.pem"), (key, "server.key")):
        shutil.copy(source, os.path.join(data, name))
        if AS_POSTGRES:
            shutil.chown(os.path.join(data, name), "postgres")
        os.chmod(os.path.join(data, name), 0o600)
    with open(os.path.join(data, "pg_hba.conf"), "w") as f:
        f.write("local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n")
    options = (f"-p {PG_PORT} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300 -c ssl=on "
               "-c ssl_cert_file=server.pem -c ssl_key_file=server.key")
    subprocess.run([*AS_POSTGRES, os.path.join(pg_bin(), "pg_ctl"), "-D", data, "-w", "-l", os.path.join(data, "server.log"),
                    "-o", options, "start"], check=True, capture_output=True, timeout=60)
    subprocess.run([*AS_POSTGRES, PSQL, "-h", data, "-p", str(PG_PORT), "-U", "postgres", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                    "-c", "CREATE ROLE atelier LOGIN", "-c", "CREATE DATABASE atelier_cluster OWNER atelier"],
                   check=True, capture_output=True, timeout=60)
    with open(os.path.join(data, "postmaster.pid")) as f:
        return data, int(f.readline())


def stop_postgres(data):
    subprocess.run([*AS_POSTGRES, os.path.join(pg_bin(), "pg_ctl"), "-D", data, "-m", "immediate", "stop"],
                   capture_output=True, timeout=60)


def copy_dist(source_bin, folder):
    """The binary and its resource bundles in a folder of their own (the 'new' build the roll starts)."""
    os.makedirs(folder)
    shutil.copy2(source_bin, os.path.join(folder, "atelier"))
    here = os.path.dirname(source_bin)
    for name in os.listdir(here):
        if name.endswith(".resources") and os.path.isdir(os.path.join(here, name)):
            shutil.copytree(os.path.join(here, name), os.path.join(folder, name))
    return os.path.join(folder, "atelier")


def nginx_version():
    out = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr
    found = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", out)
    return tuple(int(x) for x in found.groups()) if found else (0, 0, 0)


def start_nginx(cert, key):
    folder = os.path.join(WORK, "nginx")
    os.makedirs(folder)
    # From 1.25.1 `http2` is a directive of its own; before, a parameter of `listen`.
    listen = (f"listen 127.0.0.1:{BALANCER_PORT} ssl;\n    http2 on;" if nginx_version() >= (1, 25, 1)
              else f"listen 127.0.0.1:{BALANCER_PORT} ssl http2;")
    servers = "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=1s;" for port in NODE_PORTS.values())
    conf = os.path.join(folder, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""worker_processes 1;
worker_rlimit_nofile 8192;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  log_format cluster '$msec $request_id "$request" $status $request_time upstream=$upstream_addr '
                     'upstream_status=$upstream_status upstream_time=$upstream_response_time';
  access_log {folder}/access.log cluster;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  keepalive_timeout 300s;
  keepalive_requests 100000;
  upstream atelier {{
    least_conn;
{servers}
    # Idle connections kept per worker: above the load's concurrency, so that nginx reuses connections instead of
    # opening one per request. A connection opened in the instant a node closes its listening socket can be
    # dropped unanswered by the node's HTTP server; the fewer new connections, the rarer that is.
    keepalive 256;
    # Below the nodes' drain period (5 s): a connection idle through a node's drain is closed by nginx before
    # the node stops, so no request is sent on it as it closes (the node gives busy ones a second and answers
    # them with `Connection: close`).
    keepalive_timeout 4s;
  }}
  server {{
    {listen}
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    location / {{
      proxy_pass http://atelier;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Request-Id $request_id;
      proxy_connect_timeout 1s;
      proxy_send_timeout 29s;
      proxy_read_timeout 29s;
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries 3;
      add_header X-Upstream $upstream_addr always;
      add_header X-Balancer-Request-Id $request_id always;
    }}
  }}
}}
""")
    test = subprocess.run(["nginx", "-t", "-p", folder, "-e", os.path.join(folder, "error.log"), "-c", conf],
                          capture_output=True, text=True, timeout=30)
    if test.returncode != 0:
        setup_failed(f"nginx refused its configuration:\n{test.stderr}")
    return Proc("nginx", ["nginx", "-p", folder, "-e", os.path.join(folder, "error.log"), "-c", conf, "-g", "daemon off;"])


def tls_context():
    return ssl.create_default_context(cafile=CA)


def http(method, url, body=None, headers=None, timeout=10):
    """One request with urllib (setup, checks, the chaos thread); HTTPS is checked against the test's authority."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    context = tls_context() if url.startswith("https:") else None
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            raw = response.read()
            return response.status, (json.loads(raw) if raw else None), response.headers
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw), error.headers
        except ValueError:
            return error.code, raw.decode(errors="replace"), error.headers


def wait_ready(port, proc, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not proc.alive():
            return False
        try:
            if http("GET", f"http://127.0.0.1:{port}/health/ready", timeout=2)[0] == 200:
                return True
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    return False


def wait_logged(proc, text, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.alive():
        with open(proc.log, errors="replace") as f:
            if text in f.read():
                return True
        time.sleep(0.1)
    return False


class Cluster:
    def __init__(self, env):
        self.env = env
        self.nodes, self.workers = {}, {}
        self.generation = {}

    def _name(self, base):
        self.generation[base] = self.generation.get(base, -1) + 1
        return f"{base}-{self.generation[base]}"

    def start_node(self, index, binary):
        os.makedirs(os.path.join(WORK, f"node{index}"), exist_ok=True)
        env = dict(self.env, PORT=str(NODE_PORTS[index]), ATELIER_DATA_DIR=os.path.join(WORK, f"node{index}"),
                   ATELIER_LOG_LEVEL="warning")
        self.nodes[index] = Proc(self._name(f"node{index}"), [binary, "serve"], env)
        return self.nodes[index]

    def start_worker(self, index, binary):
        os.makedirs(os.path.join(WORK, f"worker{index}"), exist_ok=True)
        env = dict(self.env, ATELIER_DATA_DIR=os.path.join(WORK, f"worker{index}"), ATELIER_LOG_LEVEL="info")
        self.workers[index] = Proc(self._name(f"worker{index}"), [binary, "worker"], env)
        return self.workers[index]

    def node_ready(self, index, seconds=60):
        return wait_ready(NODE_PORTS[index], self.nodes[index], seconds)

    def worker_ready(self, index, seconds=60):
        return wait_logged(self.workers[index], "job workers started", seconds)


# --- the shoppers -------------------------------------------------------------------------------------------------

class Load:
    def __init__(self, deadline):
        self.deadline = deadline
        self.requests = []      # every request: step, start, end, status, code, upstream, balancer id, limited, error
        self.paid = []          # (checkout id, order id, limited, outcome) of payments that answered paid
        self.started = []       # checkout ids that answered 201
        self.sold_out_at = None
        self.anomalies = []     # answers the flow could not use (a 201 without its key, say)

    async def call(self, session, step, path, body, headers, limited):
        record = {"step": step, "start": clock(), "status": None, "code": None, "upstream": None, "balancerId": None,
                  "limited": limited}
        answer, answer_headers = None, {}
        try:
            async with session.post(BALANCER + path, data=json.dumps(body),
                                    headers={"Content-Type": "application/json", **headers}) as response:
                raw = await response.read()
                record["status"] = response.status
                answer_headers = response.headers
                record["upstream"] = response.headers.get("X-Upstream")
                record["balancerId"] = response.headers.get("X-Balancer-Request-Id")
                if raw and "json" in response.headers.get("Content-Type", ""):
                    answer = json.loads(raw)
                    if isinstance(answer, dict):
                        record["code"] = answer.get("code")
                        record["errors"] = [e.get("code") for e in answer.get("errors", []) if isinstance(e, dict)]
        except (asyncio.TimeoutError, aiohttp.ClientError, OSError, ValueError) as error:
            record["error"] = f"{type(error).__name__}: {error}"[:200]
        record["end"] = clock()
        self.requests.append(record)
        return record, answer, answer_headers

    def sold_out(self, record):
        if not record["limited"]:
            return False
        hit = (record["status"] == 409 and record["code"] == "insufficient_stock") or (
            record["status"] == 422 and record["code"] in ("selection_invalid", "cart_not_ready")
            and any(code in ("sold_out", "insufficient_stock") for code in record.get("errors") or []))
        if hit and self.sold_out_at is None:
            self.sold_out_at = record["end"]
        return hit

    async def shopper(self, number, session):
        rng = random.Random(number)
        await asyncio.sleep(rng.random())  # spread the first requests over a second
        for _ in range(MAX_FLOWS):
            if clock() >= self.deadline:
                return
            try:
                await self.flow(rng.random() < LIMITED_SHARE, session)
            except (KeyError, TypeError, AttributeError) as error:
                self.anomalies.append(f"shopper {number} at {clock():.1f} s: {error!r}")

    async def flow(self, limited, session):
        """One purchase: add to a new cart, check out (retried with the same key), pay (retried)."""
        record, _, headers = await self.call(session, "add", "/cart/items", LIMITED_ITEM if limited else OPEN_ITEM, {}, limited)
        if record["status"] != 201:
            self.sold_out(record)
            if record["status"] is None or record["status"] >= 500:
                await asyncio.sleep(0.2)
            return
        cart = {"X-Session-Key": headers["X-Session-Key"], "Idempotency-Key": str(uuid.uuid4())}
        started = None
        for attempt in range(1 + RETRIES):
            if clock() >= self.deadline:
                return
            record, started, _ = await self.call(session, "checkout", "/checkout", CHECKOUT_BODY, cart, limited)
            retry = record["status"] is None or record["status"] >= 500 or record["code"] == "request_in_progress"
            if not retry:
                break
            await asyncio.sleep(0.5)
        if record["status"] != 201:
            self.sold_out(record)
            return
        checkout = started["checkout"]["id"]
        self.started.append(checkout)
        for attempt in range(1 + RETRIES):
            if clock() >= self.deadline:
                return
            record, paid, _ = await self.call(session, "pay", f"/checkout/{checkout}/test-payment", {},
                                              {"X-Access-Token": started["accessToken"]}, limited)
            if record["status"] is not None and record["status"] < 500:
                break
            await asyncio.sleep(0.5)
        if record["status"] == 200 and paid["checkout"].get("status") == "paid" and paid["checkout"].get("orderId"):
            self.paid.append((checkout, paid["checkout"]["orderId"], limited, paid["outcome"]))

    async def run(self):
        connector = aiohttp.TCPConnector(limit=SHOPPERS, ssl=tls_context())
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            await asyncio.gather(*(self.shopper(n, session) for n in range(SHOPPERS)))


# --- kills and the roll ---------------------------------------------------------------------------------------------

class Chaos(threading.Thread):
    """At a quarter of the load: SIGKILL node 2 and worker 1, start them 3 s later. At half: roll every node, then
    every worker (SIGTERM, wait for the exit, start from the copied folder, ready). Every window is recorded."""

    def __init__(self, cluster, binary, next_binary):
        super().__init__(daemon=True)
        self.cluster, self.binary, self.next_binary = cluster, binary, next_binary
        self.windows = []

    def sleep_until(self, moment):
        while clock() < moment:
            time.sleep(min(0.05, moment - clock()))

    def run(self):
        try:
            self.kill()
            self.roll()
        except Exception as error:  # recorded as a failure; the load goes on
            fail(f"the kills and the roll stopped: {error!r}")

    def kill(self):
        self.sleep_until(SECONDS * 0.25)
        node, worker = self.cluster.nodes[2], self.cluster.workers[1]
        window = {"label": "kill node2 + worker1", "kind": "kill", "node": 2, "worker": 1, "stop": clock()}
        node.signal(signal.SIGKILL)
        worker.signal(signal.SIGKILL)
        node.wait(10), worker.wait(10)
        window["exited"] = clock()
        self.windows.append(window)
        say(f"SIGKILL node2 (pid {node.pid}) and worker1 (pid {worker.pid}) at {window['stop']:.1f} s")
        self.sleep_until(window["stop"] + 3)
        window["started"] = clock()
        self.cluster.start_node(2, self.binary)
        self.cluster.start_worker(1, self.binary)
        if not self.cluster.node_ready(2):
            fail(f"node2 was not ready after its restart:\n{tail(self.cluster.nodes[2].log)}")
        if not self.cluster.worker_ready(1):
            fail(f"worker1 did not start again:\n{tail(self.cluster.workers[1].log)}")
        window["ready"] = clock()
        say(f"node2 and worker1 back at {window['ready']:.1f} s")

    def roll_one(self, kind, index, start, ready, current):
        proc = current[index]
        window = {"label": f"roll {kind}{index}", "kind": "roll", "node": index if kind == "node" else None,
                  "worker": index if kind == "worker" else None, "stop": clock()}
        self.windows.append(window)
        proc.signal(signal.SIGTERM)
        code = proc.wait(40)
        window["exited"], window["exitCode"] = clock(), code
        if code is None:
            proc.signal(signal.SIGKILL)
            proc.wait(5)
            fail(f"{kind}{index} did not exit within 40 s of SIGTERM:\n{tail(proc.log)}")
        elif code != 0:
            fail(f"{kind}{index} exited {code} on SIGTERM:\n{tail(proc.log)}")
        window["started"] = clock()
        start(index, self.next_binary)
        if not ready(index):
            fail(f"{kind}{index} from the new folder was not ready:\n{tail(current[index].log)}")
        window["ready"] = clock()
        say(f"rolled {kind}{index}: SIGTERM at {window['stop']:.1f} s, exit {code} at {window['exited']:.1f} s, "
            f"ready at {window['ready']:.1f} s")

    def roll(self):
        self.sleep_until(SECONDS * 0.5)
        for index in NODE_PORTS:
            self.roll_one("node", index, self.cluster.start_node, self.cluster.node_ready, self.cluster.nodes)
        for index in (1, 2):
            self.roll_one("worker", index, self.cluster.start_worker, self.cluster.worker_ready, self.cluster.workers)


# --- the checks -----------------------------------------------------------------------------------------------------

def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] * 1000 if values else float("nan")


EXPECTED = {"add": {201}, "checkout": {201}, "pay": {200}}


def classify(load, windows):
    """Every request's answer is expected, an out-of-stock answer, or a failure in flight on a node being stopped."""
    unexplained, unexpected = [], []
    for window in windows:
        window["failed"] = []
    for record in load.requests:
        status = record["status"]
        if status in EXPECTED[record["step"]] or load.sold_out(record) or record["code"] == "request_in_progress":
            continue
        if status is not None and status < 500:
            unexpected.append(record)
            continue
        owner = None
        for window in windows:
            if window.get("node") is None or "ready" not in window:
                continue
            port = str(NODE_PORTS[window["node"]])
            in_time = window["stop"] - REQUEST_TIMEOUT <= record["start"] <= window["ready"] and record["end"] >= window["stop"]
            if in_time and (not record["upstream"] or port in record["upstream"]):
                owner = window
                break
        if owner is None:
            unexplained.append(record)
        else:
            owner["failed"].append(record)
    return unexplained, unexpected


def catalog_propagation(key, product_id):
    """Renames a product through node 1 and times its new name on nodes 2 and 3 (their caches warm first)."""
    admin = {"Authorization": f"Bearer {key}"}
    node = {i: f"http://127.0.0.1:{port}" for i, port in NODE_PORTS.items()}
    for i in (2, 3):
        for _ in range(2):
            status, product, _ = http("GET", f"{node[i]}/products/{RENAMED_SLUG}")
        if status != 200 or product["name"] != "Cluster lantern":
            fail(f"node{i} does not show the product before the rename: {status} {product}")
            return None
    renamed = f"Cluster lantern {uuid.uuid4().hex[:6]}"
    sent = time.monotonic()
    status, body, _ = http("PUT", f"{node[1]}/admin/products/{product_id}",
                           {"slug": RENAMED_SLUG, "name": renamed, "basePrice": {"amount": 2500, "currency": "USD"}}, admin)
    if status != 200:
        fail(f"renaming the product through node 1: {status} {body}")
        return None
    seen = {}
    deadline = sent + 10
    while len(seen) < 2 and time.monotonic() < deadline:
        for i in (2, 3):
            answer = http("GET", f"{node[i]}/products/{RENAMED_SLUG}")[1]
            if i not in seen and isinstance(answer, dict) and answer.get("name") == renamed:
                seen[i] = time.monotonic() - sent
        time.sleep(0.02)
    limit = CATALOG_POLL_MS / 1000 + 1
    for i in (2, 3):
        if i not in seen:
            fail(f"node{i} still shows the old name 10 s after the rename through node 1")
        elif seen[i] > limit:
            fail(f"node{i} showed the new name after {seen[i]:.2f} s, more than the poll interval + 1 s ({limit:.1f} s)")
    return seen


def pending_deliveries():
    return int(sql_value("SELECT (SELECT count(*) FROM webhook_deliveries WHERE status <> 'succeeded') "
                         "+ (SELECT count(*) FROM outbox WHERE dispatched_at IS NULL)"))


def read_jsonl(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def drain(order_count):
    """Waits until every event is dispatched and delivered and both receivers have every order, or the time is up."""
    started = time.monotonic()
    while time.monotonic() - started < DRAIN_SECONDS:
        if pending_deliveries() == 0:
            fulfilled = {r.get("orderId") for r in read_jsonl(os.path.join(WORK, "fulfillment.jsonl")) if r.get("valid")}
            mailed = {r.get("orderId") for r in read_jsonl(os.path.join(WORK, "mail.jsonl"))}
            if len(fulfilled) >= order_count and len(mailed) >= order_count:
                return time.monotonic() - started
        time.sleep(1)
    return None


def check_orders(load):
    orders = dict(sql("SELECT checkout_id, id FROM orders"))
    for checkout, order, _, _ in load.paid:
        if orders.get(checkout) != order:
            fail(f"checkout {checkout} answered paid with order {order}, the database has {orders.get(checkout)}")
    twice = sql("SELECT checkout_id, count(*) FROM orders GROUP BY checkout_id HAVING count(*) > 1")
    if twice:
        fail(f"checkouts with more than one order: {twice[:5]}")
    lacking = sql("SELECT c.id FROM checkouts c WHERE c.status = 'paid' AND NOT EXISTS "
                  "(SELECT 1 FROM orders o WHERE o.checkout_id = c.id AND o.id = c.order_id)")
    if lacking:
        fail(f"{len(lacking)} paid checkouts without their order: {lacking[:5]}")
    unpaid = sql("SELECT o.id FROM orders o JOIN checkouts c ON c.id = o.checkout_id WHERE c.status <> 'paid'")
    if unpaid:
        fail(f"orders of checkouts that are not paid: {unpaid[:5]}")
    return orders


def check_stock(product_id, key, load):
    negative = sql("SELECT product_id, item_key, on_hand, reserved FROM inventory_items WHERE on_hand < 0 OR reserved < 0 "
                   "OR reserved > on_hand")
    if negative:
        fail(f"stock below zero: {negative}")
    on_hand, reserved = (int(v) for v in sql(f"SELECT on_hand, reserved FROM inventory_items WHERE product_id = '{product_id}' "
                                             f"AND item_key = '{LIMITED_KEY}'")[0])
    selection = json.dumps(LIMITED_ITEM["selection"])
    sold = int(sql_value(f"""SELECT coalesce(sum((l->>'quantity')::int), 0) FROM orders o,
        jsonb_array_elements(o.snapshot::jsonb -> 'lines') l
        WHERE l->>'productId' = '{product_id}' AND l->'state'->'selection' = '{selection}'::jsonb""") or 0)
    held = int(sql_value(f"""SELECT coalesce(sum(r.quantity), 0) FROM reservations r JOIN checkouts c ON c.id = r.checkout_id
        WHERE c.status = 'pending' AND r.product_id = '{product_id}' AND r.item_key = '{LIMITED_KEY}'"""))
    stray = int(sql_value("SELECT count(*) FROM reservations r JOIN checkouts c ON c.id = r.checkout_id WHERE c.status <> 'pending'"))
    if sold > STOCK or sold != STOCK - on_hand:
        fail(f"the limited variant had {STOCK}: orders hold {sold} units, {on_hand} are on hand")
    if reserved != held or stray:
        fail(f"the limited variant shows {reserved} reserved, pending checkouts hold {held}; {stray} reservations of closed checkouts")
    status, inventory, _ = http("GET", f"{BALANCER}/admin/products/{product_id}/inventory", headers={"Authorization": f"Bearer {key}"})
    listed = [i for i in (inventory or {}).get("items", []) if i.get("variant") == LIMITED_ITEM["selection"]]
    if status != 200 or not listed or listed[0]["onHand"] != on_hand or listed[0]["reserved"] != reserved:
        fail(f"the admin API's inventory disagrees with the database ({on_hand} on hand, {reserved} reserved): {status} {inventory}")
    if load.sold_out_at is None:
        fail(f"the limited variant never sold out ({sold} of {STOCK} sold): lower CLUSTER_STOCK")
    return sold, on_hand


def check_admin_orders(key, count):
    seen, cursor = 0, None
    for _ in range(10_000):
        path = "/admin/orders?limit=100" + (f"&cursor={cursor}" if cursor else "")
        status, page, _ = http("GET", BALANCER + path, headers={"Authorization": f"Bearer {key}"}, timeout=30)
        if status != 200:
            fail(f"GET {path}: {status} {page}")
            return
        seen += len(page["items"])
        cursor = page.get("nextCursor")
        if not cursor:
            break
    if seen != count:
        fail(f"the admin API lists {seen} orders, the database has {count}")


def check_deliveries(orders):
    """Each order's order.created event reached the fulfillment service and the mailbox; repeats only with its id."""
    events = {order: event for order, event in sql("SELECT aggregate_id, id FROM outbox WHERE type = 'order.created'")}
    created = int(sql_value("SELECT count(*) FROM outbox WHERE type = 'order.created'"))
    if created != len(events) or set(events) != set(orders.values()):
        fail(f"{created} order.created events for {len(orders)} orders")
    states = sql("SELECT s.kind, d.status, count(*) FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id "
                 "GROUP BY 1, 2 ORDER BY 1, 2")
    if any(status != "succeeded" for _, status, _ in states):
        fail(f"deliveries not succeeded: {states}")
    figures = {}
    posts = read_jsonl(os.path.join(WORK, "fulfillment.jsonl"))
    mails = read_jsonl(os.path.join(WORK, "mail.jsonl"))
    forged = [p for p in posts if not p["valid"]]
    if forged:
        fail(f"{len(forged)} fulfillment deliveries failed verification: {forged[:3]}")
    plain = [m for m in mails if not (m["tls"] and m["authenticated"])]
    if plain:
        fail(f"{len(plain)} emails arrived without STARTTLS and AUTH")
    channels = (("fulfillment", [(p.get("orderId"), p["webhookId"]) for p in posts if p["valid"] and p.get("type") == "fulfillment.order"],
                 lambda event: event),
                ("mail", [(m.get("orderId"), m["messageId"]) for m in mails], lambda event: f"<{event}@localhost>"))
    for name, received, expected_id in channels:
        ids = {}
        for order, ident in received:
            ids.setdefault(order, []).append(ident)
        missing = [o for o in events if o not in ids]
        strangers = [o for o in ids if o not in events]
        wrong = {o: sorted(set(v)) for o, v in ids.items() if o in events and set(v) != {expected_id(events[o])}}
        if missing:
            fail(f"{name}: {len(missing)} orders never arrived: {missing[:5]}")
        if strangers:
            fail(f"{name}: deliveries for orders that do not exist: {strangers[:5]}")
        if wrong:
            fail(f"{name}: orders that arrived under other ids than their event's (duplicates must repeat it): "
                 f"{list(wrong.items())[:5]}")
        figures[name] = (len(received), sum(len(v) - 1 for v in ids.values()))
    return figures


def postgres_tls():
    rows = sql("SELECT s.ssl, coalesce(s.version, '-'), count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s ON s.pid = a.pid "
               "WHERE a.usename = 'atelier' AND a.pid <> pg_backend_pid() GROUP BY 1, 2")
    plain = [r for r in rows if r[0] != "t"]
    if plain or not rows:
        fail(f"connections to PostgreSQL without TLS: {rows}")
    return ", ".join(f"{count} over {version}" for _, version, count in rows)


def node_errors():
    counts = {}
    for proc in processes:
        if proc.name.startswith(("node", "worker")):
            with open(proc.log, errors="replace") as f:
                n = sum(1 for line in f if '"level":"error"' in line or '"level":"critical"' in line)
            if n:
                counts[proc.name] = n
    return counts


def describe(record):
    return (f"{record['step']} {record['status'] or record.get('error')} at {record['start']:.2f}–{record['end']:.2f} s "
            f"via {record['upstream'] or '-'} (balancer id {record['balancerId'] or '-'})")


def report(load, windows, unexplained, propagation, deliveries, drained, sold, tls_figure, errors):
    paid = len(load.paid)
    answered = [r for r in load.requests if r["status"] is not None]
    print()
    print(f"cluster figures: {SHOPPERS} shoppers for {SECONDS:.0f} s through nginx (HTTPS), 3 nodes, 2 workers, "
          f"PostgreSQL over TLS ({SSLMODE})")
    print(f"  {'paid orders':<26}{paid} ({paid / SECONDS:.1f} orders/s); {len(load.started)} checkouts started")
    by_step = {s: [r for r in load.requests if r["step"] == s] for s in EXPECTED}
    print(f"  {'requests':<26}{len(load.requests)} (" + ", ".join(f"{s} {len(v)}" for s, v in by_step.items())
          + f"), {len(load.requests) - len(answered)} unanswered")
    for step, records in by_step.items():
        ok = [r["end"] - r["start"] for r in records if r["status"] in EXPECTED[step]]
        print(f"  {'latency ' + step:<26}p50 {percentile(ok, 50):7.1f} ms   p99 {percentile(ok, 99):7.1f} ms   ({len(ok)} answered "
              f"{'/'.join(str(s) for s in EXPECTED[step])})")
    nodes = {}
    for r in answered:
        if r["upstream"]:
            last = r["upstream"].split(",")[-1].strip()
            nodes[last] = nodes.get(last, 0) + 1
    names = {f"127.0.0.1:{port}": f"node{i}" for i, port in NODE_PORTS.items()}
    print(f"  {'answered by':<26}" + ", ".join(f"{names.get(k, k)} {v}" for k, v in sorted(nodes.items())))
    out_of_stock = [r for r in load.requests if load.sold_out(r)]
    statuses = {}
    for r in out_of_stock:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    ran_out = f"sold out at {load.sold_out_at:.1f} s" if load.sold_out_at is not None else "never sold out"
    print(f"  {'limited variant':<26}{STOCK} units, {sold} sold, {ran_out}; out-of-stock answers "
          + ", ".join(f"{k}×{v}" for k, v in sorted(statuses.items())))
    for w in windows:
        failed = w.get("failed", [])
        kinds = {}
        for r in failed:
            key = r["status"] or "no answer"
            kinds[key] = kinds.get(key, 0) + 1
        exit_note = f", exit {w.get('exitCode')}" if w["kind"] == "roll" else ""
        when = f" at {min(r['end'] for r in failed):.1f}–{max(r['end'] for r in failed):.1f} s" if failed else ""
        print(f"  {w['label']:<26}{w['stop']:5.1f}–{w.get('ready', float('nan')):5.1f} s (down at {w['exited']:.1f} s{exit_note}): "
              f"5xx/unanswered {len(failed)}" + (" (" + ", ".join(f"{k}×{v}" for k, v in kinds.items()) + f"){when}" if kinds else ""))
    rolled = sum(len(w.get("failed", [])) for w in windows if w["kind"] == "roll")
    killed = sum(len(w.get("failed", [])) for w in windows if w["kind"] == "kill")
    print(f"  {'5xx/unanswered':<26}{killed} around the kill, {rolled} during the roll, {len(unexplained)} elsewhere")
    if propagation:
        print(f"  {'catalog propagation':<26}" + ", ".join(f"node{i} {t * 1000:.0f} ms" for i, t in sorted(propagation.items()))
              + f" (poll {CATALOG_POLL_MS} ms)")
    for name, (count, repeats) in deliveries.items():
        print(f"  {name + ' deliveries':<26}{count} received, {repeats} repeated with the same id")
    print(f"  {'drained':<26}" + (f"{drained:.1f} s after the load" if drained is not None else "not within the wait"))
    print(f"  {'PostgreSQL connections':<26}{tls_figure}")
    if errors:
        print(f"  {'error lines in logs':<26}" + ", ".join(f"{k} {v}" for k, v in sorted(errors.items())))
    print(f"  {'runtime':<26}{time.monotonic() - STARTED:.0f} s")


def main():
    global T0
    os.makedirs(WORK, exist_ok=True)
    os.chmod(WORK, 0o755)  # the postgres user keeps its cluster in here
    cert, key = make_certificates()
    pg_data = os.path.join(WORK, "pg")
    try:
        pg_data, pg_pid = start_postgres(cert, key)
        say(f"PostgreSQL on {PG_PORT} (pid {pg_pid}), TLS only")
        secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
        receivers = Proc("receivers", [sys.executable, os.path.abspath(__file__), "--receivers", WORK, secret, cert, key])
        if not wait_logged(receivers, "receivers ready", 30):
            setup_failed(f"the receivers did not start:\n{tail(receivers.log)}")
        database_url = (f"postgres://atelier@localhost:{PG_PORT}/atelier_cluster?sslmode={SSLMODE}&sslrootcert={CA}")
        env = {k: v for k, v in os.environ.items() if not k.startswith("ATELIER_") and k != "DATABASE_URL"}
        env.update(
            DATABASE_URL=database_url, ATELIER_WORKERS="0", ATELIER_RATE_LIMITING="false", ATELIER_TRUSTED_PROXY_HOPS="1",
            ATELIER_CATALOG_POLL_MS=str(CATALOG_POLL_MS), ATELIER_PAYMENT_PROVIDERS="test", ATELIER_ALLOW_TEST_PAYMENTS="true",
            ATELIER_DATA_KEYS="k1:" + base64.b64encode(os.urandom(32)).decode(),
            ATELIER_LOOKUP_KEY=base64.b64encode(os.urandom(32)).decode(),
            ATELIER_FULFILLMENT_URL=f"http://127.0.0.1:{FULFILLMENT_PORT}/orders", ATELIER_FULFILLMENT_SECRET=secret,
            ATELIER_SMTP_URL=f"smtp://{SMTP_USER}:{urllib.parse.quote(SMTP_PASSWORD)}@127.0.0.1:{SMTP_PORT}", ATELIER_SMTP_CA_FILE=CA,
            ATELIER_MAIL_FROM="Atelier Shop <orders@shop.example>", ATELIER_SHOP_NAME="Atelier Shop",
            ATELIER_STOREFRONT_URL=f"https://localhost:{BALANCER_PORT}")

        try:
            migrate = subprocess.run([BIN, "migrate"], env=dict(env, ATELIER_DATA_DIR=os.path.join(WORK, "migrate"), ATELIER_LOG_LEVEL="info"),
                                     capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired as timeout:
            setup_failed(f"atelier migrate did not finish within 60 s:\n{(timeout.stdout or b'').decode(errors='replace')[-2000:]}")
        if migrate.returncode != 0 or "Applied" not in migrate.stdout:
            setup_failed(f"atelier migrate: exit {migrate.returncode}\n{migrate.stdout}{migrate.stderr}")
        say("migrated")
        next_binary = copy_dist(BIN, os.path.join(WORK, "dist-next"))
        cluster = Cluster(env)
        # Node 1 first: it seeds the demo catalog and mints the admin key into its data folder.
        cluster.start_node(1, BIN)
        if not cluster.node_ready(1):
            setup_failed(f"node1 did not become ready:\n{tail(cluster.nodes[1].log)}")
        with open(os.path.join(WORK, "node1", "bootstrap-admin-key")) as f:
            admin_key = f.read().strip()
        for i in (2, 3):
            cluster.start_node(i, BIN)
        for i in (1, 2):
            cluster.start_worker(i, BIN)
        for i in (2, 3):
            if not cluster.node_ready(i):
                setup_failed(f"node{i} did not become ready:\n{tail(cluster.nodes[i].log)}")
        for i in (1, 2):
            if not cluster.worker_ready(i):
                setup_failed(f"worker{i} did not start:\n{tail(cluster.workers[i].log)}")
        for _ in range(100):
            if sql_value("SELECT count(*) FROM webhook_subscriptions WHERE kind IN ('fulfillment', 'mail') AND active") == "2":
                break
            time.sleep(0.2)
        else:
            setup_failed("the workers did not set up the fulfillment and mail subscriptions")
        minted = [i for i in (2, 3) if os.path.exists(os.path.join(WORK, f"node{i}", "bootstrap-admin-key"))]
        if minted or sql_value("SELECT count(*) FROM api_keys") != "1":
            setup_failed(f"nodes after the first minted admin keys of their own: {minted}, {sql_value('SELECT count(*) FROM api_keys')} keys")
        say(f"nodes on {', '.join(map(str, NODE_PORTS.values()))}, two workers")

        balancer = start_nginx(cert, key)
        for _ in range(100):
            try:
                if http("GET", f"{BALANCER}/health/ready", timeout=2)[0] == 200:
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.1)
        else:
            setup_failed(f"nginx did not answer:\n{tail(os.path.join(WORK, 'nginx', 'error.log'))}")
        alpn = tls_context()
        alpn.set_alpn_protocols(["h2", "http/1.1"])
        with socket.create_connection(("127.0.0.1", BALANCER_PORT), timeout=5) as raw, alpn.wrap_socket(raw, server_hostname="localhost") as tls:
            if tls.selected_alpn_protocol() != "h2":
                setup_failed(f"nginx did not offer HTTP/2: {tls.selected_alpn_protocol()}")
        say(f"nginx (pid {balancer.pid}) on https://localhost:{BALANCER_PORT}: certificate checked, HTTP/2 by ALPN")

        admin = {"Authorization": f"Bearer {admin_key}"}
        status, product, _ = http("GET", f"{BALANCER}/products/{PRODUCT}")
        if status != 200:
            setup_failed(f"the demo product: {status} {product}")
        product_id = product["id"]
        status, body, _ = http("PUT", f"{BALANCER}/admin/products/{product_id}/inventory",
                               {"items": [{"variant": LIMITED_ITEM["selection"], "tracked": True, "onHand": STOCK}]}, admin)
        if status != 200:
            setup_failed(f"setting the stock: {status} {body}")
        status, body, _ = http("POST", f"http://127.0.0.1:{NODE_PORTS[1]}/admin/products",
                               {"slug": RENAMED_SLUG, "name": "Cluster lantern", "basePrice": {"amount": 2500, "currency": "USD"}}, admin)
        if status != 201:
            setup_failed(f"creating the product to rename: {status} {body}")
        renamed_id = body["id"]
        time.sleep(CATALOG_POLL_MS / 1000 + 0.5)  # every node sees the stock before the first shopper

        T0 = time.monotonic()
        say(f"load: {SHOPPERS} shoppers for {SECONDS:.0f} s (load clock starts at 0.0 s)")
        chaos = Chaos(cluster, BIN, next_binary)
        chaos.start()
        load = Load(SECONDS)
        asyncio.run(load.run())
        say(f"load over at {clock():.1f} s (load clock): {len(load.paid)} paid orders")
        chaos.join(180)
        if chaos.is_alive():
            fail("the roll did not finish within 180 s of the load's end")
        tls_figure = postgres_tls()

        propagation = catalog_propagation(admin_key, renamed_id)
        orders = check_orders(load)
        say(f"waiting for the deliveries of {len(orders)} orders (at most {DRAIN_SECONDS:.0f} s)")
        drained = drain(len(orders))
        if drained is None:
            fail(f"deliveries still pending {DRAIN_SECONDS:.0f} s after the load: "
                 f"{sql('SELECT status, count(*), max(attempts) FROM webhook_deliveries GROUP BY 1')}")
        orders = check_orders(load)
        sold, _ = check_stock(product_id, admin_key, load)
        check_admin_orders(admin_key, len(orders))
        deliveries = check_deliveries(orders)
        unexplained, unexpected = classify(load, chaos.windows)
        for anomaly in load.anomalies[:10]:
            fail(f"an answer the shopper could not use: {anomaly}")
        for record in unexpected[:10]:
            fail(f"unexpected answer: {describe(record)} code {record['code']}")
        if len(unexpected) > 10:
            fail(f"… {len(unexpected) - 10} more unexpected answers")
        for record in unexplained[:10]:
            fail(f"5xx or no answer outside every kill and roll window: {describe(record)}")
        if len(unexplained) > 10:
            fail(f"… {len(unexplained) - 10} more 5xx or unanswered requests outside the windows")
        if STRICT_ROLL:
            for window in chaos.windows:
                for record in window["failed"] if window["kind"] == "roll" else []:
                    fail(f"5xx or no answer from a node stopped with SIGTERM ({window['label']}): {describe(record)}")
        with open(os.path.join(WORK, "cluster-run.json"), "w") as f:
            json.dump({"seconds": SECONDS, "shoppers": SHOPPERS, "windows": chaos.windows, "requests": load.requests,
                       "paid": load.paid, "failures": failures}, f)
        report(load, chaos.windows, unexplained, propagation, deliveries, drained, sold, tls_figure, node_errors())
    finally:
        stop_all()
        if os.path.exists(os.path.join(pg_data, "postmaster.pid")):
            stop_postgres(pg_data)
    if failures:
        print(f"\ncluster: {len(failures)} failed invariant(s); logs in {WORK}")
        sys.exit(1)
    if OWN_WORK:
        shutil.rmtree(WORK, ignore_errors=True)
    print("cluster: ok")


if __name__ == "__main__":
    main()
