/* commands.c - python-magnumclient's commands over the v1 API. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cli/cli.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

/* Parsed arguments: options (--key value / flags) and positionals. */
struct args {
	json_t	*opt;		/* "key" -> string (flags: "true"); repeated --labels joined */
	char	*pos[32];
	int	npos;
};

static int
atoi_checked(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	return *end || v < 1 || v > 86400 ? 2 : (int)v;
}

static const char *const flags[] = {
	"tls-disabled", "public", "registry-enabled", "master-lb-enabled", "wait", "force",
	"hidden", "merge-labels", "floating-ip-enabled", "floating-ip-disabled", "long",
	"all-tenants", NULL,
};

static int
parse_args(int argc, char **argv, struct args *a)
{
	a->opt = json_object();
	a->npos = 0;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) == 0 && argv[i][2]) {
			char key[64], *eq;
			bool flag = false;

			snprintf(key, sizeof(key), "%s", argv[i] + 2);
			eq = strchr(key, '=');
			if (eq)
				*eq = '\0';
			for (size_t f = 0; flags[f]; f++)
				if (strcmp(flags[f], key) == 0)
					flag = true;
			if (flag) {
				json_object_set_new(a->opt, key, json_string("true"));
				continue;
			}
			const char *val = eq ? strchr(argv[i], '=') + 1 : (i + 1 < argc ? argv[++i] : NULL);
			if (val == NULL) {
				fprintf(stderr, "ERROR: option --%s needs a value\n", key);
				return -1;
			}
			const char *old = json_string_value(json_object_get(a->opt, key));
			if (old && strcmp(key, "labels") == 0) {
				char *joined = NULL;
				if (asprintf(&joined, "%s,%s", old, val) >= 0)
					json_object_set_new(a->opt, key, json_string(joined));
				free(joined);
			} else {
				json_object_set_new(a->opt, key, json_string(val));
			}
		} else if (a->npos < 32) {
			a->pos[a->npos++] = argv[i];
		}
	}
	return 0;
}

static const char *
opt(struct args *a, const char *k)
{
	return json_string_value(json_object_get(a->opt, k));
}

static const char *
opt2(struct args *a, const char *k1, const char *k2)
{
	return opt(a, k1) ? opt(a, k1) : opt(a, k2);
}

/* "k1=v1,k2=v2;k3=v3" -> object; NULL on a bad item (message printed). */
static json_t *
labels_obj(const char *s)
{
	json_t *o = json_object();
	_cleanup_free_ char *copy = strdup(s ? s : "");
	char *save = NULL;

	for (char *t = strtok_r(copy, ",;", &save); t; t = strtok_r(NULL, ",;", &save)) {
		char *eq = strchr(t, '=');
		if (eq == NULL) {
			fprintf(stderr, "ERROR: Arguments to --labels must be of the form "
					"KEY=VALUE: %s\n", t);
			json_decref(o);
			return NULL;
		}
		*eq = '\0';
		json_object_set_new(o, t, json_string(eq + 1));
	}
	return o;
}

static json_t *
intval(const char *s)
{
	char *end;
	long long v;

	if (s == NULL)
		return json_null();
	v = strtoll(s, &end, 10);
	return *end ? json_string(s) : json_integer(v);
}

static int
request(struct cli *c, const char *m, const char *path, json_t *body, struct cli_response *r)
{
	if (cli_request(c, m, path, body, r) < 0)
		return 1;
	if (r->status >= 400) {
		cli_print_error(r);
		cli_response_free(r);
		return 1;
	}
	return 0;
}

static int
show(struct cli *c, const char *path)
{
	struct cli_response r;

	if (request(c, "GET", path, NULL, &r))
		return 1;
	out_show(c, r.body, NULL);
	cli_response_free(&r);
	return 0;
}

static int
list(struct cli *c, const char *path, const char *key, const char *const *cols)
{
	struct cli_response r;

	if (request(c, "GET", path, NULL, &r))
		return 1;
	out_list(c, json_object_get(r.body, key), cols);
	cli_response_free(&r);
	return 0;
}

static void
list_path(struct args *a, const char *coll, char *out, size_t len)
{
	struct strbuf q = STRBUF_INIT;
	const char *keys[] = { "limit", "marker", "sort-key", "sort-dir" };
	const char *names[] = { "limit", "marker", "sort_key", "sort_dir" };

	for (size_t i = 0; i < 4; i++)
		if (opt(a, keys[i]))
			strbuf_printf(&q, "%s%s=%s", q.len ? "&" : "?", names[i], opt(a, keys[i]));
	snprintf(out, len, "/v1/%s%s", coll, q.buf ? q.buf : "");
	strbuf_free(&q);
}

static int
delete_many(struct cli *c, struct args *a, const char *coll, const char *what)
{
	int rc = 0;

	if (a->npos == 0) {
		fprintf(stderr, "usage: %s-delete <%s> [<%s> ...]\n", what, what, what);
		return 2;
	}
	for (int i = 0; i < a->npos; i++) {
		struct cli_response r;
		char path[512];

		snprintf(path, sizeof(path), "/v1/%s/%s", coll, a->pos[i]);
		if (cli_request(c, "DELETE", path, NULL, &r) < 0)
			return 1;
		if (r.status >= 400) {
			json_t *e = json_array_get(json_object_get(r.body, "errors"), 0);
			fprintf(stderr, "Delete for %s %s failed: %s (HTTP %ld)\n", what, a->pos[i],
				json_string_value(json_object_get(e, "detail")), r.status);
			rc = 1;
		} else {
			printf("Request to delete %s %s has been accepted.\n", what, a->pos[i]);
		}
		cli_response_free(&r);
	}
	return rc;
}

