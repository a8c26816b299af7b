#!/usr/bin/env python3
"""cert_manager_type = barbican against Debian's real Barbican (barbican-api).

Barbican runs from its packaged Python modules (python3-barbican; no daemon
of barbican-api is needed) on a free 127.0.0.1 port in a temporary directory
("magnum-test-barbican-"): its own barbican.conf (SQLite in the directory,
created at start-up; the simple_crypto plugin with a KEK generated here) and
its own paste file (the names of barbican-api's barbican-api-paste.ini, /v1
on the unauthenticated context), served by wsgiref. It is stopped by PID and
the directory removed on success and on failure. Skipped (exit 0) when
Barbican's modules are not installed.

The test makes a bay, waits for its CA, signs a CSR (the CA key comes back
from Barbican), checks through Barbican's own API that each key and
certificate is a secret in a "certificate" container and that the store holds
only container refs, then deletes the bay and checks that the secrets and
containers are gone.
"""
import base64
import http.client
import http.server
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

import clusterdb as cdb
import mglib
from fixtures import baymodel, catalogue

# Barbican's modules are Debian's: run them with Debian's interpreter, whatever
# python3 runs this test.
PY = "/usr/bin/python3"

# barbican-api-paste.ini reduced to the unauthenticated pipeline.
PASTE = """\
[composite:main]
use = egg:Paste#urlmap
/: barbican_version
/v1: barbican_api

[pipeline:barbican_version]
pipeline = microversion versionapp

[pipeline:barbican_api]
pipeline = unauthenticated-context microversion apiapp

[app:apiapp]
paste.app_factory = barbican.api.app:create_main_app

[app:versionapp]
paste.app_factory = barbican.api.app:create_version_app

[filter:unauthenticated-context]
paste.filter_factory = barbican.api.middleware.context:UnauthenticatedContextMiddleware.factory

[filter:microversion]
paste.filter_factory = barbican.api.middleware.microversion:MicroversionMiddleware.factory
"""

# keystonemiddleware's part in small, for the keystone pipeline: the token is
# validated by the (stub) Keystone and its project becomes X-Project-Id.
KEYSTONE_FILTER = """
[pipeline:barbican_keystone]
pipeline = keystone-check unauthenticated-context microversion apiapp

[filter:keystone-check]
paste.filter_factory = launch:KeystoneCheck.factory
ks_url = %s
"""

LAUNCHER = """\
import json
import sys
import urllib.request
import wsgiref.simple_server as wss


class KeystoneCheck:
    def __init__(self, app, ks_url):
        self.app, self.ks_url = app, ks_url

    @classmethod
    def factory(cls, global_conf, **local):
        return lambda app: cls(app, local["ks_url"])

    def __call__(self, environ, start_response):
        tok, project = environ.get("HTTP_X_AUTH_TOKEN"), None
        environ.pop("HTTP_X_PROJECT_ID", None)
        if tok:
            req = urllib.request.Request(self.ks_url + "/auth/tokens", headers={
                "X-Auth-Token": tok, "X-Subject-Token": tok})
            try:
                with urllib.request.urlopen(req, timeout=5) as r:
                    project = json.load(r)["token"]["project"]["id"]
            except Exception:
                project = None
        if project is None:
            start_response("401 Unauthorized", [("Content-Type", "application/json")])
            return [b'{"code": 401}']
        environ["HTTP_X_PROJECT_ID"] = project
        return self.app(environ, start_response)


class Quiet(wss.WSGIRequestHandler):
    def log_message(self, *args):
        pass


if __name__ == "__main__":
    from paste import deploy
    app = deploy.loadapp("config:" + sys.argv[1])
    srv = wss.make_server("127.0.0.1", int(sys.argv[2]), app, handler_class=Quiet)
    print("barbican listening on %s:%d" % srv.server_address, flush=True)
    srv.serve_forever()
"""


