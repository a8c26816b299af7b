# lib.sh - shared by the end-to-end tests: a magnumd on the local backend
# with its own state directory and kernel-object prefix, the CLI set up from
# its openrc, and a leak check that finds every object the prefix names.
# Everything is removed on exit, success or failure.
#
# Needs root and Debian's docker.io; a test that cannot run here exits 77
# (CTest SKIP_RETURN_CODE) with the reason.

set -uo pipefail
: "${MAGNUMD:?MAGNUMD must point at the magnumd binary}"
: "${MAGNUM_CLI:?MAGNUM_CLI must point at the magnum CLI}"

E2E_PREFIX=${E2E_PREFIX:-mgt}
FAILS=0
T=""
DPID=""

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
note() { echo "== $(date +%T.%N | cut -c1-12) $*"; }

e2e_require() {
	[ "$(id -u)" = 0 ] || skip "needs root (namespaces, netlink, loop devices)"
	[ -x /usr/sbin/dockerd ] || skip "needs dockerd (Debian package docker.io)"
	[ -x /bin/busybox ] || skip "needs /bin/busybox (Debian package busybox-static)"
	[ -d /sys/fs/cgroup/memory ] || skip "needs cgroup v1 controllers under /sys/fs/cgroup"
	unshare --net true 2>/dev/null || skip "cannot create network namespaces here"
}