/* Build a JSON-Patch from "op path=value ..." like the python client. */
static json_t *
patch_ops(struct args *a)
{
	json_t *ops;
	const char *op;

	if (a->npos < 3)
		return NULL;
	op = a->pos[1];
	if (strcmp(op, "add") && strcmp(op, "replace") && strcmp(op, "remove"))
		return NULL;
	ops = json_array();
	for (int i = 2; i < a->npos; i++) {
		char path[256];
		char *eq = strchr(a->pos[i], '=');
		json_t *v = NULL;

		snprintf(path, sizeof(path), "/%.*s", eq ? (int)(eq - a->pos[i]) : 250, a->pos[i]);
		if (strcmp(op, "remove") == 0) {
			json_array_append_new(ops, json_pack("{s:s, s:s}", "op", op, "path", path));
			continue;
		}
		if (eq == NULL) {
			json_decref(ops);
			return NULL;
		}
		v = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
		if (v == NULL)
			v = json_string(eq + 1);
		if (strncmp(path, "/labels", 7) == 0 && strcmp(path, "/labels") == 0) {
			json_t *l = labels_obj(eq + 1);
			if (l) {
				char *py = out_value(l);
				json_decref(v);
				v = json_string(py);
				free(py);
				json_decref(l);
			}
		}
		json_array_append_new(ops, json_pack("{s:s, s:s, s:o}", "op", op, "path", path,
						     "value", v));
	}
	return ops;
}

static int
update(struct cli *c, struct args *a, const char *coll, bool async_msg, const char *what)
{
	_cleanup_json_ json_t *ops = patch_ops(a);
	struct cli_response r;
	char path[512];

	if (ops == NULL) {
		fprintf(stderr, "usage: %s-update <%s> <op> <path=value> [...]; op is add, replace "
				"or remove\n", what, what);
		return 2;
	}
	snprintf(path, sizeof(path), "/v1/%s/%s", coll, a->pos[0]);
	if (request(c, "PATCH", path, ops, &r))
		return 1;
	if (r.status == 202 || async_msg)
		printf("Request to update %s %s has been accepted.\n", what, a->pos[0]);
	else
		out_show(c, r.body, NULL);
	cli_response_free(&r);
	return 0;
}

static int
template_create(struct cli *c, int argc, char **argv, bool bay)
{
	struct args a;
	_cleanup_json_ json_t *body = NULL, *labels = NULL;
	struct cli_response r;
	const char *image, *keypair, *extnet, *coe;

	if (parse_args(argc, argv, &a) < 0)
		return 2;
	image = opt2(&a, "image-id", "image");
	keypair = opt2(&a, "keypair-id", "keypair");
	extnet = opt2(&a, "external-network-id", "external-network");
	coe = opt(&a, "coe");
	if (image == NULL || coe == NULL || (bay && (keypair == NULL || extnet == NULL))) {
		fprintf(stderr, "ERROR: the following arguments are required: --image-id, "
				"--keypair-id, --external-network-id, --coe\n");
		json_decref(a.opt);
		return 2;
	}
	labels = labels_obj(opt(&a, "labels"));
	if (labels == NULL)
		return 2;
	body = json_pack("{s:s?, s:s, s:s?, s:s?, s:s, s:s?, s:s?, s:s?, s:s?, s:s, s:s, s:s?, "
			 "s:o, s:s?, s:s?, s:s?, s:s?, s:O, s:b, s:b, s:b, s:s, s:b}",
			 "name", opt(&a, "name") ? opt(&a, "name") : (a.npos ? a.pos[0] : NULL),
			 "image_id", image, "keypair_id", keypair, "external_network_id", extnet,
			 "coe", coe, "fixed_network", opt(&a, "fixed-network"), "fixed_subnet",
			 opt(&a, "fixed-subnet"), "network_driver", opt(&a, "network-driver"),
			 "volume_driver", opt(&a, "volume-driver"), "dns_nameserver",
			 opt(&a, "dns-nameserver") ? opt(&a, "dns-nameserver") : "8.8.8.8",
			 "flavor_id", opt2(&a, "flavor-id", "flavor") ? opt2(&a, "flavor-id", "flavor") :
									 "m1.medium",
			 "master_flavor_id", opt2(&a, "master-flavor-id", "master-flavor"),
			 "docker_volume_size", intval(opt(&a, "docker-volume-size")),
			 "docker_storage_driver", opt(&a, "docker-storage-driver"), "http_proxy",
			 opt(&a, "http-proxy"), "https_proxy", opt(&a, "https-proxy"), "no_proxy",
			 opt(&a, "no-proxy"), "labels", labels, "tls_disabled",
			 opt(&a, "tls-disabled") != NULL, "public", opt(&a, "public") != NULL,
			 "registry_enabled", opt(&a, "registry-enabled") != NULL, "server_type",
			 opt(&a, "server-type") ? opt(&a, "server-type") : "vm",
			 "master_lb_enabled", opt(&a, "master-lb-enabled") != NULL);
	json_decref(a.opt);
	if (body == NULL) {
		fprintf(stderr, "ERROR: invalid arguments\n");
		return 2;
	}
	if (request(c, "POST", bay ? "/v1/baymodels" : "/v1/clustertemplates", body, &r))
		return 1;
	out_show(c, r.body, NULL);
	cli_response_free(&r);
	return 0;
}

