#!/usr/bin/env python3
"""auth_strategy = keystone.

KeystoneStub (always runs): a small Keystone v3 double on loopback checks how
magnumd talks to Keystone: service token, validation, caching, retry after
the service token expires, 503 when Keystone fails or cannot be reached,
unscoped tokens refused, tokens never logged.

RealKeystone: the same against a real Keystone (Debian's): the one named by
$MAGNUM_TEST_KEYSTONE_URL (+ _ADMIN=name:password:project), else a running
heat anchor on 127.0.0.1:17000, else the heat anchor started here
(../shared/anchors/heat/start.sh, 45-80 s, more under load) on free ports into a
magnum-test- directory and stopped afterwards. Without the heat anchor's packages: the magnum anchor's
Keystone if it runs (:15000), else they are installed (install.sh, about 1-5
min of apt) only with MAGNUM_TEST_KEYSTONE=1; otherwise the class is skipped
("skipped: real Keystone not installed").
The test makes its own projects and users in that Keystone and deletes them."""
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
import uuid

import mglib
from fixtures import PUBKEY

HEAT_ANCHOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                           "shared", "anchors", "heat")


# ----------------------------------------------------------------------------- helpers

def call(method, url, body=None, headers=None):
    """(status, headers, json) of one request; HTTP errors are returned, not raised."""
    h = {"Content-Type": "application/json", "Accept": "application/json",
         "Connection": "close"}
    h.update(headers or {})
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data, h, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            return r.status, r.headers, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, e.headers, json.loads(raw) if raw else None
        except ValueError:
            return e.code, e.headers, None


def ks_token(url, name, password, project=None):
    """A token from Keystone at url (.../v3): (token, token document)."""
    ident = {"methods": ["password"], "password": {"user": {
        "name": name, "domain": {"id": "default"}, "password": password}}}
    body = {"auth": {"identity": ident}}
    if project:
        body["auth"]["scope"] = {"project": {"name": project, "domain": {"id": "default"}}}
    st, h, doc = call("POST", url + "/auth/tokens", body)
    if st != 201:
        raise RuntimeError("Keystone refused %s: %s %s" % (name, st, doc))
    return h["X-Subject-Token"], doc["token"]


def reachable(url):
    try:
        urllib.request.urlopen(url, timeout=2).read()
        return True
    except Exception:
        return False


# ----------------------------------------------------------------------------- the stub

