#!/bin/bash
# G in the reader of a POP3 account (tmux, the private Dovecot over TLS):
# the account's mbox does not exist yet, the index is empty; G downloads
# the new mail and the index shows it; a second G finds nothing new.
# Then tern fetch on a terminal: its progress line and its summary.
. "${top_srcdir:-.}/tests/lib.sh"
if ! command -v "${DOVECOT_BIN:-dovecot}" >/dev/null 2>&1 &&
   [ ! -x /usr/sbin/dovecot ]; then
	echo "1..0 # SKIP dovecot not installed"
	exit 0
fi
export PATH="$PATH:/usr/sbin"
session=gfetch
make_scratch
. "${top_srcdir:-.}/tests/e2e/tmux.sh"
chmod 711 "$scratch"
dovecot_sh="${top_srcdir:-.}/tests/server/dovecot.sh"
tern=$(cd "$(dirname "$TERN")" && pwd)/$(basename "$TERN")
srv="$scratch/srv"
trap 'bash "$dovecot_sh" stop "$srv" >/dev/null 2>&1; tmux_cleanup' EXIT INT TERM
bash "$dovecot_sh" start "$srv" >/dev/null || { echo "Bail out! dovecot did not start"; exit 1; }
. "$srv/env"

mkdir -p "$scratch/msgs" "$scratch/home"
for i in 1 2 3; do
	printf 'From: sender%d@example.org\nSubject: fetched number %d\n\nbody %d\n' \
		"$i" "$i" "$i" > "$scratch/msgs/$i"
done
bash "$dovecot_sh" load "$srv" alice INBOX "$scratch"/msgs/* >/dev/null
{
	printf '[account mail]\nmode = pop3\nhost = localhost\nport = %s\n' "$POP3S_PORT"
	printf 'user = alice\npassword_command = echo alice-pw\ntls_ca_file = %s\n' "$CA_FILE"
	printf 'mbox = %s/mail.mbox\n' "$scratch"
} > "$scratch/tern.conf"
chmod 600 "$scratch/tern.conf"

"$tmux" -S "$sock" -f /dev/null new-session -d -s "$session" -x 100 -y 24 \
	"env HOME='$scratch/home' XDG_STATE_HOME='$scratch/state' XDG_CACHE_HOME='$scratch/cache' \
	 LANG=C.UTF-8 '$tern' -F '$scratch/tern.conf' -a mail; echo TERN-EXITED \$?; sleep 60"
check "the reader opens the POP3 account before any mail arrived" wait_for "(no messages)"
keys G
check "G downloads the new mail" wait_for "3 new messages."
check "and the index shows it without restarting" wait_for "fetched number 3"
check "the status line counts it" wait_for "Msgs:3"
keys G
check "a second G finds nothing new" wait_for "0 new messages."
keys q
check "q quits" wait_for "TERN-EXITED 0"
check "the mail is in the account's mbox" [ "$(grep -c '^From ' "$scratch/mail.mbox")" -eq 3 ]

for i in 4 5 6 7; do
	{ printf 'From: sender%d@example.org\nSubject: fetched number %d\n\n' "$i" "$i"
	  head -c 30000 /dev/zero | tr '\0' 'y' | fold -w 70; } > "$scratch/msgs/$i"
done
bash "$dovecot_sh" load "$srv" alice INBOX "$scratch"/msgs/[4567] >/dev/null
session=gfetch2
"$tmux" -S "$sock" new-session -d -s "$session" -x 120 -y 10 \
	"env HOME='$scratch/home' XDG_STATE_HOME='$scratch/state' XDG_CACHE_HOME='$scratch/cache' \
	 LANG=C.UTF-8 '$tern' -F '$scratch/tern.conf' fetch -a mail; echo FETCH-EXITED \$?; sleep 60"
check "tern fetch on a terminal ends" wait_for "FETCH-EXITED 0"
shown=$(screen)
check "its progress line counts the messages" contains "$shown" "Downloading mail (4/4)"
check "with a full bar and the bytes" sh -c "printf '%s\n' \"\$1\" |
	grep -Eq '\[#{20}\] 100%  1[0-9]{2} KB / 1[0-9]{2} KB'" sh "$shown"
check "then the summary" contains "$shown" "mail: 4 new"
done_testing