static int
wait_for(struct cli *c, const char *coll, const char *uuid, int interval, int limit)
{
	char path[512], last[64] = "";
	size_t seen = 0;

	for (int waited = 0; limit <= 0 || waited < limit; waited += interval) {
		struct cli_response r, ev;
		const char *status;
		json_t *e;
		size_t i;

		snprintf(path, sizeof(path), "/v1/%s/%s/events", coll, uuid);
		if (cli_request(c, "GET", path, NULL, &ev) == 0) {
			json_array_foreach(json_object_get(ev.body, "events"), i, e) {
				if (i < seen)
					continue;
				printf("%s  %3lld%%  %-20s %s\n",
				       json_string_value(json_object_get(e, "created_at")),
				       (long long)json_integer_value(json_object_get(e, "progress")),
				       json_string_value(json_object_get(e, "step")),
				       json_string_value(json_object_get(e, "message")));
				seen = i + 1;
			}
			cli_response_free(&ev);
		}
		snprintf(path, sizeof(path), "/v1/%s/%s", coll, uuid);
		if (request(c, "GET", path, NULL, &r))
			return 1;
		status = json_string_value(json_object_get(r.body, "status"));
		if (status && strcmp(status, last) != 0) {
			printf("status: %s\n", status);
			snprintf(last, sizeof(last), "%s", status);
		}
		fflush(stdout);
		if (status && strstr(status, "_COMPLETE")) {
			cli_response_free(&r);
			return 0;
		}
		if (status && strstr(status, "_FAILED")) {
			fprintf(stderr, "ERROR: %s: %s\n", status,
				json_string_value(json_object_get(r.body, "status_reason")));
			cli_response_free(&r);
			return 1;
		}
		cli_response_free(&r);
		sleep((unsigned)interval);
	}
	fprintf(stderr, "ERROR: gave up waiting after %d s (status %s)\n", limit, last);
	return 1;
}

static int
cluster_create(struct cli *c, int argc, char **argv, bool bay)
{
	struct args a;
	_cleanup_json_ json_t *body = NULL;
	struct cli_response r;
	const char *tmpl, *uuid;
	int rc = 0;

	if (parse_args(argc, argv, &a) < 0)
		return 2;
	tmpl = bay ? opt(&a, "baymodel") : opt(&a, "cluster-template");
	if (tmpl == NULL) {
		fprintf(stderr, "ERROR: the following arguments are required: %s\n",
			bay ? "--baymodel" : "--cluster-template");
		json_decref(a.opt);
		return 2;
	}
	body = json_pack("{s:s?, s:s, s:o, s:o, s:s?, s:o}", "name",
			 opt(&a, "name") ? opt(&a, "name") : (a.npos ? a.pos[0] : NULL),
			 bay ? "baymodel_id" : "cluster_template_id", tmpl, "node_count",
			 intval(opt(&a, "node-count") ? opt(&a, "node-count") : "1"), "master_count",
			 intval(opt(&a, "master-count") ? opt(&a, "master-count") : "1"),
			 "discovery_url", opt(&a, "discovery-url"),
			 bay ? "bay_create_timeout" : "create_timeout",
			 intval(opt(&a, "timeout") ? opt(&a, "timeout") : "60"));
	if (!bay) {
		if (opt(&a, "keypair"))
			json_object_set_new(body, "keypair", json_string(opt(&a, "keypair")));
		if (opt(&a, "labels"))
			json_object_set_new(body, "labels", labels_obj(opt(&a, "labels")));
		if (opt(&a, "merge-labels"))
			json_object_set_new(body, "merge_labels", json_true());
		if (opt(&a, "flavor"))
			json_object_set_new(body, "flavor_id", json_string(opt(&a, "flavor")));
		if (opt(&a, "master-flavor"))
			json_object_set_new(body, "master_flavor_id",
					    json_string(opt(&a, "master-flavor")));
		if (opt(&a, "docker-volume-size"))
			json_object_set_new(body, "docker_volume_size",
					    intval(opt(&a, "docker-volume-size")));
	}
	if (request(c, "POST", bay ? "/v1/bays" : "/v1/clusters", body, &r)) {
		json_decref(a.opt);
		return 1;
	}
	uuid = json_string_value(json_object_get(r.body, "uuid"));
	if (r.status == 202 || c->json == false)
		printf("Request to create %s %s has been accepted.\n", bay ? "bay" : "cluster",
		       uuid);
	if (opt(&a, "wait"))
		rc = wait_for(c, bay ? "bays" : "clusters", uuid,
			      opt(&a, "poll-interval") ? atoi_checked(opt(&a, "poll-interval")) : 2,
			      opt(&a, "wait-timeout") ? atoi_checked(opt(&a, "wait-timeout")) : 3600);
	cli_response_free(&r);
	json_decref(a.opt);
	return rc;
}

