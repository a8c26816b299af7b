#!/usr/bin/env bash
# test_cli_shell.sh - the magnum CLI in C against a real magnumd on loopback
# (builtin auth, credentials from the admin-openrc.sh it writes), plus a tiny
# mock API for what magnumd cannot do yet (bays reaching CREATE_COMPLETE,
# certificates): every command, its table output, --json and exit codes.
#
# Env: MAGNUMD, MAGNUM_CLI (CTest sets them; default build/). Everything this
# script starts is stopped by PID and its temp directory removed, also on
# failure (trap).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
MAGNUMD=${MAGNUMD:-$HERE/../../build/magnumd}
CLI=${MAGNUM_CLI:-$HERE/../../build/magnum}
CLI=$(realpath "$CLI")
MAGNUMD=$(realpath "$MAGNUMD")
T=$(mktemp -d /tmp/magnum-cli-test-XXXXXX)
DPID=""
MPID=""
FAILS=0

cleanup() {
	local rc=$?
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null || true
	[ -n "$MPID" ] && kill "$MPID" 2>/dev/null && wait "$MPID" 2>/dev/null || true
	if [ "$rc" != 0 ] && [ -f "$T/magnumd.log" ]; then
		echo "---- magnumd log (tail) ----" >&2
		tail -40 "$T/magnumd.log" >&2 || true
	fi
	rm -rf "$T"
	exit "$rc"
}
trap cleanup EXIT INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_http() {	# url
	for _ in $(seq 1 150); do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.1
	done
	echo "FATAL: nothing answers at $1" >&2
	return 1
}

# --- assertions -----------------------------------------------------------
# run [args...]: the CLI with stdout in $T/out, stderr in $T/err, exit in $RC.
run() {
	set +e
	"$CLI" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
}

fail() {
	echo "FAIL: $*" >&2
	echo "  --- stdout:" >&2; sed 's/^/  | /' "$T/out" >&2 || true
	echo "  --- stderr:" >&2; sed 's/^/  | /' "$T/err" >&2 || true
	FAILS=$((FAILS + 1))
}

# expect RC [args...]: run and check the exit code.
expect() {
	local want=$1
	shift
	run "$@"
	[ "$RC" = "$want" ] || fail "magnum $* exited $RC, expected $want"
}
out_has() { grep -qF -- "$1" "$T/out" || fail "stdout lacks: $1"; }
out_re() { grep -qE -- "$1" "$T/out" || fail "stdout does not match: $1"; }
err_re() { grep -qE -- "$1" "$T/err" || fail "stderr does not match: $1"; }
err_has() { grep -qF -- "$1" "$T/err" || fail "stderr lacks: $1"; }
out_lacks() { ! grep -qF -- "$1" "$T/out" || fail "stdout has: $1"; }
err_lacks() { ! grep -qF -- "$1" "$T/err" || fail "stderr has: $1"; }

# Every line of stdout belongs to one well-formed PrettyTable: rules and rows
# all of the same width, rows start with "| " and end with " |".
table_ok() {
	python3 - "$T/out" <<'EOF' || fail "malformed table"
import sys
lines = open(sys.argv[1]).read().splitlines()
assert lines, "empty output"
w = len(lines[0])
for l in lines:
    assert len(l) == w, "ragged line %r" % l
    assert (l.startswith("+-") and l.endswith("-+") and set(l) <= set("+-")) or \
        (l.startswith("| ") and l.endswith(" |")), "bad line %r" % l
assert lines[0] == lines[2] == lines[-1], "rules differ"
EOF
}

json_get() {	# python expression over d (the stdout JSON)
	python3 -c "import json,sys; d=json.load(open('$T/out')); print($1)"
}

# --- a magnumd with builtin auth ------------------------------------------
PORT=$(free_port)
mkdir -p "$T/state"
cat >"$T/magnum.conf" <<EOF
[DEFAULT]
state_path = $T/state
auth_strategy = builtin
backend = none
periodic_interval = 1
[api]
host = 127.0.0.1
port = $PORT
EOF
"$MAGNUMD" --config "$T/magnum.conf" >"$T/magnumd.log" 2>&1 &
DPID=$!
wait_http "http://127.0.0.1:$PORT/healthcheck"
for _ in $(seq 1 50); do [ -f "$T/state/admin-openrc.sh" ] && break; sleep 0.1; done

