# lib.sh: shared helpers for the shell tests (TAP output).
# Source it, call plan-less checks, end with done_testing.

tap_n=0
tap_failed=0

ok() { # ok STATUS DESCRIPTION
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

diag() { printf '# %s\n' "$@"; }

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	desc=$1; shift
	if "$@"; then ok 0 "$desc"; else ok 1 "$desc"; fi
}

# contains HAYSTACK NEEDLE: a fixed-string match, with a diagnostic.
contains() {
	case $1 in
	*"$2"*) return 0 ;;
	esac
	diag "expected to find: $2" "in: $(printf '%s' "$1" | head -c 600)"
	return 1
}

lacks() {
	case $1 in
	*"$2"*) diag "did not expect: $2" "in: $(printf '%s' "$1" | head -c 600)"; return 1 ;;
	esac
	return 0
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# A private scratch directory, removed on exit.
make_scratch() {
	scratch=$(mktemp -d "${TMPDIR:-/tmp}/tern-test.XXXXXX")
	trap 'rm -rf "$scratch"' EXIT
}
