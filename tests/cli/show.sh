#!/bin/sh
# tern show on the real binary: rendering, --raw, --json, stdin, MBOX N,
# and --save-attachments writing only safe names, never overwriting.
. "${top_srcdir:-.}/tests/lib.sh"
: "${TERN:?TERN must point at the built binary}"
make_scratch
demo="$TERN_DATADIR/demo.mbox"

# --- rendering ---------------------------------------------------------
out=$("$TERN" show "$demo" 6)
ok $? "show MBOX N exits 0"
check "RFC 2047 subject decoded" contains "$out" "Subject: Grüße aus München"
check "quoted-printable Latin-1 body decoded to UTF-8" contains "$out" "Weißbier"
out=$("$TERN" show "$demo" 4)
check "attachments listed with name, type and size" \
	contains "$out" "[-- Attachment #1: budget-2026.csv, text/csv"
out=$("$TERN" show "$demo" 15)
check "mboxrd quoting undone for MBOX N" contains "$out" "
From "
"$TERN" show "$demo" 99 >/dev/null 2>"$scratch/err"
[ $? -eq 3 ]; ok $? "a message number past the end exits 3"
check "and says how many there are" contains "$(cat "$scratch/err")" "has 18 messages"

printf 'Subject: \033]0;title\007 evil\nFrom: x@example.org\n\nline \033[2J clear\n\302\233 C1\n' > "$scratch/evil.eml"
"$TERN" show "$scratch/evil.eml" > "$scratch/out"
ok $? "a hostile message renders"
LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$scratch/out"
[ $? -ne 0 ]; ok $? "no control byte from the message reaches stdout"
check "escape sequences shown as symbols" contains "$(cat "$scratch/out")" "␛[2J"

out=$(printf 'Subject: from stdin\n\nbody\n' | "$TERN" show -)
check "show - reads standard input" contains "$out" "Subject: from stdin"

# --- raw ---------------------------------------------------------------
"$TERN" show --raw "$scratch/evil.eml" > "$scratch/raw"
cmp -s "$scratch/raw" "$scratch/evil.eml"; ok $? "--raw to a file or pipe gives the exact bytes"
"$TERN" show --raw "$demo" 15 > "$scratch/raw15"
grep -q '^From ' "$scratch/raw15"
ok $? "--raw of MBOX N is the message with mboxrd quoting undone"

# --- json --------------------------------------------------------------
if command -v jq >/dev/null 2>&1; then
	j=$("$TERN" show --json "$demo" 18)
	check "--json subject decoded" [ "$(printf '%s' "$j" | jq -r .subject)" = "Übersicht für März" ]
	check "--json from as name and address" \
		[ "$(printf '%s' "$j" | jq -r '.from[0].name + "|" + .from[0].address')" = "Jürgen Weiß|juergen.weiss@example.net" ]
	check "--json RFC 2231 filename decoded" \
		[ "$(printf '%s' "$j" | jq -r '.parts.parts[1].filename')" = "Übersicht März.txt" ]
	check "--json date in ISO 8601 with the zone" \
		[ "$(printf '%s' "$j" | jq -r .date)" = "2026-02-06T13:09:26+01:00" ]
	j=$("$TERN" show --json "$scratch/evil.eml")
	check "--json escapes control characters" contains "$j" '\u001b]0;title\u0007'
	printf '%s' "$j" | jq -e . >/dev/null; ok $? "--json of a hostile message is valid JSON"
fi

# --- save attachments --------------------------------------------------
mkdir "$scratch/save"
cat > "$scratch/att.eml" <<'MSG'
Subject: attachments
Content-Type: multipart/mixed; boundary=b

--b

text
--b
Content-Type: text/plain; name="../../escape.txt"
Content-Disposition: attachment; filename="../../escape.txt"

one
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="-rf"

two
--b
Content-Type: application/octet-stream
Content-Disposition: attachment

three
--b--
MSG
(umask 0; "$TERN" show --save-attachments "$scratch/save" "$scratch/att.eml" > "$scratch/saved")
ok $? "--save-attachments exits 0"
check "a name with ../ is saved inside DIR" [ -f "$scratch/save/_.._escape.txt" ]
check "nothing escaped DIR" [ ! -e "$scratch/escape.txt" ]
check "a leading dash is removed" [ -f "$scratch/save/rf" ]
check "a part without a name gets attachment-N" [ -f "$scratch/save/attachment-3" ]
check "the content is decoded" [ "$(cat "$scratch/save/rf")" = "two" ]
mode=$(stat -c %a "$scratch/save/rf")
check "saved files are 0600 even with umask 0 (got $mode)" [ "$mode" = 600 ]
"$TERN" show --save-attachments "$scratch/save" "$scratch/att.eml" > /dev/null
check "saving again never overwrites: a -1 name is used" [ -f "$scratch/save/rf-1" ]
check "the first file is unchanged" [ "$(cat "$scratch/save/rf")" = "two" ]
ln -s /etc/passwd "$scratch/save/link.txt"
printf 'Content-Type: text/plain\nContent-Disposition: attachment; filename=link.txt\n\nx\n' > "$scratch/link.eml"
"$TERN" show --save-attachments "$scratch/save" "$scratch/link.eml" > /dev/null
check "a symlink in DIR is not followed" [ -f "$scratch/save/link-1.txt" ]
"$TERN" show --save-attachments "$scratch/nodir" "$scratch/att.eml" >/dev/null 2>&1
[ $? -eq 3 ]; ok $? "a missing DIR is an error"

# --- [general] headers and html_command --------------------------------
cat > "$scratch/show.conf" <<'CONF'
[general]
headers = Subject, List-Id
html_command = tr a-z A-Z
CONF
out=$("$TERN" -F "$scratch/show.conf" show "$demo" 13)
check "configured headers are shown" contains "$out" "List-Id: "
check "other fields are not" lacks "$out" "From: The Example"
check "html_command converts HTML-only messages" contains "$out" "<H1>THE EXAMPLE GAZETTE</H1>"
printf '[general]\nhtml_command = exit 3\n' > "$scratch/bad.conf"
out=$("$TERN" -F "$scratch/bad.conf" --log "$scratch/show.log" show "$demo" 13)
check "a failing html_command falls back to the built-in converter" \
	contains "$out" "Terminal tools worth learning"
check "and the failure is logged" contains "$(cat "$scratch/show.log")" "html_command: 'exit 3' failed with exit status 3"

# --- an account's message, by the number its listing prints ------------
printf '[account local]\nmode = mbox\nmbox = %s\n' "$demo" > "$scratch/acct.conf"
"$TERN" -F "$scratch/acct.conf" -a local | cat > "$scratch/list"
check "the listing of an mbox account numbers message 6" grep -q '^    6 .*Grüße aus München' "$scratch/list"
out=$("$TERN" -F "$scratch/acct.conf" show -a local 6)
check "show -a ACCOUNT 6 is that message" [ "$out" = "$("$TERN" show "$demo" 6)" ]
"$TERN" -F "$scratch/acct.conf" show -a local 99 >/dev/null 2>"$scratch/err"
[ $? -eq 3 ]; ok $? "show -a ACCOUNT past the end exits 3"
"$TERN" -F "$scratch/acct.conf" show -a local --folder Sent 6 >/dev/null 2>"$scratch/err"
[ $? -eq 2 ]; ok $? "--folder with an mbox account exits 2"
check "saying it needs an IMAP account" grep -q "needs an IMAP account" "$scratch/err"

done_testing