# Only the openrc's variables: nothing from the caller's environment.
for v in $(env | grep -o '^OS_[A-Z_]*'); do unset "$v"; done
unset MAGNUM_URL MAGNUM_API_VERSION BYPASS_URL
# shellcheck disable=SC1091
. "$T/state/admin-openrc.sh"
BASE="http://127.0.0.1:$PORT"

token_json=$(curl -s -D "$T/tokhdr" -H 'Content-Type: application/json' \
	-d "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"$OS_USERNAME\",\"domain\":{\"name\":\"Default\"},\"password\":\"$OS_PASSWORD\"}}},\"scope\":{\"project\":{\"name\":\"$OS_PROJECT_NAME\",\"domain\":{\"name\":\"Default\"}}}}}" \
	"$OS_AUTH_URL/auth/tokens")
TOKEN=$(grep -i '^x-subject-token:' "$T/tokhdr" | cut -d' ' -f2 | tr -d '\r')
PROJECT_ID=$(echo "$token_json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"]["project"]["id"])')
rm -f "$T/tokhdr"
# The catalogue the templates need: an image with os_distro and a keypair.
curl -sf -o /dev/null -H "X-Auth-Token: $TOKEN" -H 'Content-Type: application/json' \
	-d '{"name":"deb","os_distro":"debian","disk_format":"raw","container_format":"bare"}' \
	"$BASE/image/v2/images"
curl -sf -o /dev/null -H "X-Auth-Token: $TOKEN" -H 'Content-Type: application/json' \
	-d '{"keypair":{"name":"k1","public_key":"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJm8HlsJc4e2U2Q2r4tCq3nlMkqyq9Yl5S7o3CyrwxUE t@m"}}' \
	"$BASE/v2.1/os-keypairs"

# --- usage errors: exit 2, before any request -------------------------------
expect 2
expect 0 --help
out_has "bay-create"
expect 0 help bay-create
out_has "usage: magnum bay-create"
expect 2 no-such-command
err_has "invalid choice: 'no-such-command'"
expect 2 bay-create --name x
err_has "the following arguments are required: --baymodel"
expect 2 baymodel-create --coe swarm
err_has "the following arguments are required: --image-id, --keypair-id, --external-network-id"
expect 2 bay-update b1 frobnicate x=1
err_has "invalid choice: 'frobnicate'"
expect 2 bay-show
expect 2 bay-show a b
err_has "unrecognized arguments: b"
expect 2 bay-list --bogus
expect 2 --magnum-api-version 1.x bay-list
expect 2 --timeout zero bay-list
expect 2 quotas-show --project-id p
err_has "required: --resource"
expect 2 bay-create --baymodel m --node-count two
err_has "argument --node-count: invalid int value: 'two'"

# --- authentication ---------------------------------------------------------
( export OS_PASSWORD=wrong; expect 1 bay-list; err_has "authentication failed (HTTP 401)"
  [ "$FAILS" = 0 ] ) || FAILS=$((FAILS + 1))
( unset OS_AUTH_URL; expect 1 bay-list; err_has "You must provide an auth url"
  [ "$FAILS" = 0 ] ) || FAILS=$((FAILS + 1))
# --os-* options override the environment.
expect 1 --os-password wrong bay-list
err_has "(HTTP 401)"
# Token only: OS_TOKEN and a bypass URL (no Keystone), or OS_TOKEN with OS_AUTH_URL.
( unset OS_USERNAME OS_PASSWORD OS_AUTH_URL; export OS_TOKEN=$TOKEN
  expect 0 --bypass-url "$BASE/v1" bay-list; out_has "| uuid"
  export MAGNUM_URL=$BASE; expect 0 service-list; out_has "magnum-conductor"
  [ "$FAILS" = 0 ] ) || FAILS=$((FAILS + 1))
( unset OS_USERNAME OS_PASSWORD; export OS_TOKEN=$TOKEN
  expect 0 bay-list; [ "$FAILS" = 0 ] ) || FAILS=$((FAILS + 1))
( export OS_REGION_NAME=Nowhere; expect 1 bay-list; err_has "endpoint"
  [ "$FAILS" = 0 ] ) || FAILS=$((FAILS + 1))

# --- baymodels --------------------------------------------------------------
expect 0 baymodel-create --name sm --image-id deb --keypair-id k1 --external-network-id public \
	--coe swarm --labels a=b --labels 'c=d;e=f'
