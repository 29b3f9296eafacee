#!/usr/bin/env python3
"""TLS end to end: the server's own HTTPS (versions, ALPN and HTTP/2, HSTS, certificate reload on SIGHUP) and its
verified TLS connection to PostgreSQL.

    python scripts/check-tls.py [PART ...]      PART: versions alpn hsts reload postgres (default: all, in that order)

Environment: ATELIER_BIN (the atelier executable), WORK (a scratch folder), ATELIER_PORT (26220, the HTTPS port),
PG_PORT (26230, a private PostgreSQL with ssl=on). `openssl` makes the certificates; the postgres part needs
PostgreSQL's server binaries (scripts/peers.sh install_postgres) and, as root, runs them as the postgres user.

Two certificate authorities are made, CA1 and CA2, and certificates for 127.0.0.1 and localhost signed by CA1:
two for the API (different serial numbers and names) and one for PostgreSQL. `atelier serve` runs on SQLite
with ATELIER_TLS_CERT_FILE and ATELIER_TLS_KEY_FILE pointing at the first, and:

  versions  TLS 1.0 and 1.1 are refused by the server: a client that offers at most that version (its
            ClientHello is read back to be sure it did) gets no ServerHello; `openssl s_client -tls1/-tls1_1`
            agrees. The same client set up the same way, allowed TLS 1.2 or 1.3, completes the handshake, so the
            refusal is the server's, not the client's OpenSSL's.
  alpn      offering h2 and http/1.1 selects h2, and requests over HTTP/2 (the `h2` package; curl too, when it is
            installed) are answered; offering http/1.1 alone selects it.
  hsts      every answer carries Strict-Transport-Security: max-age=31536000 (2xx, 4xx, HTTP/1.1 and HTTP/2);
            plain HTTP to the TLS port gets no plaintext answer.
  reload    under a bounded load (4 threads opening a new connection per request, one kept-alive connection),
            the certificate and key files are replaced by the second certificate and the server gets SIGHUP:
            handshakes from 2 s after the signal see the new serial number, the kept-alive connection opened
            before goes on working (same connection, old certificate), and no request fails.
  postgres  a private PostgreSQL accepting TLS connections only, with a certificate for localhost signed by CA1:
            `atelier migrate` and `atelier serve` (on ATELIER_PORT + 1) with sslmode=verify-full and sslrootcert=CA2
            exit non-zero within 15 s, naming the certificate verification failure (serve never turns ready); with CA1, verify-full
            and verify-ca succeed. psql checks the same setup first, so a broken setup is not blamed on Atelier.

Prints one line per check, a summary of the failed ones, and `tls: ok` when every part passed; exits 1 otherwise.
"""
import glob
import http.client
import os
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
import urllib.request
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)  # ssl.TLSVersion.TLSv1/TLSv1_1, on purpose

BIN = os.environ["ATELIER_BIN"]
WORK = os.environ["WORK"]
PORT = int(os.environ.get("ATELIER_PORT", "26220"))
PG_PORT = int(os.environ.get("PG_PORT", "26230"))
HOST = "127.0.0.1"
HSTS = re.compile(r"^\s*max-age=31536000\s*(;|$)", re.IGNORECASE)
VERIFICATION_FAILURE = re.compile(
    r"certificate[\w \-]{0,40}verif|verif\w*[\w \-]{0,40}certificate|CERTIFICATE_VERIFY_FAILED|unable to get local issuer"
    r"|self[- ]signed certificate|unknown (ca|certificate authority)", re.IGNORECASE)
PARTS = ["versions", "alpn", "hsts", "reload", "postgres"]
SERIAL_ONE, SERIAL_TWO = 0x5A17E001, 0x5A17E002

VERSION_CODES = {0x0301: "TLS 1.0", 0x0302: "TLS 1.1", 0x0303: "TLS 1.2", 0x0304: "TLS 1.3"}
ALERTS = {40: "handshake_failure", 47: "illegal_parameter", 70: "protocol_version", 71: "insufficient_security",
          80: "internal_error", 86: "inappropriate_fallback", 112: "unrecognized_name"}


class Failed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failed(message)


def say(line):
    print(f"  {line}", flush=True)


# --- certificates

