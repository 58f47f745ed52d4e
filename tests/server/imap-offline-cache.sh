#!/bin/bash
# Reading an IMAP account offline from its cache (tmux, the private
# Dovecot).  A first run reads two messages (one with an attachment) and
# opens a second folder.  Then the account points at a port where nothing
# listens, as when the laptop has no network: the reader opens offline
# from the cache -- the index, the messages read before (the others say
# they were not kept), the folder list and the other folder; a flag, a
# move and a purge made meanwhile go to the journal and the server is
# untouched.  The next run that reaches the server sends them (UID STORE,
# UID MOVE, UID EXPUNGE), each checked with imaplib, and reads a message
# read before without asking the server for it.
. "${top_srcdir:-.}/tests/lib.sh"
session=ioffline IMAP_TMUX=1
. "${top_srcdir:-.}/tests/server/lib-imap.sh"

cat > "$scratch/client.py" <<'PY'
import imaplib, ssl, sys, re
m = imaplib.IMAP4_SSL("localhost", int(sys.argv[1]),
                      ssl_context=ssl.create_default_context(cafile=sys.argv[2]), timeout=20)
m.login("alice", "alice-pw")
act = sys.argv[3]
def msg(subject, body, date):
    return ("From: someone@example.org\r\nSubject: %s\r\nDate: Mon, 2 Nov 2026 10:%02d:00 +0000\r\n"
            "\r\n%s\r\n" % (subject, date, body)).encode()
if act == "setup":
    m.create("Archive")
    m.append("INBOX", None, None, msg("first note", "the first text, kept", 1))
    m.append("INBOX", None, None, msg("second note", "the second text", 2))
    m.append("INBOX", None, None, msg("third note", "never read before", 3))
    att = "QUJD" * 20000
    m.append("INBOX", None, None, (
        "From: someone@example.org\r\nSubject: fourth note\r\nDate: Mon, 2 Nov 2026 10:04:00 +0000\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n"
        "--b1\r\nContent-Type: text/plain\r\n\r\nthe fourth text, with a file\r\n"
        "--b1\r\nContent-Type: application/octet-stream; name=data.bin\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b1--\r\n" % att).encode())
    m.append("Archive", None, None, msg("archived long ago", "old", 5))
elif act == "flags":   # FLAGS of the message with that subject in INBOX, or GONE
    m.select(sys.argv[5] if len(sys.argv) > 5 else "INBOX", readonly=True)
    typ, data = m.uid("SEARCH", None, "SUBJECT", '"%s"' % sys.argv[4])
    if not data[0].split():
        print("GONE")
    else:
        typ, data = m.uid("FETCH", data[0].split()[0], "(FLAGS)")
        print(re.search(rb"FLAGS \(([^)]*)\)", data[0]).group(1).decode() or "-")
m.logout()
PY
py() { python3 "$scratch/client.py" "$IMAPS_PORT" "$CA_FILE" "$@"; }
py setup || { echo "Bail out! the Python client failed"; exit 1; }
export HOME="$scratch" XDG_STATE_HOME="$scratch/state" XDG_CACHE_HOME="$scratch/cache"

# A port where nothing listens: bind one, note it, let it go.
closed=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
imap_conf "$scratch/online.conf" mail
imap_conf "$scratch/offline.conf" mail "$closed"
echo 'connect_timeout = 2' >> "$scratch/offline.conf"
reader() { imap_reader "$1" "$2" mail; }
journal="$scratch/state/tern/imap-mail.journal"

# 1. Online: read the first and the fourth message, open Archive.
reader "$scratch/online.conf" "$scratch/log1"
check "online, the reader opens INBOX" wait_for "fourth note"
keys Home
wait_for " 1/4"
keys Enter
check "the first message is read" wait_for "the first text, kept"
keys q
wait_for "Msgs:4"
keys End
keys Enter
check "the fourth, with an attachment" wait_for "the fourth text, with a file"
keys q
wait_for "Msgs:4"
keys c
wait_for "Archive"
row=$(screen | grep -n "Archive" | head -1 | cut -d: -f1)
keys Home
for _ in $(seq 3 "$row"); do keys Down; done
keys Enter
check "Archive is opened" wait_for "archived long ago"
keys q
check "q quits" wait_for "TERN-EXITED 0"

# 2. The server cannot be reached.
"$tern" -F "$scratch/offline.conf" -a mail </dev/null >"$scratch/out" 2>"$scratch/err"
rc=$?
check "piped, offline: the list as last seen (exit $rc)" sh -c "[ $rc -eq 0 ] && grep -q 'third note' '$scratch/out'"
check "with a warning" grep -q "cannot be reached: the list is as it was last seen" "$scratch/err"

"$tern" -F "$scratch/offline.conf" show -a mail 1 >"$scratch/out" 2>"$scratch/err"
rc=$?
check "tern show, offline: a message read before, from the cache (exit $rc)" sh -c \
	"[ $rc -eq 0 ] && grep -q 'the first text, kept' '$scratch/out'"
"$tern" -F "$scratch/offline.conf" show -a mail 3 >"$scratch/out" 2>"$scratch/err"
rc=$?
check "one never read: a clear error (exit $rc)" sh -c \
	"[ $rc -eq 3 ] && grep -q 'was not read before' '$scratch/err'"
