#!/usr/bin/env python3
"""The built-in identity: bootstrap and openrc, the Keystone v3 subset (token
issue / validate / revoke / expiry, scoping, catalog, projects, users, roles),
role mapping and tenancy through real tokens, the magnumd admin commands, and
tokens never logged."""
import hashlib
import os
import re
import sqlite3
import stat
import subprocess
import time

import mglib
from fixtures import catalogue

SERVICES = {"container-infra": "", "image": "/image", "compute": "/v2.1",
            "network": "/network", "identity": "/v3"}


def pw_auth(user, password, project=None, domain="Default", user_id=None, project_id=None,
            scope=None):
    u = {"id": user_id} if user_id else {"name": user, "domain": {"name": domain}}
    u["password"] = password
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": u}}}}
    if project_id:
        body["auth"]["scope"] = {"project": {"id": project_id}}
    elif project:
        body["auth"]["scope"] = {"project": {"name": project, "domain": {"name": domain}}}
    if scope is not None:
        body["auth"]["scope"] = scope
    return body


class Identity(mglib.TestCase):
    AUTH = "builtin"
    EXTRA_CONF = "[DEFAULT]\ndebug = true\n"      # tokens stay out of even the debug log

    # -- helpers --
    def issue(self, body, status=201):
        r = self.mg.request("POST", "/v3/auth/tokens", body)
        self.assertStatus(r, status)
        return r

    def ks_error(self, r, code):
        self.assertStatus(r, code)
        self.assertEqual(r.json["error"]["code"], code, r)
        self.assertTrue(r.json["error"]["title"])
        self.assertTrue(r.json["error"]["message"])

    def admin_pw(self):
        return self.mg.openrc()["OS_PASSWORD"]

    def user(self, name, project, role="member"):
        """A user with a role on a new project (made with the admin commands)."""
        self.mg.cmd("project-create", project, check=False)
        self.mg.cmd("user-create", name, "--password", "pw-" + name, "--project", project,
                    "--role", role)
        return self.mg.token(name, "pw-" + name, project)

    # -- bootstrap --
    def test_openrc_written_0600(self):
        path = os.path.join(self.mg.dir, "state", "admin-openrc.sh")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        rc = self.mg.openrc()
        self.assertEqual(rc["OS_AUTH_URL"], self.mg.url + "/v3")
        self.assertEqual(rc["OS_USERNAME"], "admin")
        self.assertEqual(rc["OS_PROJECT_NAME"], "admin")
        self.assertRegex(rc["OS_PASSWORD"], r"^[0-9a-f]{32}$")
        for k, v in (("OS_USER_DOMAIN_NAME", "Default"), ("OS_PROJECT_DOMAIN_NAME", "Default"),
                     ("OS_IDENTITY_API_VERSION", "3"), ("OS_REGION_NAME", "RegionOne"),
                     ("OS_INTERFACE", "public"), ("OS_AUTH_TYPE", "password")):
            self.assertEqual(rc[k], v)
        # The file works when sourced by a shell.
        out = subprocess.run(["sh", "-c", '. "$0" && echo "$OS_USERNAME/$OS_AUTH_URL"', path],
                             capture_output=True, text=True).stdout.strip()
        self.assertEqual(out, "admin/%s/v3" % self.mg.url)
        # Only a hash is stored, never the password itself.
        db = os.path.join(self.mg.dir, "state", "magnum.sqlite")
        if not self.mg.db_url:
            with open(db, "rb") as f:
                data = f.read()
            self.assertNotIn(rc["OS_PASSWORD"].encode(), data)
            # The generated admin secret (128 random bits) takes the fast sha256crypt;
            # passwords people choose keep yescrypt.
            self.mg.cmd("user-create", "hashcheck", "--password", "pw-hashcheck")
            with sqlite3.connect(db) as c:
                h = dict(c.execute("SELECT name, password_hash FROM users"))
            self.assertRegex(h["admin"], r"^\$5\$rounds=1000\$")
            self.assertTrue(h["hashcheck"].startswith("$y$"), h["hashcheck"])

    def test_admin_roles(self):
        r = self.issue(pw_auth("admin", self.admin_pw(), "admin"))
        self.assertEqual(sorted(x["name"] for x in r.json["token"]["roles"]),
                         ["admin", "member", "reader"])

    # -- the Keystone v3 subset --
    def test_version_document(self):
        r = self.mg.request("GET", "/v3")
        self.assertStatus(r, 200)
        v = r.json["version"]
        self.assertEqual(v["id"], "v3.14")
        self.assertEqual(v["status"], "stable")
        self.assertEqual(v["links"], [{"rel": "self", "href": self.mg.url + "/v3/"}])
        self.assertEqual(v["media-types"][0]["type"],
                         "application/vnd.openstack.identity-v3+json")
        self.assertStatus(self.mg.request("GET", "/v3/"), 200)
        # Magnum's root document is untouched.
        self.assertIn("versions", self.mg.request("GET", "/").json)

    def test_token_issue_and_catalog(self):
        r = self.issue(pw_auth("admin", self.admin_pw(), "admin"))
        tok = r.headers["x-subject-token"]
        self.assertRegex(tok, r"^[0-9a-f]{64}$")
        t = r.json["token"]
        self.assertEqual(t["methods"], ["password"])
        self.assertEqual(t["user"]["name"], "admin")
        self.assertEqual(t["user"]["domain"], {"id": "default", "name": "Default"})
        self.assertEqual(t["project"]["name"], "admin")
        self.assertEqual(t["project"]["domain"]["id"], "default")
        self.assertRegex(t["expires_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        self.assertRegex(t["issued_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        self.assertGreater(t["expires_at"], t["issued_at"])
        self.assertEqual(len(t["audit_ids"]), 1)
        types = {s["type"]: s for s in t["catalog"]}
        self.assertEqual(sorted(types), sorted(SERVICES))
        self.assertEqual(types["container-infra"]["name"], "magnum")
        for ty, path in SERVICES.items():
            eps = types[ty]["endpoints"]
            self.assertEqual(sorted(e["interface"] for e in eps), ["admin", "internal", "public"])
            for e in eps:
                self.assertEqual(e["url"], self.mg.url + path)
                self.assertEqual(e["region"], "RegionOne")
                self.assertEqual(e["region_id"], "RegionOne")
        # The token works on Magnum's API and validates to the same document.
        self.assertStatus(self.api("GET", "/v1/clusters", token=tok), 200)
        h = {"X-Auth-Token": tok, "X-Subject-Token": tok}
        v = self.mg.request("GET", "/v3/auth/tokens", headers=h)
        self.assertStatus(v, 200)
        self.assertEqual(v.headers["x-subject-token"], tok)
        self.assertEqual(v.json["token"]["audit_ids"], t["audit_ids"])
        self.assertEqual(v.json["token"]["expires_at"], t["expires_at"])
        self.assertEqual(v.json["token"]["project"]["id"], t["project"]["id"])
        self.assertIn("catalog", v.json["token"])
        v = self.mg.request("GET", "/v3/auth/tokens?nocatalog", headers=h)
        self.assertNotIn("catalog", v.json["token"])
        hd = self.mg.request("HEAD", "/v3/auth/tokens", headers=h)
        self.assertStatus(hd, 200)
        self.assertEqual(hd.body, b"")

    def test_validate_and_revoke(self):
        admin = self.mg.admin_token()
        carl = self.user("carl", "cproj")
        dave = self.user("dave", "cproj")
        # X-Auth-Token is needed; unknown subject 404; others' tokens 403 (not for admins).
        r = self.mg.request("GET", "/v3/auth/tokens", headers={"X-Subject-Token": carl})
        self.ks_error(r, 401)
        self.assertIn("www-authenticate", r.headers)
        self.ks_error(self.mg.request("GET", "/v3/auth/tokens", headers={
            "X-Auth-Token": carl, "X-Subject-Token": "0" * 64}), 404)
        self.ks_error(self.mg.request("GET", "/v3/auth/tokens", headers={
            "X-Auth-Token": carl}), 400)
        self.ks_error(self.mg.request("GET", "/v3/auth/tokens", headers={
            "X-Auth-Token": dave, "X-Subject-Token": carl}), 403)
        self.ks_error(self.mg.request("DELETE", "/v3/auth/tokens", headers={
            "X-Auth-Token": dave, "X-Subject-Token": carl}), 403)
        self.assertStatus(self.mg.request("GET", "/v3/auth/tokens", headers={
            "X-Auth-Token": admin, "X-Subject-Token": carl}), 200)
        # Revoke (by the admin): gone everywhere; another token of the same user lives on.
        carl2 = self.mg.token("carl", "pw-carl", "cproj")
        self.assertStatus(self.mg.request("DELETE", "/v3/auth/tokens", headers={
            "X-Auth-Token": admin, "X-Subject-Token": carl}), 204)
        self.ks_error(self.mg.request("GET", "/v3/auth/tokens", headers={
            "X-Auth-Token": admin, "X-Subject-Token": carl}), 404)
        self.assertStatus(self.api("GET", "/v1/clusters", token=carl), 401)
        self.assertStatus(self.api("GET", "/v1/clusters", token=carl2), 200)
        # Validation echoes the subject token.
        r = self.mg.request("GET", "/v3/auth/tokens", headers={
            "X-Auth-Token": admin, "X-Subject-Token": carl2})
        self.assertEqual(r.headers["x-subject-token"], carl2)
        # The store keeps the SHA-256 of each token, never the token.
        if not self.mg.db_url:
            db = os.path.join(self.mg.dir, "state", "magnum.sqlite")
            with sqlite3.connect(db) as c:
                ids = {row[0] for row in c.execute("SELECT id FROM tokens")}
            self.assertIn(hashlib.sha256(carl2.encode()).hexdigest(), ids)
            self.assertNotIn(carl2, ids)
            self.assertNotIn(admin, ids)
        # A user revokes its own token.
        self.assertStatus(self.mg.request("DELETE", "/v3/auth/tokens", headers={
            "X-Auth-Token": carl2, "X-Subject-Token": carl2}), 204)
        self.assertStatus(self.api("GET", "/v1/clusters", token=carl2), 401)

    def test_bad_credentials_401(self):
        for body in (pw_auth("admin", "wrong", "admin"), pw_auth("nobody", "x", "admin"),
                     pw_auth("admin", self.admin_pw(), "admin", domain="other"),
                     pw_auth(None, self.admin_pw(), user_id="0" * 32)):
            r = self.issue(body, 401)
            self.ks_error(r, 401)
            self.assertEqual(r.json["error"]["title"], "Unauthorized")
            self.assertNotIn("x-subject-token", r.headers)
        self.ks_error(self.issue({"auth": {}}, 400), 400)
        self.ks_error(self.issue({"auth": {"identity": {"methods": ["totp"], "totp": {}}}},
                                 400), 400)
        self.ks_error(self.mg.request("POST", "/v3/auth/tokens", raw="{nope"), 400)
        for tok in ("f" * 64, "x", "' OR 1=1 --"):
            self.assertStatus(self.mg.request("GET", "/v1/bays", headers={"X-Auth-Token": tok}),
                              401)
        r = self.mg.request("GET", "/v1/bays")
        self.assertStatus(r, 401)
        self.assertEqual(r.json["error"]["code"], 401)
        self.assertEqual(r.headers["www-authenticate"], 'Keystone uri="%s/v3"' % self.mg.url)

    def test_scoping(self):
        self.mg.cmd("project-create", "sc1")
        self.mg.cmd("project-create", "sc2")
        out = self.mg.cmd("user-create", "sam", "--password", "pw-sam", "--project", "sc1").stdout
        uid = re.search(r"id ([0-9a-f]{32})", out).group(1)
        self.mg.cmd("user-create", "nodef", "--password", "pw-nodef")
        self.mg.cmd("role-add", "nodef", "sc2", "reader")
        t = self.issue(pw_auth("sam", "pw-sam", "sc1")).json["token"]
        pid = t["project"]["id"]
        # By project id, by user id.
        t2 = self.issue(pw_auth(None, "pw-sam", user_id=uid, project_id=pid)).json["token"]
        self.assertEqual(t2["project"]["name"], "sc1")
        self.assertEqual(t2["user"]["name"], "sam")
        # Unscoped request: the default project if the user has a role there...
        t3 = self.issue(pw_auth("sam", "pw-sam")).json["token"]
        self.assertEqual(t3["project"]["id"], pid)
        # ...else a real unscoped token: no project, roles or catalog.
        r = self.issue(pw_auth("nodef", "pw-nodef"))
        un = r.headers["x-subject-token"]
        for k in ("project", "roles", "catalog"):
            self.assertNotIn(k, r.json["token"])
        # Magnum needs a project: an unscoped token reads and writes nothing.
        self.assertIn(self.api("GET", "/v1/clusters", token=un).status, (401, 403))
        # The token method rescopes an unscoped token, without outliving it.
        r = self.issue({"auth": {"identity": {"methods": ["token"], "token": {"id": un}},
                                 "scope": {"project": {"name": "sc2",
                                                       "domain": {"id": "default"}}}}})
        t4 = r.json["token"]
        self.assertEqual(t4["methods"], ["token"])
        self.assertEqual(t4["project"]["name"], "sc2")
        self.assertEqual([x["name"] for x in t4["roles"]], ["reader"])
        self.assertLessEqual(t4["expires_at"], self.mg.request("GET", "/v3/auth/tokens", headers={
            "X-Auth-Token": un, "X-Subject-Token": un}).json["token"]["expires_at"])
        # No role on the project, unknown project, domain scope, bad token: 401.
        self.ks_error(self.issue(pw_auth("sam", "pw-sam", "sc2"), 401), 401)
        self.ks_error(self.issue(pw_auth("sam", "pw-sam", "nope"), 401), 401)
        self.ks_error(self.issue(pw_auth("sam", "pw-sam", scope={
            "domain": {"id": "default"}}), 401), 401)
        self.ks_error(self.issue({"auth": {"identity": {"methods": ["token"], "token": {
            "id": "0" * 64}}}}, 401), 401)

    def test_roles_and_tenancy(self):
        alice = self.user("alice", "alpha")
        bob = self.user("bob", "beta")
        rita = self.user("rita", "alpha", role="reader")
        catalogue(self, token=alice)
        catalogue(self, token=bob)
        body = {"coe": "swarm", "image_id": "deb", "keypair_id": "k1", "name": "am"}
        # reader reads but cannot write (403 with Magnum's policy text).
        self.assertError(self.api("POST", "/v1/baymodels", body, token=rita), 403,
                         "baymodel:create")
        r = self.api("POST", "/v1/baymodels", body, token=alice)
        self.assertStatus(r, 201)
        bm = r.json
        self.assertStatus(self.api("GET", "/v1/baymodels/" + bm["uuid"], token=rita), 200)
        self.assertStatus(self.api("DELETE", "/v1/baymodels/" + bm["uuid"], token=rita), 403)
        # Another project neither sees nor changes it.
        self.assertStatus(self.api("GET", "/v1/baymodels/" + bm["uuid"], token=bob), 404)
        self.assertStatus(self.api("DELETE", "/v1/baymodels/" + bm["uuid"], token=bob), 404)
        self.assertEqual(self.api("GET", "/v1/baymodels", token=bob).json["baymodels"], [])
        # The admin (another project) acts across projects.
        self.assertStatus(self.api("GET", "/v1/baymodels/" + bm["uuid"]), 200)
        names = [m["name"] for m in self.api("GET", "/v1/baymodels", token=alice)
                 .json["baymodels"]]
        self.assertEqual(names, ["am"])
        projects = self.api("GET", "/v3/auth/projects", token=alice).json["projects"]
        self.assertEqual([p["name"] for p in projects], ["alpha"])
        self.assertStatus(self.api("DELETE", "/v1/baymodels/" + bm["uuid"], token=alice), 204)

    def test_v3_admin_calls(self):
        admin = self.mg.admin_token()
        vic = self.user("vic", "vproj")
        # Non-admins may not create or list identities.
        self.ks_error(self.api("POST", "/v3/projects", {"project": {"name": "x"}}, token=vic),
                      403)
        self.ks_error(self.api("POST", "/v3/users", {"user": {"name": "x", "password": "y"}},
                               token=vic), 403)
        self.ks_error(self.api("GET", "/v3/users", token=vic), 403)
        # The admin creates a project, a user and a grant (as python-openstackclient does).
        r = self.api("POST", "/v3/projects", {"project": {
            "name": "web", "description": "via API", "enabled": True}}, token=admin)
        self.assertStatus(r, 201)
        p = r.json["project"]
        self.assertEqual((p["name"], p["description"], p["domain_id"]),
                         ("web", "via API", "default"))
        self.ks_error(self.api("POST", "/v3/projects", {"project": {"name": "web"}},
                               token=admin), 409)
        self.ks_error(self.api("POST", "/v3/projects", {"project": {}}, token=admin), 400)
        r = self.api("POST", "/v3/users", {"user": {
            "name": "wes", "password": "pw-wes", "default_project_id": p["id"]}}, token=admin)
        self.assertStatus(r, 201)
        u = r.json["user"]
        self.assertEqual((u["name"], u["default_project_id"], u["enabled"]),
                         ("wes", p["id"], True))
        self.assertNotIn("password", u)
        self.ks_error(self.api("POST", "/v3/users", {"user": {"name": "wes", "password": "x"}},
                               token=admin), 409)
        self.ks_error(self.api("POST", "/v3/users", {"user": {
            "name": "w2", "password": "x", "default_project_id": "nope"}}, token=admin), 400)
        # No role yet: no token for the project.
        self.issue(pw_auth("wes", "pw-wes", "web"), 401)
        grant = "/v3/projects/%s/users/%s/roles/" % (p["id"], u["id"])
        self.ks_error(self.api("PUT", grant + "member", token=vic), 403)
        self.ks_error(self.api("PUT", grant + "superuser", token=admin), 404)
        self.assertStatus(self.api("PUT", grant + "member", token=admin), 204)
        wes = self.issue(pw_auth("wes", "pw-wes", "web")).headers["x-subject-token"]
        ra = self.api("GET", "/v3/role_assignments?include_names&user.id=" + u["id"],
                      token=admin).json["role_assignments"]
        self.assertEqual([(a["role"]["name"], a["user"]["name"], a["scope"]["project"]["name"])
                          for a in ra], [("member", "wes", "web")])
        self.assertEqual(len(self.api("GET", "/v3/role_assignments?user.id=" + u["id"],
                                      token=wes).json["role_assignments"]), 1)
        self.ks_error(self.api("GET", "/v3/role_assignments", token=wes), 403)
        self.assertGreaterEqual(len(self.api("GET", "/v3/role_assignments?role.id=admin",
                                             token=admin).json["role_assignments"]), 1)
        self.assertStatus(self.api("GET", "/v1/clusters", token=wes), 200)
        # Lookups by id and by name (what openstackclient's find does).
        self.assertEqual(self.api("GET", "/v3/projects/" + p["id"], token=admin)
                         .json["project"]["name"], "web")
        self.ks_error(self.api("GET", "/v3/projects/web", token=admin), 404)
        self.assertEqual([x["id"] for x in self.api("GET", "/v3/projects?name=web", token=admin)
                          .json["projects"]], [p["id"]])
        self.assertEqual([x["id"] for x in self.api("GET", "/v3/users?name=wes", token=admin)
                          .json["users"]], [u["id"]])
        self.assertEqual(self.api("GET", "/v3/users/" + u["id"], token=wes).json["user"]["name"],
                         "wes")
        self.ks_error(self.api("GET", "/v3/users/" + u["id"], token=vic), 403)
        self.assertEqual([x["name"] for x in self.api("GET", "/v3/users/%s/projects" % u["id"],
                                                      token=wes).json["projects"]], ["web"])
        self.ks_error(self.api("GET", "/v3/users/%s/projects" % u["id"], token=vic), 403)
        self.assertEqual(sorted(x["name"] for x in self.api("GET", "/v3/roles", token=vic)
                                .json["roles"]), ["admin", "member", "reader"])
        self.assertEqual(self.api("GET", "/v3/roles/reader", token=vic).json["role"]["name"],
                         "reader")
        self.assertEqual(len(self.api("GET", "/v3/roles?name=member", token=vic)
                             .json["roles"]), 1)
        all_projects = [x["name"] for x in self.api("GET", "/v3/projects", token=admin)
                        .json["projects"]]
        self.assertIn("web", all_projects)
        self.assertIn("admin", all_projects)
        self.assertEqual([x["name"] for x in self.api("GET", "/v3/projects", token=vic)
                          .json["projects"]], ["vproj"])
        # Taking the role away ends new tokens for the project.
        self.assertStatus(self.api("DELETE", grant + "member", token=admin), 204)
        self.ks_error(self.api("DELETE", grant + "member", token=admin), 404)
        self.issue(pw_auth("wes", "pw-wes", "web"), 401)

    def test_tokens_not_logged(self):
        tok = self.mg.admin_token()
        self.api("GET", "/v1/bays", token=tok)
        self.api("GET", "/v1/nothing", token=tok)
        self.api("POST", "/v1/bays", {"name": 1}, token=tok)
        self.mg.request("GET", "/v3/auth/tokens", headers={"X-Auth-Token": tok,
                                                            "X-Subject-Token": tok})
        self.mg.request("GET", "/v3/auth/tokens", headers={"X-Auth-Token": tok,
                                                            "X-Subject-Token": "a" * 64})
        self.issue(pw_auth("admin", "wrong-password-xyz", "admin"), 401)
        self.mg.request("DELETE", "/v3/auth/tokens", headers={"X-Auth-Token": tok,
                                                               "X-Subject-Token": tok})
        self.api("GET", "/v1/bays", token=tok)
        log = self.mg.logtext()
        self.assertIn("bad credentials for user admin", log)
        self.assertNotIn(tok, log)
        self.assertNotIn("a" * 64, log)
        self.assertNotIn("wrong-password-xyz", log)
        self.assertNotIn(self.admin_pw(), log)

    def test_restart_keeps_users(self):
        self.mg.cmd("project-create", "gamma")
        self.mg.cmd("user-create", "carol", "--password", "pw-carol", "--project", "gamma")
        path = os.path.join(self.mg.dir, "state", "admin-openrc.sh")
        with open(path) as f:
            before = f.read()
        tok = self.mg.token("carol", "pw-carol", "gamma")
        self.mg.stop()
        self.mg.start_again()
        # Users, passwords, tokens and the openrc survive; the admin password is unchanged.
        self.assertTrue(self.mg.token("carol", "pw-carol", "gamma"))
        self.assertStatus(self.api("GET", "/v1/clusters", token=tok), 200)
        with open(path) as f:
            self.assertEqual(f.read(), before)
        type(self).token = self.mg.admin_token()

    def test_lost_openrc_resets_admin_password(self):
        old = self.mg.openrc()["OS_PASSWORD"]
        os.unlink(os.path.join(self.mg.dir, "state", "admin-openrc.sh"))
        self.mg.stop()
        self.mg.start_again()
        new = self.mg.openrc()["OS_PASSWORD"]
        self.assertNotEqual(old, new)
        path = os.path.join(self.mg.dir, "state", "admin-openrc.sh")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.issue(pw_auth("admin", old, "admin"), 401)
        type(self).token = self.mg.admin_token()
        self.assertIn("password of user admin was reset", self.mg.logtext())
        # Still one admin user, with its roles.
        self.assertEqual(len([u for u in self.api("GET", "/v3/users?name=admin")
                              .json["users"]]), 1)
        self.assertStatus(self.api("GET", "/v1/mservices"), 200)


class Expiry(mglib.TestCase):
    AUTH = "builtin"
    EXTRA_CONF = "[builtin_auth]\ntoken_expiration = 2\n"

    def test_tokens_expire(self):
        rc = self.mg.openrc()
        r = self.mg.request("POST", "/v3/auth/tokens", pw_auth(
            rc["OS_USERNAME"], rc["OS_PASSWORD"], rc["OS_PROJECT_NAME"]))
        self.assertStatus(r, 201)
        tok = r.headers["x-subject-token"]
        self.assertStatus(self.api("GET", "/v1/clusters", token=tok), 200)
        time.sleep(2.5)
        self.assertStatus(self.api("GET", "/v1/clusters", token=tok), 401)
        fresh = self.mg.admin_token()
        self.assertStatus(self.mg.request("GET", "/v3/auth/tokens", headers={
            "X-Auth-Token": fresh, "X-Subject-Token": tok}), 404)
        # An expired token cannot be exchanged for a new one.
        self.assertStatus(self.mg.request("POST", "/v3/auth/tokens", {"auth": {"identity": {
            "methods": ["token"], "token": {"id": tok}}}}), 401)
        type(self).token = fresh


class AdminCommands(mglib.TestCase):
    AUTH = "builtin"

    def run_cmd(self, *args, code=0, stdin=None):
        p = subprocess.run([mglib.MAGNUMD, "--config", self.mg.conf] + list(args),
                           capture_output=True, text=True, timeout=60, input=stdin)
        self.assertEqual(p.returncode, code, "%s: %s%s" % (args, p.stdout, p.stderr))
        return p

    def test_usage_errors_exit_2(self):
        for args in (["user-create"], ["user-create", "x"], ["user-create", "x", "--password"],
                     ["user-create", "x", "--password", "p", "--bogus", "1"],
                     ["user-create", "x", "--password", "p", "--role", "member"],
                     ["user-create", "x", "--password", "p", "--project", "admin", "--role",
                      "root"],
                     ["project-create"], ["project-create", "a", "b"],
                     ["role-add", "a", "b"], ["role-add", "admin", "admin", "root"],
                     ["user-delete"], ["project-delete", "a", "b"], ["password-set"],
                     ["user-list", "extra"]):
            p = self.run_cmd(*args, code=2)
            self.assertIn("usage:", p.stderr)
        self.run_cmd("no-such-command", code=2)

    def test_commands(self):
        p = self.run_cmd("project-create", "ops", "--description", "Operations")
        self.assertRegex(p.stdout, r"^Created project ops \(id [0-9a-f]{32}\)$")
        self.assertIn("already exists", self.run_cmd("project-create", "ops", code=1).stderr)
        p = self.run_cmd("user-create", "olga", "--password", "pw-olga", "--project", "ops")
        self.assertIn("Created user olga", p.stdout)
        self.assertIn("role member on project ops", p.stdout)
        self.assertIn("already exists", self.run_cmd("user-create", "olga", "--password", "x",
                                                     code=1).stderr)
        self.assertIn("no project nope", self.run_cmd("user-create", "o2", "--password", "x",
                                                      "--project", "nope", code=1).stderr)
        # A password from stdin.
        self.run_cmd("user-create", "otto", "--password", "-", stdin="pw-otto\n")
        self.run_cmd("role-add", "otto", "ops", "reader")
        self.assertIn("no user nope", self.run_cmd("role-add", "nope", "ops", "reader",
                                                   code=1).stderr)
        lines = self.run_cmd("project-list").stdout.splitlines()
        self.assertTrue(lines[0].startswith("ID"))
        self.assertTrue(any(" ops " in x and "Operations" in x for x in lines))
        users = self.run_cmd("user-list").stdout
        self.assertRegex(users, r"olga\s+ops\s+ops:member,ops:reader")
        self.assertRegex(users, r"otto\s+ops:reader")
        self.assertRegex(users, r"admin\s+admin\s+admin:admin,admin:member,admin:reader")
        olga = self.mg.token("olga", "pw-olga", "ops")
        otto = self.mg.token("otto", "pw-otto", "ops")
        # password-set (option or stdin) revokes the user's tokens.
        self.assertIn("changed", self.run_cmd("password-set", "olga", "--password",
                                              "new-olga").stdout)
        self.assertStatus(self.api("GET", "/v1/clusters", token=olga), 401)
        with self.assertRaises(RuntimeError):
            self.mg.token("olga", "pw-olga", "ops")
        self.mg.token("olga", "new-olga", "ops")
        self.run_cmd("password-set", "olga", stdin="third-olga\n")
        self.mg.token("olga", "third-olga", "ops")
        self.run_cmd("password-set", "nope", "--password", "x", code=1)
        # A project that owns templates is not deleted.
        olga = self.mg.token("olga", "third-olga", "ops")
        catalogue(self, token=olga)
        r = self.api("POST", "/v1/clustertemplates", {"name": "ot", "coe": "swarm",
                                                       "image_id": "deb", "keypair_id": "k1"},
                     token=olga)
        self.assertStatus(r, 201)
        self.assertIn("still owns 1", self.run_cmd("project-delete", "ops", code=1).stderr)
        self.assertStatus(self.api("DELETE", "/v1/clustertemplates/ot", token=olga), 204)
        # user-delete removes the user and its tokens.
        self.assertIn("Deleted user otto", self.run_cmd("user-delete", "otto").stdout)
        self.assertStatus(self.api("GET", "/v1/clusters", token=otto), 401)
        self.run_cmd("user-delete", "otto", code=1)
        self.assertIn("Deleted project ops", self.run_cmd("project-delete", "ops").stdout)
        self.assertStatus(self.api("GET", "/v1/clusters", token=olga), 401)
        self.assertNotIn(" ops ", self.run_cmd("project-list").stdout)
        self.assertRegex(self.run_cmd("user-list").stdout, r"olga\s+\n")


class DisabledOutsideBuiltin(mglib.TestCase):
    """With another auth_strategy the built-in identity is not served."""
    AUTH = "noauth"

    def test_v3_404(self):
        for method, path in (("GET", "/v3"), ("POST", "/v3/auth/tokens"),
                             ("GET", "/v3/projects")):
            r = self.api(method, path, {"auth": {}} if method == "POST" else None)
            self.assertStatus(r, 404)
            self.assertEqual(r.json["error"]["code"], 404)
            self.assertIn("disabled", r.json["error"]["message"])
        self.assertFalse(os.path.exists(os.path.join(self.mg.dir, "state", "admin-openrc.sh")))


if __name__ == "__main__":
    mglib.main()