class Certificates:
    """CA1 and CA2; `one` and `two` for the API, `pg` for PostgreSQL, all signed by CA1 for 127.0.0.1 and localhost."""

    def __init__(self, folder):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        self.ca1 = self._ca("ca1", "Atelier Test CA 1")
        self.ca2 = self._ca("ca2", "Atelier Test CA 2")
        self.one = self._leaf("one", "atelier-one.test", SERIAL_ONE)
        self.two = self._leaf("two", "atelier-two.test", SERIAL_TWO)
        self.pg = self._leaf("pg", "localhost", 0x5A17E0F0)

    def _path(self, name):
        return os.path.join(self.folder, name)

    def _ca(self, name, common_name):
        openssl("req", "-x509", "-new", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
                "-keyout", self._path(f"{name}.key"), "-out", self._path(f"{name}.pem"), "-subj", f"/CN={common_name}",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        return self._path(f"{name}.pem")

    def _leaf(self, name, common_name, serial):
        with open(self._path(f"{name}.ext"), "w") as ext:
            ext.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n"
                      "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
        openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", self._path(f"{name}.key"),
                "-out", self._path(f"{name}.csr"), "-subj", f"/CN={common_name}")
        openssl("x509", "-req", "-in", self._path(f"{name}.csr"), "-CA", self.ca1, "-CAkey", self._path("ca1.key"),
                "-set_serial", str(serial), "-days", "2", "-sha256", "-extfile", self._path(f"{name}.ext"),
                "-out", self._path(f"{name}.pem"))
        return self._path(f"{name}.pem"), self._path(f"{name}.key")


def openssl(*args):
    result = subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise Failed(f"openssl {' '.join(args[:2])} failed: {result.stderr.strip()}")
    return result.stdout


# --- clients

def client_context(ca, maximum=None, legacy=False, alpn=None):
    """A verifying client. `legacy`: also able to speak TLS 1.0 and 1.1 (OpenSSL's security level 0 and minimum
    version TLS 1.0), so that only the server can be what refuses them."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(ca)
    if legacy:
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.minimum_version = ssl.TLSVersion.TLSv1
    if maximum:
        context.maximum_version = maximum
    if alpn:
        context.set_alpn_protocols(alpn)
    return context


def tls_connect(context, timeout=5):
    raw = socket.create_connection((HOST, PORT), timeout=timeout)
    try:
        return context.wrap_socket(raw, server_hostname="localhost")
    except BaseException:
        raw.close()
        raise


def serial_of(tls_socket):
    return int(tls_socket.getpeercert()["serialNumber"], 16)


def https(context, method, path, headers=None, body=None, timeout=10):
    connection = http.client.HTTPSConnection(HOST, PORT, context=context, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def header(headers, name):
    return next((v for k, v in headers if k.lower() == name.lower()), None)


class Handshake:
    """One handshake driven through memory BIOs, so what went over the wire can be read back: the ClientHello that
    was offered and the first record the server answered with."""

    def __init__(self, context, timeout=5):
        self.hello = b""          # the client's first flight
        self.answer = b""         # the server's first bytes (up to 16 KB)
        self.error = None         # the client's error, if the handshake did not complete
        self.version = None       # negotiated, when it completed
        self.closed = False       # the server closed the connection
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
        with socket.create_connection((HOST, PORT), timeout=timeout) as connection:
            for _ in range(64):
                try:
                    tls.do_handshake()
                    self.version = tls.version()
                    connection.sendall(outgoing.read())
                    break
                except ssl.SSLWantReadError:
                    flight = outgoing.read()
                    if flight:
                        if not self.hello:
                            self.hello = flight
                        connection.sendall(flight)
                    try:
                        chunk = connection.recv(65536)
                    except socket.timeout:
                        self.error = f"no answer from the server within {timeout} s"
                        break
                    except ConnectionResetError:
                        chunk = b""
                    if not chunk:
                        self.closed = True
                        incoming.write_eof()
                    elif len(self.answer) < 16384:
                        self.answer += chunk
                    if chunk:
                        incoming.write(chunk)
                except ssl.SSLError as error:
                    self.error = f"{type(error).__name__}: {error}"
                    break
            else:
                self.error = "the handshake did not finish in 64 rounds"

    def offered(self):
        """The highest version the ClientHello offers (its supported_versions extension when present, else its
        client_version), or None when no ClientHello was sent."""
        data = self.hello
        if len(data) < 11 or data[0] != 0x16 or data[5] != 0x01:
            return None
        highest = int.from_bytes(data[9:11], "big")
        try:
            at = 9 + 2 + 32
            at += 1 + data[at]                                   # session id
            at += 2 + int.from_bytes(data[at:at + 2], "big")     # cipher suites
            at += 1 + data[at]                                   # compression methods
            end = at + 2 + int.from_bytes(data[at:at + 2], "big")
            at += 2
            while at + 4 <= min(end, len(data)):
                kind, size = int.from_bytes(data[at:at + 2], "big"), int.from_bytes(data[at + 2:at + 4], "big")
                if kind == 43:                                   # supported_versions
                    listed = data[at + 5:at + 5 + data[at + 4]]
                    versions = [int.from_bytes(listed[i:i + 2], "big") for i in range(0, len(listed) - 1, 2)]
                    highest = max([v for v in versions if v in VERSION_CODES] or [highest])
                at += 4 + size
        except IndexError:
            pass
        return VERSION_CODES.get(highest, hex(highest))

    def server_hello(self):
        """The version the server's ServerHello names, or None when its first record is not a ServerHello."""
        data = self.answer
        if len(data) >= 11 and data[0] == 0x16 and data[5] == 0x02:
            return VERSION_CODES.get(int.from_bytes(data[9:11], "big"), "?")
        return None

    def describe_answer(self):
        data = self.answer
        if self.server_hello():
            return f"a ServerHello ({self.server_hello()})"
        if len(data) >= 7 and data[0] == 0x15:
            level = "fatal" if data[5] == 2 else "warning"
            return f"a {level} alert {ALERTS.get(data[6], data[6])}"
        if not data and self.closed:
            return "the connection closed without a word"
        if not data:
            return "nothing"
        return f"{len(data)} other bytes ({data[:16].hex()}…)"


