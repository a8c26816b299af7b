#!/usr/bin/env python3
"""mservices (conductor heartbeat), quotas, stats, federations, credentials
and the certificate routes before the TLS issue (cluster doc §2.6-§2.11)."""
import time

import mglib
from fixtures import baymodel, catalogue

ADMIN = dict(user="u-admin", project="p-admin", roles="admin,member,reader")
LATEST = "container-infra latest"


class Misc(mglib.TestCase):
    AUTH = "noauth"

    def test_mservices_heartbeat(self):
        self.assertError(self.api("GET", "/v1/mservices"), 403,
                         "Policy doesn't allow magnum-service:get_all to be performed.")
        r = self.api("GET", "/v1/mservices", **ADMIN)
        self.assertStatus(r, 200)
        svc = r.json["mservices"]
        self.assertEqual(len(svc), 1)
        self.assertEqual(svc[0]["id"], 1)
        self.assertEqual(svc[0]["binary"], "magnum-conductor")
        self.assertEqual(svc[0]["state"], "up")
        self.assertIs(svc[0]["disabled"], False)
        first = svc[0]["report_count"]
        self.assertGreater(first, 0)
        time.sleep(2.2)      # periodic_interval = 1 in tests
        later = self.api("GET", "/v1/mservices", **ADMIN).json["mservices"][0]["report_count"]
        self.assertGreater(later, first)

    def test_quotas(self):
        self.assertError(self.api("POST", "/v1/quotas", {"project_id": "p1"}), 403, "quota:create")
        self.assertError(self.api("POST", "/v1/quotas", {"resource": "Cluster"}, **ADMIN), 400,
                         "Must provide a valid project ID.")
        self.assertError(self.api("POST", "/v1/quotas", {"project_id": "p1", "resource": "Pod"},
                                  **ADMIN), 400, "Value should be one of: Cluster")
        r = self.api("POST", "/v1/quotas", {"project_id": "p1", "resource": "Cluster",
                                            "hard_limit": 3}, **ADMIN)
        self.assertStatus(r, 201)
        self.assertEqual(r.json["hard_limit"], 3)
        self.assertError(self.api("POST", "/v1/quotas", {"project_id": "p1", "resource": "Cluster"},
                                  **ADMIN), 409, "Quota for project p1 already exists for resource Cluster.")
        self.assertEqual(self.api("GET", "/v1/quotas/p1/Cluster", **ADMIN).json["hard_limit"], 3)
        # No row: the configured default.
        r = self.api("GET", "/v1/quotas/%s/Cluster" % self.PROJECT)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["hard_limit"], 20)
        self.assertError(self.api("GET", "/v1/quotas/p1/Cluster"), 403, "Not authorized.")
        r = self.api("PATCH", "/v1/quotas/p1/Cluster", {"hard_limit": 7}, **ADMIN)
        self.assertStatus(r, 202)
        self.assertEqual(r.json["hard_limit"], 7)
        self.assertError(self.api("PATCH", "/v1/quotas/p1/Cluster", {}, **ADMIN), 400,
                         "hard_limit")       # no silent reset to 1 (bug 9 fixed)
        self.assertError(self.api("PATCH", "/v1/quotas/p9/Cluster", {"hard_limit": 1}, **ADMIN),
                         404, "Quota could not be found: project_id p9 resource Cluster.")
        r = self.api("GET", "/v1/quotas?all_tenants=true", **ADMIN)
        self.assertEqual([q["project_id"] for q in r.json["quotas"]], ["p1"])
        self.assertStatus(self.api("DELETE", "/v1/quotas/p1/Cluster", **ADMIN), 204)
        self.assertStatus(self.api("DELETE", "/v1/quotas/p1/Cluster", **ADMIN), 404)

    def test_stats_and_quota_enforced(self):
        me = dict(user="u-stats", project="p-stats", roles="member,reader")
        catalogue(self, **me)
        r = self.api("POST", "/v1/baymodels", {"name": "sm", "coe": "swarm", "image_id": "deb",
                                                "keypair_id": "k1"}, **me)
        self.assertStatus(r, 201)
        self.assertStatus(self.api("POST", "/v1/quotas", {"project_id": "p-stats",
                                                          "hard_limit": 1}, **ADMIN), 201)
        self.assertStatus(self.api("POST", "/v1/bays", {"baymodel_id": "sm", "node_count": 3},
                                   **me), 201)
        self.assertError(self.api("POST", "/v1/bays", {"baymodel_id": "sm"}, **me), 403,
                         "maximum clusters per project, 1.")
        r = self.api("GET", "/v1/stats", **me)
        self.assertEqual(r.json, {"clusters": 1, "nodes": 4})        # 3 workers + 1 master
        self.assertError(self.api("GET", "/v1/stats?project_id=other", **me), 403,
                         "Not authorized.")
        self.assertError(self.api("GET", "/v1/stats?type=pod", **me), 400, "Invalid stats type")
        self.assertGreaterEqual(self.api("GET", "/v1/stats", **ADMIN).json["clusters"], 1)

    def test_federations_not_implemented(self):
        self.assertError(self.api("GET", "/v1/federations"), 501,
                         "Federations are not implemented by this service.")
        self.assertError(self.api("POST", "/v1/federations", {"name": "f"}), 501)

    def test_certificates_before_tls(self):
        catalogue(self)
        if self.api("GET", "/v1/baymodels/cm").status == 404:
            baymodel(self, name="cm")
        self.api("DELETE", "/v1/quotas/%s/Cluster" % self.PROJECT, **ADMIN)
        b = self.api("POST", "/v1/bays", {"name": "certbay", "baymodel_id": "cm"}).json
        self.assertError(self.api("GET", "/v1/certificates/nope"), 404,
                         "Cluster nope could not be found.")
        self.assertError(self.api("POST", "/v1/certificates", {"bay_uuid": "nope", "csr": "x"}),
                         400, "Bay nope could not be found.")
        self.assertError(self.api("POST", "/v1/certificates", {"bay_uuid": b["uuid"]}), 400,
                         "csr. Value: 'None'. Mandatory field missing.")
        self.assertError(self.api("GET", "/v1/certificates/" + b["uuid"]), 501,
                         "Certificate operations are not available yet")
        self.assertStatus(self.api("GET", "/v1/certificates/" + b["uuid"], user="x",
                                   project="elsewhere"), 404)

    def test_credentials_gate(self):
        self.assertStatus(self.api("PATCH", "/v1/credentials/x", version="container-infra 1.11"),
                          406)
        self.assertStatus(self.api("PATCH", "/v1/credentials/x", version=LATEST), 404)


if __name__ == "__main__":
    mglib.main()
