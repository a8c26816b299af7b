/*
 * cmd_config.c - bay-config and cluster-config: fetch the CA, have a new
 * client key's CSR signed, write ca.pem, cert.pem, key.pem (0600) and, for
 * Kubernetes, a kubeconfig; print the shell exports for the COE.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cli/cli.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

static void
bio_freep(BIO **b)
{
	BIO_free(*b);
}

static void
pkey_freep(EVP_PKEY **k)
{
	EVP_PKEY_free(*k);
}

static void
req_freep(X509_REQ **r)
{
	X509_REQ_free(*r);
}

/* Secret strings: zeroed before they are freed. */
static void
secret_freep(char **s)
{
	if (*s) {
		OPENSSL_cleanse(*s, strlen(*s));
		free(*s);
	}
}

static char *
bio_text(BIO *b)
{
	char *data;
	long n = BIO_get_mem_data(b, &data);

	return n > 0 ? strndup(data, (size_t)n) : NULL;
}

/*
 * A new RSA-2048 key and a CSR for it (subject CN=cn, O=org when not NULL),
 * both PEM. Returns 0 or -EIO.
 */
static int
make_key_and_csr(const char *cn, const char *org, char **ret_key, char **ret_csr)
{
	_cleanup_(pkey_freep) EVP_PKEY *k = NULL;
	_cleanup_(req_freep) X509_REQ *req = NULL;
	_cleanup_(bio_freep) BIO *kb = NULL, *rb = NULL;
	X509_NAME *name;
	char *key, *csr;

	k = EVP_RSA_gen(2048);
	req = X509_REQ_new();
	kb = BIO_new(BIO_s_mem());
	rb = BIO_new(BIO_s_mem());
	if (k == NULL || req == NULL || kb == NULL || rb == NULL)
		return -EIO;
	name = X509_REQ_get_subject_name(req);
	if (org && !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
					       (const unsigned char *)org, -1, -1, 0))
		return -EIO;
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn,
					-1, -1, 0) ||
	    !X509_REQ_set_version(req, 0) || !X509_REQ_set_pubkey(req, k) ||
	    !X509_REQ_sign(req, k, EVP_sha256()))
		return -EIO;
	if (!PEM_write_bio_PrivateKey(kb, k, NULL, NULL, 0, NULL, NULL) ||
	    !PEM_write_bio_X509_REQ(rb, req))
		return -EIO;
	key = bio_text(kb);
	csr = bio_text(rb);
	if (key == NULL || csr == NULL) {
		secret_freep(&key);
		free(csr);
		return -ENOMEM;
	}
	*ret_key = key;
	*ret_csr = csr;
	return 0;
}

/* Write data to path with mode (also when it existed). 0 or -errno. */
static int
write_file(const char *path, const char *data, mode_t mode)
{
	_cleanup_close_ int fd = -1;
	size_t n = strlen(data), off = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0 || fchmod(fd, mode) < 0)
		return -errno;
	while (off < n) {
		ssize_t w = write(fd, data + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		off += (size_t)w;
	}
	return fsync(fd) < 0 ? -errno : 0;
}

static char *
kubeconfig(const char *name, const char *server, const char *dir, bool tls)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_printf(&sb, "apiVersion: v1\nclusters:\n- cluster:\n");
	if (tls)
		strbuf_printf(&sb, "    certificate-authority: %s/ca.pem\n", dir);
	strbuf_printf(&sb, "    server: %s\n  name: %s\n", server, name);
	strbuf_printf(&sb, "contexts:\n- context:\n    cluster: %s\n    user: admin\n"
			   "  name: default\ncurrent-context: default\nkind: Config\n"
			   "preferences: {}\nusers:\n- name: admin\n", name);
	if (tls)
		strbuf_printf(&sb, "  user:\n    client-certificate: %s/cert.pem\n"
				   "    client-key: %s/key.pem\n", dir, dir);
	else
		strbuf_printf(&sb, "  user: {}\n");
	strbuf_puts(&sb, "");
	return strbuf_steal(&sb);
}

