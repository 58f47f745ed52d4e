#!/bin/bash
# tern folders against scripted hostile IMAP servers (tests/hostile/fakesrv,
# plain TCP on 127.0.0.1 unless said, the account allowing plaintext): an
# old server without LIST-EXTENDED (LIST, LSUB, then STATUS per folder,
# pipelined) whose folder names carry escape sequences and broken modified
# UTF-7; a greeting that is not IMAP; STARTTLS not offered, PREAUTH before
# STARTTLS, a reply injected behind STARTTLS's OK; a tag we never sent; BYE;
# a literal of absurd size; an absurd EXISTS and a flood of EXISTS; a
# server that stalls.  Each ends in a clear
# error (exit 3) or the documented output, never sending the password
# where it must not go.
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/hostile/lib-fetch.sh"

folders() { "$tern" -F "$scratch/tern.conf" folders -a h </dev/null 2>"$scratch/err"; }
login=('send * OK [CAPABILITY IMAP4rev1] hi\r\n' 'expect t1 LOGIN u pw'
       'send t1 OK done\r\n' 'expect t2 CAPABILITY' 'send * CAPABILITY IMAP4rev1\r\nt2 OK\r\n')

# An old server: LIST, LSUB, STATUS.  One name holds ESC ] (a terminal
# title injection), one is broken modified UTF-7, one is \Noselect.
serve "${login[@]}" 'expect t3 LIST "" "*"' \
	'send * LIST () "/" INBOX\r\n* LIST () "/" "evil\x1b]0;owned\x07name"\r\n* LIST (\\Noselect) "/" Lists\r\n* LIST () "/" Lists/a&AB-b\r\n* LIST () "/" Entw&APw-rfe\r\nt3 OK\r\n' \
	'expect t4 LSUB "" "*"' 'send * LSUB () "/" Entw&APw-rfe\r\nt4 OK\r\n' \
	'expect t5 STATUS INBOX (MESSAGES UNSEEN)' 'expect t6 STATUS Entw&APw-rfe (MESSAGES UNSEEN)' \
	'send * STATUS INBOX (MESSAGES 7 UNSEEN 2)\r\nt5 OK\r\n* STATUS Entw&APw-rfe (MESSAGES 1 UNSEEN 0)\r\nt6 OK\r\n' \
	'expect t7 LOGOUT' 'send * BYE\r\nt7 OK\r\n'
iconfig
out=$(folders); rc=$?
server_status
diag "$out"
[ "$st" -eq 0 ] || diag "fakesrv: $(cat "$scratch/srv.err"); tern: $(cat "$scratch/err")"
check "an old server: folders listed (exit $rc)" [ "$rc" -eq 0 ]
check "with LIST, LSUB and STATUS only for selectable, valid names, pipelined (fakesrv $st)" \
	[ "$st" -eq 0 ]
check "counts from STATUS" sh -c "printf '%s\n' \"\$1\" | grep -Eq '^INBOX +inbox +2 +7\$'" sh "$out"
check "the modified UTF-7 name decoded" sh -c "printf '%s\n' \"\$1\" | grep -Eq '^Entwürfe +0 +1\$'" sh "$out"
check "no escape or bell byte reaches the output" sh -c "! printf '%s' \"\$1\" | grep -q \$'[\\x1b\\x07]'" sh "$out"
check "the escape-laden name is shown escaped and not selectable" \
	sh -c "printf '%s\n' \"\$1\" | grep 'owned' | grep -q 'not selectable'" sh "$out"
check "the broken modified UTF-7 name too" \
	sh -c "printf '%s\n' \"\$1\" | grep 'Lists/a' | grep -q 'not selectable'" sh "$out"
check "a \\Noselect folder is listed, not selectable" \
	sh -c "printf '%s\n' \"\$1\" | grep -E '^Lists ' | grep -q 'not selectable'" sh "$out"

serve 'send +OK POP3 server ready\r\n'
iconfig
folders >/dev/null; rc=$?
check "a greeting that is not IMAP fails (exit 3)" [ "$rc" -eq 3 ]
check "and says so" grep -q "not IMAP" "$scratch/err"
kill -9 "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null

# STARTTLS required: not offered, PREAUTH -- nothing is sent after.
serve 'send * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n' 'expect NOTHING-MORE'
iconfig "tls = starttls"
sed -i '/^tls = none$/d' "$scratch/tern.conf"
folders >/dev/null; rc=$?
server_status
check "STARTTLS not offered: fails (exit 3)" [ "$rc" -eq 3 ]
check "saying STARTTLS is required" grep -q "does not offer STARTTLS" "$scratch/err"
check "and nothing was sent (fakesrv: $(cat "$scratch/srv.err"))" grep -q "closed" "$scratch/srv.err"
serve 'send * PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] logged in\r\n' 'expect NOTHING-MORE'
iconfig "tls = starttls"
sed -i '/^tls = none$/d' "$scratch/tern.conf"
folders >/dev/null; rc=$?
server_status
check "PREAUTH before STARTTLS: refused (exit 3)" [ "$rc" -eq 3 ]
check "saying why" grep -q "PREAUTH" "$scratch/err"
check "and nothing was sent" grep -q "closed" "$scratch/srv.err"

# A reply injected behind STARTTLS's OK, in the same segment.
( cd "$scratch" && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout key.pem -out cert.pem -days 2 -subj /CN=localhost \
	-addext subjectAltName=IP:127.0.0.1 ) >/dev/null 2>&1
printf '%s\n' 'send * OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n' 'expect t1 STARTTLS' \
	'send t1 OK begin\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n' 'starttls' \
	'expect t2' > "$scratch/script"
