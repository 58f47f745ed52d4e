#!/bin/bash
# Keywords on an IMAP account (tmux, the private Dovecot, imaplib as the
# other client): %g in index_format shows the keywords the other client
# set; Y adds one and removes another with UID STORE +FLAGS/-FLAGS only,
# so that a keyword the other client set meanwhile survives; one set
# while tern is open appears without a keypress (IDLE); a reopen (cache,
# QRESYNC) still shows them all; a word that is no keyword ("a b(",
# "\Seen") is refused with a message and nothing is sent.
. "${top_srcdir:-.}/tests/lib.sh"
session=ukw IMAP_TMUX=1
. "${top_srcdir:-.}/tests/server/lib-imap.sh"

cat > "$scratch/client.py" <<'PY'
import imaplib, ssl, sys, re
m = imaplib.IMAP4_SSL("localhost", int(sys.argv[1]),
                      ssl_context=ssl.create_default_context(cafile=sys.argv[2]), timeout=20)
m.login("alice", "alice-pw")
act = sys.argv[3]
def uid_of(subject):
    typ, data = m.uid("SEARCH", None, "SUBJECT", '"%s"' % subject)
    return data[0].split()[0]
if act == "setup":
    for h, s in ((10, "first note"), (11, "second note"), (12, "third note")):
        m.append("INBOX", None, None,
                 ("From: bob@example.org\r\nSubject: %s\r\n"
                  "Date: Mon, 2 Nov 2026 %d:00:00 +0000\r\n\r\nx\r\n" % (s, h)).encode())
    m.select("INBOX")
    m.uid("STORE", uid_of("first note"), "+FLAGS", "(work)")
    m.uid("STORE", uid_of("third note"), "+FLAGS", "($Junk)")
elif act == "add":               # add SUBJECT KEYWORD
    m.select("INBOX")
    m.uid("STORE", uid_of(sys.argv[4]), "+FLAGS", "(%s)" % sys.argv[5])
else:                            # keywords SUBJECT: its keywords, sorted
    m.select("INBOX", readonly=True)
    typ, data = m.uid("FETCH", uid_of(sys.argv[4]), "(FLAGS)")
    flags = re.search(rb"FLAGS \(([^)]*)\)", data[0]).group(1).decode().split()
    print(" ".join(sorted((f for f in flags if not f.startswith("\\")), key=str.lower)))
m.logout()
PY
py() { python3 "$scratch/client.py" "$IMAPS_PORT" "$CA_FILE" "$@"; }
py setup || { echo "Bail out! the Python client failed"; exit 1; }

{
	printf '[account mail]\nmode = imap\nhost = localhost\nport = %s\n' "$IMAPS_PORT"
	printf 'user = alice\npassword_command = echo alice-pw\ntls_ca_file = %s\n' "$CA_FILE"
	printf '[ui]\nindex_format = "%%4C %%Z %%-14.14s [%%g]"\n'
} > "$scratch/tern.conf"
chmod 600 "$scratch/tern.conf"
start() { # start LOG
	"$tmux" -S "$sock" -f /dev/null new-session -d -s "$session" -x 100 -y 24 \
		"env HOME='$scratch' XDG_STATE_HOME='$scratch/state' XDG_CACHE_HOME='$scratch/cache' \
		 LANG=C.UTF-8 '$tern' -F '$scratch/tern.conf' --log '$1' -a mail; \
		 echo TERN-EXITED \$?; sleep 60"
}
# row SUBJECT: that message's line of the index.
row() { screen | grep -F -- "$1" | head -1; }
stores() { grep -c 'C: t[0-9]* UID STORE' "$scratch/log"; }
# settle TEXT: waits (10 s at most) until the other client sees those
# keywords on the first note.
settle() {
	i=0
	while [ $i -lt 50 ]; do
		[ "$(py keywords 'first note')" = "$1" ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

start "$scratch/log"
check "the reader opens INBOX" wait_for "third note"
check "%g shows the keyword the other client set" contains "$(row 'first note')" "[work]"
check "and \$Junk as a keyword" contains "$(row 'third note')" "[\$Junk]"
check "a message without keywords shows none" contains "$(row 'second note')" "[]"

keys Home
wait_for " 1/3"
keys Y
check "Y asks with the current keywords" wait_for "Keywords: work"
py add "first note" other # another client's keyword, unknown to the prompt
keys C-u
text "todo"
keys Enter
check "Y takes the edit" wait_for "Keywords: other todo"
check "the other client sees todo added, work removed, its own other kept" settle "other todo"
check "the index shows the new keywords" contains "$(row 'first note')" "[other todo]"
check "sent as +FLAGS (todo) and -FLAGS (work)" sh -c \
	"grep -q 'C: t[0-9]* UID STORE 1 +FLAGS.SILENT (todo)\$' '$scratch/log' &&
	 grep -q 'C: t[0-9]* UID STORE 1 -FLAGS.SILENT (work)\$' '$scratch/log'"
check "never as absolute FLAGS" sh -c \
	"! grep -E 'C: t[0-9]* UID STORE [0-9:,]+ (\(UNCHANGEDSINCE [0-9]+\) )?FLAGS' '$scratch/log'"
stored=$(stores)
check "two stores so far ($stored)" [ "$stored" -eq 2 ]

py add "second note" urgent
check "a keyword another client sets appears without a keypress" wait_for "[urgent]"
check "on its message" contains "$(row 'second note')" "[urgent]"

keys Home
keys Y
wait_for "Keywords: other todo"
keys C-u
text "a b("
keys Enter
check "a word that is no keyword is refused" wait_for '"b(" is not a keyword'
keys Y
wait_for "Keywords: other todo"
keys C-u
text '\Seen urgent'
keys Enter
check "a system flag is refused" wait_for '\Seen is a system flag, not a keyword'
sleep 0.5
stored=$(stores)
check "nothing was sent for either ($stored stores)" [ "$stored" -eq 2 ]
check "the other client still sees other todo" settle "other todo"
keys Y
wait_for "Keywords: other todo"
keys Enter
check "an edit that changes nothing sends nothing" wait_for "Keywords unchanged."
check "(still two stores)" [ "$(stores)" -eq 2 ]

keys q
check "q quits" wait_for "TERN-EXITED 0"
"$tmux" -S "$sock" kill-session -t "$session"
check "the cache keeps the keywords" sh -c "python3 - '$scratch/cache/tern/imap-mail.sqlite' <<'PY'
import sqlite3, sys
rows = sorted(r[0] for r in sqlite3.connect(sys.argv[1]).execute('SELECT keywords FROM flags'))
sys.exit(0 if rows == ['\$Junk', 'other todo', 'urgent'] else 1)
PY"

start "$scratch/log2"
check "reopened" wait_for "third note"
check "the reopen asks for changes only (QRESYNC)" \
	grep -Eq 'C: t[0-9]* SELECT INBOX \(QRESYNC \([0-9]+ [0-9]+\)\)' "$scratch/log2"
check "no summary fetched again" sh -c "! grep 'C: ' '$scratch/log2' | grep -q 'HEADER.FIELDS'"
check "the keywords still show" sh -c "screen() { \"$tmux\" -S '$sock' capture-pane -p -t '$session'; };
	screen | grep -F 'first note' | grep -qF '[other todo]' &&
	screen | grep -F 'second note' | grep -qF '[urgent]' &&
	screen | grep -F 'third note' | grep -qF '[\$Junk]'"
keys q
wait_for "TERN-EXITED 0"
done_testing
