#!/bin/bash
# tern fetch against the private Dovecot (tests/server/dovecot.sh) over
# real TLS: implicit TLS and STLS, the keep / delete / delete-after-days
# policies, a second fetch that downloads nothing, byte-exact messages
# (From lines, 8-bit, CRLF, a large body), and clear errors for a wrong
# password, a closed port and a certificate for another name.
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
chmod 711 "$scratch" # Dovecot's users must reach the server directory
srv="$scratch/srv"
trap 'bash "$dovecot_sh" stop "$srv" >/dev/null 2>&1; rm -rf "$scratch"' EXIT INT TERM
bash "$dovecot_sh" start "$srv" >/dev/null || { echo "Bail out! dovecot did not start"; exit 1; }
. "$srv/env"

# The messages: From lines, 8-bit, CRLF, a 10 MB body.
mkdir -p "$scratch/msgs"
printf 'From: a@example.org\nSubject: one\n\nFrom the start\n>From quoted\n' > "$scratch/msgs/1"
printf 'From: b@example.org\nSubject: zwei\nContent-Type: text/plain; charset=latin1\n\nGr\374\337e\n' > "$scratch/msgs/2"
printf 'From: c@example.org\r\nSubject: three\r\n\r\ncrlf body\r\n' > "$scratch/msgs/3"
{ printf 'From: d@example.org\nSubject: big\n\n'; head -c 7500000 /dev/urandom | base64 -w 76; } > "$scratch/msgs/4"
bash "$dovecot_sh" load "$srv" alice INBOX "$scratch"/msgs/1 "$scratch"/msgs/2 \
	"$scratch"/msgs/3 "$scratch"/msgs/4 >/dev/null

export XDG_STATE_HOME="$scratch/state" XDG_CACHE_HOME="$scratch/cache"
conf="$scratch/tern.conf"
account() { # account NAME EXTRA-LINES...: writes a config for alice
	name=$1; shift
	{
		printf '[account %s]\nmode = pop3\nhost = localhost\nuser = alice\n' "$name"
		printf 'password_command = echo alice-pw\ntls_ca_file = %s\n' "$CA_FILE"
		printf 'mbox = %s/%s.mbox\n' "$scratch" "$name"
		for l in "$@"; do printf '%s\n' "$l"; done
	} > "$conf"
	chmod 600 "$conf"
}
fetch() { "$tern" -F "$conf" fetch -a "$1" </dev/null 2>"$scratch/err"; }

account keep "port = $POP3S_PORT"
out=$(fetch keep); rc=$?
check "fetch over implicit TLS succeeds" [ "$rc" -eq 0 ]
check "and says what it did" contains "$out" "keep: 4 new"
check "all four messages are in the mbox" [ "$(grep -c '^From ' "$scratch/keep.mbox")" -eq 4 ]
same=0
for i in 1 2 3 4; do
	"$tern" show --raw "$scratch/keep.mbox" "$i" > "$scratch/got$i"
	tr -d '\r' < "$scratch/msgs/$i" > "$scratch/want$i"
	if cmp -s "$scratch/got$i" "$scratch/want$i"; then same=$((same + 1)); else diag "message $i differs:" "$(diff "$scratch/want$i" "$scratch/got$i" | head -5)"; fi
done
check "each arrives byte-exact (CRLF as LF), From lines and 8-bit included ($same of 4)" \
	[ "$same" -eq 4 ]
out=$(fetch keep)
check "a second fetch downloads nothing" contains "$out" "keep: 0 new"
check "and keep = yes deleted nothing" contains "$out" "4 on the server"

account stls "port = $POP3_PORT" "tls = starttls"
out=$(fetch stls); rc=$?
check "fetch with STLS succeeds" [ "$rc" -eq 0 ]
check "and downloads into its own mbox" contains "$out" "stls: 4 new"

for mech in cram-md5 scram-sha-256 scram-sha-1 plain user; do
	rm -rf "$scratch/state"
	account "m-$mech" "port = $POP3S_PORT" "auth = $mech"
	out=$(fetch "m-$mech"); rc=$?
	check "auth = $mech logs in and fetches" sh -c "[ $rc -eq 0 ] && echo '$out' | grep -q 'm-$mech: 4 new'"
done

account wrongpw "port = $POP3S_PORT"
sed -i 's/echo alice-pw/echo wrong/' "$conf"
fetch wrongpw >/dev/null; rc=$?
check "a wrong password fails" [ "$rc" -ne 0 ]
check "with a clear error" grep -qi "refused\|auth\|login" "$scratch/err"

account closed "port = 1"
fetch closed >/dev/null; rc=$?
check "a closed port fails" [ "$rc" -ne 0 ]
check "naming host and port" grep -q "localhost:1" "$scratch/err"

account othername "port = $POP3S_PORT"
sed -i "s/^host = localhost/host = 127.1/" "$conf"
fetch othername >/dev/null; rc=$?
check "a certificate for another name is refused" [ "$rc" -ne 0 ]
check "saying nothing was sent and how to pin it" grep -q "tls_fingerprint" "$scratch/err"
check "and nothing was downloaded" [ ! -s "$scratch/othername.mbox" ]

account expire "port = $POP3S_PORT" "keep = yes" "delete_after_days = 0"
out=$(fetch expire)
check "delete_after_days = 0 deletes what it stored" contains "$out" "expire: 4 new"
check "on the server" contains "$out" "4 deleted"
out=$(fetch expire)
check "after which the server is empty" contains "$out" "0 on the server"

bash "$dovecot_sh" load "$srv" alice INBOX "$scratch"/msgs/1 "$scratch"/msgs/3 >/dev/null
account move "port = $POP3S_PORT" "keep = no"
out=$(fetch move)
check "keep = no downloads and deletes" contains "$out" "move: 2 new (0 KB), 2 deleted"
out=$(fetch move)
check "the next fetch finds nothing" contains "$out" "0 on the server"
done_testing
