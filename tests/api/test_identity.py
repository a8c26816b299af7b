#!/usr/bin/env python3
"""The built-in identity: bootstrap and openrc, Keystone v3 token issue /
validate / revoke, project scoping, roles, admin commands, tenancy through
real tokens, and tokens never logged."""
import os
import stat

import mglib
from fixtures import catalogue


class Identity(mglib.TestCase):
    AUTH = "builtin"

    def test_openrc_written_0600(self):
        path = os.path.join(self.mg.dir, "state", "admin-openrc.sh")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        rc = self.mg.openrc()
        self.assertEqual(rc["OS_AUTH_URL"], self.mg.url + "/v3")
        self.assertEqual(rc["OS_USERNAME"], "admin")
        self.assertGreaterEqual(len(rc["OS_PASSWORD"]), 16)

    def test_version_document(self):
        r = self.mg.request("GET", "/v3")
        self.assertStatus(r, 200)
        self.assertEqual(r.json["version"]["id"], "v3.14")

    def test_token_issue_and_catalog(self):
        rc = self.mg.openrc()
        r = self.mg.request("POST", "/v3/auth/tokens", {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "admin", "domain": {"name": "Default"}, "password": rc["OS_PASSWORD"]}}},
            "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}}}})
        self.assertStatus(r, 201)
        tok = r.headers["x-subject-token"]
        self.assertEqual(len(tok), 64)
        t = r.json["token"]
        self.assertEqual(t["project"]["name"], "admin")
        self.assertEqual(sorted(x["name"] for x in t["roles"]), ["admin", "member", "reader"])
        types = {s["type"]: s for s in t["catalog"]}
        self.assertEqual(types["container-infra"]["endpoints"][0]["url"], self.mg.url)
        for ty in ("image", "compute", "network", "identity"):
            self.assertIn(ty, types)
        # Validate, then revoke.
        h = {"X-Auth-Token": tok, "X-Subject-Token": tok}
        self.assertStatus(self.mg.request("GET", "/v3/auth/tokens", headers=h), 200)
        self.assertStatus(self.mg.request("DELETE", "/v3/auth/tokens", headers=h), 204)
        self.assertStatus(self.mg.request("GET", "/v1/bays", headers={"X-Auth-Token": tok}), 401)

    def test_bad_credentials_401(self):
        r = self.mg.request("POST", "/v3/auth/tokens", {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "admin", "domain": {"name": "Default"}, "password": "wrong"}}}}})
        self.assertStatus(r, 401)
        self.assertEqual(r.json["error"]["code"], 401)
        self.assertStatus(self.mg.request("GET", "/v1/bays",
                                          headers={"X-Auth-Token": "f" * 64}), 401)
        r = self.mg.request("GET", "/v1/bays")
        self.assertStatus(r, 401)
        self.assertIn("www-authenticate", r.headers)

    def test_users_projects_roles_and_tenancy(self):
        self.mg.cmd("project-create", "alpha")
        self.mg.cmd("project-create", "beta")
        self.mg.cmd("user-create", "alice", "--password", "pw-alice", "--project", "alpha")
        self.mg.cmd("user-create", "bob", "--password", "pw-bob", "--project", "beta")
        self.mg.cmd("user-create", "rita", "--password", "pw-rita", "--project", "alpha",
                    "--role", "reader")
        p = self.mg.cmd("user-create", "alice", "--password", "x", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("alice", self.mg.cmd("user-list").stdout)
        alice = self.mg.token("alice", "pw-alice", "alpha")
        bob = self.mg.token("bob", "pw-bob", "beta")
        rita = self.mg.token("rita", "pw-rita", "alpha")
        # alice is not in beta.
        with self.assertRaises(RuntimeError):
            self.mg.token("alice", "pw-alice", "beta")
        catalogue(self, token=alice)
        r = self.api("POST", "/v1/baymodels", {"coe": "swarm", "image_id": "deb",
                                                "keypair_id": "k1", "name": "am"}, token=alice)
        self.assertStatus(r, 201)
        bm = r.json
        self.assertStatus(self.api("GET", "/v1/baymodels/" + bm["uuid"], token=bob), 404)
        self.assertStatus(self.api("GET", "/v1/baymodels/" + bm["uuid"], token=rita), 200)
        self.assertStatus(self.api("DELETE", "/v1/baymodels/" + bm["uuid"], token=rita), 403)
        # The admin (another project) acts across projects.
        self.assertStatus(self.api("GET", "/v1/baymodels/" + bm["uuid"]), 200)
        projects = self.api("GET", "/v3/auth/projects", token=alice).json["projects"]
        self.assertEqual([p["name"] for p in projects], ["alpha"])

    def test_tokens_not_logged(self):
        tok = self.mg.admin_token()
        self.api("GET", "/v1/bays", token=tok)
        self.api("GET", "/v1/nothing", token=tok)
        self.assertNotIn(tok, self.mg.logtext())

    def test_restart_keeps_users(self):
        self.mg.cmd("project-create", "gamma")
        self.mg.cmd("user-create", "carol", "--password", "pw-carol", "--project", "gamma")
        self.mg.stop()
        self.mg.start_again()
        self.assertTrue(self.mg.token("carol", "pw-carol", "gamma"))
        type(self).token = self.mg.admin_token()


if __name__ == "__main__":
    mglib.main()
