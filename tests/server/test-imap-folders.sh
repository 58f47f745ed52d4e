#!/bin/bash
# tern folders against the private Dovecot (tests/server/dovecot.sh) over
# real TLS: folders created by a second, independent client (Python's
# imaplib) are listed with their hierarchy, special-use roles, modified
# UTF-7 names decoded (Entwürfe, 日本語) and the counts that client reads;
# implicit TLS and STARTTLS, SCRAM and the LOGIN command; the protocol log
# without the password; tern search run on the server; clear errors for a
# wrong password, a closed port (with the list kept from before, and
# without) and a certificate for another name.
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/server/lib-imap.sh"
export XDG_STATE_HOME="$scratch/state" XDG_CACHE_HOME="$scratch/cache"

# The second client: creates the folders (names in modified UTF-7, as
# they go on the wire), appends messages, and prints each folder's
# MESSAGES and UNSEEN as it sees them.
cat > "$scratch/client.py" <<'PY'
import imaplib, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
m = imaplib.IMAP4_SSL("localhost", port, ssl_context=ctx, timeout=20)
m.login("alice", "alice-pw")
folders = ["Sent", "Trash", "Entw&APw-rfe", "&ZeVnLIqe-", "&ZeVnLIqe-/&W1A-", "Archive",
           "Archive/2024"]
for f in folders:
    m.create(f)
msg = b"From: x@example.org\r\nSubject: s\r\n\r\nbody\r\n"
for f, n, seen in [("INBOX", 3, 1), ("Sent", 2, 2), ("Entw&APw-rfe", 2, 0),
                   ("&ZeVnLIqe-/&W1A-", 1, 0), ("Archive/2024", 4, 1)]:
    for i in range(n):
        m.append(f, "(\\Seen)" if i < seen else None, None, msg)
m.append("INBOX", None, None,
         b"From: Zed <zed@example.org>\r\nSubject: zebra report\r\n\r\nstripes\r\n")
for f in ["INBOX"] + folders:
    typ, data = m.status(f, "(MESSAGES UNSEEN)")
    words = data[0].decode().replace("(", " ").replace(")", " ").split()
    print(f, words[words.index("UNSEEN") + 1], words[words.index("MESSAGES") + 1])
m.logout()
PY
python3 "$scratch/client.py" "$IMAPS_PORT" "$CA_FILE" > "$scratch/py.out" 2>&1 ||
	{ echo "Bail out! the Python client failed: $(cat "$scratch/py.out")"; exit 1; }

conf="$scratch/tern.conf"
account() { # account EXTRA-LINES...: an IMAP account for alice
	{
		printf '[account im]\nmode = imap\nhost = localhost\nuser = alice\n'
		printf 'password_command = echo alice-pw\ntls_ca_file = %s\nport = %s\n' \
			"$CA_FILE" "$IMAPS_PORT"
		for l in "$@"; do printf '%s\n' "$l"; done
	} > "$conf"
	chmod 600 "$conf"
}
folders() { "$tern" -F "$conf" --log "$scratch/log" folders -a im </dev/null 2>"$scratch/err"; }

