#!/bin/bash
# tern fetch against scripted hostile POP3 servers (tests/hostile/fakesrv,
# plain TCP on 127.0.0.1, the account allowing plaintext): each ends in
# the documented behaviour with nothing lost -- a garbage greeting, STLS
# refused, a listing cut off, -ERR to DELE, a second fetch of the same
# account while one runs, a full disk (a file size limit), duplicate and
# empty UIDLs, a RETR whose size is not LIST's, a server that stalls and
# one that drips, a reply injected after STLS's +OK, an endless line.
# Drops at every step: fetch-drops.sh.
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/hostile/lib-fetch.sh"

serve 'send * OK IMAP4rev1 ready\r\n'
config
fetch >/dev/null; rc=$?
check "a greeting that is not POP3 fails (exit 3)" [ "$rc" -eq 3 ]
check "and says so" grep -q "not a POP3 server" "$scratch/err"
server_status

# After the refusal the script waits for a line: the client must close
# without one (fakesrv then reports the client gone), never send USER.
serve 'send +OK hello\r\n' 'expect CAPA' 'send +OK\r\nSTLS\r\nUSER\r\n.\r\n' 'expect STLS' \
	'send -ERR not today\r\n' 'expect NOTHING-MORE'
config
sed -i 's/^tls = none/tls = starttls/' "$scratch/tern.conf"
fetch >/dev/null; rc=$?
check "STLS refused with tls = starttls fails" [ "$rc" -eq 3 ]
check "before any credential: the error says STLS" grep -q "STLS" "$scratch/err"
server_status
diag "fakesrv: $(cat "$scratch/srv.err")"
check "and the client closed without sending USER or PASS" sh -c \
	"! grep -q 'USER\|PASS' '$scratch/srv.err' && grep -qi 'gone\|closed\|end' '$scratch/srv.err'"

serve "${login[@]}" 'expect STAT' 'send +OK 2 50\r\n' 'expect LIST' \
	'send +OK\r\n1 25\r\n2 25\r\n.\r\n' 'expect UIDL' 'send +OK\r\n1 uid-one\r\n'
config "keep = no"
fetch >/dev/null; rc=$?
check "a listing cut off by the server fails" [ "$rc" -eq 3 ]
check "and stores nothing" [ ! -s "$scratch/h.mbox" ]
server_status

serve "${login[@]}" "${listing[@]}" "${message[@]}" 'expect DELE 1' 'send -ERR cannot\r\n' \
	'expect QUIT' 'send +OK bye\r\n'
config "keep = no"
out=$(fetch); rc=$?
check "-ERR to DELE: the message is stored all the same" contains "$out" "h: 1 new"
check "and reported as not deleted" contains "$out" "0 deleted"
server_status
check "the session ended with QUIT as scripted (fakesrv $st)" [ "$st" -eq 0 ]
check "the mbox holds the message" [ "$(grep -c '^Subject: one' "$scratch/h.mbox")" -eq 1 ]

# Another fetch of the same account waits, then gives up.
serve 'send +OK hello\r\n' 'sleep 8000'
config
"$tern" -F "$scratch/tern.conf" fetch -a h </dev/null >/dev/null 2>&1 &
first=$!
pids="$pids $first"
sleep 0.5
t0=$(date +%s)
fetch >/dev/null; rc=$?
t1=$(date +%s)
check "a second fetch of the same account fails" [ "$rc" -eq 3 ]
check "saying another fetch is running" grep -q "another tern fetch" "$scratch/err"
check "within a few seconds ($((t1 - t0)) s)" [ $((t1 - t0)) -le 6 ]
kill -9 "$first" 2>/dev/null
wait "$first" 2>/dev/null
kill -9 "$srv_pid" 2>/dev/null
wait "$srv_pid" 2>/dev/null

# A full disk: the mbox may not grow (ulimit -f); keep = no must delete nothing.
rm -f "$scratch/h.mbox"
rm -rf "$scratch/state"
big=$(head -c 300000 /dev/zero | tr '\0' 'x' | fold -w 70 | sed 's/$/\\r\\n/' | tr -d '\n')
serve "${login[@]}" 'expect STAT' 'send +OK 1 300000\r\n' 'expect LIST' \
	'send +OK\r\n1 300000\r\n.\r\n' 'expect UIDL' 'send +OK\r\n1 uid-big\r\n.\r\n' \
	'expect RETR 1' "send +OK\\r\\nSubject: big\\r\\n\\r\\n$big.\\r\\n" \
	'expect RSET' 'send +OK\r\n' 'expect QUIT' 'send +OK\r\n'
