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
