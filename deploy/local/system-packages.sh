#!/usr/bin/env bash
# Installs the system packages the local stack and the tests need, only when
# missing (Debian/apt; we run as root on these machines). Idempotent and quiet
# when everything is present.
set -euo pipefail

declare -A package_of=(
  [java]=openjdk-17-jre-headless
  [mvn]=maven
  [unzip]=unzip
  [prometheus]=prometheus
  [promtool]=prometheus
  [prometheus-alertmanager]=prometheus-alertmanager
  [docker-compose]=docker-compose
  [python3]=python3
  [chromium]=chromium
)

missing=()
for tool in "${!package_of[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${package_of[$tool]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)
echo "installing system packages: ${packages[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "not root: install them with: sudo apt-get install -y ${packages[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-get not found: install ${packages[*]} with your package manager" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