table_ok
out_re '^\| Property +\| Value +\|$'
out_re '^\| coe +\| swarm +\|$'
out_has "{'a': 'b', 'c': 'd', 'e': 'f'}"
out_re '^\| flavor_id +\| m1\.medium +\|$'
out_re '^\| dns_nameserver +\| 8\.8\.8\.8 +\|$'
out_re '^\| docker_storage_driver +\| devicemapper +\|$'
out_re '^\| fixed_network +\| - +\|$'
out_re '^\| tls_disabled +\| False +\|$'
out_lacks "links"
BM_UUID=$(grep -E '^\| uuid ' "$T/out" | awk '{print $4}')
expect 0 baymodel-create --name k8s --image-id deb --keypair-id k1 --external-network-id public \
	--coe kubernetes --tls-disabled --public --docker-volume-size 5
out_re '^\| tls_disabled +\| True +\|$'
out_re '^\| docker_volume_size +\| 5 +\|$'
expect 0 baymodel-list
table_ok
out_re "^\| $BM_UUID \| sm +\|$"
out_re '^\| uuid +\| name +\|$'
expect 0 baymodel-list --fields coe,public --sort-key name --sort-dir desc --limit 5
out_re '^\| uuid +\| name +\| coe +\| public +\|$'
out_re '^\| [0-9a-f-]{36} \| sm +\| swarm +\| False +\|$'
expect 1 baymodel-list --sort-dir sideways
err_has "sort_dir must be one of asc, desc"
expect 0 --json baymodel-list
[ "$(json_get 'len(d["baymodels"])')" = 2 ] || fail "--json baymodel-list"
expect 0 baymodel-show sm
out_re "^\| uuid +\| $BM_UUID \|$"
expect 0 --json baymodel-show "$BM_UUID"
[ "$(json_get 'd["labels"]["e"]')" = f ] || fail "--json baymodel-show labels"
expect 0 baymodel-update sm replace dns_nameserver=8.8.4.4
out_re '^\| dns_nameserver +\| 8\.8\.4\.4 +\|$'
expect 0 baymodel-update sm remove http_proxy
out_re '^\| http_proxy +\| - +\|$'
expect 1 baymodel-update sm replace nothing
err_has 'Attributes must be a list of PATH=VALUE not "nothing"'
expect 1 baymodel-create --image-id nope --keypair-id k1 --external-network-id public --coe swarm
err_re '^ERROR: Image nope could not be found \(HTTP 400\) \(Request-ID: req-[0-9a-f-]+\)$'
expect 1 baymodel-create --image-id deb --keypair-id k1 --external-network-id public --coe swarm \
	--labels novalue
err_has "labels must be a list of KEY=VALUE not novalue"
expect 1 baymodel-show nope
err_re '^ERROR: .*nope.* \(HTTP 404\)'

# --- bays -------------------------------------------------------------------
expect 0 bay-create --name b1 --baymodel sm --node-count 2
out_re '^Request to create bay [0-9a-f-]{36} has been accepted\.$'
B1=$(awk '{print $5}' "$T/out")
expect 0 bay-list
table_ok
out_re '^\| uuid +\| name +\| node_count +\| master_count +\| status +\|$'
out_re "^\| $B1 \| b1 +\| 2 +\| 1 +\| CREATE_IN_PROGRESS \|$"
expect 0 bay-list --fields baymodel_id
out_re "\| baymodel_id +\|$"
out_has "$BM_UUID"
expect 0 bay-show b1
table_ok
out_re '^\| status +\| CREATE_IN_PROGRESS +\|$'
expect 0 bay-show --long b1
out_re '^\| baymodel_coe +\| swarm +\|$'
expect 0 --json bay-show b1
[ "$(json_get 'd["node_count"]')" = 2 ] || fail "--json bay-show"
expect 1 bay-update b1 replace node_count=3
err_has 'Updating a bay when stack status is "CREATE_IN_PROGRESS" is not supported (HTTP 400)'
# Microversion 1.1: the synchronous create answers the whole bay (a table).
expect 0 --magnum-api-version 1 bay-create --name b11 --baymodel "$BM_UUID"
out_re '^\| status +\| CREATE_IN_PROGRESS +\|$'
# --wait: status changes and events, then give up at --wait-timeout.
expect 1 bay-create --name bw --baymodel sm --wait --poll-interval 1 --wait-timeout 2
out_re '^Bay [0-9a-f-]{36}: CREATE_IN_PROGRESS$'
out_re '^[0-9T:.+-]+ +accepted'
err_has "ERROR: timed out after 2 s"
expect 1 bay-config b1 --dir "$T"
err_has "ERROR: Bay in status CREATE_IN_PROGRESS"