class StubKeystone:
    """Keystone v3 double: one service user, tokens registered by the test."""

    def __init__(self):
        self.tokens = {}            # token -> token document
        self.service_tokens = set()
        self.validations = 0
        self.service_logins = 0
        self.fail = None            # HTTP status to answer every validation with
        self.expire_service = False  # refuse the current service token once
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
                tok = "svc-" + uuid.uuid4().hex
                stub.service_tokens.add(tok)
                exp = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(time.time() + 3600))
                self.reply(201, {"token": {"expires_at": exp}}, {"X-Subject-Token": tok})

            def do_GET(self):
                if self.path != "/v3/auth/tokens":
                    return self.reply(404)
                stub.validations += 1
                if stub.fail:
                    return self.reply(stub.fail, {"error": {"code": stub.fail}})
                auth = self.headers.get("X-Auth-Token")
                if stub.expire_service and auth in stub.service_tokens:
                    stub.expire_service = False
                    stub.service_tokens.discard(auth)
                if auth not in stub.service_tokens:
                    return self.reply(401, {"error": {"code": 401}})
                doc = stub.tokens.get(self.headers.get("X-Subject-Token"))
                if doc is None:
                    return self.reply(404, {"error": {"code": 404}})
                self.reply(200, {"token": doc}, {"X-Subject-Token": "x"})

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/v3" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(self, user, project, roles, expires_in=3600):
        tok = uuid.uuid4().hex + uuid.uuid4().hex
        doc = {"user": {"id": "u-" + user, "name": user, "domain": {"id": "default"}},
               "roles": [{"id": "r-" + r, "name": r} for r in roles],
               "expires_at": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z",
                                           time.gmtime(time.time() + expires_in))}
        if project:
            doc["project"] = {"id": project, "name": "n-" + project,
                              "domain": {"id": "default"}}
        self.tokens[tok] = doc
        return tok

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class KeystoneStub(mglib.TestCase):
    AUTH = "keystone"

    @classmethod
    def setUpClass(cls):
        cls.ks = StubKeystone()
        cls.EXTRA_CONF = ("[keystone_authtoken]\nwww_authenticate_uri = %s/\nusername = svc\n"
                          "password = svc-pw\nproject_name = service\ntoken_cache_time = 3\n"
                          % cls.ks.url)
        try:
            super().setUpClass()
        except Exception:
            cls.ks.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.ks.stop()

    def test_validation_cache_and_tenancy(self):
        ks = self.ks
        alice = ks.add("alice", "p-alpha", ["member", "reader"])
        bob = ks.add("bob", "p-beta", ["member"])
        rita = ks.add("rita", "p-alpha", ["reader"])
        boss = ks.add("boss", "p-admin", ["admin"])
        self.assertStatus(self.mg.request("GET", "/v1/clusters"), 401)
        r = self.mg.request("GET", "/v1/clusters", headers={"X-Auth-Token": "nope"})
        self.assertStatus(r, 401)
        self.assertEqual(r.json["error"]["code"], 401)
        before, logins = ks.validations, ks.service_logins
        for _ in range(3):
            self.assertStatus(self.api("GET", "/v1/clusters", token=alice), 200)
        self.assertEqual(ks.validations - before, 1)      # then cached
        self.assertStatus(self.api("GET", "/v1/clusters", token=bob), 200)
        self.assertLessEqual(ks.service_logins - logins, 1)  # one service token for all
        r = self.api("POST", "/image/v2/images", {"name": "img", "os_distro": "debian"},
                     token=alice)
        self.assertStatus(r, 201)
        self.assertEqual(r.json["owner"], "p-alpha")
        self.assertIn(self.api("POST", "/v2.1/os-keypairs", {"keypair": {
            "name": "k1", "public_key": PUBKEY}}, token=alice).status, (200, 201))
        body = {"name": "m", "coe": "swarm", "image_id": "img", "keypair_id": "k1"}
        self.assertStatus(self.api("POST", "/v1/baymodels", body, token=rita), 403)
        r = self.api("POST", "/v1/baymodels", body, token=alice)
        self.assertStatus(r, 201)
        u = r.json["uuid"]
        self.assertStatus(self.api("GET", "/v1/baymodels/" + u, token=rita), 200)
        self.assertStatus(self.api("GET", "/v1/baymodels/" + u, token=bob), 404)
        self.assertStatus(self.api("GET", "/v1/baymodels/" + u, token=boss), 200)
        # A revoked token lives until its cache entry expires, then it is refused.
        alice2 = ks.add("alice", "p-alpha", ["member", "reader"])
        self.assertStatus(self.api("GET", "/v1/baymodels/" + u, token=alice2), 200)
        del ks.tokens[alice2]
        self.assertStatus(self.api("GET", "/v1/baymodels/" + u, token=alice2), 200)
        time.sleep(3.2)
        self.assertStatus(self.api("GET", "/v1/baymodels/" + u, token=alice2), 401)
        for t in (alice, alice2, bob, rita, boss):
            self.assertNotIn(t, self.mg.logtext())
        self.assertNotIn("svc-", self.mg.logtext())

    def test_service_token_renewed(self):
        tok = self.ks.add("carl", "p-c", ["member"])
        logins = self.ks.service_logins
        self.ks.expire_service = True
        self.assertStatus(self.api("GET", "/v1/clusters", token=tok), 200)
        self.assertEqual(self.ks.service_logins, logins + 1)

    def test_unscoped_and_expired_refused(self):
        self.assertStatus(self.api("GET", "/v1/clusters",
                                   token=self.ks.add("dora", None, [])), 401)
        tok = self.ks.add("eve", "p-e", ["member"], expires_in=1)
        self.assertStatus(self.api("GET", "/v1/clusters", token=tok), 200)
        time.sleep(1.5)
        # Cached no longer than the token lives (the stub still says it is valid).
        before = self.ks.validations
        self.api("GET", "/v1/clusters", token=tok)
        self.assertEqual(self.ks.validations, before + 1)

    def test_keystone_failing_503(self):
        tok = self.ks.add("fred", "p-f", ["member"])
        self.ks.fail = 500
        try:
            self.assertStatus(self.api("GET", "/v1/clusters", token=tok), 503)
        finally:
            self.ks.fail = None
        self.assertStatus(self.api("GET", "/v1/clusters", token=tok), 200)

    def test_builtin_identity_not_served(self):
        r = self.mg.request("POST", "/v3/auth/tokens", {"auth": {}})
        self.assertStatus(r, 404)
        self.assertFalse(os.path.exists(os.path.join(self.mg.dir, "state", "admin-openrc.sh")))


class KeystoneUnreachable(mglib.TestCase):
    AUTH = "keystone"
    EXTRA_CONF = ("[keystone_authtoken]\nwww_authenticate_uri = http://127.0.0.1:%d/v3\n"
                  "http_connect_timeout = 2\n" % mglib.free_port())
    token = None

    def test_503(self):
        r = self.api("GET", "/v1/clusters", token="a" * 64)
        self.assertStatus(r, 503)
        self.assertNotIn("a" * 64, self.mg.logtext())


