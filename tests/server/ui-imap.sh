#!/bin/bash
# The reader on an IMAP account (tmux, the private Dovecot over TLS), each
# effect checked from a second, independent client (Python's imaplib):
# the index from the server's summaries; opening a message sets \Seen; F
# sets \Flagged, d and $ expunge on the server; a message another client
# appends, and a flag it sets, appear without a keypress (IDLE); / runs UID SEARCH
# on the server; c lists the folders (modified UTF-7 decoded) and opens
# one.  The protocol log shows only BODY.PEEK and +FLAGS/-FLAGS stores.
. "${top_srcdir:-.}/tests/lib.sh"
session=uimap IMAP_TMUX=1
. "${top_srcdir:-.}/tests/server/lib-imap.sh"

# py ACTION...: the second client.
cat > "$scratch/client.py" <<'PY'
import imaplib, ssl, sys, re
port, ca, action = int(sys.argv[1]), sys.argv[2], sys.argv[3]
m = imaplib.IMAP4_SSL("localhost", port, ssl_context=ssl.create_default_context(cafile=ca),
                      timeout=20)
m.login("alice", "alice-pw")
def msg(frm, subj, body="hello\r\n"):
    return ("From: %s\r\nTo: alice@example.org\r\nSubject: %s\r\n"
            "Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\n%s" % (frm, subj, body)).encode()
if action == "setup":
    for f, s in [("bob@example.org", "first note"), ("carol@example.org", "second note"),
                 ("dave@example.org", "third note")]:
        m.append("INBOX", None, None, msg(f, s))
    m.create("Entw&APw-rfe")
    m.create("Archive")
    m.append("Entw&APw-rfe", None, None, msg("erin@example.org", "draft in umlaut folder"))
    import base64
    pdf = open(sys.argv[4], "rb").read()
    att = ("Content-Type: multipart/mixed; boundary=\"XyZ\"\r\nMIME-Version: 1.0\r\n\r\n"
           "--XyZ\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           "see the attached report\r\n"
           "--XyZ\r\nContent-Type: application/pdf; name=report.pdf\r\n"
           "Content-Disposition: attachment; filename=report.pdf\r\n"
           "Content-Transfer-Encoding: base64\r\n\r\n"
           + base64.encodebytes(pdf).decode().replace("\n", "\r\n") + "--XyZ--\r\n")
    m.append("Entw&APw-rfe", None, None,
             ("From: gina@example.org\r\nTo: alice@example.org\r\nSubject: report attached\r\n"
              "Date: Tue, 3 Nov 2026 10:00:00 +0000\r\n").encode() + att.encode())
elif action == "flags":          # flags SUBJECT: the flags of that message
    m.select("INBOX", readonly=True)
    typ, data = m.uid("SEARCH", None, "SUBJECT", '"%s"' % sys.argv[4])
    uids = data[0].split()
    if not uids:
        print("GONE"); sys.exit(0)
    typ, data = m.uid("FETCH", uids[0], "(FLAGS)")
    print(re.search(rb"FLAGS \(([^)]*)\)", data[0]).group(1).decode())
elif action == "count":          # count FOLDER
    typ, data = m.select(sys.argv[4], readonly=True)
    print(int(data[0]))
elif action == "folders":        # every folder, "NAME subscribed|-"
    typ, subs = m.lsub('""', '"*"')
    subs = {l.decode().split(' "/" ')[-1].strip('"') for l in subs if l}
    typ, data = m.list('""', '"*"')
    for l in data:
        name = l.decode().split(' "/" ')[-1].strip('"')
        print(name, "subscribed" if name in subs else "-")
elif action == "append":
    m.append("INBOX", None, None, msg("frank@example.org", sys.argv[4]))
elif action == "flag":           # flag SUBJECT: +\Flagged on that message
    m.select("INBOX")
    typ, data = m.uid("SEARCH", None, "SUBJECT", '"%s"' % sys.argv[4])
    m.uid("STORE", data[0].split()[0], "+FLAGS", "(\\Flagged)")
