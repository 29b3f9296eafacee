# Atelier's container image: the `atelier` binary on Debian 12, run as an unprivileged user, its data in a volume.
#
#   docker build -t atelier .                                   (or: podman build --format docker -t atelier .)
#   docker run -e DATABASE_URL=… -e ATELIER_PAYMENT_PROVIDERS=stripe … -p 8080:8080 atelier
#
# Stages:
#   build             a release build with the Swift runtime linked in (--static-swift-stdlib); about 25 minutes
#                     on two cores
#   runtime-base      Debian with the libraries the binary loads, the user `atelier` (uid 10001), the data volume,
#                     the environment and the health check
#   runtime-prebuilt  runtime-base + a binary built elsewhere, from the folder PREBUILT of the build context
#                     (made by scripts/stage-binary.sh: CI reuses the binary it has just tested)
#   runtime           runtime-base + the build stage's binary; the default target
# Without a registry, scripts/make-base-images.sh makes local images to give as SWIFT_IMAGE and RUNTIME_IMAGE.
# docs/container.md tells the rest.

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
# libpng and libjpeg are linked by CImageCheck, zlib by async-http-client's decompression. The versions are the
# ones of the Debian release the base image follows (see runtime-base).
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpng-dev libjpeg62-turbo-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The manifest (and Package.resolved when there is one) alone first: the resolved dependencies are a layer that
# survives changes to the sources.
COPY Package.* ./
RUN swift package resolve
COPY Sources ./Sources
# The manifest names the test targets' folders; they must exist even though only `atelier` is built.
COPY Tests ./Tests
# /staging is laid out as the runtime's file system: the binary, its resource bundles beside it (Bundle.module
# finds them next to the executable), and the backtracer a statically linked binary uses when it crashes.
RUN swift build -c release --static-swift-stdlib --product atelier \
 && bin="$(swift build -c release --static-swift-stdlib --show-bin-path)" \
 && toolchain="$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")" \
 && mkdir -p /staging/usr/local/bin /staging/usr/local/libexec/atelier \
 && cp "$bin/atelier" /staging/usr/local/bin/ \
 && cp -R "$bin"/*.resources /staging/usr/local/bin/ \
 && cp "$toolchain/libexec/swift/linux/swift-backtrace-static" /staging/usr/local/libexec/atelier/

FROM ${RUNTIME_IMAGE} AS runtime-base
LABEL org.opencontainers.image.title="Atelier" \
      org.opencontainers.image.description="Headless commerce backend for made-to-order, customizable products"
# What the binary loads beside glibc: libpng and libjpeg (image checks), libwebp (opened at run time for WebP
# uploads), zlib, libstdc++; CA certificates for the payment providers and webhooks over TLS; tzdata for
# ATELIER_SHOP_TIMEZONE. Versions are not pinned: they are those of Debian 12 and its security updates, which a
# rebuild should pick up; a pinned version disappears from the mirror with the next update and breaks the build.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates libjpeg62-turbo libpng16-16 libstdc++6 libwebp7 tzdata zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 atelier \
 && useradd --system --uid 10001 --gid atelier --home-dir /var/lib/atelier --no-create-home \
      --shell /usr/sbin/nologin atelier \
 && mkdir -p /var/lib/atelier \
 && chown atelier:atelier /var/lib/atelier \
 && chmod 0750 /var/lib/atelier
ENV ATELIER_HOSTNAME=0.0.0.0 \
    PORT=8080 \
    ATELIER_DATA_DIR=/var/lib/atelier \
    ATELIER_LOG_FORMAT=json
# The SQLite database (when DATABASE_URL is unset), uploaded assets, generated data keys, outgoing mail and the
# first start's bootstrap files. Everything else can be read-only.
VOLUME ["/var/lib/atelier"]
WORKDIR /var/lib/atelier
EXPOSE 8080
# Healthy = ready: the server answers /health/ready with 200 once its database answers. Bash (always in Debian)
# speaks the HTTP itself through /dev/tcp, so the image needs no curl; it asks the port in PORT on loopback, or on
# ATELIER_HOSTNAME when that is one address.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "host=${ATELIER_HOSTNAME:-127.0.0.1}; case $host in 0.0.0.0|::|'') host=127.0.0.1 ;; esac; exec 3<>\"/dev/tcp/$host/${PORT:-8080}\" && printf 'GET /health/ready HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && read -r -t 4 _ status _ <&3 && [ \"$status\" = 200 ]"]
STOPSIGNAL SIGTERM
USER 10001:10001
ENTRYPOINT ["/usr/local/bin/atelier"]
CMD ["serve"]

FROM runtime-base AS runtime-prebuilt
# PREBUILT is laid out as the file system it is copied onto: usr/local/bin/atelier with its resource bundles, and
# for a binary built without --static-swift-stdlib the Swift runtime libraries it loads in usr/local/lib/atelier,
# found through LD_LIBRARY_PATH (the binary's own RUNPATH names the build machine's toolchain).
ARG PREBUILT=dist
COPY ${PREBUILT}/ /
ENV LD_LIBRARY_PATH=/usr/local/lib/atelier

FROM runtime-base AS runtime
COPY --from=build /staging/ /
ENV SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/local/libexec/atelier/swift-backtrace-static
