/*
 * microversion.h - OpenStack-API-Version / X-OpenStack-Magnum-API-Version
 * negotiation (bay doc §1.3, cluster doc §1.2). Pure code; fuzzed by
 * tests/fuzz/fuzz_microversion.c.
 */
#pragma once

enum mv_result {
	MV_OK = 0,
	MV_BAD_SERVICE,		/* 406 generic: "Invalid service type for OpenStack-API-Version header" */
	MV_BAD_VALUE,		/* 406 generic: "Invalid value for OpenStack-API-Version header" */
	MV_BAD_MAJOR,		/* 406 special: "Mutually exclusive versions requested. ..." */
	MV_BAD_MINOR,		/* 406 special: "Version X.Y was requested but the minor ..." */
};

/*
 * Parse the header value (new style "container-infra 1.5" / "... latest";
 * service token one of container-infra, container-infrastructure,
 * container-infrastructure-management; case-sensitive). legacy != 0 parses
 * the old X-OpenStack-Magnum-API-Version value ("1.1" / "latest").
 * value NULL means no header: minor = min_minor.
 * Writes the negotiated minor (or, on MV_BAD_MAJOR/MV_BAD_MINOR, the
 * requested major/minor for the message) and returns an mv_result.
 */
enum mv_result mv_parse(const char *value, int legacy, int min_minor, int max_minor,
			int *ret_major, int *ret_minor);