# --- certificates (magnumd may answer 501 until its TLS support lands) -----
openssl req -new -newkey rsa:2048 -nodes -subj "/CN=Magnum User" -keyout "$T/u.key" \
	-out "$T/u.csr" 2>/dev/null
expect 1 ca-sign --bay b1
err_has "A CSR must be provided."
expect 1 ca-sign --bay b1 --csr "$T/missing.csr"
err_has "A CSR must be provided."
expect 2 ca-show --bay b1 --cluster b1
run ca-show --bay b1
if [ "$RC" = 0 ]; then out_has "BEGIN CERTIFICATE"; out_lacks "Property"
else [ "$RC" = 1 ] || fail "ca-show exit $RC"; err_re '^ERROR: .*\(HTTP (501|409|400)\)'; fi
run ca-sign --bay b1 --csr "$T/u.csr"
if [ "$RC" = 0 ]; then out_has "BEGIN CERTIFICATE"
else [ "$RC" = 1 ] || fail "ca-sign exit $RC"; err_re '^ERROR: .*\(HTTP [0-9]+\)'; fi
expect 1 ca-show --bay nope
err_has "(HTTP 404)"

# --- services and stats -----------------------------------------------------
expect 0 service-list
table_ok
out_re '^\| id \| host +\| binary +\| state \| disabled \| disabled_reason \| created_at +\| updated_at +\|$'
out_re '^\| 1 +\| .* \| magnum-conductor \| up +\| False +\| - +\|'
expect 0 stats-list
table_ok
out_re '^\| clusters +\| [0-9]+ +\|$'
expect 0 --json stats-list
[ "$(json_get 'd["clusters"]')" -ge 1 ] || fail "--json stats-list"
expect 0 stats-list --project-id "$PROJECT_ID"
out_re '^\| nodes +\| [0-9]+ +\|$'

# --- cluster templates and clusters -----------------------------------------
expect 0 cluster-template-create ct1 --image deb --keypair k1 --external-network public \
	--coe kubernetes --labels x=y --master-flavor m1.small
table_ok
out_re '^\| name +\| ct1 +\|$'
out_re '^\| master_flavor_id +\| m1\.small +\|$'
expect 1 cluster-template-create ct1 --name ct1b --image deb --external-network public --coe kubernetes
err_has 'Duplicate "<name>" arguments'
expect 2 cluster-template-create ctx --image deb --coe kubernetes
err_has "required: --external-network"
expect 0 cluster-template-list
out_re '^\| [0-9a-f-]{36} \| ct1 +\|$'
expect 0 cluster-template-show ct1
out_re "^\| labels +\| \{'x': 'y'\} +\|$"
expect 0 cluster-template-update ct1 replace labels=p=q
out_re "^\| labels +\| \{'p': 'q'\} +\|$"
expect 0 cluster-create c1 --cluster-template ct1 --keypair k1 --labels z=1 --merge-labels
out_re '^Request to create cluster [0-9a-f-]{36} has been accepted\.$'
C1=$(awk '{print $5}' "$T/out")
expect 0 cluster-list
table_ok
out_re "^\| $C1 \| c1 +\| k1 +\| 1 +\| 1 +\| CREATE_IN_PROGRESS \| - +\|$"
expect 0 cluster-show c1
out_re "^\| labels +\| \{'p': 'q', 'z': '1'\} +\|$"
expect 0 cluster-show --long c1
out_re '^\| cluster_template_coe +\| kubernetes +\|$'
expect 1 cluster-update c1 replace node_count=2
err_has "(HTTP 400)"
expect 1 cluster-resize c1 3 --nodegroup default-worker
err_has "(HTTP 400)"
expect 2 cluster-resize c1 three
expect 1 cluster-upgrade c1 ct1 --max-batch-size 2
err_has "(HTTP 400)"
expect 1 ca-rotate --cluster c1
err_re '^ERROR: .*\(HTTP [0-9]+\)'
expect 1 cluster-config c1 --dir "$T"
err_has "ERROR: Cluster in status CREATE_IN_PROGRESS"
expect 1 cluster-create --cluster-template nope
err_has "(HTTP 404)"

