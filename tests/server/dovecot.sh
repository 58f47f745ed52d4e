#!/bin/bash
# tests/server/dovecot.sh -- run a PRIVATE Dovecot instance for tern's tests.
#
# Never reads or touches the system configuration (/etc/dovecot) or the
# system dovecot service: everything (config, certificates, sockets, state,
# logs, mail) lives below the directory given on the command line.
#
# Usage:
#   dovecot.sh start   DIR                          start an instance in DIR
#   dovecot.sh stop    DIR                          stop it (idempotent)
#   dovecot.sh start   DIR   (again, after stop)    start it again
#   dovecot.sh load    DIR [--seen] USER FOLDER FILE...
#                                                   deliver message files
#   dovecot.sh adduser DIR USER PASS                add a user (live)
#
# After "start", DIR/env is a sh-sourceable file defining
#   DOVECOT_DIR DOVECOT_PID DOVECOT_CONF CA_FILE
#   IMAP_PORT IMAPS_PORT POP3_PORT POP3S_PORT
# A DIR that holds DIR/env from an earlier start is started again as it
# was: the same ports (read from DIR/env), mail, certificates and users
# (including those adduser added).  A port that another program took
# meanwhile makes that start fail, with the port named; there is no retry
# on other ports (clients expect the old ones).  Only a fresh DIR gets new
# random ports (retried on a clash), a new CA and the two users below.
#
# Users: alice / alice-pw, bob / bob-pw ({PLAIN} passwd-file).
# Mail: maildir in DIR/home/USER/Maildir, hierarchy separator "/" (with
# DOVECOT_NS_PREFIX and DOVECOT_NS_SEPARATOR set at start, the personal
# namespace's prefix and separator, e.g. "INBOX." and "." as Cyrus has).
# TLS: throwaway CA (DIR/ca.pem), server cert for DNS:localhost,
# IP:127.0.0.1.
#
# Listening: 127.0.0.1 only.  Note that Dovecot hard-codes "remote IP ==
# local IP" as a secured connection, so from 127.0.0.1 it allows plaintext
# LOGIN/USER without TLS and does not advertise LOGINDISABLED, whatever
# disable_plaintext_auth or ssl = required say.  Tests of tern's refusal to
# send a password in clear therefore check tern's own behaviour (its
# protocol log, the scripted hostile server), not the server's refusal.
#
# Works as root (login processes run as dovenull, internal ones as dovecot,
# mail as nobody) and as an ordinary user (everything runs as that user).

set -eu

