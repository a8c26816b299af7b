/*
 * pki.c - the bay PKI: CAs, conductor, node and client certificates, stored
 * by the cert manager, inventoried in x509keypairs. See pki.h.
 *
 * Cert managers: "x509keypair" keeps the private key in the row, encrypted
 * with AES-256-GCM under state_path/master.key (0600); "local" keeps it in
 * storage_path/<uuid>.key (0600) and the certificate in <uuid>.crt. In both,
 * the row holds the certificate (public) for the inventory and GET.
 * "barbican" keeps the key and the certificate as two Barbican secrets in a
 * "certificate" container (as Magnum does); the row's private_key column
 * holds "barbican:<container ref>". Barbican deletion errors are ignored
 * (Magnum only logs them): a row is never kept for a secret that is gone.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/conf.h"
#include "common/util.h"
#include "db/table.h"
#include "x509/barbican.h"
#include "x509/pki.h"
#include "x509/x509.h"

enum manager { MGR_NONE, MGR_X509KEYPAIR, MGR_LOCAL, MGR_BARBICAN };

#define BARBICAN_PREFIX	"barbican:"

static enum manager mgr;
static unsigned char master_key[X509_MASTER_KEY_LEN];
static char storage_dir[4096];
static struct x509_params params;
static struct x509_sign_policy policy;
static char **allowed_exts;
static barbican_token_fn token_source;

static char * __attribute__((format(printf, 1, 2)))
err_dup(const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

static void
strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Split a comma list into a NULL-terminated vector of trimmed names. */
static int
split_list(const char *list, char ***ret)
{
	_cleanup_free_ char *copy = strdup(list ? list : "");
	char **v = NULL, *p, *save = NULL;
	size_t n = 0;

	if (copy == NULL)
		return -ENOMEM;
	for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		char **nv;
		size_t len;

		while (*p == ' ' || *p == '\t')
			p++;
		len = strlen(p);
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			p[--len] = '\0';
		if (len == 0)
			continue;
		nv = realloc(v, (n + 2) * sizeof(*v));
		if (nv == NULL)
			goto oom;
		v = nv;
		v[n] = strdup(p);
		if (v[n] == NULL)
			goto oom;
		v[++n] = NULL;
	}
	if (v == NULL) {
		v = calloc(1, sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
	}
	*ret = v;
	return 0;
oom:
	strv_free(v);
	return -ENOMEM;
}

void
pki_set_token_source(barbican_token_fn fn)
{
	token_source = fn;
}

/* [certificates] cert_manager_type = barbican: the endpoint answers and takes our credentials. */
static int
barbican_setup(char **ret_error)
{
	const char *url = conf_str("certificates", "barbican_url");
	const char *user = conf_str("keystone_authtoken", "username");
	_cleanup_free_ char *err = NULL;
	bool keystone = streq(strempty(conf_str("DEFAULT", "auth_strategy")), "keystone");
	int r;

	if (url == NULL || *url == '\0') {
		*ret_error = err_dup("[certificates] cert_manager_type = barbican needs "
				     "[certificates] barbican_url (e.g. http://127.0.0.1:9311)");
		return -EINVAL;
	}
	if (keystone && (user == NULL || *user == '\0' || token_source == NULL)) {
		*ret_error = err_dup("[certificates] cert_manager_type = barbican with "
				     "auth_strategy = keystone needs the service user "
				     "[keystone_authtoken] username and password");
		return -EINVAL;
	}
	r = barbican_init(url, keystone ? token_source : NULL, &err);
	if (r < 0)
		*ret_error = err_dup("[certificates] cert_manager_type = barbican: %s",
				     err ? err : strerror(-r));
	return r;
}

