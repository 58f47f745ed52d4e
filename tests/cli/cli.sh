#!/bin/sh
# The command line contract of tern(1) and tern.conf(5), on the real
# binary: options, exit codes, configuration errors with file:line,
# listing a mailbox safely, the log file.
. "${top_srcdir:-.}/tests/lib.sh"
: "${TERN:?TERN must point at the built binary}"
make_scratch

# run ARGS...: sets $out, $errout and $rc.
run() {
	"$TERN" "$@" >"$scratch/out" 2>"$scratch/err" </dev/null
	rc=$?
	out=$(cat "$scratch/out")
	errout=$(cat "$scratch/err")
}

export HOME="$scratch/home"
export XDG_CONFIG_HOME="$scratch/xdg"
mkdir -p "$HOME"

# --- version and help ---------------------------------------------------
run --version
ok $rc "--version exits 0"
check "--version names tern and its version" contains "$out" "tern 0."
check "--version names the libraries" contains "$out" "OpenSSL"
run --help
ok $rc "--help exits 0"
for word in fetch show search folders "-F FILE" "-a NAME" "--log FILE" --demo; do
	check "--help mentions $word" contains "$out" "$word"
done
for cmd in fetch show search folders; do
	run $cmd --help
	ok $rc "tern $cmd --help exits 0"
	check "tern $cmd --help shows its usage" contains "$out" "Usage: tern $cmd"
done
run show --help -F /nonexistent
ok $rc "--help after other options still works without reading the config"
run --bogus
[ $rc -eq 2 ]; ok $? "an unknown option exits 2"
check "an unknown option is named" contains "$errout" "unknown option '--bogus'"
check "a usage error points at --help" contains "$errout" "tern --help"
run show --count x
[ $rc -eq 2 ]; ok $? "an option of another command exits 2"
check "the error says which command the option belongs to" contains "$errout" "'tern search'"

# --- configuration errors name file and line ------------------------------
cfg="$scratch/bad.conf"
printf '[account home]\nmode = mbox\ncolour = blue\nmbox = ~/x.mbox\n' > "$cfg"
run -F "$cfg" --demo
[ $rc -eq 2 ]; ok $? "a config with an unknown key is rejected with exit 2"
check "the error names file, line and key" contains "$errout" "$cfg:3: unknown key 'colour'"

printf '[account a]\nmode = imap\nhost = h\nuser = u\ntls = none\n' > "$cfg"
run -F "$cfg" --demo
check "tls = none without allow_plaintext is refused at its line" \
	contains "$errout" "$cfg:5: tls: none would send the password unencrypted"

printf '[account a]\nmode = pop3\nhost = h\nuser = u\npassword = S3cr3t-pw\n' > "$cfg"
chmod 644 "$cfg"
run -F "$cfg" --demo
[ $rc -eq 2 ]; ok $? "a password in a file others can read is refused"
check "the error says how to fix it" contains "$errout" "chmod 600"
check "the error does not repeat the password" lacks "$errout" "S3cr3t-pw"
chmod 600 "$cfg"
run -F "$cfg" --demo
ok $rc "the same file with mode 600 is accepted"

run -F "$scratch/missing.conf" --demo
[ $rc -eq 2 ]; ok $? "a missing file named with -F is an error"

# --- opening mailboxes ----------------------------------------------------
run --demo
ok $rc "--demo exits 0"
n=$(grep -c '^From ' "$TERN_DATADIR/demo.mbox")
got=$(printf '%s\n' "$out" | grep -c .)
[ "$got" -eq "$n" ]; ok $? "--demo lists each of the $n demo messages (got $got lines)"
check "--demo shows the welcome message" contains "$out" "Welcome to tern"

mb="$scratch/evil.mbox"
printf 'From x@example.org Mon Jan  5 09:12:00 2026\nFrom: Mallory <m@example.org>\nSubject: \033]0;pwned\007 \033[2J \302\233 \342\200\256txt\n\nbody\n' > "$mb"
run "$mb"
ok $rc "an mbox given by path is listed"
printf '%s' "$out" | LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')"
[ $? -ne 0 ]; ok $? "no control byte from a message reaches the terminal"
check "ESC is shown as a visible symbol" contains "$out" "␛]0;pwned␇"
printf '%s' "$out" | LC_ALL=C grep -q "$(printf '\302\233\|\342\200\256')"
[ $? -ne 0 ]; ok $? "C1 CSI and bidi override are not passed through"

run "$scratch/nonexistent.mbox"
[ $rc -eq 3 ]; ok $? "a missing mailbox exits 3"
check "the error names the file" contains "$errout" "nonexistent.mbox"
run "$scratch"
check "a directory is refused as a mailbox" contains "$errout" "is a directory"
printf 'not a mailbox\n' > "$scratch/text"
run "$scratch/text"
check "a file that is not an mbox is refused" contains "$errout" "not an mbox file"