static int
cert_ident(struct args *a, const char **ret)
{
	*ret = opt2(a, "bay", "cluster");
	if (*ret == NULL && a->npos)
		*ret = a->pos[0];
	return *ret ? 0 : -1;
}

static int
cmd_ca_show(struct cli *c, int argc, char **argv)
{
	struct args a;
	struct cli_response r;
	const char *b;
	char path[512];

	if (parse_args(argc, argv, &a) < 0 || cert_ident(&a, &b) < 0) {
		fprintf(stderr, "usage: ca-show --bay <bay>\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/v1/certificates/%s", b);
	json_decref(a.opt);
	if (request(c, "GET", path, NULL, &r))
		return 1;
	printf("%s\n", json_string_value(json_object_get(r.body, "pem")));
	cli_response_free(&r);
	return 0;
}

static char *
read_file(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_append(&sb, buf, n);
	fclose(f);
	return strbuf_steal(&sb);
}

static int
cmd_ca_sign(struct cli *c, int argc, char **argv)
{
	struct args a;
	_cleanup_free_ char *csr = NULL;
	_cleanup_json_ json_t *body = NULL;
	struct cli_response r;
	const char *b;

	if (parse_args(argc, argv, &a) < 0 || cert_ident(&a, &b) < 0) {
		fprintf(stderr, "usage: ca-sign --bay <bay> --csr <file>\n");
		return 2;
	}
	if (opt(&a, "csr") == NULL || (csr = read_file(opt(&a, "csr"))) == NULL) {
		fprintf(stderr, "A CSR must be provided.\n");
		json_decref(a.opt);
		return 1;
	}
	body = json_pack("{s:s, s:s}", opt(&a, "cluster") ? "cluster_uuid" : "bay_uuid", b, "csr",
			 csr);
	json_decref(a.opt);
	if (request(c, "POST", "/v1/certificates", body, &r))
		return 1;
	printf("%s\n", json_string_value(json_object_get(r.body, "pem")));
	cli_response_free(&r);
	return 0;
}

/* A new RSA-2048 key and a CSR for CN "Magnum User"; PEM strings. */
static int
make_csr(char **ret_key, char **ret_csr)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	X509_REQ *req = X509_REQ_new();
	BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
	X509_NAME *n;
	char *p;
	long len;
	int rc = -1;

	if (!k || !req || !kb || !cb)
		goto out;
	n = X509_REQ_get_subject_name(req);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"Magnum User",
				   -1, -1, 0);
	if (X509_REQ_set_pubkey(req, k) != 1 || X509_REQ_sign(req, k, EVP_sha256()) <= 0 ||
	    PEM_write_bio_PrivateKey(kb, k, NULL, NULL, 0, NULL, NULL) != 1 ||
	    PEM_write_bio_X509_REQ(cb, req) != 1)
		goto out;
	len = BIO_get_mem_data(kb, &p);
	*ret_key = strndup(p, (size_t)len);
	len = BIO_get_mem_data(cb, &p);
	*ret_csr = strndup(p, (size_t)len);
	rc = 0;
out:
	EVP_PKEY_free(k);
	X509_REQ_free(req);
	BIO_free_all(kb);
	BIO_free_all(cb);
	return rc;
}

static int
write_new(const char *dir, const char *name, const char *data, mode_t mode, bool force)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), mode);
	if (fd < 0) {
		fprintf(stderr, "ERROR: cannot write %s: %s%s\n", path, strerror(errno),
			errno == EEXIST ? " (use --force to overwrite)" : "");
		return -1;
	}
	if (write(fd, data, strlen(data)) != (ssize_t)strlen(data)) {
		close(fd);
		return -1;
	}
	fchmod(fd, mode);
	close(fd);
	return 0;
}

