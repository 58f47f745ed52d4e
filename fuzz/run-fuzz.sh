#!/bin/sh
# Runs each fuzz target briefly over its seed corpus (fuzz/corpus/NAME).
# Built with --enable-fuzzing the targets are libFuzzer binaries (2000
# runs each); otherwise they carry fuzz/driver.c, which runs every seed,
# every prefix of it and a fixed set of mutations.
. "${top_srcdir:-.}/tests/lib.sh"
corpus="${top_srcdir:-.}/fuzz/corpus"
make_scratch
for name in ${FUZZ_NAMES:-header mbox_scan sanitize}; do
	bin="${top_builddir:-.}/fuzz/fuzz_$name"
	seeds="$corpus/$name"
	extra=
	[ "$name" = mbox_scan ] && extra="${top_srcdir:-.}/data/demo.mbox"
	if "$bin" -help=1 2>&1 | grep -q 'libFuzzer'; then
		mkdir -p "$scratch/$name"
		cp "$seeds"/* $extra "$scratch/$name/"
		out=$("$bin" -runs=2000 -max_len=65536 "$scratch/$name" 2>&1)
	else
		out=$("$bin" -runs=3000 "$seeds" $extra 2>&1)
	fi
	r=$?
	[ $r -eq 0 ] || diag "$(printf '%s\n' "$out" | tail -30)"
	ok $r "fuzz target $name survives its corpus, prefixes and mutations"
done
done_testing
