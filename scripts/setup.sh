#!/usr/bin/env bash
# Brings a fresh Debian machine with Node 20 to the point where the hub and its tests run.
# Quick when everything is already in place. Usage: scripts/setup.sh [--for-tests]
set -euo pipefail
cd "$(dirname "$0")/.."

for_tests=0
[ "${1:-}" = "--for-tests" ] && for_tests=1

say() { printf '[setup] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root to run: $*"; return 1; fi
}

# Debian packages: binary to look for -> package names.
missing=()
need() { command -v "$1" >/dev/null 2>&1 || [ -e "$1" ] || missing+=("${@:2}"); }
need ffmpeg ffmpeg
need redis-server redis-server
# A CJK font for burned-in evidence captions (ffmpeg drawtext, sharp SVG text): Chinese camera names and operators.
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then missing+=(fonts-noto-cjk fontconfig); fi
# The RTSP server used by the camera simulator (GStreamer's gst-rtsp-server through PyGObject).
if ! /usr/bin/python3 -c "import gi; gi.require_version('GstRtspServer','1.0')" >/dev/null 2>&1; then
  missing+=(python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad)
fi
if [ "$for_tests" = 1 ]; then
  need /usr/bin/chromium chromium
  # Chinese glyphs for the player's zh-CN pages in headless Chromium (the browser tests fail on tofu boxes).
  if ! fc-list :lang=zh 2>/dev/null | grep -q .; then missing+=(fonts-noto-cjk fontconfig); fi
  if ! command -v pg_ctlcluster >/dev/null 2>&1 && [ "${HUB_SKIP_PG:-0}" != 1 ]; then missing+=(postgresql); fi
fi

if [ "${#missing[@]}" -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# PostgreSQL for the tests: start the local cluster when nothing answers on 127.0.0.1:5432.
if [ "$for_tests" = 1 ] && [ "${HUB_SKIP_PG:-0}" != 1 ] && [ -z "${HUB_TEST_PG_URL:-}" ]; then
  if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$version" ]; then
      say "starting PostgreSQL $version"
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
      # A fresh Debian cluster asks for a password on TCP: give the postgres role the one tests use.
      for _ in $(seq 1 20); do (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && break; sleep 0.5; done
      as_root runuser -u postgres -- psql -q -c "ALTER USER postgres PASSWORD 'postgres'" >/dev/null 2>&1 || true
    fi
  fi
fi

# npm packages: reinstall only when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  if ! npm ci --no-audit --no-fund --loglevel=error 2>/tmp/hub-npm-ci.log; then
    # npm 11.16+ leaves optional platform packages the registry lacks out of the lock it writes, then
    # rejects that same lock in `npm ci` (npm/cli#9846). `npm install --no-save` installs the locked
    # versions without rewriting the lock.
    if grep -q 'EUSAGE' /tmp/hub-npm-ci.log; then
      say "npm ci refused the lock file (npm/cli#9846); installing the locked versions with npm install --no-save"
      npm install --no-save --no-audit --no-fund --loglevel=error
    else
      cat /tmp/hub-npm-ci.log >&2
      exit 1
    fi
  fi
fi
