#!/usr/bin/env python3
"""bench/api - magnumd API throughput, latency, memory and start-up, side by
side with the real Magnum API when it runs (../shared/anchors/magnum).

Prints figures; never passes or fails on them.

    bench/api/run.sh [--duration S] [--real]    (builds, then runs this)

Measures, for magnumd on 127.0.0.1 with builtin auth (a real token on every
request): GET list (100 templates), GET show, POST create at 1/16/64
connections with wrk (req/s, p50, p99); unauthenticated GET /v1; RSS idle and
with 10,000 bays stored; cold start to the first answer. With --real, the same
wrk runs against the real magnum-api started by the anchor script, and the
ratios.
"""
import argparse
import http.client
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "api"))
import mglib  # noqa: E402

ANCHOR = os.path.join(HERE, "..", "..", "..", "shared", "anchors", "magnum")


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wrk(url, conns, duration, token, lua=None):
    threads = 1 if conns == 1 else 2
    cmd = ["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % duration, "--latency",
           "--timeout", "30s"]
    if token:
        cmd += ["-H", "X-Auth-Token: " + token]
    cmd += ["-H", "Accept: application/json"]
    if lua:
        cmd += ["-s", lua]
    cmd.append(url)
    run = subprocess.run(cmd, capture_output=True, text=True)
    out = run.stdout
    if run.returncode != 0 or run.stderr.strip():
        raise RuntimeError("wrk failed: %s %s" % (run.stderr.strip(), out[-300:]))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"\s50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    nreq = re.search(r"(\d+) requests in", out)

    def ms(m):
        if not m:
            return float("nan")
        v = float(m.group(1))
        return {"us": v / 1000, "ms": v, "s": v * 1000}[m.group(2)]
    return {"rps": float(rps.group(1)) if rps else 0.0, "p50": ms(p50), "p99": ms(p99),
            "errors": int(non2xx.group(1)) if non2xx else 0,
            "requests": int(nreq.group(1)) if nreq else 0}


def post_lua(path_body):
    f = tempfile.NamedTemporaryFile("w", prefix="magnum-test-bench-", suffix=".lua",
                                    delete=False)
    # The body as a Lua string literal (a JSON string of the JSON text; ASCII only).
    # A script that does not load makes wrk fall back to plain GETs, silently.
    f.write('wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = '
            '"application/json"\n' % json.dumps(json.dumps(path_body, ensure_ascii=True)))
    f.close()
    return f.name


def seed(base, token, body_fn, path, n):
    host, port = base.split("//")[1].split(":")
    c = http.client.HTTPConnection(host, int(port), timeout=60)
    h = {"X-Auth-Token": token, "Content-Type": "application/json",
         "Accept": "application/json"}
    last = None
    for i in range(n):
        c.request("POST", path, json.dumps(body_fn(i)), h)
        r = c.getresponse()
        data = r.read()
        if r.status not in (201, 202):
            raise RuntimeError("seed %s failed: %d %s" % (path, r.status, data[:300]))
        last = json.loads(data)
    c.close()
    return last