def missing():
    """Why Barbican cannot run here, or None."""
    if not os.path.exists(PY):
        return "no %s for Barbican's modules" % PY
    p = subprocess.run([PY, "-c", "import barbican.api.app, paste.deploy"],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        return ("Barbican is not installed (apt-get install python3-barbican): " +
                (p.stderr.strip().splitlines() or [""])[-1])
    return None


MISSING = missing()


class Barbican:
    """A Barbican API server on loopback: unauthenticated (X-Project-Id), or with
    ks_url, tokens checked by that Keystone (X-Auth-Token)."""

    PROJECT = "magnum"

    def __init__(self, ks_url=None):
        self.ks_url = ks_url
        self.token = None       # X-Auth-Token for request() in keystone mode
        self.dir = tempfile.mkdtemp(prefix="magnum-test-barbican-")
        self.port = mglib.free_port()
        self.proc = None
        self.log = None
        self.kek = base64.b64encode(os.urandom(32)).decode()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self):
        d = self.dir
        # oslo.config finds ~/.barbican/barbican.conf before /etc/barbican: every
        # part of Barbican (plugins, middleware) reads ours with HOME = d.
        os.makedirs(os.path.join(d, ".barbican"), exist_ok=True)
        with open(os.path.join(d, ".barbican", "barbican.conf"), "w") as f:
            f.write("[DEFAULT]\nhost_href = %s\nsql_connection = sqlite:///%s/barbican.sqlite\n"
                    "db_auto_create = True\nlog_file = %s/barbican.log\n"
                    "[secretstore]\nenabled_secretstore_plugins = store_crypto\n"
                    "[crypto]\nenabled_crypto_plugins = simple_crypto\n"
                    "[simple_crypto_plugin]\nkek = %s\n" % (self.url, d, d, self.kek))
        paste = PASTE
        if self.ks_url:
            paste = paste.replace("/v1: barbican_api", "/v1: barbican_keystone")
            paste += KEYSTONE_FILTER % self.ks_url
        with open(os.path.join(d, "paste.ini"), "w") as f:
            f.write(paste)
        with open(os.path.join(d, "launch.py"), "w") as f:
            f.write(LAUNCHER)
        env = {"HOME": d, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
        self.log = open(os.path.join(d, "stdout.log"), "w+")
        t0 = time.time()
        self.proc = subprocess.Popen([PY, os.path.join(d, "launch.py"),
                                      os.path.join(d, "paste.ini"), str(self.port)],
                                     cwd=d, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 45
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("barbican exited %s:\n%s" % (self.proc.returncode,
                                                                self.logtext()))
            try:
                if self.request("GET", "/")[0] in (200, 300):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("barbican did not answer in 45 s:\n" + self.logtext())
        self.start_seconds = time.time() - t0
        return self

    def logtext(self):
        text = ""
        for name in ("stdout.log", "barbican.log"):
            try:
                with open(os.path.join(self.dir, name)) as f:
                    text += "---- %s ----\n%s\n" % (name, f.read()[-4000:])
            except OSError:
                pass
        return text

    def request(self, method, path, body=None, accept="application/json"):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        h = {"Accept": accept}
        if self.ks_url:
            if self.token:
                h["X-Auth-Token"] = self.token
        else:
            h["X-Project-Id"] = self.PROJECT
        if body is not None:
            h["Content-Type"] = "application/json"
        c.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        if accept == "application/json" and data:
            try:
                return r.status, json.loads(data)
            except ValueError:
                pass
        return r.status, data

    def list(self, kind):
        """Every secret or container of the project (name -> object)."""
        out, offset = {}, 0
        while True:
            st, doc = self.request("GET", "/v1/%s?limit=100&offset=%d" % (kind, offset))
            if st != 200:
                raise AssertionError("GET /v1/%s: %s %r" % (kind, st, doc))
            for o in doc[kind]:
                out[o["name"]] = o
            offset += len(doc[kind])
            if not doc[kind] or offset >= doc["total"]:
                return out

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.log:
            self.log.close()
            self.log = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class StubKeystone:
    """Keystone v3 double: the service user svc/svc-pw (project p-service) logs
    in; any known token validates any known token (magnumd's API checks users'
    tokens with its service token, Barbican's filter checks a token with itself).
    revoke_next_check: the next token Barbican checks is revoked (refused)."""

    def __init__(self):
        self.tokens = {}
        self.service_logins = 0
        self.revoke_next_check = False
        self.revoked = []
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def reply(self, status, doc=None, headers=None):
                body = json.dumps(doc).encode() if doc is not None else b""
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                req = json.loads(self.rfile.read(n))
                user = req["auth"]["identity"]["password"]["user"]
                if self.path != "/v3/auth/tokens" or user != {
                        "name": "svc", "password": "svc-pw", "domain": {"name": "Default"}}:
                    return self.reply(401, {"error": {"code": 401}})
                stub.service_logins += 1
                tok = stub.add("svc", "p-service", ["service"], prefix="svc-")
                self.reply(201, {"token": stub.tokens[tok]}, {"X-Subject-Token": tok})

            def do_GET(self):
                auth, subject = self.headers.get("X-Auth-Token"), \
                    self.headers.get("X-Subject-Token")
                if self.path != "/v3/auth/tokens":
                    return self.reply(404)
                if auth == subject and stub.revoke_next_check and auth in stub.tokens:
                    stub.revoke_next_check = False
                    stub.revoked.append(auth)
                    del stub.tokens[auth]
                if auth not in stub.tokens:
                    return self.reply(401, {"error": {"code": 401}})
                if subject not in stub.tokens:
                    return self.reply(404, {"error": {"code": 404}})
                self.reply(200, {"token": stub.tokens[subject]}, {"X-Subject-Token": subject})

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/v3" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(self, user, project, roles, prefix=""):
        tok = prefix + uuid.uuid4().hex + uuid.uuid4().hex
        self.tokens[tok] = {
            "user": {"id": "u-" + user, "name": user, "domain": {"id": "default"}},
            "project": {"id": project, "name": "n-" + project, "domain": {"id": "default"}},
            "roles": [{"id": "r-" + r, "name": r} for r in roles],
            "expires_at": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z",
                                        time.gmtime(time.time() + 3600))}
        return tok

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def openssl(*args, inp=None):
    p = subprocess.run(["openssl"] + list(args), input=inp, capture_output=True, text=True,
                       timeout=30)
    if p.returncode != 0:
        raise AssertionError("openssl %s: %s" % (" ".join(args), p.stderr))
    return p.stdout


def ref_id(ref):
    return ref.rstrip("/").rsplit("/", 1)[1]


@unittest.skipIf(MISSING, "skipped: %s" % MISSING)
class BarbicanManager(mglib.TestCase):
    AUTH = "noauth"
    USER, PROJECT, ROLES = "u-test", "p-test", "member,reader"

    @classmethod
    def setUpClass(cls):
        cls.bb = Barbican()
        try:
            cls.bb.start()
            print("barbican up in %.1f s on %s" % (cls.bb.start_seconds, cls.bb.url),
                  flush=True)
            cls.EXTRA_CONF = ("[certificates]\ncert_manager_type = barbican\n"
                              "barbican_url = %s\n" % cls.bb.url)
            super().setUpClass()
        except Exception:
            cls.bb.cleanup()
            raise
        cls.tmp = tempfile.mkdtemp(prefix="magnum-test-bbcerts-")

    @classmethod
    def tearDownClass(cls):
        try:
            if getattr(cls, "_failed", False):
                print(cls.bb.logtext())
            super().tearDownClass()
        finally:
            cls.bb.cleanup()
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def wait_ca(self, uuid):
        deadline = time.time() + 30
        while time.time() < deadline:
            r = self.api("GET", "/v1/certificates/" + uuid)
            if r.status != 409:
                return r
            time.sleep(0.05)
        self.fail("no CA for bay %s" % uuid)

    def mine(self, kind, row_uuids):
        """This bay's secrets or containers in Barbican (name -> object)."""
        return {n: o for n, o in self.bb.list(kind).items()
                if any(u in n for u in row_uuids)}

    def delete_bay(self, uuid):
        self.assertStatus(self.api("DELETE", "/v1/bays/" + uuid), 204)
        deadline = time.time() + 30
        while time.time() < deadline and self.api("GET", "/v1/bays/" + uuid).status != 404:
            time.sleep(0.05)
        self.assertStatus(self.api("GET", "/v1/bays/" + uuid), 404)

    def test_keys_live_in_barbican(self):
        catalogue(self)
        if not self.api("GET", "/v1/baymodels").json["baymodels"]:
            baymodel(self, name="m1")
        r = self.api("POST", "/v1/bays", {"name": "bbay", "baymodel_id": "m1"})
        self.assertStatus(r, 201)
        uuid = r.json["uuid"]
        t0 = time.time()
        r = self.wait_ca(uuid)
        self.assertStatus(r, 200)
        print("CA ready %.2f s after the create" % (time.time() - t0), flush=True)
        ca = self.path("ca.pem")
        with open(ca, "w") as f:
            f.write(r.json["pem"])

        # The store holds container refs, never a key.
        # (Single-line columns only: the PostgreSQL reader splits lines.)
        rows = cdb.query(self.mg, "SELECT uuid, kind, private_key FROM x509keypairs "
                                  "WHERE cluster_uuid = ?", (uuid,))
        self.assertEqual(sorted(k for _, k, _ in rows), ["ca", "conductor"])
        ids = [r[0] for r in rows]
        secrets, containers = self.mine("secrets", ids), self.mine("containers", ids)
        self.assertEqual(len(secrets), 4, sorted(secrets))
        self.assertEqual(len(containers), 2, sorted(containers))
        for row_uuid, kind, col in rows:
            self.assertTrue(col.startswith("barbican:" + self.bb.url + "/v1/containers/"),
                            col[:60])
            self.assertNotIn("PRIVATE KEY", col)
            ct = containers["magnum " + row_uuid]
            self.assertEqual(ct["type"], "certificate")
            self.assertEqual(ref_id(ct["container_ref"]), ref_id(col))
            refs = {s["name"]: s["secret_ref"] for s in ct["secret_refs"]}
            self.assertEqual(sorted(refs), ["certificate", "private_key"])
            self.assertEqual(ref_id(refs["private_key"]),
                             ref_id(secrets["magnum %s private key" % row_uuid]["secret_ref"]))
            # The secrets are the row's certificate and its matching key.
            st, key = self.bb.request("GET", "/v1/secrets/%s/payload" %
                                      ref_id(refs["private_key"]), accept="text/plain")
            self.assertEqual(st, 200)
            key = key.decode()
            self.assertIn("PRIVATE KEY-----", key)
            st, pem = self.bb.request("GET", "/v1/secrets/%s/payload" %
                                      ref_id(refs["certificate"]), accept="text/plain")
            self.assertEqual(st, 200)
            cert = pem.decode()
            if kind == "ca":
                # (Barbican strips the final newline of a text/plain payload.)
                self.assertEqual(cert, r.json["pem"].rstrip("\n"))
            self.assertEqual(openssl("pkey", "-pubout", inp=key),
                             openssl("x509", "-noout", "-pubkey", inp=cert), kind)

        # Signing a CSR loads the CA key back from Barbican.
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", self.path("alice.key"), "-out", self.path("alice.csr"),
                "-subj", "/CN=alice")
        with open(self.path("alice.csr")) as f:
            csr = f.read()
        r = self.api("POST", "/v1/certificates", {"bay_uuid": uuid, "csr": csr})
        self.assertStatus(r, 201)
        with open(self.path("alice.pem"), "w") as f:
            f.write(r.json["pem"])
        self.assertIn(": OK", openssl("verify", "-CAfile", ca, self.path("alice.pem")))
        # A signed client certificate has no key: nothing new in Barbican.
        self.assertEqual(cdb.count(self.mg, "SELECT COUNT(*) FROM x509keypairs WHERE "
                                            "cluster_uuid = ?", (uuid,)), 3)
        self.assertEqual(len(self.bb.list("secrets")), 4)

        # Deleting the bay deletes its secrets and containers.
        self.delete_bay(uuid)
        self.assertEqual(cdb.count(self.mg, "SELECT COUNT(*) FROM x509keypairs WHERE "
                                            "cluster_uuid = ?", (uuid,)), 0)
        self.assertEqual(self.mine("secrets", ids), {})
        self.assertEqual(self.mine("containers", ids), {})

    def test_when_barbican_is_down(self):
        """Runs last (it stops Barbican): signing fails with 503 and no key in the reply,
        a new bay fails at its CA step, and deleting a bay still works (Barbican
        deletion errors are ignored, as in Magnum)."""
        catalogue(self)
        if not self.api("GET", "/v1/baymodels").json["baymodels"]:
            baymodel(self, name="m1")
        uuid = self.api("POST", "/v1/bays", {"name": "bdown", "baymodel_id": "m1"}).json["uuid"]
        self.assertStatus(self.wait_ca(uuid), 200)
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", self.path("bob.key"), "-out", self.path("bob.csr"),
                "-subj", "/CN=bob")
        with open(self.path("bob.csr")) as f:
            csr = f.read()
        self.bb.stop()
        r = self.api("POST", "/v1/certificates", {"bay_uuid": uuid, "csr": csr})
        self.assertError(r, 503)
        self.assertNotIn(b"PRIVATE", r.body)
        # A new bay cannot get its CA.
        other = self.api("POST", "/v1/bays", {"name": "bdown2", "baymodel_id": "m1"}).json["uuid"]
        deadline = time.time() + 30
        while time.time() < deadline:
            b = self.api("GET", "/v1/bays/" + other).json
            if b["status"] != "CREATE_IN_PROGRESS":
                break
            time.sleep(0.05)
        self.assertEqual(b["status"], "CREATE_FAILED", b)
        self.assertIn("bay CA", b["status_reason"])
        self.assertEqual(cdb.count(self.mg, "SELECT COUNT(*) FROM x509keypairs WHERE "
                                            "cluster_uuid = ?", (other,)), 0)
        for u in (uuid, other):
            self.delete_bay(u)
            self.assertEqual(cdb.count(self.mg, "SELECT COUNT(*) FROM x509keypairs WHERE "
                                                "cluster_uuid = ?", (u,)), 0)

