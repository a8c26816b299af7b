#!/usr/bin/env python3
"""auth_strategy = keystone against a real Keystone (Debian's, started by
../shared/anchors): tokens validated by Keystone, projects and roles mapped to
tenancy, bad tokens refused.

Which Keystone: $MAGNUM_TEST_KEYSTONE_URL (with ..._ADMIN/_USER/_OTHER as
name:password:project), else a running anchor (magnum anchor on 127.0.0.1:15000,
heat anchor on :17000); else, with MAGNUM_TEST_KEYSTONE=1, the heat anchor is
installed and started here and stopped afterwards; otherwise the test is skipped
and says why."""
import json
import os
import subprocess
import unittest
import urllib.request

import mglib
from fixtures import PUBKEY

ANCHORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared",
                       "anchors")


def reachable(url):
    try:
        urllib.request.urlopen(url, timeout=2).read()
        return True
    except Exception:
        return False


def find_keystone():
    env = os.environ
    if env.get("MAGNUM_TEST_KEYSTONE_URL"):
        return (env["MAGNUM_TEST_KEYSTONE_URL"], env["MAGNUM_TEST_KEYSTONE_ADMIN"].split(":"),
                env["MAGNUM_TEST_KEYSTONE_USER"].split(":"),
                env["MAGNUM_TEST_KEYSTONE_OTHER"].split(":"), None)
    if reachable("http://127.0.0.1:15000/v3"):
        return ("http://127.0.0.1:15000/v3", ["admin", "admin", "admin"],
                ["demo", "demo", "demo"], ["other", "other", "other"], None)
    if reachable("http://127.0.0.1:17000/v3"):
        return ("http://127.0.0.1:17000/v3", ["admin", "adminpass", "admin"],
                ["demo", "demopass", "demo"], None, None)
    if env.get("MAGNUM_TEST_KEYSTONE") == "1":
        subprocess.run([os.path.join(ANCHORS, "heat", "install.sh")], check=True)
        out = subprocess.run([os.path.join(ANCHORS, "heat", "start.sh")], check=True,
                             capture_output=True, text=True).stdout
        state = out.strip().splitlines()[-1].split()[-1]
        return ("http://127.0.0.1:17000/v3", ["admin", "adminpass", "admin"],
                ["demo", "demopass", "demo"], None, state)
    return None


KS = find_keystone()


def ks_token(url, name, password, project):
    body = json.dumps({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": name, "domain": {"id": "default"}, "password": password}}},
        "scope": {"project": {"name": project, "domain": {"id": "default"}}}}}).encode()
    req = urllib.request.Request(url + "/auth/tokens", body,
                                 {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.headers["X-Subject-Token"], json.loads(r.read())["token"]


@unittest.skipUnless(KS, "skipped: no real Keystone running (start ../shared/anchors/magnum or "
                         "heat, or set MAGNUM_TEST_KEYSTONE=1 to install and start one)")
class Keystone(mglib.TestCase):
    AUTH = "keystone"

    @classmethod
    def setUpClass(cls):
        url, admin = KS[0], KS[1]
        cls.EXTRA_CONF = ("[keystone_authtoken]\nwww_authenticate_uri = %s\nusername = %s\n"
                          "password = %s\nproject_name = %s\ntoken_cache_time = 5\n"
                          % (url, admin[0], admin[1], admin[2]))
        cls.mg = mglib.Magnumd(auth="keystone", extra_conf=cls.EXTRA_CONF)
        cls.mg.start()
        cls.token = None

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        if KS and KS[4]:
            subprocess.run([os.path.join(ANCHORS, "heat", "stop.sh"), KS[4], "--rm"])

    def test_tokens_and_tenancy(self):
        url, admin, user, other = KS[0], KS[1], KS[2], KS[3]
        tok, body = ks_token(url, *user)
        self.assertStatus(self.mg.request("GET", "/v1/bays"), 401)
        self.assertStatus(self.mg.request("GET", "/v1/bays", headers={"X-Auth-Token": "bogus"}),
                          401)
        r = self.api("GET", "/v1/bays", token=tok)
        self.assertStatus(r, 200)
        # The project from Keystone scopes what the user creates.
        r = self.api("POST", "/image/v2/images", {"name": "ks-img", "os_distro": "debian"},
                     token=tok)
        self.assertStatus(r, 201)
        self.assertEqual(r.json["owner"], body["project"]["id"])
        self.assertIn(self.api("POST", "/v2.1/os-keypairs", {"keypair": {
            "name": "ks-key", "public_key": PUBKEY}}, token=tok).status, (200, 409))
        r = self.api("POST", "/v1/baymodels", {"name": "ks-model", "coe": "swarm",
                                                "image_id": "ks-img", "keypair_id": "ks-key"},
                     token=tok)
        self.assertStatus(r, 201)
        uuid = r.json["uuid"]
        for _ in range(3):        # cached validations answer the same
            self.assertStatus(self.api("GET", "/v1/baymodels/" + uuid, token=tok), 200)
        if other:
            otok, _ = ks_token(url, *other)
            self.assertStatus(self.api("GET", "/v1/baymodels/" + uuid, token=otok), 404)
        atok, _ = ks_token(url, *admin)
        self.assertStatus(self.api("GET", "/v1/baymodels/" + uuid, token=atok), 200)
        self.assertStatus(self.api("GET", "/v1/mservices", token=tok), 403)
        self.assertStatus(self.api("GET", "/v1/mservices", token=atok), 200)
        self.assertStatus(self.api("DELETE", "/v1/baymodels/" + uuid, token=tok), 204)
        self.assertNotIn(tok, self.mg.logtext())


if __name__ == "__main__":
    mglib.main()