static int
cmd_config(struct cli *c, int argc, char **argv, bool bay)
{
	struct args a;
	struct cli_response r, t, ca, cert;
	_cleanup_free_ char *key = NULL, *csr = NULL;
	_cleanup_json_ json_t *body = NULL;
	const char *status, *coe, *dir, *tid;
	char path[512], cwd[4096];
	bool tls;
	int rc = 1;

	if (parse_args(argc, argv, &a) < 0 || a.npos < 1) {
		fprintf(stderr, "usage: %s-config <%s> [--dir D] [--force]\n", bay ? "bay" : "cluster",
			bay ? "bay" : "cluster");
		return 2;
	}
	dir = opt(&a, "dir") ? opt(&a, "dir") : getcwd(cwd, sizeof(cwd));
	snprintf(path, sizeof(path), "/v1/%s/%s", bay ? "bays" : "clusters", a.pos[0]);
	if (request(c, "GET", path, NULL, &r))
		goto out_args;
	status = json_string_value(json_object_get(r.body, "status"));
	if (status == NULL || (strcmp(status, "CREATE_COMPLETE") && strcmp(status, "UPDATE_COMPLETE"))) {
		fprintf(stderr, "ERROR: %s in status %s\n", bay ? "Bay" : "Cluster",
			status ? status : "unknown");
		goto out_r;
	}
	tid = json_string_value(json_object_get(r.body, bay ? "baymodel_id" : "cluster_template_id"));
	snprintf(path, sizeof(path), "/v1/%s/%s", bay ? "baymodels" : "clustertemplates", tid);
	if (request(c, "GET", path, NULL, &t))
		goto out_r;
	coe = json_string_value(json_object_get(t.body, "coe"));
	tls = !json_is_true(json_object_get(t.body, "tls_disabled"));
	if (tls) {
		if (make_csr(&key, &csr) < 0) {
			fprintf(stderr, "ERROR: cannot generate a key\n");
			goto out_t;
		}
		snprintf(path, sizeof(path), "/v1/certificates/%s",
			 json_string_value(json_object_get(r.body, "uuid")));
		if (request(c, "GET", path, NULL, &ca))
			goto out_t;
		body = json_pack("{s:O, s:s}", bay ? "bay_uuid" : "cluster_uuid",
				 json_object_get(r.body, "uuid"), "csr", csr);
		if (request(c, "POST", "/v1/certificates", body, &cert)) {
			cli_response_free(&ca);
			goto out_t;
		}
		mkdir(dir, 0700);
		if (write_new(dir, "ca.pem", json_string_value(json_object_get(ca.body, "pem")), 0644,
			      opt(&a, "force")) < 0 ||
		    write_new(dir, "cert.pem", json_string_value(json_object_get(cert.body, "pem")),
			      0644, opt(&a, "force")) < 0 ||
		    write_new(dir, "key.pem", key, 0600, opt(&a, "force")) < 0) {
			cli_response_free(&ca);
			cli_response_free(&cert);
			goto out_t;
		}
		cli_response_free(&ca);
		cli_response_free(&cert);
	}
	if (coe && strcmp(coe, "swarm") == 0) {
		printf("export DOCKER_HOST=%s\n", strempty(json_string_value(json_object_get(
						      r.body, "api_address"))));
		printf("export DOCKER_CERT_PATH=%s\n", dir);
		printf("export DOCKER_TLS_VERIFY=%s\n", tls ? "True" : "False");
	} else if (coe && strcmp(coe, "mesos") == 0) {
		printf("Marathon: http://%s:8080\n", strempty(json_string_value(json_object_get(
								r.body, "api_address"))));
	} else {
		printf("export KUBECONFIG=%s/config\n", dir);
	}
	rc = 0;
out_t:
	cli_response_free(&t);
out_r:
	cli_response_free(&r);
out_args:
	json_decref(a.opt);
	return rc;
}

/* --- the command table --- */

#define SIMPLE(fn, body)							\
	static int fn(struct cli *c, int argc, char **argv)			\
	{									\
		struct args a;							\
		int rc;								\
		char path[1024];						\
		if (parse_args(argc, argv, &a) < 0)				\
			return 2;						\
		(void)path;							\
		body								\
		json_decref(a.opt);						\
		return rc;							\
	}

#define NEED1(u) if (a.npos < 1) { fprintf(stderr, "usage: %s\n", u); json_decref(a.opt); return 2; }

static const char *const bm_cols[] = { "uuid", "name", NULL };
static const char *const bay_cols[] = { "uuid", "name", "node_count", "master_count", "status",
					NULL };
static const char *const cl_cols[] = { "uuid", "name", "keypair", "node_count", "master_count",
				       "status", "health_status", NULL };
static const char *const svc_cols[] = { "id", "host", "binary", "state", "disabled",
					"disabled_reason", "created_at", "updated_at", NULL };
static const char *const ng_cols[] = { "uuid", "name", "flavor_id", "image_id", "node_count",
				       "status", "role", NULL };
static const char *const q_cols[] = { "project_id", "resource", "hard_limit", NULL };

SIMPLE(cmd_baymodel_list, { list_path(&a, "baymodels", path, sizeof(path));
	rc = list(c, path, "baymodels", bm_cols); })
SIMPLE(cmd_baymodel_show, { NEED1("baymodel-show <baymodel>")
	snprintf(path, sizeof(path), "/v1/baymodels/%s", a.pos[0]); rc = show(c, path); })
SIMPLE(cmd_baymodel_delete, { rc = delete_many(c, &a, "baymodels", "baymodel"); })
SIMPLE(cmd_baymodel_update, { NEED1("baymodel-update <baymodel> <op> <path=value>")
	rc = update(c, &a, "baymodels", false, "baymodel"); })
SIMPLE(cmd_bay_list, { list_path(&a, "bays", path, sizeof(path));
	rc = list(c, path, "bays", bay_cols); })
SIMPLE(cmd_bay_show, { NEED1("bay-show <bay>")
	snprintf(path, sizeof(path), "/v1/bays/%s", a.pos[0]); rc = show(c, path); })
SIMPLE(cmd_bay_delete, { rc = delete_many(c, &a, "bays", "bay"); })
SIMPLE(cmd_bay_update, { NEED1("bay-update <bay> <op> <path=value>")
	rc = update(c, &a, "bays", false, "bay"); })
SIMPLE(cmd_ct_list, { list_path(&a, "clustertemplates", path, sizeof(path));
	rc = list(c, path, "clustertemplates", bm_cols); })
SIMPLE(cmd_ct_show, { NEED1("cluster-template-show <cluster_template>")
	snprintf(path, sizeof(path), "/v1/clustertemplates/%s", a.pos[0]); rc = show(c, path); })
