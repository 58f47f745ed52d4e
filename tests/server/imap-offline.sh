#!/bin/bash
# Offline reading with the server stopped (tmux, the private Dovecot, which
# tests/server/dovecot.sh stops and starts again on the same ports): the
# reader on INBOX notices at once that the server is gone and says
# "offline"; the index stays readable and navigable; a message read
# before opens from the cache, one never fetched cannot and stays unread;
# a flag set meanwhile is kept
# in the journal; when Dovecot is back, tern reconnects by itself and sends
# the change (UNCHANGEDSINCE, accepted although tern's own \Seen moved the
# message's MODSEQ), checked with imaplib; the journal is then empty.  A
# second time offline: a change kept, tern quit, started again while the
# server is still down (the account opens offline from the cache), and
# that run, once the server is back, reconnects and sends the kept change.
. "${top_srcdir:-.}/tests/lib.sh"
session=ioffline IMAP_TMUX=1
. "${top_srcdir:-.}/tests/server/lib-imap.sh"

cat > "$scratch/client.py" <<'PY'
import imaplib, ssl, sys, re
m = imaplib.IMAP4_SSL("localhost", int(sys.argv[1]),
                      ssl_context=ssl.create_default_context(cafile=sys.argv[2]), timeout=20)
m.login("alice", "alice-pw")
if sys.argv[3] == "setup":
    for s in ["alpha note", "beta note", "gamma note"]:
        m.append("INBOX", None, None, ("From: bob@example.org\r\nSubject: %s\r\n"
                 "Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nthe body of %s\r\n"
                 % (s, s)).encode())
elif sys.argv[3] == "flags":     # flags SUBJECT: that message's flags
    m.select("INBOX", readonly=True)
    typ, data = m.uid("SEARCH", None, "SUBJECT", '"%s"' % sys.argv[4])
    typ, data = m.uid("FETCH", data[0].split()[0], "(FLAGS)")
    print(re.search(rb"FLAGS \(([^)]*)\)", data[0]).group(1).decode())
m.logout()
PY
py() { python3 "$scratch/client.py" "$IMAPS_PORT" "$CA_FILE" "$@"; }
journal="$scratch/state/tern/imap-mail.journal"
# wait_screen SECS TEXT: polls the screen until TEXT is on it.
wait_screen() {
	end=$((SECONDS + $1))
	until screen | grep -qF -- "$2"; do
		if [ $SECONDS -ge "$end" ]; then
			diag "no \"$2\" within $1 s; the screen was:" "$(screen)"
			return 1
		fi
		sleep 0.2
	done
}
# wait_flag SECS SUBJECT FLAG: polls imaplib until the message has FLAG.
wait_flag() {
	end=$((SECONDS + $1))
	until py flags "$2" | grep -qF -- "$3"; do
		if [ $SECONDS -ge "$end" ]; then
			diag "\"$2\" has flags ($(py flags "$2")), not $3, after $1 s"
			return 1
		fi
		sleep 0.2
	done
}
# screen_has TEXT...: every TEXT is on the screen now.
screen_has() {
	s=$(screen)
	for want; do contains "$s" "$want" || return 1; done
}
# row_is SUBJECT ERE: the index line of that message matches ERE (5 s).
row_is() {
	end=$((SECONDS + 5))
	until screen | grep -F -- "$1" | grep -Eq -- "$2"; do
		if [ $SECONDS -ge "$end" ]; then
			diag "the line of \"$1\" does not match /$2/:" "$(screen | grep -F -- "$1")"
			return 1
		fi
		sleep 0.1
	done
}
# run LOG: tern on the account in a new tmux server (the old one gone).
run() { imap_reader "$scratch/tern.conf" "$scratch/$1" mail; }
server() { bash "$dovecot_sh" "$1" "$srv" >"$scratch/dovecot.out" 2>&1 || cat "$scratch/dovecot.out"; }
t_start=$SECONDS