m.logout()
PY
py() { python3 "$scratch/client.py" "$IMAPS_PORT" "$CA_FILE" "$@"; }
# has_folder LINE: the other client lists this "NAME subscribed|-" line,
# within 5 s (the screen may show a name still being typed at a prompt).
has_folder() {
	i=0
	while [ $i -lt 25 ]; do
		py folders | grep -qx -- "$1" && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}
head -c 2000000 /dev/urandom > "$scratch/report.pdf"
py setup "$scratch/report.pdf" || { echo "Bail out! the Python client failed"; exit 1; }

imap_conf "$scratch/tern.conf" mail
imap_reader "$scratch/tern.conf" "$scratch/log" mail
check "the reader opens INBOX of the IMAP account" wait_for "third note"
check "with every message of it" sh -c "screen() { \"$tmux\" -S '$sock' capture-pane -p -t '$session'; };
	screen | grep -q 'first note' && screen | grep -q 'second note'"
check "the status line counts them" wait_for "Msgs:3"

keys Home
wait_for " 1/3"
keys Enter
check "Enter opens the first message" wait_for "hello"
flags=$(py flags "first note")
check "the other client sees \\Seen on it ($flags)" contains "$flags" '\Seen'
keys q
wait_for "Msgs:3"
keys Home
keys F
sleep 1
flags=$(py flags "first note")
check "F: the other client sees \\Flagged ($flags)" contains "$flags" '\Flagged'
keys Home
keys F
sleep 1
flags=$(py flags "first note")
check "F again clears it ($flags)" lacks "$flags" '\Flagged'

sleep 1 # tern idles now
t0=$(date +%s%N)
py append "news from another client"
check "a message another client appends appears without a keypress" wait_for "news from another"
t1=$(date +%s%N)
check "pushed by IDLE, not found by a 5 s poll ($(((t1 - t0) / 1000000)) ms)" \
	[ $(((t1 - t0) / 1000000)) -lt 3000 ]
check "the log shows IDLE and DONE" sh -c "grep -q 'C: t[0-9]* IDLE' '$scratch/log' &&
	grep -q 'C: DONE' '$scratch/log'"
check "and is counted" wait_for "Msgs:4"
py flag "second note"
check "a flag another client sets appears without a keypress" sh -c "i=0; while [ \$i -lt 100 ]; do
	\"$tmux\" -S '$sock' capture-pane -p -t '$session' | grep 'second note' | grep -Eq '^ +[0-9]+ F ' && exit 0
	sleep 0.1; i=\$((i + 1)); done; exit 1"

keys /
wait_for "Search for:"
text "from:dave"
keys Enter
check "/ finds the match on the server" wait_for "3/4"
check "by UID SEARCH" grep -q 'C: t[0-9]* UID SEARCH CHARSET UTF-8 FROM "dave"' "$scratch/log"

# s moves a message to another folder (UID MOVE).
keys Home
wait_for " 1/4"
keys s
wait_for "Save to mailbox:"
text "Archive"
keys Enter
check "s moves the message" wait_for "Moved to Archive."
check "the index shows one message fewer" wait_for "Msgs:3"
check "the other client finds it in Archive, not in INBOX" sh -c \
	"[ \"\$(python3 '$scratch/client.py' '$IMAPS_PORT' '$CA_FILE' flags 'first note')\" = GONE ] &&
	 python3 '$scratch/client.py' '$IMAPS_PORT' '$CA_FILE' count Archive | grep -qx 1"
check "by UID MOVE" grep -q 'C: t[0-9]* UID MOVE [0-9]* Archive$' "$scratch/log"
keys /
wait_for "Search for:"
keys C-u
text "from:dave"
keys Enter
check "/ again finds it" sh -c "sleep 0.5; \"$tmux\" -S '$sock' capture-pane -p -t '$session' | grep -q ' 2/3'"