int
pki_init(char **ret_error)
{
	const char *type = conf_str("certificates", "cert_manager_type");
	const char *kt = conf_str("x509", "key_type");
	char path[4200];
	unsigned ku = 0;
	int r;

	*ret_error = NULL;
	params = (struct x509_params){
		.key_type = streq(kt, "ec") ? "ec" : "rsa",
		.rsa_bits = (int)conf_int("x509", "rsa_key_size"),
		.validity_days = (int)conf_int("x509", "term_of_validity"),
	};
	if (!streq(kt, "rsa") && !streq(kt, "ec")) {
		*ret_error = err_dup("[x509] key_type must be rsa or ec, not '%s'", kt);
		return -EINVAL;
	}
	if (params.rsa_bits < 2048 || params.rsa_bits > 8192) {
		*ret_error = err_dup("[x509] rsa_key_size must be 2048..8192");
		return -EINVAL;
	}
	if (params.validity_days < 1 ||
	    params.validity_days > conf_int("x509", "max_term_of_validity")) {
		*ret_error = err_dup("[x509] term_of_validity must be 1..max_term_of_validity");
		return -EINVAL;
	}
	r = x509_key_usage_parse(conf_str("x509", "allowed_key_usage"), &ku);
	if (r < 0) {
		*ret_error = err_dup("[x509] allowed_key_usage has an unknown name: '%s'",
				     conf_str("x509", "allowed_key_usage"));
		return r;
	}
	strv_free(allowed_exts);
	allowed_exts = NULL;
	r = split_list(conf_str("x509", "allowed_extensions"), &allowed_exts);
	if (r < 0)
		return r;
	for (size_t i = 0; allowed_exts[i]; i++)
		if (!x509_extension_name_valid(allowed_exts[i])) {
			*ret_error = err_dup("[x509] allowed_extensions: unknown extension '%s'",
					     allowed_exts[i]);
			return -EINVAL;
		}
	policy = (struct x509_sign_policy){
		.allow_ca = conf_bool("x509", "allow_ca"),
		.allowed_extensions = (const char *const *)allowed_exts,
		.allowed_key_usage = ku ? ku : X509_KU_DEFAULT,
		.validity_days = params.validity_days,
		.max_validity_days = (int)conf_int("x509", "max_term_of_validity"),
		.min_rsa_bits = (int)conf_int("x509", "min_rsa_key_size"),
	};

	if (streq(type, "x509keypair")) {
		snprintf(path, sizeof(path), "%s/master.key", conf_str("DEFAULT", "state_path"));
		r = x509_master_key_load_or_create(path, master_key);
		if (r < 0) {
			*ret_error = err_dup("cannot use the certificate master key %s", path);
			return r;
		}
		mgr = MGR_X509KEYPAIR;
	} else if (streq(type, "local")) {
		const char *sp = conf_str("certificates", "storage_path");

		if (sp)
			snprintf(storage_dir, sizeof(storage_dir), "%s", sp);
		else
			snprintf(storage_dir, sizeof(storage_dir), "%s/certificates",
				 conf_str("DEFAULT", "state_path"));
		r = mkdir_p(storage_dir, 0700);
		if (r < 0) {
			*ret_error = err_dup("cannot create [certificates] storage_path %s",
					     storage_dir);
			return r;
		}
		mgr = MGR_LOCAL;
	} else if (streq(type, "barbican")) {
		r = barbican_setup(ret_error);
		if (r < 0)
			return r;
		mgr = MGR_BARBICAN;
	} else {
		*ret_error = err_dup("[certificates] cert_manager_type must be x509keypair, local "
				     "or barbican, not '%s'", type);
		return -EINVAL;
	}
	return 0;
}

void
pki_fini(void)
{
	x509_cleanse(master_key, sizeof(master_key));
	strv_free(allowed_exts);
	allowed_exts = NULL;
	if (mgr == MGR_BARBICAN)
		barbican_fini();
	mgr = MGR_NONE;
}

const char *
pki_manager(void)
{
	switch (mgr) {
	case MGR_X509KEYPAIR:
		return "x509keypair";
	case MGR_LOCAL:
		return "local";
	case MGR_BARBICAN:
		return "barbican";
	default:
		return "none";
	}
}

