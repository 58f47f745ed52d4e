#!/bin/sh
# The layering rule of ARCHITECTURE.md, enforced by the build: a layer's
# include paths reach only the layers below it.  For each layer, a probe
# header is planted in every layer directory of a scratch copy of the
# tree, and a file including it is compiled with that layer's real include
# flags (from Makefile.am, exported by make check).  Allowed layers must
# compile; every other one must fail.  Also: no source may reach another
# layer by a relative path ("../ui/x.h"), which -I rules cannot stop.
. "${top_srcdir:-.}/tests/lib.sh"

# The intended graph: what each layer may include (itself included).
allowed() {
	case $1 in
	base) echo "base" ;;
	charset) echo "base charset" ;;
	mime) echo "base charset mime" ;;
	net) echo "base net" ;;
	store) echo "base charset mime store" ;;
	proto) echo "base charset mime net proto" ;;
	cfg) echo "base cfg" ;;
	core) echo "base charset mime cfg core" ;;
	backend) echo "base charset mime net store proto cfg core backend" ;;
	ui) echo "base charset mime cfg core ui" ;;
	main) echo "base charset mime net store proto cfg core backend ui main" ;;
	esac
}
layers="base charset mime net store proto cfg core backend ui main"

make_scratch
for l in $layers; do
	d="$scratch/src/$l"
	[ "$l" = main ] && d="$scratch/src"
	mkdir -p "$d"
	echo "#define PROBE_$l 1" > "$d/probe_$l.h"
done
mkdir -p "$scratch/build/src/base"

# Rewrites a flag set so that its -I paths point into the scratch tree.
rewrite() {
	out=
	for f in $1; do
		case $f in
		-I*/src/*) out="$out -I$scratch/src/${f##*/src/}" ;;
		-I*/src) out="$out -I$scratch/src" ;;
		-I*) out="$out -I$scratch/build/other" ;;
		*) out="$out $f" ;;
		esac
	done
	echo "$out"
}

for l in $layers; do
	eval "flags=\${LAYER_FLAGS_$l:-}"
	if [ -z "$flags" ]; then
		ok 1 "make check exports the include flags of layer $l"
		continue
	fi
	flags=$(rewrite "$flags")
	ok_all=0
	for u in $layers; do
		echo "#include \"probe_$u.h\"" > "$scratch/t.c"
		if $CC $flags -fsyntax-only "$scratch/t.c" 2>/dev/null; then got=yes; else got=no; fi
		case " $(allowed "$l") " in
		*" $u "*) want=yes ;;
		*) want=no ;;
		esac
		if [ "$got" != "$want" ]; then
			diag "layer $l including a $u header: compiles=$got, should be $want"
			ok_all=1
		fi
	done
	ok $ok_all "layer $l reaches exactly the layers: $(allowed "$l")"
done

# The real flags reject a real wrong-way include (mime -> cfg).
echo '#include "cfg.h"' > "$scratch/w.c"
if $CC $LAYER_FLAGS_mime -fsyntax-only "$scratch/w.c" 2>/dev/null; then r=1; else r=0; fi
ok $r "src/mime cannot include src/cfg/cfg.h with its real flags"
echo '#include "buf.h"' > "$scratch/w.c"
if $CC $LAYER_FLAGS_mime -fsyntax-only "$scratch/w.c" 2>/dev/null; then r=0; else r=1; fi
ok $r "src/mime can include src/base/buf.h with its real flags"

bad=$(grep -rnE '#[[:space:]]*include[[:space:]]*["<][^">]*/' "$top_srcdir/src" \
	--include='*.c' --include='*.h' | grep -vE '<(sys|openssl|arpa|netinet)/' || true)
[ -z "$bad" ]; r=$?
[ $r -ne 0 ] && diag "$bad"
ok $r "no source includes a header by a path (which would bypass the layers)"

done_testing