keys d
keys '$'
check "\$ asks before purging" wait_for "Purge 1 deleted message?"
keys y
check "the index shows one message fewer again" wait_for "Msgs:2"
check "the other client no longer finds it" [ "$(py flags "third note")" = GONE ]
check "the expunge was UID EXPUNGE of that message only" grep -q 'C: t[0-9]* UID EXPUNGE [0-9]*$' "$scratch/log"

keys c
check "c lists the folders" wait_for "Entwürfe"

# Folder administration from the list: C, r, u/s, d.
keys C
wait_for "Create folder:"
text "Projekte/Übersicht"
keys Enter
check "C creates a folder (a modified UTF-7 name)" wait_for "Projekte/Übersicht  ("
check "the other client sees it, subscribed" has_folder 'Projekte/&ANw-bersicht subscribed'
row=$(screen | grep -n "Projekte/Übersicht  (" | head -1 | cut -d: -f1)
keys Home
for _ in $(seq 3 "$row"); do keys Down; done
keys r
wait_for "Rename Projekte/Übersicht to:"
keys C-u
text "Projekte/Neu"
keys Enter
check "r renames it" wait_for "Projekte/Neu  ("
check "on the server" has_folder 'Projekte/Neu subscribed'
keys u
check "u unsubscribes" wait_for "Projekte/Neu (not subscribed)"
check "on the server" has_folder 'Projekte/Neu -'
keys d
check "d asks first" wait_for "Delete folder Projekte/Neu and its messages?"
keys y
check "and deletes it" sh -c "sleep 1; python3 '$scratch/client.py' '$IMAPS_PORT' '$CA_FILE' folders |
	grep -q 'Projekte/Neu' && exit 1 || exit 0"
keys Home
row=$(screen | grep -n "Entwürfe" | head -1 | cut -d: -f1)
for _ in $(seq 3 "$row"); do keys Down; done
keys Enter
check "and opens one" wait_for "draft in umlaut folder"
check "with its message with an attachment" wait_for "report attached"

# Bodies on open: the text part only, never the 2 MB attachment.
keys End
wait_for " 2/2"
keys Enter
check "the message with an attachment opens" wait_for "see the attached report"
check "its attachment is announced" wait_for "report.pdf"
check "with its size on the server, not downloaded" sh -c "
	screen() { \"$tmux\" -S '$sock' capture-pane -p -t '$session'; }
	screen | grep -Eq 'report\.pdf, application/pdf \(about (19999[0-9][0-9]|200000[0-9]) bytes, not downloaded\) --\]'"
check "only the text part's body was fetched, not the attachment's" sh -c \
	"grep -q 'C: .*BODY.PEEK\\[1\\]' '$scratch/log' && ! grep 'C: ' '$scratch/log' | grep -q 'BODY.PEEK\\[2\\]' &&
	 ! grep 'C: ' '$scratch/log' | grep -q 'BODY.PEEK\\[\\]'"
check "fewer than 100 KB came for it" sh -c "[ \$(stat -c %s '$scratch/log') -lt 400000 ]"
keys v
check "v lists the attachment" wait_for "application/pdf"
keys s
wait_for "Save to file:"
keys C-u
text "$scratch/saved.pdf"
keys Enter
check "saving it fetches it then" wait_for "Saved $scratch/saved.pdf"
check "byte for byte" cmp -s "$scratch/saved.pdf" "$scratch/report.pdf"
keys q q
wait_for "report attached"
keys q
check "q quits" wait_for "TERN-EXITED 0"
check "bodies were only peeked at" sh -c "! grep 'C: ' '$scratch/log' | grep -q ' BODY\\[' &&
	grep -q 'C: .*BODY.PEEK\\[' '$scratch/log'"
check "flags were only added or removed, never set whole" sh -c \
	"! grep -E 'C: t[0-9]* UID STORE [0-9:,]* FLAGS' '$scratch/log' && grep -q '+FLAGS.SILENT' '$scratch/log'"
check "the password is not in the log" sh -c "! grep -q alice-pw '$scratch/log'"
done_testing