/* --- the cert manager: where keys live --- */

static int
write_file_0600(const char *path, const char *data)
{
	size_t len = strlen(data), off = 0;
	int fd, r = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0600) < 0)
		r = -errno;
	while (r == 0 && off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			r = n < 0 ? -errno : -EIO;
		else
			off += (size_t)n;
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r < 0)
		unlink(path);
	return r;
}

static int
read_file_secret(const char *path, char **ret)
{
	struct stat st;
	char *buf;
	size_t off = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > (1 << 20)) {
		close(fd);
		return -EINVAL;
	}
	buf = calloc(1, (size_t)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	*ret = buf;
	return 0;
}

/*
 * barbican: the key and the certificate as secrets in a certificate container.
 * Returns 0 and "barbican:<container ref>" in *ret_col; nothing is left in
 * Barbican on failure.
 */
static int
barbican_key_store(const char *uuid, const char *cert, const char *key, char **ret_col)
{
	_cleanup_free_ char *kref = NULL, *cref = NULL, *ctref = NULL;
	char name[128];
	int r;

	snprintf(name, sizeof(name), "magnum %s private key", uuid);
	r = barbican_store_secret(name, key, "text/plain", &kref);
	if (r < 0)
		return r;
	snprintf(name, sizeof(name), "magnum %s certificate", uuid);
	r = barbican_store_secret(name, cert, "text/plain", &cref);
	if (r == 0) {
		snprintf(name, sizeof(name), "magnum %s", uuid);
		r = barbican_store_container(name, cref, kref, &ctref);
	}
	if (r == 0 && asprintf(ret_col, BARBICAN_PREFIX "%s", ctref) < 0)
		r = -ENOMEM;
	if (r < 0) {
		if (ctref)
			(void)barbican_delete_container(ctref);
		if (cref)
			(void)barbican_delete_secret(cref);
		(void)barbican_delete_secret(kref);
	}
	return r;
}

/* Store key for row uuid: returns the private_key column value (NULL for local) in *ret_col. */
static int
key_store(const char *uuid, const char *cert, const char *key, char **ret_col)
{
	char path[4200];
	int r;

	*ret_col = NULL;
	if (mgr == MGR_X509KEYPAIR)
		return x509_encrypt_secret(master_key, key, ret_col);
	if (mgr == MGR_BARBICAN)
		return barbican_key_store(uuid, cert, key, ret_col);
	if (mgr != MGR_LOCAL)
		return -ENOTSUP;
	snprintf(path, sizeof(path), "%s/%s.key", storage_dir, uuid);
	r = write_file_0600(path, key);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/%s.crt", storage_dir, uuid);
	return write_file_0600(path, cert);
}

static bool
col_is_barbican(const char *col)
{
	return col && strncmp(col, BARBICAN_PREFIX, strlen(BARBICAN_PREFIX)) == 0;
}

/* The key PEM at kref; Barbican strips a text/plain payload's final newline: put it back. */
static int
barbican_key_load(const char *kref, char **ret_key)
{
	_cleanup_(x509_secret_freep) char *key = NULL;
	size_t n;
	char *k;
	int r;

	r = barbican_get_secret_payload(kref, &key);
	if (r == -EINVAL)
		return -EBADMSG;
	if (r < 0)
		return r == -ENOENT ? -ENOKEY : r;
	n = strlen(key);
	if (n && key[n - 1] == '\n') {
		*ret_key = TAKE_PTR(key);
		return 0;
	}
	k = malloc(n + 2);
	if (k == NULL)
		return -ENOMEM;
	memcpy(k, key, n);
	k[n] = '\n';
	k[n + 1] = '\0';
	*ret_key = k;
	return 0;
}