PROG=${0##*/}
DOVECOT_BIN=${DOVECOT_BIN:-dovecot}
DOVEADM_BIN=${DOVEADM_BIN:-doveadm}
START_TIMEOUT=10        # seconds to wait for the listeners
STOP_TIMEOUT=5          # seconds to wait after SIGTERM
BIND_RETRIES=5          # attempts with fresh random ports
AUTH_MECHS="plain login cram-md5 scram-sha-1 scram-sha-256"
LISTEN=127.0.0.1

die() {
    printf '%s: error: %s\n' "$PROG" "$*" >&2
    exit 1
}

usage() {
    cat >&2 <<EOF
usage: $PROG start DIR    (a DIR started before and stopped: again, same ports)
       $PROG stop DIR
       $PROG load DIR [--seen] USER FOLDER FILE...
       $PROG adduser DIR USER PASS
EOF
    exit 2
}

# Make DIR absolute (it must exist).
absdir() {
    [ -d "$1" ] || die "no such directory: $1"
    (cd "$1" && pwd -P)
}

# Single-quote a value for sh.
shquote() {
    printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# Runs a command with a time limit if coreutils' timeout is available.
bounded() {
    local secs=$1
    shift
    if command -v timeout >/dev/null 2>&1; then
        timeout -k 2 "$secs" "$@"
    else
        "$@"
    fi
}

log_tail() {
    local log="$1/dovecot.log"
    if [ -s "$log" ]; then
        printf '%s: --- last lines of %s ---\n' "$PROG" "$log" >&2
        tail -n 25 "$log" >&2 || :
        printf '%s: --- end of log ---\n' "$PROG" >&2
    fi
}

# Ports currently in LISTEN state (tcp and tcp6), one per line, decimal.
listening_ports() {
    local f
    for f in /proc/net/tcp /proc/net/tcp6; do
        [ -r "$f" ] || continue
        # fields: sl local_address rem_address st ...; st 0A == LISTEN
        awk 'NR > 1 && $4 == "0A" { n = split($2, a, ":"); print a[n] }' "$f"
    done | while read -r hex; do
        printf '%d\n' "$((16#$hex))"
    done | sort -un
}

# Prints 4 distinct random ports in 20000..59999 not in LISTEN state.
pick_ports() {
    local used picked="" n=0 tries=0 p
    used=" $(listening_ports | tr '\n' ' ') "
    while [ "$n" -lt 4 ]; do
        tries=$((tries + 1))
        [ "$tries" -lt 1000 ] || die "cannot find free TCP ports"
        p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        case "$used $picked " in
            *" $p "*) continue ;;
        esac
        picked="$picked $p"
        n=$((n + 1))
    done
    # shellcheck disable=SC2086
    printf '%s\n' $picked
}

is_root() {
    [ "$(id -u)" -eq 0 ]
}

# uid:gid that owns mail (never root).
mail_owner() {
    if is_root; then
        local u
        u=$(id -u nobody 2>/dev/null) || die "user 'nobody' does not exist"
        [ "$u" -ne 0 ] || die "'nobody' is uid 0?"
        printf '%s:%s\n' "$u" "$(id -g nobody)"
    else
        printf '%s:%s\n' "$(id -u)" "$(id -g)"
    fi
}

# True if PID exists and is not a zombie.
pid_alive() {
    local st
    [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
    st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 0
    case "$st" in
        Z* | X*) return 1 ;;
    esac
    return 0
}

# Is PID a dovecot process (argv[0] looks like dovecot/doveadm)?
is_dovecot_proc() {
    local a0=""
    { IFS= read -r -d '' a0 <"/proc/$1/cmdline"; } 2>/dev/null || return 1
    case "$a0" in
        dovecot | dovecot[-/]* | */dovecot | doveadm | */doveadm) return 0 ;;
    esac
    return 1
}

# Dovecot processes that belong to the instance in $1: command line
# mentions DIR, or working directory / root directory is inside DIR.
instance_pids() {
    local dir=$1 p d cmd cwd root
    for d in /proc/[0-9]*; do
        p=${d#/proc/}
        [ "$p" != "$$" ] || continue
        is_dovecot_proc "$p" || continue
        cmd=$( { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null) || continue
        cwd=$(readlink "$d/cwd" 2>/dev/null) || cwd=""
        root=$(readlink "$d/root" 2>/dev/null) || root=""
        case "$cmd" in
            *"$dir/"* | *"$dir "*) printf '%s\n' "$p"; continue ;;
        esac
        case "$cwd/" in "$dir/"*) printf '%s\n' "$p"; continue ;; esac
        case "$root/" in "$dir/"*) printf '%s\n' "$p"; continue ;; esac
    done
}

master_pid_of() {
    local dir=$1 pid=""
    if [ -s "$dir/run/master.pid" ]; then
        pid=$(head -n 1 "$dir/run/master.pid" | tr -dc '0-9')
    fi
    if [ -z "$pid" ] && [ -s "$dir/env" ]; then
        pid=$(sed -n "s/^DOVECOT_PID='\{0,1\}\([0-9]*\)'\{0,1\}\$/\1/p" "$dir/env")
    fi
    printf '%s\n' "$pid"
}

# of_instance DIR PID -- PID is a live dovecot process of the instance in
# DIR (a pid from an earlier start may have been reused by now).
of_instance() {
    local cmd
    pid_alive "$2" && is_dovecot_proc "$2" || return 1
    cmd=$( { tr '\0' ' ' <"/proc/$2/cmdline"; } 2>/dev/null) || return 1
    case "$cmd" in
        *"$1/"* | *"$1 "*) return 0 ;;
    esac
    return 1
}

# ---------------------------------------------------------------- stop

