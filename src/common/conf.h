/* conf.h - oslo INI configuration read through one typed option table. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum conf_type { CONF_STR, CONF_INT, CONF_BOOL, CONF_LIST };

struct conf_option {
	const char	*section;
	const char	*key;
	enum conf_type	type;
	const char	*def;	/* default as text; NULL = unset */
	const char	*help;
};

/* The option table (common/options.c); terminated by a NULL section. */
extern const struct conf_option conf_options[];

/*
 * Load an INI file over the defaults. Returns 0, -ENOENT if the file is
 * missing, -EINVAL on a syntax error or an unknown/ill-typed option
 * (*ret_err then names the line and problem; caller frees).
 */
int conf_load(const char *path, char **ret_err);
/* Set one value programmatically (after validation); 0 or -EINVAL. */
int conf_set(const char *section, const char *key, const char *value);
/* Forget every loaded value (tests). */
void conf_reset(void);

/* Typed getters: the loaded value, else the default. Abort on an unknown option. */
const char *conf_str(const char *section, const char *key);	/* may be NULL */
int64_t conf_int(const char *section, const char *key);
bool conf_bool(const char *section, const char *key);
/* True if the comma list option contains item (whitespace-trimmed). */
bool conf_list_has(const char *section, const char *key, const char *item);

/* Write magnum.conf.sample generated from the table. */
void conf_write_sample(FILE *f);