# --- nodegroups ---------------------------------------------------------------
expect 0 nodegroup-list c1
table_ok
out_re '^\| uuid +\| name +\| flavor_id +\| image_id +\| node_count +\| status +\| role +\|$'
out_re '\| default-worker +\| m1\.medium +\| deb +\| 1 +\| CREATE_IN_PROGRESS +\| worker +\|$'
expect 0 nodegroup-list c1 --role master
out_has "default-master"
out_lacks "default-worker"
expect 0 nodegroup-show c1 default-worker
out_re '^\| role +\| worker +\|$'
run nodegroup-create c1 ng1 --node-count 2 --labels a=b
if [ "$RC" = 0 ]; then out_re '^Request to create nodegroup [0-9a-f-]{36} accepted$'
else [ "$RC" = 1 ] || fail "nodegroup-create exit $RC"; err_re '^ERROR: .*\(HTTP 4[0-9][0-9]\)'; fi
expect 1 nodegroup-update c1 nope replace node_count=3
err_has "(HTTP 404)"
expect 1 nodegroup-delete c1 nope
err_has "Delete for nodegroup nope failed"
expect 2 nodegroup-delete c1

# --- quotas -----------------------------------------------------------------
expect 0 quotas-create --project-id "$PROJECT_ID" --resource Cluster --hard-limit 5
table_ok
out_re '^\| hard_limit +\| 5 +\|$'
expect 0 quotas-list
table_ok
out_re "^\| $PROJECT_ID \| Cluster +\| 5 +\|$"
expect 0 quotas-update --project-id "$PROJECT_ID" --resource Cluster --hard-limit 7
out_re '^\| hard_limit +\| 7 +\|$'
expect 0 quotas-show --project-id "$PROJECT_ID" --resource Cluster
out_re '^\| hard_limit +\| 7 +\|$'
expect 0 quotas-delete --project-id "$PROJECT_ID" --resource Cluster
out_has "Request to delete quota for project id $PROJECT_ID and resource Cluster has been accepted."
expect 1 quotas-create --project-id "$PROJECT_ID" --resource Bogus
err_re '\(HTTP 4[0-9][0-9]\)'

# --- --debug never shows the token or the password -------------------------
expect 0 --debug bay-list
err_has "X-Auth-Token: {SHA256}"
err_has "OpenStack-API-Version: container-infra latest"
err_has "REQ: curl -g -i -X GET $BASE/v1/bays"
grep -qF -- "$TOKEN" "$T/err" && fail "--debug printed the token"
grep -qF -- "$OS_PASSWORD" "$T/err" && fail "--debug printed the password"
expect 0 --debug --magnum-api-version 1.1 bay-list
err_has "OpenStack-API-Version: container-infra 1.1"

# --- deletes: one message per item, exit 1 when any failed ------------------
expect 1 bay-delete b1 nope
out_has "Request to delete bay b1 has been accepted."
err_has "Delete for bay nope failed: Bay nope could not be found (HTTP 404)"
expect 0 cluster-delete c1
out_has "Request to delete cluster c1 has been accepted."
expect 1 cluster-template-delete nope
err_has "Delete for cluster template nope failed"
expect 1 baymodel-delete sm
err_has "Delete for baymodel sm failed"

# --- a mock API: what magnumd cannot do yet ---------------------------------
MPORT=$(free_port)
cat >"$T/mock.py" <<'EOF'
import json, sys, http.server
port, state = int(sys.argv[1]), sys.argv[2]
CA = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n"
CERT = "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n"
BAYS = {
    "bk": ("u-bk", "CREATE_COMPLETE", "m-k8s", "https://10.0.0.5:6443"),
    "bs": ("u-bs", "UPDATE_COMPLETE", "m-swarm", "tcp://10.0.0.6:2376"),
    "bm": ("u-bm", "CREATE_COMPLETE", "m-mesos", "10.0.0.7"),
    "bn": ("u-bn", "CREATE_COMPLETE", "m-notls", "https://10.0.0.8:6443"),
    "b5": ("u-b5", "CREATE_COMPLETE", "m-501", "https://10.0.0.9:6443"),
}
MODELS = {"m-k8s": ("kubernetes", False), "m-swarm": ("swarm", False),
          "m-mesos": ("mesos", True), "m-notls": ("kubernetes", True),
          "m-501": ("kubernetes", False)}
