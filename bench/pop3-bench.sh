#!/bin/sh
# bench/pop3-bench.sh BUILD_DIR: downloading 10,000 messages over POP3S
# with tern fetch, beside getmail6 and fetchmail in the same run.
#   BUILD_DIR  a configured build WITHOUT sanitizers (./configure CFLAGS=-O2)
#   BENCH_N    the number of messages (default 10000)
# The messages come from bench/gen-corpus.py (one file per message, the
# mboxrd ">From" quoting undone) and are loaded into a private Dovecot
# (tests/server/dovecot.sh) on 127.0.0.1, once per client, so each client
# has its own user with the same messages.  Every client keeps the mail on
# the server, remembers what it has by UIDL and fsyncs what it stored
# before it counts it as downloaded:
#   tern fetch      keep = yes; each batch appended to the mbox with fsync,
#                   the UIDL journal fsync'd
#   getmail6        SimplePOP3SSLRetriever, Mboxrd destination (fsync per
#                   message), delete = false, read_all = false
#   fetchmail       --ssl --keep --uidl, --mda getmail_mbox (getmail6's
#                   mboxrd MDA: lock, append, fsync), which is a Python
#                   program started for each message: most of fetchmail's
#                   time (the whole run takes about 20-25 minutes)
# Prints, for each, the wall time, the messages in its mbox and MB/s (the
# size of the messages as delivered to the server), then the ratios.  A
# client that is missing is installed with apt-get when running as root;
# one that cannot be installed or fails is reported and skipped.
# As root, the clients all run as the user nobody (getmail and its MDA
# refuse to deliver as root); Dovecot's mail processes do anyway.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench/pop3-bench.sh BUILD_DIR}
n=${BENCH_N:-10000}
make -C "$build" -s src/tern >/dev/null
tern="$(cd "$build" && pwd)/src/tern"
dovecot_sh="$here/../tests/server/dovecot.sh"
export PATH="$PATH:/usr/sbin"
command -v dovecot >/dev/null 2>&1 || { echo "dovecot is not installed: no benchmark"; exit 1; }

