#!/usr/bin/env python3
"""The embedded cloud's catalogue over real HTTP (noauth identities): Glance v2
images (metadata, JSON-Patch, upload/download, tags, pagination, tenancy), Nova
flavors and per-user keypairs (import and generation), Neutron networks."""
import base64
import hashlib
import os
import shutil
import stat
import uuid

import mglib
from fixtures import PUBKEY

PATCH_CT = "application/openstack-images-v2.1-json-patch"
RSA_BLOB_KEY = "ssh-rsa " + PUBKEY.split()[1]          # an ed25519 blob under another name


def md5_fingerprint(pub):
    d = hashlib.md5(base64.b64decode(pub.split()[1])).hexdigest()
    return ":".join(d[i:i + 2] for i in range(0, 32, 2))


class Base(mglib.TestCase):
    AUTH = "noauth"
    OTHER = {"user": "u-other", "project": "p-other", "roles": "member,reader"}
    ADMIN = {"user": "u-admin", "project": "p-admin", "roles": "admin,member,reader"}
    READER = {"roles": "reader"}

    def glance_error(self, r, status, part):
        self.assertStatus(r, status)
        self.assertIn(part, r.json["message"], repr(r))
        self.assertTrue(r.json["code"].startswith("%d " % status), repr(r))
        return r.json

    def nova_error(self, r, status, kind, part):
        self.assertStatus(r, status)
        self.assertEqual(r.json[kind]["code"], status, repr(r))
        self.assertIn(part, r.json[kind]["message"], repr(r))

    def image(self, name, **fields):
        body = {"name": name}
        body.update(fields)
        who = {k: body.pop(k) for k in ("user", "project", "roles") if k in body}
        r = self.api("POST", "/image/v2/images", body, **who)
        self.assertStatus(r, 201)
        return r.json

    def patch(self, image_id, ops, ct=PATCH_CT, **who):
        return self.api("PATCH", "/image/v2/images/" + image_id, ops,
                        headers={"Content-Type": ct}, **who)