def start_to_answer(conf, port):
    t0 = time.monotonic()
    p = subprocess.Popen([mglib.MAGNUMD, "--config", conf], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    first = None
    while time.monotonic() - t0 < 10:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", "/v1")
            if c.getresponse().status == 200:
                first = (time.monotonic() - t0) * 1000
                break
        except OSError:
            time.sleep(0.001)
    p.terminate()
    p.wait()
    return first


def cold_start():
    """Spawn to first 200 on GET /v1 (ms): a fresh state dir (schema + admin user
    with a yescrypt password hash), then a restart on that existing state."""
    mg = mglib.Magnumd(auth="builtin")
    mg.dir = tempfile.mkdtemp(prefix="magnum-test-")
    mg.port = mglib.free_port()
    conf = mg.write_conf()
    fresh = start_to_answer(conf, mg.port)
    again = start_to_answer(conf, mg.port)
    mg.cleanup()
    return fresh, again


def template_body(i):
    return {"name": "seed-%d" % i, "coe": "swarm", "image_id": "bench-image",
            "keypair_id": "bench-key", "external_network_id": "public",
            "labels": {"k": "v%d" % i}}


def run_magnumd(args):
    res = {}
    res["cold_start_first"], res["cold_start_warm"] = cold_start()
    made = []   # files to remove, whatever happens
    mg = mglib.Magnumd(auth="builtin",
                       extra_conf="[quotas]\nmax_clusters_per_project = 1000000\n").start()
    try:
        pid = mg.proc.pid
        time.sleep(0.5)
        res["rss_idle_kib"] = rss_kib(pid)
        token = mg.admin_token()
        # The catalogue a template needs: an image with os_distro and a keypair.
        h = {"X-Auth-Token": token}
        r = mg.request("POST", "/image/v2/images", {"name": "bench-image", "os_distro": "debian",
                                               "disk_format": "raw",
                                               "container_format": "bare"}, h)
        assert r.status == 201, r
        pub = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJm8HlsJc4e2U2Q2r4tCq3nlMkqyq9Yl5S7o3CyrwxUE bench"
        r = mg.request("POST", "/v2.1/os-keypairs",
                       {"keypair": {"name": "bench-key", "public_key": pub}}, h)
        assert r.status in (200, 201), r
        last = seed(mg.url, token, template_body, "/v1/clustertemplates", 100)
        uuid = last["uuid"]
        base = mg.url
        lua = post_lua(template_body(0))
        made.append(lua)
        runs = {}
        # Reads first, on exactly 100 templates; then the creates.
        for conns in (1, 16, 64):
            runs[("list", conns)] = wrk(base + "/v1/clustertemplates", conns, args.duration, token)
            runs[("show", conns)] = wrk(base + "/v1/clustertemplates/" + uuid, conns,
                                        args.duration, token)
        runs[("v1", 16)] = wrk(base + "/v1", 16, args.duration, None)
        res["rss_after_reads_kib"] = rss_kib(pid)
        # 10,000 bays stored (before the POST runs, which add templates by the 100,000).
        db = os.path.join(mg.dir, "state", "magnum.sqlite")
        tmpl = mg.request("POST", "/v1/baymodels", dict(template_body(0), name="bay-model"),
                          h).json
        t0 = time.monotonic()
        seed(mg.url, token, lambda i: {"name": "b%d" % i, "baymodel_id": tmpl["uuid"]},
             "/v1/bays", 10000)
        res["bays_seed_s"] = time.monotonic() - t0
        # The conductor makes each bay's CA (backend none then holds the job): let it finish.
        for _ in range(600):
            with sqlite3.connect(db) as c:
                busy = c.execute("SELECT COUNT(*) FROM jobs WHERE state IN "
                                 "('pending', 'running')").fetchone()[0]
            if busy == 0:
                break
            time.sleep(0.5)
        time.sleep(1)
        res["bays_ca_s"] = time.monotonic() - t0
        res["rss_10k_bays_kib"] = rss_kib(pid)
        res["bay_list"] = wrk(base + "/v1/bays?limit=100", 16, args.duration, token)
        res["rss_10k_bays_after_list_kib"] = rss_kib(pid)
        # A magnumd started on that state: what serving 10,000 stored bays costs.
        mg.stop()
        mg.start_again()
        pid = mg.proc.pid
        res["bay_list_restarted"] = wrk(base + "/v1/bays?limit=100", 16, args.duration, token)
        res["rss_10k_restarted_kib"] = rss_kib(pid)
        for conns in (1, 16, 64):
            runs[("post", conns)] = wrk(base + "/v1/clustertemplates", conns, args.duration,
                                        token, lua)
        res["runs"] = runs
        # The creates really created: rows stored against 2xx answers counted by wrk.
        with sqlite3.connect(db) as c:
            res["templates_stored"] = c.execute("SELECT COUNT(*) FROM cluster_templates"
                                                ).fetchone()[0]
        res["posts_counted"] = sum(runs[("post", c)]["requests"] - runs[("post", c)]["errors"]
                                   for c in (1, 16, 64))
    finally:
        for f in made:
            os.unlink(f)
        mg.cleanup()
    return res


def run_real(args):
    """The same runs against the real magnum-api of the anchor (if running)."""
    try:
        run = open(os.path.join(ANCHOR, "run.path")).read().strip()
    except OSError:
        return None
    env = dict(os.environ)
    with open(os.path.join(run, "admin-openrc")) as f:
        for line in f:
            m = re.match(r"\s*export\s+(\w+)=(.*)", line)
            if m:
                env[m.group(1)] = m.group(2).strip().strip("'\"")
    tok = subprocess.run(["openstack", "token", "issue", "-f", "value", "-c", "id"],
                         capture_output=True, text=True, env=env).stdout.strip()
    if not tok:
        return None
    base = "http://127.0.0.1:15511"
    c = http.client.HTTPConnection("127.0.0.1", 15511, timeout=60)
    c.request("GET", "/v1/clustertemplates?limit=1", headers={"X-Auth-Token": tok})
    items = json.loads(c.getresponse().read()).get("clustertemplates", [])
    if not items:
        return None
    uuid = items[0]["uuid"]
    lua = post_lua({"coe": "kubernetes", "image_id": "fedora-coreos-35",
                    "external_network_id": "public", "labels": {"bench": "1"}})
    runs = {}
    for conns in (1, 16):
        runs[("list", conns)] = wrk(base + "/v1/clustertemplates", conns, args.duration, tok)
        runs[("show", conns)] = wrk(base + "/v1/clustertemplates/" + uuid, conns,
                                    args.duration, tok)
        runs[("post", conns)] = wrk(base + "/v1/clustertemplates", conns, args.duration, tok, lua)
    runs[("v1", 16)] = wrk(base + "/v1", 16, args.duration, None)
    os.unlink(lua)
    return runs


def recorded_real():
    """The newest recorded run of the anchor's own bench.sh against the real
    magnum-api (bench/api/real-magnum-*.txt): {(kind, conns): {rps, p99}}."""
    here = os.path.dirname(os.path.abspath(__file__))
    files = sorted(f for f in os.listdir(here) if f.startswith("real-magnum-"))
    if not files:
        return None, None
    kinds = {"GET /v1/clustertemplates (": "list", "GET /v1/clustertemplates/": "show",
             "POST /v1/clustertemplates": "post", "GET /v1 ": "v1"}
    runs, cur = {}, None
    for line in open(os.path.join(here, files[-1])):
        m = re.match(r"---- (.*?)\s+c=(\d+) ", line)
        if m:
            cur = None
            for prefix, kind in kinds.items():
                if m.group(1).startswith(prefix):
                    cur = (kind, int(m.group(2)))
                    runs[cur] = {"rps": 0.0, "p99": float("nan")}
                    break
            continue
        if cur is None:
            continue
        m = re.search(r"Requests/sec:\s+([\d.]+)", line)
        if m:
            runs[cur]["rps"] = float(m.group(1))
        m = re.match(r"\s+99%\s+([\d.]+)(us|ms|s)", line)
        if m:
            v = float(m.group(1))
            runs[cur]["p99"] = {"us": v / 1000, "ms": v, "s": v * 1000}[m.group(2)]
    # Not in that file: the anchors README's unauthenticated GET /v1 figure.
    runs.setdefault(("v1", 16), {"rps": 273.0, "p99": float("nan")})
    return runs, files[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--real", action="store_true",
                    help="also measure the real magnum-api started by the anchor script")
    args = ap.parse_args()
    print("== bench/api  %s  (loadavg %s)" % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                             open("/proc/loadavg").read().split()[0]))
    m = run_magnumd(args)
    real = run_real(args) if args.real else None
    real_from = "measured now"
    if real is None:
        real, real_from = recorded_real()
    print("start to first answer: %.1f ms (fresh state: schema + admin bootstrap), "
          "%.1f ms (restart on existing state)" %
          (m["cold_start_first"] or -1, m["cold_start_warm"] or -1))
    print("RSS idle: %.1f MiB; after the read runs: %.1f MiB" %
          (m["rss_idle_kib"] / 1024, m["rss_after_reads_kib"] / 1024))
    print("10,000 bays created in %.1f s (their CAs made by %.1f s)" %
          (m["bays_seed_s"], m["bays_ca_s"]))
    print("RSS with 10,000 bays: %.1f MiB in the magnumd that created them (%.1f MiB after "
          "the list run); %.1f MiB in a magnumd restarted on them, after a list run" %
          (m["rss_10k_bays_kib"] / 1024, m["rss_10k_bays_after_list_kib"] / 1024,
           m["rss_10k_restarted_kib"] / 1024))
    for key, what in (("bay_list", "creating magnumd"), ("bay_list_restarted", "restarted")):
        bl = m[key]
        print("GET /v1/bays?limit=100 with 10,000 stored, 16 conns (%s): %.0f req/s "
              "p50 %.2f ms p99 %.2f ms" % (what, bl["rps"], bl["p50"], bl["p99"]))
    print("POST runs: %d answered 2xx, %d templates stored after them (101 before)" %
          (m["posts_counted"], m["templates_stored"]))
    print()
    print("%-34s %5s %10s %9s %9s %5s | %9s %9s %8s" % (
        "request", "conns", "req/s", "p50 ms", "p99 ms", "err", "real r/s", "real p99", "ratio"))
    names = {"list": "GET /v1/clustertemplates (100)", "show": "GET /v1/clustertemplates/<id>",
             "post": "POST /v1/clustertemplates", "v1": "GET /v1 (no auth)"}
    for (kind, conns), r in m["runs"].items():
        rr = (real or {}).get((kind, conns))
        extra = ""
        if rr and rr["rps"] > 0:
            extra = "%9.1f %9.1f %7.0fx" % (rr["rps"], rr["p99"], r["rps"] / rr["rps"])
        print("%-34s %5d %10.0f %9.2f %9.2f %5d | %s" % (
            names[kind], conns, r["rps"], r["p50"], r["p99"], r["errors"], extra))
    if real:
        print("(real magnum-api figures: %s; its GET /v1 at 16 connections: 273 req/s per "
              "../shared/anchors/README.md)" % real_from)
    if real is None and args.real:
        print("(real magnum-api not running: start ../shared/anchors/magnum/start.sh)")


if __name__ == "__main__":
    main()
