#!/bin/bash
# A server whose personal namespace has a prefix ("INBOX." with "." as
# the separator, as Cyrus and Courier have; the private Dovecot set up
# so): a folder created or renamed in the reader under a plain name goes
# into the personal namespace (NAMESPACE asked once, when first needed),
# as imaplib sees; a name already in it is used as typed; tern folders
# lists them.
. "${top_srcdir:-.}/tests/lib.sh"
session=inamespace IMAP_TMUX=1
export DOVECOT_NS_PREFIX=INBOX. DOVECOT_NS_SEPARATOR=.
. "${top_srcdir:-.}/tests/server/lib-imap.sh"
export HOME="$scratch" XDG_STATE_HOME="$scratch/state" XDG_CACHE_HOME="$scratch/cache"

cat > "$scratch/client.py" <<'PY'
import imaplib, ssl, sys
m = imaplib.IMAP4_SSL("localhost", int(sys.argv[1]),
                      ssl_context=ssl.create_default_context(cafile=sys.argv[2]), timeout=20)
m.login("alice", "alice-pw")
if sys.argv[3] == "setup":
    m.append("INBOX", None, None, b"From: a@example.org\r\nSubject: hello there\r\n\r\nhi\r\n")
elif sys.argv[3] == "folders":    # every folder's name, one per line
    typ, data = m.list()
    for line in data:
        print(line.decode().rsplit(' "." ', 1)[1].strip('"'))
m.logout()
PY
py() { python3 "$scratch/client.py" "$IMAPS_PORT" "$CA_FILE" "$@"; }
py setup || { echo "Bail out! the Python client failed"; exit 1; }
imap_conf "$scratch/tern.conf" ns
has_folder() { py folders | grep -qx "$1"; }

imap_reader "$scratch/tern.conf" "$scratch/log" ns
check "the reader opens INBOX" wait_for "hello there"
keys c
wait_for "INBOX"
keys C
wait_for "Create folder:"
text "Projects"
keys Enter
check "C creates a folder under a plain name" wait_for "INBOX.Projects"
check "in the personal namespace, as the other client sees" has_folder "INBOX.Projects"
check "not at the top level" sh -c "! python3 '$scratch/client.py' '$IMAPS_PORT' '$CA_FILE' folders | grep -qx Projects"
check "NAMESPACE was asked, then CREATE with the prefix" sh -c \
	"grep -q 'C: t[0-9]* NAMESPACE\$' '$scratch/log' && grep -q 'C: t[0-9]* CREATE INBOX.Projects\$' '$scratch/log'"
keys C
wait_for "Create folder:"
text "INBOX.Archive"
keys Enter
check "a name already in the namespace is used as typed" wait_for "INBOX.Archive"
check "(not INBOX.INBOX.Archive)" sh -c "has() { python3 '$scratch/client.py' '$IMAPS_PORT' '$CA_FILE' folders | grep -qx \"\$1\"; }
	has INBOX.Archive && ! has INBOX.INBOX.Archive"
check "NAMESPACE was asked once" sh -c "[ \$(grep -c 'C: t[0-9]* NAMESPACE\$' '$scratch/log') -eq 1 ]"
row=$(screen | grep -n "INBOX.Projects" | head -1 | cut -d: -f1)
keys Home
for _ in $(seq 3 "$row"); do keys Down; done
keys r
wait_for "Rename INBOX.Projects to:"
keys C-u
text "Done"
keys Enter
check "r renames to a plain name, in the namespace" wait_for "INBOX.Done"
check "on the server" has_folder "INBOX.Done"
keys q
keys q
check "q quits" wait_for "TERN-EXITED 0"

"$tern" -F "$scratch/tern.conf" folders -a ns >"$scratch/out" 2>"$scratch/err"
rc=$?
check "tern folders lists them (exit $rc)" sh -c "[ $rc -eq 0 ] && grep -q '^INBOX.Done ' '$scratch/out' &&
	grep -q '^INBOX.Archive ' '$scratch/out'"
done_testing
