#!/usr/bin/env bash
# bench/bay: real swarm bays on the local backend, timed from the API's view.
#   create 1 master + 2 nodes (to CREATE_COMPLETE: every node Ready in the swarm)
#   create 3 masters + 5 nodes
#   scale up by one node, scale down by one idle node
#   delete (until the bay is gone and nothing is left)
#   peak memory per node (memory.max_usage_in_bytes of each node's cgroup)
# Prints one line per figure. Needs root and docker.io; builds magnumd first.
# Targets (2-core machine): 1+2 < 8 s, 3+5 < 20 s, scale up < 5 s,
# scale down < 5 s, delete < 5 s, < 120 MiB per node.
set -uo pipefail
cd "$(dirname "$0")/../.."
scripts/deps.sh >/dev/null
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build magnumd magnum >/dev/null
export MAGNUMD=$PWD/build/magnumd MAGNUM_CLI=$PWD/build/magnum
E2E_PREFIX=mgb
. tests/e2e/lib.sh
e2e_require
e2e_start
e2e_baymodel sw --flavor-id m1.small
magnum baymodel-create --name swlb --image-id debian-node --keypair-id k1 --external-network-id public \
	--coe swarm --flavor-id m1.small --docker-storage-driver overlay2 --master-lb-enabled >/dev/null

now() { date +%s.%N; }
secs() { python3 -c "print('%.1f' % ($2 - $1))"; }

timed_create() {	# name masters nodes
	local t0 t1 s model=sw
	[ "$2" -gt 1 ] && model=swlb
	t0=$(now)
	magnum bay-create --name "$1" --baymodel "$model" --master-count "$2" --node-count "$3" >/dev/null
	s=$(wait_status "$1" CREATE_IN_PROGRESS 300)
	t1=$(now)
	[ "$s" = CREATE_COMPLETE ] || { echo "bay $1 ended $s: $(api GET /v1/bays/$1)"; exit 1; }
	echo "create $2+$3: $(secs "$t0" "$t1") s (CREATE_COMPLETE, every node Ready)"
}

timed_update() {	# name count label
	local t0 s
	t0=$(now)
	magnum bay-update "$1" replace node_count="$2" >/dev/null
	s=$(wait_status "$1" UPDATE_IN_PROGRESS 300)
	[ "$s" = UPDATE_COMPLETE ] || { echo "update of $1 ended $s"; exit 1; }
	echo "$3: $(secs "$t0" "$(now)") s"
}

timed_delete() {
	local t0
	t0=$(now)
	magnum bay-delete "$1" >/dev/null
	wait_gone "$1" 120 || { echo "bay $1 not gone"; exit 1; }
	echo "delete $1: $(secs "$t0" "$(now)") s"
}

peak_memory() {
	local max=0 sum=0 n=0 v
	for f in /sys/fs/cgroup/memory/"$E2E_PREFIX"/*/memory.max_usage_in_bytes; do
		[ -f "$f" ] || continue
		v=$(cat "$f"); n=$((n + 1)); sum=$((sum + v))
		[ "$v" -gt "$max" ] && max=$v
	done
	[ "$n" -gt 0 ] && echo "peak memory per node: max $((max >> 20)) MiB, mean $((sum / n >> 20)) MiB over $n nodes"
}

timed_create small 1 2
timed_update small 3 "scale up by one"
timed_update small 2 "scale down by one idle node"
peak_memory
timed_delete small
timed_create big 3 5
peak_memory
timed_delete big
left=$(e2e_leftovers)
[ -z "$left" ] && echo "leftovers: none" || echo "leftovers: $left"