# The scratch directory: Dovecot's users (and nobody) must traverse it.
scratch=$(mktemp -d /tmp/tern-pop3-bench.XXXXXX)
chmod 711 "$scratch"
srv="$scratch/srv"
client=""       # the process id of the client running, if any
cleanup() {
	[ -z "$client" ] || kill "$client" 2>/dev/null || :
	bash "$dovecot_sh" stop "$srv" >/dev/null 2>&1 || :
	rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

is_root() { [ "$(id -u)" -eq 0 ]; }
now() { date +%s.%N; }

# ------------------------------------------------------------ the clients

# have COMMAND PACKAGE: true if COMMAND is there, after installing PACKAGE
# with apt-get if need be (as root only); else $why says why not.
have() {
	why=""
	command -v "$1" >/dev/null 2>&1 && return 0
	if is_root && command -v apt-get >/dev/null 2>&1; then
		if DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" \
			>"$scratch/apt-$2.log" 2>&1 && command -v "$1" >/dev/null 2>&1; then
			return 0
		fi
		why="$1 not installed, apt-get install -y $2 failed: $(grep -E '^E:' "$scratch/apt-$2.log" | head -n 1)"
	else
		why="$1 not installed (package $2)"
	fi
	return 1
}
use_getmail=yes use_fetchmail=yes
have getmail getmail6 || { use_getmail=no; getmail_why=$why; }
if ! have fetchmail fetchmail; then
	use_fetchmail=no fetchmail_why=$why
elif ! have getmail_mbox getmail6; then
	use_fetchmail=no fetchmail_why="no MDA: $why"
fi

# client_dir NAME: a private directory for a client, owned by the user it
# runs as.
client_dir() {
	mkdir -p "$scratch/$1"
	! is_root || chown nobody:nogroup "$scratch/$1"
	chmod 700 "$scratch/$1"
}
# put FILE: writes standard input to FILE (mode 0600, owned by the
# clients' user).
put() {
	cat > "$1"
	chmod 600 "$1"
	! is_root || chown nobody:nogroup "$1"
}

# ------------------------------------------------------------ the messages

echo "generating $n messages..." >&2
python3 "$here/gen-corpus.py" "$scratch/corpus.mbox" "$n"
mkdir "$scratch/msgs"
# One file per message (msgs/000001, ...); prints their total size.  In
# gen-corpus's mbox every "From " line starts a message (others are quoted
# as ">From "), and a blank line ends each.
bytes=$(python3 - "$scratch/corpus.mbox" "$scratch/msgs" <<'EOF'
import os, re, sys
src, dest = sys.argv[1], sys.argv[2]
quoted = re.compile(rb"^>(>*From )")
msgs, cur = [], None
with open(src, "rb") as f:
    for line in f:
        if line.startswith(b"From "):
            cur = []
            msgs.append(cur)
        else:
            cur.append(quoted.sub(rb"\1", line))
total = 0
for i, lines in enumerate(msgs, 1):
    if lines and lines[-1] == b"\n":
        lines.pop()                     # the separator
    data = b"".join(lines)
    with open(os.path.join(dest, "%06d" % i), "wb") as out:
        out.write(data)
    total += len(data)
print(total)
EOF
)
rm "$scratch/corpus.mbox"
[ "$(find "$scratch/msgs" -type f | wc -l)" -eq "$n" ] || { echo "splitting the corpus failed"; exit 1; }

# ------------------------------------------------------------ the server

echo "starting Dovecot, loading the messages..." >&2
bash "$dovecot_sh" start "$srv" >/dev/null
# shellcheck source=/dev/null
. "$srv/env"
for u in tern getmail fetchmail; do
	bash "$dovecot_sh" adduser "$srv" "$u" "$u-pw"
	bash "$dovecot_sh" load "$srv" "$u" INBOX "$scratch"/msgs/* >/dev/null
	# A first POP3 session (STAT, LIST, UIDL, no RETR), so that no client
	# pays for Dovecot indexing the new maildir; and a check.
	count=$(python3 - "$POP3S_PORT" "$CA_FILE" "$u" <<'EOF'
import poplib, ssl, sys
port, ca, user = int(sys.argv[1]), sys.argv[2], sys.argv[3]
p = poplib.POP3_SSL("localhost", port, context=ssl.create_default_context(cafile=ca))
p.user(user)
p.pass_(user + "-pw")
count = p.stat()[0]
p.list()
p.uidl()
p.quit()
print(count)
EOF
)
	[ "$count" -eq "$n" ] || { echo "user $u has $count messages on the server, not $n"; exit 1; }
done

# ------------------------------------------------------------ the runs

# run NAME DIR COMMAND...: runs COMMAND as the clients' user (nobody
# when we are root), with DIR as its home and XDG directories and output
# to DIR/log; sets $secs and $rc.  setpriv and env exec the client, so
# $client is its process id; it runs in the background so that a signal
# gets to the trap at once (a foreground child would be waited for).
run() {
	name=$1 dir=$2
	shift 2
	set -- env HOME="$dir" XDG_CONFIG_HOME="$dir/config" \
		XDG_STATE_HOME="$dir/state" XDG_CACHE_HOME="$dir/cache" "$@"
	! is_root || set -- setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
	echo "running $name..." >&2
	rc=0
	t0=$(now)
	"$@" </dev/null >"$dir/log" 2>&1 &
	client=$!
	wait "$client" || rc=$?
	client=""
	t1=$(now)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}
# report LABEL MBOX: one line for the last run; a warning if messages are
# missing.  Returns 1 (no figure for the ratios) if the run failed.
report() {
	if [ "$rc" -ne 0 ]; then
		printf '%-32s failed (exit %s): %s\n' "$1:" "$rc" \
			"$(tail -n 2 "$(dirname "$2")/log" | tr '\n' ' ')"
		return 1
	fi
	got=$(grep -c '^From ' "$2" 2>/dev/null || :)
	got=${got:-0}
	awk -v l="$1" -v s="$secs" -v m="$got" -v b="$bytes" 'BEGIN {
		printf "%-32s %8.3f s %7d messages %7.2f MB/s\n", l ":", s, m, b / 1048576 / s }'
	[ "$got" -eq "$n" ] || echo "warning: $1 stored $got messages, not $n"
	return 0
}

echo "POP3S on 127.0.0.1, keep on server, fsync: $n messages, $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }') MB"

# 1. tern fetch.
d="$scratch/tern"
client_dir tern
put "$d/tern.conf" <<EOF
[account bench]
mode = pop3
host = localhost
port = $POP3S_PORT
tls_ca_file = $CA_FILE
user = tern
password_command = echo tern-pw
mbox = $d/tern.mbox
keep = yes
EOF
run "tern fetch" "$d" "$tern" -F "$d/tern.conf" fetch -a bench
report "tern fetch" "$d/tern.mbox" && tern_s=$secs || tern_s=""

# 2. getmail6: Mboxrd needs the mbox to exist; the oldmail file (the
# UIDLs it has) goes to --getmaildir and is written at the end of a run.
# getmail6 (Debian 12 has 6.18.11) forks a child for each delivery and
# sets up its SIGCHLD handler only after the fork: when the child's exit
# slips past it, the parent waits for the retriever's timeout (here 20 s,
# default 180 s) and aborts the run ("waiting child pid N timed out",
# getmail6 issue #226; newer upstream versions wait for the child with
# multiprocessing instead).  Here that happened every few thousand
# messages.  So: the packaged getmail6 is run up to twice, each
# attempt from the start (empty mbox, no oldmail) and reported; if neither
# gets through, a copy of its getmailcore with the one fix (wait for the
# child with waitpid) is run, labelled as such.
getmail_s="" getmail_label=""
getmail_run() { # getmail_run [PYTHONPATH]: one attempt from the start
	rm -f "$d"/oldmail-*
	put "$d/getmail.mbox" </dev/null
	run getmail6 "$d" env PYTHONPATH="${1:-}" getmail --getmaildir="$d" --rcfile="$d/getmailrc"
}
# getmail_fixed DIR: a copy of getmailcore in DIR with the fork race
# fixed, compiled by the Python that getmail runs with.
getmail_fixed() {
	py=$(sed -n '1s/^#! *//p' "$(command -v getmail)") &&
	core=$($py -c 'import getmailcore, os; print(os.path.dirname(getmailcore.__file__))') &&
	mkdir -p "$1" && cp -r "$core" "$1/" && rm -rf "$1/getmailcore/__pycache__" &&
	python3 - "$1/getmailcore/baseclasses.py" <<'EOF' &&
import sys
path = sys.argv[1]
src = open(path).read()
prepare = "            self._prepare_child()\n"
wait = """        self.__child_exited.acquire()
        if self.__child_exited.wait(socket.getdefaulttimeout() or 60) == False: # py2, <py3.2: always None
            raise getmailOperationError('waiting child pid %d timed out'
                                        % childpid)
        self.__child_exited.release()
"""
if src.count(prepare) != 1 or src.count(wait) != 1:
    sys.exit("not the getmailcore/baseclasses.py this fix is for")
src = src.replace(prepare, "").replace(
    wait, "        self.__child_pid, self.__child_status = os.waitpid(childpid, 0)\n")
open(path, "w").write(src)
EOF
	$py -m compileall -q "$1/getmailcore" >/dev/null && chmod -R a+rX "$1"
}
if [ "$use_getmail" = yes ]; then
	d="$scratch/getmail"
	client_dir getmail
	put "$d/getmailrc" <<EOF
