/*
 * engine.c - the Engine API transport: one libcurl easy handle per daemon,
 * HTTPS with a client certificate or HTTP over a unix socket, bounded
 * responses, JSON bodies and the error sentence. The API calls built on it
 * are in engine_swarm.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "backends/local/engine.h"
#include "backends/local/engine_internal.h"
#include "common/strbuf.h"

#define ERROR_MAX	512
#define MESSAGE_MAX	300	/* of the daemon's message quoted in an error */

struct engine {
	CURL		*curl;
	char		*base;		/* "https://10.250.3.10:2376/v1.41" */
	long		timeout_ms;
	char		errbuf[CURL_ERROR_SIZE];
	char		error[ERROR_MAX];
};

struct response {
	struct strbuf	body;
	bool		too_big;
};

struct upload {
	int		fd;
	int		error;		/* errno of a failed read */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void
curl_init_once(void)
{
	curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
engine_set_error(struct engine *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->error, sizeof(e->error), fmt, ap);
	va_end(ap);
}

const char *
engine_error(const struct engine *e)
{
	return e->error;
}

void
engine_set_timeout(struct engine *e, long timeout_ms)
{
	e->timeout_ms = timeout_ms > 0 ? timeout_ms : ENGINE_DEFAULT_TIMEOUT_MS;
}

struct engine *
engine_free(struct engine *e)
{
	if (e == NULL)
		return NULL;
	if (e->curl)
		curl_easy_cleanup(e->curl);
	free(e->base);
	free(e);
	return NULL;
}

static size_t
write_cb(char *data, size_t size, size_t n, void *userdata)
{
	struct response *r = userdata;
	size_t len = size * n;

	if (r->body.len + len > ENGINE_MAX_RESPONSE) {
		r->too_big = true;
		return 0;	/* aborts the transfer: CURLE_WRITE_ERROR */
	}
	if (strbuf_append(&r->body, data, len) < 0)
		return 0;
	return len;
}

static size_t
read_cb(char *buf, size_t size, size_t n, void *userdata)
{
	struct upload *u = userdata;
	ssize_t k;

	do
		k = read(u->fd, buf, size * n);
	while (k < 0 && errno == EINTR);
	if (k < 0) {
		u->error = errno;
		return CURL_READFUNC_ABORT;
	}
	return (size_t)k;
}

static int
engine_new(const char *base, struct engine **ret)
{
	_cleanup_(engine_freep) struct engine *e = NULL;
	CURL *c;

	pthread_once(&curl_once, curl_init_once);
	if (curl_init_result != CURLE_OK)
		return -EIO;

	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	e->timeout_ms = ENGINE_DEFAULT_TIMEOUT_MS;
	e->base = strdup(base);
	e->curl = c = curl_easy_init();
	if (e->base == NULL || c == NULL)
		return -ENOMEM;

	if (curl_easy_setopt(c, CURLOPT_ERRORBUFFER, e->errbuf) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)ENGINE_CONNECT_TIMEOUT_MS) ||
	    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PROXY, "") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb) != CURLE_OK)
		return -EIO;

	*ret = TAKE_PTR(e);
	return 0;
}

int
engine_open_unix(const char *sock_path, struct engine **ret)
{
	_cleanup_(engine_freep) struct engine *e = NULL;
	int r;

	if (sock_path == NULL || *sock_path == '\0' || ret == NULL)
		return -EINVAL;
	r = engine_new("http://localhost/" ENGINE_API_VERSION, &e);
	if (r < 0)
		return r;
	if (curl_easy_setopt(e->curl, CURLOPT_UNIX_SOCKET_PATH, sock_path) != CURLE_OK ||
	    curl_easy_setopt(e->curl, CURLOPT_PROTOCOLS_STR, "http") != CURLE_OK)
		return -EIO;
	*ret = TAKE_PTR(e);
	return 0;
}

static int
set_blob(CURL *c, CURLoption opt, const char *pem)
{
	struct curl_blob blob = {
		.data = (void *)pem,
		.len = strlen(pem),
		.flags = CURL_BLOB_COPY,
	};

	return curl_easy_setopt(c, opt, &blob) == CURLE_OK ? 0 : -EIO;
}

