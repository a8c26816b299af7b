#!/usr/bin/env python3
"""Bays and clusters: create (sync 1.1 / async 1.2+), views of both eras over
one row, validation, state refusals, deletion through the conductor, quota,
tenancy, events (bay doc §1.6, §2.7, §3; cluster doc §2.3, §2.4).
Cluster-era details live in test_clusters.py."""
import time

import clusterdb as cdb
import mglib
from fixtures import baymodel, catalogue

OTHER = dict(user="u-other", project="p-other", roles="member,reader")
ADMIN = dict(user="u-admin", project="p-admin", roles="admin,member,reader")
LATEST = "container-infra latest"


class Bays(mglib.TestCase):
    AUTH = "noauth"
    EXTRA_CONF = "[quotas]\nmax_clusters_per_project = 14\n[bay]\nmax_node_count = 50\n"

    def setUp(self):
        catalogue(self)
        if not self.api("GET", "/v1/baymodels?limit=1000").json["baymodels"]:
            baymodel(self, name="m1")
            baymodel(self, name="lb", master_lb_enabled=True)

    def wait_gone(self, path):
        for _ in range(200):
            if self.api("GET", path).status == 404:
                return True
            time.sleep(0.05)
        return False

    def test_sync_create_201_and_views(self):
        r = self.api("POST", "/v1/bays", {"name": "sync1", "baymodel_id": "m1", "node_count": 2})
        self.assertStatus(r, 201)
        b = r.json
        self.assertEqual(r.headers["location"], self.mg.url + "/v1/bays/" + b["uuid"])
        self.assertEqual(b["status"], "CREATE_IN_PROGRESS")
        self.assertIsNone(b["status_reason"])
        self.assertEqual(b["node_count"], 2)
        self.assertEqual(b["master_count"], 1)
        self.assertEqual(b["bay_create_timeout"], 60)
        self.assertIsNone(b["api_address"])
        # The same row through the cluster era.
        c = self.api("GET", "/v1/clusters/" + b["uuid"], version=LATEST).json
        self.assertEqual(c["cluster_template_id"], b["baymodel_id"])
        self.assertEqual(c["node_count"], 2)
        self.assertIn("cluster_id", c)                 # 1.13+
        self.assertNotIn("stack_id", c)
        c = self.api("GET", "/v1/clusters/" + b["uuid"], version="container-infra 1.12").json
        self.assertIn("stack_id", c)
        # List form is short; detail is full.
        item = [x for x in self.api("GET", "/v1/bays").json["bays"] if x["uuid"] == b["uuid"]][0]
        self.assertEqual(set(item), {"uuid", "name", "baymodel_id", "node_count", "master_count",
                                     "status", "bay_create_timeout", "stack_id", "links"})
        item = [x for x in self.api("GET", "/v1/bays/detail").json["bays"]
                if x["uuid"] == b["uuid"]][0]
        self.assertEqual(list(item), ["uuid", "name", "baymodel_id", "node_count", "master_count",
                                      "bay_create_timeout", "links", "stack_id", "status",
                                      "status_reason", "discovery_url", "api_address",
                                      "node_addresses", "master_addresses", "created_at",
                                      "updated_at"])
        self.assertIsNone(item["node_addresses"])     # bay era: null until known
        self.assertEqual(set(b), set(item))
        # Events: the timeline starts with the acceptance.
        ev = self.api("GET", "/v1/bays/%s/events" % b["uuid"]).json["events"]
        self.assertEqual(ev[0]["step"], "accepted")

    def test_async_create_202(self):
        r = self.api("POST", "/v1/bays", {"name": "async1", "baymodel_id": "m1"},
                     version="container-infra 1.2")
        self.assertStatus(r, 202)
        self.assertEqual(list(r.json), ["uuid"])
        self.assertEqual(self.api("GET", "/v1/bays/" + r.json["uuid"]).json["status"],
                         "CREATE_IN_PROGRESS")
        r = self.api("POST", "/v1/clusters", {"name": "c1", "cluster_template_id": "m1"})
        self.assertStatus(r, 202)
        c = self.api("GET", "/v1/clusters/" + r.json["uuid"]).json
        self.assertEqual(c["keypair"], "k1")           # from the template
        self.assertIs(c["merge_labels"], False)

    def test_validation(self):
        cases = [
            ({"baymodel_id": "nope"}, 400, "Baymodel nope could not be found."),
            ({"baymodel_id": "m1", "node_count": 0}, 400,
             "Invalid input for field/attribute node_count. Value: '0'. Value should be "
             "greater or equal to 1"),
            ({"baymodel_id": "m1", "master_count": 0}, 400, "master_count. Value: '0'"),
            ({"baymodel_id": "m1", "master_count": 3}, 400,
             "master_count must be 1 when master_lb_enabled is False"),
            ({"baymodel_id": "m1", "node_count": 51}, 400, "Value should be lower or equal to 50"),
            ({"baymodel_id": "m1", "name": "9bad"}, 400, "Value should match the pattern"),
            ({"baymodel_id": "m1", "name": "x" * 243}, 400, "maximum character requirement of 242"),
            ({"baymodel_id": "m1", "flavor_id": "m1.small"}, 400,
             "Unknown attribute for argument bay: flavor_id"),
            ({"baymodel_id": "m1", "api_address": "x"}, 400, "Cannot set read only field."),
            ({"baymodel_id": "m1", "discovery_url": "ftp://x"}, 400, "discovery_url"),
            ({"baymodel_id": "m1", "bay_create_timeout": -1}, 400, "greater or equal to 0"),
            ({}, 400, "baymodel_id. Value: 'None'. Mandatory field missing."),
        ]
        before = len(self.api("GET", "/v1/bays").json["bays"])
        for body, status, text in cases:
            with self.subTest(body=body):
                self.assertError(self.api("POST", "/v1/bays", body), status, text)
        self.assertEqual(len(self.api("GET", "/v1/bays").json["bays"]), before)
        self.assertError(self.api("POST", "/v1/clusters", {"cluster_template_id": "m1",
                                                           "node_count": 0},
                                  version="container-infra 1.9"), 400,
                         "Resizing a nodegroup to zero is not supported")
        r = self.api("POST", "/v1/clusters", {"cluster_template_id": "lb", "master_count": 2},
                     version=LATEST)
        self.assertError(r, 400, "master nodegroup size of 2 is invalid")

    def test_create_defaults_and_ignored_input(self):
        r = self.api("POST", "/v1/bays", {"baymodel_id": "m1", "bay_create_timeout": 0,
                                          "uuid": "00000000-0000-4000-8000-000000000002",
                                          "status": "CREATE_COMPLETE", "status_reason": "x",
                                          "bay_faults": {"a": "b"}, "name": None,
                                          "discovery_url": "https://discovery.etcd.io/abc"})
        self.assertStatus(r, 201)
        b = r.json
        self.assertNotEqual(b["uuid"], "00000000-0000-4000-8000-000000000002")
        self.assertEqual((b["status"], b["status_reason"]), ("CREATE_IN_PROGRESS", None))
        self.assertEqual(b["bay_create_timeout"], 60)          # 0 -> [bay] bay_create_timeout
        self.assertEqual(b["discovery_url"], "https://discovery.etcd.io/abc")
        self.assertRegex(b["name"], r"^[a-z]+-\d+-bay$")
        self.assertNotIn("bay_faults", b)
        # The baymodel may be named by uuid; a shared name is ambiguous.
        t = self.api("GET", "/v1/baymodels/m1").json["uuid"]
        self.assertStatus(self.api("POST", "/v1/bays", {"baymodel_id": t},
                                   version="container-infra 1.2"), 202)
        baymodel(self, name="dup")
        baymodel(self, name="dup")
        self.assertError(self.api("POST", "/v1/bays", {"baymodel_id": "dup"}), 409,
                         "Multiple baymodels exist with same name. Please use the baymodel "
                         "uuid instead.")

    def test_master_lb_allows_three_masters(self):
        r = self.api("POST", "/v1/bays", {"baymodel_id": "lb", "master_count": 3})
        self.assertStatus(r, 201)
        self.assertEqual(r.json["master_count"], 3)
        self.assertRegex(r.json["name"], r"^[a-z]+-\d+-bay$")

    def test_update_rules(self):
        b = self.api("POST", "/v1/bays", {"name": "upd", "baymodel_id": "m1"}).json
        u = "/v1/bays/" + b["uuid"]
        self.assertError(self.api("PATCH", u, [{"op": "replace", "path": "/stack_id",
                                                "value": "x"}]), 400, "internal attribute")
        self.assertError(self.api("PATCH", u, [{"op": "remove", "path": "/baymodel_id"}]), 400,
                         "mandatory attribute")
        # Bay era: falsy values are refused by the patch rules.
        self.assertError(self.api("PATCH", u, [{"op": "replace", "path": "/node_count",
                                                "value": 0}]), 400,
                         "'add' and 'replace' operations needs value")
        # Nothing provisions yet: the bay is still being created, so any update is refused
        # synchronously (Magnum's conductor refuses it).
        for v in (3, 1):
            self.assertError(self.api("PATCH", u, [{"op": "replace", "path": "/node_count",
                                                    "value": v}]), 400,
                             'Updating a bay when stack status is "CREATE_IN_PROGRESS" is not '
                             'supported.')
        self.assertEqual(self.api("GET", u).json["node_count"], 1)
        cdb.settle(self.mg, b["uuid"])
        self.assertError(self.api("PATCH", u, [{"op": "replace", "path": "/name", "value": "x"}]),
                         400, "cannot change bay property(ies) name.")
        self.assertError(self.api("PATCH", u, [{"op": "replace", "path": "/bay_create_timeout",
                                                "value": 5}]), 400,
                         "cannot change bay property(ies) bay_create_timeout.")
        self.assertError(self.api("PATCH", u, [{"op": "replace", "path": "/node_count",
                                                "value": 51}]), 400, "lower or equal to 50")
        self.assertError(self.api("PATCH", u + "?rollback=1", [{"op": "replace",
                                                                 "path": "/node_count",
                                                                 "value": 2}]), 400,
                         'Unknown argument: "rollback"')
        # 1.1: 200 with the bay, new count; the string value is coerced.
        r = self.api("PATCH", u, [{"op": "replace", "path": "/node_count", "value": "3"}])
        self.assertStatus(r, 200)
        self.assertEqual((r.json["node_count"], r.json["status"]), (3, "UPDATE_IN_PROGRESS"))
        kind, state, payload = cdb.jobs(self.mg, b["uuid"])[-1]
        self.assertEqual((kind, payload["node_count"]), ("update", {"old": 1, "new": 3}))
        self.assertIn(state, ("pending", "running", "held"))   # held: backend none
        self.assertError(self.api("PATCH", u, [{"op": "replace", "path": "/node_count",
                                                "value": 2}]), 400,
                         'Updating a bay when stack status is "UPDATE_IN_PROGRESS" is not '
                         'supported.')
        cdb.settle(self.mg, b["uuid"], "UPDATE_COMPLETE")
        # 1.2: 202 {"uuid"}; remove restores the default of 1.
        r = self.api("PATCH", u, [{"op": "remove", "path": "/node_count"}],
                     version="container-infra 1.2")
        self.assertStatus(r, 202)
        self.assertEqual(r.json, {"uuid": b["uuid"]})
        self.assertEqual(self.api("GET", u).json["node_count"], 1)
        # Cluster era on the same row: health fields change without a driver.
        cdb.settle(self.mg, b["uuid"], "UPDATE_COMPLETE")
        n = len(cdb.jobs(self.mg, b["uuid"]))
        r = self.api("PATCH", "/v1/clusters/" + b["uuid"],
                     [{"op": "replace", "path": "/health_status", "value": "HEALTHY"}])
        self.assertStatus(r, 202)
        self.assertEqual(self.api("GET", "/v1/clusters/" + b["uuid"]).json["health_status"],
                         "HEALTHY")
        self.assertEqual(len(cdb.jobs(self.mg, b["uuid"])), n)
        self.assertNotIn("health_status", self.api("GET", u).json)
        self.assertError(self.api("PATCH", "/v1/bays/nope", []), 404,
                         "Bay nope could not be found.")

    def test_bay_faults_only_on_show_when_failed(self):
        b = self.api("POST", "/v1/bays", {"name": "flt", "baymodel_id": "m1"}).json
        self.assertNotIn("bay_faults", self.api("GET", "/v1/bays/" + b["uuid"]).json)
        cdb.settle(self.mg, b["uuid"], "CREATE_FAILED")
        cdb.query(self.mg, "UPDATE nodegroups SET status_reason = 'boom' WHERE cluster_id = ?",
                  (b["uuid"],))
        got = self.api("GET", "/v1/bays/" + b["uuid"]).json
        self.assertEqual(got["bay_faults"], {"default-master": "boom", "default-worker": "boom"})
        item = [x for x in self.api("GET", "/v1/bays/detail").json["bays"]
                if x["uuid"] == b["uuid"]][0]
        self.assertNotIn("bay_faults", item)
        # ROLLBACK_FAILED is a cluster-era status: faults there, none in the bay view.
        cdb.settle(self.mg, b["uuid"], "ROLLBACK_FAILED")
        self.assertNotIn("bay_faults", self.api("GET", "/v1/bays/" + b["uuid"]).json)
        self.assertIn("faults", self.api("GET", "/v1/clusters/" + b["uuid"],
                                         version=LATEST).json)

    def test_resize_and_upgrade_gates(self):
        c = self.api("POST", "/v1/clusters", {"cluster_template_id": "m1"}).json
        u = "/v1/clusters/%s/actions/resize" % c["uuid"]
        self.assertStatus(self.api("POST", u, {"node_count": 2}, version="container-infra 1.6"),
                          406)
        self.assertError(self.api("POST", u, {"node_count": 2}, version=LATEST), 400,
                         'Resizing a cluster when status is "CREATE_IN_PROGRESS" is not '
                         'supported.')
        self.assertError(self.api("POST", u, {}, version=LATEST), 400, "Mandatory field missing")
        self.assertError(self.api("POST", u, {"node_count": 1, "nodegroup": "default-master"},
                                  version=LATEST), 400, "Resizing the master nodegroup")
        up = "/v1/clusters/%s/actions/upgrade" % c["uuid"]
        self.assertError(self.api("POST", up, {"cluster_template": "m1"},
                                  version="container-infra 1.7"), 400,
                         "Cluster upgrade is not supported in the provided microversion.")
        self.assertError(self.api("POST", up, {"cluster_template": "m1"}, version=LATEST), 400,
                         'Upgrading a cluster when status is "CREATE_IN_PROGRESS" is not '
                         'supported.')
        # A resize shows through the bay view of the same row.
        cdb.settle(self.mg, c["uuid"])
        self.assertStatus(self.api("POST", u, {"node_count": 4}, version=LATEST), 202)
        b = self.api("GET", "/v1/bays/" + c["uuid"]).json
        self.assertEqual((b["node_count"], b["status"]), (4, "UPDATE_IN_PROGRESS"))

    def test_delete_converges(self):
        b = self.api("POST", "/v1/bays", {"name": "del", "baymodel_id": "m1"}).json
        cdb.block(self.mg, b["uuid"])        # hold the conductor back to look at the state
        self.assertStatus(self.api("DELETE", "/v1/bays/" + b["uuid"]), 204)
        self.assertEqual(self.api("GET", "/v1/bays/" + b["uuid"]).json["status"],
                         "DELETE_IN_PROGRESS")
        self.assertStatus(self.api("DELETE", "/v1/bays/" + b["uuid"],
                                   version="container-infra 1.2"), 204)   # harmless twice
        self.assertEqual([j[0] for j in cdb.jobs(self.mg, b["uuid"])].count("delete"), 1)
        cdb.unblock(self.mg, b["uuid"])
        self.assertTrue(self.wait_gone("/v1/bays/" + b["uuid"]))
        self.assertStatus(self.api("DELETE", "/v1/bays/" + b["uuid"]), 404)
        self.assertEqual(self.api("GET", "/v1/bays/%s/events" % b["uuid"]).status, 404)
        self.assertEqual(cdb.count(self.mg, "SELECT COUNT(*) FROM nodegroups WHERE "
                                            "cluster_id = ?", (b["uuid"],)), 0)

    def test_tenancy_and_admin(self):
        b = self.api("POST", "/v1/bays", {"name": "mine", "baymodel_id": "m1"}).json
        self.assertStatus(self.api("GET", "/v1/bays/" + b["uuid"], **OTHER), 404)
        self.assertStatus(self.api("DELETE", "/v1/bays/" + b["uuid"], **OTHER), 404)
        self.assertNotIn(b["uuid"], [x["uuid"] for x in
                                     self.api("GET", "/v1/bays", **OTHER).json["bays"]])
        # A template of another project is not usable.
        self.assertError(self.api("POST", "/v1/bays", {"baymodel_id": "m1"}, **OTHER), 400,
                         "Baymodel m1 could not be found.")
        # Admin sees every project's bays.
        self.assertIn(b["uuid"], [x["uuid"] for x in
                                  self.api("GET", "/v1/bays", **ADMIN).json["bays"]])
        self.assertError(self.api("POST", "/v1/bays", {"baymodel_id": "m1"}, roles="reader"),
                         403, "bay:create")

    def test_nodegroups_behind_a_bay(self):
        b = self.api("POST", "/v1/bays", {"name": "ngb", "baymodel_id": "lb", "node_count": 2,
                                          "master_count": 3}).json
        base = "/v1/clusters/%s/nodegroups" % b["uuid"]
        self.assertStatus(self.api("GET", base, version="container-infra 1.8"), 406)
        ngs = self.api("GET", base, version=LATEST).json["nodegroups"]
        self.assertEqual([(n["name"], n["role"], n["node_count"], n["is_default"]) for n in ngs],
                         [("default-master", "master", 3, True),
                          ("default-worker", "worker", 2, True)])
        # A group added in the cluster era counts in the bay's node_count.
        cdb.settle(self.mg, b["uuid"], api_address="tcp://10.0.0.4:2376")
        self.assertStatus(self.api("POST", base, {"name": "extra", "node_count": 4},
                                   version=LATEST), 202)
        self.assertEqual(self.api("GET", "/v1/bays/" + b["uuid"]).json["node_count"], 6)
        self.assertError(self.api("DELETE", base + "/default-worker", version=LATEST), 400,
                         "Deleting a default nodegroup is not supported.")

    def test_zz_quota(self):
        n = len(self.api("GET", "/v1/bays?limit=1000").json["bays"])
        for i in range(n, 14):
            self.assertIn(self.api("POST", "/v1/bays", {"baymodel_id": "m1"}).status, (201,))
        self.assertError(self.api("POST", "/v1/bays", {"baymodel_id": "m1"}), 403,
                         "Resource limit exceeded: You have reached the maximum clusters per "
                         "project, 14.")


if __name__ == "__main__":
    mglib.main()