# ----------------------------------------------------------------------------- real Keystone

HEAT_STATE = None       # the heat anchor's state dir when this module started it


def anchor_installed():
    return all(shutil.which(x) for x in ("keystone-manage", "heat-all", "uwsgi", "jq"))


def anchor_present():
    """The anchor scripts live beside the project (../shared); a bare clone has none."""
    return all(os.path.exists(os.path.join(HEAT_ANCHOR, s))
               for s in ("install.sh", "start.sh", "stop.sh"))


def find_keystone():
    """(url, [admin, password, project]) or None."""
    global HEAT_STATE
    env = os.environ
    if env.get("MAGNUM_TEST_KEYSTONE_URL"):
        return env["MAGNUM_TEST_KEYSTONE_URL"], env["MAGNUM_TEST_KEYSTONE_ADMIN"].split(":")
    if reachable("http://127.0.0.1:17000/v3"):
        return "http://127.0.0.1:17000/v3", ["admin", "adminpass", "admin"]
    if not anchor_installed() or not anchor_present():
        if reachable("http://127.0.0.1:15000/v3"):     # the magnum anchor's Keystone
            return "http://127.0.0.1:15000/v3", ["admin", "admin", "admin"]
        if not anchor_present():
            return None
        if env.get("MAGNUM_TEST_KEYSTONE") != "1":
            return None
        t0 = time.time()
        subprocess.run([os.path.join(HEAT_ANCHOR, "install.sh")], check=True)
        sys.stderr.write("heat anchor installed in %.0f s\n" % (time.time() - t0))
    HEAT_STATE = tempfile.mkdtemp(prefix="magnum-test-keystone-")
    # Free ports, so that concurrent runs do not collide on the anchor's defaults.
    ports = {k: str(mglib.free_port()) for k in ("KS_PORT", "HEAT_PORT", "PG_PORT")}
    t0 = time.time()
    try:
        p = subprocess.run([os.path.join(HEAT_ANCHOR, "start.sh"), HEAT_STATE],
                           capture_output=True, text=True, timeout=600,
                           env=dict(os.environ, **ports))
        if p.returncode != 0:
            raise RuntimeError("heat anchor start failed:\n" + p.stdout[-3000:] +
                               p.stderr[-3000:])
    except Exception:
        stop_anchor()
        raise
    sys.stderr.write("heat anchor started in %.0f s\n" % (time.time() - t0))
    return "http://127.0.0.1:%s/v3" % ports["KS_PORT"], ["admin", "adminpass", "admin"]


def stop_anchor():
    global HEAT_STATE
    if HEAT_STATE:
        subprocess.run([os.path.join(HEAT_ANCHOR, "stop.sh"), HEAT_STATE, "--rm"],
                       capture_output=True)
        shutil.rmtree(HEAT_STATE, ignore_errors=True)
        HEAT_STATE = None


KS = None


def tearDownModule():
    stop_anchor()


