#!/bin/bash
# Connection lost while the reader is open on an IMAP account (tmux, the
# private Dovecot): the server drops the session (doveadm kick) -- tern
# reconnects by itself, selects the folder again and goes on (new mail
# pushed, flags sent); then the server refuses the login for a while --
# tern says it is offline and keeps the index readable, tries again with a
# growing delay, and is back once the login works again.
. "${top_srcdir:-.}/tests/lib.sh"
if ! command -v "${DOVECOT_BIN:-dovecot}" >/dev/null 2>&1 &&
   [ ! -x /usr/sbin/dovecot ]; then
	echo "1..0 # SKIP dovecot not installed"
	exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 (the second IMAP client) not installed"
	exit 0
fi
export PATH="$PATH:/usr/sbin"
session=ireconn
make_scratch
. "${top_srcdir:-.}/tests/e2e/tmux.sh"
chmod 711 "$scratch"
dovecot_sh="${top_srcdir:-.}/tests/server/dovecot.sh"
tern=$(cd "$(dirname "$TERN")" && pwd)/$(basename "$TERN")
srv="$scratch/srv"
trap 'bash "$dovecot_sh" stop "$srv" >/dev/null 2>&1; tmux_cleanup' EXIT INT TERM
bash "$dovecot_sh" start "$srv" >/dev/null || { echo "Bail out! dovecot did not start"; exit 1; }
. "$srv/env"

cat > "$scratch/client.py" <<'PY'
import imaplib, ssl, sys, re
m = imaplib.IMAP4_SSL("localhost", int(sys.argv[1]),
                      ssl_context=ssl.create_default_context(cafile=sys.argv[2]), timeout=20)
m.login("alice", "alice-pw")
if sys.argv[3] == "append":
    m.append("INBOX", None, None, ("From: x@example.org\r\nSubject: %s\r\n\r\nbody\r\n"
                                   % sys.argv[4]).encode())
elif sys.argv[3] == "flags":
    m.select("INBOX", readonly=True)
    typ, data = m.uid("SEARCH", None, "SUBJECT", '"%s"' % sys.argv[4])
    typ, data = m.uid("FETCH", data[0].split()[0], "(FLAGS)")
    print(re.search(rb"FLAGS \(([^)]*)\)", data[0]).group(1).decode())
m.logout()
PY
py() { python3 "$scratch/client.py" "$IMAPS_PORT" "$CA_FILE" "$@"; }
py append "before the drop" && py append "second one" || { echo "Bail out! python"; exit 1; }
{
	printf '[account mail]\nmode = imap\nhost = localhost\nport = %s\n' "$IMAPS_PORT"
	printf 'user = alice\npassword_command = cat %s/pw\ntls_ca_file = %s\n' "$scratch" "$CA_FILE"
} > "$scratch/tern.conf"
chmod 600 "$scratch/tern.conf"
echo alice-pw > "$scratch/pw"
"$tmux" -S "$sock" -f /dev/null new-session -d -s "$session" -x 110 -y 24 \
	"env HOME='$scratch' XDG_STATE_HOME='$scratch/state' XDG_CACHE_HOME='$scratch/cache' \
	 LANG=C.UTF-8 '$tern' -F '$scratch/tern.conf' --log '$scratch/log' -a mail; \
	 echo TERN-EXITED \$?; sleep 60"
check "the reader opens INBOX" wait_for "second one"
sleep 1
doveadm -c "$DOVECOT_CONF" kick alice >/dev/null 2>&1
check "the server drops the session: tern reconnects by itself" wait_for "Reconnected to localhost."
py append "after the drop"
check "new mail is pushed again after the reconnection" wait_for "after the drop"
keys Home
keys F
sleep 1
check "flags go to the server again" sh -c "python3 '$scratch/client.py' '$IMAPS_PORT' '$CA_FILE' flags 'before the drop' | grep -q Flagged"

# The login is refused for a while: offline, the index stays, retries.
bash "$dovecot_sh" adduser "$srv" alice other-pw >/dev/null
doveadm -c "$DOVECOT_CONF" kick alice >/dev/null 2>&1
check "a refused reconnection: tern says it is offline" wait_for "Offline; trying again in"
check "and why" contains "$(screen)" "login with scram-sha-256 failed"
check "the index is still there" contains "$(screen)" "after the drop"
check "the status line says offline" contains "$(screen)" "(offline)"
echo other-pw > "$scratch/pw"
check "once the login works again, tern is back" wait_for "Reconnected to localhost."
check "and online" wait_for "(online)"
check "with a growing delay between tries" sh -c "grep -c 'reconnecting to' '$scratch/log' | grep -qv '^[01]\$'"
keys q
check "q quits" wait_for "TERN-EXITED 0"
done_testing
