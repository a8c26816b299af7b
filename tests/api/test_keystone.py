#!/usr/bin/env python3
"""auth_strategy = keystone.

KeystoneStub (always runs): a small Keystone v3 double on loopback checks how
magnumd talks to Keystone: service token, validation, caching, retry after
the service token expires, 503 when Keystone fails or cannot be reached,
unscoped tokens refused, tokens never logged, and the 401's WWW-Authenticate
naming the configured Keystone ([keystone_authtoken] www_authenticate_uri,
else auth_url).

RealKeystone: the same against a real Keystone (Debian's python3-keystone):
the one named by $MAGNUM_TEST_KEYSTONE_URL (+ _ADMIN=name:password:project),
else a throw-away one that tests/keystone_fixture.sh starts for this module
(uwsgi on a free loopback port, SQLite, all in a magnum-test- directory under
/tmp; about 10 s) and stops afterwards, also when the test fails (a watchdog
stops it when this process is killed). Without the packages (scripts/deps.sh
installs them): the Keystone of a running anchor (:17000, :15000) if any,
else the class is skipped ("skipped: real Keystone not installed"); under CI
(CI=true) or with MAGNUM_TEST_REQUIRE_KEYSTONE=1 it fails instead.
The test makes its own projects and users in that Keystone (and deletes them
from a Keystone it did not start).

Only loopback is ever contacted: proxy variables are dropped for this test
and everything it starts."""
import http.server
import json
import os
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

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "keystone_fixture.sh")

# Loopback only: neither urllib here nor libcurl in magnumd may go through a proxy.
for _v in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
    os.environ.pop(_v, None)
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# ----------------------------------------------------------------------------- helpers

def call(method, url, body=None, headers=None):
    """(status, headers, json) of one request; HTTP errors are returned, not raised."""
    h = {"Content-Type": "application/json", "Accept": "application/json",
         "Connection": "close"}
    h.update(headers or {})
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data, h, method=method)
    try:
        with OPENER.open(req, timeout=30) as r:
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


def fulllog(mg):
    """All of magnumd's log so far (logtext() keeps only its end)."""
    mg.log.flush()
    with open(mg.log.name) as f:
        return f.read()


def reachable(url):
    try:
        OPENER.open(url, timeout=2).read()
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
        # A 401 names the configured Keystone, as keystonemiddleware does.
        r = self.mg.request("GET", "/v1/clusters")
        self.assertStatus(r, 401)
        self.assertEqual(r.headers.get("www-authenticate"), 'Keystone uri="%s/"' % ks.url)
        r = self.mg.request("GET", "/v1/clusters", headers={"X-Auth-Token": "nope"})
        self.assertStatus(r, 401)
        self.assertEqual(r.json["error"]["code"], 401)
        self.assertEqual(r.headers.get("www-authenticate"), 'Keystone uri="%s/"' % ks.url)
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
        log = fulllog(self.mg)
        for t in (alice, alice2, bob, rita, boss):
            self.assertNotIn(t, log)
        self.assertNotIn("svc-", log)

    def test_www_authenticate_defaults_to_auth_url(self):
        """Without www_authenticate_uri, auth_url is named and validates tokens."""
        tok = self.ks.add("gus", "p-g", ["member"])
        conf = ("[keystone_authtoken]\nauth_url = %s\nusername = svc\npassword = svc-pw\n"
                % self.ks.url)
        with mglib.Magnumd(auth="keystone", extra_conf=conf) as mg:
            r = mg.request("GET", "/v1/bays")
            self.assertStatus(r, 401)
            self.assertEqual(r.headers.get("www-authenticate"), 'Keystone uri="%s"' % self.ks.url)
            self.assertStatus(mg.request("GET", "/v1/bays", headers={"X-Auth-Token": tok}), 200)
            mg.stop()
            self.assertIsNone(mg.exit_problem)

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
    URI = "http://127.0.0.1:%d/v3" % mglib.free_port()
    EXTRA_CONF = ("[keystone_authtoken]\nwww_authenticate_uri = %s\n"
                  "http_connect_timeout = 2\n" % URI)
    token = None

    def test_503(self):
        r = self.api("GET", "/v1/clusters", token="a" * 64)
        self.assertStatus(r, 503)
        self.assertNotIn("a" * 64, fulllog(self.mg))

    def test_401_names_keystone_not_magnumd(self):
        r = self.mg.request("GET", "/v1/clusters")
        self.assertStatus(r, 401)
        self.assertEqual(r.headers.get("www-authenticate"), 'Keystone uri="%s"' % self.URI)
        # magnumd's own /v3 is not served in keystone mode: naming it would mislead.
        self.assertStatus(self.mg.request("GET", "/v3"), 404)