class Images(Base):
    def test_create_show_view(self):
        img = self.image("deb-view", os_distro="debian", disk_format="qcow2",
                         container_format="bare", hypervisor_type="lxc", min_ram=64,
                         tags=["a", "b"])
        self.assertEqual(img["status"], "queued")
        self.assertEqual(img["visibility"], "shared")            # Glance's default
        self.assertEqual(img["owner"], self.PROJECT)
        self.assertEqual(img["os_distro"], "debian")
        self.assertEqual(img["hypervisor_type"], "lxc")
        self.assertEqual(img["min_ram"], 64)
        self.assertEqual(img["min_disk"], 0)
        self.assertEqual(img["tags"], ["a", "b"])
        self.assertIs(img["protected"], False)
        self.assertIsNone(img["size"])
        self.assertIsNone(img["checksum"])
        self.assertEqual(img["self"], "/v2/images/" + img["id"])
        self.assertEqual(img["file"], "/v2/images/%s/file" % img["id"])
        self.assertEqual(img["schema"], "/v2/schemas/image")
        self.assertRegex(img["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        r = self.api("GET", "/image/v2/images/" + img["id"])
        self.assertStatus(r, 200)
        self.assertEqual(r.json, img)
        # The bare /v2 prefix serves the same resource.
        self.assertEqual(self.api("GET", "/v2/images/" + img["id"]).json, img)

    def test_create_with_id_and_conflict(self):
        iid = str(uuid.uuid4())
        self.assertEqual(self.image("with-id", id=iid)["id"], iid)
        r = self.api("POST", "/image/v2/images", {"name": "again", "id": iid})
        self.glance_error(r, 409, "Image with identifier %s already exists!" % iid)
        r = self.api("POST", "/image/v2/images", {"name": "bad-id", "id": "nope"})
        self.glance_error(r, 400, "does not match")

    def test_create_validation(self):
        cases = [({"disk_format": "floppy"}, 400, "'floppy' is not one of ['ami'"),
                 ({"container_format": "zip"}, 400, "'zip' is not one of ['ami'"),
                 ({"visibility": "everyone"}, 400, "'everyone' is not one of"),
                 ({"min_disk": -1}, 400, "-1 is less than the minimum of 0"),
                 ({"min_ram": "x"}, 400, "'x' is not of type 'integer'"),
                 ({"protected": "yes"}, 400, "'yes' is not of type 'boolean'"),
                 ({"tags": "a"}, 400, "is not of type 'array'"),
                 ({"name": "n" * 256}, 400, "is too long"),
                 ({"os_distro": 7}, 400, "7 is not of type"),
                 ({"custom": 5}, 400, "5 is not of type 'string'"),
                 ({"status": "active"}, 403, "Attribute 'status' is read-only."),
                 ({"owner": "p-x"}, 403, "Attribute 'owner' is read-only."),
                 ({"visibility": "public"}, 403, "publicize_image")]
        for extra, status, part in cases:
            body = {"name": "invalid"}
            body.update(extra)
            self.glance_error(self.api("POST", "/image/v2/images", body), status, part)
        props = {"p%d" % i: "v" for i in range(129)}
        self.glance_error(self.api("POST", "/image/v2/images", props), 413, "Maximum: 128")
        r = self.api("POST", "/image/v2/images", raw="{not json")
        self.glance_error(r, 400, "Malformed JSON")
        r = self.api("POST", "/image/v2/images", [1])
        self.glance_error(r, 400, "Body expected")
        # None of the refused requests left a row behind.
        names = [i["name"] for i in self.api("GET", "/image/v2/images?limit=1000").json["images"]]
        self.assertNotIn("invalid", names)

    def test_roles(self):
        r = self.api("POST", "/image/v2/images", {"name": "by-reader"}, **self.READER)
        self.glance_error(r, 403, "add_image")
        self.assertStatus(self.api("GET", "/image/v2/images", **self.READER), 200)
        r = self.api("GET", "/image/v2/images", roles="")
        self.glance_error(r, 403, "get_images")
        img = self.image("reader-target")
        self.glance_error(self.patch(img["id"], [{"op": "replace", "path": "/name",
                                                  "value": "x"}], **self.READER),
                          403, "modify_image")
        self.glance_error(self.api("DELETE", "/image/v2/images/" + img["id"], **self.READER),
                          403, "delete_image")

    def test_tenancy(self):
        mine = self.image("tenancy-mine", visibility="private")
        shared = self.image("tenancy-shared")
        public = self.image("tenancy-public", visibility="public", **self.ADMIN)
        community = self.image("tenancy-community", visibility="community", **self.OTHER)
        for img in (mine, shared):
            r = self.api("GET", "/image/v2/images/" + img["id"], **self.OTHER)
            self.glance_error(r, 404, "No image found with ID " + img["id"])
            self.assertStatus(self.patch(img["id"], [], **self.OTHER), 404)
            self.assertStatus(self.api("DELETE", "/image/v2/images/" + img["id"],
                                       **self.OTHER), 404)
            self.assertStatus(self.api("GET", "/image/v2/images/" + img["id"], **self.ADMIN),
                              200)
        names = [i["name"] for i in self.api("GET", "/image/v2/images",
                                             **self.OTHER).json["images"]]
        self.assertIn("tenancy-public", names)
        self.assertIn("tenancy-community", names)      # its own
        self.assertNotIn("tenancy-mine", names)
        self.assertNotIn("tenancy-shared", names)
        # Community images are shown to others only when asked for, but can be read.
        names = [i["name"] for i in self.api("GET", "/image/v2/images").json["images"]]
        self.assertNotIn("tenancy-community", names)
        self.assertIn("tenancy-public", names)
        r = self.api("GET", "/image/v2/images?visibility=community")
        self.assertEqual([i["name"] for i in r.json["images"]], ["tenancy-community"])
        self.assertStatus(self.api("GET", "/image/v2/images/" + community["id"]), 200)
        # A public image is readable by everyone but changed only by its owner or admin.
        self.assertStatus(self.api("GET", "/image/v2/images/" + public["id"]), 200)
        r = self.patch(public["id"], [{"op": "replace", "path": "/name", "value": "x"}])
        self.glance_error(r, 403, "modify_image")
        self.glance_error(self.api("DELETE", "/image/v2/images/" + public["id"]), 403,
                          "delete_image")
        r = self.patch(public["id"], [{"op": "replace", "path": "/name", "value": "renamed"}],
                       **self.ADMIN)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["name"], "renamed")
        # visibility filter
        r = self.api("GET", "/image/v2/images?visibility=private")
        self.assertEqual([i["name"] for i in r.json["images"]], ["tenancy-mine"])
        self.glance_error(self.api("GET", "/image/v2/images?visibility=bogus"), 400,
                          "Invalid visibility value: bogus")

    def test_list_filters_and_pages(self):
        user = {"user": "u-pages", "project": "p-pages", "roles": "member,reader"}
        ids = [self.image("page-%d" % i, os_distro="fedora-coreos" if i == 3 else "debian",
                          **user)["id"] for i in range(7)]
        r = self.api("GET", "/image/v2/images", **user)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["first"], "/v2/images")
        self.assertEqual(r.json["schema"], "/v2/schemas/images")
        self.assertNotIn("next", r.json)
        self.assertEqual(sorted(i["id"] for i in r.json["images"]), sorted(ids))
        r = self.api("GET", "/image/v2/images?name=page-3", **user)
        self.assertEqual([i["id"] for i in r.json["images"]], [ids[3]])
        r = self.api("GET", "/image/v2/images?os_distro=fedora-coreos", **user)
        self.assertEqual([i["id"] for i in r.json["images"]], [ids[3]])
        # Follow "next" through pages of 3: every image once, in a stable order.
        seen, url, pages = [], "/image/v2/images?limit=3&sort_key=name&sort_dir=asc", 0
        while url:
            r = self.api("GET", url, **user)
            self.assertStatus(r, 200)
            pages += 1
            seen += [i["name"] for i in r.json["images"]]
            nxt = r.json.get("next")
            self.assertTrue(nxt is None or nxt.startswith("/v2/images?"), nxt)
            url = "/image" + nxt if nxt else None
        self.assertEqual(seen, ["page-%d" % i for i in range(7)])
        self.assertEqual(pages, 3)
        r = self.api("GET", "/image/v2/images?sort_key=name&sort_dir=desc&limit=2", **user)
        self.assertEqual([i["name"] for i in r.json["images"]], ["page-6", "page-5"])
        self.assertIn("sort_key=name", r.json["next"])
        self.glance_error(self.api("GET", "/image/v2/images?limit=x"), 400,
                          "limit param must be an integer")
        self.glance_error(self.api("GET", "/image/v2/images?limit=-1"), 400,
                          "limit param must be positive")
        self.glance_error(self.api("GET", "/image/v2/images?sort_key=owner"), 400,
                          "Invalid sort key: owner")
        self.glance_error(self.api("GET", "/image/v2/images?sort_dir=up"), 400,
                          "Invalid sort direction: up")
        m = str(uuid.uuid4())
        self.glance_error(self.api("GET", "/image/v2/images?marker=" + m), 400,
                          "Invalid marker. Image %s could not be found." % m)
        # Another project's marker is not a marker for this caller.
        self.glance_error(self.api("GET", "/image/v2/images?marker=" + ids[0]), 400,
                          "Invalid marker")

    def test_patch(self):
        img = self.image("patch-me", os_distro="debian", kernel="k1")
        iid = img["id"]
        r = self.patch(iid, [{"op": "replace", "path": "/name", "value": "x"}],
                       ct="application/json")
        self.glance_error(r, 415, "Unsupported Content-Type")
        self.assertIn("openstack-images-v2.1-json-patch", r.headers["accept-patch"])
        r = self.patch(iid, [{"op": "replace", "path": "/name", "value": "patched"},
                             {"op": "replace", "path": "/os_distro", "value": "fedora-coreos"},
                             {"op": "add", "path": "/arch", "value": "x86_64"},
                             {"op": "remove", "path": "/kernel"},
                             {"op": "add", "path": "/min_disk", "value": 3},
                             {"op": "replace", "path": "/tags", "value": ["t"]},
                             {"op": "add", "path": "/a~1b", "value": "slash"}])
        self.assertStatus(r, 200)
        self.assertEqual(r.json["name"], "patched")
        self.assertEqual(r.json["os_distro"], "fedora-coreos")
        self.assertEqual(r.json["arch"], "x86_64")
        self.assertEqual(r.json["a/b"], "slash")
        self.assertNotIn("kernel", r.json)
        self.assertEqual(r.json["min_disk"], 3)
        self.assertEqual(r.json["tags"], ["t"])
        self.assertEqual(self.api("GET", "/image/v2/images/" + iid).json, r.json)
        # The catalogue lookup used by templates sees the new os_distro.
        self.assertEqual(self.api("GET", "/image/v2/images?os_distro=fedora-coreos").json[
            "images"][0]["id"], iid)
        r = self.patch(iid, [{"op": "remove", "path": "/os_distro"}])
        self.assertStatus(r, 200)
        self.assertNotIn("os_distro", r.json)
        bad = [([{"op": "remove", "path": "/nothere"}], 409, "Property nothere does not exist."),
               ([{"op": "replace", "path": "/nothere", "value": "v"}], 409,
                "Property nothere does not exist."),
               ([{"op": "replace", "path": "/status", "value": "active"}], 403,
                "Attribute 'status' is read-only."),
               ([{"op": "replace", "path": "/id", "value": "x"}], 403,
                "Attribute 'id' is read-only."),
               ([{"op": "remove", "path": "/name"}], 403, "cannot be removed"),
               ([{"op": "move", "path": "/name"}], 400, "Unable to find `op`"),
               ([{"op": "add", "path": "/name"}], 400, "requires a member named \"value\""),
               ([{"op": "add", "path": "name", "value": "v"}], 400, "Invalid JSON pointer"),
               ([{"op": "add", "path": "/a/b", "value": "v"}], 400, "Invalid JSON pointer"),
               ([{"op": "replace", "path": "/visibility", "value": "public"}], 403,
                "publicize_image"),
               ([{"op": "replace", "path": "/disk_format", "value": "iso9660"}], 400,
                "is not one of"),
               ({"op": "add"}, 400, "JSON array"),
               # a valid first operation does not survive a refused second one
               ([{"op": "replace", "path": "/name", "value": "half"},
                 {"op": "add", "path": "/x", "value": 1}], 400, "1 is not of type 'string'")]
        for ops, status, part in bad:
            self.glance_error(self.patch(iid, ops), status, part)
        self.assertEqual(self.api("GET", "/image/v2/images/" + iid).json["name"], "patched")
        r = self.patch(str(uuid.uuid4()), [])
        self.glance_error(r, 404, "No image found")

    def test_upload_download(self):
        data = os.urandom(4096) + b"\x00end"
        img = self.image("upload-me")
        iid = img["id"]
        # No data yet: 204.
        self.assertStatus(self.api("GET", "/image/v2/images/%s/file" % iid), 204)
        r = self.api("PUT", "/image/v2/images/%s/file" % iid, raw=data,
                     headers={"Content-Type": "application/octet-stream"})
        self.glance_error(r, 400, "disk_format, container_format must be set")
        r = self.patch(iid, [{"op": "add", "path": "/disk_format", "value": "raw"},
                             {"op": "add", "path": "/container_format", "value": "bare"}])
        self.assertStatus(r, 200)
        r = self.api("PUT", "/image/v2/images/%s/file" % iid, raw=data,
                     headers={"Content-Type": "application/octet-stream"}, **self.OTHER)
        self.assertStatus(r, 404)
        r = self.api("PUT", "/image/v2/images/%s/file" % iid, raw=data,
                     headers={"Content-Type": "application/octet-stream"})
        self.assertStatus(r, 204)
        img = self.api("GET", "/image/v2/images/" + iid).json
        self.assertEqual(img["status"], "active")
        self.assertEqual(img["size"], len(data))
        self.assertEqual(img["checksum"], hashlib.md5(data).hexdigest())
        self.assertEqual(img["os_hash_algo"], "sha512")
        self.assertEqual(img["os_hash_value"], hashlib.sha512(data).hexdigest())
        path = os.path.join(self.mg.dir, "state", "images", iid)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), data)
        r = self.api("GET", "/image/v2/images/%s/file" % iid)
        self.assertStatus(r, 200)
        self.assertEqual(r.body, data)
        self.assertEqual(r.headers["content-md5"], hashlib.md5(data).hexdigest())
        # Active images take no second upload, and their formats are fixed.
        r = self.api("PUT", "/image/v2/images/%s/file" % iid, raw=b"x",
                     headers={"Content-Type": "application/octet-stream"})
        self.glance_error(r, 409, "Image status transition from active to saving")
        r = self.patch(iid, [{"op": "replace", "path": "/disk_format", "value": "qcow2"}])
        self.glance_error(r, 403, "can be only replaced for a queued image")
        self.assertStatus(self.api("DELETE", "/image/v2/images/" + iid), 204)
        self.assertFalse(os.path.exists(path))
        self.glance_error(self.api("GET", "/image/v2/images/" + iid), 404, "No image found")
        self.assertStatus(self.api("DELETE", "/image/v2/images/" + iid), 404)

    def test_protected_and_tags(self):
        img = self.image("keep-me", protected=True)
        iid = img["id"]
        self.glance_error(self.api("DELETE", "/image/v2/images/" + iid), 403,
                          "Image %s is protected and cannot be deleted." % iid)
        self.assertStatus(self.api("PUT", "/image/v2/images/%s/tags/blue%%20sky" % iid), 204)
        self.assertStatus(self.api("PUT", "/image/v2/images/%s/tags/blue%%20sky" % iid), 204)
        self.assertStatus(self.api("PUT", "/image/v2/images/%s/tags/red" % iid), 204)
        self.assertEqual(self.api("GET", "/image/v2/images/" + iid).json["tags"],
                         ["blue sky", "red"])
        self.assertStatus(self.api("DELETE", "/image/v2/images/%s/tags/red" % iid), 204)
        self.glance_error(self.api("DELETE", "/image/v2/images/%s/tags/red" % iid), 404,
                          "Tag red not found")
        self.assertEqual(self.api("GET", "/image/v2/images/" + iid).json["tags"], ["blue sky"])
        r = self.patch(iid, [{"op": "replace", "path": "/protected", "value": False}])
        self.assertStatus(r, 200)
        self.assertStatus(self.api("DELETE", "/image/v2/images/" + iid), 204)

    def test_versions_and_schemas(self):
        r = self.mg.request("GET", "/image/versions")     # public: no identity headers
        self.assertStatus(r, 200)
        self.assertEqual(r.json["versions"][0]["status"], "CURRENT")
        self.assertTrue(r.json["versions"][0]["links"][0]["href"].endswith("/image/v2/"))
        r = self.api("GET", "/image/v2/schemas/image")
        self.assertStatus(r, 200)
        self.assertEqual(r.json["name"], "image")
        self.assertIn("os_distro", r.json["properties"])
        self.assertIn("qcow2", r.json["properties"]["disk_format"]["enum"])
        self.assertEqual(r.json["properties"]["visibility"]["enum"],
                         ["community", "public", "private", "shared"])
        r = self.api("GET", "/image/v2/schemas/images")
        self.assertEqual(r.json["name"], "images")