static int
key_load(json_t *row, char **ret_key)
{
	const char *col = json_string_value(json_object_get(row, "private_key"));
	const char *uuid = json_string_value(json_object_get(row, "uuid"));
	_cleanup_free_ char *kref = NULL;
	char path[4200];
	int r;

	if (col_is_barbican(col)) {
		if (mgr != MGR_BARBICAN)
			return -ENOKEY;
		r = barbican_container_secret(col + strlen(BARBICAN_PREFIX), "private_key", &kref);
		if (r == -EINVAL)
			return -EBADMSG;	/* not a ref: the row is damaged */
		if (r < 0)
			return r == -ENOENT ? -ENOKEY : r;
		return barbican_key_load(kref, ret_key);
	}
	if (col)
		return x509_decrypt_secret(master_key, col, ret_key);
	if (mgr != MGR_LOCAL || uuid == NULL)
		return -ENOKEY;
	snprintf(path, sizeof(path), "%s/%s.key", storage_dir, uuid);
	return read_file_secret(path, ret_key);
}

/*
 * Remove what the cert manager keeps for row uuid whose private_key column is
 * col (deletion errors are ignored).
 */
static void
key_forget(const char *uuid, const char *col)
{
	char path[4200];

	if (col_is_barbican(col) && mgr == MGR_BARBICAN) {
		const char *ct = col + strlen(BARBICAN_PREFIX);
		_cleanup_free_ char *kref = NULL, *cref = NULL;

		(void)barbican_container_secret(ct, "private_key", &kref);
		(void)barbican_container_secret(ct, "certificate", &cref);
		(void)barbican_delete_container(ct);
		if (kref)
			(void)barbican_delete_secret(kref);
		if (cref)
			(void)barbican_delete_secret(cref);
		return;
	}
	if (mgr != MGR_LOCAL || uuid == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s.key", storage_dir, uuid);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s.crt", storage_dir, uuid);
	unlink(path);
}

/* --- inventory rows --- */

static void
iso_from_time(time_t t, char out[TIMESTAMP_LEN])
{
	struct timespec ts = { .tv_sec = t };

	time_iso(&ts, out);
}

/*
 * Insert a row for cert (and key, may be NULL). signer is the uuid of the CA
 * that signed it (NULL for a CA). Returns 0 and the new uuid in ret_uuid.
 */
static int
row_insert(struct db *db, const char *bay_uuid, const char *kind, const char *name,
	   const char *cert, const char *key, const char *signer, const char *project_id,
	   const char *user_id, char ret_uuid[UUID_STR_LEN])
{
	_cleanup_(x509_cert_info_freep) struct x509_cert_info *info = NULL;
	_cleanup_free_ char *col = NULL;
	_cleanup_json_ json_t *row = NULL;
	char uuid[UUID_STR_LEN], now[TIMESTAMP_LEN], exp[TIMESTAMP_LEN];
	int r;

	r = x509_cert_info_parse(cert, &info);
	if (r < 0)
		return r;
	uuid_new(uuid);
	if (key) {
		r = key_store(uuid, cert, key, &col);
		if (r < 0)
			return r;
	}
	time_now_iso(now);
	iso_from_time(info->not_after, exp);
	row = json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:s, s:s, s:s?, s:s?, s:s, s:s, s:s}", "uuid",
			uuid, "cluster_uuid", bay_uuid, "project_id", project_id, "user_id",
			user_id, "kind", kind, "name", name, "certificate", cert, "private_key",
			col, "ref", signer, "serial", info->serial_hex, "not_after", exp,
			"created_at", now);
	if (row == NULL) {
		key_forget(uuid, col);
		return -ENOMEM;
	}
	r = db_row_insert(db, &db_t_x509keypairs, row, NULL);
	if (r < 0) {
		key_forget(uuid, col);
		return r;
	}
	if (ret_uuid)
		memcpy(ret_uuid, uuid, UUID_STR_LEN);
	return 0;
}

