#!/bin/bash
# tern show on IMAP messages against the private Dovecot, imaplib as the
# independent client: the listing numbers messages by UID and show takes
# that number; rendering downloads the text, never the 2 MB attachment
# (protocol log and Dovecot's byte count); --raw is the server's bytes
# exactly, --save-attachments the attachment exactly; the message stays
# unseen (EXAMINE, BODY.PEEK); an unknown UID is a clear error (exit 3);
# --folder and an imaps:// URL reach a folder with a non-ASCII name.
. "${top_srcdir:-.}/tests/lib.sh"
session=show IMAP_TMUX=1
. "${top_srcdir:-.}/tests/server/lib-imap.sh"
export XDG_STATE_HOME="$scratch/state" XDG_CACHE_HOME="$scratch/cache" HOME="$scratch"

# setup: a filler message expunged (so that the big one's UID, 2, is not
# its position, 1), the message with a text part and a 2 MB attachment of
# random bytes, and a message in Entwürfe.  Writes the attachment and the
# message as the server gives it (BODY.PEEK[]).  flags: the FLAGS of the
# big message.
cat > "$scratch/client.py" <<'PY'
import imaplib, random, ssl, sys
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email import policy
port, ca, what, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
m = imaplib.IMAP4_SSL("localhost", port, ssl_context=ssl.create_default_context(cafile=ca),
                      timeout=30)
m.login("alice", "alice-pw")
if what == "setup":
    m.append("INBOX", None, None, b"From: f@example.org\r\nSubject: filler\r\n\r\nx\r\n")
    att = random.Random(7).randbytes(2 * 1024 * 1024)
    open(out + "/big.bin", "wb").write(att)
    msg = MIMEMultipart()
    msg["From"] = "Ann Sender <ann@example.org>"
    msg["To"] = "alice@example.org"
    msg["Subject"] = "quarterly figures"
    msg.attach(MIMEText("Hello Alice,\nthe figures are attached.\nAnn\n"))
    part = MIMEApplication(att, Name="big.bin")
    part.add_header("Content-Disposition", "attachment", filename="big.bin")
    msg.attach(part)
    m.append("INBOX", None, None, msg.as_bytes(policy=policy.SMTP))
    m.select("INBOX")
    m.uid("STORE", "1", "+FLAGS", "(\\Deleted)")
    m.expunge()
    m.create("Entw&APw-rfe")
    m.append("Entw&APw-rfe", None, None,
             b"From: d@example.org\r\nSubject: draft in a folder with an umlaut\r\n\r\nd\r\n")
    typ, data = m.uid("FETCH", "2", "(BODY.PEEK[])")
    open(out + "/server.eml", "wb").write(data[0][1])
else:
    m.select("INBOX", readonly=True)
    typ, data = m.uid("FETCH", "2", "(FLAGS)")
    print(data[0].decode())
m.logout()
PY
py() { python3 "$scratch/client.py" "$IMAPS_PORT" "$CA_FILE" "$@"; }
py setup "$scratch" || { echo "Bail out! the Python client failed"; exit 1; }

conf="$scratch/tern.conf"
{
	printf '[account im]\nmode = imap\nhost = localhost\nuser = alice\n'
	printf 'password_command = echo alice-pw\ntls_ca_file = %s\nport = %s\n' "$CA_FILE" "$IMAPS_PORT"
} > "$conf"
chmod 600 "$conf"
t() { "$tern" -F "$conf" --log "$scratch/log" "$@" </dev/null; }
dovecot_log="$srv/dovecot.log"

# --- the number the listings print ---------------------------------------
out=$(t -a im | cat)
check "the piped listing numbers the message by its UID, 2 (not its position, 1)" \
	sh -c "printf '%s\n' \"\$1\" | grep -Eq '^ +2 N .*quarterly figures'" sh "$out"
out=$(t search -a im quarterly)
check "so does tern search -a" sh -c "printf '%s\n' \"\$1\" | grep -Eq '^ +2 N .*quarterly figures'" \
	sh "$out"

# --- rendered: the text, not the attachment ------------------------------
rm -f "$scratch/log"
# Dovecot logs a session's Login before the client is logged in, so the
# first Login line after this count is tern's; its Logged out line (maybe
# written a moment after tern is gone) has the bytes sent.
logins=$(grep -c 'Login: user=<alice>' "$dovecot_log")
out=$(t show -a im 2 2>"$scratch/err"); rc=$?
check "show -a ACCOUNT UID succeeds (exit $rc)" [ "$rc" -eq 0 ]
check "it prints the subject" contains "$out" "Subject: quarterly figures"
check "and the text" contains "$out" "the figures are attached."
check "the attachment is listed with its size on the server, not downloaded" \
	sh -c "printf '%s\n' \"\$1\" | grep -Eq '^\[-- Attachment #1: big\.bin, application/octet-stream \(about 209[0-9]{4} bytes, not downloaded\) --\]$'" sh "$out"