class Keypairs(Base):
    def create(self, name, pub=PUBKEY, **who):
        body = {"keypair": {"name": name}}
        if pub is not None:
            body["keypair"]["public_key"] = pub
        return self.api("POST", "/v2.1/os-keypairs", body, **who)

    def test_import_list_show_delete(self):
        r = self.create("kp-import")
        self.assertStatus(r, 200)
        kp = r.json["keypair"]
        self.assertEqual(kp["name"], "kp-import")
        self.assertEqual(kp["public_key"], PUBKEY)
        self.assertEqual(kp["fingerprint"], md5_fingerprint(PUBKEY))
        self.assertEqual(kp["user_id"], self.USER)
        self.assertNotIn("private_key", kp)
        self.assertEqual(r.headers["openstack-api-version"], "compute 2.1")
        self.assertEqual(r.headers["x-openstack-nova-api-version"], "2.1")
        r = self.api("GET", "/v2.1/os-keypairs")
        self.assertStatus(r, 200)
        entry = [k["keypair"] for k in r.json["keypairs"] if k["keypair"]["name"] == "kp-import"]
        self.assertEqual(entry, [{"name": "kp-import", "public_key": PUBKEY,
                                  "fingerprint": md5_fingerprint(PUBKEY)}])
        r = self.api("GET", "/v2.1/os-keypairs/kp-import")
        self.assertStatus(r, 200)
        self.assertEqual(r.json["keypair"]["user_id"], self.USER)
        self.assertIs(r.json["keypair"]["deleted"], False)
        self.nova_error(self.create("kp-import"), 409, "conflictingRequest",
                        "Key pair 'kp-import' already exists.")
        self.assertStatus(self.api("DELETE", "/v2.1/os-keypairs/kp-import"), 202)
        self.nova_error(self.api("GET", "/v2.1/os-keypairs/kp-import"), 404, "itemNotFound",
                        "Keypair kp-import not found for user " + self.USER)
        self.nova_error(self.api("DELETE", "/v2.1/os-keypairs/kp-import"), 404, "itemNotFound",
                        "not found")

    def test_per_user(self):
        self.assertStatus(self.create("kp-user"), 200)
        # Another user (even in the same project) neither sees nor deletes it ...
        other = {"user": "u-second", "project": self.PROJECT}
        self.nova_error(self.api("GET", "/v2.1/os-keypairs/kp-user", **other), 404,
                        "itemNotFound", "not found for user u-second")
        self.assertEqual(self.api("GET", "/v2.1/os-keypairs", **other).json["keypairs"], [])
        self.assertStatus(self.api("DELETE", "/v2.1/os-keypairs/kp-user", **other), 404)
        # ... and may use the same name.
        self.assertStatus(self.create("kp-user", **other), 200)
        self.assertStatus(self.api("GET", "/v2.1/os-keypairs/kp-user"), 200)

    def test_validation(self):
        cases = [({"keypair": {"name": "bad/name", "public_key": PUBKEY}},
                  "Keypair name contains unsafe characters"),
                 ({"keypair": {"name": "", "public_key": PUBKEY}},
                  "between 1 and 255 characters"),
                 ({"keypair": {"name": "k" * 256, "public_key": PUBKEY}},
                  "between 1 and 255 characters"),
                 ({"keypair": {"public_key": PUBKEY}}, "'name' is a required property"),
                 ({"name": "x"}, "Invalid input for field/attribute keypair"),
                 ({"keypair": {"name": "kp-bad", "public_key": "not a key"}},
                  "failed to generate fingerprint"),
                 ({"keypair": {"name": "kp-bad", "public_key": "ssh-ed25519 !!!!"}},
                  "failed to generate fingerprint"),
                 ({"keypair": {"name": "kp-bad", "public_key": RSA_BLOB_KEY}},
                  "failed to generate fingerprint"),
                 ({"keypair": {"name": "kp-bad", "public_key": 5}}, "public_key")]
        for body, part in cases:
            r = self.api("POST", "/v2.1/os-keypairs", body)
            self.nova_error(r, 400, "badRequest", part)
        r = self.api("POST", "/v2.1/os-keypairs", raw="{")
        self.nova_error(r, 400, "badRequest", "Malformed request body")
        self.assertNotIn("kp-bad", str(self.api("GET", "/v2.1/os-keypairs").json))
        # Spaces, '-' and '_' are fine.
        self.assertStatus(self.create("my key_1-a"), 200)
        self.assertStatus(self.api("GET", "/v2.1/os-keypairs/my%20key_1-a"), 200)

    def test_roles(self):
        self.nova_error(self.create("kp-reader", **self.READER), 403, "forbidden",
                        "os_compute_api:os-keypairs:create")
        self.assertStatus(self.api("GET", "/v2.1/os-keypairs", **self.READER), 200)
        self.nova_error(self.api("GET", "/v2.1/os-keypairs", roles=""), 403, "forbidden",
                        "os_compute_api:os-keypairs:index")

    @mglib.unittest.skipUnless(shutil.which("ssh-keygen"), "ssh-keygen not installed")
    def test_generate(self):
        r = self.create("kp-gen", pub=None)
        self.assertStatus(r, 200)
        kp = r.json["keypair"]
        self.assertIn("BEGIN OPENSSH PRIVATE KEY", kp["private_key"])
        self.assertTrue(kp["public_key"].startswith("ssh-ed25519 "), kp)
        self.assertEqual(kp["fingerprint"], md5_fingerprint(kp["public_key"]))
        r = self.api("GET", "/v2.1/os-keypairs/kp-gen")
        self.assertEqual(r.json["keypair"]["public_key"], kp["public_key"])
        self.assertNotIn("private_key", r.json["keypair"])
        state = os.path.join(self.mg.dir, "state")
        self.assertEqual([d for d in os.listdir(state) if d.startswith("keygen-")], [])
        # Two generations give two different keys.
        kp2 = self.create("kp-gen2", pub=None).json["keypair"]
        self.assertNotEqual(kp2["public_key"], kp["public_key"])

    def test_quota(self):
        who = {"user": "u-quota"}
        for i in range(100):
            self.assertStatus(self.create("q%d" % i, **who), 200)
        self.nova_error(self.create("q100", **who), 403, "forbidden",
                        "Quota exceeded, too many key pairs.")
        self.assertStatus(self.api("DELETE", "/v2.1/os-keypairs/q0", **who), 202)
        self.assertStatus(self.create("q100", **who), 200)


