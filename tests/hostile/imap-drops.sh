#!/bin/bash
# The piped listing (tern -a h | cat) of an IMAP folder of 2,002 messages
# -- two FETCH chunks of summaries, pipelined -- against a server that, at
# each step of the session in turn (greeting, AUTHENTICATE, ENABLE, ID,
# EXAMINE, each FETCH chunk, UNSELECT, LOGOUT), drops the connection
# without a reply, drops it half-way through the reply (in a line, or
# inside a literal whose size is more than what follows), or says BYE and
# closes.  Each is a clear error naming the command and the reason, exit 3
# and nothing listed -- or, once the listing is out, exit 0 and nothing
# lost -- with no crash (the sanitizer build).  The cache is never left
# half-written: the next good run lists every message, and the script it
# meets (every summary fetched again, or only the flags from the cache's
# state) is the one that state calls for.  Then the same at the steps of a
# resynchronisation from the cache (the flags, then the new message), and
# with CONDSTORE: a resynchronisation cut short does not record the
# server's HIGHESTMODSEQ, so the next run asks again for every change.
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/hostile/lib-fetch.sh"

N=2002
H='BODY[HEADER.FIELDS (DATE FROM TO CC SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES CONTENT-TYPE)]'
# msgs LO HI: the summaries of messages LO..HI (fakesrv escapes), subject
# mSEQ; message 1 is \Seen.
msgs() {
	local i fl
	for ((i = $1; i <= $2; i++)); do
		fl=; [ "$i" -eq 1 ] && fl='\\Seen'
		printf '* %d FETCH (UID %d FLAGS (%s) RFC822.SIZE 20 %s {%d}\\r\\nSubject: m%d\\r\\n\\r\\n)\\r\\n' \
			"$i" "$i" "$fl" "$H" $((14 + ${#i})) "$i"
	done
}
# flags LO HI: UID FETCH (UID FLAGS) data; 1 is \Seen, 2 has $flags2.
flags2=
flags() {
	local i fl
	for ((i = $1; i <= $2; i++)); do
		fl=; [ "$i" -eq 1 ] && fl='\\Seen'; [ "$i" -eq 2 ] && fl=$flags2
		printf '* %d FETCH (UID %d FLAGS (%s))\\r\\n' "$i" "$i" "$fl"
	done
}
caps='IMAP4rev1 ENABLE ID UTF8=ACCEPT UNSELECT'
names=(greeting AUTHENTICATE ENABLE ID EXAMINE 'FETCH chunk 1' 'FETCH chunk 2' UNSELECT LOGOUT)
# What tern sends at each step: expect lines, separated by |.
cmds=('' 't1 AUTHENTICATE PLAIN' 't2 ENABLE UTF8=ACCEPT' 't3 ID ("name" "tern"'
      't4 EXAMINE INBOX' "t5 FETCH 3:$N (UID FLAGS|t6 FETCH 1:2 (UID FLAGS" '' 't7 UNSELECT'
      't8 LOGOUT')
chunk1=$(msgs 3 $N)
exists="* $N EXISTS\\r\\n* OK [UIDVALIDITY 7] x\\r\\n* OK [UIDNEXT $((N + 1))] x\\r\\n"
replies=("* OK [CAPABILITY $caps SASL-IR AUTH=PLAIN] hi\\r\\n" "t1 OK [CAPABILITY $caps] in\\r\\n"
	 '* ENABLED UTF8=ACCEPT\r\nt2 OK\r\n' '* ID ("name" {4}\r\nfake)\r\nt3 OK\r\n'
	 "${exists}t4 OK [READ-ONLY] done\\r\\n" "${chunk1}t5 OK\\r\\n" "$(msgs 1 2)t6 OK\\r\\n"
	 't7 OK\r\n' '* BYE\r\nt8 OK\r\n')
# Half a reply: cut in a line, or in a literal that announced more.
parts=('* OK [CAPABILITY IMAP4rev1 ENA' 't1 OK [CAPABIL' '* ENABLED UTF8=ACCEPT\r\n'
       '* ID ("name" {4}\r\nfa' "* $N EXISTS\\r\\n* OK [UIDVALIDITY 7] x\\r\\n"
       "$(msgs 1001 $N)* 1000 FETCH (UID 1000 FLAGS () RFC822.SIZE 20 $H {18}\\r\\nSubject: m1"
       "* 1 FETCH (UID 1 FLAGS () RFC822.SIZE 20 $H {15}\\r\\nSub" 't7 O' '* BYE logging out\r\n')
# The error each step's failure names (the command), and what a half
# reply's error says.
said=('IMAP greeting' 'IMAP AUTHENTICATE PLAIN' 'IMAP ENABLE' 'IMAP ID' 'INBOX: IMAP EXAMINE'
      'INBOX: IMAP FETCH' 'INBOX: IMAP FETCH')
half_said=('closed the connection in the middle of a line'
	   'closed the connection in the middle of a line' 'the server closed the connection'
	   'closed the connection after 2 of 4 bytes' 'the server closed the connection'
	   'closed the connection after 11 of 18 bytes' 'closed the connection after 3 of 15 bytes')
last=$((${#names[@]} - 1))

expects() { # expects K: the expect steps of step K
	local IFS='|' c
	[ -z "${cmds[$1]}" ] && return
	for c in ${cmds[$1]}; do echo "expect $c"; done
}
# steps K HOW: the session up to step K, then (HOW) no reply, half the
# reply or a BYE, and the end of the connection.
steps() {
	local k=$1 how=$2 i
	for ((i = 0; i < k; i++)); do
		expects $i
		echo "send ${replies[$i]}"
	done
	expects "$k"
	case $how in
	none) echo drop ;;
	half) echo "send ${parts[$k]}"; echo drop ;;
	bye) echo 'send * BYE going down for maintenance\r\n'; echo close ;;
	esac
}
# good CACHED: a whole session.  CACHED = yes: the folder is in the cache
# (UIDVALIDITY 7, 2,002 messages), so only the flags are asked for.
good() {
	local i
	for ((i = 0; i < 5; i++)); do expects $i; echo "send ${replies[$i]}"; done
	if [ "$1" = yes ]; then
		echo 'expect t5 UID FETCH 1:* (UID FLAGS)'
		echo "send $(flags 1 $N)t5 OK\\r\\n"
		echo 'expect t6 UNSELECT'; echo 'send t6 OK\r\n'
		echo 'expect t7 LOGOUT'; echo 'send * BYE\r\nt7 OK\r\n'
	else
		for ((i = 5; i <= last; i++)); do expects $i; echo "send ${replies[$i]}"; done
	fi
}
# run STEP...: fakesrv on these steps, then the piped listing against it:
# rc (tern's status), st (fakesrv's), out (the listing), err, log (trace).
run() {
	serve "$@"
	iconfig
	rm -f "$scratch/log"
	"$tern" -F "$scratch/tern.conf" --log "$scratch/log" -a h </dev/null 2>"$scratch/err" |
		cat > "$scratch/out"
	rc=${PIPESTATUS[0]}
	server_status
}
# one_error: stderr is one line from tern, no sanitizer report.
one_error() { [ "$(wc -l < "$scratch/err")" -eq 1 ] && grep -q '^tern: ' "$scratch/err"; }
# line_of SUBJECT: the listing's line for that subject.
line_of() { grep -E " $1\$" "$scratch/out"; }
# listed COUNT: the listing has COUNT lines, m1 read, m2 unread, the rest
# as scripted.
listed() {
	[ "$(wc -l < "$scratch/out")" -eq "$1" ] && ! line_of m1 | grep -q ' N ' &&
		line_of m2 | grep -q ' N' && line_of "m$N" | grep -q ' N '
}

for ((k = 0; k <= last; k++)); do
	for how in none half bye; do
		what="${names[$k]}, $how"
		rm -rf "$scratch/cache" "$scratch/state"
		mapfile -t script < <(steps "$k" "$how")
		run "${script[@]}"
		if [ "$k" -le 6 ]; then
			case $how in
			none) why='the server closed the connection' ;;
			half) why=${half_said[$k]} ;;
			bye) why='going down for maintenance' ;;
			esac
			[ "$k.$how" = 0.bye ] && where='the IMAP server refused the connection' ||
				where=${said[$k]}
			check "$what: exit 3 ($rc)" [ "$rc" -eq 3 ]
			check "$what: one clear error" one_error
			check "$what: naming the command" contains "$(cat "$scratch/err")" "tern: $where"
			check "$what: and why" contains "$(cat "$scratch/err")" "$why"
			check "$what: nothing listed" [ ! -s "$scratch/out" ]
			cached=no
		else
			# The listing is out before UNSELECT: a drop then loses nothing.
			check "$what: the listing is whole (exit $rc)" sh -c "[ $rc -eq 0 ] && [ ! -s '$scratch/err' ]"
			check "$what: every message listed" listed $N
			cached=yes
		fi
		[ "$st" -eq 0 ] || diag "fakesrv: $(cat "$scratch/srv.err")"
		mapfile -t script < <(good "$cached")
		run "${script[@]}"
		[ "$st" -eq 0 ] || diag "fakesrv: $(cat "$scratch/srv.err"); tern: $(cat "$scratch/err")"
		check "$what: the next run lists every message (exit $rc)" \
			sh -c "[ $rc -eq 0 ] && [ ! -s '$scratch/err' ] && [ \$(wc -l < '$scratch/out') -eq $N ]"
		if [ "$cached" = yes ]; then
			check "$what: from the cache, asking only for flags (fakesrv $st)" \
				sh -c "[ $st -eq 0 ] && grep -q 'C: t5 UID FETCH 1:\\* (UID FLAGS)\$' '$scratch/log' &&
				! grep -q 'C: t[0-9]* FETCH' '$scratch/log'"
		else
			check "$what: fetching every summary, nothing cached (fakesrv $st)" \
				sh -c "[ $st -eq 0 ] && [ \$(grep -c 'C: t[56] FETCH' '$scratch/log') -eq 2 ]"
		fi
		check "$what: with the right flags" listed $N
	done