/* host_port must be "<IPv4>:<port>" or "[<IPv6>]:<port>": printable, no '/', '@' or spaces. */
static bool
host_port_valid(const char *s)
{
	const char *colon = strrchr(s, ':');

	if (colon == NULL || colon == s || colon[1] == '\0' || strlen(s) > 64)
		return false;
	for (const char *p = s; *p; p++)
		if (!(('0' <= *p && *p <= '9') || ('a' <= *p && *p <= 'f') ||
		      ('A' <= *p && *p <= 'F') || *p == '.' || *p == ':' || *p == '[' ||
		      *p == ']'))
			return false;
	for (const char *p = colon + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

int
engine_open_tls(const char *host_port, const char *ca_pem, const char *cert_pem,
		const char *key_pem, struct engine **ret)
{
	_cleanup_(engine_freep) struct engine *e = NULL;
	char base[128];
	CURL *c;
	int r;

	if (host_port == NULL || !host_port_valid(host_port) || ca_pem == NULL ||
	    cert_pem == NULL || key_pem == NULL || ret == NULL)
		return -EINVAL;
	snprintf(base, sizeof(base), "https://%s/%s", host_port, ENGINE_API_VERSION);
	r = engine_new(base, &e);
	if (r < 0)
		return r;
	c = e->curl;
	if (curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CAPATH, NULL) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CAINFO, NULL) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM") != CURLE_OK)
		return -EIO;
	if (set_blob(c, CURLOPT_CAINFO_BLOB, ca_pem) < 0 ||
	    set_blob(c, CURLOPT_SSLCERT_BLOB, cert_pem) < 0 ||
	    set_blob(c, CURLOPT_SSLKEY_BLOB, key_pem) < 0)
		return -EIO;
	*ret = TAKE_PTR(e);
	return 0;
}

static int
curl_errno(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
		return -EHOSTUNREACH;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return -EACCES;
	case CURLE_SSL_CONNECT_ERROR:
		return -EPROTO;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		return -ECONNRESET;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

static int
status_errno(long status, const char *message)
{
	if (status < 400)
		return 0;
	switch (status) {
	case 400:
		return -EINVAL;
	case 401:
	case 403:
		return -EACCES;
	case 404:
		return -ENOENT;
	case 406:
		return -ENOTCONN;
	case 409:
		return -EEXIST;
	case 503:
		if (message && strstr(message, "not part of a swarm"))
			return -ENOTCONN;
		return -EAGAIN;
	default:
		return -EIO;
	}
}

/* Copy at most MESSAGE_MAX bytes of s into out, control characters as '?'. */
static void
sanitize(const char *s, size_t len, char *out, size_t outsz)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 1 < outsz && n < MESSAGE_MAX; i++)
		out[n++] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	out[n] = '\0';
}

/* The path without its query string, for messages. */
static void
path_only(const char *path, char *out, size_t outsz)
{
	size_t n = strcspn(path, "?");

	snprintf(out, outsz, "%.*s", (int)(n < 200 ? n : 200), path);
}

/*
 * Perform one request: body_len bytes of body (application/json) or, with
 * upload_fd >= 0, upload_len bytes streamed from the file (application/x-tar).
 * On a response (any status) returns 0 with *ret_status and the raw body in
 * *ret_body (caller frees); -errno and the error sentence on transport errors.
 */
int
engine_request(struct engine *e, const char *method, const char *path, const char *body,
	       size_t body_len, int upload_fd, off_t upload_len, long timeout_ms,
	       long *ret_status, struct strbuf *ret_body)
{
	struct response resp = { .body = STRBUF_INIT };
	struct upload up = { .fd = upload_fd };
	struct curl_slist *headers = NULL, *h;
	_cleanup_free_ char *url = NULL;
	char where[256];
	CURL *c = e->curl;
	CURLcode rc;
	long status = 0;
	int r;

	path_only(path, where, sizeof(where));
	e->error[0] = '\0';
	e->errbuf[0] = '\0';
	if (asprintf(&url, "%s%s", e->base, path) < 0)
		return -ENOMEM;

	h = curl_slist_append(headers, "Expect:");
	if (h)
		headers = h;
	if (h && (body || upload_fd >= 0))
		h = curl_slist_append(headers, upload_fd >= 0 ? "Content-Type: application/x-tar"
							      : "Content-Type: application/json");
	if (h == NULL) {
		curl_slist_free_all(headers);
		return -ENOMEM;
	}
	headers = h;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : e->timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	if (upload_fd >= 0) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)upload_len);
	} else if (body || strcmp(method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? body_len : 0));
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);

	rc = curl_easy_perform(c);

	/* the easy handle outlives this call: drop pointers into our stack frame */
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, NULL);
	curl_easy_setopt(c, CURLOPT_READDATA, NULL);
	curl_slist_free_all(headers);

	if (rc != CURLE_OK) {
		if (resp.too_big) {
			r = -EFBIG;
			engine_set_error(e, "%s %s: response larger than %u bytes", method, where,
					 ENGINE_MAX_RESPONSE);
		} else if (up.error) {
			r = -up.error;
			engine_set_error(e, "%s %s: reading the upload: %s", method, where,
					 strerror(up.error));
		} else {
			r = curl_errno(rc);
			engine_set_error(e, "%s %s: %s", method, where,
					 e->errbuf[0] ? e->errbuf : curl_easy_strerror(rc));
		}
		strbuf_free(&resp.body);
		return r;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	*ret_status = status;
	*ret_body = resp.body;
	return 0;
}