# --- the server under test

class Server:
    def __init__(self, certificates, live_folder):
        self.certificates = certificates
        self.live = live_folder
        self.cert_file = os.path.join(live_folder, "server.pem")
        self.key_file = os.path.join(live_folder, "server-key.pem")
        self.process = None
        self.log_path = os.path.join(WORK, "tls-serve.log")

    def install(self, pair):
        """Puts a certificate and key in place the way a deploy does: each file written beside and renamed over."""
        for source, target in zip(pair, (self.cert_file, self.key_file)):
            staged = target + ".new"
            shutil.copyfile(source, staged)
            os.chmod(staged, 0o600)
            os.replace(staged, target)

    def start(self):
        os.makedirs(self.live, exist_ok=True)
        self.install(self.certificates.one)
        data = os.path.join(WORK, "data-tls")
        os.makedirs(data, exist_ok=True)
        env = dict(os.environ, ATELIER_DATA_DIR=data, DATABASE_URL="", PORT=str(PORT), ATELIER_LOG_LEVEL="info",
                   ATELIER_RATE_LIMITING="false", ATELIER_TLS_CERT_FILE=self.cert_file, ATELIER_TLS_KEY_FILE=self.key_file,
                   # Keeps the periodic look at the files out of the reload check: only SIGHUP is measured there.
                   ATELIER_TLS_RELOAD_SECONDS="3600")
        env.pop("ATELIER_HSTS_MAX_AGE_SECONDS", None)
        self.process = subprocess.Popen([BIN, "serve"], env=env, stdout=open(self.log_path, "w"),
                                        stderr=subprocess.STDOUT)
        return self.wait_ready()

    def wait_ready(self, seconds=60):
        context = client_context(self.certificates.ca1)
        deadline = time.monotonic() + seconds
        last = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Failed(f"atelier serve exited with {self.process.returncode}:\n{tail(self.log_path)}")
            try:
                status, _, _ = https(context, "GET", "/health/ready", timeout=2)
                if status == 200:
                    return
                last = f"HTTP {status}"
            except (OSError, http.client.HTTPException) as error:
                last = f"{type(error).__name__}: {error}"
            time.sleep(0.2)
        plain = plain_http_answer(timeout=2)
        hint = " It answers plain HTTP on that port: TLS is not on." if plain.startswith(b"HTTP/") else ""
        raise Failed(f"the server did not answer GET /health/ready over HTTPS on port {PORT} within {seconds} s "
                     f"(last: {last}).{hint}\n{tail(self.log_path)}")

    def hangup(self):
        self.process.send_signal(signal.SIGHUP)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def tail(path, lines=30):
    try:
        return "".join(open(path, errors="replace").readlines()[-lines:])
    except OSError:
        return "(no log)"


def plain_http_answer(timeout=5):
    """What the TLS port says to a plaintext HTTP request (b"" for nothing, or a closed connection)."""
    answer = b""
    try:
        with socket.create_connection((HOST, PORT), timeout=timeout) as connection:
            connection.sendall(f"GET /health/ready HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nConnection: close\r\n\r\n".encode())
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and len(answer) < 65536:
                chunk = connection.recv(4096)
                if not chunk:
                    break
                answer += chunk
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        pass
    return answer


# --- the parts

