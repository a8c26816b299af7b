/*
 * list_cache.c - list replies kept per process and validated by a table
 * generation.
 *
 * The embedded store (SQLite) keeps a counter per listed table in the
 * `generations` table; triggers bump it in the same transaction as any insert,
 * update or delete of the rows (migration 4), whichever process or thread
 * writes them. A cached reply is served only while the counter still holds the
 * value it was rendered under. A reply is stored only if the counter did not
 * move while it was being rendered: a write that committed in between moves it
 * (the bump commits with the rows), so nothing stale is ever stored.
 *
 * The key is everything a plain list depends on besides the rows: the path
 * (collection and era), the microversion, who asks (admin, or the project),
 * the Host the client used (it goes into links and next), and the page
 * parameters. PostgreSQL has no such triggers (a shared counter row would
 * serialise, and could deadlock, concurrent writers): nothing is cached there.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/list_cache.h"
#include "common/cleanup.h"

enum {
	CACHE_ENTRIES = 32,
	CACHE_MAX_BYTES = 4 << 20,	/* all bodies together */
	CACHE_MAX_ENTRY = 1 << 20,
};

struct entry {
	char		*key;
	char		*body;
	size_t		len;
	int64_t		gen;
	uint64_t	used;		/* LRU clock */
};

static struct {
	pthread_mutex_t	lock;
	struct entry	e[CACHE_ENTRIES];
	size_t		bytes;
	uint64_t	clock;
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int
generation(struct api_req *req, const char *table, int64_t *ret)
{
	if (db_kind(req->db) != DB_SQLITE)
		return -EOPNOTSUPP;
	return db_query_int(req->db, "SELECT gen FROM generations WHERE name = ?",
			    DB_ARGS(DB_TEXT(table)), ret);
}

static char *
make_key(struct api_req *req, const struct api_page *pg)
{
	char *k;

	if (asprintf(&k, "%s|%d|%d|%s|%s|%lld|%s|%s|%s", req->path, (int)req->era, req->minor,
		     req->id.is_admin ? "*" : req->id.project_id, req->host_url,
		     (long long)pg->limit, pg->marker ? pg->marker : "", pg->sort_key,
		     pg->sort_dir) < 0)
		return NULL;
	return k;
}

static void
entry_clear(struct entry *e)
{
	cache.bytes -= e->len;
	free(e->key);
	free(e->body);
	memset(e, 0, sizeof(*e));
}

int
list_cache_begin(struct api_req *req, const char *table, const struct api_page *pg,
		 struct list_cache_ticket *t)
{
	char *body = NULL;
	size_t len = 0;

	memset(t, 0, sizeof(*t));
	if (generation(req, table, &t->gen) < 0)
		return 0;		/* not cacheable here: render as usual */
	t->key = make_key(req, pg);
	if (t->key == NULL)
		return 0;
	t->table = table;
	pthread_mutex_lock(&cache.lock);
	for (size_t i = 0; i < CACHE_ENTRIES; i++) {
		struct entry *e = &cache.e[i];

		if (e->key == NULL || strcmp(e->key, t->key) != 0)
			continue;
		if (e->gen != t->gen) {
			entry_clear(e);		/* rows changed since */
			break;
		}
		body = malloc(e->len + 1);
		if (body) {
			memcpy(body, e->body, e->len + 1);
			len = e->len;
			e->used = ++cache.clock;
		}
		break;
	}
	pthread_mutex_unlock(&cache.lock);
	if (body == NULL)
		return 0;
	list_cache_drop(t);
	api_reply_owned(req, 200, body, len);
	return 1;
}

void
list_cache_put(struct api_req *req, struct list_cache_ticket *t, const char *body, size_t len)
{
	struct entry *slot = NULL;
	int64_t now;
	char *copy;

	if (t->key == NULL || len > CACHE_MAX_ENTRY)
		return;
	/* Stored only if no write committed while the rows were read. */
	if (generation(req, t->table, &now) < 0 || now != t->gen)
		return;
	copy = malloc(len + 1);
	if (copy == NULL)
		return;
	memcpy(copy, body, len);
	copy[len] = '\0';
	pthread_mutex_lock(&cache.lock);
	for (size_t i = 0; i < CACHE_ENTRIES; i++)
		if (cache.e[i].key && strcmp(cache.e[i].key, t->key) == 0)
			entry_clear(&cache.e[i]);
	/* Room: evict least recently used entries until the bytes fit, then take a slot. */
	while (cache.bytes + len > CACHE_MAX_BYTES || slot == NULL) {
		struct entry *old = NULL;

		slot = NULL;
		for (size_t i = 0; i < CACHE_ENTRIES; i++) {
			if (cache.e[i].key == NULL)
				slot = slot ? slot : &cache.e[i];
			else if (old == NULL || cache.e[i].used < old->used)
				old = &cache.e[i];
		}
		if (slot && cache.bytes + len <= CACHE_MAX_BYTES)
			break;
		if (old == NULL)
			break;
		entry_clear(old);
	}
	if (slot && cache.bytes + len <= CACHE_MAX_BYTES) {
		slot->key = TAKE_PTR(t->key);
		slot->body = copy;
		slot->len = len;
		slot->gen = now;
		slot->used = ++cache.clock;
		cache.bytes += len;
		copy = NULL;
	}
	pthread_mutex_unlock(&cache.lock);
	free(copy);
}

void
list_cache_drop(struct list_cache_ticket *t)
{
	free(t->key);
	t->key = NULL;
}
