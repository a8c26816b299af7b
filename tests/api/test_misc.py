#!/usr/bin/env python3
"""mservices (conductor heartbeat), quotas, stats, federations, credentials
and the certificate routes before the TLS issue (cluster doc §2.6-§2.11)."""
import os
import sqlite3
import time

import mglib
from fixtures import baymodel, catalogue

ADMIN = dict(user="u-admin", project="p-admin", roles="admin,member,reader")
LATEST = "container-infra latest"

def set_status(tc, uuid, status):
    """Move a cluster to a status directly in the store (nothing provisions yet)."""
    url = tc.mg.db_url
    if url and url.startswith("postgres"):
        mglib.pg_admin(url, "UPDATE clusters SET status = '%s' WHERE uuid = '%s'" % (status, uuid))
        return
    db = sqlite3.connect(os.path.join(tc.mg.dir, "state", "magnum.sqlite"), timeout=30)
    try:
        with db:
            n = db.execute("UPDATE clusters SET status = ? WHERE uuid = ?", (status, uuid)).rowcount
        tc.assertEqual(n, 1)
    finally:
        db.close()


class Misc(mglib.TestCase):
    AUTH = "noauth"

    # --- mservices ---

    def test_mservices_heartbeat(self):
        self.assertError(self.api("GET", "/v1/mservices"), 403,
                         "Policy doesn't allow magnum-service:get_all to be performed.")
        r = self.api("GET", "/v1/mservices", **ADMIN)
        self.assertStatus(r, 200)
        self.assertEqual(list(r.json), ["mservices"])        # no "next", no pagination
        svc = r.json["mservices"]
        self.assertEqual(len(svc), 1)
        self.assertEqual(set(svc[0]), {"id", "host", "binary", "state", "report_count",
                                       "disabled", "disabled_reason", "created_at",
                                       "updated_at"})
        self.assertEqual(svc[0]["id"], 1)
        self.assertEqual(svc[0]["binary"], "magnum-conductor")
        self.assertEqual(svc[0]["state"], "up")
        self.assertIs(svc[0]["disabled"], False)
        self.assertIsNone(svc[0]["disabled_reason"])
        self.assertTrue(svc[0]["host"])
        first = svc[0]["report_count"]
        self.assertGreater(first, 0)
        time.sleep(2.2)      # periodic_interval = 1 in tests
        later = self.api("GET", "/v1/mservices", **ADMIN).json["mservices"][0]
        self.assertGreater(later["report_count"], first)
        self.assertEqual(later["state"], "up")

    # --- quotas ---

    def test_quotas(self):
        self.assertError(self.api("POST", "/v1/quotas", {"project_id": "p1"}), 403,
                         "Policy doesn't allow quota:create to be performed.")
        self.assertError(self.api("POST", "/v1/quotas", {"resource": "Cluster"}, **ADMIN), 400,
                         "Must provide a valid project ID.")
        self.assertError(self.api("POST", "/v1/quotas", {"project_id": ""}, **ADMIN), 400,
                         "Must provide a valid project ID.")
        self.assertError(self.api("POST", "/v1/quotas", {"project_id": None}, **ADMIN), 400,
                         "Must provide a valid project ID.")
        self.assertError(self.api("POST", "/v1/quotas", {"project_id": "p1", "resource": "Pod"},
                                  **ADMIN), 400, "Value should be one of: Cluster")
        self.assertError(self.api("POST", "/v1/quotas", {"project_id": "p1", "hard_limit": -1},
                                  **ADMIN), 400, "hard_limit")
        self.assertError(self.api("POST", "/v1/quotas", {"project_id": "p1", "id": 5},
                                  **ADMIN), 400, "id")
        r = self.api("POST", "/v1/quotas", {"project_id": "p1", "resource": "Cluster",
                                            "hard_limit": 3}, **ADMIN)
        self.assertStatus(r, 201)
        self.assertEqual(set(r.json), {"id", "project_id", "resource", "hard_limit",
                                       "created_at", "updated_at"})
        self.assertEqual(r.json["hard_limit"], 3)
        self.assertEqual(r.json["project_id"], "p1")
        self.assertIsInstance(r.json["id"], int)
        self.assertIsNone(r.json["updated_at"])
        self.assertError(self.api("POST", "/v1/quotas", {"project_id": "p1", "resource": "Cluster"},
                                  **ADMIN), 409, "Quota for project p1 already exists for resource Cluster.")
        # Defaults: resource Cluster, hard_limit 1; noauth accepts any project id.
        r = self.api("POST", "/v1/quotas", {"project_id": "p2"}, **ADMIN)
        self.assertStatus(r, 201)
        self.assertEqual((r.json["resource"], r.json["hard_limit"]), ("Cluster", 1))
        self.assertEqual(self.api("GET", "/v1/quotas/p1/Cluster", **ADMIN).json["hard_limit"], 3)
        # No row: the configured default, without id or timestamps.
        r = self.api("GET", "/v1/quotas/%s/Cluster" % self.PROJECT)
        self.assertStatus(r, 200)
        self.assertEqual(r.json, {"project_id": self.PROJECT, "hard_limit": 20,
                                  "resource": "Cluster"})
        r = self.api("GET", "/v1/quotas/nobody/Pod", **ADMIN)
        self.assertEqual(r.json, {"project_id": "nobody", "hard_limit": 20, "resource": "Cluster"})
        self.assertError(self.api("GET", "/v1/quotas/p1/Cluster"), 403, "Not authorized.")
        self.assertError(self.api("GET", "/v1/quotas/p1/Cluster", roles=""), 403, "quota:get")
        # PATCH: a quota object; path values win over the body's.
        self.assertError(self.api("PATCH", "/v1/quotas/p1/Cluster", {"hard_limit": 7}), 403,
                         "quota:update")
        r = self.api("PATCH", "/v1/quotas/p1/Cluster", {"hard_limit": 7, "project_id": "p2"},
                     **ADMIN)
        self.assertStatus(r, 202)
        self.assertEqual((r.json["project_id"], r.json["hard_limit"]), ("p1", 7))
        self.assertIsNotNone(r.json["updated_at"])
        self.assertEqual(self.api("GET", "/v1/quotas/p2/Cluster", **ADMIN).json["hard_limit"], 1)
        # Bug 9 fixed: no silent reset to 1.
        self.assertError(self.api("PATCH", "/v1/quotas/p1/Cluster", {}, **ADMIN), 400,
                         "hard_limit is required")
        self.assertError(self.api("PATCH", "/v1/quotas/p1/Cluster", {"hard_limit": None},
                                  **ADMIN), 400, "hard_limit is required")
        self.assertError(self.api("PATCH", "/v1/quotas/p1/Cluster", {"hard_limit": -2},
                                  **ADMIN), 400, "hard_limit")
        self.assertEqual(self.api("GET", "/v1/quotas/p1/Cluster", **ADMIN).json["hard_limit"], 7)
        self.assertError(self.api("PATCH", "/v1/quotas/p9/Cluster", {"hard_limit": 1}, **ADMIN),
                         404, "Quota could not be found: project_id p9 resource Cluster.")
        r = self.api("GET", "/v1/quotas?all_tenants=true", **ADMIN)
        self.assertEqual([q["project_id"] for q in r.json["quotas"]], ["p1", "p2"])
        self.assertError(self.api("DELETE", "/v1/quotas/p1/Cluster"), 403, "quota:delete")
        self.assertStatus(self.api("DELETE", "/v1/quotas/p1/Cluster", **ADMIN), 204)
        self.assertError(self.api("DELETE", "/v1/quotas/p1/Cluster", **ADMIN), 404,
                         "Quota could not be found: project_id p1 resource Cluster.")
        self.assertStatus(self.api("DELETE", "/v1/quotas/p2/Cluster", **ADMIN), 204)
        self.assertEqual(self.api("GET", "/v1/quotas/p1/Cluster", **ADMIN).json["hard_limit"], 20)

    def test_quota_list(self):
        self.assertError(self.api("GET", "/v1/quotas"), 403, "quota:get_all")
        for p in ("ql-a", "ql-b", "ql-c"):
            self.assertStatus(self.api("POST", "/v1/quotas", {"project_id": p}, **ADMIN), 201)
        self.assertStatus(self.api("POST", "/v1/quotas", {"project_id": "p-admin",
                                                          "hard_limit": 9}, **ADMIN), 201)
        try:
            # Without all_tenants an admin sees its own project only.
            r = self.api("GET", "/v1/quotas", **ADMIN)
            self.assertEqual([q["project_id"] for q in r.json["quotas"]], ["p-admin"])
            self.assertNotIn("next", r.json)
            r = self.api("GET", "/v1/quotas?all_tenants=1&limit=2", **ADMIN)
            self.assertStatus(r, 200)
            page = r.json["quotas"]
            self.assertEqual(len(page), 2)
            self.assertIn("marker=%d" % page[-1]["id"], r.json["next"])
            r = self.api("GET", "/v1/quotas?all_tenants=1&limit=2&marker=%d" % page[-1]["id"],
                         **ADMIN)
            rest = r.json["quotas"]
            ids = [q["id"] for q in page + rest]
            self.assertEqual(ids, sorted(ids))
            self.assertEqual(len(set(q["project_id"] for q in page + rest) &
                                 {"ql-a", "ql-b", "ql-c", "p-admin"}), 4)
            r = self.api("GET", "/v1/quotas?all_tenants=true&sort_key=hard_limit&sort_dir=desc",
                         **ADMIN)
            self.assertEqual(r.json["quotas"][0]["project_id"], "p-admin")
            self.assertError(self.api("GET", "/v1/quotas?sort_key=nope", **ADMIN), 400,
                             "nope")
            self.assertError(self.api("GET", "/v1/quotas?sort_dir=up", **ADMIN), 400,
                             "Invalid sort direction: up")
            self.assertError(self.api("GET", "/v1/quotas?limit=0", **ADMIN), 400,
                             "Limit must be positive")
            self.assertError(self.api("GET", "/v1/quotas?limit=x", **ADMIN), 400, "limit")
            self.assertError(self.api("GET", "/v1/quotas?marker=abc", **ADMIN), 400, "abc")
            self.assertError(self.api("GET", "/v1/quotas?all_tenants=maybe", **ADMIN), 400,
                             "all_tenants")
            self.assertError(self.api("GET", "/v1/quotas?color=red", **ADMIN), 400,
                             "Unknown argument")
        finally:
            for p in ("ql-a", "ql-b", "ql-c", "p-admin"):
                self.api("DELETE", "/v1/quotas/%s/Cluster" % p, **ADMIN)

    # --- stats ---

    def test_stats_and_quota_enforced(self):
        me = dict(user="u-stats", project="p-stats", roles="member,reader")
        catalogue(self, **me)
        r = self.api("POST", "/v1/baymodels", {"name": "sm", "coe": "swarm", "image_id": "deb",
                                                "keypair_id": "k1"}, **me)
        self.assertStatus(r, 201)
        r = self.api("GET", "/v1/stats", **me)
        self.assertStatus(r, 200)
        self.assertEqual(r.json, {"clusters": 0, "nodes": 0})
        self.assertStatus(self.api("POST", "/v1/quotas", {"project_id": "p-stats",
                                                          "hard_limit": 1}, **ADMIN), 201)
        self.assertStatus(self.api("POST", "/v1/bays", {"baymodel_id": "sm", "node_count": 3},
                                   **me), 201)
        self.assertError(self.api("POST", "/v1/bays", {"baymodel_id": "sm"}, **me), 403,
                         "maximum clusters per project, 1.")
        r = self.api("GET", "/v1/stats", **me)
        self.assertEqual(r.json, {"clusters": 1, "nodes": 4})        # 3 workers + 1 master
        self.assertEqual(self.api("GET", "/v1/stats?type=Cluster&project_id=p-stats", **me).json,
                         {"clusters": 1, "nodes": 4})
        self.assertEqual(self.api("GET", "/v1/stats", user="r", project="p-stats",
                                  roles="reader").json, {"clusters": 1, "nodes": 4})
        self.assertError(self.api("GET", "/v1/stats", roles=""), 403, "stats:get_all")
        self.assertError(self.api("GET", "/v1/stats?project_id=other", **me), 403,
                         "Not authorized.")
        self.assertError(self.api("GET", "/v1/stats?type=pod", **me), 400,
                         "Invalid stats type. Allowed values are 'cluster'")
        self.assertEqual(self.api("GET", "/v1/stats?project_id=p-stats", **ADMIN).json,
                         {"clusters": 1, "nodes": 4})
        self.assertEqual(self.api("GET", "/v1/stats?project_id=empty", **ADMIN).json,
                         {"clusters": 0, "nodes": 0})
        self.assertGreaterEqual(self.api("GET", "/v1/stats", **ADMIN).json["clusters"], 1)
        self.assertStatus(self.api("DELETE", "/v1/quotas/p-stats/Cluster", **ADMIN), 204)

    # --- federations ---

    def test_federations_not_implemented(self):
        text = "Federations are not implemented by this service."
        for method, path, body in (("GET", "/v1/federations", None),
                                   ("GET", "/v1/federations/detail", None),
                                   ("GET", "/v1/federations/f1", None),
                                   ("POST", "/v1/federations", {"name": "f"}),
                                   ("PATCH", "/v1/federations/f1", []),
                                   ("DELETE", "/v1/federations/f1", None)):
            with self.subTest(method=method, path=path):
                self.assertError(self.api(method, path, body, **ADMIN), 501, text)
        # Still advertised in the /v1 document.
        self.assertIn("federations", self.api("GET", "/v1").json)

    # --- certificates ---

    def bay(self, name, template="cm", **who):
        catalogue(self, **who)
        if self.api("GET", "/v1/baymodels/" + template, **who).status == 404:
            baymodel(self, name=template, **who)
        self.api("DELETE", "/v1/quotas/%s/Cluster" % (who.get("project") or self.PROJECT),
                 **ADMIN)
        r = self.api("POST", "/v1/bays", {"name": name, "baymodel_id": template}, **who)
        self.assertStatus(r, 201)
        return r.json

    def test_certificates_lookup_and_validation(self):
        b = self.bay("certbay")
        u = b["uuid"]
        # GET: lookup and tenancy first (cluster-era texts); the CA comes from the conductor.
        self.assertError(self.api("GET", "/v1/certificates/nope"), 404,
                         "Cluster nope could not be found.")
        for _ in range(300):
            r = self.api("GET", "/v1/certificates/" + u)
            if r.status != 409:
                break
            time.sleep(0.05)
        self.assertStatus(r, 200)
        self.assertStatus(self.api("GET", "/v1/certificates/certbay"), 200)
        self.assertError(self.api("GET", "/v1/certificates/" + u, user="x", project="elsewhere"),
                         404, "could not be found.")
        # Admin may read any project's CA (the policy: project members and admin).
        self.assertStatus(self.api("GET", "/v1/certificates/" + u, **ADMIN), 200)
        # POST: the body's era decides the texts.
        self.assertError(self.api("POST", "/v1/certificates", {"bay_uuid": "nope", "csr": "x"}),
                         400, "Bay nope could not be found.")
        self.assertError(self.api("POST", "/v1/certificates",
                                  {"cluster_uuid": "nope", "csr": "x"}),
                         400, "Cluster nope could not be found.")
        self.assertError(self.api("POST", "/v1/certificates", {"bay_uuid": u}), 400,
                         "Invalid input for field/attribute csr. Value: 'None'. "
                         "Mandatory field missing.")
        self.assertError(self.api("POST", "/v1/certificates", {"cluster_uuid": u}), 400,
                         "Invalid input for field/attribute csr. Value: 'None'. "
                         "Mandatory field missing.")
        self.assertError(self.api("POST", "/v1/certificates", {"csr": "x"}), 400,
                         "cluster_uuid. Value: 'None'. Mandatory field missing.")
        self.assertError(self.api("POST", "/v1/certificates", {"bay_uuid": u, "csr": ""}), 400,
                         "csr")
        self.assertError(self.api("POST", "/v1/certificates",
                                  {"bay_uuid": u, "csr": "x", "ca_cert_type": "etcd"}), 400,
                         "Unknown attribute")
        self.assertError(self.api("POST", "/v1/certificates",
                                  {"bay_uuid": u, "csr": "x"}, user="x", project="elsewhere"),
                         400, "Bay %s could not be found." % u)
        self.assertError(self.api("POST", "/v1/certificates", {"bay_uuid": u, "csr": "x"},
                                  roles="reader"), 403, "certificate:create")
        self.assertError(self.api("POST", "/v1/certificates", {"bay_uuid": u, "csr": "x"}),
                         400, "csr")
        self.assertError(self.api("POST", "/v1/certificates",
                                  {"cluster_uuid": "certbay", "csr": "x", "ca_cert_type": "etcd"}),
                         400, "csr")
        # Open to the bay's project, not only its creator.
        self.assertError(self.api("POST", "/v1/certificates", {"bay_uuid": u, "csr": "x"},
                                  user="someone-else"), 400, "csr")

    def test_certificate_rotate(self):
        b = self.bay("rotbay")
        u = "/v1/certificates/" + b["uuid"]
        self.assertError(self.api("PATCH", "/v1/certificates/nope"), 404,
                         "Cluster nope could not be found.")
        self.assertError(self.api("PATCH", u, user="x", project="elsewhere"), 404,
                         "could not be found.")
        self.assertError(self.api("PATCH", u, roles="reader"), 403, "certificate:rotate_ca")
        self.assertError(self.api("PATCH", u), 400,
                         'Updating a cluster when status is "CREATE_IN_PROGRESS" is not supported.')
        set_status(self, b["uuid"], "CREATE_COMPLETE")
        r = self.api("PATCH", u)
        self.assertStatus(r, 202)
        self.assertEqual(r.json, {"uuid": b["uuid"]})
        # A cluster of a TLS-disabled template cannot rotate its CA.
        baymodel(self, name="notls", tls_disabled=True)
        nb = self.bay("notlsbay", template="notls")
        set_status(self, nb["uuid"], "CREATE_COMPLETE")
        self.assertError(self.api("PATCH", "/v1/certificates/" + nb["uuid"]), 400,
                         "Rotating the CA certificate on a non-TLS cluster is not supported")

    # --- credentials ---

    def test_credentials(self):
        self.assertStatus(self.api("PATCH", "/v1/credentials/x", version="container-infra 1.11"),
                          406)
        self.assertError(self.api("PATCH", "/v1/credentials/x", version=LATEST), 404,
                         "Cluster x could not be found.")
        b = self.bay("credbay")
        u = "/v1/credentials/" + b["uuid"]
        self.assertError(self.api("PATCH", u, version=LATEST, roles="reader"), 403,
                         "Policy doesn't allow credential:rotate to be performed.")
        self.assertError(self.api("PATCH", u, version=LATEST, user="x", project="elsewhere"),
                         404, "could not be found.")
        # Bug 11 fixed: the refusal names no Python module.
        err = self.assertError(self.api("PATCH", u, version=LATEST), 400,
                               'Rotating the credentials of a cluster when status is '
                               '"CREATE_IN_PROGRESS" is not supported.')
        self.assertNotIn("magnum.", err["detail"])
        for status in ("CREATE_COMPLETE", "UPDATE_FAILED", "UPDATE_IN_PROGRESS"):
            set_status(self, b["uuid"], status)
            self.assertError(self.api("PATCH", u, version=LATEST), 400,
                             "Credential rotation is not supported by driver.")
        set_status(self, b["uuid"], "DELETE_IN_PROGRESS")
        self.assertError(self.api("PATCH", u, version=LATEST), 400,
                         'status is "DELETE_IN_PROGRESS" is not supported.')
        set_status(self, b["uuid"], "CREATE_COMPLETE")
        # The admin acts across projects.
        for ident in (b["uuid"], "credbay"):
            self.assertError(self.api("PATCH", "/v1/credentials/" + ident, version=LATEST,
                                      **ADMIN), 400,
                             "Credential rotation is not supported by driver.")


