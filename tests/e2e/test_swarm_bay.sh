#!/usr/bin/env bash
# A real Docker Swarm bay on the local backend, end to end, with the stock
# docker CLI: create (1 master + 2 nodes, loop-backed docker volumes),
# bay-config, node ls, a service spread over the nodes, overlay traffic
# between containers on different nodes, scale up and down, CA rotation (the
# old client certificate refused), delete, and nothing left behind.
. "$(dirname "$0")/lib.sh"
e2e_require
e2e_start

note "baymodel and bay"
e2e_baymodel sw --docker-volume-size 1 --dns-nameserver 10.9.9.9
# Kubernetes on this backend: a clear 400 naming the reason.
out=$(magnum baymodel-create --name k8s --image-id debian-node --keypair-id k1 \
	--external-network-id public --coe kubernetes 2>&1) && fail "kubernetes baymodel accepted"
echo "$out" | grep -q "no Kubernetes server binaries" || fail "k8s refusal text: $out"
out=$(magnum baymodel-create --name dm --image-id debian-node --keypair-id k1 \
	--external-network-id public --coe swarm --docker-storage-driver devicemapper \
	--docker-volume-size 5 2>&1) && fail "devicemapper baymodel accepted"
echo "$out" | grep -q "no device-mapper" || fail "devicemapper refusal text: $out"

t0=$(date +%s.%N)
magnum bay-create --name b1 --baymodel sw --node-count 2 --wait --poll-interval 1 \
	--wait-timeout 240 >"$T/create.out" 2>&1 || { cat "$T/create.out"; fail "bay-create --wait"; exit 1; }
t1=$(date +%s.%N)
note "CREATE_COMPLETE in $(python3 -c "print(round($t1 - $t0, 1))") s"
grep -q "CREATE_COMPLETE" "$T/create.out" || fail "no CREATE_COMPLETE in --wait output"
magnum bay-show b1 >"$T/show.out"
grep -Eq "api_address +\| tcp://" "$T/show.out" || fail "bay-show has no api_address: $(cat "$T/show.out")"

note "bay-config and the stock docker CLI"
mkdir -p "$T/cfg"
eval "$(magnum bay-config b1 --dir "$T/cfg")" || fail "bay-config"
[ "$(stat -c %a "$T/cfg/key.pem")" = 600 ] || fail "key.pem is not 0600"
magnum bay-config b1 --dir "$T/cfg" >/dev/null 2>&1 && fail "bay-config overwrote without --force"
magnum bay-config b1 --dir "$T/cfg" --force >/dev/null || fail "bay-config --force"
docker node ls >"$T/nodes" 2>&1 || fail "docker node ls: $(cat "$T/nodes")"
cat "$T/nodes"
[ "$(grep -c ' Ready ' "$T/nodes")" = 3 ] || fail "not 3 Ready nodes"
grep -q "Leader" "$T/nodes" || fail "no swarm leader"
# Without a client certificate the daemon refuses.
DOCKER_CERT_PATH=/nonexistent docker --tlsverify=false -H "$DOCKER_HOST" info >/dev/null 2>&1 &&
	fail "daemon answered without a client certificate"

note "a service spread over the nodes, overlay traffic between nodes"
IMG=$(cat "$T"/state/local/images/busybox.tar.id)
docker network create -d overlay --attachable e2enet >/dev/null || fail "overlay network"
docker service create -d --name web --replicas 3 --endpoint-mode dnsrr --network e2enet \
	--stop-grace-period 1s --no-resolve-image "$IMG" sleep 3600 >/dev/null || fail "service create"
for _ in $(seq 150); do
	[ "$(docker service ps web --filter desired-state=running --format '{{.CurrentState}}' | grep -c Running)" = 3 ] && break
	sleep 0.4
