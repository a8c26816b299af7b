#!/usr/bin/env python3
"""Real OpenStack clients, unmodified (Debian's python3-openstackclient and
python3-magnumclient), against magnumd with the built-in identity: sourcing
the admin-openrc.sh magnumd writes is their only setup."""
import os
import shutil
import subprocess
import unittest

import mglib
from fixtures import PUBKEY

OPENSTACK = shutil.which("openstack")
PYMAGNUM = "/usr/bin/magnum"      # the python client's legacy shell (our C CLI is also "magnum")


@unittest.skipUnless(OPENSTACK and os.path.exists(PYMAGNUM),
                     "python3-openstackclient / python3-magnumclient not installed")
class Clients(mglib.TestCase):
    AUTH = "builtin"

    def run_cli(self, *args, ok=True):
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update(self.mg.openrc())
        p = subprocess.run(list(args), capture_output=True, text=True, env=env, timeout=120)
        if ok:
            self.assertEqual(p.returncode, 0, "%s\n%s%s" % (args, p.stdout, p.stderr))
        return p

    def osc(self, *args, ok=True):
        return self.run_cli(OPENSTACK, *args, ok=ok)

    def test_identity_commands(self):
        """python-openstackclient's identity commands against the built-in identity."""
        out = self.osc("token", "issue", "-f", "value", "-c", "project_id", "-c",
                       "user_id").stdout.split()
        self.assertEqual(len(out), 2)
        self.osc("project", "create", "--description", "OSC made", "oscp")
        self.osc("user", "create", "--password", "pw-oscu", "--project", "oscp", "oscu")
        self.osc("role", "add", "--project", "oscp", "--user", "oscu", "member")
        self.assertIn("oscp", self.osc("project", "list", "-f", "value").stdout)
        self.assertIn("oscu", self.osc("user", "list", "-f", "value").stdout)
        self.assertIn("reader", self.osc("role", "list", "-f", "value").stdout)
        out = self.osc("role", "assignment", "list", "--user", "oscu", "--names", "-f",
                       "value").stdout
        self.assertIn("member oscu@Default", out)
        self.assertIn("OSC made", self.osc("project", "show", "oscp", "-f", "value").stdout)
        self.assertIn("container-infra", self.osc("catalog", "list", "-f", "value").stdout)
        # The new user logs in with its own credentials and sees only its project.
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update(self.mg.openrc())
        env.update(OS_USERNAME="oscu", OS_PASSWORD="pw-oscu", OS_PROJECT_NAME="oscp")
        p = subprocess.run([OPENSTACK, "coe", "cluster", "template", "list", "-f", "value"],
                           capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        env["OS_PASSWORD"] = "wrong"
        p = subprocess.run([OPENSTACK, "token", "issue"], capture_output=True, text=True,
                           env=env, timeout=120)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("401", p.stderr)
        # Revoking a token ends it.
        tok = self.osc("token", "issue", "-f", "value", "-c", "id").stdout.strip()
        self.osc("token", "revoke", tok)
        self.assertStatus(self.api("GET", "/v1/clusters", token=tok), 401)

    def test_end_to_end(self):
        self.assertRegex(self.osc("token", "issue", "-f", "value", "-c", "id").stdout.strip(),
                         r"^[0-9a-f]{64}$")
        key = os.path.join(self.mg.dir, "k.pub")
        with open(key, "w") as f:
            f.write(PUBKEY + "\n")
        out = self.osc("image", "create", "--property", "os_distro=debian", "--disk-format",
                       "raw", "--container-format", "bare", "deb", "-f", "value", "-c",
                       "properties").stdout
        self.assertIn("debian", out)
        self.assertIn("deb", self.osc("image", "list", "-f", "value").stdout)
        self.osc("keypair", "create", "--public-key", key, "k1")
        self.assertIn("k1", self.osc("keypair", "list", "-f", "value").stdout)
        self.assertIn("m1.small", self.osc("flavor", "list", "-f", "value").stdout)
        self.assertIn("public", self.osc("network", "list", "--external", "-f", "value").stdout)
        out = self.osc("coe", "cluster", "template", "create", "t1", "--coe", "swarm",
                       "--image", "deb", "--keypair", "k1", "--external-network", "public",
                       "-f", "value", "-c", "cluster_distro", "-c", "network_driver").stdout
        self.assertIn("debian", out)
        self.assertIn("docker", out)
        self.assertIn("t1", self.osc("coe", "cluster", "template", "list", "-f", "value").stdout)
        # A validation error reaches the user with Magnum's text and a failing exit code.
        p = self.osc("coe", "cluster", "template", "create", "bad", "--coe", "swarm", "--image",
                     "nope", "--external-network", "public", ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Image nope could not be found", p.stderr)
        out = self.osc("coe", "cluster", "create", "c1", "--cluster-template", "t1",
                       "--node-count", "2").stdout
        self.assertIn("accepted", out)
        out = self.osc("coe", "cluster", "show", "c1", "-f", "value", "-c", "status", "-c",
                       "node_count").stdout
        self.assertIn("CREATE_IN_PROGRESS", out)
        self.assertIn("2", out)
        self.assertIn("c1", self.osc("coe", "cluster", "list", "-f", "value").stdout)
        self.assertIn("magnum-conductor",
                      self.osc("coe", "service", "list", "-f", "value").stdout)
        self.osc("coe", "quotas", "create", "--project-id",
                 self.mg.openrc()["OS_PROJECT_NAME"], "--resource", "Cluster",
                 "--hard-limit", "5", ok=False)
        # The legacy python shell speaks the same API.
        out = self.run_cli(PYMAGNUM, "cluster-template-list").stdout
        self.assertIn("t1", out)
        out = self.run_cli(PYMAGNUM, "cluster-show", "c1").stdout
        self.assertIn("CREATE_IN_PROGRESS", out)
        self.osc("coe", "cluster", "delete", "c1")
        for _ in range(100):
            if "c1" not in self.osc("coe", "cluster", "list", "-f", "value").stdout:
                break
        else:
            self.fail("cluster c1 was not deleted")
        self.osc("coe", "cluster", "template", "delete", "t1")
        self.assertNotIn("t1", self.osc("coe", "cluster", "template", "list", "-f",
                                        "value").stdout)


if __name__ == "__main__":
    mglib.main()
