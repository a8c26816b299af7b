/*
 * magnumd - the Magnum API and conductor in one process.
 *
 *   magnumd [--config FILE] [--api-only | --conductor-only] [--debug]
 *   magnumd --config FILE db-sync
 *   magnumd --config FILE check-config
 *   magnumd sample-config
 *   magnumd --config FILE <identity command> ...   (user-create, project-create, ...)
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "api/auth.h"
#include "api/identity.h"
#include "api/server.h"
#include "backends/local/node.h"
#include "common/cleanup.h"
#include "common/conf.h"
#include "common/log.h"
#include "common/util.h"
#include "conductor/conductor.h"
#include "db/db.h"
#include "x509/pki.h"

#pragma weak identity_bootstrap
#pragma weak identity_cli

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: magnumd [--config FILE] [--api-only | --conductor-only] [--debug]\n"
		"       magnumd [--config FILE] db-sync | check-config | sample-config\n"
		"       magnumd [--config FILE] user-create | project-create | role-add | ... \n");
}

/* The database URL: [database] connection, else SQLite under state_path. */
static char *
database_url(void)
{
	const char *c = conf_str("database", "connection");
	char *url = NULL;

	if (c && *c)
		return strdup(c);
	if (asprintf(&url, "sqlite:///%s/magnum.sqlite", conf_str("DEFAULT", "state_path")) < 0)
		return NULL;
	/* "sqlite:////abs" -> keep exactly one leading slash after the scheme. */
	if (strncmp(url, "sqlite:////", 11) == 0)
		memmove(url + 9, url + 10, strlen(url + 10) + 1);
	return url;
}

static volatile sig_atomic_t stop_signal;

/*
 * The kernel hands a process-directed signal to any thread that does not block
 * it, often a worker: pause() in main would then never return. The handler
 * writes to a pipe that main reads instead (write is async-signal-safe).
 */
static int stop_pipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	int saved = errno;

	stop_signal = sig;
	if (stop_pipe[1] >= 0)
		(void)!write(stop_pipe[1], "", 1);
	errno = saved;
}

