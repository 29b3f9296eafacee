#!/usr/bin/env bash
# Makes the base images the Dockerfile builds from, on a machine that cannot pull from a registry:
#
#   localhost/debian:bookworm      Debian 12, debootstrap's minbase variant, cleaned like debian:bookworm-slim
#   localhost/swift:6.3-bookworm   that base + what `swift build` needs from Debian + this machine's Swift toolchain
#
#   scripts/make-base-images.sh [debian|swift|all]     (default all; swift makes the Debian one first)
#
# An image that exists already is kept (`podman rmi` it to make it again). Runs as root on Debian 12.
# Environment: DEBIAN_MIRROR (default: the mirror apt uses here), DEBIAN_SECURITY_MIRROR (`none` leaves the
# security suite out), SWIFT_TOOLCHAIN (the toolchain's `usr` folder; default: the one `swift` on PATH is in),
# DEBIAN_IMAGE, SWIFT_IMAGE (the names above).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/image-common.sh

what=${1:-all}
case "$what" in debian | swift | all) ;; *) echo "usage: $0 [debian|swift|all]" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "$0: run as root (podman, debootstrap)" >&2; exit 1; }

scratch=""
cleanup() {
  [ -n "$scratch" ] && [ -d "$scratch" ] || return 0
  # debootstrap mounts /proc and /sys inside the tree it makes; never remove through a mount.
  { findmnt -rn -o TARGET | grep -F "$scratch/" || true; } | sort -r | while read -r target; do umount -l "$target" || true; done
  rm -rf --one-file-system "$scratch"
}
trap cleanup EXIT

make_debian() {
  if podman image exists "$DEBIAN_IMAGE"; then echo "$DEBIAN_IMAGE: exists"; return 0; fi
  local started=$SECONDS mirror security rootfs
  mirror=${DEBIAN_MIRROR:-$(debian_mirror)}
  mirror=${mirror%/}
  security=${DEBIAN_SECURITY_MIRROR:-$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' \
    | grep -E '/debian-security/?$' | head -1 || true)}
  security=${security:-http://deb.debian.org/debian-security}
  scratch=$(mktemp -d /var/tmp/atelier-rootfs.XXXXXX)
  rootfs=$scratch/rootfs
  echo "debootstrap --variant=minbase bookworm from $mirror…"
  if ! debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$scratch/debootstrap.log" 2>&1; then
    tail -20 "$scratch/debootstrap.log" >&2
    [ ! -f "$rootfs/debootstrap/debootstrap.log" ] || tail -20 "$rootfs/debootstrap/debootstrap.log" >&2
    return 1
  fi
  report_time debootstrap "$started"

  # As in the slim image: later package installs leave out documentation, manuals and translations
  # (copyright files stay), and apt keeps no package files behind.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  {
    echo "deb $mirror bookworm main"
    echo "deb $mirror bookworm-updates main"
    [ "$security" = none ] || echo "deb ${security%/} bookworm-security main"
  } >"$rootfs/etc/apt/sources.list"
  chroot "$rootfs" apt-get clean
  find "$rootfs/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/* "$rootfs"/var/cache/debconf/*-old \
    "$rootfs"/debootstrap
  : >"$rootfs/etc/hostname"
  : >"$rootfs/etc/resolv.conf"

  local imported=$SECONDS
  tar --numeric-owner --xattrs -C "$rootfs" -c . | podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    --message "Debian 12 (bookworm) minbase from $mirror" - "$DEBIAN_IMAGE" >/dev/null
  report_time "podman import of $DEBIAN_IMAGE" "$imported"
  cleanup
  scratch=""
  echo "$DEBIAN_IMAGE: made in $((SECONDS - started)) s ($(podman image inspect --format '{{.Size}}' "$DEBIAN_IMAGE") bytes)"
}

make_swift() {
  if podman image exists "$SWIFT_IMAGE"; then echo "$SWIFT_IMAGE: exists"; return 0; fi
  local started=$SECONDS toolchain swift_bin
  if [ -n "${SWIFT_TOOLCHAIN:-}" ]; then
    toolchain=$SWIFT_TOOLCHAIN
  else
    swift_bin=$(command -v swift) || { echo "no swift on PATH: set SWIFT_TOOLCHAIN to the toolchain's usr folder" >&2; return 1; }
    toolchain=$(dirname "$(dirname "$(readlink -f "$swift_bin")")")
  fi
  toolchain=$(readlink -f "$toolchain")
  [ -x "$toolchain/bin/swift" ] || { echo "$toolchain/bin/swift: not a Swift toolchain's usr folder" >&2; return 1; }
  echo "toolchain: $toolchain ($("$toolchain/bin/swift" --version 2>/dev/null | head -1))"

  scratch=$(mktemp -d /var/tmp/atelier-swift-image.XXXXXX)
  # What `swift build` needs from Debian, as the official swift:bookworm image has it: the C library and GCC's
  # support files the toolchain's clang links with, binutils (gold), git for SwiftPM, and the shared libraries the
  # toolchain's own programs load (ldd of swift-frontend, swift-package, clang, lld). The toolchain goes to
  # /opt/swift/usr, without the editor and debugger tools a build never runs (sourcekit-lsp, clangd, lldb,
  # docc, swift-format).
  cat >"$scratch/Containerfile" <<EOF
FROM $DEBIAN_IMAGE
RUN apt-get update \\
 && apt-get install -y --no-install-recommends \\
      binutils ca-certificates git libc6-dev libgcc-12-dev libstdc++-12-dev pkg-config zlib1g-dev \\
      libcurl4 libxml2 libsqlite3-0 libncurses6 libffi8 libuuid1 tzdata \\
 && rm -rf /var/lib/apt/lists/*
RUN mkdir -p /opt/swift/usr \\
 && tar -C /toolchain -c \\
      --exclude=./bin/sourcekit-lsp --exclude=./bin/clangd --exclude='./bin/lldb*' --exclude=./bin/docc \\
      --exclude=./bin/swift-format --exclude='./lib/liblldb.so*' --exclude=./lib/libsourcekitdInProc.so \\
      --exclude='./lib/libSwiftSourceKit*' --exclude='./lib/python3*' . \\
    | tar -C /opt/swift/usr -x
ENV PATH=/opt/swift/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["bash"]
EOF
  podman build --format docker --volume "$toolchain:/toolchain:ro" -t "$SWIFT_IMAGE" -f "$scratch/Containerfile" "$scratch"
  # Every program a build runs must find its libraries.
  podman run --rm "$SWIFT_IMAGE" bash -c '
    set -e
    swift --version
    for program in swift-frontend swift-driver swift-package swift-build-tool clang lld; do
      if ldd "/opt/swift/usr/bin/$program" | grep "not found"; then echo "$program: libraries missing" >&2; exit 1; fi
    done'
  cleanup
  scratch=""
  echo "$SWIFT_IMAGE: made in $((SECONDS - started)) s ($(podman image inspect --format '{{.Size}}' "$SWIFT_IMAGE") bytes)"
}

ensure_podman
make_debian
[ "$what" = debian ] || make_swift
