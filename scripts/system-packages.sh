#!/usr/bin/env bash
# Install the Debian packages named as arguments, when missing.
# Only acts as root on Debian (or a derivative); elsewhere it lists what is missing and goes on,
# so that a user who installs them another way is not blocked.
set -euo pipefail
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
  done
else
  echo "system-packages: not a Debian system; make sure Pango (for WeasyPrint), fonts and, for tests, Chromium and poppler are installed." >&2
  exit 0
fi
[[ ${#missing[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "system-packages: missing Debian packages: ${missing[*]}" >&2
  echo "system-packages: install them with: sudo apt-get install ${missing[*]}" >&2
  exit 0
fi
echo "system-packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
