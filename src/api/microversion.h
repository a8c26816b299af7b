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

/*
 * Parsing, as Magnum's Version.parse_headers does it:
 * - New style: the value splits on whitespace (Python's str.split(): also
 *   \x1c-\x1f, \x85, \xa0) into exactly two tokens, else MV_BAD_SERVICE
 *   ("", "1.5", "container-infra 1.5, compute 2.1"). A second token equal to
 *   "latest" in any case gives max_minor whatever the first token is (the
 *   quirk: "foo latest" passes). Otherwise the first token must be one of the
 *   service names, case-sensitive (MV_BAD_SERVICE).
 * - Legacy: the whole value is the version; "latest" (any case) gives
 *   max_minor.
 * - The version is "X.Y", each part read like Python's int(): spaces around,
 *   a sign, '_' between digits and leading zeros are accepted ("01.05" is 1.5,
 *   "1.-1" is a minor of -1, so MV_BAD_MINOR); anything else, and parts of
 *   more than 9 significant digits, give MV_BAD_VALUE.
 * - Then major != 1 gives MV_BAD_MAJOR and a minor outside
 *   [min_minor, max_minor] MV_BAD_MINOR, both with the requested numbers
 *   written out. On MV_BAD_SERVICE and MV_BAD_VALUE the outputs are 1 and
 *   min_minor.
 */