py setup || { echo "Bail out! the Python client failed"; exit 1; }
imap_conf "$scratch/tern.conf" mail
run log
check "the reader opens INBOX" wait_for "gamma note"
keys Home
wait_for " 1/3"
keys Enter
check "Enter opens the first message" wait_for "the body of alpha note"
keys q
check "and q goes back to the index, online" wait_for "(online) 1/3"
check "the message is read on the server" wait_flag 5 "alpha note" '\Seen'

# The server stops: IDLE ends (BYE, then EOF); the first reconnection is
# refused, and the status line says so.
server stop
t0=$SECONDS
check "Dovecot stopped: tern notices it, the status line says offline" wait_screen 10 "(offline) 1/3"
diag "offline after $((SECONDS - t0)) s"
check "and why" wait_for "Connection refused"
check "the index stays readable" screen_has "alpha note" "beta note" "gamma note"
keys End
check "and navigable (End)" wait_for "(offline) 3/3"
keys k
check "(k)" wait_for "(offline) 2/3"
# A message read before opens from the cache; one never fetched cannot.
keys Home
wait_for "(offline) 1/3"
keys Enter
check "offline, a message read before opens (from the cache)" wait_for "the body of alpha note"
keys q
wait_for "(offline) 1/3"
keys Down
wait_for "(offline) 2/3"
keys Enter
check "a message never fetched cannot be opened offline" wait_for "was not read before"
check "and stays unread" row_is "beta note" '^ +2 N '
check "with nothing kept for the server" [ ! -e "$journal" ]
keys Home
wait_for "(offline) 1/3"
keys F
check "a flag set offline (on the message read before) is kept" wait_for "Offline: the change is kept"
check "the index shows it" row_is "alpha note" '^ +1 F '
check "in the account's journal, on disk" [ -s "$journal" ]

# The server is back on the same ports: tern reconnects by itself (its
# backoff reaches 60 s at most; it checks every 5 s) and sends the change.
server start
t0=$SECONDS
check "Dovecot again: tern reconnects by itself, the status line says online" \
	wait_screen 75 "(online)"
diag "online again after $((SECONDS - t0)) s"
check "the flag set offline reaches the server" wait_flag 10 "alpha note" '\Flagged'
check "and the read flag stays" wait_flag 1 "alpha note" '\Seen'
check "sent with UNCHANGEDSINCE (CONDSTORE)" \
	grep -q 'C: t[0-9]* UID STORE [0-9]* (UNCHANGEDSINCE [0-9]*) +FLAGS.SILENT (\\Flagged)' "$scratch/log"
check "accepted: tern knew the MODSEQ its own \\Seen had given the message" \
	sh -c "! grep -q 'S: t[0-9]* OK \\[MODIFIED' '$scratch/log'"
check "the journal is empty afterwards" [ ! -e "$journal" ]

# Offline again; the change is kept when tern quits.
server stop
check "stopped again: offline again" wait_screen 10 "(offline)"
keys End
wait_for "3/3"
keys F
check "another flag set offline" wait_for "Offline: the change is kept"
keys q
check "q quits while offline" wait_for "TERN-EXITED 0"
check "the change stays in the journal" [ -s "$journal" ]
cp "$journal" "$scratch/journal.before"

# Started again while the server is still down: the account opens
# offline from the cache, and this run reconnects by itself once the
# server is back, sending the kept change.
run log2
check "started while the server is down: the index from the cache" wait_for "gamma note"
check "offline" wait_for "(offline)"
check "the journal is untouched" cmp -s "$journal" "$scratch/journal.before"
server start
check "the server back: this run reconnects by itself" wait_screen 75 "(online)"
check "and sends the kept change" sh -c "grep -q 'C: t[0-9]* UID STORE [0-9]* .*+FLAGS.SILENT (.Flagged)' '$scratch/log2'"
check "it reaches the server" wait_flag 10 "gamma note" '\Flagged'
check "and the journal is empty again" [ ! -e "$journal" ]
keys q
check "q quits" wait_for "TERN-EXITED 0"
diag "the test took $((SECONDS - t_start)) s"
done_testing
