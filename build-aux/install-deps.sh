#!/bin/sh
# Installs everything Vestibule needs to build, run and test on Debian 12.
# Idempotent: apt-get skips what is already there.
set -eu
PKGS="
  meson ninja-build pkg-config gcc clang libclang-rt-14-dev gettext appstream desktop-file-utils
  libglib2.0-dev libglib2.0-bin libssl-dev libqrencode-dev libjson-glib-dev zlib1g-dev
  libzxcvbn-dev libpwquality-dev cracklib-runtime liboath-dev libcotp-dev
  libsoup-3.0-dev libsqlite3-dev sqlite3 libcurl4-openssl-dev
  slapd ldap-utils libldap-dev
  libgtk-4-dev libadwaita-1-dev
  oathtool zbar-tools python3 python3-aiosmtpd wrk valgrind
  xvfb xauth dbus dbus-x11 at-spi2-core python3-pyatspi gir1.2-atspi-2.0 xdotool imagemagick
  locales
  flatpak-builder help2man groff-base man-db systemd librsvg2-bin x11-utils
"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
