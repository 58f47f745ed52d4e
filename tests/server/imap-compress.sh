#!/bin/bash
# COMPRESS=DEFLATE (RFC 4978) against the private Dovecot (imap_zlib on):
# over TLS, the protocol log shows COMPRESS DEFLATE answered OK right
# after the login, and the session goes on compressed (folders listed,
# INBOX's messages listed as the second client, imaplib, sees them);
# over plain TCP, through a recording proxy, what the server sent after
# that OK is really deflate and inflates to the summaries, and it is
# smaller than the same session uncompressed; with compress = no,
# COMPRESS is never sent and the listing is the same.
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/server/lib-imap.sh"
export XDG_STATE_HOME="$scratch/state" XDG_CACHE_HOME="$scratch/cache"

# The second client: 60 messages in INBOX; prints their subjects.
cat > "$scratch/client.py" <<'PY'
import imaplib, ssl, sys
m = imaplib.IMAP4_SSL("localhost", int(sys.argv[1]),
                      ssl_context=ssl.create_default_context(cafile=sys.argv[2]), timeout=20)
m.login("alice", "alice-pw")
if sys.argv[3] == "setup":
    m.create("Lists")
    for i in range(1, 61):
        m.append("INBOX", None, None, (
            "From: Sender %d <sender%d@example.org>\r\nTo: alice@example.org\r\n"
            "Subject: compressible report %d\r\nDate: Mon, 2 Nov 2026 10:%02d:00 +0000\r\n"
            "Message-ID: <m%d@example.org>\r\n\r\nbody %d\r\n" % (i, i, i, i % 60, i, i)).encode())
m.select("INBOX", readonly=True)
typ, data = m.search(None, "ALL")
print(len(data[0].split()))
m.logout()
PY
n=$(python3 "$scratch/client.py" "$IMAPS_PORT" "$CA_FILE" setup 2>"$scratch/py.err") ||
	{ echo "Bail out! the Python client failed: $(cat "$scratch/py.err")"; exit 1; }

conf="$scratch/tern.conf"
account() { # account EXTRA-LINES...: alice over implicit TLS, unless they say otherwise
	{
		printf '[account im]\nmode = imap\nhost = localhost\nuser = alice\n'
		printf 'password_command = echo alice-pw\ntls_ca_file = %s\n' "$CA_FILE"
		for l in "$@"; do printf '%s\n' "$l"; done
	} > "$conf"
	grep -q '^port = ' "$conf" || printf 'port = %s\n' "$IMAPS_PORT" >> "$conf"
	chmod 600 "$conf"
}
tern_() { "$tern" -F "$conf" --log "$scratch/log" "$@" </dev/null 2>"$scratch/err"; }
# The tag of COMPRESS in the log, and the line numbers of its command
# and its OK.
ctag() { sed -n 's/.* C: \(t[0-9]*\) COMPRESS DEFLATE$/\1/p' "$scratch/log" | head -1; }

account
rm -f "$scratch/log"
folders=$(tern_ folders -a im); rc=$?
check "tern folders with COMPRESS on (exit $rc)" [ "$rc" -eq 0 ]
t=$(ctag)
check "the log shows COMPRESS DEFLATE sent ($t)" [ -n "$t" ]
check "answered OK" grep -q " S: $t OK" "$scratch/log"
check "right after the login" sh -c \
	"grep ' C: t[0-9]* ' '$scratch/log' | sed -n 2p | grep -q 'COMPRESS DEFLATE'"
check "then the session goes on: LIST answered" sh -c \
	"grep -A100 ' S: $t OK' '$scratch/log' | grep -q 'S: t[0-9]* OK List completed'"
check "the folders are listed" sh -c "printf '%s\n' \"\$1\" | grep -Eq '^INBOX ' &&
	printf '%s\n' \"\$1\" | grep -Eq '^Lists '" sh "$folders"
check "with INBOX's count ($n messages)" sh -c \
	"printf '%s\n' \"\$1\" | grep -Eq '^INBOX +inbox +[0-9]+ +$n\$'" sh "$folders"

