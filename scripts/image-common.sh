# shellcheck shell=bash
# Shared by the container image scripts (make-base-images.sh, build-image.sh, check-image.sh). Sourced, never run.
# Podman from Debian, run as root; no registry is needed: the base images are made locally by make-base-images.sh.

# shellcheck source=scripts/peers.sh
. "$(dirname "${BASH_SOURCE[0]}")/peers.sh"

# The images the Dockerfile's SWIFT_IMAGE and RUNTIME_IMAGE arguments are given here.
DEBIAN_IMAGE=${DEBIAN_IMAGE:-localhost/debian:bookworm}
SWIFT_IMAGE=${SWIFT_IMAGE:-localhost/swift:6.3-bookworm}

# Podman, runc and debootstrap from Debian, and a containers.conf that works on hosts where the defaults do not:
# crun refuses a mixed cgroup v1/v2 layout and root may be unable to raise RLIMIT_NOFILE to podman's default.
# An existing /etc/containers/containers.conf is left as it is.
ensure_podman() {
  install_debian podman runc debootstrap
  if [ ! -e /etc/containers/containers.conf ]; then
    mkdir -p /etc/containers
    cat >/etc/containers/containers.conf <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
    echo "wrote /etc/containers/containers.conf (runc, cgroupfs, file events, bounded ulimits)" >&2
  fi
}

# The Debian mirror apt uses on this machine (deb822 sources first, then sources.list), else deb.debian.org.
debian_mirror() {
  local uri
  uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' \
    | grep -E '/debian/?$' | head -1 || true)
  [ -n "$uri" ] || uri=$(grep -hsE '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    | awk '{print $2}' | grep -E '/debian/?$' | head -1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

# Prints "label: N s" for a step timed with SECONDS.
report_time() {  # $1: label, $2: SECONDS at the start
  echo "time: $1: $((SECONDS - $2)) s"
}