def part_versions(certificates, server):
    for name, maximum in (("TLS 1.0", ssl.TLSVersion.TLSv1), ("TLS 1.1", ssl.TLSVersion.TLSv1_1)):
        attempt = Handshake(client_context(certificates.ca1, maximum=maximum, legacy=True))
        expect(attempt.offered() == name,
               f"{name}: the client could not offer {name} (it sent {attempt.offered() or 'no ClientHello'}: "
               f"{attempt.error}); the check would prove nothing — the local OpenSSL refuses it")
        expect(attempt.version is None and attempt.server_hello() is None,
               f"{name}: the server accepted it (answered {attempt.describe_answer()}, negotiated {attempt.version})")
        say(f"{name}: ClientHello offering {name} sent; the server answered {attempt.describe_answer()}")
    for name, maximum, expected in (("TLS 1.2", ssl.TLSVersion.TLSv1_2, "TLSv1.2"),
                                    ("TLS 1.3", ssl.TLSVersion.TLSv1_3, "TLSv1.3")):
        attempt = Handshake(client_context(certificates.ca1, maximum=maximum, legacy=True))
        expect(attempt.version == expected,
               f"{name}: the same client allowed {name} did not negotiate it (server answered "
               f"{attempt.describe_answer()}; {attempt.error or attempt.version})")
        say(f"{name}: the same client allowed {name} completed the handshake ({attempt.version}, certificate verified)")
    for flag, name in (("-tls1", "TLS 1.0"), ("-tls1_1", "TLS 1.1"), ("-tls1_2", "TLS 1.2")):
        sent, server_hello, output = s_client(certificates.ca1, flag)
        expect(sent, f"openssl s_client {flag}: no ClientHello went out, so it proves nothing:\n{output[-800:]}")
        if name == "TLS 1.2":
            expect(server_hello and re.search(r"Protocol\s*:\s*TLSv1\.2", output),
                   f"openssl s_client {flag}: no TLS 1.2 session:\n{output[-800:]}")
            say(f"openssl s_client {flag}: ServerHello, TLSv1.2 session (the same flags work for an allowed version)")
        else:
            expect(not server_hello, f"openssl s_client {flag}: the server answered with a ServerHello:\n{output[-800:]}")
            alert = re.search(r"<<< [^\n]*Alert[^\n]*", output)
            say(f"openssl s_client {flag}: ClientHello sent, no ServerHello"
                f"{' (' + alert.group(0).strip() + ')' if alert else ' (connection closed)'}")


def s_client(ca, flag):
    """openssl s_client offering one version, with OpenSSL's security level lowered so the client can offer it.
    Returns (a ClientHello was sent, a ServerHello came back, the output)."""
    try:
        result = subprocess.run(
            ["openssl", "s_client", "-connect", f"{HOST}:{PORT}", "-servername", "localhost", flag,
             "-cipher", "DEFAULT:@SECLEVEL=0", "-CAfile", ca, "-msg"],
            input=b"", capture_output=True, timeout=20)
    except subprocess.TimeoutExpired:
        return False, False, "openssl s_client did not finish within 20 s"
    output = (result.stdout + result.stderr).decode(errors="replace")
    sent = re.search(r"^>>> [^\n]*ClientHello", output, re.MULTILINE) is not None
    answered = re.search(r"^<<< [^\n]*ServerHello", output, re.MULTILINE) is not None
    return sent, answered, output


def h2_requests(context, paths, timeout=10):
    """Requests over one HTTP/2 connection (all streams at once). Returns the ALPN protocol and, per path, the
    response headers (a dict, pseudo-headers included) and body."""
    import h2.config
    import h2.connection
    import h2.events

    with tls_connect(context, timeout=timeout) as connection:
        protocol = connection.selected_alpn_protocol()
        if protocol != "h2":
            return protocol, {}
        conversation = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
        conversation.initiate_connection()
        streams = {}
        for path in paths:
            stream = conversation.get_next_available_stream_id()
            conversation.send_headers(stream, [(":method", "GET"), (":path", path), (":scheme", "https"),
                                               (":authority", f"localhost:{PORT}"), ("user-agent", "check-tls")],
                                      end_stream=True)
            streams[stream] = path
        connection.sendall(conversation.data_to_send())
        answers = {path: [{}, b"", False] for path in paths}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not all(done for _, _, done in answers.values()):
            data = connection.recv(65536)
            if not data:
                break
            for event in conversation.receive_data(data):
                path = streams.get(getattr(event, "stream_id", None))
                if isinstance(event, h2.events.ResponseReceived) and path:
                    answers[path][0] = {k.decode().lower(): v.decode() for k, v in event.headers}
                elif isinstance(event, h2.events.DataReceived) and path:
                    answers[path][1] += event.data
                    conversation.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded) and path:
                    answers[path][2] = True
                elif isinstance(event, h2.events.StreamReset) and path:
                    answers[path][2] = True
            connection.sendall(conversation.data_to_send())
        return protocol, {path: (head, body) for path, (head, body, done) in answers.items() if done}