config "keep = no"
( ulimit -f 100; "$tern" -F "$scratch/tern.conf" fetch -a h </dev/null >/dev/null 2>"$scratch/err" ); rc=$?
check "with the disk full the fetch fails (exit 3)" [ "$rc" -eq 3 ]
check "saying the mailbox is unchanged" grep -q "unchanged" "$scratch/err"
server_status
check "no DELE was sent: RSET, then QUIT, as scripted (fakesrv $st)" [ "$st" -eq 0 ]
check "no partial message is left in the mbox" sh -c "[ ! -s '$scratch/h.mbox' ]"
# Duplicate and empty UIDLs: those messages are known by a digest of
# their header (TOP n 0) instead, stored once, and not fetched again.
rm -rf "$scratch/h.mbox" "$scratch/state"
uidls=('expect STAT' 'send +OK 3 75\r\n' 'expect LIST' 'send +OK\r\n1 25\r\n2 25\r\n3 25\r\n.\r\n'
       'expect UIDL' 'send +OK\r\n1 same\r\n2 same\r\n3 \r\n.\r\n')
tops=()
for n in 1 2 3; do
	tops+=("expect TOP $n 0" "send +OK\\r\\nSubject: m$n\\r\\nMessage-ID: <$n@x>\\r\\n\\r\\n.\\r\\n")
done
retrs=()
for n in 1 2 3; do
	retrs+=("expect RETR $n" "send +OK\\r\\nSubject: m$n\\r\\nMessage-ID: <$n@x>\\r\\n\\r\\nbody $n\\r\\n.\\r\\n")
done
serve "${login[@]}" "${uidls[@]}" "${tops[@]}" "${retrs[@]}" 'expect QUIT' 'send +OK\r\n'
config
out=$(fetch); rc=$?
check "duplicate and empty UIDLs: the fetch succeeds" [ "$rc" -eq 0 ]
check "all three are stored" contains "$out" "h: 3 new"
check "with a warning that counts them" grep -q "3 bad or duplicate UIDLs" "$scratch/err"
server_status
check "each identified by TOP n 0, then retrieved (fakesrv $st)" [ "$st" -eq 0 ]
check "the mbox holds each once" [ "$(grep -c '^Subject: m[123]$' "$scratch/h.mbox")" -eq 3 ]
check "no UIDL was used as a name in the state directory" \
	sh -c "[ \$(ls '$scratch/state/tern' | wc -l) -le 2 ]"
serve "${login[@]}" "${uidls[@]}" "${tops[@]}" 'expect QUIT' 'send +OK\r\n'
config
out=$(fetch); rc=$?
check "a second fetch finds nothing new" contains "$out" "h: 0 new"
server_status
[ "$st" -eq 0 ] || diag "tern: $(cat "$scratch/err"); fakesrv: $(cat "$scratch/srv.err")"
check "and retrieves nothing (fakesrv $st)" [ "$st" -eq 0 ]

# RETR gives another size than LIST: stored as it came, with a warning,
# and left on the server even with keep = no -- now and in later runs.
rm -rf "$scratch/h.mbox" "$scratch/state"
short=('expect STAT' 'send +OK 1 5000\r\n' 'expect LIST' 'send +OK\r\n1 5000\r\n.\r\n'
       'expect UIDL' 'send +OK\r\n1 uid-short\r\n.\r\n')
serve "${login[@]}" "${short[@]}" "${message[@]}" 'expect QUIT' 'send +OK\r\n'
config "keep = no"
out=$(fetch); rc=$?
check "a size that is not LIST's: the fetch succeeds" [ "$rc" -eq 0 ]
check "the message is stored" contains "$out" "h: 1 new"
check "with a warning" grep -q "not the size the server announced" "$scratch/err"
server_status
check "and no DELE (fakesrv $st)" [ "$st" -eq 0 ]
serve "${login[@]}" "${short[@]}" 'expect QUIT' 'send +OK\r\n'
config "keep = no"
out=$(fetch); rc=$?
server_status
[ "$st" -eq 0 ] || diag "tern: $(cat "$scratch/err"); fakesrv: $(cat "$scratch/srv.err")"
check "the next keep = no fetch does not delete it either (fakesrv $st)" [ "$st" -eq 0 ]
check "nor download it again" [ "$(grep -c '^Subject: one' "$scratch/h.mbox")" -eq 1 ]

