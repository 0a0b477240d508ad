#!/bin/sh
# Build the seed corpora of the fuzz harnesses under DIR (DIR/<harness>/, one file per
# input) from the repository's test data: the shared mail corpus copy (tests/data/corpus),
# the parse and hostile messages, the quote fixtures, the shipped templates and the small
# hand-made seeds in tests/fuzz/inputs/. Large files (over 64 KB) are left out: libFuzzer
# mutates small inputs better. Hostile messages generated at test time are not included.
#   usage: seeds.sh DIR
set -eu
out=${1:?usage: seeds.sh DIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
data=$top/tests/data

# copy_files HARNESS DIR...: every regular file up to 64 KB, named by its content hash.
copy_files() {
	h=$1
	shift
	mkdir -p "$out/$h"
	find "$@" -type f -size -65k ! -name '.*' ! -name 'LICENSE*' 2>/dev/null |
		while read -r f; do
			cp "$f" "$out/$h/$(sha1sum <"$f" | cut -c1-16)"
		done
}

copy_files parse "$data/corpus" "$data/parse" "$data/hostile"
copy_files quote "$data/corpus/email_reply_parser" "$data/corpus/talon"
copy_files lmtp "$top/tests/fuzz/inputs/lmtp"
copy_files token "$top/tests/fuzz/inputs/token"
copy_files template "$top/templates"
copy_files authres "$top/tests/fuzz/inputs/authres"
for h in parse quote lmtp token template authres; do
	[ -d "$data/fuzz-regressions/$h" ] && copy_files "$h" "$data/fuzz-regressions/$h"
	echo "seeds.sh: $h: $(find "$out/$h" -type f | wc -l) seed(s)"
done