class MservicesDown(mglib.TestCase):
    """A conductor that has not reported within service_down_time is "down"."""
    AUTH = "noauth"
    EXTRA_CONF = "[DEFAULT]\nservice_down_time = 1\nperiodic_interval = 3600\n"

    def test_down(self):
        deadline = time.time() + 10
        svc = None
        while time.time() < deadline:
            svc = self.api("GET", "/v1/mservices", **ADMIN).json["mservices"]
            if svc and svc[0]["state"] == "down":
                break
            time.sleep(0.3)
        self.assertEqual(len(svc), 1)
        self.assertEqual(svc[0]["state"], "down")
        count = svc[0]["report_count"]
        self.assertGreaterEqual(count, 1)            # reported at start...
        time.sleep(1.5)
        svc = self.api("GET", "/v1/mservices", **ADMIN).json["mservices"]
        self.assertEqual(svc[0]["report_count"], count)      # ...and not since
        self.assertEqual(svc[0]["state"], "down")


class QuotasBuiltin(mglib.TestCase):
    """With the built-in identity the quota's project must exist, checked after the policy."""
    AUTH = "builtin"

    def test_project_checked_after_policy(self):
        self.mg.cmd("project-create", "qalpha")
        self.mg.cmd("user-create", "qmember", "--password", "pw-q", "--project", "qalpha")
        member = self.mg.token("qmember", "pw-q", "qalpha")
        alpha = self.api("GET", "/v3/auth/projects", token=member).json["projects"][0]["id"]
        # Bug 9 fixed: a non-admin cannot probe project ids (403 either way).
        self.assertError(self.api("POST", "/v1/quotas", {"project_id": "nope"}, token=member),
                         403, "quota:create")
        self.assertError(self.api("POST", "/v1/quotas", {"project_id": alpha}, token=member),
                         403, "quota:create")
        self.assertError(self.api("POST", "/v1/quotas", {"project_id": "nope"}), 404,
                         "The project_id nope could not be found.")
        self.assertError(self.api("POST", "/v1/quotas", {"hard_limit": 2}), 400,
                         "Must provide a valid project ID.")
        r = self.api("POST", "/v1/quotas", {"project_id": alpha, "hard_limit": 2})
        self.assertStatus(r, 201)
        self.assertEqual(r.json["project_id"], alpha)
        # The member reads its own project's quota, not others'.
        r = self.api("GET", "/v1/quotas/%s/Cluster" % alpha, token=member)
        self.assertEqual(r.json["hard_limit"], 2)
        self.assertError(self.api("GET", "/v1/quotas/nope/Cluster", token=member), 403,
                         "Not authorized.")


if __name__ == "__main__":
    mglib.main()
