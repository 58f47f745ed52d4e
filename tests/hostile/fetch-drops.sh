#!/bin/bash
# tern fetch (keep = no, two messages) against a server that drops the
# connection at each step of the session in turn -- once without a reply,
# once half-way through the reply -- then a good run.  After the dropped
# run: exit 3, the messages whose whole text arrived are stored, nothing
# partial.  After the good run: each message in the mbox exactly once, the
# stored ones not retrieved again, both deleted.
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/hostile/lib-fetch.sh"

m1='Subject: one\r\n\r\nfirst\r\n'  # 23 bytes
m2='Subject: two\r\nX: y\r\n\r\nsecond\r\n' # 30 bytes
cmds=('' 'CAPA' 'USER u' 'PASS pw' 'CAPA' 'STAT' 'LIST' 'UIDL' 'RETR 1' 'RETR 2' 'DELE 1'
      'DELE 2' 'QUIT')
replies=('+OK hello\r\n' '-ERR no\r\n' '+OK\r\n' '+OK\r\n' '-ERR no\r\n' '+OK 2 53\r\n'
	 '+OK\r\n1 23\r\n2 30\r\n.\r\n' '+OK\r\n1 u-one\r\n2 u-two\r\n.\r\n'
	 "+OK\\r\\n$m1.\\r\\n" "+OK\\r\\n$m2.\\r\\n" '+OK\r\n' '+OK\r\n' '+OK bye\r\n')

# steps K HOW: the script that runs the session up to step K, then drops
# (HOW = none: no reply; half: the first half of the reply's bytes).
steps() {
	local k=$1 how=$2 i
	for ((i = 0; i < k; i++)); do
		[ -z "${cmds[$i]}" ] || echo "expect ${cmds[$i]}"
		echo "send ${replies[$i]}"
	done
	[ -z "${cmds[$k]}" ] || echo "expect ${cmds[$k]}"
	if [ "$how" = half ]; then
		local r
		r=$(printf '%b' "${replies[$k]}" | head -c $(($(printf '%b' "${replies[$k]}" | wc -c) / 2)) |
			od -An -v -tx1 | tr -s ' \n' ' ' | sed 's/ \([0-9a-f][0-9a-f]\)/\\x\1/g')
		echo "send $r"
	fi
	echo "drop"
}

for k in $(seq 0 12); do
	for how in none half; do
		rm -rf "$scratch/h.mbox" "$scratch/state"
		mapfile -t script < <(steps "$k" "$how")
		serve "${script[@]}"
		config "keep = no"
		fetch >/dev/null; rc=$?
		server_status
		what="drop at step $k (${cmds[$k]:-greeting}, $how)"
		stored=0
		[ "$k" -gt 8 ] && stored=1
		[ "$k" -gt 9 ] && stored=2
		n=$(grep -c '^From ' "$scratch/h.mbox" 2>/dev/null)
		check "$what: exit 3" [ "$rc" -eq 3 ]
		check "$what: $stored stored (${n:-0})" [ "${n:-0}" -eq "$stored" ]
		[ "$stored" -ge 1 ] && check "$what: the first whole" grep -q '^first$' "$scratch/h.mbox"
		check "$what: nothing partial" sh -c "[ $stored -eq 2 ] ||
			! grep -q '^Subject: two' '$scratch/h.mbox'"
		# The good run retrieves only what is not stored, then deletes both.
		good=()
		for ((i = 1; i <= 7; i++)); do good+=("expect ${cmds[$i]}" "send ${replies[$i]}"); done
		[ "$stored" -lt 1 ] && good+=("expect RETR 1" "send ${replies[8]}")
		[ "$stored" -lt 2 ] && good+=("expect RETR 2" "send ${replies[9]}")
		good+=('expect DELE 1' 'send +OK\r\n' 'expect DELE 2' 'send +OK\r\n' 'expect QUIT'
		       'send +OK\r\n')
		serve "send ${replies[0]}" "${good[@]}"
		config "keep = no"
		fetch >/dev/null; rc=$?
		server_status
		[ "$st" -eq 0 ] || diag "tern: $(cat "$scratch/err"); fakesrv: $(cat "$scratch/srv.err")"
		check "$what: the next run succeeds as scripted (fakesrv $st)" \
			[ "$rc.$st" = 0.0 ]
		check "$what: then each message is stored once" sh -c \
			"[ \$(grep -c '^first\$' '$scratch/h.mbox') -eq 1 ] &&
			 [ \$(grep -c '^second\$' '$scratch/h.mbox') -eq 1 ] &&
			 [ \$(grep -c '^From ' '$scratch/h.mbox') -eq 2 ]"
	done
done
done_testing