class Flavors(Base):
    def test_list_detail_show(self):
        r = self.api("GET", "/v2.1/flavors")
        self.assertStatus(r, 200)
        self.assertEqual(r.headers["openstack-api-version"], "compute 2.1")
        names = [f["name"] for f in r.json["flavors"]]
        self.assertEqual(names, ["m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge"])
        self.assertEqual(set(r.json["flavors"][0]), {"id", "name", "links"})
        self.assertTrue(r.json["flavors"][0]["links"][0]["href"].endswith("/v2.1/flavors/1"))
        r = self.api("GET", "/v2.1/flavors/detail")
        small = [f for f in r.json["flavors"] if f["name"] == "m1.small"][0]
        self.assertEqual((small["vcpus"], small["ram"], small["disk"]), (1, 2048, 20))
        self.assertIs(small["os-flavor-access:is_public"], True)
        self.assertEqual(small["OS-FLV-EXT-DATA:ephemeral"], 0)
        r = self.api("GET", "/v2.1/flavors/detail?minRam=4096&minDisk=80")
        self.assertEqual([f["name"] for f in r.json["flavors"]], ["m1.large", "m1.xlarge"])
        self.nova_error(self.api("GET", "/v2.1/flavors?minRam=lots"), 400, "badRequest",
                        "Invalid minRam filter [lots]")
        r = self.api("GET", "/v2.1/flavors/2")
        self.assertStatus(r, 200)
        self.assertEqual(r.json["flavor"]["name"], "m1.small")
        self.assertEqual(r.json["flavor"]["ram"], 2048)
        self.nova_error(self.api("GET", "/v2.1/flavors/99"), 404, "itemNotFound",
                        "Flavor 99 could not be found.")
        r = self.api("GET", "/v2.1/flavors/2/os-extra_specs")
        self.assertEqual(r.json, {"extra_specs": {}})
        self.nova_error(self.api("GET", "/v2.1/flavors", roles=""), 403, "forbidden",
                        "Policy doesn't allow")

    def test_version_document(self):
        r = self.mg.request("GET", "/v2.1")
        self.assertStatus(r, 200)
        self.assertEqual(r.json["version"]["id"], "v2.1")
        self.assertEqual(r.json["version"]["status"], "CURRENT")
        self.assertEqual(r.json["version"]["min_version"], "2.1")


