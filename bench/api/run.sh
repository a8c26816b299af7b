#!/usr/bin/env bash
# bench/api/run.sh [--duration S] [--real]: build magnumd (-O2) and measure it.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/deps.sh
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build magnumd >/dev/null
MAGNUMD=$PWD/build/magnumd exec python3 bench/api/bench.py "$@"