static char *
public_url(uint16_t port)
{
	const char *p = conf_str("api", "public_url");
	const char *host = conf_str("api", "host");
	char *u = NULL;

	if (p && *p)
		return strdup(p);
	/* Listening on every address: the credentials file names loopback, which works on
	 * this host; other hosts need [api] public_url. */
	if (streq(host, "0.0.0.0") || streq(host, "::")) {
		log_info("[api] host is %s: admin-openrc.sh names loopback; set [api] public_url "
			 "for clients on other hosts", host);
		host = streq(host, "::") ? "::1" : "127.0.0.1";
	}
	if (asprintf(&u, strchr(host, ':') ? "http://[%s]:%u" : "http://%s:%u", host, port) < 0)
		u = NULL;
	return u;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "api-only", no_argument, NULL, 'a' },
		{ "conductor-only", no_argument, NULL, 'o' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "sample-config", no_argument, NULL, 's' },
		{},
	};
	const char *config = NULL, *cmd = NULL;
	bool api = true, conductor = true, debug = false;
	_cleanup_free_ char *url = NULL, *err = NULL, *purl = NULL;
	struct api_server *srv = NULL;
	struct db *db = NULL;
	char hostname[256];
	uint64_t t0 = time_mono_us();
	int c, r;

	/* the init of a local-backend node: re-exec of ourselves by node_start() */
	if (argc > 1 && streq(argv[1], "node-init"))
		return node_init_main(argc - 1, argv + 1);

	while ((c = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'a':
			conductor = false;
			break;
		case 'o':
			api = false;
			break;
		case 'd':
			debug = true;
			break;
		case 's':
			conf_write_sample(stdout);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		cmd = argv[optind];
	if (cmd && streq(cmd, "sample-config")) {
		conf_write_sample(stdout);
		return 0;
	}
	log_init(cmd ? "magnumd" : (api && conductor ? "magnumd" : api ? "api" : "conductor"),
		 LOG_LEVEL_INFO);
	if (config) {
		r = conf_load(config, &err);
		if (r < 0) {
			fprintf(stderr, "magnumd: %s\n", err ? err : strerror(-r));
			return 1;
		}
	}
	if (debug || conf_bool("DEFAULT", "debug"))
		log_set_level(LOG_LEVEL_DEBUG);
	if (cmd && streq(cmd, "check-config")) {
		printf("configuration OK\n");
		return 0;
	}
	r = mkdir_p(conf_str("DEFAULT", "state_path"), 0700);
	if (r < 0) {
		log_err_errno(r, "cannot create state_path %s", conf_str("DEFAULT", "state_path"));
		return 1;
	}
	url = database_url();
	if (url == NULL)
		return 1;
	r = db_open(url, &db, &err);
	if (r < 0) {
		log_err("cannot open the database: %s", err ? err : strerror(-r));
		return 1;
	}
	if (cmd && streq(cmd, "db-sync")) {
		r = db_migrate(db);
		if (r < 0) {
			log_err("db-sync failed: %s", db_errmsg(db));
			db_close(db);
			return 1;
		}
		printf("database at schema version %d\n", r);
		db_close(db);
		return 0;
	}
	if (db_schema_version(db) < db_schema_latest()) {
		if (!conf_bool("database", "auto_migrate") &&
		    strncmp(url, "sqlite:", 7) != 0) {
			log_err("the database schema is at version %d, %d is needed: run "
				"'magnumd db-sync'", db_schema_version(db), db_schema_latest());
			db_close(db);
			return 1;
		}
		r = db_migrate(db);
		if (r < 0) {
			log_err("schema migration failed: %s", db_errmsg(db));
			db_close(db);
			return 1;
		}
	}
	if (cmd) {
		r = identity_cli ? identity_cli(db, argc - optind, argv + optind) : -ENOENT;
		db_close(db);
		if (r == -ENOENT) {
			fprintf(stderr, "magnumd: unknown command '%s'\n", cmd);
			usage(stderr);
			return 2;
		}
		return r;
	}
	db_close(db);
	db = NULL;

	/*
	 * List replies are 100 KB+ JSON documents: keep such buffers on the heap
	 * instead of a fresh mmap (and page faults) per request, but give freed
	 * memory back beyond 2 MiB. Two malloc arenas instead of glibc's 8 per
	 * core: measured with 2,000 bays, 16 connections listing them, RSS 26.6
	 * instead of 32.6 MiB at the same req/s (bench/api).
	 */
	mallopt(M_MMAP_THRESHOLD, 8 << 20);
	mallopt(M_TRIM_THRESHOLD, 2 << 20);
	mallopt(M_ARENA_MAX, 2);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	r = db_global_init(url);
	if (r < 0)
		return 1;
	if (streq(conf_str("DEFAULT", "auth_strategy"), "keystone"))
		pki_set_token_source(auth_keystone_service_token);
	r = pki_init(&err);
	if (r < 0) {
		log_err("certificates: %s", err ? err : strerror(-r));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		log_err_errno(-errno, "pipe");
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	if (api) {
		/* Credentials exist before the first request can be answered. */
		purl = public_url((uint16_t)conf_int("api", "port"));
		if (streq(conf_str("DEFAULT", "auth_strategy"), "builtin") && identity_bootstrap) {
			r = identity_bootstrap(db_thread(), conf_str("DEFAULT", "state_path"), purl);
			if (r < 0) {
				log_err_errno(r, "identity bootstrap failed");
				return 1;
			}
		}
		r = api_server_start(conf_str("api", "host"), (uint16_t)conf_int("api", "port"),
				     (unsigned)conf_int("api", "workers"), &srv, &err);
		if (r < 0) {
			log_err("%s", err ? err : strerror(-r));
			return 1;
		}
		log_info("API listening on %s (auth %s, %.1f ms after start)", purl,
			 conf_str("DEFAULT", "auth_strategy"),
			 (double)(time_mono_us() - t0) / 1000.0);
	}
	if (conductor) {
		const char *h = conf_str("DEFAULT", "host");
		if (h == NULL || *h == '\0') {
			if (gethostname(hostname, sizeof(hostname)) < 0)
				snprintf(hostname, sizeof(hostname), "localhost");
			h = hostname;
		}
		r = conductor_start(h);
		if (r < 0) {
			log_err_errno(r, "conductor start failed");
			api_server_stop(srv);
			return 1;
		}
		log_info("conductor running as host %s", h);
	}
	while (!stop_signal) {
		struct pollfd pfd = { .fd = stop_pipe[0], .events = POLLIN };

		(void)poll(&pfd, 1, -1);
	}
	log_info("signal %d: stopping", (int)stop_signal);
	conductor_stop();
	api_server_stop(srv);
	db_close_all();
	pki_fini();
	curl_global_cleanup();
	return 0;
}