class Networks(Base):
    PUBLIC_ID = "5c3f4ad6-6f5b-4b4e-9d2a-2f1c9e0b7a01"

    def test_list_and_filters(self):
        for prefix in ("/network", ""):
            r = self.api("GET", prefix + "/v2.0/networks")
            self.assertStatus(r, 200)
            self.assertEqual([n["name"] for n in r.json["networks"]], ["public"])
            net = r.json["networks"][0]
            self.assertIs(net["router:external"], True)
            self.assertEqual(net["id"], self.PUBLIC_ID)
            self.assertEqual(net["status"], "ACTIVE")
        for q, expect in [("router:external=True", ["public"]),
                          ("router%3Aexternal=true", ["public"]),
                          ("router:external=False", []),
                          ("name=public", ["public"]), ("name=private", []),
                          ("id=" + self.PUBLIC_ID, ["public"]), ("id=nope", []),
                          ("shared=true", []), ("shared=false", ["public"]),
                          ("status=DOWN", []),
                          ("router:external=1&name=public", ["public"])]:
            r = self.api("GET", "/network/v2.0/networks?" + q)
            self.assertStatus(r, 200)
            self.assertEqual([n["name"] for n in r.json["networks"]], expect, q)
        r = self.api("GET", "/network/v2.0/networks?router:external=maybe")
        self.assertStatus(r, 400)
        self.assertEqual(r.json["NeutronError"]["type"], "InvalidInput")
        self.assertIn("'maybe' cannot be converted to boolean",
                      r.json["NeutronError"]["message"])

    def test_show(self):
        r = self.api("GET", "/network/v2.0/networks/" + self.PUBLIC_ID)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["network"]["name"], "public")
        r = self.api("GET", "/network/v2.0/networks/nope")
        self.assertStatus(r, 404)
        self.assertEqual(r.json["NeutronError"]["type"], "NetworkNotFound")
        self.assertEqual(r.json["NeutronError"]["message"], "Network nope could not be found.")
        r = self.api("GET", "/network/v2.0/networks", roles="")
        self.assertStatus(r, 403)
        self.assertEqual(r.json["NeutronError"]["type"], "PolicyNotAuthorized")
        r = self.api("GET", "/network/v2.0/extensions")
        self.assertIn("external-net", [e["alias"] for e in r.json["extensions"]])
        r = self.mg.request("GET", "/network")
        self.assertStatus(r, 200)
        self.assertEqual(r.json["versions"][0]["id"], "v2.0")


if __name__ == "__main__":
    mglib.main()