/* The bay's row of kind (and name, if not NULL); -ENOENT if none. */
static int
row_get(struct db *db, const char *bay_uuid, const char *kind, const char *name, json_t **ret)
{
	_cleanup_json_ json_t *rows = NULL;
	int r;

	if (name)
		r = db_row_select(db, &db_t_x509keypairs, NULL,
				  "cluster_uuid = ? AND kind = ? AND name = ?",
				  DB_ARGS(DB_TEXT(bay_uuid), DB_TEXT(kind), DB_TEXT(name)),
				  "created_at DESC", 1, &rows);
	else
		r = db_row_select(db, &db_t_x509keypairs, NULL, "cluster_uuid = ? AND kind = ?",
				  DB_ARGS(DB_TEXT(bay_uuid), DB_TEXT(kind)), "created_at DESC", 1,
				  &rows);
	if (r < 0)
		return r;
	if (json_array_size(rows) == 0)
		return -ENOENT;
	*ret = json_incref(json_array_get(rows, 0));
	return 0;
}

static int
rows_delete(struct db *db, const char *where, const struct db_param *p, size_t n)
{
	_cleanup_json_ json_t *rows = NULL;
	_cleanup_free_ char *sql = NULL;
	size_t i;
	json_t *row;
	int r;

	r = db_row_select(db, &db_t_x509keypairs, NULL, where, p, n, NULL, 0, &rows);
	if (r < 0)
		return r;
	if (asprintf(&sql, "DELETE FROM x509keypairs WHERE %s", where) < 0)
		return -ENOMEM;
	r = db_exec(db, sql, p, n);
	if (r < 0)
		return r;
	json_array_foreach(rows, i, row)
		key_forget(json_string_value(json_object_get(row, "uuid")),
			   json_string_value(json_object_get(row, "private_key")));
	return 0;
}

/* The current CA's certificate, key and row uuid. */
static int
ca_load(struct db *db, const char *bay_uuid, char **ret_cert, char **ret_key,
	char ret_uuid[UUID_STR_LEN])
{
	_cleanup_json_ json_t *row = NULL;
	int r;

	r = row_get(db, bay_uuid, "ca", NULL, &row);
	if (r < 0)
		return r;
	r = key_load(row, ret_key);
	if (r < 0)
		return r;
	*ret_cert = strdup(json_string_value(json_object_get(row, "certificate")));
	if (*ret_cert == NULL) {
		*ret_key = x509_secret_free(*ret_key);
		return -ENOMEM;
	}
	if (ret_uuid)
		snprintf(ret_uuid, UUID_STR_LEN, "%s", json_string_value(json_object_get(row,
											"uuid")));
	return 0;
}

static const char *
ca_cn(const char *bay_uuid, const char *name)
{
	return name && *name && strlen(name) <= 64 ? name : bay_uuid;
}

static int
issue_conductor(struct db *db, const char *bay_uuid, const char *ca_cert, const char *ca_key,
		const char *ca_uuid, const char *project_id, const char *user_id)
{
	_cleanup_(x509_secret_freep) char *key = NULL;
	_cleanup_free_ char *cert = NULL;
	char uuid[UUID_STR_LEN];
	int r;

	r = x509_issue_client_cert(ca_cert, ca_key, X509_CONDUCTOR_CN, NULL, &params, &cert, &key);
	if (r < 0)
		return r;
	r = rows_delete(db, "cluster_uuid = ? AND kind = 'conductor'", DB_ARGS(DB_TEXT(bay_uuid)));
	if (r < 0)
		return r;
	r = row_insert(db, bay_uuid, "conductor", X509_CONDUCTOR_CN, cert, key, ca_uuid,
		       project_id, user_id, uuid);
	if (r < 0)
		return r;
	return db_exec(db, "UPDATE clusters SET magnum_cert_ref = ? WHERE uuid = ?",
		       DB_ARGS(DB_TEXT(uuid), DB_TEXT(bay_uuid)));
}

