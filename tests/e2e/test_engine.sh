#!/usr/bin/env bash
# test_engine.sh - src/backends/local/engine.c and image.c against ONE real
# dockerd started here, privately: its own network, mount and pid namespaces
# (unshare; they die with its process tree), data/exec root and sockets under
# /tmp/magnum-test-engine-*, a tmpfs on /etc/docker and /run, resolv.conf
# "nameserver 127.0.0.1", TLS with certificates from our x509 module. The host
# reaches it over a veth pair (mgte<pid>h / mgte<pid>n) on a /30.
# The scenario is in engine_driver.c. Needs root, dockerd and busybox-static:
# otherwise exits 77 (skipped). Everything is removed on success and failure.
# E2E_KEEP_LOG=FILE keeps a copy of dockerd's log.
set -euo pipefail

BIN=${E2E_BIN:-$(dirname "$0")/../../build}
DRIVER=$BIN/engine_driver
DOCKERD=${DOCKERD:-/usr/sbin/dockerd}
INIT=/usr/bin/docker-init

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root"
[ -x "$DOCKERD" ] || skip "no $DOCKERD (apt-get install docker.io)"
[ -x "$INIT" ] || skip "no $INIT"
[ -x /bin/busybox ] || skip "no /bin/busybox (apt-get install busybox-static)"
[ -x "$DRIVER" ] || { echo "FAIL: no $DRIVER"; exit 1; }
[ -d /etc/docker ] || skip "no /etc/docker to cover with a tmpfs"

TAG=$$
VH=mgte${TAG}h				# host end of the veth
VN=mgte${TAG}n				# node end (eth0 inside)
CG=mgt-eng-$TAG				# cgroup parent of the containers
# a /30 not already routed on this host: .1 host, .2 node; .6 a second node
# address that the server certificate does not name
for n in $(seq $((TAG % 200 + 20)) 250) $(seq 20 250); do
	NET=10.253.$n
	ip -4 route show | grep -q "^$NET\." || break
done
HOST_IP=$NET.1 NODE_IP=$NET.2 ALT_IP=$NET.6

DIR=$(mktemp -d /tmp/magnum-test-engine-XXXXXX)
U=""					# pid of unshare (outside the namespaces)

now_ns() { date +%s%N; }
child_of() { cut -d' ' -f1 "/proc/$1/task/$1/children" 2>/dev/null || true; }

cleanup() {
	local rc=$? init dpid i
	set +e
	if [ -n "$U" ] && kill -0 "$U" 2>/dev/null; then
		init=$(child_of "$U")			# docker-init, pid 1 of the pid ns
		dpid=$([ -n "$init" ] && child_of "$init")	# dockerd
		local t0; t0=$(now_ns)
		[ -n "$dpid" ] && kill -TERM "$dpid"
		for i in $(seq 100); do kill -0 "$U" 2>/dev/null || break; sleep 0.1; done
		if kill -0 "$U" 2>/dev/null; then
			echo "dockerd did not stop in 10 s: SIGKILL to the pid namespace"
			[ -n "$init" ] && kill -KILL "$init"
			kill -KILL "$U"
		fi
		wait "$U" 2>/dev/null
		echo "timing: dockerd stop: $(( ($(now_ns) - t0) / 1000000 )) ms"
	fi
	ip link del "$VH" 2>/dev/null
	for c in /sys/fs/cgroup/*/"$CG"; do
		[ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	[ -n "${E2E_KEEP_LOG:-}" ] && cp "$DIR/dockerd.log" "$E2E_KEEP_LOG"
	if [ $rc -ne 0 ] && [ -f "$DIR/dockerd.log" ]; then
		echo "--- dockerd.log (last 30 lines)"; tail -30 "$DIR/dockerd.log"
	fi
	rm -rf "$DIR"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$DIR/tls" "$DIR/data" "$DIR/run"
"$DRIVER" pki "$DIR" "$NODE_IP"
printf 'nameserver 127.0.0.1\n' > "$DIR/resolv.conf"
mkfifo "$DIR/go"

# Runs inside the new namespaces once the network is there: a sysfs of this
# netns, the host's cgroup v1 hierarchies again (the new sysfs hides them),
# private /etc/docker (key.json) and /run (containerd's shim sockets). mount -n:
# libmount would otherwise create /run/mount/utab on the host's /run.
cat > "$DIR/node.sh" <<EOF
#!/bin/sh
set -e
read go < "$DIR/go"
mount -n -t tmpfs mgtrun /run
mount -n -t sysfs mgtsys /sys
mount -n -t tmpfs mgtcg /sys/fs/cgroup
$(awk '$3 == "cgroup" { n = $2; sub(".*/", "", n); d = "/sys/fs/cgroup/" n;
	printf "mkdir -p %s; mount -n -t cgroup -o %s cgroup %s\n", d, $4, d }' /proc/self/mounts)
mount -n -t tmpfs mgtetc /etc/docker
mount -n --bind "$DIR/resolv.conf" /etc/resolv.conf
exec "$DOCKERD" --data-root "$DIR/data" --exec-root "$DIR/run" --pidfile "$DIR/run/docker.pid" \\
	--cgroup-parent "/$CG" --storage-driver overlay2 --bridge none --iptables=false \\
	--ip-forward=false --ip-masq=false \\
	-H "unix://$DIR/docker.sock" -H "tcp://$NODE_IP:2376" -H "tcp://$ALT_IP:2376" \\
	--tlsverify --tlscacert "$DIR/tls/ca.pem" --tlscert "$DIR/tls/server-cert.pem" \\
	--tlskey "$DIR/tls/server-key.pem"
EOF
chmod +x "$DIR/node.sh"

unshare --net --mount --pid --fork --kill-child --mount-proc --propagation private \
	"$INIT" -s -- "$DIR/node.sh" > "$DIR/dockerd.log" 2>&1 < /dev/null &
U=$!
for i in $(seq 100); do INIT_PID=$(child_of "$U"); [ -n "$INIT_PID" ] && break; sleep 0.05; done
[ -n "$INIT_PID" ] || { echo "FAIL: the namespaces did not start"; exit 1; }

ip link add "$VH" type veth peer name "$VN"
ip link set "$VN" netns "$INIT_PID"
nsenter --net --target "$INIT_PID" sh -c "
	ip link set lo up && ip link set $VN name eth0 &&
	ip addr add $NODE_IP/30 dev eth0 && ip addr add $ALT_IP/32 dev eth0 &&
	ip link set eth0 up"
ip addr add "$HOST_IP/30" dev "$VH"
ip link set "$VH" up
ip route add "$ALT_IP/32" dev "$VH"

export DOCKERD_START_NS=$(now_ns)
echo go > "$DIR/go"
echo "dockerd starting at $NODE_IP (host pid of the namespace init: $INIT_PID)"
"$DRIVER" run "$DIR" "$NODE_IP" "$ALT_IP"
# services name the image by ID: the daemon must never have tried a registry
if grep -E "pulling image|registry-1.docker.io" "$DIR/dockerd.log"; then
	echo "FAIL: dockerd tried to pull an image"; exit 1
fi
echo "PASS"