def part_alpn(certificates, server):
    context = client_context(certificates.ca1, alpn=["h2", "http/1.1"])
    protocol, answers = h2_requests(context, ["/health/ready", "/products"])
    expect(protocol == "h2", f"ALPN offering h2 and http/1.1: the server chose {protocol!r}, not h2")
    for path in ("/health/ready", "/products"):
        expect(path in answers, f"HTTP/2 GET {path}: no complete answer")
        expect(answers[path][0].get(":status") == "200", f"HTTP/2 GET {path}: status {answers[path][0].get(':status')}")
    say("ALPN h2,http/1.1 → h2; GET /health/ready and /products on one HTTP/2 connection: 200, 200")
    with tls_connect(client_context(certificates.ca1, alpn=["http/1.1"])) as connection:
        expect(connection.selected_alpn_protocol() == "http/1.1",
               f"ALPN offering http/1.1 alone: the server chose {connection.selected_alpn_protocol()!r}")
    say("ALPN http/1.1 alone → http/1.1")
    if shutil.which("curl"):
        result = subprocess.run(["curl", "--http2", "-sS", "-o", os.devnull, "-w", "%{http_version}", "--max-time", "10",
                                 "--cacert", certificates.ca1, "--resolve", f"localhost:{PORT}:{HOST}",
                                 f"https://localhost:{PORT}/health/ready"], capture_output=True, text=True, timeout=20)
        expect(result.returncode == 0 and result.stdout.strip() == "2",
               f"curl --http2: HTTP version {result.stdout.strip()!r} (exit {result.returncode}: {result.stderr.strip()})")
        say("curl --http2: HTTP/2")
    return answers


def part_hsts(certificates, server):
    context = client_context(certificates.ca1)
    seen = []
    for method, path, headers, body in (("GET", "/health/live", {}, None), ("GET", "/health/ready", {}, None),
                                        ("GET", "/products", {}, None), ("GET", "/no-such-path", {}, None),
                                        ("GET", "/admin/orders", {}, None),
                                        ("POST", "/cart/items", {"Content-Type": "application/json"}, b"{")):
        status, response_headers, _ = https(context, method, path, headers, body)
        value = header(response_headers, "Strict-Transport-Security")
        expect(value is not None and HSTS.match(value),
               f"HTTP/1.1 {method} {path} ({status}): Strict-Transport-Security is {value!r}, not max-age=31536000")
        seen.append(f"{method} {path} {status}")
    say(f"Strict-Transport-Security: max-age=31536000 on HTTP/1.1 answers {', '.join(seen)}")
    protocol, answers = h2_requests(client_context(certificates.ca1, alpn=["h2"]), ["/health/ready", "/no-such-path"])
    expect(protocol == "h2" and len(answers) == 2, f"HTTP/2 answers for the header check: ALPN {protocol!r}, {len(answers)} answers")
    for path, (head, _) in answers.items():
        value = head.get("strict-transport-security")
        expect(value is not None and HSTS.match(value),
               f"HTTP/2 GET {path} ({head.get(':status')}): Strict-Transport-Security is {value!r}")
    statuses = ", ".join(f"{path} {head.get(':status')}" for path, (head, _) in answers.items())
    say(f"Strict-Transport-Security on HTTP/2 answers too ({statuses})")
    answer = plain_http_answer()
    expect(not answer.startswith(b"HTTP/"),
           f"plain HTTP to the TLS port got a plaintext answer: {answer[:120]!r}")
    shown = "nothing (connection closed)" if not answer else (
        f"a TLS alert ({answer[:7].hex()})" if answer[:1] == b"\x15" else f"{len(answer)} non-HTTP bytes")
    say(f"plain HTTP to the TLS port: no plaintext answer, {shown}")


