#!/usr/bin/env bash
# Debian packages the test suite needs, installed only when missing: Redis (distributed
# experiments over BullMQ), Chromium (browser tests and report screenshots) and fonts (text in
# PNG figures: without a font, resvg drops text silently). Nothing is downloaded from
# anywhere but Debian's own package archive.
set -euo pipefail
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
[ -d /usr/share/fonts/truetype/liberation ] || need+=(fonts-liberation)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing Debian packages the tests need: ${need[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "error: need root (or sudo) to apt-get install ${need[*]}" >&2; exit 1; }
  sudo=sudo
fi
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${need[@]}"
