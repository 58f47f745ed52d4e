#!/bin/bash
# Untagged data around STARTTLS (tls = starttls, tests/hostile/fakesrv with
# a throw-away certificate; tern folders): capabilities a server (or a
# man in the middle) sends in clear before the handshake -- unsolicited
# after the greeting, or between STARTTLS and its OK, with a PREAUTH and
# other junk among them, or in the OK's own [CAPABILITY] -- are never
# trusted after it: tern asks CAPABILITY again over TLS and logs in as the
# TLS capabilities say (the LOGIN command when they offer no AUTH=, PLAIN
# when they offer it, whatever was said in clear).  A BYE in place of
# STARTTLS's OK ends the session with nothing sent.  fakesrv's exit status
# proves the commands, the trace their order.
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/hostile/lib-fetch.sh"

if ! command -v openssl >/dev/null 2>&1; then
	echo "1..0 # SKIP openssl not installed"
	exit 0
fi
( cd "$scratch" && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout key.pem -out cert.pem -days 2 -subj /CN=localhost \
	-addext subjectAltName=IP:127.0.0.1 ) >/dev/null 2>&1
serve_opts=(-c "$scratch/cert.pem" -k "$scratch/key.pem")
tconfig() {
	iconfig "tls = starttls" "tls_ca_file = $scratch/cert.pem"
	sed -i '/^tls = none$/d' "$scratch/tern.conf"
}
folders() {
	rm -f "$scratch/log"
	"$tern" -F "$scratch/tern.conf" --log "$scratch/log" folders -a h </dev/null \
		>"$scratch/out" 2>"$scratch/err"
	rc=$?
}
# after_tls CAPS LOGIN-EXPECT LOGIN-REPLY: the session after the
# handshake: CAPABILITY (CAPS, and LIST-STATUS: one LIST gives the
# counts), the login, LIST, LOGOUT.
after_tls() {
	printf '%s\n' starttls 'expect t2 CAPABILITY' \
		"send * CAPABILITY $1 LIST-EXTENDED LIST-STATUS\\r\\nt2 OK\\r\\n" \
		"expect $2" "send $3" 'expect t4 LIST "" "*" RETURN (SUBSCRIBED STATUS' \
		'send * LIST () "/" INBOX\r\n* LIST () "/" Secure\r\nt4 OK\r\n' \
		'expect t5 LOGOUT' 'send * BYE\r\nt5 OK\r\n'
}
# listed_ok WHAT: the folders came, fakesrv saw the script, and the trace
# has CAPABILITY asked again after STARTTLS's OK.
listed_ok() {
	[ "$st" -eq 0 ] || diag "fakesrv: $(cat "$scratch/srv.err"); tern: $(cat "$scratch/err")"
	check "$1: the folders are listed (exit $rc)" sh -c "[ $rc -eq 0 ] && grep -q '^Secure' '$scratch/out'"
	check "$1: over TLS, as the TLS capabilities say (fakesrv $st)" [ "$st" -eq 0 ]
	check "$1: the trace asks CAPABILITY after the handshake" sh -c \
		"grep -A1000 'S: t1 OK' '$scratch/log' | grep -q 'C: t2 CAPABILITY'"
}

# Unsolicited capabilities right after the greeting, in the same segment:
# AUTH=PLAIN in clear; over TLS only the LOGIN command.
mapfile -t tls < <(after_tls IMAP4rev1 't3 LOGIN u pw' \
	't3 OK [CAPABILITY IMAP4rev1 LIST-EXTENDED LIST-STATUS] in\r\n')
serve 'send * OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n* CAPABILITY IMAP4rev1 STARTTLS SASL-IR AUTH=PLAIN\r\n' \
	'expect t1 STARTTLS' 'send t1 OK begin TLS\r\n' "${tls[@]}"
tconfig
folders
server_status
listed_ok "untagged CAPABILITY before STARTTLS"
check "and the clear one's AUTH=PLAIN is not used" sh -c "! grep -q AUTHENTICATE '$scratch/log'"

# Junk between STARTTLS and its OK, and the OK's own [CAPABILITY]: a
# PREAUTH that would skip the login, EXISTS, capabilities with LOGIN only
# (LOGINDISABLED absent, no AUTH=); over TLS, PLAIN with SASL-IR.
mapfile -t tls < <(after_tls 'IMAP4rev1 SASL-IR AUTH=PLAIN LOGINDISABLED' 't3 AUTHENTICATE PLAIN' \
	't3 OK [CAPABILITY IMAP4rev1 LIST-EXTENDED LIST-STATUS] in\r\n')
serve 'send * OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n' 'expect t1 STARTTLS' \
	'send * PREAUTH [CAPABILITY IMAP4rev1] you are in\r\n* 3 EXISTS\r\n* CAPABILITY IMAP4rev1\r\n* OK [ALERT] junk \x1b[2J\r\n' \
	'send t1 OK [CAPABILITY IMAP4rev1 AUTH=LOGIN] begin TLS\r\n' "${tls[@]}"
tconfig
folders
server_status
listed_ok "untagged PREAUTH, EXISTS and CAPABILITY between STARTTLS and its OK"
check "still logged in over TLS, with the TLS mechanism" \
	grep -q 'C: t3 AUTHENTICATE PLAIN \*\*\*' "$scratch/log"
check "no escape byte of the junk reaches the output" \
	sh -c "! grep -q \$'\\x1b' '$scratch/out' '$scratch/err'"

# A BYE instead of STARTTLS's OK, and the connection left open: after the
# timeout, the BYE is the error; nothing is sent after it.
serve 'send * OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] hi\r\n' 'expect t1 STARTTLS' \
	'send * CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n* BYE no TLS for you\r\n' 'expect NOTHING-MORE'
tconfig
echo 'timeout = 1' >> "$scratch/tern.conf"
folders
server_status
check "a BYE instead of STARTTLS's OK: exit 3 ($rc)" [ "$rc" -eq 3 ]
check "saying STARTTLS failed and why" sh -c \
	"grep -q 'STARTTLS failed; nothing was sent' '$scratch/err' && grep -q 'no TLS for you' '$scratch/err'"
check "and nothing was sent ($(cat "$scratch/srv.err"))" grep -q 'client closed' "$scratch/srv.err"
done_testing
