/*
 * patch.h - JSON-Patch (RFC 6902 subset: add, replace, remove) as Magnum
 * applies it to bays, baymodels, clusters, templates and nodegroups (bay doc
 * §1.8, cluster doc §2.1). Pure code; fuzzed by tests/fuzz/fuzz_patch.c.
 */
#pragma once

#include <stdbool.h>
#include <jansson.h>

struct patch_rules {
	const char *const	*internal;	/* paths refused: "'<p>' is an internal attribute and can not be updated" */
	const char *const	*mandatory;	/* paths whose remove is refused: "... is a mandatory attribute and can not be removed" */
	const char *const	*dict_paths;	/* e.g. "/labels": replace with a string parses a Python dict literal */
	bool			allow_falsy;	/* cluster era: false/0/"" allowed as add/replace values */
	json_t			*defaults;	/* object: attribute -> value restored by remove (e.g. node_count 1) */
};

/*
 * Validate the ops in patch (a JSON array) and apply them to a copy of doc.
 * Returns 0 and *ret_doc (new object), or -EINVAL and *ret_msg (caller frees)
 * with Magnum's text, e.g. "Couldn't apply patch '[...]'. Reason: ..." or
 * "The attribute /x has existed, please use 'replace' operation instead.".
 * Values that are strings stay strings; callers re-type-check the result
 * with fields_check_value().
 */
int patch_apply(json_t *doc, json_t *patch, const struct patch_rules *rules, json_t **ret_doc,
		char **ret_msg);

/*
 * Order and texts (Magnum's unless noted):
 * 1. patch not a list: "Invalid input for field/attribute patch. Value: '<v>'.
 *    Value not a valid list: <v>" (wsme's text); an item that is not an object:
 *    "... Value not a valid dict: <item>" (Magnum answers 500 there).
 * 2. Per op, in order: keys other than path/op/value -> "Unknown attribute(s)
 *    for argument patch: <sorted>"; path absent or null -> "Invalid input for
 *    field/attribute path. Value: 'None'. Mandatory field missing.", not a
 *    string -> "... Value should be string", not ^(/[\w-]+)+$ -> "... Value
 *    should match the pattern ^(/[\w-]+)+$" (\w takes ASCII letters, digits,
 *    '_' and every non-ASCII character; a trailing newline is refused); op
 *    absent/null -> "... op. Value: 'None'. Mandatory field missing.", other
 *    than add/replace/remove -> "... Value should be one of: add, replace,
 *    remove" (Python prints its set in hash order, e.g. "replace, remove, add";
 *    we keep the declaration order); a value that is an object, array or real
 *    -> "Invalid input for field/attribute value. Value: '<v>'. Wrong type.
 *    Expected '(<class 'str'>, <class 'int'>)', got '<class 'dict'>'" (checked
 *    for remove too); then the internal path, the mandatory remove, and the
 *    value rule: add/replace need a value, truthy in the bay era (not
 *    allow_falsy: absent, null, "", 0 and false are refused), present and
 *    non-null in the cluster era.
 * 3. Every single-segment add, against the original doc: "Adding a new
 *    attribute /x to the root of the resource is not allowed." or "The
 *    attribute /x has existed, please use 'replace' operation instead.".
 * 4. A replace of a dict_paths entry with a string parses it with
 *    patch_parse_pyliteral() (any literal: the caller type-checks it); a
 *    string that does not parse -> "Couldn't apply patch '<p>'. Reason:
 *    malformed node or string".
 * 5. The ops apply in order to a copy (RFC 6902 / python-jsonpatch):
 *    replace/remove of a missing member -> "can't replace|remove a non-existent
 *    object 'k'". Nested paths work only below a dict_paths attribute (else
 *    "unable to fully resolve json pointer <path>, part <p>", or "member 'x'
 *    not found in <doc>" when /x does not exist); an add below a null
 *    dict_paths attribute creates the map first (Magnum fails there). Arrays
 *    inside take indexes and '-' (append) as jsonpatch does.
 *    Every failure here is "Couldn't apply patch '<p>'. Reason: <reason>", <p>
 *    being the Python repr of the validated ops ([{'path': ..., 'op': ...,
 *    'value': ...}], value shown when truthy, or when present in the cluster
 *    era).
 * 6. Top-level attributes removed by the patch come back as
 *    rules->defaults[attr] when there is one, else null.
 * rules may be NULL (no internal, mandatory or dict paths; bay-era values).
 * Out of memory gives -ENOMEM and no message.
 */

/*
 * Parse a Python literal dict/list of strings/numbers/bools/None, as
 * magnumclient sends for "/labels" ("{'k': 'v'}"). Returns 0 and a new JSON
 * value, or -EINVAL.
 * Accepted (ast.literal_eval's grammar, within what JSON can hold): dicts
 * with string keys, lists, tuples (as arrays), strings in ' or " (also
 * triple-quoted, u/r prefixes, escapes \n \xhh \uhhhh \Uhhhhhhhh \ooo,
 * adjacent literals concatenated), ints (decimal, 0x/0o/0b, '_' separators,
 * one sign) within int64, finite floats, True/False/None, '#' comments,
 * trailing commas. Refused: sets, bytes, complex numbers, non-string keys,
 * NUL or surrogate characters, nesting deeper than 100, JSON spellings
 * (true, null).
 */
int patch_parse_pyliteral(const char *s, json_t **ret);