static int
new_ca(struct db *db, const char *bay_uuid, const char *name, const char *project_id,
       const char *user_id)
{
	_cleanup_(x509_secret_freep) char *key = NULL;
	_cleanup_free_ char *cert = NULL;
	char uuid[UUID_STR_LEN];
	int r;

	r = x509_ca_create(ca_cn(bay_uuid, name), &params, &cert, &key);
	if (r < 0)
		return r;
	r = row_insert(db, bay_uuid, "ca", ca_cn(bay_uuid, name), cert, key, NULL, project_id,
		       user_id, uuid);
	if (r < 0)
		return r;
	r = db_exec(db, "UPDATE clusters SET ca_cert_ref = ? WHERE uuid = ?",
		    DB_ARGS(DB_TEXT(uuid), DB_TEXT(bay_uuid)));
	if (r < 0)
		return r;
	return issue_conductor(db, bay_uuid, cert, key, uuid, project_id, user_id);
}

int
pki_bay_create(struct db *db, const char *bay_uuid, const char *name, const char *project_id,
	       const char *user_id)
{
	_cleanup_json_ json_t *row = NULL;
	int r;

	if (mgr == MGR_NONE)
		return -ENOTSUP;
	r = db_begin(db);
	if (r < 0)
		return r;
	r = row_get(db, bay_uuid, "ca", NULL, &row);
	if (r == -ENOENT)
		r = new_ca(db, bay_uuid, name, project_id, user_id);
	if (r < 0) {
		db_rollback(db);
		return r;
	}
	return db_commit(db);
}

int
pki_ca_pem(struct db *db, const char *bay_uuid, bool bundle, char **ret_pem)
{
	_cleanup_json_ json_t *cur = NULL, *prev = NULL;
	const char *a, *b;
	int r;

	r = row_get(db, bay_uuid, "ca", NULL, &cur);
	if (r < 0)
		return r;
	a = json_string_value(json_object_get(cur, "certificate"));
	if (bundle && row_get(db, bay_uuid, "ca_prev", NULL, &prev) == 0) {
		b = json_string_value(json_object_get(prev, "certificate"));
		if (asprintf(ret_pem, "%s%s", a, b) < 0)
			return -ENOMEM;
		return 0;
	}
	*ret_pem = strdup(a);
	return *ret_pem ? 0 : -ENOMEM;
}

int
pki_sign_csr(struct db *db, const char *bay_uuid, const char *csr, size_t csr_len,
	     const char *project_id, const char *user_id, char **ret_pem, char **ret_error)
{
	_cleanup_(x509_cert_info_freep) struct x509_cert_info *info = NULL;
	_cleanup_(x509_secret_freep) char *ca_key = NULL;
	_cleanup_free_ char *ca_cert = NULL, *cert = NULL;
	char ca_uuid[UUID_STR_LEN];
	int r;

	*ret_error = NULL;
	r = ca_load(db, bay_uuid, &ca_cert, &ca_key, ca_uuid);
	if (r < 0)
		return r;
	r = x509_sign_csr(ca_cert, ca_key, csr, csr_len, &policy, &cert, ret_error);
	ca_key = x509_secret_free(ca_key);
	if (r < 0)
		return r;
	r = x509_cert_info_parse(cert, &info);
	if (r < 0)
		return r;
	r = row_insert(db, bay_uuid, "client", info->subject_cn ? info->subject_cn : "(no CN)",
		       cert, NULL, ca_uuid, project_id, user_id, NULL);
	if (r < 0)
		return r;
	*ret_pem = TAKE_PTR(cert);
	return 0;
}