"$tern" -F "$scratch/offline.conf" search -a mail note >"$scratch/out" 2>"$scratch/err"
rc=$?
check "tern search, offline: needs the server, and says why (exit $rc)" sh -c \
	"[ $rc -eq 3 ] && grep -q 'searching needs the server' '$scratch/err' &&
	 grep -q 'refused' '$scratch/err'"

reader "$scratch/offline.conf" "$scratch/log2"
check "offline, the reader opens INBOX from the cache" wait_for "fourth note"
check "the status line says offline" wait_for "(offline)"
check "and says why" contains "$(screen)" "refused"
keys Home
wait_for " 1/4"
keys Enter
check "a message read before opens" wait_for "the first text, kept"
keys q
wait_for "fourth note"
keys Down Down
keys Enter
check "one never read says it is not kept" wait_for "was not read before"
keys End
keys Enter
check "the one with an attachment opens" wait_for "the fourth text, with a file"
check "its attachment announced" wait_for "data.bin"
keys q
wait_for "fourth note"
keys c
check "the folder list, from the cache" wait_for "Archive"
row=$(screen | grep -n "Archive" | head -1 | cut -d: -f1)
keys Home
for _ in $(seq 3 "$row"); do keys Down; done
keys Enter
check "Archive opens offline" wait_for "archived long ago"
keys c
wait_for "INBOX"
keys Home Enter
wait_for "fourth note"
# A flag, a move and a purge, offline.  (The notices may be overwritten
# at once by the next "Offline; trying again": the journal is checked.)
journaled() { # journaled KIND COUNT: the journal has COUNT lines of KIND, within 5 s
	i=0
	while [ $i -lt 50 ]; do
		[ "$(grep -c "^$1 " "$journal" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	diag "journal: $(cat "$journal" 2>/dev/null)"
	return 1
}
keys Home
wait_for " 1/4"
keys F
check "a flag set offline is kept" journaled F 1
keys Home Down
wait_for " 2/4"
keys s
wait_for "Save to mailbox:"
text "Archive"
keys Enter
check "a move offline is kept" journaled M 1
check "and the message leaves the index" wait_for "Msgs:3"
check "it was the second one" sh -c "! \"$tmux\" -S '$sock' capture-pane -p -t '$session' | grep -q 'second note'"
keys End
wait_for " 3/3"
keys d
keys '$'
wait_for "Purge 1 deleted message?"
keys y
check "a purge offline is kept" journaled X 1
check "and the message leaves the index" wait_for "Msgs:2"
keys q
check "q quits" wait_for "TERN-EXITED 0"
check "the journal holds two flags (F, d), a move and an expunge" sh -c \
	"grep -c '^F ' '$journal' | grep -qx 2 && grep -c '^M ' '$journal' | grep -qx 1 &&
	 grep -c '^X ' '$journal' | grep -qx 1"
check "the server is untouched meanwhile" sh -c \
	"[ \"\$(python3 '$scratch/client.py' '$IMAPS_PORT' '$CA_FILE' flags 'second note')\" != GONE ] &&
	 [ \"\$(python3 '$scratch/client.py' '$IMAPS_PORT' '$CA_FILE' flags 'fourth note')\" != GONE ]"
check "no connection was made" sh -c "! grep -q 'C: ' '$scratch/log2'"

# 3. Back online: the changes are sent, in order.
reader "$scratch/online.conf" "$scratch/log3"
check "online again, the changes made offline are sent" wait_for "changes made offline were sent"
check "the first message is flagged there" sh -c \
	"python3 '$scratch/client.py' '$IMAPS_PORT' '$CA_FILE' flags 'first note' | grep -q Flagged"
check "the second is in Archive, not in INBOX" sh -c \
	"[ \"\$(python3 '$scratch/client.py' '$IMAPS_PORT' '$CA_FILE' flags 'second note')\" = GONE ] &&
	 [ \"\$(python3 '$scratch/client.py' '$IMAPS_PORT' '$CA_FILE' flags 'second note' Archive)\" != GONE ]"
check "the fourth is gone" [ "$(py flags 'fourth note')" = GONE ]
check "by UID STORE, UID MOVE and UID EXPUNGE" sh -c \
	"grep -q 'C: t[0-9]* UID STORE [0-9]* (UNCHANGEDSINCE [0-9]*) +FLAGS.SILENT (\\\\Flagged)' '$scratch/log3' &&
	 grep -q 'C: t[0-9]* UID MOVE [0-9]* Archive\$' '$scratch/log3' &&
	 grep -q 'C: t[0-9]* UID EXPUNGE [0-9]*\$' '$scratch/log3'"
check "and the journal is emptied" [ ! -e "$journal" ]
check "the index shows the server's two messages" wait_for "Msgs:2"
keys Home
wait_for " 1/2"
keys Enter
check "a message read before opens" wait_for "the first text, kept"
check "without asking the server for it" sh -c "! grep -q 'BODYSTRUCTURE\|BODY.PEEK\[\]\|BODY.PEEK\[HEADER\]' '$scratch/log3'"
keys q
wait_for "Msgs:2"
keys q
check "q quits" wait_for "TERN-EXITED 0"
done_testing
