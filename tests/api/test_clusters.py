#!/usr/bin/env python3
"""Clusters (cluster era, /v1/clusters) and nodegroups: create with the
template defaults and label rules, the list/detail/show forms per
microversion, validation texts, quota, hidden templates, lookups, lists,
PATCH / resize / upgrade with synchronous state refusals and jobs written in
the same transaction, delete, events, and nodegroup CRUD with the
recommended fixes (cluster doc §1.3, §2.3, §2.4, §2.5, §3.3, §8).

Nothing completes a create yet, so tests that need a stable cluster play the
conductor's part with clusterdb.settle()."""
import os
import sqlite3
import time

import clusterdb as cdb
import mglib
from fixtures import baymodel, catalogue

LATEST = "container-infra latest"
OTHER = dict(user="u-other", project="p-other", roles="member,reader")
ADMIN = dict(user="u-admin", project="p-admin", roles="admin,member,reader")
READER = dict(roles="reader")

LIST_KEYS = ["uuid", "name", "cluster_template_id", "keypair", "node_count", "master_count",
             "docker_volume_size", "labels", "master_flavor_id", "flavor_id", "create_timeout",
             "links", "cluster_id", "status", "health_status", "merge_labels"]
SHOW_KEYS = ["uuid", "name", "cluster_template_id", "keypair", "node_count", "master_count",
             "docker_volume_size", "labels", "master_flavor_id", "flavor_id", "create_timeout",
             "links", "cluster_id", "status", "status_reason", "health_status",
             "health_status_reason", "discovery_url", "api_address", "coe_version",
             "container_version", "project_id", "user_id", "node_addresses", "master_addresses",
             "fixed_network", "fixed_subnet", "floating_ip_enabled", "merge_labels",
             "labels_overridden", "labels_added", "labels_skipped", "master_lb_enabled",
             "created_at", "updated_at"]
NG_LIST_KEYS = ["uuid", "name", "flavor_id", "image_id", "node_count", "role", "min_node_count",
                "max_node_count", "is_default", "stack_id", "status", "merge_labels"]
NG_KEYS = {"id", "uuid", "name", "cluster_id", "project_id", "docker_volume_size", "labels",
           "links", "flavor_id", "image_id", "node_addresses", "node_count", "role",
           "max_node_count", "min_node_count", "is_default", "stack_id", "status",
           "status_reason", "version", "merge_labels", "labels_overridden", "labels_added",
           "labels_skipped", "node_labels", "node_taints", "created_at", "updated_at"}


class Base(mglib.TestCase):
    AUTH = "noauth"
    VERSION = LATEST
    EXTRA_CONF = "[bay]\nmax_node_count = 20\n"

    def setUp(self):
        catalogue(self)
        if not self.api("GET", "/v1/clustertemplates?limit=1000").json["clustertemplates"]:
            baymodel(self, name="t1", labels={"a": "1", "b": "2"}, flavor_id="m1.small")
            baymodel(self, name="lb", master_lb_enabled=True)

    def create(self, expect=202, version=None, **body):
        body.setdefault("cluster_template_id", "t1")
        r = self.api("POST", "/v1/clusters", body, version=version)
        self.assertStatus(r, expect)
        return r.json["uuid"] if expect == 202 else r

    def get(self, ident, **kw):
        r = self.api("GET", "/v1/clusters/" + ident, **kw)
        self.assertStatus(r, 200)
        return r.json

    def ng(self, cluster, name):
        r = self.api("GET", "/v1/clusters/%s/nodegroups/%s" % (cluster, name))
        self.assertStatus(r, 200)
        return r.json


