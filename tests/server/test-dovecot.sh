#!/bin/bash
# tests/server/test-dovecot.sh -- TAP test: the private Dovecot started by
# tests/server/dovecot.sh really works (IMAP/POP3, implicit TLS and
# STARTTLS, certificate verification, authentication, mail loading), and
# starts again after a stop as it was (same ports, mail, users), or fails
# clearly when another program took one of its ports.
#
# Talks to the server with "openssl s_client" run as a coprocess: every
# command is sent only after the previous answer arrived, and every read
# is bounded (no sleeps, no timing guesses).

set -u

top=${top_srcdir:-$(dirname "$0")/../..}
SCRIPT="$top/tests/server/dovecot.sh"
SESSION_TIMEOUT=10      # seconds per protocol session
TOTAL_TIMEOUT=45        # all sessions together (the test stays < 60 s)

SRV=""
WORK=""
N=0
FAILED=0
PLAN=14

# shellcheck disable=SC2317  # invoked by trap
cleanup() {
    [ -z "${SESSION_PID:-}" ] || kill "$SESSION_PID" 2>/dev/null || :
    if [ -n "$SRV" ]; then
        "$SCRIPT" stop "$SRV" >/dev/null 2>&1 || :
        rm -rf "$SRV"
    fi
    [ -z "$WORK" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# A write to an s_client that has died must fail, not kill the test.
trap '' PIPE

diag() {
    local l
    while IFS= read -r l; do
        printf '# %s\n' "$l"
    done <<<"$*"
}

diag_file() {
    local l
    [ -s "$1" ] || return 0
    while IFS= read -r l; do
        printf '#   %s\n' "$l"
    done <"$1"
}

ok() {          # ok STATUS DESCRIPTION
    N=$((N + 1))
    if [ "$1" -eq 0 ]; then
        printf 'ok %d - %s\n' "$N" "$2"
    else
        printf 'not ok %d - %s\n' "$N" "$2"
        FAILED=$((FAILED + 1))
    fi
}


# ------------------------------------------------------------------
# s_client sessions.  open_session ARGS... starts
#   openssl s_client -brief -nocommands -crlf ARGS...
# as a coprocess; expect/send talk to it; close_session ends it and
# returns s_client's exit status.  $TRANSCRIPT has the dialogue,
# $SC_ERR s_client's stderr (with -brief: "Verification: OK" etc.).

SC_IN="" SC_OUT="" SESSION_PID="" DEADLINE=0 RESP="" LAST=""
TRANSCRIPT="" SC_ERR=""

set_deadline() {
    DEADLINE=$((SECONDS + SESSION_TIMEOUT))
    [ "$DEADLINE" -le "$GLOBAL_DEADLINE" ] || DEADLINE=$GLOBAL_DEADLINE
}

# resp_has ERE -- does a line of the last collected response match?
resp_has() {
    printf '%s' "$RESP" | grep -Eq -- "$1"
}

open_session() {
    TRANSCRIPT="$WORK/transcript"
    SC_ERR="$WORK/s_client.err"
    : >"$TRANSCRIPT"
    : >"$SC_ERR"
    set_deadline
    coproc SC {
        exec timeout -k 1 "$((DEADLINE - SECONDS + 1))" \
            openssl s_client -brief -nocommands -crlf "$@" 2>"$SC_ERR"
    }
    SESSION_PID=$SC_PID
    # Private copies of the pipe fds (bash closes SC[] by itself when it
    # reaps the coprocess); close the originals so that closing SC_OUT
    # really gives s_client EOF on its stdin.
    local in_fd=${SC[0]} out_fd=${SC[1]}
    exec {SC_IN}<&"$in_fd" {SC_OUT}>&"$out_fd"
    exec {in_fd}<&- {out_fd}>&-
}

send() {
    printf 'C: %s\n' "$1" >>"$TRANSCRIPT"
    printf '%s\n' "$1" 1>&"$SC_OUT" 2>/dev/null
}

# expect REGEX -- read server lines until one matches (all lines read are
# collected in $RESP, the matching one in $LAST); fails on EOF/timeout.
expect() {
    local re=$1 line left
    RESP=""
    LAST=""
    while :; do
        left=$((DEADLINE - SECONDS))
        if [ "$left" -le 0 ]; then
            printf '!! timeout waiting for /%s/\n' "$re" >>"$TRANSCRIPT"
            return 1
        fi
        if ! IFS= read -r -t "$left" line <&"$SC_IN"; then
            printf '!! EOF/timeout waiting for /%s/\n' "$re" >>"$TRANSCRIPT"
            return 1
        fi
        line=${line%$'\r'}
        printf 'S: %s\n' "$line" >>"$TRANSCRIPT"
        RESP="$RESP$line"$'\n'
        if [[ $line =~ $re ]]; then
            LAST=$line
            return 0
        fi
    done
}

close_session() {
    local i=0 rc=0
    exec {SC_OUT}>&- 2>/dev/null || :
    while kill -0 "$SESSION_PID" 2>/dev/null && [ "$i" -lt 30 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill "$SESSION_PID" 2>/dev/null || :
    wait "$SESSION_PID" 2>/dev/null || rc=$?
    exec {SC_IN}<&- 2>/dev/null || :
    return "$rc"
}

verified() {
    grep -q '^Verification: OK' "$SC_ERR"
}

session_diag() {
    diag "transcript:"
    diag_file "$TRANSCRIPT"
    diag "s_client stderr:"
    diag_file "$SC_ERR"
}

# Plain TCP (no TLS) session with bash's /dev/tcp, same expect/send API.
open_plain() {
    TRANSCRIPT="$WORK/transcript"
    SC_ERR="$WORK/s_client.err"
    : >"$TRANSCRIPT"
    : >"$SC_ERR"
    set_deadline
    SESSION_PID=""
    exec {SC_IN}<>"/dev/tcp/$1/$2" || return 1
    SC_OUT=$SC_IN
}

close_plain() {
    exec {SC_IN}<&- 2>/dev/null || :
}

send_plain() {
    printf 'C: %s\n' "$1" >>"$TRANSCRIPT"
    printf '%s\r\n' "$1" 1>&"$SC_OUT" 2>/dev/null
}

TLS_VERIFY=()  # filled after start: -CAfile ... -verify_return_error ...

# ------------------------------------------------------------------

echo "1..$PLAN"

if [ ! -x "$SCRIPT" ]; then
    diag "cannot find executable $SCRIPT"
    echo "Bail out! dovecot.sh missing"
    exit 1
fi
for tool in openssl timeout dovecot doveadm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "Bail out! $tool not installed"
        exit 1
    fi
done

GLOBAL_DEADLINE=$((SECONDS + TOTAL_TIMEOUT))
SRV=$(mktemp -d "${TMPDIR:-/tmp}/tern-dovecot.XXXXXX") || exit 1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tern-dovecot-work.XXXXXX") || exit 1

# 1: start
if "$SCRIPT" start "$SRV" >"$WORK/start.log" 2>&1 && [ -s "$SRV/env" ]; then
    # shellcheck disable=SC1091
    . "$SRV/env"
    missing=""
    for v in DOVECOT_DIR DOVECOT_PID DOVECOT_CONF IMAP_PORT IMAPS_PORT \
        POP3_PORT POP3S_PORT CA_FILE; do
        [ -n "${!v:-}" ] || missing="$missing $v"
    done
    [ -z "$missing" ] || diag "env lacks:$missing"
    [ -z "$missing" ] && kill -0 "$DOVECOT_PID" 2>/dev/null
    ok $? "dovecot.sh start: server running, env complete"
else
    ok 1 "dovecot.sh start: server running, env complete"
    diag_file "$WORK/start.log"
    echo "Bail out! private dovecot did not start"
    exit 1
fi
diag "dovecot pid $DOVECOT_PID, imap $IMAP_PORT imaps $IMAPS_PORT pop3 $POP3_PORT pop3s $POP3S_PORT"

TLS_VERIFY=(-CAfile "$CA_FILE" -verify_return_error -verify_hostname localhost)
# Connections from 127.0.0.1 to itself count as "secured" for Dovecot, so
# it allows plaintext login there; the plain ports are checked for
# offering STARTTLS/STLS, and the upgrade is checked to work.
PLAIN_HOST=127.0.0.1

# 2: load messages
for i in 1 2 3 4; do
    cat >"$WORK/msg$i.eml" <<EOF
From: Test Sender <sender@example.org>
To: Alice <alice@example.org>
Subject: test message $i
Date: Mon, 01 Jan 2024 12:0$i:00 +0000
Message-ID: <test-$i@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

This is test message number $i.
EOF
done
"$SCRIPT" load "$SRV" alice INBOX "$WORK/msg1.eml" "$WORK/msg2.eml" \
    "$WORK/msg3.eml" >"$WORK/load.log" 2>&1 &&
    "$SCRIPT" load "$SRV" alice Archive "$WORK/msg4.eml" >>"$WORK/load.log" 2>&1
rc=$?
ok "$rc" "dovecot.sh load: 3 messages into INBOX, 1 into Archive"
[ "$rc" -eq 0 ] || diag_file "$WORK/load.log"

# 3 (a): IMAPS greeting over verified TLS
rc=1
open_session -connect "127.0.0.1:$IMAPS_PORT" "${TLS_VERIFY[@]}"
if expect '^\* OK' && send "z LOGOUT" && expect '^z OK'; then
    rc=0
fi
close_session || rc=1
verified || rc=1
ok "$rc" "IMAPS: '* OK' greeting over verified TLS"
[ "$rc" -eq 0 ] || session_diag

# 4 (b1): the plain IMAP port offers STARTTLS.
rc=1
if open_plain 127.0.0.1 "$IMAP_PORT"; then
    if expect '^\* OK' && [[ $LAST == *STARTTLS* ]]; then
        rc=0
    fi
    close_plain
fi
ok "$rc" "IMAP plain port: greeting advertises STARTTLS"
[ "$rc" -eq 0 ] || { diag "no STARTTLS on 127.0.0.1:$IMAP_PORT"; session_diag; }
plain_starttls_rc=$rc

# 5 (b2): STARTTLS session: LOGIN, SELECT INBOX = 3 EXISTS, LIST has Archive
rc=1
open_session -connect "$PLAIN_HOST:$IMAP_PORT" -starttls imap "${TLS_VERIFY[@]}"
if send "a LOGIN alice alice-pw" && expect '^a ' && [[ $LAST == "a OK"* ]] &&
    send "b SELECT INBOX" && expect '^b ' && [[ $LAST == "b OK"* ]] &&
    resp_has '^\* 3 EXISTS$' &&
    send 'c LIST "" "*"' && expect '^c ' && [[ $LAST == "c OK"* ]] &&
    resp_has '^\* LIST \([^)]*\) "/" "?Archive"?$' &&
    send "z LOGOUT" && expect '^z OK'; then
    rc=0
fi
close_session || rc=1
verified || rc=1
[ "$plain_starttls_rc" -eq 0 ] || rc=1
ok "$rc" "IMAP STARTTLS: verified TLS, LOGIN ok, SELECT INBOX 3 EXISTS, LIST shows Archive"
[ "$rc" -eq 0 ] || session_diag

# 6 (c): POP3S: USER/PASS, STAT = 3 messages
rc=1
open_session -connect "127.0.0.1:$POP3S_PORT" "${TLS_VERIFY[@]}"
if expect '^\+OK' &&
    send "USER alice" && expect '^[-+]' && [[ $LAST == "+OK"* ]] &&
    send "PASS alice-pw" && expect '^[-+]' && [[ $LAST == "+OK"* ]] &&
    send "STAT" && expect '^[-+]' && [[ $LAST =~ ^\+OK\ 3\ [0-9]+ ]] &&
    send "QUIT" && expect '^\+OK'; then
    rc=0
fi
close_session || rc=1
verified || rc=1
ok "$rc" "POP3S: '+OK' over verified TLS, USER/PASS ok, STAT reports 3 messages"
[ "$rc" -eq 0 ] || session_diag

# 7 (d): POP3 plain port: STLS offered; -starttls pop3 gives a verified TLS session with working login.
rc=0
if open_plain "$PLAIN_HOST" "$POP3_PORT"; then
    if ! { expect '^\+OK' && send_plain "CAPA" && expect '^\.$' &&
        resp_has '^STLS$'; }; then
        rc=1
        diag "POP3 CAPA lacks STLS"
    fi
    close_plain
else
    rc=1
fi
[ "$rc" -eq 0 ] || session_diag
if [ "$rc" -eq 0 ]; then
    open_session -connect "$PLAIN_HOST:$POP3_PORT" -starttls pop3 "${TLS_VERIFY[@]}"
    if send "USER alice" && expect '^[-+]' && [[ $LAST == "+OK"* ]] &&
        send "PASS alice-pw" && expect '^[-+]' && [[ $LAST == "+OK"* ]] &&
        send "STAT" && expect '^[-+]' && [[ $LAST =~ ^\+OK\ 3\  ]] &&
        send "QUIT" && expect '^\+OK'; then
        :
    else
        rc=1
    fi
    close_session || rc=1
    verified || rc=1
    [ "$rc" -eq 0 ] || session_diag
fi
ok "$rc" "POP3 STLS: verified TLS session via -starttls pop3, login and STAT ok"

# 8 (e): a different CA must not verify the server
other="$WORK/other-ca"
mkdir -p "$other"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$other/ca.key" -out "$other/ca.pem" -days 2 \
    -subj "/CN=unrelated test CA" >/dev/null 2>&1
rc=1
if [ -s "$other/ca.pem" ]; then
    # positive control with the right CA, then the wrong one
    if timeout 10 openssl s_client -brief -connect "127.0.0.1:$IMAPS_PORT" \
        "${TLS_VERIFY[@]}" </dev/null >"$WORK/good.out" 2>&1; then
        if timeout 10 openssl s_client -brief -connect "127.0.0.1:$IMAPS_PORT" \
            -CAfile "$other/ca.pem" -verify_return_error \
            -verify_hostname localhost </dev/null >"$WORK/bad.out" 2>&1; then
            diag "connection with an unrelated CA was accepted!"
            diag_file "$WORK/bad.out"
        elif grep -qi 'verify' "$WORK/bad.out"; then
            rc=0
        else
            diag "wrong-CA connection failed, but not for verification:"
            diag_file "$WORK/bad.out"
        fi
    else
        diag "control connection with the right CA failed:"
        diag_file "$WORK/good.out"
    fi
else
    diag "could not create the unrelated CA"
fi
ok "$rc" "TLS verification against an unrelated CA fails"

# 9: wrong host name must not verify either
rc=1
if timeout 10 openssl s_client -brief -connect "127.0.0.1:$IMAPS_PORT" \
    -CAfile "$CA_FILE" -verify_return_error \
    -verify_hostname not-localhost.example </dev/null >"$WORK/badname.out" 2>&1; then
    diag "connection verified for the wrong host name!"
    diag_file "$WORK/badname.out"
elif grep -qi 'verify' "$WORK/badname.out"; then
    rc=0
else
    diag_file "$WORK/badname.out"
fi
ok "$rc" "TLS verification with a wrong host name fails"

# 10 (f): wrong password rejected (IMAP and POP3)
rc=1
open_session -connect "127.0.0.1:$IMAPS_PORT" "${TLS_VERIFY[@]}"
if expect '^\* OK' && send "a LOGIN alice wrong-pw" && expect '^a ' &&
    [[ $LAST == "a NO"* ]] &&
    send "b LOGIN bob bob-pw" && expect '^b ' && [[ $LAST == "b OK"* ]] &&
    send "z LOGOUT" && expect '^z OK'; then
    rc=0
fi
close_session || rc=1
[ "$rc" -eq 0 ] || session_diag
if [ "$rc" -eq 0 ]; then
    open_session -connect "127.0.0.1:$POP3S_PORT" "${TLS_VERIFY[@]}"
    if expect '^\+OK' && send "USER alice" && expect '^[-+]' &&
        send "PASS alice-pw-wrong" && expect '^[-+]' &&
        [[ $LAST == "-ERR"* ]] && send "QUIT" && expect '^[-+]'; then
        :
    else
        rc=1
    fi
    close_session || rc=1
    [ "$rc" -eq 0 ] || session_diag
fi
ok "$rc" "wrong password rejected (IMAP LOGIN NO, POP3 PASS -ERR); bob can log in"

# 11: adduser works on the running server
rc=1
if "$SCRIPT" adduser "$SRV" carol carol-pw >"$WORK/adduser.log" 2>&1; then
    open_session -connect "127.0.0.1:$IMAPS_PORT" "${TLS_VERIFY[@]}"
    if expect '^\* OK' && send "a LOGIN carol carol-pw" && expect '^a ' &&
        [[ $LAST == "a OK"* ]] && send "z LOGOUT" && expect '^z OK'; then
        rc=0
    fi
    close_session || rc=1
    [ "$rc" -eq 0 ] || session_diag
else
    diag_file "$WORK/adduser.log"
fi
ok "$rc" "dovecot.sh adduser: new user can log in at once"

# 12: stop leaves nothing running
rc=0
"$SCRIPT" stop "$SRV" >"$WORK/stop.log" 2>&1 || rc=1
if kill -0 "$DOVECOT_PID" 2>/dev/null &&
    ! grep -q '^State:[[:space:]]*Z' "/proc/$DOVECOT_PID/status" 2>/dev/null; then
    diag "master $DOVECOT_PID still running"
    rc=1
fi
for p in /proc/[0-9]*; do
    cmd=$( { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) || continue
    case "$cmd" in
        dovecot*"$SRV"* | */dovecot*"$SRV"*)
            diag "leftover process ${p#/proc/}: $cmd"
            rc=1
            ;;
    esac
done
[ "$rc" -eq 0 ] || diag_file "$WORK/stop.log"
ok "$rc" "dovecot.sh stop: no dovecot process of this instance left"

# 13: started again after the stop: the same ports, CA, users and mail
rc=1
old_ports="$IMAP_PORT $IMAPS_PORT $POP3_PORT $POP3S_PORT"
old_ca=$(cksum <"$CA_FILE")
if "$SCRIPT" start "$SRV" >"$WORK/restart.log" 2>&1; then
    # shellcheck disable=SC1091
    . "$SRV/env"
    if [ "$IMAP_PORT $IMAPS_PORT $POP3_PORT $POP3S_PORT" != "$old_ports" ]; then
        diag "ports were: $old_ports" "ports are: $IMAP_PORT $IMAPS_PORT $POP3_PORT $POP3S_PORT"
    elif [ "$(cksum <"$CA_FILE")" != "$old_ca" ]; then
        diag "a new CA was made"
    else
        open_session -connect "127.0.0.1:$IMAPS_PORT" "${TLS_VERIFY[@]}"
        if expect '^\* OK' && send "a LOGIN carol carol-pw" && expect '^a OK' &&
            send "b LOGOUT" && expect '^b OK'; then
            rc=0
        fi
        close_session || rc=1
        verified || rc=1
        open_session -connect "127.0.0.1:$IMAPS_PORT" "${TLS_VERIFY[@]}"
        if [ "$rc" -eq 0 ] && expect '^\* OK' && send "a LOGIN alice alice-pw" &&
            expect '^a OK' && send "b SELECT INBOX" && expect '^b ' &&
            resp_has '^\* 3 EXISTS' && send "c LOGOUT" && expect '^c OK'; then
            :
        else
            rc=1
        fi
        close_session || rc=1
        [ "$rc" -eq 0 ] || session_diag
    fi
else
    diag_file "$WORK/restart.log"
fi
ok "$rc" "dovecot.sh start after stop: same ports and CA, carol (added live) and INBOX's 3 messages kept"

# 14: a port taken meanwhile: the next start fails and names it
rc=1
"$SCRIPT" stop "$SRV" >/dev/null 2>&1
timeout 20 openssl s_server -quiet -accept "127.0.0.1:$POP3_PORT" \
    -cert "$SRV/tls/server.pem" -key "$SRV/tls/server.key" </dev/null >/dev/null 2>&1 &
squatter=$!
i=0
until (exec 3<>"/dev/tcp/127.0.0.1/$POP3_PORT") 2>/dev/null || [ "$i" -ge 50 ]; do
    sleep 0.1
    i=$((i + 1))
done
if "$SCRIPT" start "$SRV" >"$WORK/taken.log" 2>&1; then
    diag "started although port $POP3_PORT was taken"
elif grep -q "POP3_PORT $POP3_PORT is in use" "$WORK/taken.log"; then
    rc=0
    for p in /proc/[0-9]*; do
        cmd=$( { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) || continue
        case "$cmd" in
            dovecot*"$SRV"* | */dovecot*"$SRV"*) diag "running: $cmd"; rc=1 ;;
        esac
    done
fi
kill "$squatter" 2>/dev/null
wait "$squatter" 2>/dev/null
[ "$rc" -eq 0 ] || diag_file "$WORK/taken.log"
ok "$rc" "dovecot.sh start after stop with a port taken: fails, names the port, runs nothing"

if [ "$N" -ne "$PLAN" ]; then
    diag "ran $N tests, planned $PLAN"
    exit 1
fi
if [ "$FAILED" -ne 0 ]; then
    diag "$FAILED of $PLAN tests failed; dovecot log tail:"
    [ -s "$SRV/dovecot.log" ] && diag "$(tail -n 20 "$SRV/dovecot.log")"
    exit 1
fi
exit 0