rm -f "$scratch/port"
"$fakesrv" -t 20 -c "$scratch/cert.pem" -k "$scratch/key.pem" "$scratch/script" \
	> "$scratch/port" 2>"$scratch/srv.err" &
srv_pid=$!
pids="$pids $srv_pid"
i=0
while [ $i -lt 100 ] && ! grep -q . "$scratch/port" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
port=$(head -n 1 "$scratch/port")
iconfig "tls = starttls" "tls_ca_file = $scratch/cert.pem"
sed -i '/^tls = none$/d' "$scratch/tern.conf"
folders >/dev/null; rc=$?
server_status
check "a reply injected behind STARTTLS's OK: refused (exit 3)" [ "$rc" -eq 3 ]
check "as an injection" grep -qi "inject" "$scratch/err"
check "before the handshake: no login" sh -c "[ $st -ne 0 ] && ! grep -q 'LOGIN\|AUTHENTICATE' '$scratch/srv.err'"

# A tagged reply with a tag we never sent.
serve "${login[@]}" 'expect t3 LIST' 'send t9 OK what\r\n' 'expect NOTHING-MORE'
iconfig
folders >/dev/null; rc=$?
server_status
check "a tag we never sent fails (exit 3)" [ "$rc" -eq 3 ]
check "saying so" grep -q "no command of ours" "$scratch/err"
check "and nothing more is sent" grep -q "closed" "$scratch/srv.err"

# BYE in the middle of a command, then the connection closes.
serve "${login[@]}" 'expect t3 LIST' 'send * BYE server shutting down\r\n' 'close'
iconfig
folders >/dev/null; rc=$?
server_status
check "BYE mid-command fails (exit 3)" [ "$rc" -eq 3 ]
check "naming the server's reason" grep -q "server shutting down" "$scratch/err"

# A literal of absurd size: refused when announced, at once.
serve "${login[@]}" 'expect t3 LIST' 'send * LIST () "/" {99999999999}\r\n' 'sleep 5000'
iconfig
t0=$(date +%s)
folders >/dev/null; rc=$?
t1=$(date +%s)
check "a literal of absurd size fails (exit 3)" [ "$rc" -eq 3 ]
check "at once ($((t1 - t0)) s)" [ $((t1 - t0)) -le 2 ]
check "as over a limit" grep -qi "literal" "$scratch/err"
kill -9 "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null

# A folder said to hold four billion messages: not believed (it would
# take millions of FETCH commands), at once.
serve "${login[@]}" 'expect t3 EXAMINE INBOX' \
	'send * 4000000000 EXISTS\r\nt3 OK [READ-ONLY] done\r\n' 'expect NOTHING-MORE'
iconfig
t0=$(date +%s)
"$tern" -F "$scratch/tern.conf" -a h </dev/null >/dev/null 2>"$scratch/err"; rc=$?
t1=$(date +%s)
server_status
check "an absurd EXISTS fails (exit $rc)" [ "$rc" -eq 3 ]
check "saying what the server claimed" grep -q "claims 4000000000 messages" "$scratch/err"
check "at once, sending no FETCH ($((t1 - t0)) s)" sh -c \
	"[ $((t1 - t0)) -le 2 ] && ! grep -q FETCH '$scratch/srv.err'"

# A flood of 50,000 EXISTS lines: read one at a time, the folder opens.
flood=$(printf '* 2 EXISTS\\r\\n%.0s' $(seq 50000))
hdr1='Subject: one\r\n\r\n' hdr2='Subject: two\r\n\r\n'
fetched="* 1 FETCH (UID 1 FLAGS () RFC822.SIZE 20 BODY[HEADER.FIELDS (DATE FROM TO CC SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES CONTENT-TYPE)] {16}\\r\\n$hdr1)\\r\\n* 2 FETCH (UID 2 FLAGS (\\\\Seen) RFC822.SIZE 20 BODY[HEADER.FIELDS (DATE FROM TO CC SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES CONTENT-TYPE)] {16}\\r\\n$hdr2)\\r\\n"
serve "${login[@]}" 'expect t3 EXAMINE INBOX' "send ${flood}t3 OK [READ-ONLY] done\\r\\n" \
	'expect t4 FETCH 1:2 (UID FLAGS' "send ${fetched}t4 OK\\r\\n" \
	'expect t5 LOGOUT' 'send * BYE\r\nt5 OK\r\n'
iconfig
t0=$(date +%s)
out=$("$tern" -F "$scratch/tern.conf" -a h </dev/null 2>"$scratch/err"); rc=$?
t1=$(date +%s)
server_status
[ "$st" -eq 0 ] || diag "fakesrv: $(cat "$scratch/srv.err"); tern: $(cat "$scratch/err")"
check "an EXISTS flood: the folder opens (exit $rc, $((t1 - t0)) s)" [ "$rc" -eq 0 -a $((t1 - t0)) -le 10 ]
check "with its two messages" sh -c "printf '%s\n' \"\$1\" | grep -q 'one\$' &&
	printf '%s\n' \"\$1\" | grep -q 'two\$'" sh "$out"
check "as scripted (fakesrv $st)" [ "$st" -eq 0 ]

# A server that stops answering: the timeout ends it.
serve "${login[@]}" 'expect t3 LIST' 'send * LIST () "/" INBOX\r\n' 'sleep 6000'
iconfig "timeout = 1"
t0=$(date +%s)
folders >/dev/null; rc=$?
t1=$(date +%s)
check "a stalled server fails (exit 3)" [ "$rc" -eq 3 ]
check "with a timeout error" grep -q "within 1" "$scratch/err"
check "after about the timeout ($((t1 - t0)) s)" [ $((t1 - t0)) -le 3 ]
kill -9 "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null
done_testing
