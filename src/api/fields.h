/*
 * fields.h - schema-driven decoding of request bodies (the wsme rules of the
 * spec, bay doc §1.4.5): types, lengths, patterns, enums, ranges, read-only
 * and mandatory fields, boolean spellings, unknown attributes. Pure code: no
 * I/O, no DB; fuzzed by tests/fuzz/fuzz_body.c.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

enum field_type {
	FT_STRING,	/* JSON string */
	FT_INT,		/* JSON integer (or a string of digits, coerced) */
	FT_BOOL,	/* JSON bool, 0/1, or the t/true/y/yes/on/1 spellings */
	FT_UUID,	/* string that is UUID-like (normalised to dashed lowercase) */
	FT_DICT,	/* object string -> string (numbers/bools coerced to strings) */
	FT_LIST,	/* array of strings */
	FT_ANY,		/* any JSON value, kept as is */
};

#define F_READONLY	0x01	/* 400 "... Cannot set read only field." when present */
#define F_MANDATORY	0x02	/* 400 "... Mandatory field missing." when absent or null */
#define F_IGNORED	0x04	/* accepted and dropped from the result */

struct field_spec {
	const char		*name;
	enum field_type		type;
	unsigned		flags;
	int64_t			min;	/* FT_STRING: min length; FT_INT: min value */
	int64_t			max;	/* FT_STRING: max length (0 = none); FT_INT: max (0 = none) */
	const char		*pattern;	/* FT_STRING: POSIX ERE the value must match, or NULL */
	const char *const	*choices;	/* FT_STRING: NULL-terminated allowed values, or NULL */
	const char		*def;	/* default as JSON text applied when absent, or NULL */
};

/*
 * Decode body (a JSON object) against specs (terminated by a NULL name).
 * argname is the wsme argument name used in messages ("bay", "baymodel",
 * "cluster", "clustertemplate", "certificate", ...).
 * On success returns 0 and *ret_obj: a new object holding every known field
 * present in body (normalised: ints as integers, bools as booleans, dicts as
 * string maps) plus defaults for absent fields that have one; JSON null stays
 * null (and suppresses the default). On failure returns -EINVAL and
 * *ret_msg (caller frees) holds Magnum's message, e.g.
 *   "Invalid input for field/attribute node_count. Value: '0'. Value should be greater or equal to 1"
 *   "Unknown attribute for argument bay: foo" / "Unknown attributes for argument bay: a, b"
 */
int fields_decode(const struct field_spec *specs, const char *argname, json_t *body,
		  json_t **ret_obj, char **ret_msg);

/*
 * Check and normalise one value for spec (used again after JSON-Patch).
 * Returns 0 and a new reference in *ret_val, or -EINVAL with *ret_msg.
 */
int fields_check_value(const struct field_spec *spec, json_t *val, json_t **ret_val,
		       char **ret_msg);

/* Spec for name, or NULL. */
const struct field_spec *fields_find(const struct field_spec *specs, const char *name);