do_stop() {
    local dir=$1 pid i pids
    pid=$(master_pid_of "$dir")
    if of_instance "$dir" "$pid"; then
        kill -TERM "$pid" 2>/dev/null || :
        i=0
        while pid_alive "$pid" && [ "$i" -lt $((STOP_TIMEOUT * 10)) ]; do
            sleep 0.1
            i=$((i + 1))
        done
        if pid_alive "$pid"; then
            printf '%s: master %s did not exit, sending SIGKILL\n' "$PROG" "$pid" >&2
            kill -KILL "$pid" 2>/dev/null || :
        fi
    fi
    # Leftovers (children of a killed master, stray doveadm, ...).
    pids=$(instance_pids "$dir")
    if [ -n "$pids" ]; then
        # shellcheck disable=SC2086
        kill -TERM $pids 2>/dev/null || :
        i=0
        while [ -n "$(instance_pids "$dir")" ] && [ "$i" -lt 20 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        pids=$(instance_pids "$dir")
        # shellcheck disable=SC2086
        [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || :
    fi
    rm -f "$dir/run/master.pid"
    return 0
}

# --------------------------------------------------------------- start

make_certs() {
    local dir=$1 tls="$1/tls" serial
    mkdir -p "$tls"
    (
        umask 077
        # Throwaway CA.
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
            -nodes -keyout "$tls/ca.key" -out "$dir/ca.pem" -days 3 \
            -subj "/O=tern tests/CN=tern test CA $$" \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" \
            -addext "subjectKeyIdentifier=hash" 2>/dev/null
        # Server key + CSR.
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
            -nodes -keyout "$tls/server.key" -out "$tls/server.csr" \
            -subj "/O=tern tests/CN=localhost" 2>/dev/null
        cat >"$tls/server.ext" <<EOF
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
        serial=0x$(openssl rand -hex 8)
        openssl x509 -req -in "$tls/server.csr" -CA "$dir/ca.pem" \
            -CAkey "$tls/ca.key" -set_serial "$serial" -days 3 \
            -extfile "$tls/server.ext" -out "$tls/server.pem" 2>/dev/null
        # Fixed, well-known group: no slow DH parameter generation.
        openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 \
            -out "$tls/dh.pem" 2>/dev/null
    ) || die "certificate generation with openssl failed"
    chmod 644 "$dir/ca.pem" "$tls/server.pem" "$tls/dh.pem"
    openssl verify -CAfile "$dir/ca.pem" "$tls/server.pem" >/dev/null 2>&1 ||
        die "generated server certificate does not verify"
}

# write_conf DIR IMAP IMAPS POP3 POP3S   (uses $LISTEN)
write_conf() {
    local dir=$1 login_user internal_user internal_group
    if is_root; then
        login_user=dovenull
        internal_user=dovecot
        internal_group=dovecot
    else
        login_user=$(id -un)
        internal_user=$(id -un)
        internal_group=$(id -gn)
    fi
    cat >"$dir/dovecot.conf.new" <<EOF
# Private Dovecot instance for tern's test suite (generated by $PROG).
# Nothing from /etc is included.
# Child process titles become "dovecot-tern-test:DIR/imap" etc., so
# leftover processes can be recognised by DIR in their command line.
instance_name = tern-test:$dir
protocols = imap pop3
listen = $LISTEN
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
debug_log_path = $dir/dovecot.log
auth_verbose = yes

default_login_user = $login_user
default_internal_user = $internal_user
default_internal_group = $internal_group
first_valid_uid = 1
first_valid_gid = 1

ssl = yes
ssl_cert = <$dir/tls/server.pem
ssl_key = <$dir/tls/server.key
ssl_dh = <$dir/tls/dh.pem
ssl_min_protocol = TLSv1.2

disable_plaintext_auth = yes
auth_mechanisms = $AUTH_MECHS
# Test-suite friendliness: answer failed logins at once, and switch off
# the per-IP auth penalty (otherwise, after one wrong password, every
# login from 127.0.0.1 is delayed by up to 15 s).  The auth process looks
# for base_dir/anvil-auth-penalty; renaming the socket silently disables
# the penalty (ENOENT is ignored).
auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    path = anvil-auth-penalty.disabled
  }
}

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $dir/passwd
}

mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = ${DOVECOT_NS_SEPARATOR:-/}
  prefix = ${DOVECOT_NS_PREFIX:-}
  mailbox INBOX {
    auto = subscribe
  }
  # RFC 6154 roles, for the folders that exist (none is created here).
  mailbox Sent {
    special_use = \\Sent
  }
  mailbox Drafts {
    special_use = \\Drafts
  }
  mailbox Trash {
    special_use = \\Trash
  }
  mailbox Junk {
    special_use = \\Junk
  }
  mailbox Archive {
    special_use = \\Archive
  }
}

pop3_uidl_format = %08Xu%08Xv

# COMPRESS=DEFLATE (RFC 4978) offered after login.
protocol imap {
  mail_plugins = \$mail_plugins imap_zlib
}