SIMPLE(cmd_ct_delete, { rc = delete_many(c, &a, "clustertemplates", "cluster template"); })
SIMPLE(cmd_ct_update, { NEED1("cluster-template-update <cluster_template> <op> <path=value>")
	rc = update(c, &a, "clustertemplates", false, "cluster template"); })
SIMPLE(cmd_cl_list, { list_path(&a, "clusters", path, sizeof(path));
	rc = list(c, path, "clusters", cl_cols); })
SIMPLE(cmd_cl_show, { NEED1("cluster-show <cluster>")
	snprintf(path, sizeof(path), "/v1/clusters/%s", a.pos[0]); rc = show(c, path); })
SIMPLE(cmd_cl_delete, { rc = delete_many(c, &a, "clusters", "cluster"); })
SIMPLE(cmd_cl_update, { NEED1("cluster-update <cluster> <op> <path=value>")
	rc = update(c, &a, "clusters", true, "cluster"); })
SIMPLE(cmd_service_list, { rc = list(c, "/v1/mservices", "mservices", svc_cols); })
SIMPLE(cmd_stats_list, {
	snprintf(path, sizeof(path), "/v1/stats%s%s", a.npos ? "?project_id=" : "",
		 a.npos ? a.pos[0] : "");
	rc = show(c, path); })
SIMPLE(cmd_ng_list, { NEED1("nodegroup-list <cluster>")
	snprintf(path, sizeof(path), "/v1/clusters/%s/nodegroups", a.pos[0]);
	rc = list(c, path, "nodegroups", ng_cols); })
SIMPLE(cmd_ng_show, { if (a.npos < 2) { fprintf(stderr, "usage: nodegroup-show <cluster> "
	"<nodegroup>\n"); json_decref(a.opt); return 2; }
	snprintf(path, sizeof(path), "/v1/clusters/%s/nodegroups/%s", a.pos[0], a.pos[1]);
	rc = show(c, path); })
SIMPLE(cmd_quotas_list, {
	snprintf(path, sizeof(path), "/v1/quotas%s", opt(&a, "all-tenants") ?
		 "?all_tenants=True" : "");
	rc = list(c, path, "quotas", q_cols); })
SIMPLE(cmd_quotas_show, {
	snprintf(path, sizeof(path), "/v1/quotas/%s/%s", strempty(opt(&a, "project-id")),
		 opt(&a, "resource") ? opt(&a, "resource") : "Cluster");
	rc = show(c, path); })
SIMPLE(cmd_quotas_delete, {
	struct cli_response r;
	snprintf(path, sizeof(path), "/v1/quotas/%s/%s", strempty(opt(&a, "project-id")),
		 opt(&a, "resource") ? opt(&a, "resource") : "Cluster");
	rc = request(c, "DELETE", path, NULL, &r);
	if (rc == 0) {
		printf("Request to delete quota for project %s has been accepted.\n",
		       opt(&a, "project-id"));
		cli_response_free(&r);
	} })

static int
quota_write(struct cli *c, int argc, char **argv, bool create)
{
	struct args a;
	_cleanup_json_ json_t *body = NULL;
	struct cli_response r;
	char path[512];
	int rc;

	if (parse_args(argc, argv, &a) < 0)
		return 2;
	if (opt(&a, "project-id") == NULL) {
		fprintf(stderr, "ERROR: the following arguments are required: --project-id\n");
		json_decref(a.opt);
		return 2;
	}
	body = json_pack("{s:s, s:s, s:o}", "project_id", opt(&a, "project-id"), "resource",
			 opt(&a, "resource") ? opt(&a, "resource") : "Cluster", "hard_limit",
			 intval(opt(&a, "hard-limit") ? opt(&a, "hard-limit") : "1"));
	snprintf(path, sizeof(path), "/v1/quotas%s%s%s%s", create ? "" : "/",
		 create ? "" : opt(&a, "project-id"), create ? "" : "/",
		 create ? "" : json_string_value(json_object_get(body, "resource")));
	json_decref(a.opt);
	rc = request(c, create ? "POST" : "PATCH", path, body, &r);
	if (rc == 0) {
		out_show(c, r.body, NULL);
		cli_response_free(&r);
	}
	return rc;
}

/* cluster-resize <cluster> <node_count> [--nodegroup NG] [--nodes-to-remove ID ...] */
static int
cmd_cl_resize(struct cli *c, int argc, char **argv)
{
	struct args a;
	_cleanup_json_ json_t *body = NULL;
	struct cli_response r;
	char path[512];

	if (parse_args(argc, argv, &a) < 0 || a.npos != 2) {
		fprintf(stderr, "usage: cluster-resize <cluster> <node_count> [--nodegroup NG] "
				"[--nodes-to-remove ID]\n");
		return 2;
	}
	body = json_pack("{s:o}", "node_count", intval(a.pos[1]));
	if (opt(&a, "nodegroup"))
		json_object_set_new(body, "nodegroup", json_string(opt(&a, "nodegroup")));
	if (opt(&a, "nodes-to-remove"))
		json_object_set_new(body, "nodes_to_remove",
				    json_pack("[s]", opt(&a, "nodes-to-remove")));
	snprintf(path, sizeof(path), "/v1/clusters/%s/actions/resize", a.pos[0]);
	if (request(c, "POST", path, body, &r)) {
		json_decref(a.opt);
		return 1;
	}
	printf("Request to resize cluster %s has been accepted.\n", a.pos[0]);
	cli_response_free(&r);
	json_decref(a.opt);
	return 0;
}