polls = {}

class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("x-openstack-request-id", "req-mock")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def err(self, code, title):
        self.reply(code, {"errors": [{"status": code, "title": title, "detail": title + "."}]})
    def ok(self):
        if self.headers.get("X-Auth-Token") != "mock-token":
            self.err(401, "bad token")
            return False
        with open(state + "/versions", "a") as f:
            f.write(self.headers.get("OpenStack-API-Version", "") + "\n")
        return True
    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"null")
    def do_GET(self):
        if not self.ok():
            return
        p = self.path.split("/")
        if self.path.startswith("/v1/bays/w") and self.path.endswith("/events"):
            n = polls.get(p[3], 0)
            ev = [{"step": "s%d" % i, "progress": 25 * i, "message": "step %d" % i,
                   "created_at": "2026-01-01T00:00:0%d" % i} for i in range(min(n, 4))]
            self.reply(200, {"events": ev})
        elif self.path.startswith("/v1/bays/w"):
            n = polls[p[3]] = polls.get(p[3], 0) + 1
            done = "CREATE_FAILED" if p[3] == "wfail" else "CREATE_COMPLETE"
            self.reply(200, {"uuid": p[3], "name": p[3], "status_reason": "boom",
                             "status": "CREATE_IN_PROGRESS" if n < 3 else done})
        elif self.path.startswith("/v1/bays/") or self.path.startswith("/v1/clusters/"):
            b = BAYS.get(p[3])
            if not b:
                return self.err(404, "Bay %s could not be found" % p[3])
            self.reply(200, {"uuid": b[0], "name": p[3], "status": b[1],
                             "baymodel_id": b[2], "cluster_template_id": b[2],
                             "api_address": b[3]})
        elif self.path.startswith("/v1/baymodels/") or self.path.startswith("/v1/clustertemplates/"):
            if p[3] == "m":
                return self.reply(200, {"uuid": "m-uuid"})
            m = MODELS[p[3]]
            self.reply(200, {"uuid": p[3], "coe": m[0], "tls_disabled": m[1]})
        elif self.path.startswith("/v1/certificates/u-b5"):
            self.err(501, "Certificate operations are not available yet")
        elif self.path.startswith("/v1/certificates/"):
            self.reply(200, {"pem": CA, "bay_uuid": p[3]})
        else:
            self.err(404, "no route")
    def do_POST(self):
        if not self.ok():
            return
        b = self.body()
        if self.path == "/v1/certificates":
            with open(state + "/csr.pem", "w") as f:
                f.write(b["csr"])
            with open(state + "/sign.json", "w") as f:
                json.dump({k: v for k, v in b.items() if k != "csr"}, f)
            return self.reply(201, {"pem": CERT})
        if self.path == "/v1/bays":
            with open(state + "/bay.json", "w") as f:
                json.dump(b, f)
            return self.reply(202, {"uuid": b["name"]})
        self.err(404, "no route")

http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
EOF
mkdir -p "$T/mock"
python3 "$T/mock.py" "$MPORT" "$T/mock" &
MPID=$!
wait_http "http://127.0.0.1:$MPORT/"
MOCK="http://127.0.0.1:$MPORT"
export OS_TOKEN=mock-token MAGNUM_URL=$MOCK
unset OS_AUTH_URL OS_USERNAME OS_PASSWORD

# bay-config, Kubernetes with TLS: key (0600), CSR signed, CA, kubeconfig.
mkdir -p "$T/k8s"
expect 0 bay-config bk --dir "$T/k8s"
out_has "export KUBECONFIG=$T/k8s/config"
[ "$(stat -c %a "$T/k8s/key.pem")" = 600 ] || fail "key.pem mode"
grep -q "BEGIN PRIVATE KEY" "$T/k8s/key.pem" || fail "key.pem content"
grep -q CLIENT "$T/k8s/cert.pem" || fail "cert.pem content"
grep -qE '^CA$' "$T/k8s/ca.pem" || fail "ca.pem content"
grep -q "server: https://10.0.0.5:6443" "$T/k8s/config" || fail "kubeconfig server"
grep -q "client-key: $T/k8s/key.pem" "$T/k8s/config" || fail "kubeconfig key"
openssl req -in "$T/mock/csr.pem" -noout -verify 2>/dev/null || fail "CSR does not verify"
openssl req -in "$T/mock/csr.pem" -noout -subject | grep -q "CN *= *Magnum User" || fail "CSR CN"
openssl req -in "$T/mock/csr.pem" -noout -text | grep -q "Public-Key: (2048 bit)" || fail "RSA-2048"
openssl pkey -in "$T/k8s/key.pem" -pubout >"$T/k.pub" 2>/dev/null
openssl req -in "$T/mock/csr.pem" -noout -pubkey | cmp -s - "$T/k.pub" || fail "CSR key != key.pem"
[ "$(python3 -c "import json; print(json.load(open('$T/mock/sign.json')))")" = "{'bay_uuid': 'u-bk'}" ] \
	|| fail "sign body"
