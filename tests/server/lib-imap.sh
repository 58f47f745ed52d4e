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