class Clusters(Base):

    # -- create and views --

    def test_create_202_and_forms(self):
        r = self.api("POST", "/v1/clusters", {"name": "c1", "cluster_template_id": "t1"},
                     version="container-infra 1.1")
        self.assertStatus(r, 202)                       # async at every version
        self.assertEqual(list(r.json), ["uuid"])
        self.assertNotIn("location", r.headers)
        u = r.json["uuid"]
        c = self.get(u)
        self.assertEqual(list(c), SHOW_KEYS)             # Magnum's key order
        self.assertEqual(c["status"], "CREATE_IN_PROGRESS")
        self.assertEqual(c["keypair"], "k1")             # from the template
        self.assertEqual(c["labels"], {"a": "1", "b": "2"})
        self.assertEqual(c["flavor_id"], "m1.small")
        self.assertEqual((c["node_count"], c["master_count"]), (1, 1))
        self.assertEqual(c["create_timeout"], 60)
        self.assertIs(c["merge_labels"], False)
        self.assertEqual(c["node_addresses"], [])
        self.assertEqual(c["master_addresses"], [])
        self.assertEqual((c["labels_overridden"], c["labels_added"], c["labels_skipped"]),
                         ({}, {}, {}))
        self.assertEqual(c["project_id"], self.PROJECT)
        self.assertEqual(c["user_id"], self.USER)
        self.assertNotIn("faults", c)
        self.assertEqual(c["links"][0]["href"], self.mg.url + "/v1/clusters/" + u)
        # stack_id up to 1.12, cluster_id from 1.13; the same column.
        c12 = self.get(u, version="container-infra 1.12")
        self.assertIn("stack_id", c12)
        self.assertNotIn("cluster_id", c12)
        item = [x for x in self.api("GET", "/v1/clusters").json["clusters"] if x["uuid"] == u][0]
        self.assertEqual(list(item), LIST_KEYS)
        item = [x for x in self.api("GET", "/v1/clusters/detail").json["clusters"]
                if x["uuid"] == u][0]
        self.assertEqual(set(item), set(SHOW_KEYS))
        # Default groups were written with the cluster.
        ngs = self.api("GET", "/v1/clusters/%s/nodegroups" % u).json["nodegroups"]
        self.assertEqual([(n["name"], n["role"], n["is_default"]) for n in ngs],
                         [("default-master", "master", True), ("default-worker", "worker", True)])
        # A job for the conductor, in the same transaction.
        # (the conductor may already hold it: backend none makes the CA, then waits)
        jobs = [j[0:2] for j in cdb.jobs(self.mg, u)]
        self.assertEqual(len(jobs), 1)
        self.assertEqual(jobs[0][0], "create")
        self.assertIn(jobs[0][1], ("pending", "running", "held"))
        ev = self.api("GET", "/v1/clusters/%s/events" % u).json["events"]
        self.assertEqual(ev[0]["step"], "accepted")

    def test_list_items_equal_detail(self):
        """The plain list is written straight from the rows: each item must hold
        exactly the detail form's values for the list keys, in Magnum's order,
        in both eras and at 1.12 / 1.13, whatever the values or Host header."""
        # Another project (the per-project quota is shared with the other tests).
        kw = dict(project="p-list", roles="admin")
        made = []
        for i in range(3):
            r = self.api("POST", "/v1/clusters", {"name": "odd.c-%d" % i, "node_count": i + 1,
                         "cluster_template_id": "t1", "labels": {"k\"q": "v\n%d" % i}}, **kw)
            self.assertStatus(r, 202)
            made.append(r.json["uuid"])
        bay_keys = ["uuid", "name", "baymodel_id", "node_count", "master_count",
                    "bay_create_timeout", "links", "stack_id", "status"]
        cases = (("clusters", LATEST, LIST_KEYS),
                 ("clusters", "container-infra 1.12",
                  [k if k != "cluster_id" else "stack_id" for k in LIST_KEYS]),
                 ("bays", "container-infra 1.1", bay_keys))
        for coll, ver, keys in cases:
            items = {x["uuid"]: x for x in
                     self.api("GET", "/v1/%s?limit=1000" % coll, version=ver, **kw).json[coll]}
            detail = {x["uuid"]: x for x in self.api("GET", "/v1/%s/detail?limit=1000" % coll,
                                                     version=ver, **kw).json[coll]}
            for u in made:
                self.assertEqual(list(items[u]), keys, coll + " " + ver)
                self.assertEqual(items[u], {k: detail[u][k] for k in keys}, coll + " " + ver)
        r = self.api("GET", "/v1/clusters?limit=1", headers={"Host": 'h"q\\:1'}, **kw)
        self.assertStatus(r, 200)
        self.assertTrue(r.json["clusters"][0]["links"][0]["href"].startswith('http://h"q\\:1/'))
        self.assertTrue(r.json["next"].startswith('http://h"q\\:1/v1/clusters?'))

    def test_list_cache_follows_nodegroups(self):
        """A cached bay list is dropped by any write of clusters or nodegroups
        rows (node_count is the sum of the worker groups), by any process."""
        kw = dict(project="p-cache", roles="admin")
        r = self.api("POST", "/v1/clusters", {"name": "cached", "cluster_template_id": "t1"},
                     **kw)
        self.assertStatus(r, 202)
        u = r.json["uuid"]

        def count():
            r = self.api("GET", "/v1/bays?limit=1000", version="container-infra 1.1", **kw)
            return {b["uuid"]: b["node_count"] for b in r.json["bays"]}[u]

        self.assertEqual((count(), count()), (1, 1))
        if not self.mg.db_url:
            db = os.path.join(self.mg.dir, "state", "magnum.sqlite")
            with sqlite3.connect(db) as c:
                c.execute("UPDATE nodegroups SET node_count = 4 WHERE cluster_id = ? "
                          "AND role <> 'master'", (u,))
            self.assertEqual(count(), 4)

    def test_ignored_and_read_only_input(self):
        body = {"cluster_template_id": "t1", "uuid": "00000000-0000-4000-8000-000000000001",
                "status": "CREATE_COMPLETE", "status_reason": "x", "health_status": "HEALTHY",
                "health_status_reason": {"api": "ok"}, "labels_added": {"x": "y"}}
        u = self.api("POST", "/v1/clusters", body).json["uuid"]
        self.assertNotEqual(u, body["uuid"])
        c = self.get(u)
        self.assertEqual(c["status"], "CREATE_IN_PROGRESS")
        self.assertIsNone(c["status_reason"])
        self.assertIsNone(c["health_status"])            # bug 7 fixed
        self.assertIsNone(c["health_status_reason"])
        for f in ("api_address", "project_id", "cluster_id", "stack_id", "node_addresses"):
            with self.subTest(field=f):
                self.assertError(self.api("POST", "/v1/clusters", {"cluster_template_id": "t1",
                                                                   f: None}), 400,
                                 "Invalid input for field/attribute %s." % f)

    def test_labels_rules(self):
        c = self.get(self.create(labels={"b": "3", "c": "4"}))
        self.assertEqual(c["labels"], {"b": "3", "c": "4"})
        self.assertEqual(c["labels_overridden"], {"b": "2"})
        self.assertEqual(c["labels_added"], {"c": "4"})
        self.assertEqual(c["labels_skipped"], {"a": "1"})
        c = self.get(self.create(labels={"b": "3", "c": 4}, merge_labels=True))
        self.assertEqual(c["labels"], {"a": "1", "b": "3", "c": "4"})
        self.assertIs(c["merge_labels"], False)          # never stored
        c = self.get(self.create(labels={}))
        self.assertEqual(c["labels"], {"a": "1", "b": "2"})
        self.assertError(self.api("POST", "/v1/clusters", {"cluster_template_id": "t1",
                                                           "labels": {"flannel_backend": "x"}}),
                         400, "flannel_backend")

    def test_overrides_from_body(self):
        c = self.get(self.create(flavor_id="m1.large", master_flavor_id="m1.tiny",
                                 docker_volume_size=7, create_timeout=0, keypair="k1",
                                 master_lb_enabled=True, master_count=3, node_count=2))
        self.assertEqual((c["flavor_id"], c["master_flavor_id"]), ("m1.large", "m1.tiny"))
        self.assertEqual(c["docker_volume_size"], 7)
        self.assertEqual(c["create_timeout"], 60)        # 0 -> [bay] bay_create_timeout
        self.assertIs(c["master_lb_enabled"], True)
        self.assertEqual((c["node_count"], c["master_count"]), (2, 3))
        self.assertEqual(self.ng(c["uuid"], "default-master")["flavor_id"], "m1.tiny")
        self.assertEqual(self.ng(c["uuid"], "default-worker")["flavor_id"], "m1.large")

    def test_template_by_uuid_and_id(self):
        t = self.api("GET", "/v1/clustertemplates/t1").json
        self.assertEqual(self.get(self.create(cluster_template_id=t["uuid"].upper()))
                         ["cluster_template_id"], t["uuid"])
        tid = cdb.query(self.mg, "SELECT id FROM cluster_templates WHERE uuid = ?",
                        (t["uuid"],))[0][0]
        self.assertEqual(self.get(self.create(cluster_template_id=str(tid)))
                         ["cluster_template_id"], t["uuid"])

    def test_validation(self):
        cases = [
            ({"cluster_template_id": "nope"}, 400, "ClusterTemplate nope could not be found."),
            ({}, 400, "cluster_template_id. Value: 'None'. Mandatory field missing."),
            ({"node_count": -1}, 400, "Value should be greater or equal to 0"),
            ({"node_count": 21}, 400, "Value should be lower or equal to 20"),
            ({"master_count": 0}, 400, "Value should be greater or equal to 1"),
            ({"master_count": 3}, 400, "master_count must be 1 when master_lb_enabled is False"),
            ({"cluster_template_id": "lb", "master_count": 2}, 400,
             "master nodegroup size of 2 is invalid, size cannot be an even number."),
            ({"keypair": "nokey"}, 404, "Unable to find keypair nokey."),
            ({"flavor_id": "nope"}, 400, "Unable to find flavor nope."),
            ({"discovery_url": "etcd.local"}, 400, "discovery_url"),
            ({"create_timeout": -1}, 400, "create_timeout. Value: '-1'"),
            ({"name": "-x"}, 400, "Value should match the pattern"),
            ({"foo": 1}, 400, "Unknown attribute for argument cluster: foo"),
            ({"merge_labels": "perhaps"}, 400, "Unrecognized value 'perhaps'"),
        ]
        before = [cdb.rows(self.mg, t) for t in ("clusters", "nodegroups", "jobs")]
        for body, status, text in cases:
            body.setdefault("cluster_template_id", "t1") if body else None
            with self.subTest(body=body):
                self.assertError(self.api("POST", "/v1/clusters", body), status, text)
        # The missing template is a 400 at every version (decision §8 item 2).
        for v in ("container-infra 1.9", "container-infra 1.10"):
            self.assertError(self.api("POST", "/v1/clusters", {"cluster_template_id": "nope"},
                                      version=v), 400, "ClusterTemplate nope could not be found.")
        # Zero nodes: refused below 1.10, a valid size from 1.10.
        self.assertError(self.api("POST", "/v1/clusters", {"cluster_template_id": "t1",
                                                           "node_count": 0},
                                  version="container-infra 1.9"), 400,
                         "Resizing a nodegroup to zero is not supported in the provided "
                         "microversion.")
        self.assertEqual([cdb.rows(self.mg, t) for t in ("clusters", "nodegroups", "jobs")],
                         before)                         # nothing half-written
        self.assertEqual(self.get(self.create(node_count=0, version="container-infra 1.10"))
                         ["node_count"], 0)
        self.assertError(self.api("POST", "/v1/clusters", {"cluster_template_id": "t1"},
                                  **READER), 403, "cluster:create")
        self.assertError(self.api("POST", "/v1/clusters", {"cluster_template_id": "t1"},
                                  **OTHER), 400, "ClusterTemplate t1 could not be found.")

    def test_devicemapper_minimum(self):
        baymodel(self, name="dm", docker_storage_driver="devicemapper", docker_volume_size=5)
        self.assertError(self.api("POST", "/v1/clusters", {"cluster_template_id": "dm",
                                                           "docker_volume_size": 2}), 400,
                         "docker volume size 2 GB is not valid, expecting minimum value 3GB "
                         "for devicemapper storage driver.")
        self.assertEqual(self.get(self.create(cluster_template_id="dm"))["docker_volume_size"], 5)

    def test_hidden_template_needs_admin(self):
        me_admin = dict(user="u-boss", roles="admin,member,reader")
        t = baymodel(self, name="hid", era="cluster", coe="kubernetes", hidden=True, **me_admin)
        self.assertTrue(t["hidden"])
        self.assertError(self.api("POST", "/v1/clusters", {"cluster_template_id": t["uuid"]}),
                         403, "Not authorized.")
        catalogue(self, user="u-boss", roles="admin,member,reader")
        r = self.api("POST", "/v1/clusters", {"cluster_template_id": t["uuid"]}, **me_admin)
        self.assertStatus(r, 202)

    def test_quota_row(self):
        me = dict(user="u-q", project="p-q", roles="member,reader")
        catalogue(self, **me)
        baymodel(self, name="tq", **me)
        self.assertStatus(self.api("POST", "/v1/quotas", {"project_id": "p-q",
                                                          "resource": "Cluster",
                                                          "hard_limit": 1}, **ADMIN), 201)
        self.assertStatus(self.api("POST", "/v1/clusters", {"cluster_template_id": "tq"}, **me),
                          202)
        self.assertError(self.api("POST", "/v1/clusters", {"cluster_template_id": "tq"}, **me),
                         403, "Resource limit exceeded: You have reached the maximum clusters "
                              "per project, 1. You may delete a cluster to make room for a "
                              "new one.")

    # -- lookups and lists --

    def test_lookup_names(self):
        a = self.create(name="twin")
        self.create(name="twin")
        self.assertError(self.api("GET", "/v1/clusters/twin"), 409,
                         "Multiple clusters exist with same name. Please use the cluster uuid "
                         "instead.")
        self.assertError(self.api("GET", "/v1/bays/twin"), 409,
                         "Multiple bays exist with same name. Please use the bay uuid instead.")
        self.assertEqual(self.get(a.upper())["uuid"], a)
        self.assertEqual(self.get(a.replace("-", ""))["uuid"], a)
        self.assertError(self.api("GET", "/v1/clusters/nope"), 404,
                         "Cluster nope could not be found.")
        self.assertError(self.api("GET", "/v1/bays/nope"), 404, "Bay nope could not be found.")
        self.assertStatus(self.api("GET", "/v1/clusters/%s/detail" % a), 404)
        self.assertError(self.api("GET", "/v1/clusters/" + a + "?x=1"), 400,
                         'Unknown argument: "x"')

    def test_list_pagination_sort_tenancy(self):
        me = dict(user="u-l", project="p-l", roles="member,reader")
        catalogue(self, **me)
        baymodel(self, name="tl", master_lb_enabled=True, **me)
        made = [self.api("POST", "/v1/clusters", {"cluster_template_id": "tl", "node_count": n,
                                                  "name": "l%d" % n}, **me).json["uuid"]
                for n in (3, 1, 2)]
        r = self.api("GET", "/v1/clusters?limit=2", **me)
        self.assertEqual([c["uuid"] for c in r.json["clusters"]], made[:2])
        nxt = r.json["next"]
        self.assertEqual(nxt, "%s/v1/clusters?sort_key=id&sort_dir=asc&limit=2&marker=%s" % (
            self.mg.url, made[1]))
        r = self.api("GET", nxt[len(self.mg.url):], **me)
        self.assertEqual([c["uuid"] for c in r.json["clusters"]], made[2:])
        self.assertNotIn("next", r.json)
        r = self.api("GET", "/v1/clusters/detail?sort_key=node_count&sort_dir=desc", **me)
        self.assertEqual([c["node_count"] for c in r.json["clusters"]], [3, 2, 1])
        self.assertIn("api_address", r.json["clusters"][0])
        r = self.api("GET", "/v1/clusters?sort_key=name", **me)
        self.assertEqual([c["name"] for c in r.json["clusters"]], ["l1", "l2", "l3"])
        for q, status, text in [
                ("sort_key=node_addresses", 400, 'The sort_key value "node_addresses" is an '
                                                 'invalid field for sorting'),
                ("sort_key=bogus", 400, "invalid field for sorting"),
                ("sort_dir=up", 400, "Invalid sort direction: up."),
                ("limit=0", 400, "Limit must be positive"),
                ("marker=xyz", 400, "Expected a uuid but received xyz."),
                ("marker=00000000000040008000000000000fff", 404,
                 "Cluster 00000000-0000-4000-8000-000000000fff could not be found."),
                ("all_tenants=1", 400, 'Unknown argument: "all_tenants"')]:
            with self.subTest(q=q):
                self.assertError(self.api("GET", "/v1/clusters?" + q, **me), status, text)
        # Tenancy: others see nothing of p-l; admin sees everything.
        self.assertFalse(set(made) & {c["uuid"] for c in
                                      self.api("GET", "/v1/clusters").json["clusters"]})
        self.assertStatus(self.api("GET", "/v1/clusters/" + made[0]), 404)
        self.assertLessEqual(set(made), {c["uuid"] for c in
                                         self.api("GET", "/v1/clusters", **ADMIN).json["clusters"]})
        self.assertEqual(self.get(made[0], **ADMIN)["project_id"], "p-l")
        self.assertError(self.api("GET", "/v1/clusters", roles=""), 403, "cluster:get_all")
        self.assertStatus(self.api("GET", "/v1/clusters/" + made[0], user="u-r", project="p-l",
                                   roles="reader"), 200)
        self.assertError(self.api("DELETE", "/v1/clusters/" + made[0], user="u-r",
                                  project="p-l", roles="reader"), 403, "cluster:delete")

    # -- PATCH --

    def test_patch_state_and_count(self):
        u = self.create(name="pc", node_count=2)
        p = "/v1/clusters/" + u
        op = [{"op": "replace", "path": "/node_count", "value": 3}]
        self.assertError(self.api("PATCH", p, op), 400,
                         'Updating a cluster when status is "CREATE_IN_PROGRESS" is not '
                         'supported.')
        cdb.settle(self.mg, u)
        self.assertError(self.api("PATCH", p, [{"op": "replace", "path": "/name",
                                                "value": "x"}]), 400,
                         "cannot change cluster property(ies) name.")
        err = self.assertError(self.api("PATCH", p, [
            {"op": "replace", "path": "/name", "value": "x"},
            {"op": "replace", "path": "/keypair", "value": "y"}]), 400)
        self.assertIn("keypair", err["detail"])
        for path in ("/cluster_id", "/stack_id", "/api_address", "/uuid"):
            self.assertError(self.api("PATCH", p, [{"op": "replace", "path": path,
                                                    "value": "x"}]), 400,
                             "'%s' is an internal attribute and can not be updated" % path)
        self.assertError(self.api("PATCH", p, [{"op": "remove",
                                                "path": "/cluster_template_id"}]), 400,
                         "mandatory attribute")
        self.assertError(self.api("PATCH", p, [{"op": "replace", "path": "/node_count",
                                                "value": 21}]), 400, "lower or equal to 20")
        self.assertError(self.api("PATCH", p, [{"op": "replace", "path": "/node_count",
                                                "value": 0}], version="container-infra 1.9"),
                         400, "Resizing a nodegroup to zero is not supported")
        self.assertError(self.api("PATCH", p, {"op": "replace"}), 400, "not a valid list")
        self.assertEqual(cdb.jobs(self.mg, u)[1:], [])    # refusals wrote nothing
        r = self.api("PATCH", p, op)
        self.assertStatus(r, 202)
        self.assertEqual(r.json, {"uuid": u})
        c = self.get(u)
        self.assertEqual((c["node_count"], c["status"]), (3, "UPDATE_IN_PROGRESS"))
        self.assertEqual(self.ng(u, "default-worker")["node_count"], 3)
        kind, state, payload = cdb.jobs(self.mg, u)[-1]
        self.assertEqual(kind, "update")
        self.assertIn(state, ("pending", "running", "held"))    # held: backend none
        self.assertEqual(payload["node_count"], {"old": 2, "new": 3})
        self.assertEqual(payload["nodegroup"], self.ng(u, "default-worker")["uuid"])
        # One operation at a time.
        self.assertError(self.api("PATCH", p, op), 400,
                         'Updating a cluster when status is "UPDATE_IN_PROGRESS" is not '
                         'supported.')
        cdb.settle(self.mg, u, "UPDATE_COMPLETE")
        # remove restores the default (1).
        self.assertStatus(self.api("PATCH", p, [{"op": "remove", "path": "/node_count"}]), 202)
        self.assertEqual(self.get(u)["node_count"], 1)
        ev = [e["step"] for e in self.api("GET", p + "/events").json["events"]]
        self.assertEqual(ev.count("update-accepted"), 2)

    def test_patch_health_and_rollback(self):
        u = self.create(name="ph")
        p = "/v1/clusters/" + u
        cdb.settle(self.mg, u)
        njobs = len(cdb.jobs(self.mg, u))
        r = self.api("PATCH", p, [{"op": "replace", "path": "/health_status", "value": "HEALTHY"},
                                  {"op": "replace", "path": "/health_status_reason",
                                   "value": "{'api': 'ok'}"}])
        self.assertStatus(r, 202)
        c = self.get(u)
        self.assertEqual((c["health_status"], c["health_status_reason"]),
                         ("HEALTHY", {"api": "ok"}))
        self.assertEqual(c["status"], "CREATE_COMPLETE")  # no driver work for health
        self.assertEqual(len(cdb.jobs(self.mg, u)), njobs)
        self.assertError(self.api("PATCH", p, [{"op": "replace", "path": "/health_status",
                                                "value": "OK"}]), 400,
                         "Value should be one of: HEALTHY, UNHEALTHY, UNKNOWN")
        op = [{"op": "replace", "path": "/node_count", "value": 2}]
        self.assertError(self.api("PATCH", p + "?rollback=True", op,
                                  version="container-infra 1.2"), 400,
                         'Unknown argument: "rollback"')
        self.assertError(self.api("PATCH", p + "?rollback=maybe", op), 400, "rollback")
        self.assertStatus(self.api("PATCH", p + "?rollback=True", op), 202)
        self.assertIs(cdb.jobs(self.mg, u)[-1][2]["rollback"], True)

    def test_patch_counts_with_extra_group(self):
        u = self.create(name="px", node_count=2)
        cdb.settle(self.mg, u, api_address="https://10.0.0.2:6443")
        base = "/v1/clusters/%s/nodegroups" % u
        self.assertStatus(self.api("POST", base, {"name": "extra", "node_count": 3}), 202)
        self.assertEqual(self.get(u)["node_count"], 5)    # the sum over worker groups
        cdb.settle(self.mg, u)
        # The cluster's node_count becomes what was asked; default-worker takes the change.
        self.assertStatus(self.api("PATCH", "/v1/clusters/" + u,
                                   [{"op": "replace", "path": "/node_count", "value": 6}]), 202)
        self.assertEqual(self.ng(u, "default-worker")["node_count"], 3)
        self.assertEqual(self.ng(u, "extra")["node_count"], 3)
        self.assertEqual(self.get(u)["node_count"], 6)
        cdb.settle(self.mg, u)
        self.assertError(self.api("PATCH", "/v1/clusters/" + u,
                                  [{"op": "replace", "path": "/node_count", "value": 2}]), 400,
                         "Value should be greater or equal to 3")

    # -- actions --

    def test_resize(self):
        u = self.create(name="rs")
        act = "/v1/clusters/%s/actions/resize" % u
        self.assertStatus(self.api("POST", act, {"node_count": 2},
                                   version="container-infra 1.6"), 406)
        self.assertError(self.api("POST", act, {"node_count": 2}), 400,
                         'Resizing a cluster when status is "CREATE_IN_PROGRESS" is not '
                         'supported.')
        self.assertError(self.api("POST", act, {}), 400,
                         "node_count. Value: 'None'. Mandatory field missing.")
        self.assertError(self.api("POST", act, {"node_count": 2, "x": 1}), 400,
                         "Unknown attribute")
        self.assertError(self.api("POST", act, {"node_count": 1, "nodegroup": "default-master"}),
                         400, "Resizing the master nodegroup is not supported by this driver.")
        self.assertError(self.api("POST", act, {"node_count": 1, "nodegroup": "nope"}), 404,
                         "Nodegroup nope could not be found.")
        self.assertError(self.api("POST", act, {"node_count": 0},
                                  version="container-infra 1.9"), 400,
                         "Resizing a nodegroup to zero is not supported")
        self.assertError(self.api("POST", "/v1/clusters/nope/actions/resize", {"node_count": 1}),
                         404, "Cluster nope could not be found.")
        cdb.settle(self.mg, u)
        w = self.ng(u, "default-worker")
        r = self.api("POST", act, {"node_count": 4, "nodegroup": str(w["id"]),
                                   "nodes_to_remove": ["n1"]})
        self.assertStatus(r, 202)
        self.assertEqual(r.json, {"uuid": u})
        self.assertEqual(self.get(u)["node_count"], 4)
        self.assertEqual(self.ng(u, "default-worker")["status"], "UPDATE_IN_PROGRESS")
        kind, _, payload = cdb.jobs(self.mg, u)[-1]
        self.assertEqual((kind, payload["action"], payload["node_count"],
                          payload["nodes_to_remove"]),
                         ("update", "resize", {"old": 1, "new": 4}, ["n1"]))
        self.assertError(self.api("POST", act, {"node_count": 2}), 400,
                         'Resizing a cluster when status is "UPDATE_IN_PROGRESS"')
        # A failed update may be retried by a resize; bounds are the group's.
        cdb.settle(self.mg, u, "UPDATE_FAILED")
        self.assertStatus(self.api("POST", act, {"node_count": 0, "nodegroup": w["uuid"]}), 202)
        cdb.settle(self.mg, u, "UPDATE_COMPLETE")
        self.assertStatus(self.api("PATCH", "/v1/clusters/%s/nodegroups/default-worker" % u,
                                   [{"op": "replace", "path": "/max_node_count", "value": 5}]),
                          202)
        self.assertError(self.api("POST", act, {"node_count": 6}), 400,
                         "Resizing default-worker outside the allowed range: min_node_count = "
                         "0, max_node_count = 5")

    def test_upgrade(self):
        u = self.create(name="up")
        act = "/v1/clusters/%s/actions/upgrade" % u
        t2 = baymodel(self, name="t2", labels={"v": "2"})
        self.assertStatus(self.api("POST", act, {"cluster_template": "t2"},
                                   version="container-infra 1.6"), 406)
        self.assertError(self.api("POST", act, {"cluster_template": "t2"},
                                  version="container-infra 1.7"), 400,
                         "Cluster upgrade is not supported in the provided microversion.")
        self.assertError(self.api("POST", act, {}), 400,
                         "cluster_template. Value: 'None'. Mandatory field missing.")
        self.assertError(self.api("POST", act, {"cluster_template": "t2", "max_batch_size": 0}),
                         400, "max_batch_size")
        self.assertError(self.api("POST", act, {"cluster_template": "nope"}), 404,
                         "ClusterTemplate nope could not be found.")
        self.assertError(self.api("POST", act, {"cluster_template": "t2"}), 400,
                         'Upgrading a cluster when status is "CREATE_IN_PROGRESS" is not '
                         'supported.')
        cdb.settle(self.mg, u, api_address="https://10.0.0.3:6443")
        self.assertStatus(self.api("POST", "/v1/clusters/%s/nodegroups" % u, {"name": "ng2"}),
                          202)
        cdb.settle(self.mg, u, api_address="https://10.0.0.3:6443")
        self.assertError(self.api("POST", act, {"cluster_template": "t2", "nodegroup": "ng2"}),
                         409, "Cluster Template is not valid for upgrade: Nodegroup ng2 can be "
                              "upgraded only to match cluster's template (t1).")
        r = self.api("POST", act, {"cluster_template": "t2", "max_batch_size": 2})
        self.assertStatus(r, 202)
        self.assertEqual(r.json, {"uuid": u})
        self.assertEqual(self.get(u)["status"], "UPDATE_IN_PROGRESS")
        kind, _, payload = cdb.jobs(self.mg, u)[-1]
        self.assertEqual((kind, payload["action"], payload["cluster_template"],
                          payload["max_batch_size"]), ("update", "upgrade", t2["uuid"], 2))
        self.assertEqual(self.get(u)["cluster_template_id"],
                         self.api("GET", "/v1/clustertemplates/t1").json["uuid"])

    # -- delete --

    def test_delete_any_state_once(self):
        u = self.create(name="dl")
        cdb.block(self.mg, u)            # hold the conductor back to look at the state
        self.assertStatus(self.api("DELETE", "/v1/clusters/" + u), 204)
        self.assertEqual(self.get(u)["status"], "DELETE_IN_PROGRESS")
        self.assertStatus(self.api("DELETE", "/v1/clusters/dl"), 204)    # harmless twice
        self.assertEqual([j[0:2] for j in cdb.jobs(self.mg, u)],
                         [("create", "cancelled"), ("delete", "pending")])
        self.assertError(self.api("DELETE", "/v1/clusters/" + u, **OTHER), 404,
                         "Cluster %s could not be found." % u)
        cdb.unblock(self.mg, u)
        for _ in range(200):
            if self.api("GET", "/v1/clusters/" + u).status == 404:
                break
            time.sleep(0.05)
        self.assertStatus(self.api("GET", "/v1/clusters/" + u), 404)
        self.assertStatus(self.api("GET", "/v1/clusters/%s/nodegroups" % u), 404)

    def test_faults_when_failed(self):
        u = self.create(name="fl")
        cdb.settle(self.mg, u, "CREATE_FAILED")
        cdb.query(self.mg, "UPDATE nodegroups SET status_reason = 'no capacity' WHERE "
                           "cluster_id = ? AND name = 'default-worker'", (u,))
        cdb.query(self.mg, "UPDATE nodegroups SET status = 'CREATE_COMPLETE' WHERE "
                           "cluster_id = ? AND name = 'default-master'", (u,))
        self.assertEqual(self.get(u)["faults"], {"default-worker": "no capacity"})
        self.assertNotIn("faults", [x for x in self.api("GET", "/v1/clusters/detail").json
                                    ["clusters"] if x["uuid"] == u][0])
        cdb.query(self.mg, "UPDATE nodegroups SET node_addresses = ? WHERE cluster_id = ? "
                           "AND name = 'default-worker'", ('["10.0.0.5", "10.0.0.6"]', u))
        self.assertEqual(self.get(u)["node_addresses"], ["10.0.0.5", "10.0.0.6"])
        self.assertEqual(self.get(u)["master_addresses"], [])


