#!/usr/bin/env python3
"""The catalogue with the built-in identity: tokens are required, and Debian's
unmodified python3-openstackclient drives images, keypairs, flavors and
networks with nothing but the admin-openrc.sh that magnumd writes."""
import hashlib
import json
import os
import shutil
import subprocess
import unittest

import mglib
from fixtures import PUBKEY

OPENSTACK = shutil.which("openstack")


class Tokens(mglib.TestCase):
    AUTH = "builtin"

    def test_token_required(self):
        for path in ("/image/v2/images", "/v2/images", "/v2.1/os-keypairs", "/v2.1/flavors",
                     "/network/v2.0/networks", "/v2.0/networks"):
            self.assertStatus(self.mg.request("GET", path), 401)
            self.assertStatus(self.mg.request("GET", path, headers={"X-Auth-Token": "bogus"}),
                              401)
            self.assertStatus(self.api("GET", path), 200)
        # Version documents are public, as in OpenStack.
        for path in ("/image", "/v2.1", "/network"):
            self.assertStatus(self.mg.request("GET", path), 200)

    def test_owner_is_token_project(self):
        r = self.api("POST", "/image/v2/images", {"name": "tok-img"})
        self.assertStatus(r, 201)
        who = self.api("GET", "/v3/auth/tokens", headers={"X-Subject-Token": self.token})
        self.assertStatus(who, 200)
        self.assertEqual(r.json["owner"], who.json["token"]["project"]["id"])
        r = self.api("POST", "/v2.1/os-keypairs", {"keypair": {"name": "tok-kp",
                                                               "public_key": PUBKEY}})
        self.assertStatus(r, 200)
        self.assertEqual(r.json["keypair"]["user_id"], who.json["token"]["user"]["id"])


@unittest.skipUnless(OPENSTACK, "python3-openstackclient not installed")
class OpenStackClient(mglib.TestCase):
    AUTH = "builtin"

    def osc(self, *args, ok=True, stdin=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update(self.mg.openrc())
        p = subprocess.run([OPENSTACK] + list(args), capture_output=True, text=True, env=env,
                           timeout=120, input=stdin)
        if ok:
            self.assertEqual(p.returncode, 0, "%s\n%s%s" % (args, p.stdout, p.stderr))
        return p

    def osc_json(self, *args):
        return json.loads(self.osc(*args, "-f", "json").stdout)

    def test_images(self):
        data = os.urandom(3000)
        path = os.path.join(self.mg.dir, "img.raw")
        with open(path, "wb") as f:
            f.write(data)
        img = self.osc_json("image", "create", "--property", "os_distro=debian",
                            "--disk-format", "raw", "--container-format", "bare", "--file",
                            path, "osc-img")
        self.assertEqual(img["properties"]["os_distro"], "debian")
        img = self.osc_json("image", "show", "osc-img")
        self.assertEqual(img["status"], "active")
        self.assertEqual(img["size"], len(data))
        self.assertEqual(img["checksum"], hashlib.md5(data).hexdigest())
        self.assertEqual(img["properties"]["os_distro"], "debian")
        self.osc("image", "create", "--property", "os_distro=fedora-coreos", "osc-img2")
        names = [i["Name"] for i in self.osc_json("image", "list")]
        self.assertIn("osc-img", names)
        self.assertIn("osc-img2", names)
        self.osc("image", "set", "--property", "os_distro=ubuntu", "--property", "arch=x86_64",
                 "osc-img2")
        shown = self.osc_json("image", "show", "osc-img2")
        self.assertEqual(shown["properties"]["os_distro"], "ubuntu")
        self.assertEqual(shown["properties"]["arch"], "x86_64")
        out = os.path.join(self.mg.dir, "img.out")
        self.osc("image", "save", "--file", out, "osc-img")
        with open(out, "rb") as f:
            self.assertEqual(f.read(), data)
        self.osc("image", "delete", "osc-img2")
        names = [i["Name"] for i in self.osc_json("image", "list")]
        self.assertNotIn("osc-img2", names)
        p = self.osc("image", "show", "osc-img2", ok=False)
        self.assertNotEqual(p.returncode, 0)

    def test_keypairs_flavors_networks(self):
        key = os.path.join(self.mg.dir, "k.pub")
        with open(key, "w") as f:
            f.write(PUBKEY + "\n")
        kp = self.osc_json("keypair", "create", "--public-key", key, "osc-k")
        self.assertRegex(kp["fingerprint"], r"^([0-9a-f]{2}:){15}[0-9a-f]{2}$")
        self.assertIn("osc-k", [k["Name"] for k in self.osc_json("keypair", "list")])
        p = self.osc("keypair", "create", "--public-key", key, "osc-k", ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("already exists", p.stderr)
        if shutil.which("ssh-keygen"):
            p = self.osc("keypair", "create", "osc-gen")
            self.assertIn("PRIVATE KEY", p.stdout)
        self.osc("keypair", "delete", "osc-k")
        self.assertNotIn("osc-k", [k["Name"] for k in self.osc_json("keypair", "list")])
        flavors = {f["Name"]: f for f in self.osc_json("flavor", "list")}
        self.assertEqual(sorted(flavors), ["m1.large", "m1.medium", "m1.small", "m1.tiny",
                                           "m1.xlarge"])
        self.assertEqual(flavors["m1.small"]["RAM"], 2048)
        nets = self.osc_json("network", "list", "--external")
        self.assertEqual([n["Name"] for n in nets], ["public"])
        self.assertEqual(self.osc_json("network", "list", "--internal"), [])


if __name__ == "__main__":
    mglib.main()
