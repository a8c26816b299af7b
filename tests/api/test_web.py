#!/usr/bin/env python3
"""The dashboard's static files (src/api/web.c): served under /dashboard
without authentication, with content types, ETag/304, no-cache, a strict
Content-Security-Policy, 404 for unknown files; the API keeps its rules."""
import os

import mglib

WEB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "web")


class Web(mglib.TestCase):
    def get(self, path, headers=None):
        return self.mg.request("GET", path, headers=headers or {"Accept": "*/*"})

    def test_index_with_and_without_slash(self):
        with open(os.path.join(WEB, "index.html"), "rb") as f:
            index = f.read()
        for p in ("/dashboard", "/dashboard/", "/dashboard/index.html"):
            r = self.get(p)
            self.assertStatus(r, 200)
            self.assertEqual(r.body, index)
            self.assertEqual(r.headers["content-type"], "text/html; charset=utf-8")

    def test_every_file_embedded_with_its_type(self):
        types = {".js": "application/javascript", ".css": "text/css", ".ico": "image/x-icon"}
        n = 0
        for d, _, names in os.walk(WEB):
            for name in names:
                rel = os.path.relpath(os.path.join(d, name), WEB)
                r = self.get("/dashboard/" + rel)
                self.assertStatus(r, 200)
                with open(os.path.join(d, name), "rb") as f:
                    self.assertEqual(r.body, f.read(), rel)
                ext = os.path.splitext(name)[1]
                if ext in types:
                    self.assertTrue(r.headers["content-type"].startswith(types[ext]), rel)
                n += 1
        self.assertGreaterEqual(n, 8)

    def test_security_and_cache_headers(self):
        r = self.get("/dashboard/js/app.js")
        csp = r.headers["content-security-policy"]
        self.assertIn("default-src 'self'", csp)
        self.assertIn("script-src 'self'", csp)
        self.assertNotIn("unsafe", csp)
        self.assertEqual(r.headers["x-content-type-options"], "nosniff")
        self.assertEqual(r.headers["cache-control"], "no-cache")
        etag = r.headers["etag"]
        self.assertRegex(etag, r'^"[0-9a-f]{16}"$')
        r2 = self.get("/dashboard/js/app.js", {"If-None-Match": etag})
        self.assertStatus(r2, 304)
        self.assertEqual(r2.body, b"")
        self.assertEqual(r2.headers["etag"], etag)
        r3 = self.get("/dashboard/js/app.js", {"If-None-Match": '"0000000000000000"'})
        self.assertStatus(r3, 200)
        # Different files, different tags.
        self.assertNotEqual(self.get("/dashboard/js/api.js").headers["etag"], etag)

    def test_unknown_files_404(self):
        for p in ("/dashboard/nope.html", "/dashboard/js/nope.js", "/dashboard/a/b/c/d.js",
                  "/dashboard/js/../../v1/bays"):
            self.assertStatus(self.get(p), 404, p)

    def test_no_auth_no_version_headers(self):
        r = self.get("/dashboard")
        self.assertNotIn("openstack-api-version", r.headers)
        self.assertStatus(self.get("/favicon.ico"), 200)
        self.assertEqual(self.get("/favicon.ico").headers["content-type"], "image/x-icon")
        # The API itself still wants a token.
        r = self.mg.request("GET", "/v1/bays")
        self.assertStatus(r, 401)

    def test_head_and_methods(self):
        r = self.mg.request("HEAD", "/dashboard/css/app.css")
        self.assertStatus(r, 200)
        self.assertEqual(r.body, b"")
        self.assertStatus(self.mg.request("POST", "/dashboard", {}), 405)


if __name__ == "__main__":
    mglib.main()