done

# ---- A resynchronisation from the cache cut short ----
# The cache of the last good run holds 2,002 messages.  The server now has
# a 2,003rd and \Flagged on message 2.
flags2='\\Flagged'
cp -R "$scratch/cache" "$scratch/cache.saved"
M=$((N + 1))
pre=()
for ((i = 0; i < 4; i++)); do
	mapfile -t -O "${#pre[@]}" pre < <(expects $i; echo "send ${replies[$i]}")
done
pre+=('expect t4 EXAMINE INBOX'
      "send * $M EXISTS\\r\\n* OK [UIDVALIDITY 7] x\\r\\n* OK [UIDNEXT $((M + 1))] x\\r\\nt4 OK [READ-ONLY] done\\r\\n")
rnames=('UID FETCH of the flags' 'UID FETCH of the new message')
rcmds=('t5 UID FETCH 1:* (UID FLAGS)' "t6 UID FETCH $M:* (UID FLAGS INTERNALDATE RFC822.SIZE")
rreplies=("$(flags 1 $M)t5 OK\\r\\n"
	  "* $M FETCH (UID $M FLAGS () RFC822.SIZE 20 $H {18}\\r\\nSubject: m$M\\r\\n\\r\\n)\\r\\nt6 OK\\r\\n")
rparts=("$(flags 1 1000)* 1001 FETCH (UID 10" "* $M FETCH (UID $M FLAGS () RFC822.SIZE 20 $H {18}\\r\\nSubject")
rhalf=('in the middle of a line' 'after 7 of 18 bytes')
rgood=("${pre[@]}" "expect ${rcmds[0]}" "send ${rreplies[0]}" "expect ${rcmds[1]}"
       "send ${rreplies[1]}" 'expect t7 UNSELECT' 'send t7 OK\r\n' 'expect t8 LOGOUT'
       'send * BYE\r\nt8 OK\r\n')