class CreateTimeout(Base):
    """A create that outlives its create_timeout ends CREATE_FAILED with the
    reason, from the periodic task, and its held job is failed."""
    EXTRA_CONF = "[DEFAULT]\nperiodic_interval = 1\n"

    def test_held_create_times_out(self):
        if self.mg.db_url:
            self.skipTest("ages the row through the SQLite file")
        young = self.create(name="young")
        old = self.create(name="old", create_timeout=5)
        db = os.path.join(self.mg.dir, "state", "magnum.sqlite")
        with sqlite3.connect(db) as c:
            c.execute("UPDATE clusters SET created_at = '2020-01-01T00:00:00+00:00' "
                      "WHERE uuid = ?", (old,))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.get(old)["status"] != "CREATE_FAILED":
            time.sleep(0.2)
        c = self.get(old)
        self.assertEqual(c["status"], "CREATE_FAILED")
        self.assertIn("create_timeout of 5 minutes", c["status_reason"])
        self.assertEqual(self.get(young)["status"], "CREATE_IN_PROGRESS")
        self.assertEqual([j[1] for j in cdb.jobs(self.mg, old)], ["failed"])


class Nodegroups(Base):

    def cluster(self, name, api_address="https://10.0.0.9:6443", **body):
        u = self.create(name=name, **body)
        cdb.settle(self.mg, u, api_address=api_address)
        return u, "/v1/clusters/%s/nodegroups" % u

    def test_list_and_show(self):
        u = self.create(name="nl", node_count=2)
        base = "/v1/clusters/%s/nodegroups" % u
        self.assertStatus(self.api("GET", base, version="container-infra 1.8"), 406)
        ngs = self.api("GET", base).json["nodegroups"]
        self.assertEqual([list(n) for n in ngs], [NG_LIST_KEYS, NG_LIST_KEYS])
        self.assertEqual([(n["name"], n["node_count"]) for n in ngs],
                         [("default-master", 1), ("default-worker", 2)])
        self.assertEqual(ngs[0]["image_id"], "deb")
        r = self.api("GET", base + "?limit=1")
        self.assertEqual(r.json["next"], "%s%s?sort_key=id&sort_dir=asc&limit=1&marker=%s" % (
            self.mg.url, base, ngs[0]["uuid"]))
        self.assertEqual([n["role"] for n in
                          self.api("GET", base + "?role=worker").json["nodegroups"]], ["worker"])
        n = self.ng("nl", "default-worker")
        self.assertEqual(set(n), NG_KEYS)
        self.assertEqual(n["cluster_id"], u)
        self.assertEqual(n["links"][0]["href"], "%s/v1/clusters/%s/nodegroups/%s" % (
            self.mg.url, u, n["uuid"]))
        self.assertEqual(n["labels"], {"a": "1", "b": "2"})
        self.assertEqual(self.ng(u, n["uuid"].upper())["name"], "default-worker")
        self.assertEqual(self.ng(u, str(n["id"]))["name"], "default-worker")
        self.assertError(self.api("GET", base + "/nope"), 404, "Nodegroup nope could not be found.")
        self.assertStatus(self.api("GET", base + "/detail"), 404)
        self.assertError(self.api("GET", base, **OTHER), 404, "Cluster %s could not be found." % u)
        self.assertStatus(self.api("GET", base, **ADMIN), 200)
        self.assertError(self.api("GET", base + "?x=1"), 400, 'Unknown argument: "x"')

    def test_create_rules(self):
        u = self.create(name="nc0")
        self.assertError(self.api("POST", "/v1/clusters/%s/nodegroups" % u, {"name": "x"}), 409,
                         "Cluster API address is not available yet")
        u, base = self.cluster("nc", labels={"c": "3"})
        cases = [
            ({"node_count": 1}, 400, "name. Value: 'None'. Mandatory field missing."),
            ({"name": "default-worker"}, 409,
             "A node group with name default-worker already exists in the cluster nc."),
            ({"name": "m", "role": "master"}, 400,
             "Creating master nodegroups is currently not supported."),
            ({"name": "y", "node_count": 3, "max_node_count": 2}, 409,
             "max_node_count for y is invalid (node_count (3) should be less or equal to "
             "max_node_count (2))."),
            ({"name": "y", "min_node_count": 3, "max_node_count": 2}, 409,
             "max_node_count for y is invalid (min_node_count (3) should be less or equal to "
             "max_node_count (2))."),
            ({"name": "y", "min_node_count": 2}, 409,
             "min_node_count for y is invalid (min_node_count (2) should be less or equal to "
             "node_count (1))."),
            ({"name": "y", "node_count": 21}, 400, "lower or equal to 20"),
            ({"name": "y", "flavor_id": "nope"}, 400, "Unable to find flavor nope."),
            ({"name": "y", "node_labels": {"node-role.kubernetes.io/gpu": "x"}}, 409,
             "node_labels for y is invalid (node label 'node-role.kubernetes.io/gpu' is in a "
             "restricted Kubernetes namespace"),
            ({"name": "y", "node_taints": [{"key": "k", "effect": "Sometimes"}]}, 409,
             "node_taints for y is invalid (node_taints[0].effect must be one of NoSchedule, "
             "PreferNoSchedule, NoExecute)."),
            ({"name": "y", "node_taints": [{"key": "k", "effect": "NoSchedule", "op": "x"}]}, 409,
             "node_taints[0] contains unrecognised field(s) op; allowed fields are key, value, "
             "effect"),
            ({"name": "y", "node_taints": [{"value": "v", "effect": "NoSchedule"}]}, 409,
             "node_taints[0].key is required"),
            ({"name": "y", "node_taints": ["k=v:NoSchedule"]}, 400, "node_taints"),
            ({"name": "y", "node_labels": ["a"]}, 400, "node_labels"),
        ]
        for f in ("id", "is_default", "status", "status_reason", "version", "project_id"):
            cases.append(({"name": "y", f: None}, 400, "Cannot set read only field."))
        jobs = len(cdb.jobs(self.mg, u))
        for body, status, text in cases:
            with self.subTest(body=body):
                self.assertError(self.api("POST", base, body), status, text)
        self.assertEqual(len(cdb.jobs(self.mg, u)), jobs)
        self.assertEqual(len(self.api("GET", base).json["nodegroups"]), 2)
        r = self.api("POST", base, {"name": "gpu", "node_count": 2, "min_node_count": 1,
                                    "max_node_count": 4, "labels": {"d": "4"},
                                    "merge_labels": True, "uuid": "ignored",
                                    "node_labels": {"kubernetes.io/os": "linux", "gpu": "yes",
                                                    "node.kubernetes.io/pool": "g"},
                                    "node_taints": [{"key": "gpu", "value": "1",
                                                     "effect": "NoSchedule"}]})
        self.assertStatus(r, 202)
        g = r.json
        self.assertEqual((g["role"], g["is_default"], g["node_count"]), ("worker", False, 2))
        self.assertEqual(g["flavor_id"], "m1.small")           # the cluster's
        self.assertEqual(g["labels"], {"c": "3", "d": "4"})    # merged over the cluster's
        self.assertEqual(g["labels_added"], {"d": "4"})
        self.assertEqual(g["status"], "CREATE_IN_PROGRESS")
        self.assertNotEqual(g["uuid"], "ignored")
        self.assertEqual(self.ng(u, "gpu")["node_taints"],
                         [{"key": "gpu", "value": "1", "effect": "NoSchedule"}])
        self.assertEqual(self.get(u)["status"], "UPDATE_IN_PROGRESS")
        self.assertEqual(self.get(u)["node_count"], 3)
        kind, _, payload = cdb.jobs(self.mg, u)[-1]
        self.assertEqual((kind, payload), ("update", {"action": "nodegroup_create",
                                                      "nodegroup": g["uuid"]}))
        ngs = self.api("GET", base).json["nodegroups"]
        self.assertEqual((ngs[2]["min_node_count"], ngs[2]["max_node_count"]), (1, 4))  # bug 4
        # Zero nodes in a group is fine at 1.9 already; labels given empty stay empty.
        r = self.api("POST", base, {"name": "zero", "node_count": 0, "labels": {}},
                     version="container-infra 1.9")
        self.assertStatus(r, 202)
        self.assertEqual(r.json["labels"], {})
        self.assertError(self.api("POST", base, {"name": "z"}, roles="reader"), 403,
                         "nodegroup:create")

    def test_update_rules(self):
        u, base = self.cluster("nu", node_count=2)
        w = base + "/default-worker"
        for path in ("/node_count", "/name", "/role", "/is_default", "/labels"):
            self.assertError(self.api("PATCH", w, [{"op": "replace", "path": path,
                                                    "value": "1"}]), 400,
                             "'%s' is an internal attribute and can not be updated" % path)
        self.assertError(self.api("PATCH", w, [{"op": "replace", "path": "/min_node_count",
                                                "value": 3}]), 409,
                         "min_node_count for default-worker is invalid (min_node_count (3) "
                         "should be less or equal to node_count (2)).")
        self.assertError(self.api("PATCH", w, [{"op": "replace", "path": "/min_node_count",
                                                "value": -1}]), 400, "min_node_count")
        r = self.api("PATCH", w, [{"op": "replace", "path": "/max_node_count", "value": 5},
                                  {"op": "replace", "path": "/min_node_count", "value": 1}])
        self.assertStatus(r, 202)
        self.assertEqual((r.json["min_node_count"], r.json["max_node_count"]), (1, 5))
        self.assertEqual(self.api("GET", base).json["nodegroups"][1]["max_node_count"], 5)
        self.assertEqual(self.get(u)["status"], "CREATE_COMPLETE")    # bounds: no job
        r = self.api("PATCH", w, [{"op": "remove", "path": "/min_node_count"}])
        self.assertEqual(r.json["min_node_count"], 0)
        self.assertError(self.api("PATCH", base + "/default-master",
                                  [{"op": "replace", "path": "/node_labels",
                                    "value": "{'a': 'b'}"}]), 409,
                         "node_labels for default-master is invalid (node_labels may not be set "
                         "on master nodegroups).")
        # Node labels need the nodes relabelled: a job, and the cluster is updating.
        r = self.api("PATCH", w, [{"op": "replace", "path": "/node_labels",
                                   "value": "{'tier': 'web'}"}])
        self.assertStatus(r, 202)
        self.assertEqual(r.json["node_labels"], {"tier": "web"})
        self.assertEqual(self.get(u)["status"], "UPDATE_IN_PROGRESS")
        self.assertEqual(cdb.jobs(self.mg, u)[-1][2]["action"], "nodegroup_update")
        # A group still being created may not be updated (#12: its own status is named).
        u2 = self.create(name="nu2")
        self.assertError(self.api("PATCH", "/v1/clusters/%s/nodegroups/default-worker" % u2,
                                  [{"op": "replace", "path": "/max_node_count", "value": 5}]),
                         400, 'nodegroup_update when nodegroup status is "CREATE_IN_PROGRESS" '
                              'is not supported.')

    def test_delete_rules(self):
        u, base = self.cluster("nd")
        self.assertError(self.api("DELETE", base + "/default-worker"), 400,
                         "Deleting a default nodegroup is not supported.")
        self.assertError(self.api("DELETE", base + "/default-master"), 400,
                         "Deleting a default nodegroup is not supported.")
        self.assertStatus(self.api("POST", base, {"name": "tmp"}), 202)
        cdb.settle(self.mg, u, api_address="https://10.0.0.9:6443")
        self.assertError(self.api("DELETE", base + "/tmp", **OTHER), 404,
                         "Cluster %s could not be found." % u)
        self.assertStatus(self.api("DELETE", base + "/tmp"), 204)
        self.assertEqual(self.ng(u, "tmp")["status"], "DELETE_IN_PROGRESS")
        self.assertEqual(self.get(u)["status"], "UPDATE_IN_PROGRESS")
        n = len(cdb.jobs(self.mg, u))
        self.assertStatus(self.api("DELETE", base + "/tmp"), 204)    # harmless twice
        self.assertEqual(len(cdb.jobs(self.mg, u)), n)
        self.assertEqual(cdb.jobs(self.mg, u)[-1][2]["action"], "nodegroup_delete")
        self.assertError(self.api("DELETE", base + "/nope"), 404,
                         "Nodegroup nope could not be found.")


if __name__ == "__main__":
    mglib.main()