# ----------------------------------------------------------------------------- real Keystone

class KeystoneFixture:
    """The Keystone of tests/keystone_fixture.sh, in a magnum-test- directory."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="magnum-test-keystone-")
        self.env = {}

    def start(self):
        """True when it runs, False when its packages are not installed."""
        t0 = time.time()
        try:
            p = subprocess.run([FIXTURE, "start", self.dir], capture_output=True, text=True,
                               timeout=300, stdin=subprocess.DEVNULL,
                               env=dict(os.environ, KEYSTONE_FIXTURE_OWNER=str(os.getpid())))
        except BaseException:
            self.stop()
            raise
        if p.returncode == 77:
            self.stop()
            sys.stderr.write(p.stderr)
            return False
        if p.returncode != 0:
            self.stop()
            raise RuntimeError("keystone_fixture.sh start failed (%d):\n%s%s" % (
                p.returncode, p.stdout[-3000:], p.stderr[-5000:]))
        with open(os.path.join(self.dir, "keystone.env")) as f:
            self.env = dict(line.strip().split("=", 1) for line in f if "=" in line)
        sys.stderr.write("Keystone fixture started in %.1f s (%s)\n" % (time.time() - t0,
                                                                         self.env["KS_URL"]))
        return True

    def stop(self):
        """Stop it; raise if its process, directory or port outlived the stop."""
        p = subprocess.run([FIXTURE, "stop", self.dir], capture_output=True, text=True,
                           timeout=60, stdin=subprocess.DEVNULL)
        problems = []
        if p.returncode != 0:
            problems.append("stop exited %d: %s%s" % (p.returncode, p.stdout, p.stderr))
        if os.path.exists(self.dir):
            problems.append("%s left behind" % self.dir)
        pid = self.env.get("KS_PID")
        if pid and os.path.exists("/proc/" + pid):
            with open("/proc/%s/stat" % pid) as f:
                if f.read().split(") ", 1)[-1][:1] != "Z":
                    problems.append("Keystone pid %s still runs" % pid)
        if self.env.get("KS_URL") and reachable(self.env["KS_URL"]):
            problems.append("%s still answers" % self.env["KS_URL"])
        if problems:
            raise AssertionError("Keystone fixture: " + "; ".join(problems))


FIX = None      # the KeystoneFixture this module started
KS = None       # (url, [admin, password, project]) once found


def keystone_required():
    return os.environ.get("CI") == "true" or os.environ.get("MAGNUM_TEST_REQUIRE_KEYSTONE") == "1"


def find_keystone():
    """(url, [admin, password, project]), or None when there is no real Keystone."""
    global FIX
    env = os.environ
    if env.get("MAGNUM_TEST_KEYSTONE_URL"):
        return env["MAGNUM_TEST_KEYSTONE_URL"], env["MAGNUM_TEST_KEYSTONE_ADMIN"].split(":")
    fix = KeystoneFixture()
    if fix.start():
        FIX = fix
        e = fix.env
        return e["KS_URL"], [e["KS_ADMIN_USER"], e["KS_ADMIN_PASSWORD"], e["KS_ADMIN_PROJECT"]]
    # No packages here: an anchor's Keystone that already runs (developer machines).
    if reachable("http://127.0.0.1:17000/v3"):
        return "http://127.0.0.1:17000/v3", ["admin", "adminpass", "admin"]
    if reachable("http://127.0.0.1:15000/v3"):
        return "http://127.0.0.1:15000/v3", ["admin", "admin", "admin"]
    return None


def tearDownModule():
    global FIX
    if FIX:
        fix, FIX = FIX, None
        fix.stop()


class RealKeystone(mglib.TestCase):
    AUTH = "keystone"

    @classmethod
    def setUpClass(cls):
        global KS
        KS = find_keystone()
        if KS is None:
            why = ("real Keystone not installed (scripts/deps.sh installs python3-keystone, "
                   "uwsgi-core and uwsgi-plugin-python3)")
            if keystone_required():
                raise RuntimeError(why + "; required under CI")
            print("skipped: " + why, file=sys.stderr)
            raise unittest.SkipTest("skipped: " + why)
        cls.url, admin = KS
        cls.admin_tok, cls.admin_doc = ks_token(cls.url, admin[0], admin[1], admin[2])
        cls.created = []
        s = uuid.uuid4().hex[:6]
        try:
            cls.p1 = cls.make("projects", {"project": {"name": "mt-alpha-" + s,
                                                       "domain_id": "default"}})
            cls.p2 = cls.make("projects", {"project": {"name": "mt-beta-" + s,
                                                       "domain_id": "default"}})
            cls.roles = {}
            for role in ("member", "reader"):
                st, _, doc = call("GET", cls.url + "/roles?name=" + role,
                                  headers={"X-Auth-Token": cls.admin_tok})
                assert st == 200 and len(doc["roles"]) == 1, (st, doc)
                cls.roles[role] = doc["roles"][0]["id"]
            cls.users = {}
            cls.uids = {}
            for name, proj, role in (("ann", cls.p1, "member"), ("ben", cls.p2, "member"),
                                     ("rea", cls.p1, "reader"), ("tim", cls.p1, "member")):
                uid = cls.make("users", {"user": {"name": "mt-%s-%s" % (name, s),
                                                  "password": "pw-" + s,
                                                  "domain_id": "default"}})
                cls.grant(proj, uid["id"], role)
                cls.users[name] = ("mt-%s-%s" % (name, s), "pw-" + s, proj["name"])
                cls.uids[name] = uid["id"]
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
    def grant(cls, proj, uid, role, method="PUT"):
        st, _, doc = call(method, "%s/projects/%s/users/%s/roles/%s" % (
            cls.url, proj["id"], uid, cls.roles[role]), headers={"X-Auth-Token": cls.admin_tok})
        if st != 204:
            raise RuntimeError("Keystone %s role %s: %s %s" % (method, role, st, doc))

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

    def tok(self, who, project=True):
        name, pw, proj = self.users[who]
        return ks_token(self.url, name, pw, proj if project is True else project)

    def assertRefused(self, token, msg=None):
        r = self.mg.request("GET", "/v1/bays", headers={"X-Auth-Token": token})
        self.assertStatus(r, 401, msg)
        self.assertEqual(r.json["error"]["code"], 401)
        self.assertEqual(r.headers.get("www-authenticate"), 'Keystone uri="%s"' % self.url)

    def test_tokens_and_tenancy(self):
        ann, ann_doc = self.tok("ann")
        ben, ben_doc = self.tok("ben")
        rea, rea_doc = self.tok("rea")
        p1, p2 = self.p1["id"], self.p2["id"]
        self.assertEqual(ann_doc["project"]["id"], p1)
        self.assertEqual(ben_doc["project"]["id"], p2)
        self.assertEqual([r["name"] for r in rea_doc["roles"]], ["reader"])
        self.assertStatus(self.api("GET", "/v1/bays", token=ann), 200)
        # The project and user from Keystone own what the user creates.
        r = self.api("POST", "/image/v2/images", {"name": "ks-img", "os_distro": "debian"},
                     token=ann)
        self.assertStatus(r, 201)
        self.assertEqual(r.json["owner"], p1)
        r = self.api("POST", "/v2.1/os-keypairs", {"keypair": {
            "name": "ks-key", "public_key": PUBKEY}}, token=ann)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["keypair"]["user_id"], self.uids["ann"])
        body = {"name": "ks-model", "coe": "swarm", "image_id": "ks-img", "keypair_id": "ks-key"}
        # Keystone's reader role reads, member writes.
        self.assertStatus(self.api("POST", "/v1/baymodels", body, token=rea), 403)
        r = self.api("POST", "/v1/baymodels", body, token=ann)
        self.assertStatus(r, 201)
        u = r.json["uuid"]
        r = self.api("GET", "/v1/clustertemplates/" + u, token=ann)
        self.assertStatus(r, 200)
        self.assertEqual((r.json["project_id"], r.json["user_id"]), (p1, self.uids["ann"]))
        self.assertStatus(self.api("GET", "/v1/baymodels/" + u, token=rea), 200)
        self.assertStatus(self.api("GET", "/v1/baymodels/" + u, token=ben), 404)
        names = lambda t: [m["name"] for m in self.api("GET", "/v1/baymodels", token=t)
                           .json["baymodels"]]
        self.assertEqual(names(ann), ["ks-model"])
        self.assertEqual(names(ben), [])
        self.assertStatus(self.api("DELETE", "/v1/baymodels/" + u, token=ben), 404)
        self.assertStatus(self.api("DELETE", "/v1/baymodels/" + u, token=rea), 403)
        self.assertStatus(self.api("GET", "/v1/baymodels/" + u, token=self.admin_tok), 200)
        self.assertStatus(self.api("GET", "/v1/mservices", token=ann), 403)
        self.assertStatus(self.api("GET", "/v1/mservices", token=self.admin_tok), 200)
        # Tenancy follows the token's scope: ben with a role in alpha reads there.
        self.grant(self.p1, self.uids["ben"], "reader")
        ben1, ben1_doc = self.tok("ben", self.p1["name"])
        self.assertEqual(ben1_doc["project"]["id"], p1)
        self.assertStatus(self.api("GET", "/v1/baymodels/" + u, token=ben1), 200)
        self.assertStatus(self.api("GET", "/v1/baymodels/" + u, token=ben), 404)
        self.assertStatus(self.api("DELETE", "/v1/baymodels/" + u, token=ben1), 403)
        self.assertStatus(self.api("DELETE", "/v1/baymodels/" + u, token=ann), 204)
        self.assertStatus(self.api("GET", "/v1/baymodels/" + u, token=ann), 404)
        log = fulllog(self.mg)
        for t in (ann, ben, ben1, rea, self.admin_tok):
            self.assertNotIn(t, log)

    def test_bad_tokens(self):
        # No token: the 401 names the real Keystone, which answers there.
        r = self.mg.request("GET", "/v1/bays")
        self.assertStatus(r, 401)
        self.assertEqual(r.headers.get("www-authenticate"), 'Keystone uri="%s"' % self.url)
        st, _, doc = call("GET", self.url)
        self.assertEqual((st, doc["version"]["id"][:2]), (200, "v3"))
        ann, _ = self.tok("ann")
        # Bogus, tampered, truncated, oversized: Keystone (or magnumd) refuses them all.
        mid = len(ann) // 2
        tampered = ann[:mid] + ("A" if ann[mid] != "A" else "B") + ann[mid + 1:]
        for bad in ("bogus", tampered, ann[:-4], ann + "x", "x" * 9000):
            self.assertRefused(bad, "token %r..." % bad[:20])
        self.assertStatus(self.api("GET", "/v1/bays", token=ann), 200)
        # An unscoped token has no project: refused.
        un, un_doc = self.tok("ann", project=None)
        self.assertNotIn("project", un_doc)
        self.assertRefused(un)
        # Revoked in Keystone, or its user deleted: refused once the cache (3 s) is gone.
        ben, _ = self.tok("ben")
        tim, _ = self.tok("tim")
        self.assertStatus(self.api("GET", "/v1/bays", token=ben), 200)
        self.assertStatus(self.api("GET", "/v1/bays", token=tim), 200)
        st, _, _ = call("DELETE", self.url + "/auth/tokens",
                        headers={"X-Auth-Token": self.admin_tok, "X-Subject-Token": ben})
        self.assertEqual(st, 204)
        st, _, _ = call("DELETE", "%s/users/%s" % (self.url, self.uids["tim"]),
                        headers={"X-Auth-Token": self.admin_tok})
        self.assertEqual(st, 204)
        self.created.remove(("users", self.uids["tim"]))
        time.sleep(3.2)
        self.assertRefused(ben)
        self.assertRefused(tim)
        self.assertStatus(self.api("GET", "/v1/bays", token=ann), 200)
        log = fulllog(self.mg)
        for t in (ann, ben, tim, un, tampered):
            self.assertNotIn(t, log)

    def test_without_service_user(self):
        """No (working) service user: each token validates itself."""
        ann, _ = self.tok("ann")
        for extra in ("", "username = %s\npassword = wrong\n" % KS[1][0]):
            conf = ("[keystone_authtoken]\nwww_authenticate_uri = %s\n%s" % (self.url, extra))
            with mglib.Magnumd(auth="keystone", extra_conf=conf) as mg:
                self.assertStatus(mg.request("GET", "/v1/bays", headers={"X-Auth-Token": ann}),
                                  200)
                r = mg.request("GET", "/v1/bays", headers={"X-Auth-Token": "bogus"})
                self.assertStatus(r, 401)
                self.assertEqual(r.headers.get("www-authenticate"),
                                 'Keystone uri="%s"' % self.url)
                log = fulllog(mg)
                self.assertEqual("refuses the service user" in log, bool(extra))
                self.assertNotIn(ann, log)
                mg.stop()
                self.assertIsNone(mg.exit_problem)

    def test_auth_url_only(self):
        """auth_url alone: it validates tokens and is the Keystone a 401 names."""
        ann, _ = self.tok("ann")
        conf = ("[keystone_authtoken]\nauth_url = %s\nusername = %s\npassword = %s\n"
                "project_name = %s\n" % (self.url, KS[1][0], KS[1][1], KS[1][2]))
        with mglib.Magnumd(auth="keystone", extra_conf=conf) as mg:
            r = mg.request("GET", "/v1/bays")
            self.assertStatus(r, 401)
            self.assertEqual(r.headers.get("www-authenticate"), 'Keystone uri="%s"' % self.url)
            self.assertStatus(mg.request("GET", "/v1/bays", headers={"X-Auth-Token": ann}), 200)
            self.assertNotIn("refuses the service user", fulllog(mg))
            mg.stop()
            self.assertIsNone(mg.exit_problem)


if __name__ == "__main__":
    mglib.main()