# --- accounts -------------------------------------------------------------
mkdir -p "$XDG_CONFIG_HOME/tern"
cat > "$XDG_CONFIG_HOME/tern/config" <<CONF
[general]
default_account = local

[account local]
mode = mbox
mbox = $mb

[account pop]
mode = pop3
host = pop.example.org
user = me
password_command = echo never-shown

[account work]
mode = imap
host = imap.example.org
user = me
CONF
run
ok $rc "without a target the default account of \$XDG_CONFIG_HOME/tern/config opens"
check "the default account's mbox is listed" contains "$out" "Mallory"
run -a pop
ok $rc "a POP3 account without downloaded mail is not an error"
check "it says there is no mail yet" contains "$out" "no mail yet"
check "the default mbox is ~/Mail/NAME.mbox" contains "$out" "$HOME/Mail/pop.mbox"
run -a nosuch
[ $rc -eq 2 ]; ok $? "an unknown account exits 2"
check "the unknown account is named" contains "$errout" "no account 'nosuch'"
run fetch -a local
[ $rc -eq 2 ]; ok $? "fetch refuses an account that is not POP3"
run fetch -a pop
[ $rc -eq 3 ]; ok $? "fetch of a POP3 account whose server cannot be reached exits 3"
check "fetch names the server it could not find" contains "$errout" "pop.example.org"
run folders -a pop
check "folders refuses a POP3 account" contains "$errout" "not an IMAP account"
run 'imaps://me:hunter2@imap.example.org'
[ $rc -eq 2 ]; ok $? "a password in a URL is refused"
check "the refused password is not repeated" lacks "$errout" "hunter2"
run 'imaps://me@imap.example.org/INBOX'
[ $rc -eq 3 ]; ok $? "an IMAP URL parses and reports IMAP is not available yet"
mv "$XDG_CONFIG_HOME/tern/config" "$scratch/moved.conf"
run
[ $rc -eq 2 ]; ok $? "no target and no configuration is a usage error"

# --- the summary cache ----------------------------------------------------
export XDG_CACHE_HOME="$scratch/cache"
"$TERN" --log "$scratch/c1.log" "$mb" >/dev/null
"$TERN" --log "$scratch/c2.log" "$mb" >"$scratch/out2"
check "first listing scans the mbox" contains "$(cat "$scratch/c1.log")" "1 parsed (scanned)"
check "second listing reads the summary cache only" contains "$(cat "$scratch/c2.log")" "0 parsed (from the cache)"
check "and lists the same message" contains "$(cat "$scratch/out2")" "Mallory"
mode=$(stat -c %a "$XDG_CACHE_HOME/tern/mbox.sqlite" 2>/dev/null)
[ "$mode" = 600 ]; ok $? "the cache file is 0600 (got $mode)"
mode=$(stat -c %a "$XDG_CACHE_HOME/tern" 2>/dev/null)
[ "$mode" = 700 ]; ok $? "the cache directory is 0700 (got $mode)"
rm -rf "$XDG_CACHE_HOME"
"$TERN" "$mb" >/dev/null; ok $? "a deleted cache is rebuilt"

# --- translations ---------------------------------------------------------
if command -v msgfmt >/dev/null 2>&1; then
	mkdir -p "$scratch/locale/de/LC_MESSAGES"
	msgfmt -o "$scratch/locale/de/LC_MESSAGES/tern.mo" "$top_srcdir/po/de.po"
	printf '[account a]\nmode = mbox\nfarbe = rot\n' > "$scratch/de.conf"
	LANGUAGE=de LC_ALL=C.UTF-8 TERN_LOCALEDIR="$scratch/locale" \
		"$TERN" -F "$scratch/de.conf" --demo >/dev/null 2>"$scratch/err"
	check "messages are translated (German), file:line kept" \
		contains "$(cat "$scratch/err")" "$scratch/de.conf:3: unbekannter Schlüssel »farbe«"
	out=$(LANGUAGE=de LC_ALL=C.UTF-8 TERN_LOCALEDIR="$scratch/locale" "$TERN" --help)
	check "--help is translated" contains "$out" "Aufruf: tern"
fi

# --- the log --------------------------------------------------------------
printf '[account p]\nmode = pop3\nhost = h\nuser = u\npassword = Pa55-in-config\nmbox = %s\n' "$mb" > "$cfg"
chmod 600 "$cfg"
log="$scratch/tern.log"
(umask 0; "$TERN" -F "$cfg" --log "$log" >/dev/null 2>&1)
ok $? "--log FILE runs"
mode=$(stat -c %a "$log" 2>/dev/null)
[ "$mode" = 600 ]; ok $? "the log file is created 0600 even with umask 0 (got $mode)"
logtext=$(cat "$log")
check "the log records the run" contains "$logtext" "starting"
check "the log names the configuration read" contains "$logtext" "$cfg"
check "the log never holds the password" lacks "$logtext" "Pa55-in-config"
run --log "$scratch/nodir/x.log" --demo
[ $rc -eq 2 ]; ok $? "an unwritable log path is an error"

done_testing
