#!/bin/bash
# Literals a hostile IMAP server sends (tests/hostile/fakesrv, plain TCP,
# the piped listing and tern folders): a negative size {-1}, a size with
# junk in it; a literal8 ~{n} where only a string may be (a header
# section, a folder name: RFC 9051 s4.3.1 allows binary data only as
# BINARY[]); the largest literal allowed announced and never sent (memory
# stays bounded: nothing is reserved for what has not arrived; the timeout
# ends it) and one byte more, refused when announced.  Each is a clear
# error (exit 3); a malformed literal ends the session at once, nothing
# more sent.
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/hostile/lib-fetch.sh"

H='BODY[HEADER.FIELDS (DATE FROM TO CC SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES CONTENT-TYPE)]'
login=('send * OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n' 'expect t1 AUTHENTICATE PLAIN'
       'send t1 OK [CAPABILITY IMAP4rev1] in\r\n')
examine=('expect t2 EXAMINE INBOX'
	 'send * 1 EXISTS\r\n* OK [UIDVALIDITY 7] x\r\n* OK [UIDNEXT 2] x\r\nt2 OK [READ-ONLY] done\r\n'
	 'expect t3 FETCH 1:1 (UID FLAGS')
listing() { "$tern" -F "$scratch/tern.conf" -a h </dev/null 2>"$scratch/err" | cat > "$scratch/out"; rc=${PIPESTATUS[0]}; }
folders() { "$tern" -F "$scratch/tern.conf" folders -a h </dev/null 2>"$scratch/err" > "$scratch/out"; rc=$?; }
said() { cat "$scratch/err"; }

# A negative literal, and sizes with junk, in a FETCH of summaries: the
# session ends at once -- nothing more is sent, not even LOGOUT.
for lit in '{-1}' '{1-}' '{+5}' '{0x10}'; do
	serve "${login[@]}" "${examine[@]}" \
		"send * 1 FETCH (UID 1 FLAGS () RFC822.SIZE 20 $H $lit\\r\\nSubject: x\\r\\n\\r\\n)\\r\\nt3 OK\\r\\n" \
		'expect NOTHING-MORE'
	iconfig
	listing
	server_status
	check "a literal $lit in a summary: exit 3 ($rc), nothing listed" \
		sh -c "[ $rc -eq 3 ] && [ ! -s '$scratch/out' ] && [ \$(wc -l < '$scratch/err') -eq 1 ]"
	check "saying so" contains "$(said)" "INBOX: IMAP FETCH: bad literal size $lit"
	check "and nothing more is sent ($(cat "$scratch/srv.err"))" grep -q 'client closed' "$scratch/srv.err"
done
serve 'send * OK [CAPABILITY IMAP4rev1] hi\r\n' 'expect t1 LOGIN u pw' 'send t1 OK\r\n' \
	'expect t2 CAPABILITY' 'send * CAPABILITY IMAP4rev1\r\nt2 OK\r\n' 'expect t3 LIST' \
	'send * LIST () "/" INBOX\r\n* LIST () "/" {-1}\r\n' 'expect NOTHING-MORE'
iconfig
folders
server_status
check "a literal {-1} as a folder name: exit 3 ($rc)" [ "$rc" -eq 3 ]
check "saying so" contains "$(said)" "IMAP LIST: bad literal size {-1}"
check "and nothing more is sent" grep -q 'client closed' "$scratch/srv.err"

# A literal8 where a string is wanted: a header section...
serve "${login[@]}" "${examine[@]}" \
	"send * 1 FETCH (UID 1 FLAGS () RFC822.SIZE 20 $H ~{15}\\r\\nSubject: m1\\r\\n\\r\\n)\\r\\nt3 OK\\r\\n" \
	'expect t4 LOGOUT' 'send * BYE\r\nt4 OK\r\n'
iconfig
listing
server_status
check "a literal8 as a header section: exit 3 ($rc), nothing listed" \
	sh -c "[ $rc -eq 3 ] && [ ! -s '$scratch/out' ]"
check "the item named" contains "$(said)" "FETCH: a bad BODY[] item"
check "the session goes on to LOGOUT (fakesrv $st)" [ "$st" -eq 0 ]
# ... and a folder name.
serve 'send * OK [CAPABILITY IMAP4rev1] hi\r\n' 'expect t1 LOGIN u pw' 'send t1 OK\r\n' \
	'expect t2 CAPABILITY' 'send * CAPABILITY IMAP4rev1\r\nt2 OK\r\n' 'expect t3 LIST' \
	'send * LIST () "/" INBOX\r\n* LIST () "/" ~{5}\r\nA\x00B\x1bC\r\nt3 OK\r\n' \
	'expect t4 LOGOUT' 'send * BYE\r\nt4 OK\r\n'
iconfig
folders
server_status
check "a literal8 as a folder name: exit 3 ($rc), nothing listed" \
	sh -c "[ $rc -eq 3 ] && [ ! -s '$scratch/out' ]"
check "as a folder name that is binary data" contains "$(said)" "LIST: IMAP: a folder name sent as binary data"
check "no escape byte reaches the terminal" sh -c "! grep -q \$'\\x1b' '$scratch/err'"

# The largest literal allowed (64 MiB), announced, 1,000 bytes of it
# sent, then nothing: the timeout ends it, and memory is what a small
# literal costs (nothing is reserved for bytes not received).
# maxrss SIZE: runs the listing on such a server, sets kb (peak RSS).
maxrss() {
	serve "${login[@]}" "${examine[@]}" \
		"send * 1 FETCH (UID 1 RFC822.SIZE 20 $H {$1}\\r\\n$(printf 'a%.0s' $(seq 1000))" 'sleep 5000'
	iconfig 'timeout = 1'
	/usr/bin/time -f '%M' -o "$scratch/rss" "$tern" -F "$scratch/tern.conf" -a h \
		</dev/null 2>"$scratch/err" | cat > "$scratch/out"
	rc=${PIPESTATUS[0]}
	kb=$(tail -n 1 "$scratch/rss")
	kill -9 "$srv_pid" 2>/dev/null
	wait "$srv_pid" 2>/dev/null
}
if [ -x /usr/bin/time ]; then
	maxrss 1024
	small=$kb
	maxrss 67108864
	check "a 64 MiB literal that never comes: exit 3 ($rc)" [ "$rc" -eq 3 ]
	check "a timeout, saying how much came" contains "$(said)" "the server stopped sending (1000 of"
	check "memory as for a 1 KiB literal (${kb} KiB, ${small} KiB)" [ "$kb" -lt $((small + 16384)) ]
else
	echo "ok $((tap_n + 1)) # SKIP /usr/bin/time not installed"
	tap_n=$((tap_n + 1))
fi
# One byte over the limit: refused when announced, at once.
serve "${login[@]}" "${examine[@]}" "send * 1 FETCH (UID 1 RFC822.SIZE 20 $H {67108865}\\r\\n" \
	'sleep 5000'
iconfig
t0=$(date +%s)
listing
t1=$(date +%s)
check "a literal one byte over 64 MiB: exit 3 ($rc), at once ($((t1 - t0)) s)" \
	sh -c "[ $rc -eq 3 ] && [ $((t1 - t0)) -le 2 ]"
check "as over the limit" contains "$(said)" "a literal of 67108865 bytes, over the limit of 67108864"
kill -9 "$srv_pid" 2>/dev/null
wait "$srv_pid" 2>/dev/null
done_testing
