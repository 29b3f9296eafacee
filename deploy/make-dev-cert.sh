#!/usr/bin/env bash
# Makes a self-signed certificate for nginx in deploy/compose.yaml: deploy/certs/atelier.crt and atelier.key.
# For trying the stack out only; browsers and clients will not trust it (curl --cacert deploy/certs/atelier.crt).
#
#   deploy/make-dev-cert.sh [NAME ...]     names for the certificate (default: localhost); IP addresses allowed
#   CERT_DIR=/elsewhere deploy/make-dev-cert.sh
#   DAYS=30 deploy/make-dev-cert.sh
set -euo pipefail

dir=${CERT_DIR:-"$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/certs"}
days=${DAYS:-30}
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(localhost 127.0.0.1 ::1)

san=""
for name in "${names[@]}"; do
  if [[ $name =~ ^[0-9.]+$ || $name == *:* ]]; then san+="${san:+,}IP:$name"; else san+="${san:+,}DNS:$name"; fi
done

command -v openssl >/dev/null || { echo "openssl is needed (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir"
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -sha256 -nodes -days "$days" \
  -subj "/CN=${names[0]}" -addext "subjectAltName=$san" \
  -addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=critical,digitalSignature" \
  -addext "extendedKeyUsage=serverAuth" \
  -keyout "$dir/atelier.key" -out "$dir/atelier.crt" 2>/dev/null
chmod 644 "$dir/atelier.crt"
echo "wrote $dir/atelier.crt and atelier.key ($san, $days days)"