# A server that stalls: the fetch gives up after timeout, keeps what
# arrived whole, leaves nothing partial, deletes nothing.
rm -rf "$scratch/h.mbox" "$scratch/state"
serve "${login[@]}" 'expect STAT' 'send +OK 2 50\r\n' 'expect LIST' \
	'send +OK\r\n1 25\r\n2 25\r\n.\r\n' 'expect UIDL' 'send +OK\r\n1 u1\r\n2 u2\r\n.\r\n' \
	'expect RETR 1' 'send +OK\r\nSubject: one\r\n\r\nbody\r\n.\r\n' 'expect RETR 2' 'send +OK\r\nSubject: two\r\n' 'sleep 6000'
config "keep = no" "timeout = 1"
t0=$(date +%s%N)
fetch >/dev/null; rc=$?
t1=$(date +%s%N)
check "a server that stalls in a message: the fetch fails (exit 3)" [ "$rc" -eq 3 ]
check "with a timeout error" grep -q "no complete reply from the server within 1" "$scratch/err"
check "after about timeout = 1 ($(((t1 - t0) / 1000000)) ms)" [ $(((t1 - t0) / 1000000)) -lt 4000 ]
check "the first message is stored" [ "$(grep -c '^Subject: one' "$scratch/h.mbox")" -eq 1 ]
check "nothing of the second" [ "$(grep -c '^Subject: two' "$scratch/h.mbox")" -eq 0 ]
kill -9 "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null

# A server that drips its greeting one byte every 150 ms: each byte
# arrives well within the timeout, the line never within it.
serve 'drip +OK this greeting takes a long while to arrive, byte by byte\r\n 150'
config "timeout = 2"
t0=$(date +%s%N)
fetch >/dev/null; rc=$?
t1=$(date +%s%N)
check "a server that drips: the fetch fails (exit 3)" [ "$rc" -eq 3 ]
check "with a timeout error" grep -q "no complete reply from the server within 2" "$scratch/err"
check "after about timeout = 2 ($(((t1 - t0) / 1000000)) ms)" [ $(((t1 - t0) / 1000000)) -lt 5000 ]
kill -9 "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null
# A second reply injected behind STLS's +OK, in the same segment
# (CVE-2020-14954): refused before the handshake, no credential sent.
( cd "$scratch" && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout key.pem -out cert.pem -days 2 -subj /CN=localhost \
	-addext subjectAltName=IP:127.0.0.1 ) >/dev/null 2>&1
printf '%s\n' 'send +OK hello\r\n' 'expect CAPA' 'send +OK\r\nSTLS\r\nUSER\r\n.\r\n' \
	'expect STLS' 'send +OK begin TLS\r\n+OK injected\r\n' 'starttls' 'expect CAPA' \
	> "$scratch/script"
rm -f "$scratch/port"
"$fakesrv" -t 20 -c "$scratch/cert.pem" -k "$scratch/key.pem" "$scratch/script" \
	> "$scratch/port" 2>"$scratch/srv.err" &
srv_pid=$!
pids="$pids $srv_pid"
i=0
while [ $i -lt 100 ] && ! grep -q . "$scratch/port" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
port=$(head -n 1 "$scratch/port")
config "tls_ca_file = $scratch/cert.pem"
sed -i 's/^tls = none/tls = starttls/' "$scratch/tern.conf"
fetch >/dev/null; rc=$?
check "a reply injected after STLS's +OK: the fetch fails (exit 3)" [ "$rc" -eq 3 ]
check "saying so" grep -qi "before the TLS handshake\|inject" "$scratch/err"
server_status
diag "tern: $(cat "$scratch/err"); fakesrv: $(cat "$scratch/srv.err")"
check "no credential was sent: no handshake, no USER, PASS or AUTH" sh -c \
	"[ $st -ne 0 ] && ! grep -q 'USER\|PASS\|AUTH' '$scratch/srv.err'"

# A greeting that never ends: refused at the cap, not read forever.
long=$(head -c 200000 /dev/zero | tr '\0' 'x')
serve "send +OK $long" 'sleep 3000'
config
fetch >/dev/null; rc=$?
check "an endless line fails (exit 3)" [ "$rc" -eq 3 ]
check "saying the line is too long" grep -q "line longer than" "$scratch/err"
kill -9 "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null
done_testing