check "the folder is EXAMINEd, read-only" grep -Eq 'C: t[0-9]* EXAMINE INBOX( \(CONDSTORE\))?$' "$scratch/log"
check "no BODY[] of the whole message is asked for" sh -c "! grep -Eq 'C: .*BODY(\.PEEK)?\[\]' '$scratch/log'"
check "nor the attachment's section, 2" sh -c "! grep -Eq 'C: .*BODY(\.PEEK)?\[2\]' '$scratch/log'"
check "its MIME header is" grep -Eq 'C: .*BODY\.PEEK\[2\.MIME\]' "$scratch/log"
literals=$(grep ' S: ' "$scratch/log" | grep -o '{[0-9]*}$' | tr -d '{}' | awk '{ s += $1 } END { print s + 0 }')
check "the literals received add up to far less than 2 MB ($literals bytes)" \
	[ "$literals" -gt 0 -a "$literals" -lt 100000 ]
session=$(grep 'Login: user=<alice>' "$dovecot_log" | sed -n "$((logins + 1))p" |
	sed -n 's/.*session=\(<[^>]*>\).*/\1/p')
i=0
while ! grep -F "${session:-none}:" "$dovecot_log" | grep -q 'Logged out' && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
sent=$(grep -F "${session:-none}:" "$dovecot_log" | grep 'Logged out' | grep -o ' out=[0-9]*' | cut -d= -f2)
check "Dovecot counts far less than 2 MB sent in that session (${sent:-no count} bytes)" \
	[ "${sent:-99999999}" -lt 100000 ]

# --- --json: the attachment's metadata without its bytes -----------------
rm -f "$scratch/log"
t show --json -a im 2 > "$scratch/json"; rc=$?
check "--json succeeds (exit $rc)" [ "$rc" -eq 0 ]
check "--json: the attachment's name, estimated size, omitted; the text" python3 - "$scratch/json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
att = j["parts"]["parts"][1]
assert att["filename"] == "big.bin", att
assert att["omitted"] is True, att
assert abs(att["size"] - 2 * 1024 * 1024) < 2 * 1024 * 1024 / 100, att
assert "omitted" not in j["parts"]["parts"][0], j["parts"]["parts"][0]
assert "the figures are attached." in j["text"], j["text"]
assert j["subject"] == "quarterly figures", j["subject"]
PY
check "--json asks for no attachment bytes either" sh -c "! grep -Eq 'C: .*BODY(\.PEEK)?\[2?\]' '$scratch/log'"

# --- --raw and --save-attachments: the whole message, exactly -----------
t show --raw -a im 2 > "$scratch/raw"; rc=$?
check "--raw succeeds (exit $rc)" [ "$rc" -eq 0 ]
check "--raw is byte for byte what imaplib fetches (CRLF and all)" cmp "$scratch/raw" "$scratch/server.eml"
mkdir "$scratch/save"
out=$(t show -a im --save-attachments "$scratch/save" 2); rc=$?
check "--save-attachments succeeds (exit $rc)" [ "$rc" -eq 0 ]
check "and says where" contains "$out" "saved $scratch/save/big.bin (2097152 bytes)"
check "the saved attachment is byte for byte the original" cmp "$scratch/save/big.bin" "$scratch/big.bin"

# --- nothing changed on the server --------------------------------------
flags=$(py flags "$scratch")
check "the message is still unseen ($flags)" sh -c "printf '%s' \"\$1\" | grep -q 'FLAGS (' &&
	! printf '%s' \"\$1\" | grep -q 'Seen'" sh "$flags"
check "and tern never stored a flag" sh -c "! grep -q 'C: t[0-9]* UID STORE' '$scratch/log'"

# --- errors -------------------------------------------------------------
t show -a im 1 >/dev/null 2>"$scratch/err"; rc=$?
check "a UID the folder does not have: exit 3 ($rc)" [ "$rc" -eq 3 ]
check "saying so" grep -q "^tern: INBOX has no message with UID 1$" "$scratch/err"
t show -a im x >/dev/null 2>"$scratch/err"; rc=$?
check "an ID that is no number: exit 2 ($rc), before connecting" \
	sh -c "[ $rc -eq 2 ] && grep -q \"'x' is not a message number\" '$scratch/err'"

# --- another folder: --folder, and a URL (password typed) -----------------
rm -f "$scratch/log"
out=$(t show -a im --folder Entwürfe 1 2>"$scratch/err"); rc=$?
check "--folder Entwürfe: its message 1 (exit $rc)" contains "$out" "draft in a folder with an umlaut"
check "the folder's name goes out encoded" grep -Eq 'C: t[0-9]* EXAMINE ("?Entw&APw-rfe"?|"Entwürfe")( \(CONDSTORE\))?$' "$scratch/log"

"$tmux" -S "$sock" -f /dev/null new-session -d -s "$session" -x 100 -y 20 \
	"env SSL_CERT_FILE='$CA_FILE' LANG=C.UTF-8 '$tern' show 'imaps://alice@localhost:$IMAPS_PORT/Entw%C3%BCrfe' 1 \
	 > '$scratch/url.out'; echo TERN-EXITED \$?; sleep 60"
check "the URL's account asks for the password" wait_for "assword"
text "alice-pw"
keys Enter
check "show URL UID ends (exit 0)" wait_for "TERN-EXITED 0"
check "and prints the message of the URL's folder" contains "$(cat "$scratch/url.out")" \
	"draft in a folder with an umlaut"
done_testing
