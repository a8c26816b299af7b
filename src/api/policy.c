/*
 * policy.c - who may do what (spec §7 with the 2016 bugs fixed): a project
 * never sees or changes another project's objects; admin acts across
 * projects; reader may read, member may write.
 */
#include "api/api.h"
#include "common/cleanup.h"

bool
policy_can_read(const struct api_req *req, const char *project_id)
{
	if (req->id.is_admin)
		return true;
	return req->id.is_reader && project_id && streq(project_id, req->id.project_id);
}

bool
policy_can_write(const struct api_req *req, const char *project_id)
{
	if (req->id.is_admin)
		return true;
	return req->id.is_member && project_id && streq(project_id, req->id.project_id);
}
