#!/bin/bash
# A big folder opened for the first time (nothing cached) in the reader
# (tmux, the private Dovecot): the index is shown with the newest messages
# while the older ones still arrive, in steps, the status line saying so;
# keys work meanwhile; once all are there, the count is the server's and
# the cache holds the folder whole (the next open fetches no summary).
# A piped listing of the same folder gets every message at once.
. "${top_srcdir:-.}/tests/lib.sh"
session=iloading IMAP_TMUX=1
. "${top_srcdir:-.}/tests/server/lib-imap.sh"
export HOME="$scratch" XDG_STATE_HOME="$scratch/state" XDG_CACHE_HOME="$scratch/cache"

total=26000
# The messages as maildir files written straight into INBOX (one cp each
# would take long): Dovecot gives them UIDs in name order.
mdir=$(doveadm -c "$DOVECOT_CONF" mailbox path -u alice INBOX) || { echo "Bail out! doveadm"; exit 1; }
owner=$(awk -F: '$1 == "alice" { print $3 ":" $4; exit }' "$srv/passwd")
python3 - "$mdir" "$total" "$owner" <<'PY' || { echo "Bail out! python"; exit 1; }
import os, sys
mdir, total, owner = sys.argv[1], int(sys.argv[2]), sys.argv[3]
uid, gid = (int(x) for x in owner.split(":"))
for d in ("cur", "new", "tmp"):
    os.makedirs(os.path.join(mdir, d), exist_ok=True)
    if os.geteuid() == 0:
        os.chown(os.path.join(mdir, d), uid, gid)
for i in range(1, total + 1):
    name = os.path.join(mdir, "cur", "1700000000.M%06dP1Q%d.tern-test:2,S" % (i, i))
    with open(name, "w") as f:
        f.write("From: sender%d@example.org\nSubject: message number %d\n"
                "Date: Mon, 2 Nov 2026 10:00:00 +0000\n\nbody %d\n" % (i % 97, i, i))
    if os.geteuid() == 0:
        os.chown(name, uid, gid)
PY
imap_conf "$scratch/tern.conf" big
# Dovecot indexes the folder before the test times tern.
doveadm -c "$DOVECOT_CONF" mailbox status -u alice messages INBOX >/dev/null 2>&1

imap_reader "$scratch/tern.conf" "$scratch/log" big
check "the index is shown with the newest messages first" wait_for "message number $total"
check "while the older ones still arrive, as the status line says" wait_for "(loading "
# Home goes to the oldest message shown: position 1 of those loaded so
# far, while the status line still says loading.
keys Home
check "keys work meanwhile" sh -c "i=0; while [ \$i -lt 50 ]; do
	\"$tmux\" -S '$sock' capture-pane -p -t '$session' > '$scratch/shot'
	grep -q '(loading .* 1/' '$scratch/shot' && exit 0
	grep -q '(loading ' '$scratch/shot' || exit 1
	sleep 0.05; i=\$((i + 1)); done; exit 1"
check "once all are there, the count is the server's" sh -c "i=0; while [ \$i -lt 600 ]; do
	\"$tmux\" -S '$sock' capture-pane -p -t '$session' | grep -q 'Msgs:$total .*(online)' && exit 0
	sleep 0.1; i=\$((i + 1)); done; exit 1"
check "the newest range came first, then older ones" sh -c \
	"grep -n 'C: t[0-9]* FETCH ' '$scratch/log' | head -1 | grep -q 'FETCH $((total - 1999)):$total ' &&
	 grep -q 'C: t[0-9]* FETCH 1:[0-9]* ' '$scratch/log'"
check "the log records the steps" grep -q "loaded in steps" "$scratch/log"
diag "loading took $(grep 'C: t[0-9]* FETCH ' "$scratch/log" | sed -n '1p;$p' | cut -c12-23 | tr '\n' ' ')"
keys End
keys q
check "q quits" wait_for "TERN-EXITED 0"

rm -f "$scratch/log2"
"$tern" -F "$scratch/tern.conf" --log "$scratch/log2" -a big </dev/null >"$scratch/out" 2>"$scratch/err"
rc=$?
check "the next open (piped) lists every message (exit $rc)" sh -c \
	"[ $rc -eq 0 ] && [ \$(wc -l < '$scratch/out') -eq $total ]"
check "from the cache: no summary fetched" sh -c "! grep -q 'C: t[0-9]* \\(UID \\)\\?FETCH ' '$scratch/log2'"

# Piped, with nothing cached: every message at once, in one go.
rm -rf "$scratch/cache"
"$tern" -F "$scratch/tern.conf" --log "$scratch/log3" -a big </dev/null >"$scratch/out" 2>"$scratch/err"
rc=$?
check "piped with nothing cached, every message at once (exit $rc)" sh -c \
	"[ $rc -eq 0 ] && [ \$(wc -l < '$scratch/out') -eq $total ]"
check "not in steps" sh -c "! grep -q 'loaded in steps' '$scratch/log3'"
done_testing