rm -f "$scratch/log"
list=$(tern_ -a im); rc=$?
check "tern -a lists INBOX compressed (exit $rc)" [ "$rc" -eq 0 ]
check "all $n messages" [ "$(printf '%s\n' "$list" | grep -c 'compressible report')" -eq "$n" ]
check "the last one among them" contains "$list" "compressible report 60"
check "COMPRESS was on for it" grep -q " S: $(ctag) OK" "$scratch/log"
check "and the summaries came through it" grep -q "S: \* [0-9]* FETCH (UID" "$scratch/log"

account "compress = no"
rm -f "$scratch/log"
list2=$(tern_ -a im); rc=$?
check "compress = no: the listing works (exit $rc)" [ "$rc" -eq 0 ]
check "and is the same" [ "$list2" = "$list" ]
check "COMPRESS is never sent" sh -c "! grep -q 'COMPRESS' '$scratch/log'"

# A proxy on plain TCP that records what the server sends.
cat > "$scratch/proxy.py" <<'PY'
import signal, socket, sys, threading
signal.alarm(60)  # never outlives the test by long
up, rec = int(sys.argv[1]), sys.argv[2]
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
print(ls.getsockname()[1], flush=True)
ls.settimeout(30)
c, _ = ls.accept()
s = socket.create_connection(("127.0.0.1", up))
def pump(a, b, out):
    while True:
        d = a.recv(65536)
        if not d:
            break
        if out:
            out.write(d)
            out.flush()
        b.sendall(d)
    try:
        b.shutdown(socket.SHUT_WR)
    except OSError:
        pass
with open(rec, "wb") as f:
    t = threading.Thread(target=pump, args=(c, s, None))
    t.start()
    pump(s, c, f)
    t.join()
PY
# The bytes after COMPRESS's OK line, inflated; prints "deflate" and
# the plain text, or "plain".
cat > "$scratch/inflate.py" <<'PY'
import re, sys, zlib
data = open(sys.argv[1], "rb").read()
m = re.search(rb"\r\nt[0-9]+ OK [^\r\n]*compression[^\r\n]*\r\n", data)
if not m:
    print("plain")
    sys.exit(0)
rest = data[m.end():]
print("deflate" if b"LIST" not in rest else "plain")
sys.stdout.flush()
sys.stdout.buffer.write(zlib.decompressobj(-15).decompress(rest))
PY
proxy_run() { # proxy_run RECORDING ARGS...: tern through the proxy
	rec=$1; shift
	python3 "$scratch/proxy.py" "$IMAP_PORT" "$rec" > "$scratch/pport" 2>"$scratch/proxy.err" &
	ppid_=$!
	i=0
	while [ $i -lt 100 ] && ! grep -q . "$scratch/pport" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
	account "port = $(head -n 1 "$scratch/pport")" "tls = none" "allow_plaintext = yes" "$@"
	rm -rf "$scratch/cache" # a first open: every summary comes from the server
	out=$(tern_ -a im); rc=$?
	i=0
	while kill -0 "$ppid_" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill "$ppid_" 2>/dev/null
	wait "$ppid_" 2>/dev/null
	rm -f "$scratch/pport"
}
proxy_run "$scratch/wire.z"
check "plain TCP through a proxy, compressed: INBOX listed (exit $rc)" sh -c \
	"[ $rc -eq 0 ] && [ \"\$1\" = \"\$2\" ]" sh "$out" "$list"
inflated=$(python3 "$scratch/inflate.py" "$scratch/wire.z" 2>&1)
check "what came after COMPRESS's OK is not plain text" \
	[ "$(printf '%s\n' "$inflated" | head -1)" = deflate ]
check "and inflates to the summaries" contains "$inflated" "Subject: compressible report 60"
proxy_run "$scratch/wire.plain" "compress = no"
check "the same uncompressed (exit $rc)" [ "$rc" -eq 0 ]
zb=$(stat -c %s "$scratch/wire.z") pb=$(stat -c %s "$scratch/wire.plain")
diag "bytes from the server for tern -a (INBOX, $n messages): $zb compressed, $pb plain"
check "received fewer bytes compressed ($zb < $pb)" [ "$zb" -lt "$pb" ]
done_testing
