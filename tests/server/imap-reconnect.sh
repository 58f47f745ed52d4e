#!/bin/bash
# Connection lost while the reader is open on an IMAP account (tmux, the
# private Dovecot): the server drops the session (doveadm kick) -- tern
# reconnects by itself, selects the folder again and goes on (new mail
# pushed, flags sent); then the server refuses the login for a while --
# tern says it is offline and why, tries again with a growing delay, and
# is back once the login works; a change kept offline when tern is killed
# goes out with the next run.  (The server stopped and started again, the
# index offline and the journal replayed on reconnection: imap-offline.sh.)
. "${top_srcdir:-.}/tests/lib.sh"
session=ireconn IMAP_TMUX=1
. "${top_srcdir:-.}/tests/server/lib-imap.sh"

cat > "$scratch/client.py" <<'PY'
import imaplib, ssl, sys, re
m = imaplib.IMAP4_SSL("localhost", int(sys.argv[1]),
                      ssl_context=ssl.create_default_context(cafile=sys.argv[2]), timeout=20)
import os
# The password of the moment: the one tern is given too.
m.login("alice", open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pw")).read().strip())
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
echo alice-pw > "$scratch/pw"
py append "before the drop" && py append "second one" || { echo "Bail out! python"; exit 1; }
# The password of the moment, which the test changes: cat, not echo.
imap_conf "$scratch/tern.conf" mail
sed -i "s|^password_command = .*|password_command = cat $scratch/pw|" "$scratch/tern.conf"
echo alice-pw > "$scratch/pw"
imap_reader "$scratch/tern.conf" "$scratch/log" mail
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

# The login is refused for a while: offline, and why; tries again.
bash "$dovecot_sh" adduser "$srv" alice other-pw >/dev/null
doveadm -c "$DOVECOT_CONF" kick alice >/dev/null 2>&1
check "a refused reconnection: tern says it is offline" wait_for "Offline; trying again in"
check "and why" contains "$(screen)" "login with scram-sha-256 failed"
check "and tries again with a growing delay (2 s, then 4 s)" wait_for "Offline; trying again in 4 s"
echo other-pw > "$scratch/pw"
check "once the login works again, tern is back" wait_for "Reconnected to localhost."
keys q
check "q quits" wait_for "TERN-EXITED 0"

# Offline, a change, then tern is killed: the next run sends it.
imap_reader "$scratch/tern.conf" "$scratch/log2" mail
wait_for "after the drop"
bash "$dovecot_sh" adduser "$srv" alice third-pw >/dev/null
doveadm -c "$DOVECOT_CONF" kick alice >/dev/null 2>&1
wait_for "Offline; trying again in"
keys End
keys F
check "another flag set offline" wait_for "Offline: the change is kept"
pkill -KILL -f "tern -F $scratch/tern.conf" 2>/dev/null
sleep 0.5
echo third-pw > "$scratch/pw"
imap_reader "$scratch/tern.conf" "$scratch/log3" mail
check "after a kill -9, the next run opens the folder" wait_for "1 change made offline was sent."
keys q
wait_for "TERN-EXITED"
check "and has sent the kept change" sh -c \
	"python3 '$scratch/client.py' '$IMAPS_PORT' '$CA_FILE' flags 'after the drop' | grep -q Flagged"
check "and the journal is emptied" [ ! -e "$scratch/state/tern/imap-mail.journal" ]
done_testing
