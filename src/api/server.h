/* server.h - start and stop the HTTP API (libmicrohttpd thread pool). */
#pragma once

#include <stdint.h>

struct api_server;

/* Listen on host:port with `workers` threads. Returns 0 or -errno (*ret_err set). */
int api_server_start(const char *host, uint16_t port, unsigned workers,
		     struct api_server **ret, char **ret_err);
/* The port actually bound (useful with port 0). */
uint16_t api_server_port(struct api_server *srv);
void api_server_stop(struct api_server *srv);