def part_reload(certificates, server):
    context = client_context(certificates.ca1)
    results = []      # (started, finished, serial, error) per new connection
    kept = []         # (started, local port, serial, error) per request on the kept-alive connection
    lock = threading.Lock()
    stop_at = [time.monotonic() + 60]   # moved to 4 s after SIGHUP once it is sent

    def fresh_connections():
        for _ in range(5000):
            started = time.monotonic()
            if started >= stop_at[0]:
                return
            serial, error = None, None
            connection = http.client.HTTPSConnection(HOST, PORT, context=context, timeout=5)
            try:
                connection.connect()
                serial = serial_of(connection.sock)
                connection.request("GET", "/health/live", headers={"Connection": "close"})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    error = f"HTTP {response.status}"
            except (OSError, http.client.HTTPException, ssl.SSLError) as failure:
                error = f"{type(failure).__name__}: {failure}"
            finally:
                connection.close()
            with lock:
                results.append((started, time.monotonic(), serial, error))

    def kept_alive(connection):
        for _ in range(1000):
            started = time.monotonic()
            if started >= stop_at[0]:
                return
            port, serial, error = None, None, None
            try:
                if connection.sock is None:
                    error = "the kept-alive connection was closed and would have to be opened again"
                else:
                    port, serial = connection.sock.getsockname()[1], serial_of(connection.sock)
                    connection.request("GET", "/health/live")
                    response = connection.getresponse()
                    response.read()
                    if response.status != 200:
                        error = f"HTTP {response.status}"
                    elif response.will_close:
                        error = "the server asked to close the kept-alive connection"
            except (OSError, http.client.HTTPException, ssl.SSLError) as failure:
                error = f"{type(failure).__name__}: {failure}"
            with lock:
                kept.append((started, port, serial, error))
            if error:
                return
            time.sleep(0.25)

    keeper = http.client.HTTPSConnection(HOST, PORT, context=context, timeout=5)
    keeper.connect()
    threads = [threading.Thread(target=fresh_connections, daemon=True) for _ in range(4)]
    threads.append(threading.Thread(target=kept_alive, args=(keeper,), daemon=True))
    began = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(2)
    swapped = time.monotonic()
    server.install(certificates.two)
    hup = time.monotonic()
    server.hangup()
    stop_at[0] = hup + 4
    for thread in threads:
        thread.join(timeout=30)
    keeper.close()
    expect(not any(thread.is_alive() for thread in threads), "the load did not stop within 30 s of its end")

    def at(moment):
        return f"{(moment - hup) * 1000:+.0f} ms"

    failures = [(s, e) for s, _, _, e in results if e] + [(s, f"the kept-alive connection: {e}") for s, _, _, e in kept if e]
    expect(server.process.poll() is None,
           f"the server exited on SIGHUP (status {server.process.returncode}):\n{tail(server.log_path)}")
    expect(not failures, f"{len(failures)} of {len(results) + len(kept)} requests failed under the certificate swap; "
                         f"first: " + "; ".join(f"{at(s)} after SIGHUP: {e}" for s, e in sorted(failures)[:5]))
    before = [serial for _, finished, serial, _ in results if finished < swapped]
    expect(before and set(before) == {SERIAL_ONE},
           f"before the swap the handshakes saw serials {sorted(set(hex(s) for s in before))}, not {hex(SERIAL_ONE)}")
    late = [(started, serial) for started, _, serial, _ in results if started >= hup + 2]
    expect(len(late) >= 5, f"only {len(late)} handshakes began 2 s or more after SIGHUP; the load is too thin to tell")
    stale = [(started, serial) for started, serial in late if serial != SERIAL_TWO]
    expect(not stale, f"{len(stale)} of {len(late)} handshakes from 2 s after SIGHUP still got serial "
                      f"{hex(stale[0][1]) if stale else ''} (first at {at(stale[0][0]) if stale else ''}): "
                      f"the new certificate was not loaded")
    first_new = min(started for started, _, serial, _ in results if serial == SERIAL_TWO)
    ports = {port for _, port, _, _ in kept}
    expect(any(started > hup + 1 for started, _, _, _ in kept),
           "the kept-alive connection made no request more than 1 s after SIGHUP")
    expect(len(ports) == 1 and {serial for _, _, serial, _ in kept} == {SERIAL_ONE},
           f"the kept-alive connection changed: local ports {ports}, serials {[hex(s) for _, _, s, _ in kept]}")
    say(f"certificate swap under load: {len(results)} new connections and {len(kept)} kept-alive requests in "
        f"{time.monotonic() - began:.1f} s, none failed")
    say(f"new serial {hex(SERIAL_TWO)} from {at(first_new)} after SIGHUP; every handshake from +2 s on had it "
        f"({len(late)} of them); before the swap all had {hex(SERIAL_ONE)}")
    say(f"the connection kept alive since before the swap answered {len(kept)} times, last at "
        f"{at(max(s for s, _, _, _ in kept))}, still on the old certificate")


# --- PostgreSQL with TLS

def pg_bin():
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if not folders:
        raise Failed("PostgreSQL's server binaries are not installed (scripts/peers.sh: install_postgres)")
    return folders[-1]


