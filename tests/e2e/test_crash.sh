#!/usr/bin/env bash
# Crash safety of the local backend: kill -9 magnumd during a create, a
# scale-up and a delete; after each restart the bay reaches a terminal state
# and nothing leaks. A running bay survives a magnumd restart (same node
# processes), and after a simulated host reboot (every node process, link,
# namespace, mount and table gone) magnumd brings the nodes back from the
# ledger.
. "$(dirname "$0")/lib.sh"
e2e_require
e2e_start

# Wait until bay $1's timeline has an event of step $2 (at most $3 s).
wait_event() {
	for _ in $(seq $(( $3 * 10 ))); do
		api GET "/v1/bays/$1/events" | grep -q "\"step\":\"$2\"" && return 0
		sleep 0.1
	done
	return 1
}

crash_and_restart() {
	kill -9 "$DPID"
	wait "$DPID" 2>/dev/null
	note "magnumd killed (-9) at: $1"
	e2e_spawn
}

node_pids() {
	sqlite3 "$T/state/magnum.sqlite" "SELECT json_extract(data, '$.pid') FROM ledger WHERE kind = 'node' ORDER BY id"
}

swarm_ready() {	# expected count
	local n
	mkdir -p "$T/cfg"
	eval "$(magnum bay-config b1 --dir "$T/cfg" --force)" >/dev/null
	for _ in $(seq 100); do
		n=$(docker node ls --format '{{.Status}}' 2>/dev/null | grep -c Ready)
		[ "$n" = "$1" ] && return 0
		sleep 0.3
	done
	echo "ready nodes: $n, wanted $1"
	return 1
}

e2e_baymodel sw

note "kill during create"
magnum bay-create --name b1 --baymodel sw --node-count 1 >/dev/null || fail "bay-create"
wait_event b1 nodes 60 || fail "create never reached the nodes step"
crash_and_restart "create, while dockerd starts"
s=$(wait_status b1 CREATE_IN_PROGRESS 180)
[ "$s" = CREATE_COMPLETE ] || fail "create after the crash ended $s: $(api GET /v1/bays/b1)"
swarm_ready 2 || fail "swarm not ready after the resumed create"

note "a running bay survives a restart"
before=$(node_pids)
crash_and_restart "idle, bay running"
sleep 3
[ "$(node_pids)" = "$before" ] || fail "node processes changed across a restart"
for p in $before; do kill -0 "$p" 2>/dev/null || fail "node init $p died with magnumd"; done
[ "$(bay_status b1)" = CREATE_COMPLETE ] || fail "status after restart: $(bay_status b1)"
swarm_ready 2 || fail "swarm not ready after a restart"

note "kill during scale-up"
magnum bay-update b1 replace node_count=2 >/dev/null || fail "bay-update"
wait_event b1 scale-up 60 || fail "scale never started"
crash_and_restart "scale-up"
s=$(wait_status b1 UPDATE_IN_PROGRESS 180)
[ "$s" = UPDATE_COMPLETE ] || fail "scale after the crash ended $s: $(api GET /v1/bays/b1)"
swarm_ready 3 || fail "swarm not at 3 nodes after the resumed scale"

note "simulated host reboot: nodes come back from the ledger"
kill "$DPID"; wait "$DPID" 2>/dev/null
for p in $(node_pids); do kill -9 "$p" 2>/dev/null; done
sleep 1
# What a reboot takes away: mounts (volumes, pinned namespaces), links, tables.
grep -F "$T" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
losetup -a | grep -F "$T" | cut -d: -f1 | xargs -r -n1 losetup -d
ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E "^${E2E_PREFIX}" | xargs -r -n1 ip link del
nft list tables | awk -v p=" ${E2E_PREFIX}_" 'index($0, p) {print $2, $3}' |
	while read -r fam name; do nft delete table "$fam" "$name"; done
e2e_spawn
note "magnumd restarted after the 'reboot'"
swarm_ready 3 || fail "nodes not back after the reboot"
[ "$(bay_status b1)" = UPDATE_COMPLETE ] || fail "status after reboot: $(bay_status b1)"

note "kill during delete"
magnum bay-delete b1 >/dev/null || fail "bay-delete"
wait_event b1 delete 60 || fail "delete never started"
crash_and_restart "delete"
wait_gone b1 120 || fail "bay not gone after the resumed delete: $(api GET /v1/bays/b1)"
left=$(e2e_leftovers)
[ -z "$left" ] || fail "after delete: $left"
e2e_finish
