#!/bin/bash
# kill -9 during tern fetch, at points spread over a whole download (keep
# = no, 200 messages in batches of 64, the private Dovecot over TLS), then fetch again: each
# time the mbox must hold every message exactly once, whole, and the
# server nothing.
. "${top_srcdir:-.}/tests/lib.sh"
if ! command -v "${DOVECOT_BIN:-dovecot}" >/dev/null 2>&1 &&
   [ ! -x /usr/sbin/dovecot ]; then
	echo "1..0 # SKIP dovecot not installed"
	exit 0
fi
export PATH="$PATH:/usr/sbin"
dovecot_sh="${top_srcdir:-.}/tests/server/dovecot.sh"
tern=$(cd "$(dirname "$TERN")" && pwd)/$(basename "$TERN")
make_scratch
chmod 711 "$scratch"
srv="$scratch/srv"
trap 'bash "$dovecot_sh" stop "$srv" >/dev/null 2>&1; rm -rf "$scratch"' EXIT INT TERM
bash "$dovecot_sh" start "$srv" >/dev/null || { echo "Bail out! dovecot did not start"; exit 1; }
. "$srv/env"
export XDG_STATE_HOME="$scratch/state" XDG_CACHE_HOME="$scratch/cache"

N=200
mkdir -p "$scratch/msgs"
for i in $(seq 1 $N); do
	{
		printf 'From: s%d@example.org\nSubject: m%d\n\n' "$i" "$i"
		printf 'From the start of message %d\n' "$i"
		head -c $((i * 60)) /dev/zero | tr '\0' 'x' | fold -w 70
		printf '\nend of m%d\n' "$i"
	} > "$scratch/msgs/m$i"
done

config() { # config USER: an account "crash" for USER, keep = no
	{
		printf '[account crash]\nmode = pop3\nhost = localhost\nport = %s\n' "$POP3S_PORT"
		printf 'user = %s\npassword_command = echo %s-pw\n' "$1" "$1"
		printf 'tls_ca_file = %s\nmbox = %s/%s.mbox\nkeep = no\n' "$CA_FILE" "$scratch" "$1"
	} > "$scratch/tern.conf"
	chmod 600 "$scratch/tern.conf"
}
user() { # user NAME: a new mailbox with the N messages
	bash "$dovecot_sh" adduser "$srv" "$1" "$1-pw" >/dev/null
	bash "$dovecot_sh" load "$srv" "$1" INBOX "$scratch"/msgs/m* >/dev/null
}
fetch() { "$tern" -F "$scratch/tern.conf" fetch -a crash </dev/null 2>>"$scratch/err"; }

# How long a whole fetch takes here.
user base
config base
t0=$(date +%s%N)
out=$(fetch)
t1=$(date +%s%N)
check "a fetch nobody kills stores all $N" contains "$out" "crash: $N new"
total_ms=$(( (t1 - t0) / 1000000 ))
diag "a whole fetch takes $total_ms ms"

# Kill points: first every durable step of the fetch in turn (the test
# hook TERN_TEST_CRASH_STEP: 4 batches x 3 steps, the deletions, QUIT),
# then moments spread over the whole run.
steps=14
points=$((steps + 8))
bad=0
seen=""
for k in $(seq 1 $points); do
	u="k$k"
	user "$u"
	config "$u"
	export XDG_STATE_HOME="$scratch/state-$u"
	if [ "$k" -le $steps ]; then
		{ TERN_TEST_CRASH_STEP=$k "$tern" -F "$scratch/tern.conf" fetch -a crash \
			</dev/null >/dev/null 2>&1 & } 2>/dev/null
		wait $! 2>/dev/null
		delay_ms="step $k"
	else
		"$tern" -F "$scratch/tern.conf" fetch -a crash </dev/null >/dev/null 2>&1 &
		pid=$!
		delay_ms=$(( total_ms * (k - steps) / (points - steps + 1) ))
		sleep "$(printf '0.%03d' "$delay_ms")" 2>/dev/null || sleep 1
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		delay_ms="$delay_ms ms"
	fi
	before=0
	[ -f "$scratch/$u.mbox" ] && before=$(grep -c '^From ' "$scratch/$u.mbox")
	seen="$seen $before"
	out=$(fetch)
	out2=$(fetch)
	count=$(grep -c '^From ' "$scratch/$u.mbox")
	uniq=$(grep '^Subject: m' "$scratch/$u.mbox" | sort -u | wc -l)
	ends=$(grep -c '^end of m' "$scratch/$u.mbox")
	if [ "$count" -ne $N ] || [ "$uniq" -ne $N ] || [ "$ends" -ne $N ]; then
		bad=$((bad + 1))
		diag "kill at $delay_ms ($before stored by then): $count messages, $uniq distinct, $ends whole"
	fi
	case $out2 in
	*"0 on the server"*) ;;
	*) bad=$((bad + 1)); diag "kill at $delay_ms: the server still holds mail: $out2" ;;
	esac
done
diag "messages in the mbox when each kill came:$seen"
ok "$bad" "after a kill -9 at $points points (each durable step, and moments) and a new fetch: every message once, whole, none left on the server"
check "nothing is left in the state directories but state files" sh -c \
	"! ls -A '$scratch'/state-*/tern | grep -v '^pop3-crash\.state$' | grep -v '^$' | grep -v ':$'"
done_testing
