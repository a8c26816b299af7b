#!/usr/bin/env bash
# Build and run every test: the -Werror build (unit, fuzz-corpus replay, API
# tests on SQLite and on a PostgreSQL the tests start), then the
# AddressSanitizer+UBSan build running the same suite on SQLite.
#   scripts/test.sh            everything
#   scripts/test.sh --quick    the -Werror build only, SQLite only
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

quick=0
[ "${1:-}" = "--quick" ] && quick=1
jobs=$(nproc)

run_suite() {	# build-dir cmake-args... ; runs ctest
	local dir=$1; shift
	cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
	ninja -C "$dir"
	(cd "$dir" && ctest --output-on-failure -j "$jobs" ${CTEST_ARGS:-})
}

echo "== build (-O2 -Werror) and test"
run_suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTEST_PG=$([ $quick = 1 ] && echo OFF || echo ON)
if [ $quick = 0 ]; then
	echo "== build (-fsanitize=address,undefined) and test"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run_suite build-asan -DENABLE_ASAN=ON -DCMAKE_BUILD_TYPE=Debug -DTEST_PG=OFF -DTEST_E2E=OFF
fi
echo "== banned functions"
if grep -nE '\b(sprintf|strcpy|strcat|strtok|gets|atoi|system|localtime)\s*\(' \
	$(git ls-files 'src/*.c' 'src/*.h') | grep -v 'snprintf\|vsnprintf\|asprintf'; then
	echo "banned function used (see STYLE.md)"; exit 1
fi
echo "all tests passed"