int
pki_issue_node(struct db *db, const char *bay_uuid, const char *name, const char *const *sans,
	       char **ret_cert, char **ret_key)
{
	_cleanup_(x509_secret_freep) char *ca_key = NULL, *key = NULL;
	_cleanup_free_ char *ca_cert = NULL, *cert = NULL;
	char ca_uuid[UUID_STR_LEN];
	int r;

	r = ca_load(db, bay_uuid, &ca_cert, &ca_key, ca_uuid);
	if (r < 0)
		return r;
	r = x509_issue_server_cert(ca_cert, ca_key, name, sans, &params, &cert, &key);
	ca_key = x509_secret_free(ca_key);
	if (r < 0)
		return r;
	r = db_begin(db);
	if (r < 0)
		return r;
	r = rows_delete(db, "cluster_uuid = ? AND kind = 'node' AND name = ?",
			DB_ARGS(DB_TEXT(bay_uuid), DB_TEXT(name)));
	if (r >= 0)
		r = row_insert(db, bay_uuid, "node", name, cert, key, ca_uuid, NULL, NULL, NULL);
	if (r < 0) {
		db_rollback(db);
		return r;
	}
	r = db_commit(db);
	if (r < 0)
		return r;
	*ret_cert = TAKE_PTR(cert);
	*ret_key = TAKE_PTR(key);
	return 0;
}

int
pki_conductor_cert(struct db *db, const char *bay_uuid, char **ret_cert, char **ret_key)
{
	_cleanup_json_ json_t *row = NULL;
	int r;

	r = row_get(db, bay_uuid, "conductor", NULL, &row);
	if (r < 0)
		return r;
	r = key_load(row, ret_key);
	if (r < 0)
		return r;
	*ret_cert = strdup(json_string_value(json_object_get(row, "certificate")));
	if (*ret_cert == NULL) {
		*ret_key = x509_secret_free(*ret_key);
		return -ENOMEM;
	}
	return 0;
}

int
pki_reissue_conductor(struct db *db, const char *bay_uuid)
{
	_cleanup_(x509_secret_freep) char *ca_key = NULL;
	_cleanup_free_ char *ca_cert = NULL;
	_cleanup_json_ json_t *row = NULL;
	char ca_uuid[UUID_STR_LEN];
	int r;

	r = row_get(db, bay_uuid, "ca", NULL, &row);
	if (r < 0)
		return r;
	r = ca_load(db, bay_uuid, &ca_cert, &ca_key, ca_uuid);
	if (r < 0)
		return r;
	r = db_begin(db);
	if (r < 0)
		return r;
	r = issue_conductor(db, bay_uuid, ca_cert, ca_key, ca_uuid,
			    json_string_value(json_object_get(row, "project_id")),
			    json_string_value(json_object_get(row, "user_id")));
	if (r < 0) {
		db_rollback(db);
		return r;
	}
	return db_commit(db);
}

int
pki_rotating(struct db *db, const char *bay_uuid)
{
	int64_t n = 0;
	int r;

	r = db_query_int(db, "SELECT COUNT(*) FROM x509keypairs WHERE cluster_uuid = ? AND "
			     "kind = 'ca_prev'", DB_ARGS(DB_TEXT(bay_uuid)), &n);
	return r < 0 ? r : n > 0;
}

int
pki_rotate_begin(struct db *db, const char *bay_uuid)
{
	_cleanup_json_ json_t *cur = NULL;
	const char *name, *proj, *user;
	int r;

	r = pki_rotating(db, bay_uuid);
	if (r != 0)
		return r < 0 ? r : 0;	/* already in phase 1: nothing new to make */
	r = row_get(db, bay_uuid, "ca", NULL, &cur);
	if (r < 0)
		return r;
	name = json_string_value(json_object_get(cur, "name"));
	proj = json_string_value(json_object_get(cur, "project_id"));
	user = json_string_value(json_object_get(cur, "user_id"));
	r = db_begin(db);
	if (r < 0)
		return r;
	r = db_exec(db, "UPDATE x509keypairs SET kind = 'ca_prev' WHERE uuid = ?",
		    DB_ARGS(DB_TEXT(json_string_value(json_object_get(cur, "uuid")))));
	if (r >= 0)
		r = new_ca(db, bay_uuid, name, proj, user);
	if (r < 0) {
		db_rollback(db);
		return r;
	}
	return db_commit(db);
}

