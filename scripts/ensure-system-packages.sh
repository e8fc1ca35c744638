#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages kiosk needs when they are missing.
# Usage: scripts/ensure-system-packages.sh GROUP...   (groups: runtime, test, package)
# As root it runs apt-get; otherwise it prints the exact command to run and fails.
set -euo pipefail

runtime=(
  # QtWebEngine (even offscreen)
  libasound2 libbrotli1 libdbus-1-3 libegl1 libfontconfig1 libfreetype6 libgbm1 libgl1
  libglib2.0-0 libnspr4 libnss3 libx11-6 libxcb1 libxcb-dri3-0 libxcomposite1 libxdamage1
  libxext6 libxfixes3 libxkbcommon0 libxkbfile1 libxrandr2 libxtst6
  # Qt's xcb platform plugin
  libx11-xcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-shm0 libxcb-sync1
  libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0
  # the X server's list of its clients and their pids (X-Resource): who else is on the display
  libxcb-res0
  # a readable font, and a virtual X server so `kiosk demo` works on a machine without a display
  fonts-dejavu-core xvfb xauth
  # mediapipe's face detector (GLES even on CPU), sounddevice's PortAudio
  libgles2 libportaudio2
  # Qt's wayland platform plugin (the kiosk's Wayland session)
  libwayland-cursor0
)
test=(
  # a window manager (focus and fullscreen only exist with one), X tools to drive it
  openbox xdotool x11-xserver-utils
  # a real capture path without a sound card (a PulseAudio null sink), speech for audio fixtures
  pulseaudio pulseaudio-utils libasound2-plugins espeak-ng sox
  # a real Secret Service for the keyring tests, in a private D-Bus session
  dbus gnome-keyring
  # a screen reader's accessibility bus (AT-SPI): the assistive technology tests read the kiosk
  at-spi2-core
  # the desktop's own validator for the desktop entry the package installs
  desktop-file-utils
  # the kiosk's Wayland session: cage, and the X server it starts for X clients
  cage xwayland
)

package=(
  # building the .deb, and what installing it triggers and is checked with
  xz-utils desktop-file-utils shared-mime-info xdg-utils
)

wanted=()
for group in "$@"; do
  case "$group" in
    runtime) wanted+=("${runtime[@]}") ;;
    test) wanted+=("${test[@]}") ;;
    package) wanted+=("${package[@]}") ;;
    *) echo "ensure-system-packages: unknown group '$group'" >&2; exit 2 ;;
  esac
done

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "kiosk needs Python 3.11 or newer; '$python' is $("$python" --version 2>&1)." >&2
  exit 1
fi
# Debian's own Python splits venv/ensurepip into a separate package.
if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
  wanted+=("python3-venv")
fi

missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages. Run this once, then try again:" >&2
  echo "  sudo apt-get update && sudo $cmd" >&2
  exit 1
fi
echo "Installing missing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
$cmd -qq >/dev/null