/*
 * Turn a response into the result: the error sentence and -errno for
 * statuses >= 400 (with the daemon's "message"), else 0.
 */
int
engine_check_status(struct engine *e, const char *method, const char *path, long status,
		    const struct strbuf *body)
{
	_cleanup_json_ json_t *j = NULL;
	char where[256], msg[MESSAGE_MAX + 1] = "";
	const char *m;

	if (status < 400)
		return 0;
	path_only(path, where, sizeof(where));
	if (body->len > 0) {
		j = json_loadb(body->buf, body->len, 0, NULL);
		m = json_string_value(json_object_get(j, "message"));
		if (m)
			sanitize(m, strlen(m), msg, sizeof(msg));
		else
			sanitize(body->buf, body->len, msg, sizeof(msg));
	}
	engine_set_error(e, "%s %s: %ld %s", method, where, status, msg);
	return status_errno(status, msg);
}

int
engine_call_timeout(struct engine *e, const char *method, const char *path, json_t *body,
		    long timeout_ms, long *ret_status, json_t **ret_json)
{
	_cleanup_free_ char *data = NULL;
	struct strbuf resp = STRBUF_INIT;
	json_error_t jerr;
	json_t *j = NULL;
	long status = 0;
	int r;

	if (e == NULL || method == NULL || path == NULL || path[0] != '/')
		return -EINVAL;
	if (body) {
		data = json_dumps(body, JSON_COMPACT);
		if (data == NULL)
			return -ENOMEM;
	}
	r = engine_request(e, method, path, data, data ? strlen(data) : 0, -1, 0, timeout_ms,
			   &status, &resp);
	if (r < 0)
		return r;
	if (ret_status)
		*ret_status = status;
	r = engine_check_status(e, method, path, status, &resp);
	if (r == 0 && resp.len > 0 && ret_json) {
		j = json_loadb(resp.buf, resp.len, JSON_DECODE_ANY, &jerr);
		if (j == NULL) {
			char where[256];

			path_only(path, where, sizeof(where));
			engine_set_error(e, "%s %s: %ld with malformed JSON: %s", method, where,
					 status, jerr.text);
			r = -EBADMSG;
		}
	}
	strbuf_free(&resp);
	if (r < 0)
		return r;
	if (ret_json)
		*ret_json = j;
	return 0;
}

int
engine_call(struct engine *e, const char *method, const char *path, json_t *body,
	    long *ret_status, json_t **ret_json)
{
	return engine_call_timeout(e, method, path, body, 0, ret_status, ret_json);
}

int
engine_ping(struct engine *e)
{
	struct strbuf resp = STRBUF_INIT;
	long status = 0;
	int r;

	r = engine_request(e, "GET", "/_ping", NULL, 0, -1, 0, 0, &status, &resp);
	if (r < 0)
		return r;
	r = engine_check_status(e, "GET", "/_ping", status, &resp);
	if (r == 0 && !(resp.len == 2 && memcmp(resp.buf, "OK", 2) == 0)) {
		engine_set_error(e, "GET /_ping: %ld but not OK", status);
		r = -EBADMSG;
	}
	strbuf_free(&resp);
	return r;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
engine_wait_ready(struct engine *e, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms, saved = e->timeout_ms, left;
	long delay = 20;
	int r;

	for (;;) {
		left = deadline - now_ms();
		e->timeout_ms = left < 2000 ? (left > 100 ? left : 100) : 2000;
		r = engine_ping(e);
		e->timeout_ms = saved;
		if (r == 0)
			return 0;
		if (r == -EACCES || r == -EINVAL)
			return r;	/* a TLS or usage error will not go away */
		left = deadline - now_ms();
		if (left <= 0)
			break;
		if (delay > left)
			delay = left;
		nanosleep(&(struct timespec){ .tv_sec = delay / 1000,
					       .tv_nsec = (delay % 1000) * 1000000 }, NULL);
		if (delay < 250)
			delay *= 2;
	}
	engine_set_error(e, "GET /_ping: no answer within %d ms (last: %s)", timeout_ms,
			 e->error[0] ? e->error : "none");
	return -ETIMEDOUT;
}

/* Stream the file at tar_path as POST path; the raw response in *ret_body. */
int
engine_upload_file(struct engine *e, const char *path, const char *file_path, long timeout_ms,
		   long *ret_status, struct strbuf *ret_body)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	fd = open(file_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		int r = -errno;

		engine_set_error(e, "POST %s: %s: %s", path, file_path, strerror(errno));
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		engine_set_error(e, "POST %s: %s is not a regular file", path, file_path);
		return -EINVAL;
	}
	return engine_request(e, "POST", path, NULL, 0, fd, st.st_size, timeout_ms, ret_status,
			      ret_body);
}
