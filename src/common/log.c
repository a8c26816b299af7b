/* log.c - one line per message on stderr: time, role, level, request id. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <pthread.h>

#include "common/log.h"

static const char *log_role = "magnum";
static enum log_level log_level = LOG_LEVEL_INFO;
static __thread char log_rid[64];
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void
log_init(const char *role, enum log_level level)
{
	log_role = role;
	log_level = level;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

void
log_set_request_id(const char *rid)
{
	if (rid == NULL)
		log_rid[0] = '\0';
	else
		snprintf(log_rid, sizeof(log_rid), "%s", rid);
}

void
log_msg(enum log_level lvl, int err, const char *fmt, ...)
{
	static const char *names[] = { "ERROR", "WARNING", "INFO", "DEBUG" };
	char ts[32], msg[2048], ebuf[128];
	struct timespec now;
	struct tm tm;
	va_list ap;

	if (lvl > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ebuf[0] = '\0';
	if (err)
		snprintf(ebuf, sizeof(ebuf), ": %s", strerrordesc_np(err < 0 ? -err : err));
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "%s.%03ld %s %s %s%s%s%s%s\n", ts, now.tv_nsec / 1000000, log_role,
		names[lvl], log_rid[0] ? "[" : "", log_rid, log_rid[0] ? "] " : "", msg, ebuf);
	pthread_mutex_unlock(&log_lock);
}
