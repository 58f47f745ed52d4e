# Shared by the tests of tern against fakesrv (POP3 fetch, IMAP): sourced after
# tests/lib.sh.  Starts nothing by itself; every fakesrv it starts is
# killed on exit (by PID), and the scratch directory removed.
tern=$(cd "$(dirname "$TERN")" && pwd)/$(basename "$TERN")
fakesrv=${FAKESRV:-${top_builddir:-.}/tests/hostile/fakesrv}
fakesrv=$(cd "$(dirname "$fakesrv")" && pwd)/$(basename "$fakesrv")
make_scratch
pids=""
trap 'for p in $pids; do kill -9 $p 2>/dev/null; done; rm -rf "$scratch"' EXIT INT TERM
export XDG_STATE_HOME="$scratch/state" XDG_CACHE_HOME="$scratch/cache"

# serve STEP...: starts fakesrv on a script of these steps (one per
# argument; \r\n inside them are fakesrv's escapes), with the options in
# the array serve_opts (-c CERT -k KEY for TLS); sets port and srv_pid.
serve_opts=()
serve() {
	printf '%s\n' "$@" > "$scratch/script"
	rm -f "$scratch/port"
	"$fakesrv" -t 20 "${serve_opts[@]}" "$scratch/script" > "$scratch/port" 2>"$scratch/srv.err" &
	srv_pid=$!
	pids="$pids $srv_pid"
	i=0
	while [ $i -lt 100 ] && ! grep -q . "$scratch/port" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
	port=$(head -n 1 "$scratch/port")
}
config() { # config [EXTRA...]
	{
		printf '[account h]\nmode = pop3\nhost = 127.0.0.1\nport = %s\n' "$port"
		printf 'tls = none\nallow_plaintext = yes\nuser = u\npassword_command = echo pw\n'
		printf 'mbox = %s/h.mbox\n' "$scratch"
		for l in "$@"; do printf '%s\n' "$l"; done
	} > "$scratch/tern.conf"
	chmod 600 "$scratch/tern.conf"
}
iconfig() { # iconfig [EXTRA...]: an IMAP account on the fakesrv port
	{
		printf '[account h]\nmode = imap\nhost = 127.0.0.1\nport = %s\n' "$port"
		printf 'tls = none\nallow_plaintext = yes\nuser = u\npassword_command = echo pw\n'
		for l in "$@"; do printf '%s\n' "$l"; done
	} > "$scratch/tern.conf"
	chmod 600 "$scratch/tern.conf"
}
fetch() { "$tern" -F "$scratch/tern.conf" fetch -a h </dev/null 2>"$scratch/err"; }
# server_status: waits for fakesrv (in this shell: a $(...) subshell cannot
# wait for it) and sets st to its exit status.
server_status() { wait "$srv_pid"; st=$?; }

# The start of every good session: greeting, no CAPA, USER/PASS, no CAPA.
login=('send +OK hello\r\n' 'expect CAPA' 'send -ERR no\r\n' 'expect USER u' 'send +OK\r\n'
       'expect PASS pw' 'send +OK\r\n' 'expect CAPA' 'send -ERR no\r\n')
listing=('expect STAT' 'send +OK 1 22\r\n' 'expect LIST' 'send +OK\r\n1 22\r\n.\r\n'
	 'expect UIDL' 'send +OK\r\n1 uid-one\r\n.\r\n')
message=('expect RETR 1' 'send +OK\r\nSubject: one\r\n\r\nbody\r\n.\r\n')

