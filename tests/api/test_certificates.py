#!/usr/bin/env python3
"""Certificates (bay doc §1.7, §4; cluster doc §2.6): the CA the conductor
makes for each bay, CSR signing under the [x509] policy, isolation between
projects, CA rotation in two phases, and the expiry inventory. Every issued
certificate is checked with the openssl CLI; the rotated-away client
certificate is refused in a real TLS handshake (s_server / s_client)."""
import http.server
import os
import socket
import ssl
import subprocess
import tempfile
import threading
import time

import clusterdb as cdb
import mglib
from fixtures import baymodel, catalogue

OTHER = dict(user="u-other", project="p-other", roles="member,reader")
PEER = dict(user="u-peer", project="p-test", roles="member,reader")    # same project
ADMIN = dict(user="u-admin", project="p-admin", roles="admin,member,reader")
LATEST = "container-infra latest"


def openssl(*args, inp=None, check=True):
    p = subprocess.run(["openssl"] + list(args), input=inp, capture_output=True, text=True,
                       timeout=30)
    if check and p.returncode != 0:
        raise AssertionError("openssl %s: %s" % (" ".join(args), p.stderr))
    return p


class Certificates(mglib.TestCase):
    AUTH = "noauth"
    USER, PROJECT, ROLES = "u-test", "p-test", "member,reader"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="magnum-test-certs-")

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["rm", "-rf", cls.tmp])
        super().tearDownClass()

    def setUp(self):
        catalogue(self)
        if not self.api("GET", "/v1/baymodels").json["baymodels"]:
            baymodel(self, name="m1")

    def path(self, name):
        return os.path.join(self.tmp, name)

    def csr(self, name, cn="alice", key="ec", extra=()):
        keyf, csrf = self.path(name + ".key"), self.path(name + ".csr")
        newkey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] if key == "ec" else \
            ["-newkey", key]
        openssl("req", "-new", *newkey, "-nodes", "-keyout", keyf, "-out", csrf,
                "-subj", "/CN=" + cn, *extra)
        with open(csrf) as f:
            return f.read()

    def new_bay(self, name):
        r = self.api("POST", "/v1/bays", {"name": name, "baymodel_id": "m1"})
        self.assertStatus(r, 201)
        return r.json["uuid"]

    def wait_ca(self, uuid, **who):
        for _ in range(300):
            r = self.api("GET", "/v1/certificates/" + uuid, **who)
            if r.status != 409:
                return r
            time.sleep(0.05)
        self.fail("no CA for bay %s" % uuid)

    def save(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)
        return self.path(name)

    def test_ca_made_by_conductor_and_csr_signed(self):
        uuid = self.new_bay("tls1")
        r = self.wait_ca(uuid)
        self.assertStatus(r, 200)
        self.assertEqual(list(r.json), ["bay_uuid", "pem", "links"])
        self.assertEqual(r.json["bay_uuid"], uuid)
        self.assertTrue(r.json["links"][0]["href"].endswith("/v1/certificates/" + uuid))
        ca = self.save("ca1.pem", r.json["pem"])
        text = openssl("x509", "-in", ca, "-noout", "-text").stdout
        self.assertIn("Subject: CN = tls1", text)
        self.assertIn("CA:TRUE, pathlen:0", text)
        # By name too; the cluster era names it cluster_uuid.
        self.assertEqual(self.api("GET", "/v1/certificates/tls1").json["pem"], r.json["pem"])
        c = self.api("GET", "/v1/certificates/" + uuid, version=LATEST).json
        self.assertEqual(list(c), ["cluster_uuid", "pem", "links"])
        # The timeline shows the step.
        ev = [e["step"] for e in self.api("GET", "/v1/bays/%s/events" % uuid).json["events"]]
        self.assertIn("certificates", ev)

        csr = self.csr("alice")
        r = self.api("POST", "/v1/certificates", {"bay_uuid": "tls1", "csr": csr})
        self.assertStatus(r, 201)
        self.assertEqual(list(r.json), ["bay_uuid", "csr", "pem", "links"])
        self.assertEqual(r.json["csr"], csr)
        cert = self.save("alice.pem", r.json["pem"])
        self.assertIn(": OK", openssl("verify", "-CAfile", ca, cert).stdout)
        text = openssl("x509", "-in", cert, "-noout", "-text").stdout
        self.assertIn("Subject: CN = alice", text)
        self.assertIn("Issuer: CN = tls1", text)
        self.assertIn("TLS Web Client Authentication", text)
        self.assertNotIn("CA:TRUE", text)
        # Cluster era: cluster_uuid, ca_cert_type echoed.
        r = self.api("POST", "/v1/certificates", {"cluster_uuid": uuid, "csr": csr,
                                                  "ca_cert_type": "kubelet"}, version=LATEST)
        self.assertStatus(r, 201)
        self.assertEqual(r.json["ca_cert_type"], "kubelet")

    def test_bad_csrs_are_400_and_name_the_reason(self):
        uuid = self.new_bay("tls2")
        self.assertStatus(self.wait_ca(uuid), 200)
        r = self.api("POST", "/v1/certificates", {"bay_uuid": uuid, "csr": "garbage"})
        self.assertError(r, 400, "csr")
        # A weak key.
        weak = self.csr("weak", key="rsa:1024")
        r = self.api("POST", "/v1/certificates", {"bay_uuid": uuid, "csr": weak})
        err = self.assertError(r, 400)
        self.assertIn("1024", err["detail"])
        # Asking to be a CA (critical) is refused.
        ca_csr = self.csr("evil", extra=("-addext", "basicConstraints=critical,CA:TRUE"))
        r = self.api("POST", "/v1/certificates", {"bay_uuid": uuid, "csr": ca_csr})
        self.assertError(r, 400)
        # A CSR signed by another key than the one it carries (tampered).
        good = self.csr("good")
        lines = good.splitlines()
        mid = len(lines) // 2
        body = lines[mid]
        lines[mid] = body[:10] + ("A" if body[10] != "A" else "B") + body[11:]
        r = self.api("POST", "/v1/certificates", {"bay_uuid": uuid, "csr": "\n".join(lines)})
        self.assertError(r, 400)
        # Over-long (a CSR padded past [x509]'s 16 KiB cap).
        big = good.replace("-----END", "\n" + "A" * 20000 + "\n-----END")
        self.assertError(self.api("POST", "/v1/certificates", {"bay_uuid": uuid, "csr": big}),
                         400, "larger than")
        # Missing csr, unknown bay.
        self.assertError(self.api("POST", "/v1/certificates", {"bay_uuid": uuid}), 400, "csr")
        self.assertError(self.api("POST", "/v1/certificates", {"bay_uuid": "nope", "csr": good}),
                         400, "Bay nope could not be found.")
        # Nothing was recorded for the refusals: only the CA and the conductor's cert.
        inv = self.api("GET", "/v1/certificates?bay_uuid=" + uuid).json["certificates"]
        self.assertEqual(sorted(c["kind"] for c in inv), ["ca", "conductor"])

    def test_projects_are_isolated(self):
        uuid = self.new_bay("tls3")
        self.assertStatus(self.wait_ca(uuid), 200)
        csr = self.csr("iso")
        # Another project: the bay does not exist for it.
        self.assertError(self.api("GET", "/v1/certificates/" + uuid, **OTHER), 404)
        self.assertError(self.api("POST", "/v1/certificates", {"bay_uuid": uuid, "csr": csr},
                                  **OTHER), 400, "could not be found")
        self.assertError(self.api("PATCH", "/v1/certificates/" + uuid, version=LATEST,
                                  **OTHER), 404)
        self.assertEqual(self.api("GET", "/v1/certificates", **OTHER).json["certificates"], [])
        # Anyone in the bay's project may read and sign, not only its creator.
        self.assertStatus(self.api("GET", "/v1/certificates/" + uuid, **PEER), 200)
        self.assertStatus(self.api("POST", "/v1/certificates", {"bay_uuid": uuid, "csr": csr},
                                   **PEER), 201)
        # A reader may read but not sign.
        self.assertStatus(self.api("POST", "/v1/certificates", {"bay_uuid": uuid, "csr": csr},
                                   roles="reader"), 403)

    def test_inventory_and_expiry_window(self):
        uuid = self.new_bay("tls4")
        self.assertStatus(self.wait_ca(uuid), 200)
        self.api("POST", "/v1/certificates", {"bay_uuid": uuid, "csr": self.csr("inv")})
        inv = self.api("GET", "/v1/certificates?bay_uuid=tls4").json["certificates"]
        self.assertEqual(sorted(c["kind"] for c in inv), ["ca", "client", "conductor"])
        for c in inv:
            self.assertEqual(c["cluster_uuid"], uuid)
            self.assertIn(c["expires_in_days"], (1823, 1824, 1825))
            self.assertRegex(c["serial"], "^[0-9a-f]+$")
        self.assertEqual(self.api("GET", "/v1/certificates?expires_within=30&bay_uuid=" +
                                  uuid).json["certificates"], [])
        self.assertEqual(len(self.api("GET", "/v1/certificates?expires_within=1826&bay_uuid=" +
                                      uuid).json["certificates"]), 3)
        self.assertError(self.api("GET", "/v1/certificates?expires_within=soon"), 400,
                         "expires_within")
        self.assertError(self.api("GET", "/v1/certificates?frobnicate=1"), 400)
        # Deleting the bay removes its certificates.
        self.assertStatus(self.api("DELETE", "/v1/bays/" + uuid), 204)
        for _ in range(200):
            if self.api("GET", "/v1/bays/" + uuid).status == 404:
                break
            time.sleep(0.05)
        self.assertEqual(cdb.count(self.mg, "SELECT COUNT(*) FROM x509keypairs WHERE "
                                            "cluster_uuid = ?", (uuid,)), 0)

    def handshake(self, ca_file, cert, key):
        """TLS handshake: s_server demanding a client cert from ca_file; True if accepted."""
        skey, scert = self.path("srv.key"), self.path("srv.pem")
        if not os.path.exists(scert):
            openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", skey, "-out", scert, "-subj", "/CN=127.0.0.1",
                    "-days", "1")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        srv = subprocess.Popen(["openssl", "s_server", "-accept", "127.0.0.1:%d" % port,
                                "-cert", scert, "-key", skey, "-CAfile", ca_file,
                                "-Verify", "1", "-verify_return_error", "-rev"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        try:
            for _ in range(200):     # s_server keeps accepting after this probe
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            # The client: Python's ssl (OpenSSL) presenting cert/key.
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            ctx.load_cert_chain(cert, key)
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                    with ctx.wrap_socket(raw) as tls:
                        tls.sendall(b"hello\n")
                        data = b""
                        while b"\n" not in data:
                            chunk = tls.recv(100)
                            if not chunk:
                                break
                            data += chunk
                        return b"olleh" in data
            except (ssl.SSLError, OSError):
                return False
        finally:
            srv.kill()
            srv.wait()

    def test_rotation_in_two_phases(self):
        uuid = self.new_bay("tls5")
        old_ca = self.wait_ca(uuid).json["pem"]
        old_ca_f = self.save("old-ca.pem", old_ca)
        r = self.api("POST", "/v1/certificates", {"bay_uuid": uuid, "csr": self.csr("rot")})
        old_cert = self.save("rot.pem", r.json["pem"])
        self.assertTrue(self.handshake(old_ca_f, old_cert, self.path("rot.key")))
        # Rotation needs a stable cluster (ungated by microversion, as in Magnum).
        self.assertError(self.api("PATCH", "/v1/certificates/" + uuid, version=LATEST), 400,
                         "CREATE_IN_PROGRESS")
        cdb.settle(self.mg, uuid)
        r = self.api("PATCH", "/v1/certificates/" + uuid, version=LATEST)
        self.assertStatus(r, 202)
        self.assertEqual(r.json, {"uuid": uuid})
        for _ in range(300):
            st = self.api("GET", "/v1/clusters/" + uuid, version=LATEST).json["status"]
            if st != "UPDATE_IN_PROGRESS":
                break
            time.sleep(0.05)
        self.assertEqual(st, "UPDATE_COMPLETE")
        steps = [e["step"] for e in self.api("GET", "/v1/bays/%s/events" % uuid).json["events"]]
        self.assertIn("rotate-ca", steps)
        new_ca = self.api("GET", "/v1/certificates/" + uuid).json["pem"]
        self.assertNotEqual(new_ca, old_ca)
        self.assertEqual(new_ca.count("BEGIN CERTIFICATE"), 1)   # the old CA is gone
        new_ca_f = self.save("new-ca.pem", new_ca)
        # The old client certificate no longer verifies, nor passes a handshake.
        self.assertNotEqual(openssl("verify", "-CAfile", new_ca_f, old_cert,
                                    check=False).returncode, 0)
        self.assertFalse(self.handshake(new_ca_f, old_cert, self.path("rot.key")))
        # A certificate signed now works against the new CA.
        r = self.api("POST", "/v1/certificates", {"bay_uuid": uuid, "csr": self.csr("rot2")})
        new_cert = self.save("rot2.pem", r.json["pem"])
        self.assertTrue(self.handshake(new_ca_f, new_cert, self.path("rot2.key")))
        inv = self.api("GET", "/v1/certificates?bay_uuid=" + uuid).json["certificates"]
        self.assertEqual(sorted(c["kind"] for c in inv), ["ca", "client", "conductor"])


class CertificatesLocalManager(mglib.TestCase):
    """cert_manager_type = local: keys in files of mode 0600, not in the store."""
    AUTH = "noauth"
    USER, PROJECT, ROLES = "u-test", "p-test", "member,reader"
    EXTRA_CONF = "[certificates]\ncert_manager_type = local\n"

    def test_keys_in_files(self):
        catalogue(self)
        baymodel(self, name="m1")
        uuid = self.api("POST", "/v1/bays", {"name": "loc", "baymodel_id": "m1"}).json["uuid"]
        for _ in range(300):
            if self.api("GET", "/v1/certificates/" + uuid).status == 200:
                break
            time.sleep(0.05)
        d = os.path.join(self.mg.dir, "state", "certificates")
        keys = [f for f in os.listdir(d) if f.endswith(".key")]
        self.assertEqual(len(keys), 2)                 # the CA's and the conductor's
        for k in keys:
            self.assertEqual(os.stat(os.path.join(d, k)).st_mode & 0o777, 0o600)
        self.assertEqual(cdb.count(self.mg, "SELECT COUNT(*) FROM x509keypairs WHERE "
                                            "private_key IS NOT NULL"), 0)


class CertificatesKeypairManager(mglib.TestCase):
    """x509keypair: keys encrypted in the store under a 0600 master key."""
    AUTH = "noauth"
    USER, PROJECT, ROLES = "u-test", "p-test", "member,reader"

    def test_keys_encrypted_at_rest(self):
        catalogue(self)
        baymodel(self, name="m1")
        uuid = self.api("POST", "/v1/bays", {"name": "enc", "baymodel_id": "m1"}).json["uuid"]
        for _ in range(300):
            if self.api("GET", "/v1/certificates/" + uuid).status == 200:
                break
            time.sleep(0.05)
        keys = cdb.query(self.mg, "SELECT private_key FROM x509keypairs WHERE cluster_uuid = ?",
                         (uuid,))
        self.assertEqual(len(keys), 2)
        for (k,) in keys:
            self.assertTrue(k.startswith("mx1:"), k[:10])
            self.assertNotIn("PRIVATE KEY", k)
        mk = os.path.join(self.mg.dir, "state", "master.key")
        self.assertEqual(os.stat(mk).st_mode & 0o777, 0o600)
        self.assertEqual(os.path.getsize(mk), 32)


class CertificatesRenewal(mglib.TestCase):
    """Certificates inside [certificates] renew_before_days are re-issued by the
    conductor's periodic task (here the window is longer than any validity)."""
    AUTH = "noauth"
    USER, PROJECT, ROLES = "u-test", "p-test", "member,reader"
    EXTRA_CONF = "[certificates]\nrenew_before_days = 3650\n"

    def conductor_serial(self, uuid):
        inv = self.api("GET", "/v1/certificates?bay_uuid=" + uuid).json["certificates"]
        return [c["serial"] for c in inv if c["kind"] == "conductor"]

    def test_renewed_before_expiry(self):
        catalogue(self)
        baymodel(self, name="m1")
        uuid = self.api("POST", "/v1/bays", {"name": "ren", "baymodel_id": "m1"}).json["uuid"]
        for _ in range(300):
            if self.conductor_serial(uuid):
                break
            time.sleep(0.05)
        first = self.conductor_serial(uuid)
        self.assertEqual(len(first), 1)
        cdb.settle(self.mg, uuid)             # only stable bays are renewed
        for _ in range(100):
            now = self.conductor_serial(uuid)
            if now and now != first:
                break
            time.sleep(0.1)
        self.assertEqual(len(now), 1)
        self.assertNotEqual(now, first)
        steps = [e["step"] for e in self.api("GET", "/v1/bays/%s/events" % uuid).json["events"]]
        self.assertIn("renew-certs", steps)
        self.assertEqual(self.api("GET", "/v1/bays/" + uuid).json["status"], "CREATE_COMPLETE")


class CertificatesBarbican(mglib.TestCase):
    """barbican: start-up checks that Barbican answers and fails with a clear sentence.
    (tests/api/test_barbican.py runs against a real Barbican.)"""
    AUTH = "noauth"

    @classmethod
    def setUpClass(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        pass

    def start(self, certificates, auth="noauth"):
        with tempfile.TemporaryDirectory(prefix="magnum-test-") as d:
            conf = os.path.join(d, "m.conf")
            with open(conf, "w") as f:
                f.write("[DEFAULT]\nstate_path = %s/s\nbackend = none\nauth_strategy = %s\n"
                        "[api]\nhost = 127.0.0.1\nport = %d\n"
                        "[certificates]\ncert_manager_type = barbican\n%s"
                        % (d, auth, mglib.free_port(), certificates))
            t0 = time.time()
            p = subprocess.run([mglib.MAGNUMD, "--config", conf], capture_output=True,
                               text=True, timeout=30)
            return p, time.time() - t0

    def test_barbican_not_answering(self):
        # A port nobody listens on (bound, never listening: refused at once).
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        try:
            p, took = self.start("barbican_url = http://127.0.0.1:%d\n" % port)
        finally:
            s.close()
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("[certificates] cert_manager_type = barbican: Barbican at "
                      "http://127.0.0.1:%d did not answer: " % port, p.stderr)
        self.assertLess(took, 15)

    def test_barbican_answering_badly(self):
        # Something that is not Barbican: a server answering 404 to everything.
        class Quiet(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

        srv = http.server.HTTPServer(("127.0.0.1", 0), Quiet)
        th = threading.Thread(target=srv.serve_forever, daemon=True)
        th.start()
        try:
            p, _ = self.start("barbican_url = http://127.0.0.1:%d/v1/\n" % srv.server_port)
        finally:
            srv.shutdown()
            srv.server_close()
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("Barbican at http://127.0.0.1:%d answered GET /v1/secrets with HTTP "
                      % srv.server_port, p.stderr)

    def test_barbican_needs_a_url_and_a_service_user(self):
        p, _ = self.start("")
        self.assertEqual(p.returncode, 1)
        self.assertIn("cert_manager_type = barbican needs [certificates] barbican_url",
                      p.stderr)
        p, _ = self.start("barbican_url = http://127.0.0.1:9\n", auth="keystone")
        self.assertEqual(p.returncode, 1)
        self.assertIn("auth_strategy = keystone needs the service user", p.stderr)

if __name__ == "__main__":
    mglib.main()
