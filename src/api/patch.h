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
 * Parse a Python literal dict/list of strings/numbers/bools/None, as
 * magnumclient sends for "/labels" ("{'k': 'v'}"). Returns 0 and a new JSON
 * value, or -EINVAL.
 */
int patch_parse_pyliteral(const char *s, json_t **ret);
