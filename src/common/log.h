/* log.h - logging for program code (api/, conductor/, cmd/, cli/). */
#pragma once

#include <errno.h>

enum log_level { LOG_LEVEL_ERR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* Set the process role printed on every line ("api", "conductor", ...). */
void log_init(const char *role, enum log_level level);
void log_set_level(enum log_level level);
/* The request id of the calling thread (NULL clears it); printed on each line. */
void log_set_request_id(const char *rid);
void log_msg(enum log_level lvl, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_err(...)	log_msg(LOG_LEVEL_ERR, 0, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LEVEL_WARN, 0, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
/* Log with strerror(-r) appended; evaluates to r. */
#define log_err_errno(r, ...)	({ int _r = (r); log_msg(LOG_LEVEL_ERR, _r, __VA_ARGS__); _r; })
#define log_warn_errno(r, ...)	({ int _r = (r); log_msg(LOG_LEVEL_WARN, _r, __VA_ARGS__); _r; })
