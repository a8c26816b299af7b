#!/usr/bin/env python3
"""Cluster templates, cluster era (/v1/clustertemplates): fields and defaults,
validation texts and statuses, the fixed order of the catalogue checks,
JSON-Patch with the cluster-era rules, in-use rules, visibility of public and
hidden templates across projects, admin powers, pagination, and "a rejected
request changes nothing" (cluster doc §2.2, with the product decisions)."""
import json
import os
import sqlite3
import time

import mglib
from fixtures import catalogue

B = dict(user="u-b", project="p-b", roles="member,reader")        # another project
ADMIN = dict(user="u-adm", project="p-adm", roles="admin")         # admin of a third project
READER = dict(roles="reader")                                      # reader of the main project

FIELDS = {"uuid", "name", "coe", "image_id", "flavor_id", "master_flavor_id", "dns_nameserver",
          "keypair_id", "external_network_id", "fixed_network", "fixed_subnet", "network_driver",
          "apiserver_port", "docker_volume_size", "cluster_distro", "http_proxy", "https_proxy",
          "no_proxy", "volume_driver", "registry_enabled", "labels", "tls_disabled", "public",
          "server_type", "insecure_registry", "docker_storage_driver", "master_lb_enabled",
          "floating_ip_enabled", "hidden", "tags", "driver", "links", "created_at",
          "updated_at", "project_id", "user_id"}