service imap-login {
  inet_listener imap {
    port = $2
  }
  inet_listener imaps {
    port = $3
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $4
  }
  inet_listener pop3s {
    port = $5
    ssl = yes
  }
}
EOF
    if ! is_root; then
        # chroot(2) needs root; without it these services die at startup.
        cat >>"$dir/dovecot.conf.new" <<EOF

# Not running as root: no chroots.
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
service pop3-login {
  chroot =
}
EOF
    fi
    mv -f "$dir/dovecot.conf.new" "$dir/dovecot.conf"
}

# passwd_set DIR USER PASS -- adds or replaces USER; (re)writes the passwd-file atomically.
passwd_set() {
    local dir=$1 user=$2 pass=$3 owner uid gid home
    case "$user$pass" in
        *:* | *"
"*) die "user name / password must not contain ':' or newlines" ;;
    esac
    case "$user" in
        "" | */* | .*) die "bad user name: '$user'" ;;
    esac
    owner=$(mail_owner)
    uid=${owner%:*}
    gid=${owner#*:}
    home="$dir/home/$user"
    mkdir -p "$home/Maildir/cur" "$home/Maildir/new" "$home/Maildir/tmp"
    chmod 700 "$home" "$home/Maildir" "$home/Maildir/cur" \
        "$home/Maildir/new" "$home/Maildir/tmp"
    if is_root; then
        chown -R "$uid:$gid" "$home"
    fi
    touch "$dir/passwd"
    {
        awk -F: -v u="$user" '$1 != u' "$dir/passwd"
        printf '%s:{PLAIN}%s:%s:%s::%s::\n' "$user" "$pass" "$uid" "$gid" "$home"
    } >"$dir/passwd.new"
    if is_root; then
        # The auth process runs as the internal user and must read it.
        chgrp dovecot "$dir/passwd.new"
        chmod 640 "$dir/passwd.new"
    else
        chmod 600 "$dir/passwd.new"
    fi
    mv -f "$dir/passwd.new" "$dir/passwd"
}

# probe ADDR PORT [GREETING-PREFIX] -- connect; with a prefix, also read
# the first line and check it (plain IMAP/POP3 ports).  The master holds
# the listening sockets, so a bare connect succeeds even when the login
# processes cannot start; the greeting proves they work.
probe() {
    # shellcheck disable=SC2016
    bounded 3 bash -c '
        exec 3<>"/dev/tcp/$1/$2" || exit 1
        [ -n "$3" ] || exit 0
        IFS= read -r -t 2 line <&3 || exit 1
        case "$line" in "$3"*) exit 0 ;; esac
        exit 1' _ "$@" 2>/dev/null
}

# wait_ports MASTERPID ADDR IMAP IMAPS POP3 POP3S -- until all work,
# or $WAIT_DEADLINE (in $SECONDS) has passed.
wait_ports() {
    local pid=$1 addr=$2 spec port greet
    for spec in "$3:* OK" "$4:" "$5:+OK" "$6:"; do
        port=${spec%%:*}
        greet=${spec#*:}
        until probe "$addr" "$port" "$greet"; do
            pid_alive "$pid" || return 1
            [ "$SECONDS" -lt "$WAIT_DEADLINE" ] || return 1
            if grep -q 'Fatal:' "$DIR/dovecot.log" 2>/dev/null; then
                return 1
            fi
            sleep 0.1
        done
    done
    return 0
}

# The pid in DIR/run/master.pid, which the master of this start writes
# (never the DOVECOT_PID of an earlier start, from DIR/env).
pidfile_pid() {
    [ -s "$1/run/master.pid" ] || return 0
    head -n 1 "$1/run/master.pid" | tr -dc '0-9'
}

# launch DIR IMAP IMAPS POP3 POP3S -- writes the configuration for these
# ports, starts the master and waits for its listeners.  On success sets
# $pid; on failure stops what it started, leaves the master's output in
# $out and returns 2 when a port was in use, 1 otherwise.
launch() {
    local dir=$1 rc i
    write_conf "$dir" "$2" "$3" "$4" "$5"
    rm -f "$dir/run/master.pid"
    : >"$dir/dovecot.log"
    rc=0
    # Output to a file: the daemonized master keeps inherited fds open.
    bounded 15 "$DOVECOT_BIN" -c "$dir/dovecot.conf" \
        </dev/null >"$dir/start.out" 2>&1 || rc=$?
    out=$(cat "$dir/start.out")
    pid=""
    i=0
    WAIT_DEADLINE=$((SECONDS + START_TIMEOUT))
    # The daemonized master writes its pid file shortly after.
    while [ "$rc" -eq 0 ] && [ "$i" -lt 50 ]; do
        pid=$(pidfile_pid "$dir")
        [ -z "$pid" ] || break
        sleep 0.1
        i=$((i + 1))
    done
    if [ "$rc" -eq 0 ] && [ -n "$pid" ] &&
        wait_ports "$pid" 127.0.0.1 "$2" "$3" "$4" "$5"; then
        return 0
    fi
    do_stop "$dir"
    if grep -qi 'address already in use' "$dir/dovecot.log" 2>/dev/null ||
        printf '%s' "$out" | grep -qi 'address already in use'; then
        return 2
    fi
    return 1
}

# Self-check through the real auth and mail processes (they run as
# unprivileged users when we are root, so this catches unreadable paths
# such as a 0700 parent directory of DIR).
self_check() {
    local dir=$1
    if ! doveadm_ auth test alice alice-pw >"$dir/selfcheck.out" 2>&1 ||
        ! doveadm_ mailbox status -u alice messages INBOX \
            >>"$dir/selfcheck.out" 2>&1; then
        cat "$dir/selfcheck.out" >&2
        log_tail "$dir"
        if is_root; then
            die "self-check (login as alice) failed; every parent directory of $dir must be searchable by the users 'dovecot' and 'nobody' (o+x)"
        fi
        die "self-check (login as alice) failed"
    fi
}

# write_env DIR PID IMAP IMAPS POP3 POP3S
write_env() {
    local dir=$1
    {
        printf '# generated by %s start\n' "$PROG"
        printf 'DOVECOT_DIR=%s\n' "$(shquote "$dir")"
        printf 'DOVECOT_PID=%s\n' "$2"
        printf 'DOVECOT_CONF=%s\n' "$(shquote "$dir/dovecot.conf")"
        printf 'IMAP_PORT=%s\n' "$3"
        printf 'IMAPS_PORT=%s\n' "$4"
        printf 'POP3_PORT=%s\n' "$5"
        printf 'POP3S_PORT=%s\n' "$6"
        printf 'CA_FILE=%s\n' "$(shquote "$dir/ca.pem")"
    } >"$dir/env.new"
    mv -f "$dir/env.new" "$dir/env"
}

# env_port DIR NAME -- a port number from DIR/env (not sourced).
env_port() {
    local v
    v=$(sed -n "s/^$2='\{0,1\}\([0-9]*\)'\{0,1\}\$/\1/p" "$1/env" | tail -n 1)
    case "$v" in
        "" | *[!0-9]*) die "$1/env has no $2: remove $1 for a fresh instance" ;;
    esac
    if [ "$v" -lt 1 ] || [ "$v" -gt 65535 ]; then
        die "$1/env: $2=$v is no port"
    fi
    printf '%s\n' "$v"
}

# A fresh instance: certificates, users, random ports (retried on a clash).
start_fresh() {
    local dir=$1 attempt ports imap imaps pop3 pop3s rc
    mkdir -p "$dir/run" "$dir/state" "$dir/home"
    chmod 755 "$dir/home"
    : >"$dir/dovecot.log"
    chmod 644 "$dir/dovecot.log"

    make_certs "$dir"
    : >"$dir/passwd"
    passwd_set "$dir" alice alice-pw
    passwd_set "$dir" bob bob-pw

    attempt=0
    while :; do
        attempt=$((attempt + 1))
        ports=$(pick_ports)
        # shellcheck disable=SC2086
        set -- $ports
        imap=$1 imaps=$2 pop3=$3 pop3s=$4
        rc=0
        launch "$dir" "$imap" "$imaps" "$pop3" "$pop3s" || rc=$?
        [ "$rc" -ne 0 ] || break
        if [ "$rc" -eq 2 ] && [ "$attempt" -lt "$BIND_RETRIES" ]; then
            printf '%s: port clash, retrying with other ports\n' "$PROG" >&2
            continue
        fi
        [ -z "$out" ] || printf '%s\n' "$out" >&2
        log_tail "$dir"
        die "dovecot failed to start (attempt $attempt, ports $imap $imaps $pop3 $pop3s)"
    done
    self_check "$dir"
    write_env "$dir" "$pid" "$imap" "$imaps" "$pop3" "$pop3s"
}

# The instance set up in DIR before (and stopped) again, on the same ports,
# with its mail, certificates and users.  No retry: a port another program
# took meanwhile is an error.
start_again() {
    local dir=$1 f imap imaps pop3 pop3s name port used rc
    for f in dovecot.conf passwd ca.pem tls/server.pem tls/server.key tls/dh.pem; do
        [ -s "$dir/$f" ] || die "$dir/env exists but $dir/$f does not: remove $dir for a fresh instance"
    done
    imap=$(env_port "$dir" IMAP_PORT)
    imaps=$(env_port "$dir" IMAPS_PORT)
    pop3=$(env_port "$dir" POP3_PORT)
    pop3s=$(env_port "$dir" POP3S_PORT)
    used=" $(listening_ports | tr '\n' ' ') "
    for name in IMAP_PORT:$imap IMAPS_PORT:$imaps POP3_PORT:$pop3 POP3S_PORT:$pop3s; do
        port=${name#*:}
        case "$used" in
            *" $port "*) die "cannot start $dir again: its ${name%%:*} $port is in use by another program" ;;
        esac
    done
    # The log of the earlier run stays readable beside the new one.
    cat "$dir/dovecot.log" >>"$dir/dovecot.log.old" 2>/dev/null || :
    rc=0
    launch "$dir" "$imap" "$imaps" "$pop3" "$pop3s" || rc=$?
    if [ "$rc" -ne 0 ]; then
        [ -z "$out" ] || printf '%s\n' "$out" >&2
        log_tail "$dir"
        [ "$rc" -ne 2 ] ||
            die "cannot start $dir again: one of its ports ($imap $imaps $pop3 $pop3s) is in use by another program"
        die "dovecot failed to start again (ports $imap $imaps $pop3 $pop3s)"
    fi
    self_check "$dir"
    write_env "$dir" "$pid" "$imap" "$imaps" "$pop3" "$pop3s"
}

do_start() {
    local dir=$1 running
    command -v "$DOVECOT_BIN" >/dev/null 2>&1 || die "dovecot binary not found"
    command -v openssl >/dev/null 2>&1 || die "openssl not found"
    if is_root; then
        id dovenull >/dev/null 2>&1 || die "user 'dovenull' is missing (needed as root)"
        id dovecot >/dev/null 2>&1 || die "user 'dovecot' is missing (needed as root)"
        getent group dovecot >/dev/null 2>&1 || die "group 'dovecot' is missing"
    fi
    running=$(master_pid_of "$dir")
    if [ -e "$dir/dovecot.conf" ] && of_instance "$dir" "$running"; then
        die "an instance is already running in $dir"
    fi

    # mktemp -d makes 0700 root-owned dirs; unprivileged dovecot processes
    # (auth as 'dovecot', mail processes as 'nobody') must traverse DIR.
    chmod 755 "$dir"
    LISTEN=127.0.0.1
    if [ -e "$dir/env" ]; then
        start_again "$dir"
    else
        start_fresh "$dir"
    fi
}

# ---------------------------------------------------------------- load

doveadm_() {
    bounded 20 "$DOVEADM_BIN" -c "$DIR/dovecot.conf" "$@"
}

do_load() {
    local seen=0 user folder mdir owner sub flags now last ts n f name
    if [ "${1:-}" = "--seen" ]; then
        seen=1
        shift
    fi
    [ "$#" -ge 3 ] || usage
    user=$1 folder=$2
    shift 2
    [ -s "$DIR/dovecot.conf" ] || die "no instance in $DIR (run start first)"
    owner=$(awk -F: -v u="$user" '$1 == u { print $3 ":" $4; exit }' "$DIR/passwd")
    [ -n "$owner" ] || die "unknown user: $user"
    for f in "$@"; do
        if [ ! -f "$f" ] || [ ! -r "$f" ]; then
            die "cannot read message file: $f"
        fi
    done

    case "$folder" in
        [Ii][Nn][Bb][Oo][Xx]) folder=INBOX ;;
        *)
            if ! doveadm_ mailbox status -u "$user" messages "$folder" >/dev/null 2>&1; then
                doveadm_ mailbox create -u "$user" -s "$folder" ||
                    die "cannot create folder '$folder' for $user"
            fi
            doveadm_ mailbox subscribe -u "$user" "$folder" ||
                die "cannot subscribe folder '$folder' for $user"
            ;;
    esac
    mdir=$(doveadm_ mailbox path -u "$user" "$folder") ||
        die "cannot find path of folder '$folder' for $user"
    [ -n "$mdir" ] || die "empty path for folder '$folder'"
    if [ ! -d "$mdir/new" ] || [ ! -d "$mdir/cur" ] || [ ! -d "$mdir/tmp" ]; then
        mkdir -p "$mdir/tmp" "$mdir/new" "$mdir/cur"
        chmod 700 "$mdir/tmp" "$mdir/new" "$mdir/cur"
        ! is_root || chown "$owner" "$mdir" "$mdir/tmp" "$mdir/new" "$mdir/cur"
    fi

    if [ "$seen" -eq 1 ]; then
        sub=cur flags=":2,S"
    else
        sub=new flags=""
    fi

    # Unique, monotonically increasing maildir names: Dovecot assigns UIDs
    # to new files sorted by the "<secs>.M<usecs>" prefix, so messages get
    # UIDs in command-line order, also across several load calls.
    now=$(date +%s%N)
    now=$((now / 1000))
    last=0
    if [ -s "$DIR/.load-stamp" ]; then
        last=$(tr -dc '0-9' <"$DIR/.load-stamp")
        last=${last:-0}
    fi
    [ "$now" -gt "$last" ] || now=$((last + 1))
    ts=$now
    n=0
    local names=()
    for f in "$@"; do
        name="$((ts / 1000000)).M$((ts % 1000000))P$$Q$n.tern-test$flags"
        cp -- "$f" "$mdir/tmp/$name"
        names+=("$mdir/tmp/$name")
        ts=$((ts + 1))
        n=$((n + 1))
    done
    printf '%s\n' "$ts" >"$DIR/.load-stamp"
    if is_root; then
        printf '%s\0' "${names[@]}" | xargs -0 chown "$owner"
    fi
    printf '%s\0' "${names[@]}" | xargs -0 chmod 600
    # Atomic delivery: rename tmp/ -> new/ (or cur/ when --seen).
    printf '%s\0' "${names[@]}" | xargs -0 mv -f -t "$mdir/$sub/"
}

# ------------------------------------------------------------- adduser

do_adduser() {
    local old_mtime new_mtime t0
    [ "$#" -eq 2 ] || usage
    [ -s "$DIR/passwd" ] || die "no instance in $DIR (run start first)"
    old_mtime=$(stat -c %Y "$DIR/passwd")
    passwd_set "$DIR" "$1" "$2"
    # Dovecot's passwd-file driver re-stats the file at most once per
    # second (per wall-clock second of the auth process) and reloads only if
    # mtime or size changed.  Make sure mtime changed, then let the clock
    # tick into the next second, so the user works as soon as we return.
    new_mtime=$(stat -c %Y "$DIR/passwd")
    if [ "$new_mtime" = "$old_mtime" ]; then
        touch -d "@$((old_mtime + 1))" "$DIR/passwd"
    fi
    t0=$(date +%s)
    while [ "$(date +%s)" = "$t0" ]; do
        sleep 0.05
    done
}

# ---------------------------------------------------------------- main

[ "$#" -ge 2 ] || usage
cmd=$1
case "$cmd" in
    start)
        [ "$#" -eq 2 ] || usage
        mkdir -p "$2"
        DIR=$(absdir "$2")
        case "$DIR" in
            *[[:space:]\'\"\\\$\`]*) die "directory path must not contain spaces or quotes: $DIR" ;;
        esac
        # Clean up whatever we started if anything below fails.
        trap 'rc=$?; if [ "$rc" -ne 0 ]; then do_stop "$DIR" >/dev/null 2>&1 || :; fi; exit "$rc"' EXIT
        trap 'exit 130' INT TERM
        do_start "$DIR"
        trap - EXIT INT TERM
        ;;
    stop)
        [ "$#" -eq 2 ] || usage
        [ -d "$2" ] || exit 0
        DIR=$(absdir "$2")
        do_stop "$DIR"
        ;;
    load)
        DIR=$(absdir "$2")
        shift 2
        do_load "$@"
        ;;
    adduser)
        DIR=$(absdir "$2")
        shift 2
        do_adduser "$@"
        ;;
    *)
        usage
        ;;
esac
exit 0
