#!/usr/bin/env python3
"""Baymodels and cluster templates: fields, defaults, validation errors,
JSON-Patch, in-use rules, tenancy and pagination (bay doc §1.5, §2;
cluster doc §2.2)."""
import time

import mglib
from fixtures import baymodel, catalogue

OTHER = dict(user="u-other", project="p-other", roles="member,reader")
ADMIN = dict(user="u-admin", project="p-admin", roles="admin,member,reader")


class Templates(mglib.TestCase):
    AUTH = "noauth"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

    def setUp(self):
        catalogue(self)

    def count(self, **who):
        return len(self.api("GET", "/v1/baymodels", **who).json["baymodels"])

    def test_create_defaults_and_view(self):
        bm = baymodel(self, name="defaults")
        self.assertEqual(bm["network_driver"], "docker")      # swarm default, persisted
        self.assertEqual(bm["cluster_distro"], "debian")      # from the image
        self.assertEqual(bm["server_type"], "vm")
        self.assertIs(bm["tls_disabled"], False)
        self.assertIs(bm["public"], False)
        self.assertEqual(bm["labels"], {})                    # {} not null (bug 13)
        self.assertIsNone(bm["flavor_id"])
        self.assertNotIn("project_id", bm)                    # bay era hides it
        self.assertEqual(bm["links"][0]["rel"], "self")
        self.assertRegex(bm["created_at"], r"\+00:00$")
        r = self.api("GET", "/v1/clustertemplates/" + bm["uuid"])
        self.assertStatus(r, 200)
        self.assertEqual(r.json["project_id"], self.PROJECT)  # cluster era shows it
        self.assertIs(r.json["hidden"], False)

    def test_random_name_and_location(self):
        r = self.api("POST", "/v1/baymodels", {"coe": "swarm", "image_id": "deb",
                                                "keypair_id": "k1"})
        self.assertStatus(r, 201)
        self.assertRegex(r.json["name"], r"^[a-z]+-\d+-model$")
        self.assertEqual(r.headers["location"], self.mg.url + "/v1/baymodels/" + r.json["uuid"])
        r = self.api("POST", "/v1/clustertemplates", {"coe": "kubernetes", "image_id": "deb"})
        self.assertStatus(r, 201)
        self.assertRegex(r.json["name"], r"^[a-z]+-\d+-template$")
        self.assertEqual(r.json["network_driver"], "flannel")

    def test_client_uuid_honoured_and_duplicate(self):
        u = "11111111-2222-3333-4444-555555555555"
        bm = baymodel(self, name="withuuid", uuid=u)
        self.assertEqual(bm["uuid"], u)
        r = self.api("POST", "/v1/baymodels", {"uuid": u, "coe": "swarm", "image_id": "deb",
                                                "keypair_id": "k1"})
        self.assertError(r, 409, "A baymodel with UUID %s already exists." % u)

    def test_validation_errors(self):
        cases = [
            ({"coe": "nomad"}, 400, "Value should be one of: kubernetes, swarm, mesos"),
            ({"coe": None}, 400, "Requested COE type Unset is not supported."),
            ({"image_id": None}, 400, "image_id. Value: 'None'. Mandatory field missing."),
            ({"keypair_id": None}, 400, "keypair_id. Value: 'None'. Mandatory field missing."),
            ({"network_driver": "calico"}, 400,
             "Network driver type calico is not supported, expecting a docker/flannel/"
             "unspecified network driver."),
            ({"volume_driver": "cinder"}, 400,
             "Volume driver type cinder is not supported, expecting a rexray/unspecified"),
            ({"docker_storage_driver": "devicemapper", "docker_volume_size": 2}, 400,
             "docker volume size 2 GB is not valid, expecting minimum value 3GB"),
            ({"docker_storage_driver": "zfs"}, 400, "Value should be one of: devicemapper"),
            ({"docker_volume_size": 0}, 400, "Value should be greater or equal to 1"),
            ({"apiserver_port": 80}, 400, "Value should be greater or equal to 1024"),
            ({"server_type": "container"}, 400, "Value should be one of: vm, bm"),
            ({"tls_disabled": "maybe"}, 400, "Unrecognized value 'maybe'"),
            ({"http_proxy": "proxy:3128"}, 400, "http_proxy"),
            ({"dns_nameserver": "8.8.8"}, 400, "dns_nameserver"),
            ({"labels": {"flannel_backend": "gre"}}, 400,
             "flannel_backend: 'gre'. Allowed values: udp, vxlan, host-gw"),
            ({"labels": {"flannel_network_cidr": "10.0.0.1/16"}}, 400, "flannel_network_cidr"),
            ({"labels": {"flannel_network_cidr": "10.100.0.0/16",
                         "flannel_network_subnetlen": "8"}}, 400, "flannel_network_subnetlen"),
            ({"labels": {"mesos_agent_isolation": "bogus"}}, 400,
             'property "labels/mesos_agent_isolation" with value "bogus" is not supported'),
            ({"labels": "a=b"}, 400, "labels"),
            ({"image_id": "nope"}, 400, "Image nope could not be found."),
            ({"flavor_id": "m9.huge"}, 400, "Unable to find flavor m9.huge."),
            ({"keypair_id": "nokey"}, 404, "Unable to find keypair nokey."),
            ({"external_network_id": "private"}, 400, "Unable to find external network private."),
            ({"bogus": 1}, 400, "Unknown attribute for argument baymodel: bogus"),
            ({"links": []}, 400, "Cannot set read only field."),
            ({"name": "x" * 256}, 400, "maximum character requirement of 255"),
        ]
        before = self.count()
        for fields, status, text in cases:
            with self.subTest(fields=fields):
                body = {"coe": "swarm", "image_id": "deb", "keypair_id": "k1"}
                body.update(fields)
                body = {k: v for k, v in body.items() if v is not None}
                self.assertError(self.api("POST", "/v1/baymodels", body), status, text)
        self.assertEqual(self.count(), before)     # nothing was written

    def test_image_without_distro(self):
        self.assertStatus(self.api("POST", "/image/v2/images", {"name": "nodistro"}), 201)
        r = self.api("POST", "/v1/baymodels", {"coe": "swarm", "image_id": "nodistro",
                                                "keypair_id": "k1"})
        self.assertError(r, 400, "Image nodistro doesn't contain os_distro field.")

    def test_overlay2_and_flannel_ok(self):
        bm = baymodel(self, name="ok2", docker_storage_driver="overlay2", network_driver="flannel",
                      labels={"flannel_backend": "vxlan", "flannel_network_cidr": "10.9.0.0/16",
                              "flannel_network_subnetlen": 24, "n": 5, "b": True})
        self.assertEqual(bm["labels"]["flannel_network_subnetlen"], "24")   # coerced
        self.assertEqual(bm["labels"]["b"], "True")

    def test_patch(self):
        bm = baymodel(self, name="patchme")
        u = "/v1/baymodels/" + bm["uuid"]
        r = self.api("PATCH", u, [{"op": "replace", "path": "/name", "value": "patched"},
                                  {"op": "add", "path": "/http_proxy", "value": "http://p:3128"},
                                  {"op": "add", "path": "/labels/k", "value": "v"}])
        self.assertStatus(r, 200)
        self.assertEqual(r.json["name"], "patched")
        self.assertEqual(r.json["labels"], {"k": "v"})
        self.assertIsNotNone(r.json["updated_at"])
        r = self.api("PATCH", u, [{"op": "replace", "path": "/labels", "value": "{'a': 'b'}"}])
        self.assertEqual(r.json["labels"], {"a": "b"})
        errors = [
            ([{"op": "replace", "path": "/uuid", "value": "x"}], "'/uuid' is an internal attribute"),
            ([{"op": "remove", "path": "/image_id"}], "'/image_id' is a mandatory attribute"),
            ([{"op": "add", "path": "/name", "value": "x"}], "has existed, please use 'replace'"),
            ([{"op": "add", "path": "/nope", "value": "x"}], "Adding a new attribute /nope"),
            ([{"op": "move", "path": "/name", "value": "x"}], "Value should be one of: add"),
            ([{"op": "replace", "path": "/name", "value": ""}], "'add' and 'replace' operations needs value"),
            ([{"op": "replace", "path": "/network_driver", "value": "calico"}], "Network driver type calico"),
            ([{"op": "replace", "path": "/docker_volume_size", "value": "abc"}], "docker_volume_size"),
        ]
        for patch, text in errors:
            with self.subTest(patch=patch):
                self.assertError(self.api("PATCH", u, patch), 400, text)
        self.assertError(self.api("PATCH", u, {"name": "x"}), 400)    # not a list
        self.assertEqual(self.api("GET", u).json["name"], "patched")   # unchanged

    def test_patch_image_recomputes_distro(self):
        self.assertStatus(self.api("POST", "/image/v2/images", {"name": "fa", "os_distro":
                                                                "fedora-atomic"}), 201)
        bm = baymodel(self, name="distro")
        r = self.api("PATCH", "/v1/baymodels/" + bm["uuid"],
                     [{"op": "replace", "path": "/image_id", "value": "fa"}])
        self.assertStatus(r, 200)
        self.assertEqual(r.json["cluster_distro"], "fedora-atomic")

    def test_cluster_era_patch_falsy(self):
        bm = baymodel(self, name="falsy", era="cluster")
        r = self.api("PATCH", "/v1/clustertemplates/" + bm["uuid"],
                     [{"op": "replace", "path": "/master_lb_enabled", "value": False}])
        self.assertStatus(r, 200)
        r = self.api("PATCH", "/v1/baymodels/" + bm["uuid"],
                     [{"op": "replace", "path": "/master_lb_enabled", "value": False}])
        self.assertError(r, 400, "'add' and 'replace' operations needs value")

    def test_delete_and_in_use(self):
        bm = baymodel(self, name="inuse")
        r = self.api("POST", "/v1/bays", {"name": "b", "baymodel_id": bm["uuid"]})
        self.assertStatus(r, 201)
        self.assertError(self.api("DELETE", "/v1/baymodels/" + bm["uuid"]), 400,
                         "Baymodel %s is referenced by one or multiple bays." % bm["uuid"])
        self.assertError(self.api("PATCH", "/v1/baymodels/" + bm["uuid"],
                                  [{"op": "replace", "path": "/name", "value": "n2"}]), 400,
                         "is referenced by one or multiple bays")
        # Cluster era allows a rename of a referenced template.
        r = self.api("PATCH", "/v1/clustertemplates/" + bm["uuid"],
                     [{"op": "replace", "path": "/name", "value": "renamed"}])
        self.assertStatus(r, 200)
        self.assertEqual(r.json["name"], "renamed")
        bay = [b for b in self.api("GET", "/v1/bays").json["bays"]
               if b["baymodel_id"] == bm["uuid"]][0]
        self.assertStatus(self.api("DELETE", "/v1/bays/" + bay["uuid"]), 204)
        for _ in range(200):
            if self.api("GET", "/v1/bays/" + bay["uuid"]).status == 404:
                break
            time.sleep(0.05)
        self.assertStatus(self.api("DELETE", "/v1/baymodels/renamed"), 204)
        self.assertStatus(self.api("GET", "/v1/baymodels/renamed"), 404)

    def test_lookup_by_name_ambiguity_and_404(self):
        baymodel(self, name="twin")
        baymodel(self, name="twin")
        self.assertError(self.api("GET", "/v1/baymodels/twin"), 409,
                         "Multiple baymodels exist with same name. Please use the baymodel uuid instead.")
        self.assertError(self.api("GET", "/v1/clustertemplates/twin"), 409,
                         "Multiple ClusterTemplates exist with same name")
        self.assertError(self.api("GET", "/v1/baymodels/fooo"), 404,
                         "Baymodel fooo could not be found.")
        self.assertError(self.api("DELETE", "/v1/clustertemplates/fooo"), 404,
                         "ClusterTemplate fooo could not be found.")

    def test_tenancy_and_publish(self):
        priv = baymodel(self, name="private-one")
        # Another project cannot see, patch or delete it.
        catalogue(self, **OTHER)
        self.assertStatus(self.api("GET", "/v1/baymodels/" + priv["uuid"], **OTHER), 404)
        self.assertStatus(self.api("DELETE", "/v1/baymodels/" + priv["uuid"], **OTHER), 404)
        self.assertNotIn(priv["uuid"], [b["uuid"] for b in
                                        self.api("GET", "/v1/baymodels", **OTHER).json["baymodels"]])
        # Only admin publishes.
        self.assertError(self.api("POST", "/v1/baymodels", {
            "coe": "swarm", "image_id": "deb", "keypair_id": "k1", "public": True}), 403,
            "Not authorized to set public flag for baymodel.")
        self.assertError(self.api("PATCH", "/v1/clustertemplates/" + priv["uuid"],
                                  [{"op": "replace", "path": "/hidden", "value": True}]), 403,
                         "Not authorized to set public or hidden flag for cluster template.")
        r = self.api("PATCH", "/v1/baymodels/" + priv["uuid"],
                     [{"op": "replace", "path": "/public", "value": "True"}], **ADMIN)
        self.assertStatus(r, 200)
        self.assertIs(r.json["public"], True)
        # Now readable by the other project, but not writable.
        self.assertStatus(self.api("GET", "/v1/baymodels/" + priv["uuid"], **OTHER), 200)
        self.assertError(self.api("PATCH", "/v1/baymodels/" + priv["uuid"],
                                  [{"op": "replace", "path": "/name", "value": "x"}], **OTHER), 403,
                         "Policy doesn't allow baymodel:update to be performed.")
        # Readers cannot create.
        self.assertError(self.api("POST", "/v1/baymodels", {"coe": "swarm"}, roles="reader"),
                         403, "baymodel:create")

    def test_pagination(self):
        for i in range(5):
            baymodel(self, name="page-%d" % i)
        r = self.api("GET", "/v1/baymodels?limit=2&sort_key=name&sort_dir=asc")
        self.assertStatus(r, 200)
        self.assertEqual(len(r.json["baymodels"]), 2)
        nxt = r.json["next"]
        self.assertIn("limit=2", nxt)
        self.assertIn("marker=" + r.json["baymodels"][1]["uuid"], nxt)
        names = [b["name"] for b in r.json["baymodels"]]
        r2 = self.api("GET", nxt.replace(self.mg.url, ""))
        self.assertStatus(r2, 200)
        self.assertGreater(r2.json["baymodels"][0]["name"], names[-1])
        self.assertError(self.api("GET", "/v1/baymodels?limit=0"), 400, "Limit must be positive")
        self.assertError(self.api("GET", "/v1/baymodels?sort_key=nope"), 400,
                         'The sort_key value "nope" is an invalid field for sorting')
        self.assertError(self.api("GET", "/v1/baymodels?sort_dir=up"), 400,
                         "Invalid sort direction: up")
        self.assertError(self.api("GET", "/v1/baymodels?marker=notauuid"), 400,
                         "Expected a uuid but received notauuid.")
        self.assertError(self.api("GET", "/v1/baymodels?foo=1"), 400, 'Unknown argument: "foo"')
        self.assertStatus(self.api("GET", "/v1/baymodels/detail?limit=1"), 200)

    def test_bay_era_field_set(self):
        r = self.api("POST", "/v1/baymodels", {"name": "fip", "coe": "swarm", "image_id": "deb",
                                                "keypair_id": "k1", "floating_ip_enabled": False})
        self.assertStatus(r, 201)                          # the 2.3.0 client sends it
        bm = r.json
        for k in ("project_id", "user_id", "hidden", "tags", "driver", "floating_ip_enabled"):
            self.assertNotIn(k, bm)
        self.assertEqual(self.api("GET", "/v1/baymodels/fip").json, bm)
        listed = [b for b in self.api("GET", "/v1/baymodels/detail").json["baymodels"]
                  if b["uuid"] == bm["uuid"]]
        self.assertEqual(listed, [bm])
        ct = self.api("GET", "/v1/clustertemplates/" + bm["uuid"]).json
        self.assertIs(ct["floating_ip_enabled"], False)   # stored all the same
        before = self.count()
        for k, v in (("hidden", False), ("tags", "a"), ("driver", "x"), ("project_id", "p"),
                     ("user_id", "u")):
            with self.subTest(field=k):
                r = self.api("POST", "/v1/baymodels", {"coe": "swarm", "image_id": "deb",
                                                        "keypair_id": "k1", k: v})
                self.assertError(r, 400, "Unknown attribute for argument baymodel: " + k)
        self.assertEqual(self.count(), before)
        r = self.api("PATCH", "/v1/baymodels/" + bm["uuid"],
                     [{"op": "add", "path": "/hidden", "value": True}])
        self.assertError(r, 400, "Adding a new attribute /hidden to the root of the resource is "
                         "not allowed.")

    def test_bay_era_dns_and_drivers(self):
        bm = baymodel(self, name="v6", dns_nameserver="2001:4860:4860::8888")
        self.assertEqual(bm["dns_nameserver"], "2001:4860:4860::8888")
        self.assertError(self.api("POST", "/v1/baymodels", {
            "coe": "swarm", "image_id": "deb", "keypair_id": "k1",
            "dns_nameserver": "8.8.8.8,8.8.4.4"}), 400,
            "Invalid input for field/attribute dns_nameserver. Value: '8.8.8.8,8.8.4.4'.")
        bm = baymodel(self, name="k8s", coe="kubernetes", volume_driver="cinder")
        self.assertEqual(bm["network_driver"], "flannel")
        bm = baymodel(self, name="mesos", coe="mesos")
        self.assertEqual(bm["network_driver"], "docker")
        self.assertError(self.api("POST", "/v1/baymodels", {
            "coe": "mesos", "image_id": "deb", "keypair_id": "k1", "network_driver": "flannel"}),
            400, "Network driver type flannel is not supported, expecting a docker/unspecified "
            "network driver.")
        self.assertError(self.api("POST", "/v1/baymodels", {
            "coe": "kubernetes", "image_id": "deb", "keypair_id": "k1", "volume_driver": "rexray"}),
            400, "Volume driver type rexray is not supported, expecting a cinder/unspecified "
            "volume driver.")

    def test_bay_era_check_order_and_keypair(self):
        steps = [
            ({"image_id": "nope"}, 400, "Image nope could not be found."),
            ({"flavor_id": "bad-flavor"}, 400, "Unable to find flavor bad-flavor."),
            ({"master_flavor_id": "bad-master"}, 400, "Unable to find flavor bad-master."),
            ({"keypair_id": "bad-key"}, 404, "Unable to find keypair bad-key."),
            ({"external_network_id": "bad-net"}, 400, "Unable to find external network bad-net."),
            ({"labels": {"mesos_agent_isolation": "bogus"}}, 400, "mesos_agent_isolation"),
        ]
        for i in range(len(steps)):
            body = {"coe": "swarm", "image_id": "deb", "keypair_id": "k1"}
            for fields, _, _ in steps[i:]:
                body.update(fields)
            with self.subTest(first=steps[i][0]):
                self.assertError(self.api("POST", "/v1/baymodels", body), steps[i][1], steps[i][2])
        # keypairs belong to a user: a colleague's keypair is not found
        catalogue(self, keypair="k-colleague", user="u-colleague")
        self.assertError(self.api("POST", "/v1/baymodels", {
            "coe": "swarm", "image_id": "deb", "keypair_id": "k-colleague"}), 404,
            "Unable to find keypair k-colleague.")
        bm = baymodel(self, name="kp")
        self.assertError(self.api("PATCH", "/v1/baymodels/" + bm["uuid"], [
            {"op": "replace", "path": "/keypair_id", "value": "k-colleague"}]), 404,
            "Unable to find keypair k-colleague.")
        self.assertError(self.api("PATCH", "/v1/baymodels/" + bm["uuid"], [
            {"op": "remove", "path": "/keypair_id"}]), 400,
            "'/keypair_id' is a mandatory attribute and can not be removed")
        # a colleague in the same project may patch it without owning the keypair
        r = self.api("PATCH", "/v1/baymodels/" + bm["uuid"], [
            {"op": "replace", "path": "/name", "value": "kp2"}], user="u-colleague")
        self.assertStatus(r, 200)

    def test_rejected_patch_changes_nothing(self):
        bm = baymodel(self, name="stable", labels={"a": "1"})
        u = "/v1/baymodels/" + bm["uuid"]
        bad = [
            [{"op": "replace", "path": "/name", "value": "x"},
             {"op": "replace", "path": "/image_id", "value": "nope"}],
            [{"op": "add", "path": "/labels/b", "value": "2"},
             {"op": "replace", "path": "/apiserver_port", "value": 1}],
            [{"op": "replace", "path": "/public", "value": "true"}],
            [{"op": "replace", "path": "/flavor_id", "value": "m1.small"},
             {"op": "add", "path": "/nothere", "value": "x"}],
        ]
        for ops in bad:
            with self.subTest(ops=ops):
                self.assertIn(self.api("PATCH", u, ops).status, (400, 403, 404))
        self.assertEqual(self.api("GET", u).json, bm)

    def test_roles_and_admin(self):
        bm = baymodel(self, name="owned")
        u = "/v1/baymodels/" + bm["uuid"]
        self.assertStatus(self.api("GET", u, roles="reader"), 200)
        self.assertError(self.api("PATCH", u, [{"op": "replace", "path": "/name", "value": "x"}],
                                  roles="reader"), 403,
                         "Policy doesn't allow baymodel:update to be performed.")
        self.assertError(self.api("DELETE", u, roles="reader"), 403,
                         "Policy doesn't allow baymodel:delete to be performed.")
        self.assertError(self.api("PATCH", u, [{"op": "replace", "path": "/public",
                                                "value": "true"}]), 403,
                         "Not authorized to set public flag for baymodel.")
        # admin of another project sees, publishes and finally deletes it
        self.assertIn(bm["uuid"], [b["uuid"] for b in
                                   self.api("GET", "/v1/baymodels", **ADMIN).json["baymodels"]])
        r = self.api("PATCH", u, [{"op": "replace", "path": "/public", "value": "true"}], **ADMIN)
        self.assertStatus(r, 200)
        catalogue(self, **OTHER)
        self.assertError(self.api("DELETE", u, **OTHER), 403,
                         "Policy doesn't allow baymodel:delete to be performed.")
        self.assertStatus(self.api("DELETE", u, **ADMIN), 204)
        self.assertError(self.api("GET", u), 404, "Baymodel %s could not be found." % bm["uuid"])


if __name__ == "__main__":
    mglib.main()
