#!/usr/bin/env bash
# Builds the release image: the Dockerfile's default target `runtime`, with the binary compiled in its build stage
# (swift build -c release --static-swift-stdlib: about 25 minutes on two cores, cold).
#
#   scripts/build-image.sh [VERSION]       tags atelier:VERSION (default: the commit, `git describe --always --dirty`)
#
# SWIFT_IMAGE and RUNTIME_IMAGE name the base images (default: the local ones scripts/make-base-images.sh makes,
# made first when missing; give swift:6.3-bookworm and debian:bookworm-slim where a registry is reachable).
#
# Where git fetches github.com from a local mirror (a `url.<folder>.insteadOf` in git's system or global
# configuration), the build's RUN steps get those folders read-only and a gitconfig with the same rewrites, so
# SwiftPM resolves the dependencies offline; elsewhere the build stage clones from the network as usual.
# Runs as root with podman.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/image-common.sh

version=${1:-$(git describe --always --dirty 2>/dev/null || echo dev)}
tag=${IMAGE_NAME:-atelier}:$version
runtime_image=${RUNTIME_IMAGE:-$DEBIAN_IMAGE}
started=$SECONDS

ensure_podman
case "$SWIFT_IMAGE $runtime_image" in *localhost/*) scripts/make-base-images.sh all ;; esac

scratch=$(mktemp -d /tmp/atelier-build-image.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mounts=()
rewrites=$(git config --system --get-regexp '^url\..*\.insteadof$' 2>/dev/null || true)
rewrites+=$'\n'$(git config --global --get-regexp '^url\..*\.insteadof$' 2>/dev/null || true)
while read -r key original; do
  [ -n "$key" ] || continue
  folder=${key#url.}
  folder=${folder%.insteadof}
  case "$folder" in /*) ;; *) continue ;; esac  # only local mirrors need mounting; a URL rewrite to a server is skipped
  [ -d "$folder" ] || continue
  git config --file "$scratch/gitconfig" --add "url.$folder.insteadOf" "$original"
  case " ${mounts[*]-} " in *" $folder:$folder:ro "*) ;; *) mounts+=(--volume "$folder:$folder:ro") ;; esac
done <<<"$rewrites"
if [ -f "$scratch/gitconfig" ]; then
  chmod 644 "$scratch/gitconfig"
  mounts+=(--volume "$scratch/gitconfig:/etc/gitconfig:ro")
  echo "git mirror for the build stage: $(git config --file "$scratch/gitconfig" --get-regexp '^url\.' | awk '{print $1}' | sort -u | tr '\n' ' ')"
fi

command=(podman build --format docker --target runtime
  --build-arg "SWIFT_IMAGE=$SWIFT_IMAGE" --build-arg "RUNTIME_IMAGE=$runtime_image"
  ${mounts[@]+"${mounts[@]}"} -t "$tag" -f Dockerfile .)
echo "${command[*]}"
t=$SECONDS
"${command[@]}"
report_time "podman build --target runtime" "$t"
echo "$tag: $(( $(podman image inspect --format '{{.Size}}' "$tag") / 1000000 )) MB"
report_time build-image "$started"
