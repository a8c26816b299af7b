"""mglib - start a real magnumd on loopback and talk to it (API tests).

Every test module does:

    import mglib
    class T(mglib.TestCase):          # one magnumd per class (setUpClass)
        def test_x(self):
            r = self.api("GET", "/v1/bays")
            self.assertStatus(r, 200)

    if __name__ == "__main__":
        mglib.main()

The daemon runs from $MAGNUMD with a temporary state_path (prefix
"magnum-test-") on a free 127.0.0.1 port; it is stopped by PID and the
directory removed on success and on failure. Auth: builtin by default
(self.token is an admin token from the bootstrap's openrc), or
auth_strategy = noauth with X-User-Id/X-Project-Id/X-Roles headers when a
class sets AUTH = "noauth". Set MAGNUM_TEST_DB to a postgresql:// URL to run
against PostgreSQL (tests/api/pg.sh provides one).
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import uuid as uuidlib

MAGNUMD = os.environ.get("MAGNUMD") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "magnumd")
MAGNUM_CLI = os.environ.get("MAGNUM_CLI") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "magnum")


def pg_server_dsn():
    """DSN of the PostgreSQL started by tests/pg_fixture.sh, or None."""
    state = os.environ.get("MAGNUM_TEST_PG_STATE")
    if not state:
        return None
    with open(state) as f:
        return f.read().split()[0]


def pg_admin(dsn, sql):
    p = subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", dsn, "-c", sql],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("psql failed: " + p.stderr)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers          # dict, lower-case names
        self.body = body                # bytes
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:500])


class Magnumd:
    """A running magnumd. Use as a context manager or call start()/stop()."""

    def __init__(self, auth="builtin", extra_conf="", db_url=None):
        self.auth = auth
        self.extra_conf = extra_conf
        self.db_url = db_url if db_url is not None else os.environ.get("MAGNUM_TEST_DB")
        self.pg_db = None       # database this instance created on the fixture server
        self.backend = "none"
        self.exit_problem = None  # set by stop() when magnumd did not end cleanly
        self.dir = None
        self.proc = None
        self.port = None
        self.log = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def write_conf(self):
        conf = ["[DEFAULT]", "state_path = %s/state" % self.dir,
                "auth_strategy = %s" % self.auth, "periodic_interval = 1",
                # Control plane only: API tests never provision (the e2e tests do).
                "backend = %s" % self.backend,
                "[x509]", "key_type = ec",
                "[api]", "host = 127.0.0.1", "port = %d" % self.port]
        if self.db_url:
            conf += ["[database]", "connection = %s" % self.db_url]
        path = os.path.join(self.dir, "magnum.conf")
        with open(path, "w") as f:
            f.write("\n".join(conf) + "\n" + self.extra_conf + "\n")
        return path

    def start_again(self):
        """Restart on the same state directory and port (after stop())."""
        self.log = open(os.path.join(self.dir, "magnumd.log"), "a+")
        return self._spawn()

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="magnum-test-")
        self.port = free_port()
        server = pg_server_dsn()
        if server and self.db_url is None:
            self.pg_db = "magnum_test_" + uuidlib.uuid4().hex[:12]
            pg_admin(server, "CREATE DATABASE %s" % self.pg_db)
            self.db_url = server.rsplit("/", 1)[0] + "/" + self.pg_db
        self.conf = self.write_conf()
        self.log = open(os.path.join(self.dir, "magnumd.log"), "w+")
        return self._spawn()

    def _spawn(self):
        self.proc = subprocess.Popen([MAGNUMD, "--config", self.conf],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("magnumd exited %s:\n%s" % (
                    self.proc.returncode, self.logtext()))
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/healthcheck")
                if c.getresponse().status == 200:
                    c.close()
                    break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("magnumd did not start:\n" + self.logtext())
        return self

    def logtext(self):
        if self.log is None:
            return ""
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()[-6000:]

    def openrc(self):
        """The builtin bootstrap's credentials as a dict of OS_* variables."""
        env = {}
        with open(os.path.join(self.dir, "state", "admin-openrc.sh")) as f:
            for line in f:
                line = line.strip()
                if line.startswith("export "):
                    k, _, v = line[7:].partition("=")
                    env[k] = v.strip("'\"")
        return env

    def stop(self):
        """Stop magnumd (SIGTERM, by PID). Raises if it did not exit cleanly or a
        sanitizer reported anything (ASan/UBSan/LSan builds)."""
        rc = None
        if self.proc:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=45)   # a loaded 2-core CI machine
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            rc = self.proc.returncode
        self.proc = None
        text = self.logtext()
        if rc not in (None, 0) or "Sanitizer" in text or "runtime error:" in text:
            self.exit_problem = "magnumd exited %s:\n%s" % (rc, text[-4000:])
        if self.log:
            self.log.close()
            self.log = None

    def cleanup(self):
        self.stop()
        if self.pg_db:
            pg_admin(pg_server_dsn(), "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.pg_db)
            self.pg_db = None
            self.db_url = None
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    # -- HTTP --
    def request(self, method, path, body=None, headers=None, raw=None, conn=None):
        h = {"Accept": "application/json"}
        if body is not None or raw is not None:
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        h = {k: v for k, v in h.items() if v is not None}
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        c = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        resp = Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        if conn is None:
            c.close()
        return resp

    def token(self, user, password, project, domain="Default"):
        r = self.request("POST", "/v3/auth/tokens", {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": user, "domain": {"name": domain}, "password": password}}},
            "scope": {"project": {"name": project, "domain": {"name": domain}}}}})
        if r.status != 201:
            raise RuntimeError("token for %s failed: %r" % (user, r))
        return r.headers["x-subject-token"]

    def admin_token(self):
        rc = self.openrc()
        return self.token(rc["OS_USERNAME"], rc["OS_PASSWORD"], rc["OS_PROJECT_NAME"])

    def cmd(self, *args, check=True):
        """Run `magnumd --config <conf> args...` (identity admin commands)."""
        p = subprocess.run([MAGNUMD, "--config", self.conf] + list(args),
                           capture_output=True, text=True, timeout=60)
        if check and p.returncode != 0:
            raise RuntimeError("magnumd %s failed: %s%s" % (args, p.stdout, p.stderr))
        return p


