#!/bin/sh
# bench/run.sh BUILD_DIR: message library throughput, and mutt/neomutt
# opening the same mbox, side by side.
#   BUILD_DIR  a configured build WITHOUT sanitizers (e.g. ./configure
#              CFLAGS=-O2); bench/bench_mime is built there.
#   BENCH_MBOX the corpus (default /tmp/tern-bench.mbox, generated with
#              bench/gen-corpus.py, 50,000 messages, if missing).
# Prints MB/s and messages/s for header-only parsing and for full parse +
# render, the time mutt and neomutt take to open (parse the headers of)
# the mbox, and the ratios.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench/run.sh BUILD_DIR}
mbox=${BENCH_MBOX:-/tmp/tern-bench.mbox}
[ -f "$mbox" ] || python3 "$here/gen-corpus.py" "$mbox" 50000
make -C "$build" -s bench/bench_mime >/dev/null

best() { # best MODE: the best of three runs (seconds on the last field)
	for i in 1 2 3; do "$build/bench/bench_mime" "$1" "$mbox"; done |
		sort -t: -k2 | sort -n -k7 | head -1
}
hdr=$(best header)
full=$(best full)
echo "tern $hdr"
echo "tern $full"
hdr_s=$(echo "$hdr" | sed 's/.* in \([0-9.]*\) s.*/\1/')

# Time for a reader to open the mbox (it reads every message's header):
# the program runs in a private tmux server, quits at once, and the time
# to its exit is measured.  HOME is a scratch directory with a Mail folder
# so that mutt asks nothing.
scratch=$(mktemp -d)
trap 'tmux -S "$scratch/sock" kill-server 2>/dev/null || true; rm -rf "$scratch"' EXIT
mkdir -p "$scratch/Mail"
open_time() { # open_time PROGRAM
	command -v "$1" >/dev/null 2>&1 || { echo "-"; return; }
	command -v tmux >/dev/null 2>&1 || { echo "-"; return; }
	t0=$(date +%s.%N)
	tmux -S "$scratch/sock" -f /dev/null new-session -d -x 120 -y 40 \
		"HOME='$scratch' $1 -n -F /dev/null -R -f '$mbox' -e 'set quit=yes' -e 'push <quit>'; tmux -S '$scratch/sock' wait-for -S done"
	timeout 600 tmux -S "$scratch/sock" wait-for done
	t1=$(date +%s.%N)
	tmux -S "$scratch/sock" kill-server 2>/dev/null || true
	echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }'
}
for prog in mutt neomutt; do
	t=$(open_time "$prog")
	if [ "$t" = "-" ]; then
		echo "$prog: not installed"
	else
		echo "$prog opens the mbox in $t s: tern's header parse is" \
			"$(echo "$t $hdr_s" | awk '{ printf "%.1f", $1 / $2 }')x faster"
	fi
done
