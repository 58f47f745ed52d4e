#!/bin/bash
# COMPRESS=DEFLATE against scripted hostile IMAP servers
# (tests/hostile/fakesrv, plain TCP on 127.0.0.1; the deflate bytes are
# made by python3's zlib): garbage after COMPRESS's OK, a bomb (a line of
# 1 GiB of 'A' in about 1 MB), a stream that ends and goes on in plain
# text -- each a clear error, exit 3, without a crash or the memory the
# bomb would take; and a server that refuses COMPRESS (NO) is used
# uncompressed.
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/hostile/lib-fetch.sh"
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 (to make deflate streams) not installed"
	exit 0
fi

folders() { "$tern" -F "$scratch/tern.conf" folders -a h </dev/null 2>"$scratch/err"; }
login=('send * OK [CAPABILITY IMAP4rev1] hi\r\n' 'expect t1 LOGIN u pw'
       'send t1 OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] in\r\n'
       'expect t2 COMPRESS DEFLATE')
# deflated KIND: a fakesrv send step's text (\xNN escapes) for raw
# deflate data of KIND.
deflated() {
	python3 - "$1" <<'PY'
import sys, zlib
z = zlib.compressobj(6, zlib.DEFLATED, -15)
kind = sys.argv[1]
if kind == "bomb":
    mib = b"A" * (1 << 20)
    out = b"".join([z.compress(b"* OK ")] + [z.compress(mib) for _ in range(1024)] +
                   [z.flush(zlib.Z_SYNC_FLUSH)])
elif kind == "ended":
    out = z.compress(b"* LIST () \"/\" INBOX\r\n") + z.flush(zlib.Z_FINISH)
    out += b"t3 OK plain text after the end\r\n"
sys.stdout.write("".join("\\x%02x" % b for b in out))
PY
}
# measured_folders: tern folders, its time (t_ms) and peak memory (KiB,
# peak) as the kernel counts them for a child.
measured_folders() {
	set -- $(python3 - "$tern" "$scratch/tern.conf" "$scratch/err" <<'PY'
import resource, subprocess, sys, time
t0 = time.monotonic()
with open(sys.argv[3], "w") as err:
    rc = subprocess.call([sys.argv[1], "-F", sys.argv[2], "folders", "-a", "h"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
print(rc, int((time.monotonic() - t0) * 1000),
      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
)
	rc=$1 t_ms=$2 peak=$3
}

# Garbage where the compressed stream should start.
serve "${login[@]}" 'send t2 OK DEFLATE active\r\n\xff\xfe\xfd garbage, not deflate\r\n'
iconfig
folders >/dev/null; rc=$?
server_status
check "garbage after COMPRESS's OK fails (exit $rc)" [ "$rc" -eq 3 ]
check "saying the compressed data is corrupt" grep -q "compressed data is corrupt" "$scratch/err"
check "naming the server" grep -q "127.0.0.1:$port" "$scratch/err"

# A bomb: a line that inflates to 1 GiB.
bomb=$(deflated bomb)
diag "the bomb: $((${#bomb} / 4)) bytes on the wire"
serve "${login[@]}" "send t2 OK DEFLATE active\\r\\n$bomb"
iconfig
measured_folders
server_status
check "a deflate bomb fails (exit $rc)" [ "$rc" -eq 3 ]
check "as a line over the limit" grep -q "line longer than" "$scratch/err"
check "at once ($t_ms ms)" [ "$t_ms" -lt 10000 ]
check "without inflating it into memory (peak ${peak} KiB)" [ "$peak" -gt 0 -a "$peak" -lt 300000 ]

# A stream that ends, then plain text: not read as a reply.
serve "${login[@]}" "send t2 OK DEFLATE active\\r\\n$(deflated ended)"
iconfig
folders >/dev/null; rc=$?
server_status
check "plain text after the end of the compressed stream fails (exit $rc)" [ "$rc" -eq 3 ]
check "saying so" grep -q "after the end of its compressed stream" "$scratch/err"

# NO [COMPRESSIONACTIVE]: the session goes on as it was.
serve "${login[@]}" 'send t2 NO [COMPRESSIONACTIVE] already\r\n' 'expect t3 LIST "" "*"' \
	'send * LIST () "/" INBOX\r\nt3 OK\r\n' 'expect t4 LSUB "" "*"' 'send t4 OK\r\n' \
	'expect t5 STATUS INBOX (MESSAGES UNSEEN)' \
	'send * STATUS INBOX (MESSAGES 2 UNSEEN 1)\r\nt5 OK\r\n' \
	'expect t6 LOGOUT' 'send * BYE\r\nt6 OK\r\n'
iconfig
out=$(folders); rc=$?
server_status
[ "$st" -eq 0 ] || diag "fakesrv: $(cat "$scratch/srv.err"); tern: $(cat "$scratch/err")"
check "COMPRESS refused: folders listed uncompressed (exit $rc)" [ "$rc" -eq 0 ]
check "as scripted (fakesrv $st)" [ "$st" -eq 0 ]
check "with the server's counts" \
	sh -c "printf '%s\n' \"\$1\" | grep -Eq '^INBOX +inbox +1 +2\$'" sh "$out"

# compress = no: never asked.
serve 'send * OK [CAPABILITY IMAP4rev1] hi\r\n' 'expect t1 LOGIN u pw' \
	'send t1 OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] in\r\n' 'expect t2 LIST "" "*"' \
	'send * LIST () "/" INBOX\r\nt2 OK\r\n' 'expect t3 LSUB "" "*"' 'send t3 OK\r\n' \
	'expect t4 STATUS INBOX (MESSAGES UNSEEN)' \
	'send * STATUS INBOX (MESSAGES 2 UNSEEN 1)\r\nt4 OK\r\n' \
	'expect t5 LOGOUT' 'send * BYE\r\nt5 OK\r\n'
iconfig "compress = no"
folders >/dev/null; rc=$?
server_status
check "compress = no: COMPRESS is not sent though offered (exit $rc, fakesrv $st)" \
	[ "$rc" -eq 0 -a "$st" -eq 0 ]
done_testing
