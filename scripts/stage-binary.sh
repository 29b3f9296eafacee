#!/usr/bin/env bash
# Lays out a built `atelier` for the Dockerfile's runtime-prebuilt stage, as the file system it is copied onto:
#
#   OUT_DIR/usr/local/bin/atelier                     the binary
#   OUT_DIR/usr/local/bin/atelier_*.resources/        its resource bundles (Bundle.module looks beside the binary)
#   OUT_DIR/usr/local/lib/atelier/*.so                the Swift runtime libraries it loads (ldd), from the toolchain;
#                                                     none for a binary built with --static-swift-stdlib
#
#   scripts/stage-binary.sh BIN_DIR OUT_DIR           (BIN_DIR: e.g. .build/debug or .build/release)
#
# Libraries of the system (glibc, libstdc++, libpng, libjpeg, zlib) are not copied: runtime-base installs them from
# Debian. OUT_DIR's usr/ is replaced; nothing else in OUT_DIR is touched.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 BIN_DIR OUT_DIR" >&2; exit 2; }
bin_dir=$1 out=$2
[ -x "$bin_dir/atelier" ] || { echo "$bin_dir/atelier: no such executable" >&2; exit 1; }

libraries=$(ldd "$bin_dir/atelier") || { echo "ldd $bin_dir/atelier failed" >&2; exit 1; }
if grep -q 'not found' <<<"$libraries"; then
  echo "$bin_dir/atelier: libraries not found here:" >&2
  grep 'not found' <<<"$libraries" >&2
  exit 1
fi

mkdir -p "$out"
rm -rf "${out:?}/usr"
mkdir -p "$out/usr/local/bin"
cp "$bin_dir/atelier" "$out/usr/local/bin/"
bundles=0
for bundle in "$bin_dir"/*.resources; do
  [ -d "$bundle" ] || continue
  cp -R "$bundle" "$out/usr/local/bin/"
  bundles=$((bundles + 1))
done

# The Swift runtime: every library ldd resolves from a toolchain's lib/swift/linux folder (symbolic links
# followed, so the folder holds plain files under the names the binary asks for).
swift_libs=$(awk '$2 == "=>" && $3 ~ /\/lib\/swift\/linux\// { print $3 }' <<<"$libraries")
count=0
if [ -n "$swift_libs" ]; then
  mkdir -p "$out/usr/local/lib/atelier"
  while read -r library; do
    cp -L "$library" "$out/usr/local/lib/atelier/"
    count=$((count + 1))
  done <<<"$swift_libs"
fi

system_libs=$(awk '$2 == "=>" && $3 !~ /\/lib\/swift\/linux\// { print $1 }' <<<"$libraries" | sort | tr '\n' ' ')
echo "staged $bin_dir/atelier, $bundles resource bundle(s) and $count Swift runtime librar$([ "$count" = 1 ] && echo y || echo ies) into $out ($(du -sh "$out/usr" | cut -f1))"
echo "from the system (runtime-base installs them): $system_libs"