for k in 0 1; do
	for how in none half bye; do
		what="resynchronising, ${rnames[$k]}, $how"
		rm -rf "$scratch/cache"
		cp -R "$scratch/cache.saved" "$scratch/cache"
		script=("${pre[@]}")
		[ "$k" -eq 1 ] && script+=("expect ${rcmds[0]}" "send ${rreplies[0]}")
		script+=("expect ${rcmds[$k]}")
		case $how in
		none) script+=(drop); why='the server closed the connection' ;;
		half) script+=("send ${rparts[$k]}" drop); why=${rhalf[$k]} ;;
		bye) script+=('send * BYE going down for maintenance\r\n' close)
		     why='the server ended the session: going down for maintenance' ;;
		esac
		run "${script[@]}"
		check "$what: exit 3 ($rc), nothing listed" sh -c "[ $rc -eq 3 ] && [ ! -s '$scratch/out' ]"
		check "$what: one clear error" one_error
		check "$what: naming the command and why" sh -c \
			"grep -q 'tern: INBOX: IMAP UID FETCH: .*$why' '$scratch/err'"
		run "${rgood[@]}"
		[ "$st" -eq 0 ] || diag "fakesrv: $(cat "$scratch/srv.err"); tern: $(cat "$scratch/err")"
		check "$what: the next run resynchronises as scripted (exit $rc, fakesrv $st)" \
			sh -c "[ $rc.$st = 0.0 ] && [ \$(wc -l < '$scratch/out') -eq $M ]"
		check "$what: with the flag and the new message" \
			sh -c "grep -Eq '^ +2 NF +m2\$' '$scratch/out' && grep -Eq '^ +$M N +m$M\$' '$scratch/out'"
	done
