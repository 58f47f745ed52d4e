#!/bin/bash
# tern fetch against scripted hostile POP3 servers (tests/hostile/fakesrv,
# plain TCP on 127.0.0.1, the account allowing plaintext): each ends in
# the documented behaviour with nothing lost -- a garbage greeting, STLS
# refused, a listing cut off, -ERR to DELE, a second fetch of the same
# account while one runs, and a full disk (a file size limit).
. "${top_srcdir:-.}/tests/lib.sh"
tern=$(cd "$(dirname "$TERN")" && pwd)/$(basename "$TERN")
fakesrv=${FAKESRV:-${top_builddir:-.}/tests/hostile/fakesrv}
fakesrv=$(cd "$(dirname "$fakesrv")" && pwd)/$(basename "$fakesrv")
make_scratch
pids=""
trap 'for p in $pids; do kill -9 $p 2>/dev/null; done; rm -rf "$scratch"' EXIT INT TERM
export XDG_STATE_HOME="$scratch/state" XDG_CACHE_HOME="$scratch/cache"

# serve STEP...: starts fakesrv on a script of these steps (one per
# argument; \r\n inside them are fakesrv's escapes); sets port and srv_pid.
serve() {
	printf '%s\n' "$@" > "$scratch/script"
	rm -f "$scratch/port"
	"$fakesrv" -t 20 "$scratch/script" > "$scratch/port" 2>"$scratch/srv.err" &
	srv_pid=$!
	pids="$pids $srv_pid"
	i=0
	while [ $i -lt 100 ] && ! grep -q . "$scratch/port" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
	port=$(head -n 1 "$scratch/port")
}
config() { # config [EXTRA...]
	{
		printf '[account h]\nmode = pop3\nhost = 127.0.0.1\nport = %s\n' "$port"
		printf 'tls = none\nallow_plaintext = yes\nuser = u\npassword_command = echo pw\n'
		printf 'mbox = %s/h.mbox\n' "$scratch"
		for l in "$@"; do printf '%s\n' "$l"; done
	} > "$scratch/tern.conf"
	chmod 600 "$scratch/tern.conf"
}
fetch() { "$tern" -F "$scratch/tern.conf" fetch -a h </dev/null 2>"$scratch/err"; }
# server_status: waits for fakesrv (in this shell: a $(...) subshell cannot
# wait for it) and sets st to its exit status.
server_status() { wait "$srv_pid"; st=$?; }

# The start of every good session: greeting, no CAPA, USER/PASS, no CAPA.
login=('send +OK hello\r\n' 'expect CAPA' 'send -ERR no\r\n' 'expect USER u' 'send +OK\r\n'
       'expect PASS pw' 'send +OK\r\n' 'expect CAPA' 'send -ERR no\r\n')
listing=('expect STAT' 'send +OK 1 25\r\n' 'expect LIST' 'send +OK\r\n1 25\r\n.\r\n'
	 'expect UIDL' 'send +OK\r\n1 uid-one\r\n.\r\n')
message=('expect RETR 1' 'send +OK\r\nSubject: one\r\n\r\nbody\r\n.\r\n')

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
done_testing
