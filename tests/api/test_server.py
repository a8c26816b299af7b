#!/usr/bin/env python3
"""The HTTP framework: version documents, health check, routing errors,
microversion negotiation and headers, keep-alive, body limits, request ids,
configuration handling."""
import ctypes
import http.client
import os
import signal
import socket
import subprocess
import time

import mglib

SVC = "container-infrastructure-management"


class Server(mglib.TestCase):
    AUTH = "noauth"

    def test_root_document(self):
        r = self.mg.request("GET", "/")
        self.assertStatus(r, 200)
        v = r.json["versions"][0]
        self.assertEqual(v["id"], "v1")
        self.assertEqual(v["min_version"], "1.1")
        self.assertEqual(v["max_version"], "1.14")
        self.assertEqual(v["links"][0]["href"], self.mg.url + "/v1/")
        self.assertNotIn("openstack-api-version", r.headers)
        self.assertEqual(self.mg.request("GET", "/.json").json, r.json)

    def test_v1_document(self):
        r = self.mg.request("GET", "/v1")
        self.assertStatus(r, 200)
        for res in ("bays", "baymodels", "clusters", "clustertemplates", "certificates",
                    "mservices", "quotas", "stats", "nodegroups"):
            self.assertIn(res, r.json)
        self.assertEqual(r.json["clusters"][0]["href"], self.mg.url + "/v1/clusters/")
        self.assertEqual(r.json["clusters"][1]["rel"], "bookmark")
        self.assertEqual(r.headers["openstack-api-version"], SVC + " 1.1")
        self.assertEqual(r.headers["openstack-api-minimum-version"], SVC + " 1.1")
        self.assertEqual(r.headers["openstack-api-maximum-version"], SVC + " 1.14")
        self.assertEqual(self.mg.request("GET", "/v1/").json, r.json)
        self.assertEqual(self.mg.request("GET", "/v1.json").json, r.json)

    def test_healthcheck_no_auth(self):
        r = self.mg.request("GET", "/healthcheck")
        self.assertStatus(r, 200)
        self.assertEqual(r.body, b"OK")
        path = os.path.join(self.mg.dir, "state", "healthcheck_disable")
        open(path, "w").close()
        try:
            self.assertStatus(self.mg.request("GET", "/healthcheck"), 503)
        finally:
            os.unlink(path)

    def test_request_id(self):
        a = self.mg.request("GET", "/v1")
        b = self.mg.request("GET", "/v1")
        self.assertRegex(a.headers["x-openstack-request-id"], r"^req-[0-9a-f-]{36}$")
        self.assertNotEqual(a.headers["x-openstack-request-id"],
                            b.headers["x-openstack-request-id"])

    def test_unknown_path_404_and_method_405(self):
        r = self.api("GET", "/v1/nothing-here")
        self.assertStatus(r, 404)
        self.assertEqual(r.json["errors"][0]["title"], "Not Found")
        self.assertEqual(r.json["errors"][0]["code"], "")
        r = self.api("PUT", "/v1")
        self.assertStatus(r, 405)
        # Accept without JSON: empty title/detail (pecan's text/plain choice).
        r = self.api("GET", "/v1/nothing-here", headers={"Accept": "*/*"})
        self.assertStatus(r, 404)
        self.assertEqual(r.json["errors"][0]["title"], "")

    def test_microversion_latest_and_explicit(self):
        r = self.mg.request("GET", "/v1", headers={"OpenStack-API-Version": "container-infra latest"})
        self.assertEqual(r.headers["openstack-api-version"], SVC + " 1.14")
        r = self.mg.request("GET", "/v1", headers={"OpenStack-API-Version": "container-infra 1.5"})
        self.assertEqual(r.headers["openstack-api-version"], SVC + " 1.5")
        r = self.mg.request("GET", "/v1", headers={"X-OpenStack-Magnum-API-Version": "1.2"})
        self.assertEqual(r.headers["openstack-api-version"], SVC + " 1.2")

    def test_microversion_errors(self):
        r = self.mg.request("GET", "/v1", headers={"OpenStack-API-Version": "container-infra 9.9"})
        self.assertStatus(r, 406)
        e = r.json["errors"][0]
        self.assertEqual(e["code"], "magnum.microversion-unsupported")
        self.assertIn("Mutually exclusive versions requested. Version 9.9", e["description"])
        self.assertEqual(e["max_version"], "1.14")
        r = self.mg.request("GET", "/v1", headers={"OpenStack-API-Version": "container-infra 1.99"})
        self.assertStatus(r, 406)
        self.assertIn("minor version is not supported", r.json["errors"][0]["description"])
        r = self.mg.request("GET", "/v1", headers={"OpenStack-API-Version": "compute 1.2"})
        self.assertStatus(r, 406)
        self.assertEqual(r.json["errors"][0]["detail"],
                         "Invalid service type for OpenStack-API-Version header")
        r = self.mg.request("GET", "/v1", headers={"OpenStack-API-Version": "container-infra x"})
        self.assertStatus(r, 406)
        self.assertEqual(r.json["errors"][0]["detail"],
                         "Invalid value for OpenStack-API-Version header")

    def test_keep_alive(self):
        c = http.client.HTTPConnection("127.0.0.1", self.mg.port, timeout=10)
        c.connect()
        sock = c.sock
        for _ in range(5):
            r = self.mg.request("GET", "/v1", conn=c)
            self.assertStatus(r, 200)
            self.assertNotEqual(r.headers.get("connection", "").lower(), "close")
        # Still the same TCP connection after five requests.
        self.assertIs(c.sock, sock)
        c.close()

    def test_bad_content_type_415(self):
        r = self.api("POST", "/v1/clustertemplates", raw="x=1",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertStatus(r, 415)
        self.assertIn("Unknown mimetype", r.json["errors"][0]["detail"])

    def test_bad_json_400(self):
        r = self.api("POST", "/v1/clustertemplates", raw="{not json")
        self.assertError(r, 400, "Request is not in valid JSON format")

    def test_no_token_401(self):
        # noauth: no X-User-Id header is unauthenticated, also on unknown paths.
        self.assertStatus(self.mg.request("GET", "/v1/nothing-here"), 401)
        r = self.mg.request("GET", "/v1/bays")
        self.assertStatus(r, 401)
        self.assertEqual(r.json["error"]["code"], 401)
        self.assertIn("www-authenticate", r.headers)


class BodyLimit(mglib.TestCase):
    AUTH = "noauth"
    EXTRA_CONF = "[api]\nmax_body_size = 1024\n"

    def test_oversized_body_413(self):
        r = self.api("POST", "/v1/clustertemplates", raw="{\"name\": \"%s\"}" % ("x" * 5000))
        self.assertStatus(r, 413)
        self.assertEqual(r.json["errors"][0]["status"], 413)


class Config(mglib.TestCase):
    AUTH = "noauth"

    def test_sample_config_lists_options(self):
        p = subprocess.run([mglib.MAGNUMD, "sample-config"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0)
        for opt in ("[DEFAULT]", "#state_path", "#auth_strategy = builtin", "[api]",
                    "#port = 9511", "[database]", "#connection"):
            self.assertIn(opt, p.stdout)
        # The committed sample is the generated one.
        src = os.environ.get("SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
        with open(os.path.join(src, "etc", "magnum.conf.sample")) as f:
            self.assertEqual(f.read(), p.stdout)

    def test_bad_config_rejected(self):
        bad = os.path.join(self.mg.dir, "bad.conf")
        with open(bad, "w") as f:
            f.write("[api]\nport = notanumber\n")
        p = subprocess.run([mglib.MAGNUMD, "--config", bad, "check-config"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("invalid value for [api] port", p.stderr)
        with open(bad, "w") as f:
            f.write("[api]\nprot = 1\n")
        p = subprocess.run([mglib.MAGNUMD, "--config", bad, "check-config"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("unknown option [api] prot", p.stderr)

    def test_port_in_use_fails_cleanly(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        conf = os.path.join(self.mg.dir, "busy.conf")
        with open(conf, "w") as f:
            f.write("[DEFAULT]\nstate_path = %s/busy\nauth_strategy = noauth\n[api]\nport = %d\n"
                    % (self.mg.dir, port))
        p = subprocess.run([mglib.MAGNUMD, "--config", conf], capture_output=True, text=True,
                           timeout=20)
        s.close()
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot listen", p.stderr)

    def test_sigterm_stops_promptly(self):
        """SIGTERM may land on any thread (API workers, conductor, heartbeat):
        magnumd stops within seconds every time, also right after it starts."""
        for i in range(12):
            port = mglib.free_port()
            conf = os.path.join(self.mg.dir, "term.conf")
            with open(conf, "w") as f:
                f.write("[DEFAULT]\nstate_path = %s/term\nauth_strategy = noauth\n"
                        "backend = none\n[api]\nport = %d\n" % (self.mg.dir, port))
            p = subprocess.Popen([mglib.MAGNUMD, "--config", conf], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            try:
                t0 = time.monotonic()
                while time.monotonic() - t0 < 20:
                    try:
                        socket.create_connection(("127.0.0.1", port), timeout=1).close()
                        break
                    except OSError:
                        time.sleep(0.005)
                time.sleep(0.01 * (i % 4))
                # Aim at a thread other than main, as the kernel may (tgkill).
                tids = sorted(int(t) for t in os.listdir("/proc/%d/task" % p.pid))
                others = [t for t in tids if t != p.pid]
                tid = others[i % len(others)] if others else p.pid
                libc = ctypes.CDLL(None, use_errno=True)
                libc.syscall(234, p.pid, tid, signal.SIGTERM)     # SYS_tgkill (x86-64)
                self.assertEqual(p.wait(timeout=10), 0, "run %d" % i)
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()

    def test_db_sync(self):
        conf = os.path.join(self.mg.dir, "sync.conf")
        with open(conf, "w") as f:
            f.write("[DEFAULT]\nstate_path = %s/sync\n" % self.mg.dir)
        p = subprocess.run([mglib.MAGNUMD, "--config", conf, "db-sync"], capture_output=True,
                           text=True, timeout=20)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("schema version", p.stdout)


if __name__ == "__main__":
    mglib.main()