/* Print "export K=V" (or csh's setenv). */
static void
print_export(const char *k, const char *v)
{
	const char *sh = getenv("SHELL");

	if (sh && strstr(sh, "csh"))
		printf("setenv %s %s\n", k, v);
	else
		printf("export %s=%s\n", k, v);
}

/* Fetch ca.pem and a signed cert.pem for a new key; write the three files. */
static int
write_certs(struct cli *c, const char *uuid, bool bay, const char *dir, bool k8s_admin)
{
	_cleanup_(secret_freep) char *key = NULL;
	_cleanup_free_ char *csr = NULL, *path = NULL, *f = NULL;
	_cleanup_json_ json_t *body = NULL;
	struct cli_response ca, cert;
	const char *ca_pem, *cert_pem;
	int r;

	/* Kubernetes maps O=system:masters to cluster-admin (the 4.x client's choice). */
	r = make_key_and_csr(k8s_admin ? "admin" : "Magnum User",
			     k8s_admin ? "system:masters" : NULL, &key, &csr);
	if (r < 0)
		return cli_fail("cannot generate a key and a CSR");
	if (asprintf(&path, "/v1/certificates/%s", uuid) < 0)
		return cli_fail("out of memory");
	if (cli_get(c, path, &ca))
		return CLI_EXIT_ERROR;
	body = json_pack("{s:s, s:s}", bay ? "bay_uuid" : "cluster_uuid", uuid, "csr", csr);
	if (body == NULL || cli_call(c, "POST", "/v1/certificates", body, &cert)) {
		cli_response_free(&ca);
		return CLI_EXIT_ERROR;
	}
	ca_pem = json_string_value(json_object_get(ca.body, "pem"));
	cert_pem = json_string_value(json_object_get(cert.body, "pem"));
	r = 0;
	if (ca_pem == NULL || cert_pem == NULL)
		r = cli_fail("the server's certificate answer has no pem");
	else if (asprintf(&f, "%s/key.pem", dir) < 0 || (r = write_file(f, key, 0600)) < 0)
		r = cli_fail("cannot write %s: %s", f ? f : "key.pem", strerror(-r));
	free(TAKE_PTR(f));
	if (r == 0 && (asprintf(&f, "%s/cert.pem", dir) < 0 ||
		       (r = write_file(f, cert_pem, 0644)) < 0))
		r = cli_fail("cannot write %s: %s", f ? f : "cert.pem", strerror(-r));
	free(TAKE_PTR(f));
	if (r == 0 && (asprintf(&f, "%s/ca.pem", dir) < 0 ||
		       (r = write_file(f, ca_pem, 0644)) < 0))
		r = cli_fail("cannot write %s: %s", f ? f : "ca.pem", strerror(-r));
	cli_response_free(&ca);
	cli_response_free(&cert);
	return r;
}

/* Refuse to overwrite any file we would write, before doing anything. */
static int
check_files(const char *dir, bool tls, bool k8s, bool force)
{
	static const char *const names[] = { "key.pem", "cert.pem", "ca.pem", "config" };

	if (force)
		return 0;
	for (size_t i = tls ? 0 : 3; i < ARRAY_SIZE(names); i++) {
		_cleanup_free_ char *f = NULL;

		if (i == 3 && !k8s)
			continue;
		if (asprintf(&f, "%s/%s", dir, names[i]) < 0)
			return cli_fail("out of memory");
		if (access(f, F_OK) == 0)
			return cli_fail("File %s exists, aborting.", f);
	}
	return 0;
}