account
out=$(folders); rc=$?
check "tern folders succeeds (exit $rc)" [ "$rc" -eq 0 ]
diag "$(printf '%s\n' "$out" | head -12)"
line() { printf '%s\n' "$out" | grep -E "^$1 " | head -1; }
check "INBOX comes first" [ "$(printf '%s\n' "$out" | head -1 | cut -d' ' -f1)" = INBOX ]
# py.out: "WIRE-NAME UNSEEN MESSAGES"
counts() { awk -v n="$1" '$1 == n { print $2, $3 }' "$scratch/py.out"; }
for pair in "INBOX:INBOX" "Sent:Sent" "Entwürfe:Entw&APw-rfe" "日本語/子:&ZeVnLIqe-/&W1A-" \
	    "Archive/2024:Archive/2024" "Trash:Trash"; do
	shown=${pair%%:*} wire=${pair#*:}
	want=$(counts "$wire")
	got=$(line "$shown" | awk '{ print $(NF-1), $NF }')
	check "$shown: unread and total as the other client sees them ($want / $got)" \
		[ -n "$want" -a "$want" = "$got" ]
done
check "INBOX has the inbox role" sh -c "printf '%s\n' \"\$1\" | grep -Eq '^INBOX +inbox '" sh "$out"
check "Sent has the sent role (SPECIAL-USE)" sh -c "printf '%s\n' \"\$1\" | grep -Eq '^Sent +sent '" sh "$out"
check "Trash has the trash role" sh -c "printf '%s\n' \"\$1\" | grep -Eq '^Trash +trash '" sh "$out"
check "Archive has the archive role" sh -c "printf '%s\n' \"\$1\" | grep -Eq '^Archive +archive '" sh "$out"
check "a folder without a role has none" sh -c "printf '%s\n' \"\$1\" | grep -Eq '^Entwürfe +[0-9]'" sh "$out"
check "the modified UTF-7 names are decoded" contains "$out" "日本語/子"
check "the log shows one LIST with the counts" grep -q 'C: t[0-9]* LIST "" "\*" RETURN (SUBSCRIBED SPECIAL-USE STATUS (MESSAGES UNSEEN))' "$scratch/log"
check "the log shows the login, never the password" sh -c \
	"grep -q 'AUTHENTICATE SCRAM-SHA-256' '$scratch/log' && ! grep -q 'alice-pw' '$scratch/log'"
check "and the session ends with LOGOUT" grep -q 'C: t[0-9]* LOGOUT' "$scratch/log"
check "ID tells the server the program's name and version, nothing more" \
	grep -Eq 'C: t[0-9]* ID \("name" "tern" "version" "[0-9.]+"\)$' "$scratch/log"

# STARTTLS on the plain port, the LOGIN command.
account "port = $IMAP_PORT" "tls = starttls" "auth = user"
sed -i "/^port = $IMAPS_PORT\$/d" "$conf"
rm -f "$scratch/log"
out2=$(folders); rc=$?
check "STARTTLS and auth = user work (exit $rc)" [ "$rc" -eq 0 ]
check "and list the same folders" [ "$out2" = "$out" ]
check "STARTTLS comes before LOGIN" sh -c "grep -n 'C: t' '$scratch/log' | head -3 | grep -q 'STARTTLS' &&
	[ \$(grep -n 'STARTTLS' '$scratch/log' | head -1 | cut -d: -f1) -lt \$(grep -n ' LOGIN ' '$scratch/log' | head -1 | cut -d: -f1) ]"
check "LOGIN shows the user and masks the password" grep -q 'C: t[0-9]* LOGIN alice \*\*\*$' "$scratch/log"
check "the password is nowhere in the log" sh -c "! grep -q 'alice-pw' '$scratch/log'"

# tern search on the server: UID SEARCH, then only the matches' summaries.
rm -f "$scratch/log"
out=$("$tern" -F "$conf" --log "$scratch/log" search -a im zebra </dev/null 2>"$scratch/err"); rc=$?
check "search finds the message on the server (exit $rc)" [ "$rc" -eq 0 ]
check "one line, with its subject and sender" sh -c "[ \$(printf '%s\n' \"\$1\" | wc -l) -eq 1 ] &&
	printf '%s\n' \"\$1\" | grep -q 'Zed.*zebra report'" sh "$out"
check "by UID SEARCH on an EXAMINEd INBOX" sh -c "grep -q 'C: t[0-9]* EXAMINE INBOX' '$scratch/log' &&
	grep -q 'C: t[0-9]* UID SEARCH CHARSET UTF-8 TEXT \"zebra\"' '$scratch/log'"
check "fetching the summary of the match alone" sh -c "grep -q 'C: t[0-9]* UID FETCH [0-9]* (UID FLAGS' '$scratch/log' &&
	! grep -q 'C: t[0-9]* FETCH 1:' '$scratch/log'"
out=$("$tern" -F "$conf" search -a im --count --folder "Entwürfe" from:x@example.org </dev/null); rc=$?
check "--folder and --count: the folder's two messages ($out)" [ "$rc" -eq 0 -a "$out" = 2 ]
"$tern" -F "$conf" search -a im nosuchwordanywhere </dev/null >/dev/null 2>&1; rc=$?
check "no match: exit 1" [ "$rc" -eq 1 ]
"$tern" -F "$conf" search -a im 'from:(' </dev/null >/dev/null 2>"$scratch/err"; rc=$?
check "a bad query: exit 2, before connecting" [ "$rc" -eq 2 ]

# Errors.
account
sed -i 's/echo alice-pw/echo wrong-pw/' "$conf"
folders >/dev/null; rc=$?
check "a wrong password fails (exit 3)" [ "$rc" -eq 3 ]
check "saying the login failed" grep -q "login with .* failed.*AUTHENTICATIONFAILED" "$scratch/err"
account "host = 127.1"
sed -i '0,/^host = localhost$/{/^host = localhost$/d}' "$conf"
folders >/dev/null; rc=$?
check "a certificate for another name fails (exit 3)" [ "$rc" -eq 3 ]
check "saying it is not trusted, with the fingerprint line" grep -q "tls_fingerprint = " "$scratch/err"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
account "tls = none" "allow_plaintext = yes"
sed -i "s/^port = .*/port = $port/" "$conf"
folders >"$scratch/out"; rc=$?
check "a closed port, the folders listed before: as last seen (exit $rc)" sh -c \
	"[ $rc -eq 0 ] && grep -q '^Archive/2024 ' '$scratch/out'"
check "with a warning" grep -q "cannot be reached: the folders are as they were last seen" "$scratch/err"
rm -rf "$scratch/cache"
folders >/dev/null; rc=$?
check "a closed port and nothing kept fails (exit 3)" [ "$rc" -eq 3 ]
check "saying the connection was refused" grep -qi "refused" "$scratch/err"
done_testing
