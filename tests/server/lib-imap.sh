# The start every IMAP test against the private Dovecot shares (source it
# after tests/lib.sh; for a terminal test set session= first and
# IMAP_TMUX=1): skips without Dovecot or python3 (imaplib is the second,
# independent client), makes the scratch directory (and the tmux server
# of tests/e2e/tmux.sh), starts Dovecot (tests/server/dovecot.sh) and
# stops it on exit, with everything else the test started.  Sets
# dovecot_sh, tern, srv and Dovecot's env (IMAPS_PORT, CA_FILE, ...).
if ! command -v "${DOVECOT_BIN:-dovecot}" >/dev/null 2>&1 &&
   [ ! -x /usr/sbin/dovecot ]; then
	echo "1..0 # SKIP dovecot not installed"
	exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 (the second IMAP client) not installed"
	exit 0
fi
export PATH="$PATH:/usr/sbin"
dovecot_sh="${top_srcdir:-.}/tests/server/dovecot.sh"
tern=$(cd "$(dirname "$TERN")" && pwd)/$(basename "$TERN")
make_scratch
if [ "${IMAP_TMUX:-0}" = 1 ]; then
	. "${top_srcdir:-.}/tests/e2e/tmux.sh"
	imap_cleanup=tmux_cleanup
else
	imap_cleanup='rm -rf "$scratch"'
fi
chmod 711 "$scratch" # Dovecot's users must reach the server directory
srv="$scratch/srv"
trap 'bash "$dovecot_sh" stop "$srv" >/dev/null 2>&1; '"$imap_cleanup" EXIT INT TERM
bash "$dovecot_sh" start "$srv" >/dev/null || { echo "Bail out! dovecot did not start"; exit 1; }
. "$srv/env"

# imap_conf FILE ACCOUNT [PORT]: a configuration (0600) with one IMAP
# account, ACCOUNT, for alice on the private Dovecot over TLS (PORT:
# IMAPS_PORT), the password from password_command; lines may be appended.
imap_conf() {
	{
		printf '[account %s]\nmode = imap\nhost = localhost\nport = %s\n' "$2" "${3:-$IMAPS_PORT}"
		printf 'user = alice\npassword_command = echo alice-pw\ntls_ca_file = %s\n' "$CA_FILE"
	} > "$1"
	chmod 600 "$1"
}
# imap_reader CONF LOG ACCOUNT [COLUMNS ROWS] (IMAP_TMUX tests): the reader
# on ACCOUNT in a new tmux server (110x24), HOME and the XDG directories
# in the scratch directory, the protocol log in LOG; "TERN-EXITED STATUS"
# is shown when it ends.
imap_reader() {
	tmux_fresh
	"$tmux" -S "$sock" -f /dev/null new-session -d -s "$session" -x "${4:-110}" -y "${5:-24}" \
		"env HOME='$scratch' XDG_STATE_HOME='$scratch/state' XDG_CACHE_HOME='$scratch/cache' \
		 LANG=C.UTF-8 '$tern' -F '$1' --log '$2' -a '$3'; echo TERN-EXITED \$?; sleep 60"
}