# Every object our prefix names: links, nft tables, mounts, loop devices,
# cgroups, processes under the state dir. Prints them; empty = clean.
e2e_leftovers() {
	ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' |
		grep -E "^${E2E_PREFIX}" | sed 's/^/link /'
	nft list tables 2>/dev/null | grep -E " ${E2E_PREFIX}_" | sed 's/^/nft /'
	[ -n "$T" ] && grep -F "$T" /proc/self/mountinfo | awk '{print "mount " $5}'
	[ -n "$T" ] && losetup -a 2>/dev/null | grep -F "$T" | sed 's/^/loop /'
	for c in /sys/fs/cgroup/*/"${E2E_PREFIX}"; do
		[ -d "$c" ] && find "$c" -type d | sed 's/^/cgroup /'
	done
	[ -n "$T" ] && for p in /proc/[0-9]*; do
		[ "${p#/proc/}" = "${DPID:-x}" ] && continue
		{ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qF "$T/" &&
			echo "process ${p#/proc/} $({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | cut -c1-80)"
	done
	true
}

# Remove whatever is left (after a failure): processes, mounts, loops, links,
# tables, cgroups, files. Only objects carrying our prefix or state dir.
e2e_force_clean() {
	local p
	[ -n "$T" ] || return 0
	for p in /proc/[0-9]*; do
		{ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qF "$T/" && kill -9 "${p#/proc/}" 2>/dev/null
	done
	sleep 0.3
	grep -F "$T" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	losetup -a 2>/dev/null | grep -F "$T" | cut -d: -f1 | xargs -r -n1 losetup -d 2>/dev/null
	ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' |
		grep -E "^${E2E_PREFIX}" | xargs -r -n1 ip link del 2>/dev/null
	nft list tables 2>/dev/null | awk -v p=" ${E2E_PREFIX}_" 'index($0, p) {print $2, $3}' |
		while read -r fam name; do nft delete table "$fam" "$name"; done
	for c in /sys/fs/cgroup/*/"${E2E_PREFIX}"; do
		[ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	true
}

e2e_cleanup() {
	local rc=$?
	if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
		kill "$DPID"
		for _ in $(seq 50); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$DPID" 2>/dev/null
	fi
	if [ -n "$T" ]; then
		if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
			echo "---- magnumd log (tail) ----"; tail -40 "$T/magnumd.log" 2>/dev/null
			for l in "$T"/state/local/bays/*/n*/dockerd.log; do
				[ -f "$l" ] && { echo "---- $l"; tail -5 "$l"; }
			done
		fi
		e2e_force_clean
		rm -rf "$T"
	fi
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Start magnumd on the local backend; extra config lines in $1.
e2e_start() {
	T=$(mktemp -d /tmp/magnum-test-e2e-XXXXXX)
	trap e2e_cleanup EXIT
	trap 'exit 1' INT TERM
	PORT=$(free_port)
	NET=${E2E_NET:-10.$((240 + RANDOM % 10)).0.0/16}
	mkdir -p "$T/state"
	cat >"$T/magnum.conf" <<EOF
[DEFAULT]
state_path = $T/state
auth_strategy = builtin
backend = local
periodic_interval = 2
[api]
host = 127.0.0.1
port = $PORT
[local]
prefix = $E2E_PREFIX
network_pool = $NET
[x509]
key_type = ec
${1:-}
EOF
	e2e_spawn
}

e2e_spawn() {
	"$MAGNUMD" --config "$T/magnum.conf" >>"$T/magnumd.log" 2>&1 &
	DPID=$!
	for _ in $(seq 100); do
		curl -sf "http://127.0.0.1:$PORT/healthcheck" >/dev/null && break
		sleep 0.1
	done
	curl -sf "http://127.0.0.1:$PORT/healthcheck" >/dev/null || { fail "magnumd did not start"; exit 1; }
	for _ in $(seq 50); do [ -f "$T/state/admin-openrc.sh" ] && break; sleep 0.1; done
	# shellcheck disable=SC1091
	. "$T/state/admin-openrc.sh"
	TOKEN=$(curl -si -H 'Content-Type: application/json' -d "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"$OS_USERNAME\",\"domain\":{\"name\":\"Default\"},\"password\":\"$OS_PASSWORD\"}}},\"scope\":{\"project\":{\"name\":\"$OS_PROJECT_NAME\",\"domain\":{\"name\":\"Default\"}}}}}" \
		"$OS_AUTH_URL/auth/tokens" | awk -F': ' 'tolower($1)=="x-subject-token" {print $2}' | tr -d '\r')
}

magnum() { "$MAGNUM_CLI" "$@"; }

api() {	# method path [json]
	curl -s -X "$1" -H "X-Auth-Token: $TOKEN" -H 'Content-Type: application/json' \
		-H 'OpenStack-API-Version: container-infra latest' \
		${3:+-d "$3"} "http://127.0.0.1:$PORT$2"
}

# A catalogue image and keypair, and a swarm baymodel named $1 (extra args follow).
e2e_baymodel() {
	local name=$1; shift
	api POST /image/v2/images '{"name":"debian-node","os_distro":"debian","disk_format":"raw","container_format":"bare"}' >/dev/null
	[ -f "$T/id_ed25519" ] || ssh-keygen -q -t ed25519 -N "" -C e2e -f "$T/id_ed25519"
	api POST /v2.1/os-keypairs "{\"keypair\":{\"name\":\"k1\",\"public_key\":\"$(cat "$T/id_ed25519.pub")\"}}" >/dev/null
	magnum baymodel-create --name "$name" --image-id debian-node --keypair-id k1 \
		--external-network-id public --coe swarm --flavor-id m1.small --docker-storage-driver overlay2 "$@" >/dev/null
}

bay_status() { api GET "/v1/bays/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("status"))'; }

# Wait until bay $1 leaves status $2 (at most $3 seconds); prints the new status.
wait_status() {
	local s
	for _ in $(seq $(( $3 * 5 ))); do
		s=$(bay_status "$1")
		[ "$s" != "$2" ] && { echo "$s"; return; }
		sleep 0.2
	done
	echo "$s"
}

wait_gone() {	# bay seconds
	for _ in $(seq $(( $2 * 5 ))); do
		[ "$(api GET "/v1/bays/$1" | python3 -c 'import json,sys; print("errors" in json.load(sys.stdin))')" = True ] && return 0
		sleep 0.2
	done
	return 1
}

e2e_finish() {
	local left
	left=$(e2e_leftovers)
	[ -z "$left" ] || fail "left behind: $left"
	if [ "$FAILS" != 0 ]; then
		echo "$FAILS check(s) failed" >&2
		exit 1
	fi
	echo "all checks passed"
}