@unittest.skipIf(MISSING, "skipped: %s" % MISSING)
class BarbicanKeystone(mglib.TestCase):
    """auth_strategy = keystone: magnumd sends the service user's token (X-Auth-Token,
    no X-Project-Id), its secrets belong to the service project, a refused token is
    renewed once, and no token reaches the log."""
    AUTH = "keystone"

    @classmethod
    def setUpClass(cls):
        cls.ks = StubKeystone()
        cls.bb = Barbican(ks_url=cls.ks.url)
        try:
            cls.bb.start()
            cls.EXTRA_CONF = ("[keystone_authtoken]\nwww_authenticate_uri = %s\n"
                              "username = svc\npassword = svc-pw\nproject_name = service\n"
                              "[certificates]\ncert_manager_type = barbican\n"
                              "barbican_url = %s/v1/\n" % (cls.ks.url, cls.bb.url))
            super().setUpClass()
        except Exception:
            cls.bb.cleanup()
            cls.ks.stop()
            raise
        cls.token = cls.ks.add("alice", "p-alpha", ["member", "reader"])
        cls.bb.token = cls.ks.add("auditor", "p-service", ["reader"])

    @classmethod
    def tearDownClass(cls):
        try:
            if getattr(cls, "_failed", False):
                print(cls.bb.logtext())
            super().tearDownClass()
        finally:
            cls.bb.cleanup()
            cls.ks.stop()

    def test_service_token(self):
        # The start-up check already went through Keystone.
        self.assertEqual(self.ks.service_logins, 1)
        catalogue(self)
        baymodel(self, name="m1")
        uuid_ = self.api("POST", "/v1/bays", {"name": "kbay", "baymodel_id": "m1"}).json["uuid"]
        deadline = time.time() + 30
        while time.time() < deadline:
            r = self.api("GET", "/v1/certificates/" + uuid_)
            if r.status != 409:
                break
            time.sleep(0.05)
        self.assertStatus(r, 200)
        rows = [u for (u,) in cdb.query(self.mg, "SELECT uuid FROM x509keypairs WHERE "
                                                 "cluster_uuid = ?", (uuid_,))]
        self.assertEqual(len(rows), 2)
        # In the service user's project; another project sees nothing.
        names = sorted(self.bb.list("secrets"))
        self.assertEqual(names, sorted("magnum %s %s" % (u, w) for u in rows
                                       for w in ("certificate", "private key")))
        bb_token = self.bb.token
        self.bb.token = self.ks.add("mallory", "p-other", ["member"])
        try:
            self.assertEqual(self.bb.list("secrets"), {})
        finally:
            self.bb.token = bb_token
        # The service token is refused once: magnumd logs in again and retries.
        self.ks.revoke_next_check = True
        p = subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:P-256", "-nodes", "-keyout", "/dev/null",
                            "-subj", "/CN=carol"], capture_output=True, text=True, timeout=30)
        r = self.api("POST", "/v1/certificates", {"bay_uuid": uuid_, "csr": p.stdout})
        self.assertStatus(r, 201)
        self.assertEqual(len(self.ks.revoked), 1)
        self.assertTrue(self.ks.revoked[0].startswith("svc-"))
        self.assertEqual(self.ks.service_logins, 2)
        self.assertStatus(self.api("DELETE", "/v1/bays/" + uuid_), 204)
        deadline = time.time() + 30
        while time.time() < deadline and self.api("GET", "/v1/bays/" + uuid_).status != 404:
            time.sleep(0.05)
        self.assertEqual(self.bb.list("secrets"), {})
        self.assertEqual(self.bb.list("containers"), {})
        log = self.mg.logtext()
        for t in self.ks.tokens:
            self.assertNotIn(t, log)
        for t in self.ks.revoked:
            self.assertNotIn(t, log)
        self.assertNotIn("svc-pw", log)


if __name__ == "__main__":
    if MISSING:
        print("skipped: " + MISSING)
    mglib.main()
