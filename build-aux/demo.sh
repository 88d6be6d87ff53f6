#!/bin/sh
# Try Vestibule on this computer: installs what is missing, builds, starts a
# local vestibule-server with a demo account in a temporary database and a
# local mail sink that prints every e-mail here, then opens the wizard on it.
# Everything stops, and the temporary folder goes, when the wizard closes.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

./build-aux/install-deps.sh

build=_build/demo
if [ -f "$build/build.ninja" ]; then
  meson setup --reconfigure "$build" >/dev/null
else
  meson setup "$build" >/dev/null
fi
ninja -C "$build"

free_port () {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vestibule-demo.XXXXXX")
http_port=$(free_port)
smtp_port=$(free_port)
server_url="http://127.0.0.1:$http_port"
pids=""
cleanup () {
  for pid in $pids; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# The helpdesk token lives in a file only the demo can read, never on argv.
(umask 077; /usr/bin/python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > "$tmp/admin-token")

cat > "$tmp/vestibule-server.conf" <<CONF
[server]
listen=127.0.0.1:$http_port
database=$tmp/vestibule.db
admin-token-file=$tmp/admin-token

[organisation]
name=Vestibule demo
issuer=Vestibule demo
space-name=Demo collaborative space
space-url=https://example.org/collaborative-space
password-policy=default

[mail]
smtp-url=smtp://127.0.0.1:$smtp_port
from=Vestibule demo <noreply@example.org>
retry-base-seconds=1
CONF

/usr/bin/python3 build-aux/mail-sink.py "127.0.0.1:$smtp_port" "$tmp/mail" &
pids="$pids $!"

VESTIBULE_DATADIR="$top/data" VESTIBULE_LOCALEDIR="$top/$build/po" \
  "$build/src/server/vestibule-server" --config "$tmp/vestibule-server.conf" 2>"$tmp/server.log" &
pids="$pids $!"

tries=0
until /usr/bin/python3 -c "import urllib.request; urllib.request.urlopen('$server_url/api/v1/info', timeout=1)" 2>/dev/null; do
  tries=$((tries + 1))
  if [ "$tries" -gt 50 ]; then
    echo "The demo server did not start; its log:" >&2
    cat "$tmp/server.log" >&2
    exit 1
  fi
  sleep 0.2
done

case "${LANGUAGE:-${LC_ALL:-${LC_MESSAGES:-${LANG:-en}}}}" in
  fr*) demo_lang=fr ;;
  *) demo_lang=en ;;
esac
"$build/src/admin/vestibule-admin" --server "$server_url" --token-file "$tmp/admin-token" \
  invite demo --email demo@example.org --name "Alex Demo" --language "$demo_lang" >/dev/null

cat <<MSG

Vestibule demo
  server:        $server_url  (log: $tmp/server.log)
  demo account:  login "demo", invited in "$demo_lang"
  e-mails:       printed below as they are sent, and saved in $tmp/mail
  helpdesk:      $build/src/admin/vestibule-admin --server $server_url --token-file $tmp/admin-token list

MSG

GSETTINGS_SCHEMA_DIR="$top/$build/data" VESTIBULE_LOCALEDIR="$top/$build/po" \
  "$build/src/wizard/vestibule" --server "$server_url" "vestibule://invite?login=demo"