/* cluster-upgrade <cluster> <cluster_template> [--max-batch-size 1] [--nodegroup NG] */
static int
cmd_cl_upgrade(struct cli *c, int argc, char **argv)
{
	struct args a;
	_cleanup_json_ json_t *body = NULL;
	struct cli_response r;
	char path[512];

	if (parse_args(argc, argv, &a) < 0 || a.npos != 2) {
		fprintf(stderr, "usage: cluster-upgrade <cluster> <cluster_template> "
				"[--max-batch-size N] [--nodegroup NG]\n");
		return 2;
	}
	body = json_pack("{s:s, s:o}", "cluster_template", a.pos[1], "max_batch_size",
			 intval(opt(&a, "max-batch-size") ? opt(&a, "max-batch-size") : "1"));
	if (opt(&a, "nodegroup"))
		json_object_set_new(body, "nodegroup", json_string(opt(&a, "nodegroup")));
	snprintf(path, sizeof(path), "/v1/clusters/%s/actions/upgrade", a.pos[0]);
	if (request(c, "POST", path, body, &r)) {
		json_decref(a.opt);
		return 1;
	}
	printf("Request to upgrade cluster %s has been accepted.\n", a.pos[0]);
	cli_response_free(&r);
	json_decref(a.opt);
	return 0;
}

/* nodegroup-create <cluster> <name> [--node-count 1] [--min-nodes 0] [--max-nodes N] [--role R] */
static int
cmd_ng_create(struct cli *c, int argc, char **argv)
{
	struct args a;
	_cleanup_json_ json_t *body = NULL;
	struct cli_response r;
	char path[512];

	if (parse_args(argc, argv, &a) < 0 || a.npos != 2) {
		fprintf(stderr, "usage: nodegroup-create <cluster> <name> [--node-count N] "
				"[--min-nodes N] [--max-nodes N] [--role R] [--flavor F] [--image I]\n");
		return 2;
	}
	body = json_pack("{s:s, s:o, s:o, s:o, s:s}", "name", a.pos[1], "node_count",
			 intval(opt(&a, "node-count") ? opt(&a, "node-count") : "1"),
			 "min_node_count", intval(opt(&a, "min-nodes") ? opt(&a, "min-nodes") : "0"),
			 "max_node_count", intval(opt(&a, "max-nodes")), "role",
			 opt(&a, "role") ? opt(&a, "role") : "worker");
	if (opt(&a, "flavor"))
		json_object_set_new(body, "flavor_id", json_string(opt(&a, "flavor")));
	if (opt(&a, "image"))
		json_object_set_new(body, "image_id", json_string(opt(&a, "image")));
	if (opt(&a, "labels"))
		json_object_set_new(body, "labels", labels_obj(opt(&a, "labels")));
	snprintf(path, sizeof(path), "/v1/clusters/%s/nodegroups", a.pos[0]);
	if (request(c, "POST", path, body, &r)) {
		json_decref(a.opt);
		return 1;
	}
	printf("Request to create nodegroup %s has been accepted.\n",
	       json_string_value(json_object_get(r.body, "uuid")));
	cli_response_free(&r);
	json_decref(a.opt);
	return 0;
}

