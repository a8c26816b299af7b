/*
 * labels.h - label validation for baymodels/templates and bays/clusters:
 * string->string maps (numbers and bools coerced), a count cap, the flannel
 * labels (flannel_network_cidr a valid IPv4 CIDR, flannel_network_subnetlen an
 * integer that fits inside it, flannel_backend udp|vxlan|host-gw) and the
 * mesos labels of bay doc §2.5. Pure code; fuzzed by tests/fuzz/fuzz_labels.c.
 */
#pragma once

#include <jansson.h>

/*
 * Validate labels (object) for coe; returns 0 and a new normalised object, or
 * -EINVAL and *ret_msg (caller frees) naming the label and the allowed values.
 */
int labels_validate(json_t *labels, const char *coe, size_t max_labels, json_t **ret,
		    char **ret_msg);

/*
 * Parse the CLI/text form "k1=v1,k2=v2;k3=v3" into an object (a repeated key
 * is an error). Returns 0 and a new object, or -EINVAL with *ret_msg.
 */
int labels_parse_text(const char *text, json_t **ret, char **ret_msg);

/* Limits (the contract sets none; Magnum stores labels as one JSON text). */
#define LABELS_KEY_MAX		255	/* characters in a label name (at least 1) */
#define LABELS_VALUE_MAX	4096	/* characters in a value: room for the JSON of
					 * mesos_agent_executor_env_variables or a long
					 * no_proxy-style list */
#define LABELS_FLANNEL_CIDR	"10.100.0.0/16"	/* the templates' flannel_network_cidr */

/*
 * labels_validate, in this order (the first failure wins):
 * - NULL or JSON null gives {} (the contract's advice: drivers need a map).
 *   Not an object: "Invalid input for field/attribute labels. Value: '<v>'.
 *   Value not a valid dict: <v>".
 * - More than max_labels entries (0 = no cap): "Too many labels: N given, at
 *   most M are allowed".
 * - Each entry in order: a name of 1..255 characters ("Invalid label name
 *   '<k>': it must have 1 to 255 characters"; a longer name is not echoed);
 *   the value a string, or an int/float/bool coerced the way Python prints it
 *   (5, 1.5, "True"/"False"); a null, object or array value gives "Invalid
 *   label <k>: '<v>'. Wrong type. Expected '(<class 'str'>, (<class 'int'>,),
 *   <class 'bool'>, <class 'float'>)', got '<class 'dict'>'" (Magnum's reason,
 *   naming the label; Magnum lets null through); a value longer than 4096
 *   characters: "Invalid label <k>: the value has N characters, at most 4096
 *   are allowed".
 * - flannel (our addition: Magnum leaves these to Heat), whatever the COE:
 *   flannel_backend in udp|vxlan|host-gw; flannel_network_cidr a dotted-quad
 *   IPv4 network "a.b.c.d/n" with n <= 30 and no host bit set;
 *   flannel_network_subnetlen a decimal integer with prefix < len <= 30,
 *   prefix from flannel_network_cidr or the default 10.100.0.0/16. Texts:
 *   "Invalid label <k>: '<v>'. Allowed values: ...".
 * - mesos (bay doc §2.5), whatever the COE, with Magnum's texts and 400 for
 *   the docker-runtime rule (Magnum's 500 is a bug): mesos_agent_isolation
 *   items (split on ',', not trimmed, so "" and "a, b" fail) must be known,
 *   the unknown ones listed in order; mesos_agent_image_providers items are
 *   checked in order, lower-cased, the first unknown one reported, and
 *   "docker" needs the exact item docker/runtime in mesos_agent_isolation;
 *   mesos_agent_executor_env_variables must parse as JSON ("Json format
 *   error").
 * coe is accepted for callers and not used (it may be NULL).
 *
 * labels_parse_text follows magnumclient's format_labels for one --labels
 * argument: the text is split on ',' and ';' only when it holds more than one
 * '='; each item is KEY=VALUE split at the first '=' ("a=x=y" gives "x=y",
 * and "a=b,c" gives {"a": "b,c"}). "" gives {}. An item without '=' or with
 * an empty key: "labels must be a list of KEY=VALUE not <item>"; a repeated
 * key: "Label '<k>' is given more than once" (the client would build a list,
 * which the API refuses).
 */