class PrivatePostgres:
    """A throwaway cluster on localhost:PG_PORT that takes TLS connections only (hostssl), with the `pg`
    certificate (CN and SAN localhost, signed by CA1)."""

    def __init__(self, certificates):
        self.certificates = certificates
        self.bin = pg_bin()
        self.folder = tempfile.mkdtemp(prefix="atelier-tls-pg.")
        self.data = os.path.join(self.folder, "data")
        self.started = False

    def as_postgres(self, *command, **options):
        if os.geteuid() == 0:
            command = ("runuser", "-u", "postgres", "--", *command)
        return subprocess.run(command, capture_output=True, text=True, timeout=options.pop("timeout", 60), **options)

    def start(self):
        os.chmod(self.folder, 0o755)
        os.makedirs(self.data)
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres")
        result = self.as_postgres(f"{self.bin}/initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync",
                                  "-E", "UTF8")
        expect(result.returncode == 0, f"initdb: {result.stderr.strip()}")
        certificate, key = self.certificates.pg
        for source, name in ((certificate, "server.crt"), (key, "server.key")):
            target = os.path.join(self.data, name)
            shutil.copyfile(source, target)
            os.chmod(target, 0o600)
            if os.geteuid() == 0:
                shutil.chown(target, "postgres")
        with open(os.path.join(self.data, "pg_hba.conf"), "w") as hba:
            hba.write("local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n")
        result = self.as_postgres(f"{self.bin}/pg_ctl", "-D", self.data, "-w", "-t", "30", "-l",
                                  os.path.join(self.data, "server.log"), "-o",
                                  f"-p {PG_PORT} -k {self.data} -c listen_addresses=localhost -c fsync=off -c ssl=on "
                                  f"-c ssl_cert_file=server.crt -c ssl_key_file=server.key", "start")
        expect(result.returncode == 0, f"pg_ctl start: {result.stderr.strip() or result.stdout.strip()}\n"
                                       f"{tail(os.path.join(self.data, 'server.log'))}")
        self.started = True
        result = self.as_postgres(f"{self.bin}/psql", "-h", self.data, "-p", str(PG_PORT), "-U", "postgres", "-q",
                                  "-v", "ON_ERROR_STOP=1", "-c", "CREATE ROLE atelier LOGIN",
                                  "-c", "CREATE DATABASE atelier_tls OWNER atelier")
        expect(result.returncode == 0, f"create the role and database: {result.stderr.strip()}")
        return self

    def psql(self, conninfo, sql):
        return subprocess.run([f"{self.bin}/psql", conninfo, "-XAtq", "-c", sql], capture_output=True, text=True,
                              timeout=30, env=dict(os.environ, PGCONNECT_TIMEOUT="5"))

    def url(self, mode, ca=None):
        query = f"sslmode={mode}" + (f"&sslrootcert={ca}" if ca else "")
        return f"postgres://atelier@localhost:{PG_PORT}/atelier_tls?{query}"

    def stop(self):
        if self.started:
            self.as_postgres(f"{self.bin}/pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def atelier(command, database_url, seconds):
    """Runs `atelier COMMAND` against the database; returns (exit status or None if it ran past `seconds`, output,
    seconds taken)."""
    data = tempfile.mkdtemp(prefix="data-", dir=WORK)
    env = dict(os.environ, ATELIER_DATA_DIR=data, DATABASE_URL=database_url, ATELIER_LOG_LEVEL="info",
               ATELIER_LOG_FORMAT="text")
    started = time.monotonic()
    try:
        result = subprocess.run([BIN, command], env=env, capture_output=True, text=True, timeout=seconds)
        return result.returncode, result.stdout + result.stderr, time.monotonic() - started
    except subprocess.TimeoutExpired as timeout:
        output = (timeout.stdout or b"") + (timeout.stderr or b"")
        return None, output.decode(errors="replace") if isinstance(output, bytes) else output, seconds


def serve_against(database_url, port, seconds):
    """Starts `atelier serve` on plain HTTP against the database and watches it for `seconds`: returns (exit status or
    None if still running, whether /health/ready ever answered 200, output, seconds until exit)."""
    data = tempfile.mkdtemp(prefix="data-", dir=WORK)
    log_path = os.path.join(data, "serve.log")
    env = dict(os.environ, ATELIER_DATA_DIR=data, DATABASE_URL=database_url, PORT=str(port), ATELIER_LOG_LEVEL="info",
               ATELIER_LOG_FORMAT="text")
    for name in ("ATELIER_TLS_CERT_FILE", "ATELIER_TLS_KEY_FILE"):
        env.pop(name, None)
    process = subprocess.Popen([BIN, "serve"], env=env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    started = time.monotonic()
    ready = False
    try:
        while time.monotonic() - started < seconds and process.poll() is None:
            try:
                ready = ready or urllib.request.urlopen(f"http://{HOST}:{port}/health/ready", timeout=1).status == 200
            except OSError:
                pass
            time.sleep(0.2)
        status = process.poll()
        return status, ready, tail(log_path, 60), time.monotonic() - started
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def part_postgres(certificates, server):
    postgres = PrivatePostgres(certificates).start()
    try:
        # The setup, through libpq: TLS only, CA1 verifies, CA2 does not.
        base = f"host=localhost port={PG_PORT} user=atelier dbname=atelier_tls"
        plain = postgres.psql(f"{base} sslmode=disable", "SELECT 1")
        expect(plain.returncode != 0, "setup: PostgreSQL accepted a connection without TLS")
        good = postgres.psql(f"{base} sslmode=verify-full sslrootcert={certificates.ca1}",
                             "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        expect(good.returncode == 0 and good.stdout.strip() == "t", f"setup: psql verify-full with CA1: {good.stderr.strip()}")
        bad = postgres.psql(f"{base} sslmode=verify-full sslrootcert={certificates.ca2}", "SELECT 1")
        expect(bad.returncode != 0 and VERIFICATION_FAILURE.search(bad.stderr),
               f"setup: psql verify-full with CA2 was not refused for the certificate: {bad.stderr.strip() or bad.stdout}")
        reason = next(line for line in bad.stderr.splitlines() if VERIFICATION_FAILURE.search(line))
        say(f"setup: PostgreSQL on localhost:{PG_PORT} takes TLS only; psql verify-full trusts CA1 and refuses CA2 "
            f"({reason.strip()[-90:]})")

        failures = []
        status, output, took = atelier("migrate", postgres.url("verify-full", certificates.ca2), 15)
        if status is None:
            failures.append(f"atelier migrate with sslrootcert=CA2 (verify-full) was still running after 15 s; it must "
                            f"give up and exit non-zero within seconds:\n{output[-1500:]}")
        elif status == 0:
            failures.append("atelier migrate with sslrootcert=CA2 (verify-full) succeeded: the server certificate "
                            "was not verified against sslrootcert")
        elif not VERIFICATION_FAILURE.search(output):
            failures.append(f"atelier migrate with CA2 exited {status} without naming the certificate verification "
                            f"failure:\n{output[-1500:]}")
        else:
            say(f"atelier migrate, verify-full, CA2: exit {status} after {took:.1f} s — "
                f"{VERIFICATION_FAILURE.search(output).group(0)!r}")

        status, ready, output, took = serve_against(postgres.url("verify-full", certificates.ca2), PORT + 1, 15)
        if status is None or status == 0 or ready:
            failures.append(f"atelier serve with sslrootcert=CA2 (verify-full): "
                            f"{'still running after 15 s' if status is None else f'exit {status}'}, "
                            f"/health/ready {'answered 200' if ready else 'never 200'}; it must exit non-zero:\n"
                            f"{output[-1500:]}")
        elif not VERIFICATION_FAILURE.search(output):
            failures.append(f"atelier serve with CA2 exited {status} without naming the certificate verification "
                            f"failure:\n{output[-1500:]}")
        else:
            say(f"atelier serve, verify-full, CA2: exit {status} after {took:.1f} s, never ready")

        for mode in ("verify-full", "verify-ca"):
            status, output, took = atelier("migrate", postgres.url(mode, certificates.ca1), 60)
            if status != 0:
                failures.append(f"atelier migrate with sslrootcert=CA1 ({mode}): "
                                f"{'still running after 60 s' if status is None else f'exit {status}'}:\n{output[-1500:]}")
            else:
                say(f"atelier migrate, {mode}, CA1: exit 0 after {took:.1f} s ({output.strip().splitlines()[-1][:80] if output.strip() else ''})")
        expect(not failures, "\n".join(failures))
    finally:
        postgres.stop()


# --- main

def main():
    chosen = sys.argv[1:] or PARTS
    unknown = [p for p in chosen if p not in PARTS]
    if unknown:
        sys.exit(f"unknown part(s) {unknown}; choose from {PARTS}")
    os.makedirs(WORK, exist_ok=True)
    certificates = Certificates(os.path.join(WORK, "tls-certificates"))
    server = Server(certificates, os.path.join(WORK, "tls-live"))
    failed = {}
    server_error = None
    try:
        if any(p in chosen for p in ("versions", "alpn", "hsts", "reload")):
            try:
                server.start()
                print(f"atelier serve: HTTPS on port {PORT} with {server.cert_file} (serial {hex(SERIAL_ONE)})", flush=True)
            except Failed as failure:
                server_error = str(failure).splitlines()[0]
                print(f"FAILED to start the HTTPS server: {failure}", flush=True)
        for part in chosen:
            print(f"{part}:", flush=True)
            try:
                if part != "postgres" and server_error:
                    raise Failed(f"no HTTPS server to check ({server_error[:160]}…; see above)")
                globals()[f"part_{part}"](certificates, server)
            except Failed as failure:
                failed[part] = str(failure)
                print(f"  FAILED: {failure}", flush=True)
            except Exception as error:  # an unexpected error is a failure of this part, with its cause
                failed[part] = f"{type(error).__name__}: {error}"
                print(f"  FAILED: {type(error).__name__}: {error}", flush=True)
    finally:
        server.stop()
    if failed:
        print(f"tls: {len(failed)} of {len(chosen)} part(s) failed: {', '.join(failed)}")
        sys.exit(1)
    print("tls: ok")


if __name__ == "__main__":
    main()
