#!/bin/bash
# The reader (tmux, the sanitizer build) on an IMAP folder of 8 messages
# served by tests/hostile/fakesrv, which offers IDLE so that nothing goes
# on the wire while the reader waits (the scripts stay exact), and takes
# the reader's reconnections on the same port (accept).
#
# Session A, opening messages whose BODYSTRUCTURE cannot be used --
# nested 25 deep (the cap is 20), 1,001 parts (the cap is 1,000), a
# multipart with no parts -- shows the whole message instead, its escape
# sequences made visible (the terminal's title untouched); a FETCH of an
# unknown UID sent unasked adds no message; unbalanced parentheses break
# the session: a clear error, the index stays, and the next check
# reconnects.
#
# Session B: the connection drops inside the literal of a message's body
# -- a clear error, the index usable, reconnected; it drops after new
# mail's summary arrived but before the FETCH completed, and again in the
# middle of the resynchronisation after reconnecting -- each a clear error
# or "Offline", the index as it was (no use of freed memory), and the
# next reconnection lists the new message.
#
# Session C: EXPUNGEs that come with the answers to UID STORE (as RFC
# 9051 s7.5.1 allows) -- flagging one message while another goes, then
# the last one going, then opening a message while the first goes: the
# index follows (no duplicate row, no use of freed memory), the flags land
# on the right messages, and the pager shows the message that was opened.
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/hostile/lib-fetch.sh"
session=uihostile
. "${top_srcdir:-.}/tests/e2e/tmux.sh"
trap 'for p in $pids; do kill -9 $p 2>/dev/null; done; tmux_cleanup' EXIT INT TERM

