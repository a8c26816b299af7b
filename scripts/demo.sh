#!/usr/bin/env bash
# The main job on the embedded default, from a fresh machine: install the
# Debian packages, build, start magnumd (SQLite + built-in identity) in a
# fresh state directory, then use it the way a user does: source the
# credentials it wrote, register an image and a keypair with the standard
# OpenStack client, create a swarm baymodel and a bay with the magnum CLI,
# and show them. Everything is stopped and removed at the end (also on error)
# unless KEEP=1, which leaves magnumd running and prints how to use it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build magnumd magnum >/dev/null

state=$(mktemp -d /tmp/magnum-demo-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$state/magnum.conf" <<CONF
[DEFAULT]
state_path = $state/state
backend = local
[api]
port = $port
[local]
prefix = mgd
network_pool = 10.239.0.0/16
CONF
./build/magnumd --config "$state/magnum.conf" >"$state/magnumd.log" 2>&1 &
pid=$!
cleanup() {
	if [ "${KEEP:-0}" != 1 ]; then
		# Delete the bay first (the conductor removes its nodes, network and files).
		if [ -n "${bay_made:-}" ]; then
			./build/magnum bay-delete demo-bay >/dev/null 2>&1
			for _ in $(seq 150); do
				./build/magnum bay-show demo-bay >/dev/null 2>&1 || break
				sleep 0.2
			done
		fi
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
		rm -rf "$state"
	fi
}
trap cleanup EXIT
for _ in $(seq 100); do
	curl -sf "http://127.0.0.1:$port/healthcheck" >/dev/null && break
	sleep 0.1
done

run() { echo; echo "\$ $*"; "$@"; }
export PATH="$PWD/build:$PATH"	# our magnum CLI first
echo "magnumd $(curl -s http://127.0.0.1:$port/ | python3 -c 'import json,sys; v=json.load(sys.stdin)["versions"][0]; print("API", v["min_version"], "-", v["max_version"])') on http://127.0.0.1:$port (pid $pid)"
[ "$(id -u)" = 0 ] || { echo "demo.sh runs bays in namespaces on this host: run it as root" >&2; exit 1; }
run cat "$state/state/admin-openrc.sh" | sed 's/OS_PASSWORD=.*/OS_PASSWORD=<hidden>/'
# shellcheck disable=SC1091
. "$state/state/admin-openrc.sh"
ssh_key="$state/id_demo.pub"
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJm8HlsJc4e2U2Q2r4tCq3nlMkqyq9Yl5S7o3CyrwxUE demo@magnum" >"$ssh_key"
run openstack image create --property os_distro=debian --disk-format raw --container-format bare debian-node -c id -c name -c properties -c status
run openstack keypair create --public-key "$ssh_key" demo-key -c name -c fingerprint
run magnum baymodel-create --name swarm-model --image-id debian-node --keypair-id demo-key \
	--external-network-id public --coe swarm --docker-volume-size 1 --flavor-id m1.small \
	--docker-storage-driver overlay2 \
	--labels role=demo
bay_made=1
run magnum bay-create --name demo-bay --baymodel swarm-model --node-count 2 --wait
run magnum bay-list
mkdir -p "$state/demo-bay"
echo; echo "\$ eval \$(magnum bay-config demo-bay --dir $state/demo-bay)"
eval "$(magnum bay-config demo-bay --dir "$state/demo-bay")"
run docker node ls
image=$(cat "$state/state/local/images/busybox.tar.id")
run docker service create -d --name hello --replicas 3 --endpoint-mode dnsrr \
	--no-resolve-image "$image" sh -c 'echo hello from $(hostname); sleep 3600'
for _ in $(seq 100); do
	[ "$(docker service ps hello --format '{{.CurrentState}}' | grep -c Running)" = 3 ] && break
	sleep 0.3
done
run docker service ps hello --format 'table {{.Name}}\t{{.Node}}\t{{.CurrentState}}'
run magnum bay-show demo-bay
run magnum service-list
run openstack coe cluster list
if [ "${KEEP:-0}" = 1 ]; then
	echo; echo "magnumd keeps running (pid $pid): . $state/state/admin-openrc.sh; magnum bay-list"
fi