class TestCase(unittest.TestCase):
    """One magnumd per test class. AUTH = "builtin" | "noauth"."""
    AUTH = "builtin"
    EXTRA_CONF = ""
    # noauth identity used by self.api() when AUTH == "noauth"
    USER = "u-" + uuidlib.uuid4().hex[:8]
    PROJECT = "p-" + uuidlib.uuid4().hex[:8]
    ROLES = "member,reader"
    VERSION = None   # e.g. "container-infra 1.2"

    @classmethod
    def setUpClass(cls):
        cls.mg = Magnumd(auth=cls.AUTH, extra_conf=cls.EXTRA_CONF)
        try:
            cls.mg.start()
            cls.token = cls.mg.admin_token() if cls.AUTH == "builtin" else None
        except Exception:
            cls.mg.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        failed = getattr(cls, "_failed", False)
        if failed or os.environ.get("MAGNUM_TEST_VERBOSE"):
            sys.stderr.write("---- magnumd log ----\n" + cls.mg.logtext() + "\n")
        cls.mg.stop()
        problem = cls.mg.exit_problem
        cls.mg.cleanup()
        if problem:
            raise AssertionError(problem)

    def run(self, result=None):
        r = super().run(result)
        if result is not None and (result.failures or result.errors):
            type(self)._failed = True
        return r

    def api(self, method, path, body=None, headers=None, version=None, token=None,
            user=None, project=None, roles=None, raw=None):
        h = {}
        v = version or self.VERSION
        if v:
            h["OpenStack-API-Version"] = v
        if self.AUTH == "noauth":
            h["X-User-Id"] = user or self.USER
            h["X-Project-Id"] = project or self.PROJECT
            h["X-Roles"] = roles if roles is not None else self.ROLES
        else:
            h["X-Auth-Token"] = token or self.token
        h.update(headers or {})
        return self.mg.request(method, path, body, h, raw=raw)

    def assertStatus(self, r, status, msg=None):
        self.assertEqual(r.status, status, msg or repr(r))

    def assertError(self, r, status, detail_part=None):
        """Magnum's error body with this status (and detail containing detail_part)."""
        self.assertStatus(r, status)
        err = r.json["errors"][0]
        self.assertEqual(err["status"], status)
        self.assertEqual(err["code"], "client" if status < 500 else "server")
        if detail_part is not None:
            self.assertIn(detail_part, err["detail"], repr(r))
        return err


def main():
    unittest.main(verbosity=2)