static int
do_config(struct cli *c, int argc, char **argv, bool bay)
{
	static const struct cli_opt opts[] = {
		{ "--dir", CLI_OPT_VALUE, NULL, false, NULL },
		{ "--force", CLI_OPT_FLAG, NULL, false, NULL },
		{ NULL, 0, NULL, false, NULL },
	};
	_cleanup_free_ char *dir = NULL, *path = NULL, *tpath = NULL, *cfg = NULL, *tid = NULL;
	struct cli_response r, t;
	const char *status, *coe, *api, *name;
	struct cli_args a;
	struct stat st;
	bool tls, k8s;
	int rc;

	rc = cli_args_parse(c, opts, 1, 1, bay ? "<bay>" : "<cluster>", argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	dir = realpath(cli_arg(&a, "--dir") ? cli_arg(&a, "--dir") : ".", NULL);
	if (dir == NULL || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return cli_fail("%s is not a directory",
				cli_arg(&a, "--dir") ? cli_arg(&a, "--dir") : ".");

	{
		_cleanup_free_ char *e = cli_escape(a.pos[0]);

		if (e == NULL || asprintf(&path, "/v1/%s/%s", bay ? "bays" : "clusters", e) < 0)
			return cli_fail("out of memory");
	}
	if (cli_get(c, path, &r))
		return CLI_EXIT_ERROR;
	status = json_string_value(json_object_get(r.body, "status"));
	if (!streq_ptr(status, "CREATE_COMPLETE") && !streq_ptr(status, "UPDATE_COMPLETE")) {
		cli_fail("%s in status %s", bay ? "Bay" : "Cluster", status ? status : "None");
		cli_response_free(&r);
		return CLI_EXIT_ERROR;
	}
	tid = strdup(strempty(json_string_value(json_object_get(r.body, bay ? "baymodel_id" :
							"cluster_template_id"))));
	if (tid == NULL || asprintf(&tpath, "/v1/%s/%s", bay ? "baymodels" : "clustertemplates",
				    tid) < 0) {
		cli_response_free(&r);
		return cli_fail("out of memory");
	}
	if (cli_get(c, tpath, &t)) {
		cli_response_free(&r);
		return CLI_EXIT_ERROR;
	}
	coe = strempty(json_string_value(json_object_get(t.body, "coe")));
	tls = !json_is_true(json_object_get(t.body, "tls_disabled"));
	k8s = streq(coe, "kubernetes");
	api = strempty(json_string_value(json_object_get(r.body, "api_address")));
	name = strempty(json_string_value(json_object_get(r.body, "name")));

	rc = check_files(dir, tls, k8s, cli_arg_flag(&a, "--force"));
	if (rc == 0 && tls)
		rc = write_certs(c, json_string_value(json_object_get(r.body, "uuid")), bay, dir,
				 k8s && !bay);
	if (rc == 0 && k8s) {
		_cleanup_free_ char *f = NULL;
		int w;

		cfg = kubeconfig(name, api, dir, tls);
		if (cfg == NULL || asprintf(&f, "%s/config", dir) < 0)
			rc = cli_fail("out of memory");
		else if ((w = write_file(f, cfg, 0600)) < 0)
			rc = cli_fail("cannot write %s: %s", f, strerror(-w));
		else
			print_export("KUBECONFIG", f);
	} else if (rc == 0 && (streq(coe, "swarm") || streq(coe, "swarm-mode"))) {
		print_export("DOCKER_HOST", api);
		print_export("DOCKER_CERT_PATH", dir);
		print_export("DOCKER_TLS_VERIFY", tls ? "True" : "False");
	} else if (rc == 0 && streq(coe, "mesos")) {
		if (strstr(api, "://"))
			printf("Marathon URL: %s\n", api);
		else
			printf("Marathon URL: http://%s:8080\n", api);
	}
	cli_response_free(&t);
	cli_response_free(&r);
	return rc;
}

int
cmd_bay_config(struct cli *c, int argc, char **argv)
{
	return do_config(c, argc, argv, true);
}

int
cmd_cluster_config(struct cli *c, int argc, char **argv)
{
	return do_config(c, argc, argv, false);
}
