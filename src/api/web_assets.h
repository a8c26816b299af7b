/* web_assets.h - dashboard files embedded at build time (scripts/embed_assets.py). */
#pragma once

#include <stddef.h>

struct web_asset {
	const char		*path;	/* "/index.html" */
	const char		*content_type;
	const unsigned char	*data;
	size_t			size;
};

extern const struct web_asset web_assets[];	/* terminated by a NULL path */
