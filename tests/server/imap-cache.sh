#!/bin/bash
# The IMAP cache against the private Dovecot: the second open of INBOX
# asks the server only what changed (SELECT ... QRESYNC, no summaries
# fetched again) and lists the same; after another client (imaplib)
# flagged one message, expunged one and added one, the next open gets
# exactly that (VANISHED, the new flags, the one new summary); a new
# UIDVALIDITY voids the folder's cache; a cache file that is garbage is
# rebuilt.  Each time the listing is compared with what the server has.
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/server/lib-imap.sh"
export XDG_STATE_HOME="$scratch/state" XDG_CACHE_HOME="$scratch/cache"

cat > "$scratch/client.py" <<'PY'
import imaplib, ssl, sys
m = imaplib.IMAP4_SSL("localhost", int(sys.argv[1]),
                      ssl_context=ssl.create_default_context(cafile=sys.argv[2]), timeout=20)
m.login("alice", "alice-pw")
act = sys.argv[3]
def msg(i):
    return ("From: sender%d@example.org\r\nSubject: message %d\r\n"
            "Date: Mon, 2 Nov 2026 10:%02d:00 +0000\r\n\r\nbody %d\r\n" % (i, i, i % 60, i)).encode()
if act == "setup":
    for i in range(1, 41):
        m.append("INBOX", None, None, msg(i))
elif act == "change":
    m.select("INBOX")
    m.uid("STORE", "5", "+FLAGS", "(\\Flagged)")
    m.uid("STORE", "7", "+FLAGS", "(\\Deleted)")
    m.expunge()
    m.append("INBOX", None, None, msg(41))
elif act == "flag":   # flags the message with that subject
    m.select("INBOX")
    typ, data = m.uid("SEARCH", None, "SUBJECT", '"%s"' % sys.argv[4])
    m.uid("STORE", data[0].split()[0], "+FLAGS", "(\\Flagged)")
elif act == "list":   # "subject flagged" of each message, in UID order
    m.select("INBOX", readonly=True)
    typ, data = m.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    for item in data:
        if isinstance(item, tuple):
            subj = item[1].decode().strip().split(": ", 1)[1]
            print(subj, "F" if b"\\Flagged" in item[0] else "-")
m.logout()
PY
py() { python3 "$scratch/client.py" "$IMAPS_PORT" "$CA_FILE" "$@"; }
py setup || { echo "Bail out! the Python client failed"; exit 1; }
imap_conf "$scratch/tern.conf" im
run() {
	rm -f "$scratch/log"
	"$tern" -F "$scratch/tern.conf" --log "$scratch/log" -a im </dev/null >"$scratch/out" 2>"$scratch/err"
}
# shown: "subject flag" per line of tern's listing (flag column F or -).
shown() {
	# (the subject starts at column 50: number, flags, date and sender
	# are fixed-width; mawk has no {n} in regular expressions)
	awk '{ print substr($0, 50), (substr($0, 8, 1) == "F" ? "F" : "-") }' "$scratch/out"
}
sent() { grep 'C: ' "$scratch/log" | sed 's/.* C: //'; }

run; rc=$?
check "the first open lists INBOX (exit $rc)" [ "$rc" -eq 0 ]
check "as the server has it" [ "$(shown)" = "$(py list)" ]
check "fetching every summary" grep -q 'C: t[0-9]* FETCH 1:40 (UID FLAGS' "$scratch/log"
check "and writes a cache" [ -s "$scratch/cache/tern/imap-im.sqlite" ]

run; rc=$?
check "the second open lists the same (exit $rc)" [ "$(shown)" = "$(py list)" ]
check "asking for changes since the cached state (QRESYNC)" \
	grep -Eq 'C: t[0-9]* (SELECT|EXAMINE) INBOX \(QRESYNC \([0-9]+ [0-9]+\)\)' "$scratch/log"
check "and fetching no summary again" sh -c "! grep 'C: ' '$scratch/log' | grep -q 'HEADER.FIELDS (DATE'"

py change
run; rc=$?
diag "$(sent | head -8)"
check "after another client's changes: the listing is the server's (exit $rc)" \
	[ "$(shown)" = "$(py list)" ]
check "the expunged message is gone" sh -c "! grep -q 'message 7\$' '$scratch/out'"
check "the new one is there" grep -q 'message 41' "$scratch/out"
check "the flag is seen" sh -c "grep 'message 5\$' '$scratch/out' | grep -Eq '^ +[0-9]+ .F'"
check "the server said so with VANISHED (EARLIER) and FETCH FLAGS" sh -c \
	"grep -q 'S: \* VANISHED (EARLIER) 7' '$scratch/log' && grep -q 'S: \* [0-9]* FETCH (UID 5 .*Flagged' '$scratch/log'"
check "only the new message's summary was fetched" sh -c \
	"[ \$(grep 'C: ' '$scratch/log' | grep -c 'HEADER.FIELDS (DATE') -eq 1 ] && grep -q 'C: t[0-9]* UID FETCH 41:\*' '$scratch/log'"

# A new UIDVALIDITY: the folder's cache is void.
doveadm -c "$DOVECOT_CONF" mailbox update -u alice --uid-validity 12345 INBOX 2>"$scratch/dv.err" ||
	diag "doveadm: $(cat "$scratch/dv.err")"
run; rc=$?
check "a new UIDVALIDITY: the listing is still the server's (exit $rc)" [ "$(shown)" = "$(py list)" ]
check "every summary fetched again" grep -q 'C: t[0-9]* FETCH 1:40 (UID FLAGS' "$scratch/log"

# A cache file that is garbage.
head -c 5000 /dev/urandom > "$scratch/cache/tern/imap-im.sqlite"
run; rc=$?
check "a garbage cache file: the listing is right (exit $rc)" [ "$(shown)" = "$(py list)" ]
check "the log says the cache was rebuilt" grep -q "rebuilt" "$scratch/log"
run
check "and the next open uses the new cache" sh -c "! grep 'C: ' '$scratch/log' | grep -q 'HEADER.FIELDS (DATE'"

# tern show of one message does not write the cache: it would take that
# message for the folder, and its HIGHESTMODSEQ for the whole folder's --
# another client's change since would never be asked for again.
py flag "message 9"
uid=$(awk '/message 3$/ { print $1 }' "$scratch/out")
"$tern" -F "$scratch/tern.conf" show -a im "$uid" >/dev/null 2>"$scratch/err" ||
	diag "show: $(cat "$scratch/err")"
run; rc=$?
check "after tern show, the listing still has another client's change (exit $rc)" sh -c \
	"grep 'message 9\$' '$scratch/out' | grep -Eq '^ +[0-9]+ .F'"
check "and is the server's" [ "$(shown)" = "$(py list)" ]
done_testing
