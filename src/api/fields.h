/*
 * fields.h - schema-driven decoding of request bodies (the wsme rules of the
 * spec, bay doc §1.4.5): types, lengths, patterns, enums, ranges, read-only
 * and mandatory fields, boolean spellings, unknown attributes. Pure code: no
 * I/O, no DB; fuzzed by tests/fuzz/fuzz_body.c.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
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

/*
 * Python's str() and repr() of a JSON value, as Magnum's messages print
 * values: None, True, 5, 1.5, 1e+16, {'k': 'v'}, [1, 'a']. str() leaves a
 * top-level string raw, repr() quotes it the way Python does (single quotes
 * unless the text holds a ' and no ", with \n, \x1b, \u200b... escapes).
 * Returns a new string (caller frees), or NULL on OOM.
 */
char *fields_py_str(json_t *v);
char *fields_py_repr(json_t *v);

/*
 * wsme's InvalidInput into *ret_msg: "Invalid input for field/attribute
 * <name>. Value: '<str(v)>'. <reason>". Returns -EINVAL (-ENOMEM if the
 * text cannot be built).
 */
int fields_invalid(char **ret_msg, const char *name, json_t *v, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Number of characters (Unicode code points) in UTF-8 s, as Python's len(). */
size_t fields_char_count(const char *s);

/*
 * Decisions (Magnum/wsme behaviour kept unless noted):
 * - Order: unknown attributes first (sorted, as "a, b"), then the fields in
 *   table order (wsme checks attributes in declaration order); the first
 *   failure wins. A body that is not an object gives wsme's
 *   "Invalid input for field/attribute <arg>. Value: '<v>'. Value not a valid dict: <v>".
 * - A read-only field is refused whatever its value (null too); its value is
 *   checked first, as wsme converts before it looks at the flag. F_IGNORED
 *   fields are dropped unchecked.
 * - Mandatory: absent or null -> "... Value: 'None'. Mandatory field missing."
 *   (Magnum lets null through; the contract asks us to refuse it.)
 * - FT_STRING: non-strings -> "Value should be string" (or the enum text when
 *   choices is set); lengths count characters, not bytes; choices are listed
 *   in table order (Python prints its set in hash order); pattern is a POSIX
 *   ERE searched in the value, and "$" does not match before a final newline.
 * - FT_INT: integers, integral reals (2.0), and strings Python's int() takes
 *   (" 5", "+5", "1_000"); booleans, "5.0", "x" and 2.5 give
 *   "Value should be integer" (wsme reports that against the whole argument
 *   with Python's "invalid literal for int()" text). Values beyond int64 give
 *   the range message with the spec bound, or with INT64_MAX when max is 0.
 * - FT_BOOL: oslo bool_from_string(strict): JSON booleans, or str(value)
 *   stripped and lower-cased in 1/t/true/on/y/yes, 0/f/false/off/n/no, so the
 *   integers 0 and 1 pass and 2 does not. The error is Magnum's bare text
 *   "Unrecognized value '<v>', acceptable values are: '0', '1', ..." (no
 *   "Invalid input" prefix: Magnum raises it outside wsme's wrapper).
 * - FT_UUID: Magnum's "Expected a uuid but received <v>." (bare text).
 * - FT_DICT: object of str/int/bool/float values, coerced to strings (ints in
 *   decimal, floats as Python prints them, bools "True"/"False"). A null,
 *   object or array value gives Magnum's "Wrong type. Expected '(<class 'str'>,
 *   (<class 'int'>,), <class 'bool'>, <class 'float'>)', got '<class 'dict'>'"
 *   with the whole map as Value. Not an object: fields_decode gives wsme's
 *   argument-level "Invalid input for field/attribute <arg>. Value: '<body>'.
 *   Value not a valid dict: <v>"; fields_check_value names the field instead.
 * - FT_LIST: array of strings, same two forms with "Value not a valid list";
 *   a non-string item gives "Wrong type. Expected '<class 'str'>', got ...".
 * - Out of memory gives -ENOMEM and no message.
 */
