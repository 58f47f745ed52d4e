#!/bin/bash
# trash = FOLDER on an IMAP account (tmux, the private Dovecot, imaplib
# checking): $ moves the deleted messages to the trash, whole (\Deleted
# removed first), instead of expunging them; a trash folder that does not
# exist is a clear error, and the messages stay as they were.
. "${top_srcdir:-.}/tests/lib.sh"
session=itrash IMAP_TMUX=1
. "${top_srcdir:-.}/tests/server/lib-imap.sh"

cat > "$scratch/client.py" <<'PY'
import imaplib, ssl, sys
m = imaplib.IMAP4_SSL("localhost", int(sys.argv[1]),
                      ssl_context=ssl.create_default_context(cafile=sys.argv[2]), timeout=20)
m.login("alice", "alice-pw")
if sys.argv[3] == "setup":
    m.create("Trash")
    for s in ("first note", "second note", "third note"):
        m.append("INBOX", None, None, ("From: b@example.org\r\nSubject: %s\r\n\r\nx\r\n" % s).encode())
else:                            # folder: "subject flags" of each message
    m.select(sys.argv[4], readonly=True)
    typ, data = m.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    for item in data:
        if isinstance(item, tuple):
            print(item[1].decode().strip().split(": ", 1)[1],
                  "deleted" if b"\\Deleted" in item[0] else "kept")
m.logout()
PY
py() { python3 "$scratch/client.py" "$IMAPS_PORT" "$CA_FILE" "$@"; }
py setup || { echo "Bail out! python"; exit 1; }
conf() { # conf TRASH
	imap_conf "$scratch/tern.conf" mail
	printf 'trash = %s\n' "$1" >> "$scratch/tern.conf"
}
start() { imap_reader "$scratch/tern.conf" "$scratch/log" mail; }

conf Trash
start
wait_for "Msgs:3"
keys Home
wait_for " 1/3"
keys d '$'
check "\$ asks before purging" wait_for "Purge 1 deleted message?"
keys y
check "the message leaves the index" wait_for "Msgs:2"
check "the other client finds it in Trash, not deleted there" sh -c \
	"python3 '$scratch/client.py' '$IMAPS_PORT' '$CA_FILE' list Trash | grep -qx 'first note kept'"
check "and no longer in INBOX" sh -c \
	"! python3 '$scratch/client.py' '$IMAPS_PORT' '$CA_FILE' list INBOX | grep -q 'first note'"
check "its \\Deleted removed, then UID MOVE" sh -c \
	"grep -qF 'UID STORE 1 -FLAGS.SILENT (\Deleted)' '$scratch/log' &&
	 grep -q 'C: t[0-9]* UID MOVE 1 Trash\$' '$scratch/log'"
keys q
wait_for "TERN-EXITED"
"$tmux" -S "$sock" kill-server 2>/dev/null
i=0; while [ $i -lt 50 ] && "$tmux" -S "$sock" ls >/dev/null 2>&1; do sleep 0.1; i=$((i + 1)); done
rm -f "$sock"

conf Nowhere
start
wait_for "Msgs:2"
keys Home
wait_for " 1/2"
keys d '$'
wait_for "Purge 1 deleted message?"
keys y
check "a trash folder that does not exist: a clear error" wait_for "there is no folder Nowhere"
check "the message stays in the index" contains "$(screen)" "Msgs:2"
check "and on the server, still marked deleted" sh -c \
	"python3 '$scratch/client.py' '$IMAPS_PORT' '$CA_FILE' list INBOX | grep -qx 'second note deleted'"
keys x
check "x quits" wait_for "TERN-EXITED 0"
done_testing