done
docker service ps web --format '{{.Node}} {{.CurrentState}}' | tee "$T/ps"
[ "$(grep -c Running "$T/ps")" = 3 ] || fail "3 replicas not running"
[ "$(awk '{print $1}' "$T/ps" | sort -u | wc -l)" -ge 2 ] || fail "replicas not spread over nodes"
# Containers on two different nodes ping each other over the overlay.
mapfile -t nodes < <(awk '{print $1}' "$T/ps" | sort -u)
ip_of() {	# node -> its address from bay-show
	api GET /v1/bays/b1 >/dev/null
	python3 - "$1" "$T" <<'PY'
import json, subprocess, sys
node = sys.argv[1]
led = subprocess.run(["sqlite3", sys.argv[2] + "/state/magnum.sqlite",
                      "SELECT data FROM ledger WHERE kind='node' AND name='%s'" % node],
                     capture_output=True, text=True).stdout.strip()
print(json.loads(led)["ip"])
PY
}
n1=${nodes[0]}; n2=${nodes[1]}
c1=$(DOCKER_HOST=tcp://$(ip_of "$n1"):2376 docker ps -q --filter name=web | head -1)
c2=$(DOCKER_HOST=tcp://$(ip_of "$n2"):2376 docker ps -q --filter name=web | head -1)
ip2=$(DOCKER_HOST=tcp://$(ip_of "$n2"):2376 docker inspect -f '{{(index .NetworkSettings.Networks "e2enet").IPAddress}}' "$c2")
DOCKER_HOST=tcp://$(ip_of "$n1"):2376 docker exec "$c1" ping -c 2 -W 2 "$ip2" >"$T/ping" 2>&1 ||
	fail "overlay ping $n1 -> $n2 ($ip2): $(cat "$T/ping")"
# The baymodel's resolver is what nodes use, and the host drops what a node sends out.
grep -q "nameserver 10.9.9.9" "$T"/state/local/bays/*/n0/resolv.conf || fail "dns_nameserver not applied"
DOCKER_HOST=tcp://$(ip_of "$n1"):2376 docker exec "$c1" ping -c 1 -W 1 10.9.9.9 >/dev/null 2>&1 &&
	fail "a node reached an address outside its bay"

note "ssh into a node with the baymodel's keypair (login user root)"
ssh -i "$T/id_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	-o BatchMode=yes -o ConnectTimeout=5 "root@$(ip_of "$n1")" hostname >"$T/ssh.out" 2>&1 ||
	fail "ssh to $n1: $(cat "$T/ssh.out")"
grep -qx "$n1" "$T/ssh.out" || fail "ssh landed elsewhere: $(cat "$T/ssh.out")"

note "scale up and down"
t0=$(date +%s.%N)
magnum bay-update b1 replace node_count=3 >/dev/null || fail "bay-update up"
s=$(wait_status b1 UPDATE_IN_PROGRESS 120)
[ "$s" = UPDATE_COMPLETE ] || fail "scale up ended $s: $(api GET /v1/bays/b1)"
note "scaled up in $(python3 -c "print(round($(date +%s.%N) - $t0, 1))") s"
[ "$(docker node ls | grep -c ' Ready ')" = 4 ] || fail "not 4 Ready nodes after scale up"
t0=$(date +%s.%N)
magnum bay-update b1 replace node_count=2 >/dev/null || fail "bay-update down"
s=$(wait_status b1 UPDATE_IN_PROGRESS 120)
[ "$s" = UPDATE_COMPLETE ] || fail "scale down ended $s"
note "scaled down in $(python3 -c "print(round($(date +%s.%N) - $t0, 1))") s"
[ "$(docker node ls | grep -c ' Ready ')" = 3 ] || fail "not 3 nodes after scale down"
[ "$(docker node ls | grep -c ' Down ')" = 0 ] || fail "a removed node is still listed"

note "CA rotation: the old client certificate stops working"
cp -r "$T/cfg" "$T/oldcfg"
magnum ca-rotate --cluster b1 >/dev/null || fail "ca-rotate"
s=$(wait_status b1 UPDATE_IN_PROGRESS 180)
[ "$s" = UPDATE_COMPLETE ] || fail "rotation ended $s: $(api GET /v1/bays/b1)"
DOCKER_CERT_PATH=$T/oldcfg docker node ls >/dev/null 2>&1 && fail "old certificate still accepted"
magnum bay-config b1 --dir "$T/cfg" --force >/dev/null || fail "bay-config after rotation"
docker node ls >/dev/null 2>&1 || fail "new certificate refused after rotation"

note "delete"
t0=$(date +%s.%N)
magnum bay-delete b1 >/dev/null || fail "bay-delete"
wait_gone b1 60 || fail "bay not gone"
note "deleted in $(python3 -c "print(round($(date +%s.%N) - $t0, 1))") s"
left=$(e2e_leftovers)
[ -z "$left" ] || fail "after delete: $left"
e2e_finish