[retriever]
type = SimplePOP3SSLRetriever
server = localhost
port = $POP3S_PORT
username = getmail
password = getmail-pw
ca_certs = $CA_FILE
timeout = 20

[destination]
type = Mboxrd
path = $d/getmail.mbox

[options]
delete = false
read_all = false
verbose = 0
EOF
	version=$(getmail --version 2>/dev/null | sed -n 's/^getmail //p')
	getmail_label="getmail6 $version"
	for attempt in 1 2; do
		getmail_run
		grep -q 'waiting child pid .* timed out' "$d/log" || break
		got=$(grep -c '^From ' "$d/getmail.mbox" || :)
		printf '%-32s attempt %s aborted by its fork race after %s messages, %.1f s (+20 s waiting)\n' \
			"$getmail_label:" "$attempt" "$got" "$(awk -v s="$secs" 'BEGIN { print s - 20 }')"
	done
	if grep -q 'waiting child pid .* timed out' "$d/log"; then
		if getmail_fixed "$scratch/getmail-fix" 2>"$scratch/getmail-fix.err"; then
			getmail_label="getmail6 $version (race fixed)"
			getmail_run "$scratch/getmail-fix"
		else
			echo "no fixed copy of getmail6: $(tail -n 1 "$scratch/getmail-fix.err")"
		fi
	fi
	! report "$getmail_label" "$d/getmail.mbox" || getmail_s=$secs
else
	printf '%-32s skipped: %s\n' "getmail6:" "$getmail_why"
fi

# 3. fetchmail, delivering through getmail_mbox.  Its rc file must be
# 0600 and owned by the user running it; its exit status 1 means "no
# mail", an error here.
fetchmail_s=""
if [ "$use_fetchmail" = yes ]; then
	d="$scratch/fetchmail"
	client_dir fetchmail
	put "$d/fetchmail.mbox" </dev/null
	put "$d/fetchmailrc" <<EOF
set idfile "$d/fetchids"
poll localhost protocol pop3 service $POP3S_PORT
	user "fetchmail" password "fetchmail-pw"
EOF
	run fetchmail "$d" fetchmail -f "$d/fetchmailrc" --nosyslog \
		--ssl --sslcertck --sslcertfile "$CA_FILE" --keep --uidl \
		--mda "/usr/bin/getmail_mbox $d/fetchmail.mbox"
	! report "fetchmail + getmail_mbox" "$d/fetchmail.mbox" || fetchmail_s=$secs
else
	printf '%-32s skipped: %s\n' "fetchmail:" "$fetchmail_why"
fi

# ------------------------------------------------------------ the ratios

[ -n "$tern_s" ] || { echo "no ratios: tern fetch failed"; exit 1; }
ratios=""
[ -z "$getmail_s" ] || ratios=$(awk -v t="$tern_s" -v o="$getmail_s" \
	-v l="$getmail_label" 'BEGIN { printf "%.1fx faster than %s", o / t, l }')
if [ -n "$fetchmail_s" ]; then
	f=$(awk -v t="$tern_s" -v o="$fetchmail_s" 'BEGIN { printf "%.1fx faster than fetchmail", o / t }')
	ratios=${ratios:+$ratios, }$f
fi
if [ -n "$ratios" ]; then
	echo "ratio: tern is $ratios"
else
	echo "no ratios: neither getmail6 nor fetchmail ran"
fi