done

# ---- CONDSTORE: HIGHESTMODSEQ is only taken once its changes arrived ----
cpre=("send * OK [CAPABILITY IMAP4rev1 ENABLE CONDSTORE SASL-IR AUTH=PLAIN] hi\\r\\n"
      'expect t1 AUTHENTICATE PLAIN' 'send t1 OK [CAPABILITY IMAP4rev1 ENABLE CONDSTORE] in\r\n'
      'expect t2 ENABLE CONDSTORE' 'send * ENABLED CONDSTORE\r\nt2 OK\r\n'
      'expect t3 EXAMINE INBOX (CONDSTORE)')
cexists='* 2 EXISTS\r\n* OK [UIDVALIDITY 7] x\r\n* OK [UIDNEXT 3] x\r\n'
cend=('expect t5 LOGOUT' 'send * BYE\r\nt5 OK\r\n')
rm -rf "$scratch/cache"
run "${cpre[@]}" "send $cexists* OK [HIGHESTMODSEQ 10] x\\r\\nt3 OK [READ-ONLY] done\\r\\n" \
	'expect t4 FETCH 1:2 (UID FLAGS MODSEQ' \
	"send * 1 FETCH (UID 1 FLAGS () MODSEQ (5) RFC822.SIZE 20 $H {15}\\r\\nSubject: m1\\r\\n\\r\\n)\\r\\n* 2 FETCH (UID 2 FLAGS () MODSEQ (6) RFC822.SIZE 20 $H {15}\\r\\nSubject: m2\\r\\n\\r\\n)\\r\\nt4 OK\\r\\n" \
	"${cend[@]}"
check "CONDSTORE: the first run caches HIGHESTMODSEQ 10 (exit $rc, fakesrv $st)" [ "$rc.$st" = 0.0 ]
# Two changes since (modseq 15 and 18); the drop comes after the first.
run "${cpre[@]}" "send $cexists* OK [HIGHESTMODSEQ 20] x\\r\\nt3 OK [READ-ONLY] done\\r\\n" \
	'expect t4 UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE 10)' \
	'send * 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (15))\r\n' drop
check "CONDSTORE: a drop after the first change fails (exit $rc)" [ "$rc" -eq 3 ]
run "${cpre[@]}" "send $cexists* OK [HIGHESTMODSEQ 20] x\\r\\nt3 OK [READ-ONLY] done\\r\\n" \
	'expect t4 UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE 10)' \
	'send * 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (15))\r\n* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (18))\r\nt4 OK\r\n' \
	"${cend[@]}"
[ "$st" -eq 0 ] || diag "fakesrv: $(cat "$scratch/srv.err")"
check "CONDSTORE: the next run asks for changes since 10 again, not 20 (fakesrv $st)" \
	[ "$rc.$st" = 0.0 ]
check "CONDSTORE: and gets both" sh -c "grep -Eq '^ +1 +m1\$' '$scratch/out' &&
	grep -Eq '^ +2 NF +m2\$' '$scratch/out'"
done_testing