H='BODY[HEADER.FIELDS (DATE FROM TO CC SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES CONTENT-TYPE)]'
msgs() { # msgs LO HI: summaries, subject mSEQ
	local i
	for ((i = $1; i <= $2; i++)); do
		printf '* %d FETCH (UID %d FLAGS () RFC822.SIZE 20 %s {%d}\\r\\nSubject: m%d\\r\\n\\r\\n)\\r\\n' \
			"$i" "$i" "$H" $((14 + ${#i})) "$i"
	done
}
lit() { # lit TEXT: TEXT (fakesrv escapes) as a literal
	printf '{%d}\\r\\n%s' "$(printf '%b' "$1" | wc -c)" "$1"
}
login=('send * OK [CAPABILITY IMAP4rev1 IDLE SASL-IR AUTH=PLAIN] hi\r\n'
       'expect t1 AUTHENTICATE PLAIN' 'send t1 OK [CAPABILITY IMAP4rev1 IDLE] in\r\n')
select8=('expect t2 SELECT INBOX'
	 'send * 8 EXISTS\r\n* OK [UIDVALIDITY 7] x\r\n* OK [UIDNEXT 9] x\r\nt2 OK [READ-WRITE] done\r\n')
idle() { printf '%s\n' "expect t$1 IDLE" 'send + idling\r\n'; } # idle TAG
done_idle() { printf '%s\n' 'expect DONE' "send t$1 OK\\r\\n"; } # done_idle TAG
# open_msg IDLE-TAG SEQ STRUCTURE: IDLE ends, BODYSTRUCTURE (the message
# is marked \Seen once shown: seen).
open_msg() {
	done_idle "$1"
	printf '%s\n' "expect t$(($1 + 1)) UID FETCH $2 (UID BODYSTRUCTURE)" \
		"send * $2 FETCH (UID $2 BODYSTRUCTURE $3)\\r\\nt$(($1 + 1)) OK\\r\\n"
}
seen() { # seen TAG SEQ: the \Seen of a message shown
	printf '%s\n' "expect t$1 UID STORE $2 +FLAGS.SILENT (\\\\Seen)" "send t$1 OK\\r\\n"
}
whole() { # whole TAG SEQ TEXT: the message fetched whole
	printf '%s\n' "expect t$1 UID FETCH $2 (UID BODY.PEEK[])" \
		"send * $2 FETCH (UID $2 BODY[] $(lit "Subject: m$2\\r\\n\\r\\n$3\\r\\n"))\\r\\nt$1 OK\\r\\n"
}
# start_reader: the reader in a new tmux server, on the account of the
# fakesrv just started, with its own cache.
start_reader() {
	"$tmux" -S "$sock" kill-server 2>/dev/null
	i=0
	while [ $i -lt 50 ] && "$tmux" -S "$sock" ls >/dev/null 2>&1; do sleep 0.1; i=$((i + 1)); done
	rm -rf "$scratch/cache" "$scratch/log"
	iconfig
	"$tmux" -S "$sock" -f /dev/null new-session -d -s "$session" -x 110 -y 24 \
		"env HOME='$scratch' XDG_STATE_HOME='$scratch/state' XDG_CACHE_HOME='$scratch/cache' \
		 LANG=C.UTF-8 '$tern' -F '$scratch/tern.conf' --log '$scratch/log' -a h \
		 2>'$scratch/stderr'; echo TERN-EXITED \$?; sleep 60"
}
# reconnect: presses G (a check) until the reader says it reconnected
# ("New mail." when the reconnection brought some), each time waiting for
# its answer.
reconnect() {
	local i=0 j s
	while [ $i -lt 20 ]; do
		keys G
		for ((j = 0; j < 20; j++)); do
			sleep 0.1
			s=$(screen | tail -n 1)
			case $s in
			*"Reconnected to 127.0.0.1."* | "New mail.") return 0 ;;
			*"No new mail."* | *Offline*) break ;;
			esac
		done
		i=$((i + 1))
	done
	diag "no reconnection" "$(screen)"
	return 1
}
# sane WHAT: no sanitizer report, tern still running, the title untouched.
sane() {
	check "$1: no crash" sh -c "! grep -q 'Sanitizer\|runtime error' '$scratch/stderr' &&
		! \"$tmux\" -S '$sock' capture-pane -p -t '$session' | grep -q TERN-EXITED"
}

# ---------------------------------------------------------------- session A
leaf='("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 1)'
deep=$leaf
for i in $(seq 24); do deep="($deep \"mixed\" (\"boundary\" \"b$i\"))"; done
many=$(for i in $(seq 1001); do printf '("text" "plain" NIL NIL NIL "7bit" 1 1)'; done)
many="($many \"mixed\" (\"boundary\" \"b\"))"
script=("${login[@]}" "${select8[@]}" 'expect t3 FETCH 1:8' "send $(msgs 1 8)t3 OK\\r\\n")
mapfile -t -O ${#script[@]} script < <(
	idle 4; open_msg 4 1 "$deep"
	whole 6 1 'deep \x1b]0;owned\x07and shown whole'; seen 7 1
	idle 8; open_msg 8 2 "$many"; whole 10 2 'many parts, shown whole'; seen 11 2
	idle 12; done_idle 12
	printf '%s\n' 'expect t13 UID FETCH 3 (UID BODYSTRUCTURE)' \
		'send * 9 FETCH (UID 99 FLAGS () RFC822.SIZE 5)\r\n* 3 FETCH (UID 3 BODYSTRUCTURE (() "mixed"))\r\nt13 OK\r\n'
	whole 14 3 'no parts, shown whole'; seen 15 3
	idle 16; open_msg 16 4 "(($leaf \"mixed\""
	echo accept
	printf '%s\n' "${login[@]}" "${select8[@]}" 'expect t3 UID FETCH 1:* (UID FLAGS)' \
		"send $(for i in 1 2 3 4; do printf '* %d FETCH (UID %d FLAGS (\\\\Seen))\\r\\n' $i $i; done)t3 OK\\r\\n"
	idle 4; done_idle 4
	printf '%s\n' 'expect t5 LOGOUT' 'send * BYE\r\nt5 OK\r\n')
serve "${script[@]}"
start_reader
check "A: the reader opens the folder" wait_for "Msgs:8"
keys Home Enter
check "BODYSTRUCTURE 25 deep: the message is shown whole" wait_for "and shown whole"
check "its escape sequence made visible" contains "$(screen)" "deep ␛]0;owned␇and shown whole"
check "the terminal's title untouched" \
	sh -c "[ \"\$(\"$tmux\" -S '$sock' display -p -t '$session' '#{pane_title}')\" != owned ]"
check "the log says why" grep -q 'UID 1: BODYSTRUCTURE: parts nested deeper than 20; fetching the whole' \
	"$scratch/log"
keys q
wait_for "Msgs:8"
keys Home j Enter
check "1,001 parts: shown whole" wait_for "many parts, shown whole"
check "the log says why" grep -q 'UID 2: BODYSTRUCTURE: more than 1000 parts' "$scratch/log"
keys q
wait_for "Msgs:8"
keys Home j j Enter
check "a multipart with no parts: shown whole" wait_for "no parts, shown whole"
keys q
wait_for "Msgs:8"
check "a FETCH of an unknown UID sent unasked adds no message" \
	sh -c "\"$tmux\" -S '$sock' capture-pane -p -t '$session' | grep -q 'Msgs:8' &&
	! \"$tmux\" -S '$sock' capture-pane -p -t '$session' | grep -q '^ *9 '"
sane "A, three structures"
keys Home j j j Enter
check "unbalanced parentheses: a clear error" wait_for 'IMAP UID FETCH: a list not closed by ")"'
check "the index stays" contains "$(screen)" "m8"
keys k
check "and answers keys" wait_for " 3/8"
check "the next check reconnects" reconnect
check "and resynchronises: four messages read" wait_for "Msgs:8 New:4"
sane "A, a broken session"
keys q
check "A: q quits (exit 0)" wait_for "TERN-EXITED 0"
server_status
[ "$st" -eq 0 ] || diag "fakesrv: $(cat "$scratch/srv.err")"
check "A: as scripted, fakesrv $st" [ "$st" -eq 0 ]

# ---------------------------------------------------------------- session B
m9="* 9 FETCH (UID 9 FLAGS () RFC822.SIZE 20 $H {15}\\r\\nSubject: m9\\r\\n\\r\\n)\\r\\n"
flags9=$(for i in $(seq 9); do printf '* %d FETCH (UID %d FLAGS ())\\r\\n' $i $i; done)
[ -n "$flags9" ]
script=("${login[@]}" "${select8[@]}" 'expect t3 FETCH 1:8' "send $(msgs 1 8)t3 OK\\r\\n")
mapfile -t -O ${#script[@]} script < <(
	idle 4; open_msg 4 5 '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 100 3)'
	printf '%s\n' 'expect t6 UID FETCH 5 (UID BODY.PEEK[HEADER]' \
		'send * 5 FETCH (UID 5 BODY[HEADER] {100}\r\nSubject: m5\r\nFrom: a' accept
	# Reconnected; new mail comes, the drop follows its summary.
	printf '%s\n' "${login[@]}" "${select8[@]}" 'expect t3 UID FETCH 1:* (UID FLAGS)' \
		'send * 5 FETCH (UID 5 FLAGS (\\Seen))\r\nt3 OK\r\n'
	idle 4; printf '%s\n' 'sleep 300' 'send * 9 EXISTS\r\n'; done_idle 4
	printf '%s\n' 'expect t5 FETCH 9:9' "send $m9" accept
	# The resynchronisation is cut short after the new summary.
	printf '%s\n' "${login[@]}" 'expect t2 SELECT INBOX' \
		'send * 9 EXISTS\r\n* OK [UIDVALIDITY 7] x\r\n* OK [UIDNEXT 10] x\r\nt2 OK [READ-WRITE] done\r\n' \
		'expect t3 UID FETCH 1:* (UID FLAGS)' "send ${flags9}t3 OK\\r\\n" \
		'expect t4 UID FETCH 9:* (UID FLAGS' "send $m9" accept
	printf '%s\n' "${login[@]}" 'expect t2 SELECT INBOX' \
		'send * 9 EXISTS\r\n* OK [UIDVALIDITY 7] x\r\n* OK [UIDNEXT 10] x\r\nt2 OK [READ-WRITE] done\r\n' \
		'expect t3 UID FETCH 1:* (UID FLAGS)' "send ${flags9}t3 OK\\r\\n" \
		'expect t4 UID FETCH 9:* (UID FLAGS' "send ${m9}t4 OK\\r\\n"
	idle 5; done_idle 5
	printf '%s\n' 'expect t6 LOGOUT' 'send * BYE\r\nt6 OK\r\n')
serve "${script[@]}"
start_reader
check "B: the reader opens the folder" wait_for "Msgs:8"
keys Home j j j j Enter
check "a drop inside a body's literal: a clear error" \
	wait_for "the server closed the connection after 20 of 100 bytes"
check "the index stays" contains "$(screen)" "m8"
keys j
check "and answers keys" wait_for " 6/8"
sane "B, a drop in a body"
check "the next check reconnects" reconnect
# New mail is pushed during IDLE; its FETCH is cut short (a quiet check:
# no message, the next check reconnects).
i=0
while [ $i -lt 100 ] && ! grep -q 'S: \* 9 FETCH' "$scratch/log"; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
check "new mail whose FETCH is cut short: the index as it was" sh -c "\"$tmux\" -S '$sock' capture-pane -p -t '$session' | grep -q 'Msgs:8' &&
	! \"$tmux\" -S '$sock' capture-pane -p -t '$session' | grep -q ' m9\$'"
sane "B, new mail cut short"
keys G
check "a resynchronisation cut short: offline, saying why" \
	wait_for "Offline; trying again in 2 s (IMAP UID FETCH: 127.0.0.1:$port: the server closed"
check "the status line says so" contains "$(screen)" "(offline)"
check "the index as it was" sh -c "\"$tmux\" -S '$sock' capture-pane -p -t '$session' | grep -q 'Msgs:8' &&
	! \"$tmux\" -S '$sock' capture-pane -p -t '$session' | grep -q ' m9\$'"
sane "B, a resynchronisation cut short"
check "two seconds later, reconnected" reconnect
check "with the new message" wait_for " m9"
check "counted" contains "$(screen)" "Msgs:9"
keys q
check "B: q quits (exit 0)" wait_for "TERN-EXITED 0"
server_status
[ "$st" -eq 0 ] || diag "fakesrv: $(cat "$scratch/srv.err")"
check "B: as scripted, fakesrv $st" [ "$st" -eq 0 ]

# ---------------------------------------------------------------- session C
script=("${login[@]}" "${select8[@]}" 'expect t3 FETCH 1:8' "send $(msgs 1 8)t3 OK\\r\\n")
mapfile -t -O ${#script[@]} script < <(
	idle 4; done_idle 4
	printf '%s\n' 'expect t5 UID STORE 1 +FLAGS.SILENT (\\Flagged)' 'send * 3 EXPUNGE\r\nt5 OK\r\n'
	idle 6; done_idle 6
	printf '%s\n' 'expect t7 UID STORE 2 +FLAGS.SILENT (\\Flagged)' 'send * 7 EXPUNGE\r\nt7 OK\r\n'
	idle 8; done_idle 8
	printf '%s\n' 'expect t9 UID FETCH 5 (UID BODYSTRUCTURE)' \
		'send * 1 EXPUNGE\r\n* 4 FETCH (UID 5 BODYSTRUCTURE (() "mixed"))\r\nt9 OK\r\n'
	whole 10 5 'the body of m5'; seen 11 5
	idle 12; done_idle 12
	printf '%s\n' 'expect t13 LOGOUT' 'send * BYE\r\nt13 OK\r\n')
serve "${script[@]}"
start_reader
check "C: the reader opens the folder" wait_for "Msgs:8"
keys Home F
check "an EXPUNGE with the answer to a flag: the index follows" wait_for "Msgs:7 New:7 Flag:1"
check "m3 gone, no row twice, m1 flagged" sh -c "s=\$(\"$tmux\" -S '$sock' capture-pane -p -t '$session');
	! printf '%s\n' \"\$s\" | grep -q ' m3\$' && [ \$(printf '%s\n' \"\$s\" | grep -c ' m8\$') -eq 1 ] &&
	printf '%s\n' \"\$s\" | grep -Eq '^ +1 F .* m1\$'"
keys Home j F
check "the last message going with the next answer" wait_for "Msgs:6 New:6 Flag:2"
check "m2 flagged, m8 gone" sh -c "s=\$(\"$tmux\" -S '$sock' capture-pane -p -t '$session');
	printf '%s\n' \"\$s\" | grep -Eq '^ +2 F .* m2\$' && ! printf '%s\n' \"\$s\" | grep -q ' m8\$'"
sane "C, two EXPUNGEs"
keys Home j j j Enter
check "opening m5 while m1 goes: the pager shows m5" wait_for "the body of m5"
keys q
check "and the index follows" wait_for "Msgs:5 New:4 Flag:1"
sane "C, an EXPUNGE as a message opens"
keys q
check "C: q quits (exit 0)" wait_for "TERN-EXITED 0"
server_status
[ "$st" -eq 0 ] || diag "fakesrv: $(cat "$scratch/srv.err")"
check "C: as scripted, fakesrv $st" [ "$st" -eq 0 ]

# ---------------------------------------------------------------- session D
# A server without UIDPLUS: a purge can only be EXPUNGE, which removes
# what other clients marked deleted too -- tern says so as it does it.
script=("${login[@]}" "${select8[@]}" 'expect t3 FETCH 1:8' "send $(msgs 1 8)t3 OK\\r\\n")
mapfile -t -O ${#script[@]} script < <(
	idle 4; done_idle 4
	printf '%s\n' 'expect t5 UID STORE 1 +FLAGS.SILENT (\\Deleted)' 'send t5 OK\r\n'
	idle 6; done_idle 6
	printf '%s\n' 'expect t7 EXPUNGE' 'send * 1 EXPUNGE\r\n* 2 EXPUNGE\r\nt7 OK\r\n'
	idle 8; done_idle 8
	printf '%s\n' 'expect t9 LOGOUT' 'send * BYE\r\nt9 OK\r\n')
serve "${script[@]}"
start_reader
check "D: the reader opens the folder" wait_for "Msgs:8"
keys Home d
wait_for "Del:1"
keys '$'
check "D: \$ asks before purging" wait_for "Purge 1 deleted message?"
keys y
check "without UIDPLUS: a plain EXPUNGE, and tern says what it does" \
	wait_for "This server has no UID EXPUNGE (UIDPLUS)"
check "the other client's deleted message went too, as the server said" wait_for "Msgs:6"
keys q
check "D: q quits (exit 0)" wait_for "TERN-EXITED 0"
server_status
[ "$st" -eq 0 ] || diag "fakesrv: $(cat "$scratch/srv.err")"
check "D: as scripted (EXPUNGE, not UID EXPUNGE), fakesrv $st" [ "$st" -eq 0 ]
done_testing