class RealKeystone(mglib.TestCase):
    AUTH = "keystone"

    @classmethod
    def setUpClass(cls):
        global KS
        KS = find_keystone()
        if KS is None:
            print("skipped: real Keystone not installed", file=sys.stderr)
            raise unittest.SkipTest("skipped: real Keystone not installed (set "
                                    "MAGNUM_TEST_KEYSTONE=1 to install the heat anchor)")
        cls.url, admin = KS
        cls.admin_tok, _ = ks_token(cls.url, admin[0], admin[1], admin[2])
        cls.created = []
        s = uuid.uuid4().hex[:6]
        try:
            cls.p1 = cls.make("projects", {"project": {"name": "mt-alpha-" + s,
                                                       "domain_id": "default"}})
            cls.p2 = cls.make("projects", {"project": {"name": "mt-beta-" + s,
                                                       "domain_id": "default"}})
            cls.users = {}
            for name, proj, role in (("ann", cls.p1, "member"), ("ben", cls.p2, "member"),
                                     ("rea", cls.p1, "reader")):
                uid = cls.make("users", {"user": {"name": "mt-%s-%s" % (name, s),
                                                  "password": "pw-" + s,
                                                  "domain_id": "default"}})
                st, _, doc = call("GET", cls.url + "/roles?name=" + role,
                                  headers={"X-Auth-Token": cls.admin_tok})
                rid = doc["roles"][0]["id"]
                st, _, _ = call("PUT", "%s/projects/%s/users/%s/roles/%s" % (
                    cls.url, proj["id"], uid["id"], rid), headers={"X-Auth-Token": cls.admin_tok})
                assert st == 204, st
                cls.users[name] = ("mt-%s-%s" % (name, s), "pw-" + s, proj["name"])
            cls.EXTRA_CONF = ("[keystone_authtoken]\nwww_authenticate_uri = %s\nusername = %s\n"
                              "password = %s\nproject_name = %s\ntoken_cache_time = 3\n"
                              % (cls.url, admin[0], admin[1], admin[2]))
            super().setUpClass()
        except Exception:
            cls.remove_created()
            raise

    @classmethod
    def make(cls, coll, body):
        st, _, doc = call("POST", cls.url + "/" + coll, body,
                          headers={"X-Auth-Token": cls.admin_tok})
        if st != 201:
            raise RuntimeError("Keystone POST %s: %s %s" % (coll, st, doc))
        obj = doc[coll[:-1]]
        cls.created.append((coll, obj["id"]))
        return obj

    @classmethod
    def remove_created(cls):
        for coll, oid in reversed(cls.created):
            call("DELETE", "%s/%s/%s" % (cls.url, coll, oid),
                 headers={"X-Auth-Token": cls.admin_tok})

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.remove_created()

    def tok(self, who):
        return ks_token(self.url, *self.users[who])

    def test_tokens_and_tenancy(self):
        ann, ann_doc = self.tok("ann")
        ben, _ = self.tok("ben")
        rea, _ = self.tok("rea")
        self.assertStatus(self.mg.request("GET", "/v1/bays"), 401)
        self.assertStatus(self.mg.request("GET", "/v1/bays", headers={"X-Auth-Token": "bogus"}),
                          401)
        self.assertStatus(self.api("GET", "/v1/bays", token=ann), 200)
        # The project from Keystone owns what the user creates.
        r = self.api("POST", "/image/v2/images", {"name": "ks-img", "os_distro": "debian"},
                     token=ann)
        self.assertStatus(r, 201)
        self.assertEqual(r.json["owner"], ann_doc["project"]["id"])
        self.assertIn(self.api("POST", "/v2.1/os-keypairs", {"keypair": {
            "name": "ks-key", "public_key": PUBKEY}}, token=ann).status, (200, 201, 409))
        body = {"name": "ks-model", "coe": "swarm", "image_id": "ks-img", "keypair_id": "ks-key"}
        # Keystone's reader role reads, member writes.
        self.assertStatus(self.api("POST", "/v1/baymodels", body, token=rea), 403)
        r = self.api("POST", "/v1/baymodels", body, token=ann)
        self.assertStatus(r, 201)
        u = r.json["uuid"]
        self.assertEqual(r.json.get("project_id", ann_doc["project"]["id"]),
                         ann_doc["project"]["id"])
        self.assertStatus(self.api("GET", "/v1/baymodels/" + u, token=rea), 200)
        self.assertStatus(self.api("GET", "/v1/baymodels/" + u, token=ben), 404)
        self.assertStatus(self.api("GET", "/v1/baymodels/" + u, token=self.admin_tok), 200)
        self.assertStatus(self.api("GET", "/v1/mservices", token=ann), 403)
        self.assertStatus(self.api("GET", "/v1/mservices", token=self.admin_tok), 200)
        self.assertStatus(self.api("DELETE", "/v1/baymodels/" + u, token=ann), 204)
        # Revoked in Keystone: refused once the cache entry (3 s) is gone.
        st, _, _ = call("DELETE", self.url + "/auth/tokens",
                        headers={"X-Auth-Token": self.admin_tok, "X-Subject-Token": ben})
        self.assertEqual(st, 204)
        time.sleep(3.2)
        self.assertStatus(self.api("GET", "/v1/bays", token=ben), 401)
        # An unscoped token has no project: refused.
        un, _ = ks_token(self.url, self.users["ann"][0], self.users["ann"][1])
        self.assertStatus(self.api("GET", "/v1/bays", token=un), 401)
        log = self.mg.logtext()
        for t in (ann, ben, rea, un, self.admin_tok):
            self.assertNotIn(t, log)

    def test_without_service_user(self):
        """No (working) service user: each token validates itself."""
        ann, _ = self.tok("ann")
        for extra in ("", "username = %s\npassword = wrong\n" % KS[1][0]):
            conf = ("[keystone_authtoken]\nwww_authenticate_uri = %s\n%s" % (self.url, extra))
            with mglib.Magnumd(auth="keystone", extra_conf=conf) as mg:
                self.assertStatus(mg.request("GET", "/v1/bays", headers={"X-Auth-Token": ann}),
                                  200)
                self.assertStatus(mg.request("GET", "/v1/bays",
                                             headers={"X-Auth-Token": "bogus"}), 401)
                if extra:
                    self.assertIn("refuses the service user", mg.logtext())
                self.assertNotIn(ann, mg.logtext())
                mg.stop()
                self.assertIsNone(mg.exit_problem)


if __name__ == "__main__":
    mglib.main()