expect 1 bay-config bk --dir "$T/k8s"
err_has "ERROR: File $T/k8s/key.pem exists, aborting."
expect 0 bay-config bk --dir "$T/k8s" --force
# cluster-config: the kubernetes admin identity, cluster_uuid.
mkdir -p "$T/cl"
(cd "$T/cl" && "$CLI" cluster-config bk >"$T/out" 2>"$T/err") || fail "cluster-config in cwd"
out_has "export KUBECONFIG=$T/cl/config"
openssl req -in "$T/mock/csr.pem" -noout -subject | grep -q "O *= *system:masters, CN *= *admin" \
	|| fail "cluster-config CSR subject"
grep -q cluster_uuid "$T/mock/sign.json" || fail "cluster-config sends cluster_uuid"
# Swarm: the Docker exports.
mkdir -p "$T/sw"
expect 0 bay-config bs --dir "$T/sw"
out_has "export DOCKER_HOST=tcp://10.0.0.6:2376"
out_has "export DOCKER_CERT_PATH=$T/sw"
out_has "export DOCKER_TLS_VERIFY=True"
[ -f "$T/sw/config" ] && fail "swarm wrote a kubeconfig"
# Mesos without TLS: the Marathon URL and no files.
mkdir -p "$T/me"
expect 0 bay-config bm --dir "$T/me"
out_has "Marathon URL: http://10.0.0.7:8080"
[ -z "$(ls "$T/me")" ] || fail "mesos without TLS wrote files"
mkdir -p "$T/nt"
expect 0 bay-config bn --dir "$T/nt"
[ -f "$T/nt/key.pem" ] && fail "tls_disabled wrote a key"
grep -q "certificate-authority" "$T/nt/config" && fail "tls_disabled kubeconfig has a CA"
# Certificates answering 501: the error, exit 1, nothing written.
mkdir -p "$T/e"
expect 1 bay-config b5 --dir "$T/e"
err_has "(HTTP 501) (Request-ID: req-mock)"
[ -z "$(ls "$T/e")" ] || fail "files written despite the 501"
expect 1 bay-config bk --dir "$T/nonexistent"

# bay-create --wait until CREATE_COMPLETE, with events; and a failure.
expect 0 bay-create --name w1 --baymodel m --wait --poll-interval 1 --wait-timeout 30
out_has "Request to create bay w1 has been accepted."
out_has "Bay w1: CREATE_IN_PROGRESS"
out_has "Bay w1: CREATE_COMPLETE"
out_re '^2026-01-01T00:00:01 +s1 +25%  step 1$'
[ "$(grep -c 'step 1$' "$T/out")" = 1 ] || fail "events repeated"
[ "$(python3 -c "import json; print(json.load(open('$T/mock/bay.json')))")" = \
  "{'name': 'w1', 'node_count': 1, 'master_count': 1, 'discovery_url': None, 'bay_create_timeout': 60, 'baymodel_id': 'm-uuid'}" ] \
	|| fail "bay-create body: $(cat "$T/mock/bay.json")"
expect 1 bay-create --name wfail --baymodel m --wait --poll-interval 1
err_has "ERROR: Bay wfail is CREATE_FAILED: boom"
grep -qv '^container-infra latest$' "$T/mock/versions" && fail "API version header"
OS_TOKEN=wrong expect 1 bay-show bk
err_has "ERROR: bad token (HTTP 401) (Request-ID: req-mock)"

if [ "$FAILS" != 0 ]; then
	echo "$FAILS check(s) failed" >&2
	exit 1
fi
echo "test_cli_shell: all checks passed"