class ClusterTemplates(mglib.TestCase):
    AUTH = "noauth"
    VERSION = "container-infra latest"
    EXTRA_CONF = "[bay]\nmax_labels = 4\n"

    def setUp(self):
        catalogue(self)

    def create(self, expect=201, who=None, **fields):
        body = {"coe": "kubernetes", "image_id": "deb", "external_network_id": "public"}
        body.update(fields)
        body = {k: v for k, v in body.items() if v is not Ellipsis}
        r = self.api("POST", "/v1/clustertemplates", body, **(who or {}))
        self.assertStatus(r, expect)
        return r.json

    def uuids(self, **who):
        r = self.api("GET", "/v1/clustertemplates", **who)
        self.assertStatus(r, 200)
        return [t["uuid"] for t in r.json["clustertemplates"]]

    def patch(self, ident, ops, **who):
        return self.api("PATCH", "/v1/clustertemplates/" + ident, ops, **who)

    # -- create and view --

    def test_create_defaults_and_view(self):
        r = self.api("POST", "/v1/clustertemplates", {"name": "ct", "coe": "kubernetes",
                                                       "image_id": "deb"})
        self.assertStatus(r, 201)
        t = r.json
        self.assertEqual(set(t), FIELDS)
        self.assertEqual(r.headers["location"], self.mg.url + "/v1/clustertemplates/" + t["uuid"])
        self.assertEqual(t["network_driver"], "flannel")      # COE default, persisted
        self.assertEqual(t["cluster_distro"], "debian")       # image os_distro
        self.assertEqual(t["labels"], {})
        self.assertIs(t["hidden"], False)
        self.assertIs(t["public"], False)
        self.assertIs(t["floating_ip_enabled"], True)
        self.assertIs(t["master_lb_enabled"], False)
        self.assertIs(t["registry_enabled"], False)
        self.assertEqual(t["server_type"], "vm")
        self.assertIsNone(t["keypair_id"])                    # optional in this era
        self.assertIsNone(t["tags"])
        self.assertIsNone(t["updated_at"])
        self.assertEqual(t["project_id"], self.PROJECT)
        self.assertEqual(t["user_id"], self.USER)
        self.assertRegex(t["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")
        self.assertEqual(t["links"], [
            {"href": self.mg.url + "/v1/clustertemplates/" + t["uuid"], "rel": "self"},
            {"href": self.mg.url + "/clustertemplates/" + t["uuid"], "rel": "bookmark"}])
        # show, list and detail return the same full object
        shown = self.api("GET", "/v1/clustertemplates/" + t["uuid"]).json
        self.assertEqual(shown, t)
        by_name = self.api("GET", "/v1/clustertemplates/ct").json
        self.assertEqual(by_name["uuid"], t["uuid"])
        for path in ("/v1/clustertemplates", "/v1/clustertemplates/detail"):
            items = [x for x in self.api("GET", path).json["clustertemplates"]
                     if x["uuid"] == t["uuid"]]
            self.assertEqual(items, [t], path)
        # the same row in the bay era: no cluster-era fields
        bm = self.api("GET", "/v1/baymodels/" + t["uuid"]).json
        for k in ("project_id", "user_id", "hidden", "tags", "driver", "floating_ip_enabled"):
            self.assertNotIn(k, bm)
        self.assertEqual(bm["links"][0]["href"], self.mg.url + "/v1/baymodels/" + t["uuid"])

    def test_every_microversion_serves_templates(self):
        t = self.create(name="versions")
        for minor in (1, 9, 10, 14):
            r = self.api("GET", "/v1/clustertemplates/" + t["uuid"],
                         version="container-infra 1.%d" % minor)
            self.assertStatus(r, 200)
            r = self.api("GET", "/v1/baymodels/" + t["uuid"], version="container-infra 1.%d" % minor)
            self.assertStatus(r, 200)

    def test_optional_fields_stored(self):
        t = self.create(name="full", keypair_id="not-checked-here", flavor_id="m1.small",
                        master_flavor_id="3", dns_nameserver="8.8.8.8, 1.1.1.1",
                        fixed_network="private", fixed_subnet="private-sub",
                        network_driver="calico", volume_driver="cinder", apiserver_port=6443,
                        docker_volume_size=3, docker_storage_driver="devicemapper",
                        http_proxy="http://proxy.example.com:3128",
                        https_proxy="https://user:pw@[fd00::1]:3129/path",
                        no_proxy="localhost,127.0.0.1,10.0.0.0/8, .example.com,*.corp,fd00::/64",
                        registry_enabled=True, insecure_registry="reg:5000",
                        labels={"flannel_backend": "vxlan", "count": 3, "on": False},
                        tls_disabled="yes", server_type="bm", master_lb_enabled=1,
                        floating_ip_enabled=False, tags="a,b", driver="k8s_local",
                        cluster_distro="ignored")
        self.assertEqual(t["keypair_id"], "not-checked-here")
        self.assertEqual(t["network_driver"], "calico")
        self.assertEqual(t["dns_nameserver"], "8.8.8.8, 1.1.1.1")
        self.assertEqual(t["labels"], {"flannel_backend": "vxlan", "count": "3", "on": "False"})
        self.assertIs(t["tls_disabled"], True)
        self.assertIs(t["master_lb_enabled"], True)
        self.assertIs(t["floating_ip_enabled"], False)
        self.assertEqual(t["cluster_distro"], "debian")      # the body's value is ignored
        self.assertEqual(t["tags"], "a,b")
        self.assertEqual(t["driver"], "k8s_local")
        self.assertEqual(t["apiserver_port"], 6443)
        self.assertEqual(self.api("GET", "/v1/clustertemplates/full").json, t)

    def test_random_name_and_client_uuid(self):
        t = self.create()
        self.assertRegex(t["name"], r"^(alpha|beta|gamma|delta|epsilon|zeta|eta|theta|iota|kappa|"
                         r"lambda|mu|nu|xi|omicron|pi|rho|sigma|tau|upsilon|phi|chi|psi|omega)"
                         r"-([1-9]|1\d|2[0-4])-template$")
        u = "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE"
        t = self.create(uuid=u, name="mine")
        self.assertEqual(t["uuid"], u.lower())
        before = len(self.uuids())
        r = self.api("POST", "/v1/clustertemplates", {"uuid": u, "coe": "kubernetes",
                                                       "image_id": "deb"})
        self.assertError(r, 409, "A ClusterTemplate with UUID %s already exists." % u.lower())
        r = self.api("POST", "/v1/baymodels", {"uuid": u, "coe": "swarm", "image_id": "deb",
                                                "keypair_id": "k1"})
        self.assertError(r, 409, "A baymodel with UUID %s already exists." % u.lower())
        self.assertEqual(len(self.uuids()), before)

    def test_swarm_and_mesos_drivers(self):
        t = self.create(name="sw", coe="swarm", volume_driver="rexray")
        self.assertEqual(t["network_driver"], "docker")
        t = self.create(name="sw2", coe="swarm", network_driver="flannel")
        self.assertEqual(t["network_driver"], "flannel")
        t = self.create(name="me", coe="mesos", labels={
            "mesos_agent_isolation": "docker/runtime,filesystem/linux",
            "mesos_agent_image_providers": "docker"})
        self.assertEqual(t["network_driver"], "docker")

    # -- validation --

    def test_validation_errors(self):
        long_name = "n" * 256
        cases = [
            ({"coe": "nomad"}, 400, "Value should be one of: kubernetes, swarm, mesos"),
            ({"coe": ...}, 400, "Requested COE type Unset is not supported."),
            ({"image_id": ...}, 400,
             "Invalid input for field/attribute image_id. Value: 'None'. Mandatory field missing."),
            ({"image_id": None}, 400, "image_id. Value: 'None'. Mandatory field missing."),
            ({"name": long_name}, 400,
             "Invalid input for field/attribute name. Value: '%s'. Value should have a maximum "
             "character requirement of 255" % long_name),
            ({"name": ""}, 400, "minimum character requirement of 1"),
            ({"server_type": "vmx"}, 400, "Value should be one of: vm, bm"),
            ({"network_driver": "docker"}, 400,
             "Network driver type docker is not supported, expecting a flannel/calico/"
             "unspecified network driver."),
            ({"coe": "mesos", "network_driver": "flannel"}, 400,
             "Network driver type flannel is not supported, expecting a docker/unspecified "
             "network driver."),
            ({"volume_driver": "rexray"}, 400,
             "Volume driver type rexray is not supported, expecting a cinder/unspecified volume "
             "driver."),
            ({"coe": "swarm", "volume_driver": "cinder"}, 400,
             "Volume driver type cinder is not supported, expecting a rexray/unspecified volume "
             "driver."),
            ({"docker_storage_driver": "devicemapper", "docker_volume_size": 2}, 400,
             "docker volume size 2 GB is not valid, expecting minimum value 3GB for devicemapper "
             "storage driver."),
            ({"docker_storage_driver": "btrfs"}, 400,
             "Value should be one of: devicemapper, overlay, overlay2"),
            ({"docker_volume_size": 0}, 400,
             "docker_volume_size. Value: '0'. Value should be greater or equal to 1"),
            ({"apiserver_port": 1023}, 400, "Value should be greater or equal to 1024"),
            ({"apiserver_port": 65536}, 400, "Value should be lower or equal to 65535"),
            ({"public": "perhaps"}, 400, "Unrecognized value 'perhaps'"),
            ({"hidden": "perhaps"}, 400, "Unrecognized value 'perhaps'"),
            ({"http_proxy": "ftp://proxy:21"}, 400,
             "Invalid input for field/attribute http_proxy. Value: 'ftp://proxy:21'."),
            ({"https_proxy": "https://proxy:99999"}, 400,
             "Invalid input for field/attribute https_proxy."),
            ({"http_proxy": "http://bad host/"}, 400, "http_proxy"),
            ({"no_proxy": "localhost,bad host"}, 400,
             "Invalid input for field/attribute no_proxy. Value: 'localhost,bad host'."),
            ({"no_proxy": "10.0.0.0/33"}, 400, "no_proxy"),
            ({"no_proxy": ","}, 400, "no_proxy"),
            ({"dns_nameserver": "8.8.8.8,dns.example"}, 400,
             "Expected a single dns address or comma separated dns list, but received "
             "8.8.8.8,dns.example."),
            ({"dns_nameserver": "8.8.8.8,"}, 400, "Expected a single dns address"),
            ({"labels": {"flannel_backend": "gre"}}, 400, "flannel_backend"),
            ({"labels": {"mesos_agent_image_providers": "docker"}}, 400,
             "Docker runtime isolator has to be specified"),
            ({"labels": {"a": "1", "b": "2", "c": "3", "d": "4", "e": "5"}}, 400,
             "Too many labels: 5 given, at most 4 are allowed"),
            ({"labels": ["a"]}, 400, "labels"),
            ({"tags": "t" * 256}, 400, "tags"),
            ({"project_id": "x"}, 400,
             "Invalid input for field/attribute project_id. Value: 'x'. Cannot set read only "
             "field."),
            ({"user_id": "x"}, 400, "user_id. Value: 'x'. Cannot set read only field."),
            ({"created_at": "2020-01-01T00:00:00"}, 400, "Cannot set read only field."),
            ({"bogus": 1, "other": 2}, 400,
             "Unknown attributes for argument clustertemplate: bogus, other"),
            ({"uuid": "not-a-uuid"}, 400, "Expected a uuid but received not-a-uuid."),
            # catalogue
            ({"image_id": "nope"}, 400, "Image nope could not be found."),
            ({"flavor_id": "m9.huge"}, 400, "Unable to find flavor m9.huge."),
            ({"master_flavor_id": "m9.master"}, 400, "Unable to find flavor m9.master."),
            ({"external_network_id": "private"}, 400, "Unable to find external network private."),
            # only admin publishes or hides
            ({"public": True}, 403,
             "Not authorized to set public or hidden flag for cluster template."),
            ({"hidden": "true"}, 403,
             "Not authorized to set public or hidden flag for cluster template."),
        ]
        before = self.uuids()
        for fields, status, text in cases:
            with self.subTest(fields=fields):
                body = {"name": "bad", "coe": "kubernetes", "image_id": "deb"}
                body.update(fields)
                body = {k: v for k, v in body.items() if v is not Ellipsis}
                self.assertError(self.api("POST", "/v1/clustertemplates", body), status, text)
        self.assertEqual(self.uuids(), before)            # nothing was written
        self.assertStatus(self.api("GET", "/v1/clustertemplates/bad"), 404)

    def test_proxy_and_dns_forms(self):
        good = [("http_proxy", "http://p"), ("http_proxy", "HTTP://user:p%40ss@proxy.corp:8080"),
                ("https_proxy", "https://10.0.0.1:443/x?y=1"), ("https_proxy", "https://[::1]"),
                ("no_proxy", "*"), ("no_proxy", "[fd00::1]:80, svc_1.local:8080 ,192.168.0.0/16"),
                ("dns_nameserver", "fd00::53"), ("dns_nameserver", " 1.1.1.1 , 9.9.9.9 ")]
        bad = [("http_proxy", "http://"), ("http_proxy", "http://[::1"),
               ("http_proxy", "http://host:0"), ("http_proxy", "http://ho st"),
               ("https_proxy", "https://a..b"), ("http_proxy", "http://h:8080:9"),
               ("no_proxy", "a/b"), ("no_proxy", "1.2.3.4/x"), ("no_proxy", "host:99999"),
               ("no_proxy", "::1/129"), ("dns_nameserver", "1.1.1.1 2.2.2.2"),
               ("dns_nameserver", ",")]
        for field, value in good:
            with self.subTest(good=value):
                t = self.create(name="fmt", **{field: value})
                self.assertEqual(t[field], value)
                self.assertStatus(self.api("DELETE", "/v1/clustertemplates/" + t["uuid"]), 204)
        for field, value in bad:
            with self.subTest(bad=value):
                r = self.api("POST", "/v1/clustertemplates", {"coe": "kubernetes",
                                                               "image_id": "deb", field: value})
                if field == "dns_nameserver":
                    self.assertError(r, 400, "Expected a single dns address or comma separated "
                                     "dns list, but received %s." % value)
                else:
                    self.assertError(r, 400, "Invalid input for field/attribute %s. Value: '%s'."
                                     % (field, value))

    def test_not_json_and_not_object(self):
        self.assertError(self.api("POST", "/v1/clustertemplates", raw="{nope"), 400,
                         "Request is not in valid JSON format")
        self.assertError(self.api("POST", "/v1/clustertemplates", ["x"]), 400,
                         "clustertemplate")

    def test_resource_check_order(self):
        """Several bad resources at once: image, flavor, master flavor, external
        network, then labels (keypairs are not checked in this era)."""
        steps = [
            ({"image_id": "nope"}, "Image nope could not be found."),
            ({"flavor_id": "bad-flavor"}, "Unable to find flavor bad-flavor."),
            ({"master_flavor_id": "bad-master"}, "Unable to find flavor bad-master."),
            ({"external_network_id": "bad-net"}, "Unable to find external network bad-net."),
            ({"labels": {"flannel_backend": "gre"}}, "flannel_backend"),
        ]
        for i in range(len(steps)):
            body = {"coe": "kubernetes", "image_id": "deb", "keypair_id": "no-such-key"}
            for fields, _ in steps[i:]:
                body.update(fields)
            with self.subTest(first=steps[i][0]):
                self.assertError(self.api("POST", "/v1/clustertemplates", body), 400, steps[i][1])

    def test_image_rules(self):
        self.assertStatus(self.api("POST", "/image/v2/images", {"name": "twin-img",
                                                                "os_distro": "fedora-coreos"}), 201)
        self.assertStatus(self.api("POST", "/image/v2/images", {"name": "twin-img",
                                                                "os_distro": "fedora-coreos"}), 201)
        self.assertError(self.api("POST", "/v1/clustertemplates", {
            "coe": "kubernetes", "image_id": "twin-img"}), 409,
            "Multiple images exist with same name 'twin-img'. Please use the image ID instead.")
        self.assertError(self.api("POST", "/v1/baymodels", {
            "coe": "kubernetes", "image_id": "twin-img", "keypair_id": "k1"}), 409,
            "Multiple images exist with same name twin-img. Please use the resource id instead.")
        img = self.api("GET", "/image/v2/images?name=twin-img").json["images"][0]
        t = self.create(name="by-image-id", image_id=img["id"])
        self.assertEqual(t["cluster_distro"], "fedora-coreos")
        self.assertStatus(self.api("POST", "/image/v2/images", {"name": "bare"}), 201)
        self.assertError(self.api("POST", "/v1/clustertemplates", {
            "coe": "kubernetes", "image_id": "bare"}), 400,
            "Image bare doesn't contain os_distro field.")
        # another project's private image is not visible
        self.assertStatus(self.api("POST", "/image/v2/images", {"name": "b-only",
                                                                "os_distro": "debian"}, **B), 201)
        self.assertError(self.api("POST", "/v1/clustertemplates", {
            "coe": "kubernetes", "image_id": "b-only"}), 400, "Image b-only could not be found.")

    # -- PATCH --

    def test_patch_rules(self):
        t = self.create(name="p1", labels={"x": "1"})
        u = t["uuid"]
        r = self.patch(u, [{"op": "replace", "path": "/name", "value": "p1-renamed"},
                           {"op": "replace", "path": "/master_lb_enabled", "value": False},
                           {"op": "replace", "path": "/registry_enabled", "value": "True"},
                           {"op": "add", "path": "/docker_volume_size", "value": "7"},
                           {"op": "add", "path": "/tags", "value": ""},
                           {"op": "replace", "path": "/floating_ip_enabled", "value": 0},
                           {"op": "add", "path": "/labels/y", "value": 2}])
        self.assertStatus(r, 200)
        p = r.json
        self.assertEqual(p["name"], "p1-renamed")
        self.assertIs(p["registry_enabled"], True)
        self.assertIs(p["floating_ip_enabled"], False)
        self.assertEqual(p["docker_volume_size"], 7)
        self.assertEqual(p["tags"], "")
        self.assertEqual(p["labels"], {"x": "1", "y": "2"})
        self.assertRegex(p["updated_at"], r"\+00:00$")
        self.assertEqual(p["created_at"], t["created_at"])
        # magnumclient sends /labels as a Python literal
        r = self.patch(u, [{"op": "replace", "path": "/labels",
                            "value": "{'flannel_backend': 'host-gw', 'n': 5}"}])
        self.assertStatus(r, 200)
        self.assertEqual(r.json["labels"], {"flannel_backend": "host-gw", "n": "5"})
        # remove restores defaults or null
        r = self.patch(u, [{"op": "remove", "path": "/floating_ip_enabled"},
                           {"op": "remove", "path": "/labels"},
                           {"op": "remove", "path": "/docker_volume_size"}])
        self.assertStatus(r, 200)
        self.assertIs(r.json["floating_ip_enabled"], True)
        self.assertEqual(r.json["labels"], {})
        self.assertIsNone(r.json["docker_volume_size"])
        good = self.api("GET", "/v1/clustertemplates/" + u).json
        errors = [
            ([{"op": "replace", "path": "/project_id", "value": "x"}],
             "'/project_id' is an internal attribute and can not be updated"),
            ([{"op": "replace", "path": "/user_id", "value": "x"}], "internal attribute"),
            ([{"op": "remove", "path": "/hidden"}],
             "'/hidden' is a mandatory attribute and can not be removed"),
            ([{"op": "remove", "path": "/network_driver"}], "mandatory attribute"),
            ([{"op": "replace", "path": "/labels", "value": "{'a': true}"}], "Couldn't apply patch"),
            ([{"op": "replace", "path": "/name", "value": None}], "needs value"),
            ([{"op": "replace", "path": "/name", "value": {"a": 1}}], "Wrong type"),
            ([{"op": "replace", "path": "/coe", "value": "nomad"}], "Value should be one of"),
            ([{"op": "replace", "path": "/network_driver", "value": "docker"}],
             "Network driver type docker is not supported"),
            ([{"op": "replace", "path": "/volume_driver", "value": "rexray"}],
             "Volume driver type rexray is not supported"),
            ([{"op": "replace", "path": "/apiserver_port", "value": 80}],
             "Value should be greater or equal to 1024"),
            ([{"op": "replace", "path": "/dns_nameserver", "value": "1.2.3"}],
             "Expected a single dns address or comma separated dns list, but received 1.2.3."),
            ([{"op": "replace", "path": "/http_proxy", "value": "proxy:3128"}], "http_proxy"),
            ([{"op": "replace", "path": "/no_proxy", "value": "a b"}], "no_proxy"),
            ([{"op": "replace", "path": "/image_id", "value": "nope"}],
             "Image nope could not be found."),
            ([{"op": "replace", "path": "/flavor_id", "value": "nope"}],
             "Unable to find flavor nope."),
            ([{"op": "replace", "path": "/external_network_id", "value": "nope"}],
             "Unable to find external network nope."),
            ([{"op": "add", "path": "/labels/flannel_backend", "value": "gre"}], "flannel_backend"),
            ([{"op": "replace", "path": "/public", "value": True}], None),
            ([{"op": "replace", "path": "/hidden", "value": True}], None),
            # a valid op followed by a bad one: nothing applies
            ([{"op": "replace", "path": "/name", "value": "half"},
              {"op": "replace", "path": "/server_type", "value": "xx"}], "server_type"),
        ]
        for ops, text in errors:
            with self.subTest(ops=ops):
                r = self.patch(u, ops)
                if text is None:
                    self.assertError(r, 403, "Not authorized to set public or hidden flag for "
                                     "cluster template.")
                else:
                    self.assertError(r, 400, text)
        self.assertEqual(self.api("GET", "/v1/clustertemplates/" + u).json, good)

    def test_patch_image_recomputes_distro(self):
        self.assertStatus(self.api("POST", "/image/v2/images", {"name": "fcos",
                                                                "os_distro": "fedora-coreos"}), 201)
        t = self.create(name="distro")
        r = self.patch(t["uuid"], [{"op": "replace", "path": "/image_id", "value": "fcos"}])
        self.assertStatus(r, 200)
        self.assertEqual(r.json["cluster_distro"], "fedora-coreos")
        # cluster_distro itself follows the image
        r = self.patch(t["uuid"], [{"op": "replace", "path": "/cluster_distro", "value": "x"}])
        self.assertStatus(r, 200)
        self.assertEqual(r.json["cluster_distro"], "fedora-coreos")

    def test_patch_by_name_and_missing(self):
        self.create(name="patch-by-name")
        r = self.patch("patch-by-name", [{"op": "add", "path": "/fixed_network", "value": "n1"}])
        self.assertStatus(r, 200)
        self.assertEqual(r.json["fixed_network"], "n1")
        self.assertError(self.patch("no-such", [{"op": "replace", "path": "/name", "value": "x"}]),
                         404, "ClusterTemplate no-such could not be found.")
        self.assertError(self.patch("patch-by-name", {"op": "replace"}), 400, "patch")

    # -- in use --

    def wait_gone(self, path):
        for _ in range(200):
            if self.api("GET", path).status == 404:
                return
            time.sleep(0.05)
        self.fail(path + " still exists")

    def test_in_use_rules(self):
        t = self.create(name="used", keypair_id="k1")
        u = t["uuid"]
        r = self.api("POST", "/v1/clusters", {"name": "c-used", "cluster_template_id": u,
                                               "keypair": "k1"})
        self.assertStatus(r, 202)
        cluster = r.json["uuid"]
        msg = "ClusterTemplate %s is referenced by one or multiple clusters." % u
        good = self.api("GET", "/v1/clustertemplates/" + u).json
        refused = [
            [{"op": "replace", "path": "/flavor_id", "value": "m1.small"}],
            [{"op": "replace", "path": "/name", "value": "x"},
             {"op": "add", "path": "/tags", "value": "t"}],
            [{"op": "remove", "path": "/tags"}],
            [{"op": "add", "path": "/labels/k", "value": "v"}],
            [{"op": "replace", "path": "/name", "value": "used"}],     # empty change set
        ]
        for ops in refused:
            with self.subTest(ops=ops):
                self.assertError(self.patch(u, ops), 400, msg)
        self.assertEqual(self.api("GET", "/v1/clustertemplates/" + u).json, good)
        self.assertError(self.api("DELETE", "/v1/clustertemplates/" + u), 400, msg)
        self.assertError(self.api("DELETE", "/v1/baymodels/" + u), 400,
                         "Baymodel %s is referenced by one or multiple bays." % u)
        # allowed one at a time: name, tags (non-null), hidden, public: true
        r = self.patch(u, [{"op": "replace", "path": "/name", "value": "used-2"}])
        self.assertStatus(r, 200)
        r = self.patch(u, [{"op": "add", "path": "/tags", "value": "prod"}])
        self.assertStatus(r, 200)
        self.assertEqual(r.json["tags"], "prod")
        r = self.patch(u, [{"op": "replace", "path": "/hidden", "value": True}], **ADMIN)
        self.assertStatus(r, 200)
        r = self.patch(u, [{"op": "replace", "path": "/hidden", "value": False}], **ADMIN)
        self.assertStatus(r, 200)
        r = self.patch(u, [{"op": "replace", "path": "/public", "value": True}], **ADMIN)
        self.assertStatus(r, 200)
        self.assertIs(r.json["public"], True)
        self.assertError(self.patch(u, [{"op": "replace", "path": "/public", "value": False}],
                                    **ADMIN), 400, msg)
        # bay era: only public: true
        self.assertError(self.api("PATCH", "/v1/baymodels/" + u,
                                  [{"op": "replace", "path": "/name", "value": "n"}]), 400,
                         "Baymodel %s is referenced by one or multiple bays." % u)
        # once the cluster is gone the template can be deleted
        self.assertStatus(self.api("DELETE", "/v1/clusters/" + cluster), 204)
        self.wait_gone("/v1/clusters/" + cluster)
        self.assertStatus(self.api("DELETE", "/v1/clustertemplates/" + u), 204)
        self.assertError(self.api("GET", "/v1/clustertemplates/" + u), 404,
                         "ClusterTemplate %s could not be found." % u)

    # -- tenancy, visibility, roles --

    def test_isolation_between_projects(self):
        a = self.create(name="a-private")
        catalogue(self, **B)
        self.assertNotIn(a["uuid"], self.uuids(**B))
        for method, body in (("GET", None), ("DELETE", None),
                             ("PATCH", [{"op": "replace", "path": "/name", "value": "x"}])):
            with self.subTest(method=method):
                self.assertError(self.api(method, "/v1/clustertemplates/" + a["uuid"], body, **B),
                                 404, "ClusterTemplate %s could not be found." % a["uuid"])
        self.assertStatus(self.api("GET", "/v1/clustertemplates/a-private", **B), 404)
        # B's own template with the same name does not collide with A's
        b = self.create(name="a-private", who=B)
        self.assertEqual(self.api("GET", "/v1/clustertemplates/a-private", **B).json["uuid"],
                         b["uuid"])
        self.assertEqual(self.api("GET", "/v1/clustertemplates/a-private").json["uuid"],
                         a["uuid"])
        self.assertEqual(self.api("GET", "/v1/clustertemplates/" + a["uuid"]).json["name"],
                         "a-private")

    def test_public_and_hidden_visibility(self):
        # the catalogue is checked in the template owner's project, even for an admin
        self.assertError(self.api("POST", "/v1/clustertemplates", {
            "coe": "kubernetes", "image_id": "deb"}, **ADMIN), 400, "Image deb could not be found.")
        catalogue(self, image="adm-img", **ADMIN)
        pub = self.create(name="pub", public=True, image_id="adm-img", who=ADMIN)
        hid = self.create(name="pub-hidden", public=True, hidden=True, image_id="adm-img",
                          who=ADMIN)
        self.assertIs(pub["public"], True)
        self.assertEqual(pub["project_id"], ADMIN["project"])
        catalogue(self, **B)
        seen = self.uuids(**B)
        self.assertIn(pub["uuid"], seen)
        self.assertNotIn(hid["uuid"], seen)
        self.assertStatus(self.api("GET", "/v1/clustertemplates/" + pub["uuid"], **B), 200)
        self.assertStatus(self.api("GET", "/v1/baymodels/" + pub["uuid"], **B), 200)
        self.assertStatus(self.api("GET", "/v1/clustertemplates/" + hid["uuid"], **B), 404)
        # readable, not writable by others: 403
        self.assertError(self.patch(pub["uuid"], [{"op": "replace", "path": "/name",
                                                   "value": "stolen"}], **B), 403,
                         "Policy doesn't allow clustertemplate:update to be performed.")
        self.assertError(self.api("DELETE", "/v1/clustertemplates/" + pub["uuid"], **B), 403,
                         "Policy doesn't allow clustertemplate:delete to be performed.")
        self.assertError(self.api("DELETE", "/v1/baymodels/" + pub["uuid"], **B), 403,
                         "Policy doesn't allow baymodel:delete to be performed.")
        self.assertEqual(self.api("GET", "/v1/clustertemplates/pub", **B).json["name"], "pub")
        # the owner's own hidden templates stay visible to the owner
        own_hidden = self.create(name="own-hidden", hidden=True, image_id="adm-img", who=ADMIN)
        self.assertIn(own_hidden["uuid"], self.uuids(**ADMIN))

    def test_admin_acts_across_projects(self):
        catalogue(self, **B)
        b = self.create(name="b-tmpl", who=B)
        self.assertIn(b["uuid"], self.uuids(**ADMIN))
        self.assertStatus(self.api("GET", "/v1/clustertemplates/" + b["uuid"], **ADMIN), 200)
        r = self.patch(b["uuid"], [{"op": "replace", "path": "/public", "value": True}], **ADMIN)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["project_id"], "p-b")       # stays B's
        r = self.patch(b["uuid"], [{"op": "replace", "path": "/public", "value": False}], **B)
        self.assertError(r, 403, "Not authorized to set public or hidden flag")
        self.assertIn(b["uuid"], self.uuids())                # now public for everyone
        self.assertStatus(self.api("DELETE", "/v1/clustertemplates/" + b["uuid"], **ADMIN), 204)
        self.assertNotIn(b["uuid"], self.uuids(**B))

    def test_roles(self):
        t = self.create(name="roles")
        self.assertStatus(self.api("GET", "/v1/clustertemplates", **READER), 200)
        self.assertStatus(self.api("GET", "/v1/clustertemplates/" + t["uuid"], **READER), 200)
        self.assertError(self.api("POST", "/v1/clustertemplates",
                                  {"coe": "kubernetes", "image_id": "deb"}, **READER), 403,
                         "Policy doesn't allow clustertemplate:create to be performed.")
        self.assertError(self.patch(t["uuid"], [{"op": "replace", "path": "/name", "value": "x"}],
                                    **READER), 403,
                         "Policy doesn't allow clustertemplate:update to be performed.")
        self.assertError(self.api("DELETE", "/v1/clustertemplates/" + t["uuid"], **READER), 403,
                         "Policy doesn't allow clustertemplate:delete to be performed.")
        none = dict(roles="")
        self.assertError(self.api("GET", "/v1/clustertemplates", **none), 403,
                         "Policy doesn't allow clustertemplate:get_all to be performed.")
        self.assertError(self.api("GET", "/v1/clustertemplates/" + t["uuid"], **none), 403,
                         "Policy doesn't allow clustertemplate:get to be performed.")
        self.assertEqual(self.api("GET", "/v1/clustertemplates/roles").json["name"], "roles")

    # -- lists --

    def test_list_items_equal_show(self):
        """Lists are written straight from the rows: each item must be exactly
        what show answers, in both eras, and stay valid JSON whatever the Host
        header (it goes into the links) or the values hold."""
        made = [self.create(name='odd "name" \\ \u00e9 %d' % i, labels={"k\"q": "v\n%d" % i})
                for i in range(3)]
        for coll, era in (("clustertemplates", None), ("baymodels", "container-infra 1.1")):
            r = self.api("GET", "/v1/%s?limit=1000" % coll, version=era)
            self.assertStatus(r, 200)
            items = {t["uuid"]: t for t in r.json[coll]}
            for t in made:
                show = self.api("GET", "/v1/%s/%s" % (coll, t["uuid"]), version=era)
                self.assertStatus(show, 200)
                self.assertEqual(items[t["uuid"]], show.json)
        r = self.api("GET", "/v1/clustertemplates?limit=1", headers={"Host": 'h"q\\:1'})
        self.assertStatus(r, 200)
        self.assertEqual(r.json["clustertemplates"][0]["links"][0]["href"][:13],
                         'http://h"q\\:1')
        self.assertTrue(r.json["next"].startswith('http://h"q\\:1/v1/clustertemplates?'))

    def test_list_cache_never_stale(self):
        """Lists are cached per process on SQLite, validated by a generation that
        triggers bump with every write: API writes, and writes by any other
        process on the same database, show at once."""
        t = self.create(name="cache-1", labels={"v": "1"})
        path = "/v1/clustertemplates?limit=1000&sort_key=name"

        def item(name, **kw):
            r = self.api("GET", path, **kw)
            self.assertStatus(r, 200)
            return {x["name"]: x for x in r.json["clustertemplates"]}.get(name)

        self.assertEqual(item("cache-1")["labels"], {"v": "1"})
        self.assertEqual(item("cache-1")["labels"], {"v": "1"})    # a cached reply
        r = self.api("PATCH", "/v1/clustertemplates/" + t["uuid"],
                     [{"op": "replace", "path": "/labels/v", "value": "2"}])
        self.assertStatus(r, 200)
        self.assertEqual(item("cache-1")["labels"], {"v": "2"})
        # The Host header and the microversion are part of what was rendered.
        self.assertTrue(item("cache-1", headers={"Host": "other:1"})["links"][0]["href"]
                        .startswith("http://other:1/"))
        self.assertTrue(item("cache-1")["links"][0]["href"].startswith(self.mg.url))
        # Another project does not get this project's reply.
        self.assertIsNone(item("cache-1", project="p-other", roles="member"))
        if not self.mg.db_url:
            db = os.path.join(self.mg.dir, "state", "magnum.sqlite")
            with sqlite3.connect(db) as c:
                c.execute("UPDATE cluster_templates SET name = 'cache-2' WHERE uuid = ?",
                          (t["uuid"],))
            self.assertIsNone(item("cache-1"))
            self.assertEqual(item("cache-2")["uuid"], t["uuid"])
            with sqlite3.connect(db) as c:
                c.execute("DELETE FROM cluster_templates WHERE uuid = ?", (t["uuid"],))
            self.assertIsNone(item("cache-2"))

    def test_concurrent_creates(self):
        """16 clients creating at once (writers queue in-process for SQLite's
        write lock): every create answers 201 and every row is stored once."""
        import threading
        import http.client
        results = []

        def client(k):
            c = http.client.HTTPConnection("127.0.0.1", self.mg.port, timeout=60)
            for i in range(15):
                body = json.dumps({"coe": "kubernetes", "image_id": "deb",
                                   "external_network_id": "public",
                                   "name": "cc-%d-%d" % (k, i)})
                c.request("POST", "/v1/clustertemplates", body, {
                    "Content-Type": "application/json", "X-User-Id": self.USER,
                    "X-Project-Id": self.PROJECT, "X-Roles": self.ROLES,
                    "OpenStack-API-Version": self.VERSION})
                r = c.getresponse()
                results.append((r.status, json.loads(r.read()).get("uuid")))
            c.close()

        threads = [threading.Thread(target=client, args=(k,)) for k in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual([s for s, _ in results], [201] * 240)
        listed = {t["uuid"] for t in self.api("GET", "/v1/clustertemplates?limit=1000").json[
            "clustertemplates"] if t["name"].startswith("cc-")}
        self.assertEqual(listed, {u for _, u in results})

    def test_pagination_and_sorting(self):
        made = [self.create(name="pg-%02d" % i, apiserver_port=2000 + (7 * i) % 5)
                for i in range(5)]
        mine = {t["uuid"] for t in made}
        r = self.api("GET", "/v1/clustertemplates?limit=2&sort_key=name&sort_dir=desc")
        self.assertStatus(r, 200)
        page = r.json["clustertemplates"]
        self.assertEqual(len(page), 2)
        self.assertEqual(r.json["next"],
                         self.mg.url + "/v1/clustertemplates?sort_key=name&sort_dir=desc&limit=2"
                         "&marker=" + page[-1]["uuid"])
        seen = []
        nxt = "/v1/clustertemplates?limit=2&sort_key=name&sort_dir=asc"
        while nxt:
            r = self.api("GET", nxt.replace(self.mg.url, ""))
            self.assertStatus(r, 200)
            seen += r.json["clustertemplates"]
            nxt = r.json.get("next")
            if len(r.json["clustertemplates"]) < 2:
                self.assertIsNone(nxt)
        names = [t["name"] for t in seen]
        self.assertEqual(names, sorted(names))
        self.assertTrue(mine <= {t["uuid"] for t in seen})
        self.assertEqual(len(seen), len({t["uuid"] for t in seen}))
        # any column sorts, id breaks ties
        r = self.api("GET", "/v1/clustertemplates/detail?sort_key=apiserver_port&sort_dir=asc")
        ports = [t["apiserver_port"] for t in r.json["clustertemplates"]
                 if t["uuid"] in mine]
        self.assertEqual(ports, sorted(ports))
        self.assertNotIn("next", r.json)
        r = self.api("GET", "/v1/clustertemplates/detail?limit=1")
        self.assertIn("/v1/clustertemplates/detail?", r.json["next"])
        self.assertError(self.api("GET", "/v1/clustertemplates?limit=-1"), 400,
                         "Limit must be positive")
        self.assertError(self.api("GET", "/v1/clustertemplates?sort_key=bogus"), 400,
                         'The sort_key value "bogus" is an invalid field for sorting')
        self.assertError(self.api("GET", "/v1/clustertemplates?sort_dir=sideways"), 400,
                         "Invalid sort direction: sideways. Acceptable values are 'asc' or 'desc'")
        self.assertError(self.api("GET", "/v1/clustertemplates?marker=xyz"), 400,
                         "Expected a uuid but received xyz.")
        self.assertError(self.api("GET", "/v1/clustertemplates?marker="
                                  "00000000-0000-4000-8000-000000000000"), 404,
                         "ClusterTemplate 00000000-0000-4000-8000-000000000000 could not be found.")
        self.assertError(self.api("GET", "/v1/clustertemplates?all_tenants=1"), 400,
                         'Unknown argument: "all_tenants"')
        self.assertStatus(self.api("GET", "/v1/clustertemplates/%s/detail" % made[0]["uuid"]), 404)

    def test_ambiguous_name(self):
        a = self.create(name="same")
        self.create(name="same")
        self.assertError(self.api("GET", "/v1/clustertemplates/same"), 409,
                         "Multiple ClusterTemplates exist with same name. Please use the "
                         "ClusterTemplate uuid instead.")
        self.assertError(self.api("DELETE", "/v1/clustertemplates/same"), 409, "same name")
        self.assertStatus(self.api("DELETE", "/v1/clustertemplates/" + a["uuid"]), 204)
        self.assertStatus(self.api("GET", "/v1/clustertemplates/same"), 200)


class AllowedNetworkDrivers(mglib.TestCase):
    """[baymodel] <coe>_allowed_network_drivers and the default driver options."""
    AUTH = "noauth"
    EXTRA_CONF = ("[baymodel]\nkubernetes_allowed_network_drivers = flannel\n"
                  "swarm_default_network_driver = flannel\n")

    def setUp(self):
        catalogue(self)

    def test_not_allowed(self):
        r = self.api("POST", "/v1/clustertemplates", {"coe": "kubernetes", "image_id": "deb",
                                                       "network_driver": "calico"})
        self.assertError(r, 400, "Network driver type calico is not allowed, expecting a "
                         "flannel/unspecified network driver. ")
        r = self.api("POST", "/v1/clustertemplates", {"coe": "kubernetes", "image_id": "deb"})
        self.assertStatus(r, 201)
        self.assertEqual(r.json["network_driver"], "flannel")
        r = self.api("PATCH", "/v1/clustertemplates/" + r.json["uuid"],
                     [{"op": "replace", "path": "/network_driver", "value": "calico"}])
        self.assertError(r, 400, "Network driver type calico is not allowed")

    def test_configured_default(self):
        r = self.api("POST", "/v1/clustertemplates", {"coe": "swarm", "image_id": "deb"})
        self.assertStatus(r, 201)
        self.assertEqual(r.json["network_driver"], "flannel")


if __name__ == "__main__":
    mglib.main()
