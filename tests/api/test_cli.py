#!/usr/bin/env python3
"""The magnum CLI in C against a real magnumd: credentials from the openrc
magnumd writes, python-magnumclient's commands, tables, --json and exit codes."""
import json
import os
import subprocess
import time

import mglib
from fixtures import catalogue


class Cli(mglib.TestCase):
    AUTH = "builtin"

    def cli(self, *args, rc=0):
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update(self.mg.openrc())
        p = subprocess.run([mglib.MAGNUM_CLI] + list(args), capture_output=True, text=True,
                           env=env, timeout=60)
        if rc is not None:
            self.assertEqual(p.returncode, rc, "%s\n%s%s" % (args, p.stdout, p.stderr))
        return p

    def test_workflow(self):
        catalogue(self)
        out = self.cli("baymodel-create", "--name", "sm", "--image-id", "deb", "--keypair-id",
                       "k1", "--external-network-id", "public", "--coe", "swarm", "--labels",
                       "a=b", "--labels", "c=d;e=f").stdout
        self.assertRegex(out, r"\| Property +\| Value +\|")
        self.assertRegex(out, r"\| coe +\| swarm +\|")
        self.assertIn("{'a': 'b', 'c': 'd', 'e': 'f'}", out)
        self.assertRegex(out, r"\| flavor_id +\| m1.medium +\|")      # the client's default
        self.assertRegex(out, r"\| fixed_network +\| - +\|")          # None shows as -
        self.assertRegex(self.cli("baymodel-list").stdout, r"\| [0-9a-f-]{36} \| sm +\|")
        out = self.cli("bay-create", "--name", "b1", "--baymodel", "sm", "--node-count",
                       "2").stdout
        self.assertRegex(out, r"Request to create bay [0-9a-f-]{36} has been accepted.")
        out = self.cli("bay-list").stdout
        self.assertRegex(out, r"\| b1 +\| 2 +\| 1 +\| CREATE_IN_PROGRESS \|")
        data = json.loads(self.cli("--json", "bay-show", "b1").stdout)
        self.assertEqual(data["node_count"], 2)
        # Errors: the server's message, exit 1.
        p = self.cli("bay-update", "b1", "replace", "node_count=3", rc=1)
        self.assertIn('Updating a bay when stack status is "CREATE_IN_PROGRESS"', p.stderr)
        p = self.cli("baymodel-create", "--image-id", "nope", "--keypair-id", "k1",
                     "--external-network-id", "public", "--coe", "swarm", rc=1)
        self.assertIn("ERROR: Image nope could not be found (HTTP 400) (Request-ID: req-", p.stderr)
        # Usage errors: exit 2.
        self.cli("baymodel-create", "--coe", "swarm", rc=2)
        self.cli("no-such-command", rc=2)
        self.cli("bay-update", "b1", "frobnicate", "x=1", rc=2)
        # The CA, once the conductor made it; the expiry inventory lists it.
        for _ in range(100):
            p = self.cli("ca-show", "--bay", "b1", rc=None)
            if p.returncode == 0:
                break
            time.sleep(0.05)
        self.assertIn("BEGIN CERTIFICATE", p.stdout)
        out = self.cli("certificate-list", "--bay", "b1").stdout
        self.assertIn("| ca ", out)
        self.assertIn("| conductor ", out)
        self.cli("certificate-list", "--expires-within", "soon", rc=2)
        out = self.cli("bay-show", "--long", "b1").stdout
        self.assertRegex(out, r"\| ca_cert_expires_at +\| 20\d\d-")
        self.assertRegex(out, r"\| certs_expire_at +\| 20\d\d-")
        self.assertRegex(out, r"\| last_event +\| ")
        p = self.cli("bay-config", "b1", "--dir", self.mg.dir, rc=1)
        self.assertIn("CREATE_IN_PROGRESS", p.stderr)
        self.assertIn("magnum-conductor", self.cli("service-list").stdout)
        self.assertEqual(json.loads(self.cli("--json", "stats-list").stdout)["clusters"], 1)
        # Cluster-era commands over the same rows.
        self.assertIn("b1", self.cli("cluster-list").stdout)
        out = self.cli("cluster-template-update", "sm", "replace", "name=sm2").stdout
        self.assertRegex(out, r"\| name +\| sm2 +\|")                 # rename while in use
        out = self.cli("bay-delete", "b1", "nope", rc=1)
        self.assertIn("Request to delete bay b1 has been accepted.", out.stdout)
        self.assertIn("Delete for bay nope failed", out.stderr)

    def test_bad_credentials(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update(self.mg.openrc())
        env["OS_PASSWORD"] = "wrong"
        p = subprocess.run([mglib.MAGNUM_CLI, "bay-list"], capture_output=True, text=True,
                           env=env, timeout=60)
        self.assertEqual(p.returncode, 1)
        self.assertIn("authentication failed (HTTP 401)", p.stderr)


if __name__ == "__main__":
    mglib.main()