int
pki_rotate_finish(struct db *db, const char *bay_uuid)
{
	_cleanup_json_ json_t *prev = NULL;
	const char *prev_uuid;
	int r;

	r = row_get(db, bay_uuid, "ca_prev", NULL, &prev);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	prev_uuid = json_string_value(json_object_get(prev, "uuid"));
	r = db_begin(db);
	if (r < 0)
		return r;
	/* Everything the old CA signed stops being trusted: drop it from the inventory. */
	r = rows_delete(db, "cluster_uuid = ? AND ref = ?",
			DB_ARGS(DB_TEXT(bay_uuid), DB_TEXT(prev_uuid)));
	if (r >= 0)
		r = rows_delete(db, "uuid = ?", DB_ARGS(DB_TEXT(prev_uuid)));
	if (r < 0) {
		db_rollback(db);
		return r;
	}
	return db_commit(db);
}

int
pki_bay_delete(struct db *db, const char *bay_uuid)
{
	return rows_delete(db, "cluster_uuid = ?", DB_ARGS(DB_TEXT(bay_uuid)));
}

int
pki_inventory(struct db *db, const char *project_id, const char *bay_uuid, int within_days,
	      json_t **ret)
{
	_cleanup_json_ json_t *rows = NULL, *out = json_array();
	char limit[TIMESTAMP_LEN];
	time_t now = time(NULL);
	struct db_param p[3];
	char where[300];
	size_t n = 0, i;
	json_t *row;
	int r;

	if (out == NULL)
		return -ENOMEM;
	snprintf(where, sizeof(where), "1 = 1");
	if (project_id) {
		strncat(where, " AND cluster_uuid IN (SELECT uuid FROM clusters WHERE "
			       "project_id = ?)", sizeof(where) - strlen(where) - 1);
		p[n++] = DB_TEXT(project_id);
	}
	if (bay_uuid) {
		strncat(where, " AND cluster_uuid = ?", sizeof(where) - strlen(where) - 1);
		p[n++] = DB_TEXT(bay_uuid);
	}
	if (within_days >= 0) {
		iso_from_time(now + (time_t)within_days * 86400, limit);
		strncat(where, " AND not_after <= ?", sizeof(where) - strlen(where) - 1);
		p[n++] = DB_TEXT(limit);
	}
	r = db_row_select(db, &db_t_x509keypairs, NULL, where, p, n, "not_after, kind", 0, &rows);
	if (r < 0)
		return r;
	json_array_foreach(rows, i, row) {
		const char *exp = json_string_value(json_object_get(row, "not_after"));
		time_t t = 0;
		json_t *o;

		time_parse_iso(exp, &t);
		o = json_pack("{s:O, s:O, s:O, s:O, s:O, s:I}", "cluster_uuid",
			      json_object_get(row, "cluster_uuid"), "kind",
			      json_object_get(row, "kind"), "name", json_object_get(row, "name"),
			      "serial", json_object_get(row, "serial"), "not_after",
			      json_object_get(row, "not_after"), "expires_in_days",
			      (json_int_t)((t - now) / 86400));
		if (o == NULL || json_array_append_new(out, o) < 0)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(out);
	return 0;
}

int
pki_bays_to_renew(struct db *db, int days, json_t **ret)
{
	_cleanup_json_ json_t *out = json_array();
	char limit[TIMESTAMP_LEN];
	struct db_stmt *st = NULL;
	int r;

	if (out == NULL)
		return -ENOMEM;
	iso_from_time(time(NULL) + (time_t)days * 86400, limit);
	r = db_query(db, "SELECT DISTINCT cluster_uuid FROM x509keypairs WHERE kind IN "
			 "('node', 'conductor') AND not_after <= ?",
		     DB_ARGS(DB_TEXT(limit)), &st);
	if (r < 0)
		return r;
	while ((r = db_step(st)) > 0)
		if (json_array_append_new(out, json_string(db_col_text(st, 0))) < 0) {
			r = -ENOMEM;
			break;
		}
	db_stmt_free(st);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(out);
	return 0;
}
