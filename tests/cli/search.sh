#!/bin/sh
# tern search on the real binary over the demo mailbox: matches, --count,
# exit status 1 for none and 2 for a bad query, accounts.
. "${top_srcdir:-.}/tests/lib.sh"
: "${TERN:?TERN must point at the built binary}"
make_scratch
export HOME="$scratch/home" XDG_CACHE_HOME="$scratch/cache" XDG_CONFIG_HOME="$scratch/cfg"
demo="$TERN_DATADIR/demo.mbox"

out=$("$TERN" search "$demo" subject:offsite)
ok $? "a query with matches exits 0"
n=$(printf '%s\n' "$out" | grep -c 'Spring offsite')
[ "$n" -eq 5 ]; ok $? "subject:offsite finds the 5 messages of the thread (got $n)"
check "lines carry the message number" contains "$out" "    2     Jan  7 2026  Alice Martin"
n=$("$TERN" search --count "$demo" is:unread)
[ "$n" = 6 ]; ok $? "--count prints the number of unread messages (got $n)"
out=$("$TERN" search "$demo" München)
check "accents and decoded subjects match" contains "$out" "Grüße aus München"
out=$("$TERN" search "$demo" budget has:attachment)
check "text and has:attachment combine" contains "$out" "Draft budget for 2026"
"$TERN" search "$demo" zzzznotthere >/dev/null
[ $? -eq 1 ]; ok $? "no match exits 1"
"$TERN" search "$demo" 'from:' >/dev/null 2>"$scratch/err"
[ $? -eq 2 ]; ok $? "a bad query exits 2"
check "and points at the term" contains "$(cat "$scratch/err")" "column 1"
mkdir -p "$XDG_CONFIG_HOME/tern"
printf '[account demo]\nmode = mbox\nmbox = %s\n' "$demo" > "$XDG_CONFIG_HOME/tern/config"
n=$("$TERN" search --count -a demo from:alice)
[ "$n" = 2 ]; ok $? "search -a ACCOUNT: every word is the query (got $n)"
q=$(printf 'subject:\033]0;x\007')
"$TERN" search "$demo" "$q" > "$scratch/out" 2>&1
LC_ALL=C grep -q "$(printf '\033')" "$scratch/out"
[ $? -ne 0 ]; ok $? "no control byte reaches the terminal, even from the query"
done_testing