static int
cmd_ng_update(struct cli *c, int argc, char **argv)
{
	struct args a;
	_cleanup_json_ json_t *ops = NULL;
	struct cli_response r;
	char path[512];

	/* nodegroup-update <cluster> <nodegroup> <op> <path=value> ...: shift one positional. */
	if (parse_args(argc, argv, &a) < 0 || a.npos < 4) {
		fprintf(stderr, "usage: nodegroup-update <cluster> <nodegroup> <op> <path=value>\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/v1/clusters/%s/nodegroups/%s", a.pos[0], a.pos[1]);
	memmove(&a.pos[0], &a.pos[1], (size_t)(a.npos - 1) * sizeof(a.pos[0]));
	a.npos--;
	ops = patch_ops(&a);
	json_decref(a.opt);
	if (ops == NULL) {
		fprintf(stderr, "usage: nodegroup-update <cluster> <nodegroup> <op> <path=value>\n");
		return 2;
	}
	if (request(c, "PATCH", path, ops, &r))
		return 1;
	printf("Request to update nodegroup %s has been accepted.\n", a.pos[0]);
	cli_response_free(&r);
	return 0;
}

static int
cmd_ng_delete(struct cli *c, int argc, char **argv)
{
	struct args a;
	char coll[300];
	int rc;

	if (parse_args(argc, argv, &a) < 0 || a.npos < 2) {
		fprintf(stderr, "usage: nodegroup-delete <cluster> <nodegroup> ...\n");
		return 2;
	}
	snprintf(coll, sizeof(coll), "clusters/%s/nodegroups", a.pos[0]);
	memmove(&a.pos[0], &a.pos[1], (size_t)(a.npos - 1) * sizeof(a.pos[0]));
	a.npos--;
	rc = delete_many(c, &a, coll, "nodegroup");
	json_decref(a.opt);
	return rc;
}

static int
cmd_ca_rotate(struct cli *c, int argc, char **argv)
{
	struct args a;
	struct cli_response r;
	const char *b;
	char path[512];

	if (parse_args(argc, argv, &a) < 0 || cert_ident(&a, &b) < 0) {
		fprintf(stderr, "usage: ca-rotate --cluster <cluster>\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/v1/certificates/%s", b);
	json_decref(a.opt);
	if (request(c, "PATCH", path, NULL, &r))
		return 1;
	printf("Request to rotate the CA certificate for cluster %s has been accepted.\n", b);
	cli_response_free(&r);
	return 0;
}

static int cmd_bm_create(struct cli *c, int n, char **v) { return template_create(c, n, v, true); }
static int cmd_ct_create(struct cli *c, int n, char **v) { return template_create(c, n, v, false); }
static int cmd_bay_create(struct cli *c, int n, char **v) { return cluster_create(c, n, v, true); }
static int cmd_cl_create(struct cli *c, int n, char **v) { return cluster_create(c, n, v, false); }
static int cmd_bay_config(struct cli *c, int n, char **v) { return cmd_config(c, n, v, true); }
static int cmd_cl_config(struct cli *c, int n, char **v) { return cmd_config(c, n, v, false); }
static int cmd_quotas_create(struct cli *c, int n, char **v) { return quota_write(c, n, v, true); }
static int cmd_quotas_update(struct cli *c, int n, char **v) { return quota_write(c, n, v, false); }

const struct cli_cmd cli_cmds[] = {
	{ "baymodel-create", cmd_bm_create, "--image-id I --keypair-id K --external-network-id N --coe C [--name N] [...]" },
	{ "baymodel-list", cmd_baymodel_list, "[--limit N] [--sort-key K] [--sort-dir asc|desc]" },
	{ "baymodel-show", cmd_baymodel_show, "<baymodel>" },
	{ "baymodel-update", cmd_baymodel_update, "<baymodel> <op> <path=value> ..." },
	{ "baymodel-delete", cmd_baymodel_delete, "<baymodel> ..." },
	{ "bay-create", cmd_bay_create, "--baymodel M [--name N] [--node-count 1] [--master-count 1] [--timeout 60] [--wait]" },
	{ "bay-list", cmd_bay_list, "[--limit N] [--marker M] [--sort-key K] [--sort-dir D]" },
	{ "bay-show", cmd_bay_show, "<bay>" },
	{ "bay-update", cmd_bay_update, "<bay> <op> <path=value> ..." },
	{ "bay-delete", cmd_bay_delete, "<bay> ..." },
	{ "bay-config", cmd_bay_config, "<bay> [--dir D] [--force]" },
	{ "ca-show", cmd_ca_show, "--bay <bay>" },
	{ "ca-sign", cmd_ca_sign, "--bay <bay> --csr <file>" },
	{ "service-list", cmd_service_list, "" },
	{ "cluster-template-create", cmd_ct_create, "[--name N] --image I --coe C [--keypair K] [--external-network N] [...]" },
	{ "cluster-template-list", cmd_ct_list, "[--limit N] [--sort-key K] [--sort-dir D]" },
	{ "cluster-template-show", cmd_ct_show, "<cluster_template>" },
	{ "cluster-template-update", cmd_ct_update, "<cluster_template> <op> <path=value> ..." },
	{ "cluster-template-delete", cmd_ct_delete, "<cluster_template> ..." },
	{ "cluster-create", cmd_cl_create, "[--name N] --cluster-template T [--node-count 1] [--master-count 1] [--wait]" },
	{ "cluster-list", cmd_cl_list, "[--limit N] [--sort-key K] [--sort-dir D]" },
	{ "cluster-show", cmd_cl_show, "<cluster>" },
	{ "cluster-update", cmd_cl_update, "<cluster> <op> <path=value> ..." },
	{ "cluster-delete", cmd_cl_delete, "<cluster> ..." },
	{ "cluster-config", cmd_cl_config, "<cluster> [--dir D] [--force]" },
	{ "cluster-resize", cmd_cl_resize, "<cluster> <node_count> [--nodegroup NG]" },
	{ "cluster-upgrade", cmd_cl_upgrade, "<cluster> <cluster_template> [--max-batch-size 1]" },
	{ "ca-rotate", cmd_ca_rotate, "--cluster <cluster>" },
	{ "nodegroup-create", cmd_ng_create, "<cluster> <name> [--node-count 1] [--min-nodes 0] [--max-nodes N]" },
	{ "nodegroup-update", cmd_ng_update, "<cluster> <nodegroup> <op> <path=value> ..." },
	{ "nodegroup-delete", cmd_ng_delete, "<cluster> <nodegroup> ..." },
	{ "nodegroup-list", cmd_ng_list, "<cluster>" },
	{ "nodegroup-show", cmd_ng_show, "<cluster> <nodegroup>" },
	{ "quotas-create", cmd_quotas_create, "--project-id P [--resource Cluster] [--hard-limit 1]" },
	{ "quotas-update", cmd_quotas_update, "--project-id P [--resource Cluster] --hard-limit N" },
	{ "quotas-list", cmd_quotas_list, "[--all-tenants]" },
	{ "quotas-show", cmd_quotas_show, "--project-id P [--resource Cluster]" },
	{ "quotas-delete", cmd_quotas_delete, "--project-id P [--resource Cluster]" },
	{ "stats-list", cmd_stats_list, "[project_id]" },
	{ NULL, NULL, NULL },
};
