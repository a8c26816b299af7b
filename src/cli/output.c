/* output.c - PrettyTable-style tables and JSON output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

static void
py(struct strbuf *sb, json_t *v, bool top)
{
	const char *k;
	json_t *e;
	size_t i;

	if (v == NULL || json_is_null(v)) {
		strbuf_puts(sb, top ? "-" : "None");
	} else if (json_is_true(v)) {
		strbuf_puts(sb, "True");
	} else if (json_is_false(v)) {
		strbuf_puts(sb, "False");
	} else if (json_is_string(v)) {
		strbuf_printf(sb, top ? "%s" : "'%s'", json_string_value(v));
	} else if (json_is_integer(v)) {
		strbuf_printf(sb, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		strbuf_printf(sb, "%g", json_real_value(v));
	} else if (json_is_array(v)) {
		strbuf_puts(sb, "[");
		json_array_foreach(v, i, e) {
			if (i)
				strbuf_puts(sb, ", ");
			py(sb, e, false);
		}
		strbuf_puts(sb, "]");
	} else if (json_is_object(v)) {
		bool first = true;
		strbuf_puts(sb, "{");
		json_object_foreach(v, k, e) {
			strbuf_printf(sb, "%s'%s': ", first ? "" : ", ", k);
			py(sb, e, false);
			first = false;
		}
		strbuf_puts(sb, "}");
	}
}

char *
out_value(json_t *v)
{
	struct strbuf sb = STRBUF_INIT;

	py(&sb, v, true);
	return strbuf_steal(&sb);
}

static void
rule(const size_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		putchar('+');
		for (size_t j = 0; j < w[i] + 2; j++)
			putchar('-');
	}
	puts("+");
}

static void
row(char **cells, const size_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("| %-*s ", (int)w[i], cells[i]);
	puts("|");
}

/* Print a table of nrows x ncols cells (row 0 = header). */
static void
table(char ***cells, size_t nrows, size_t ncols)
{
	size_t w[64] = { 0 };

	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncols && c < 64; c++)
			if (strlen(cells[r][c]) > w[c])
				w[c] = strlen(cells[r][c]);
	rule(w, ncols);
	row(cells[0], w, ncols);
	rule(w, ncols);
	for (size_t r = 1; r < nrows; r++)
		row(cells[r], w, ncols);
	if (nrows > 1)
		rule(w, ncols);
}

static bool
skipped(const char *k, const char *const *skip)
{
	for (size_t i = 0; skip && skip[i]; i++)
		if (strcmp(skip[i], k) == 0)
			return true;
	return false;
}

void
out_show(const struct cli *c, json_t *obj, const char *const *skip)
{
	size_t n = json_object_size(obj) + 1, r = 1;
	char ***cells;
	const char *k;
	json_t *v;

	if (c->json) {
		char *s = json_dumps(obj, JSON_INDENT(2) | JSON_ENCODE_ANY);
		puts(s ? s : "null");
		free(s);
		return;
	}
	cells = calloc(n, sizeof(*cells));
	cells[0] = calloc(2, sizeof(char *));
	cells[0][0] = strdup("Property");
	cells[0][1] = strdup("Value");
	json_object_foreach(obj, k, v) {
		if (strcmp(k, "links") == 0 || skipped(k, skip))
			continue;
		cells[r] = calloc(2, sizeof(char *));
		cells[r][0] = strdup(k);
		cells[r][1] = out_value(v);
		r++;
	}
	table(cells, r, 2);
	for (size_t i = 0; i < r; i++) {
		free(cells[i][0]);
		free(cells[i][1]);
		free(cells[i]);
	}
	free(cells);
}

void
out_list(const struct cli *c, json_t *items, const char *const *cols)
{
	size_t ncols = 0, nrows = json_array_size(items) + 1;
	char ***cells;
	json_t *it;
	size_t i;

	if (c->json) {
		char *s = json_dumps(items, JSON_INDENT(2));
		puts(s ? s : "[]");
		free(s);
		return;
	}
	while (cols[ncols])
		ncols++;
	cells = calloc(nrows, sizeof(*cells));
	cells[0] = calloc(ncols, sizeof(char *));
	for (size_t k = 0; k < ncols; k++)
		cells[0][k] = strdup(cols[k]);
	json_array_foreach(items, i, it) {
		cells[i + 1] = calloc(ncols, sizeof(char *));
		for (size_t k = 0; k < ncols; k++)
			cells[i + 1][k] = out_value(json_object_get(it, cols[k]));
	}
	table(cells, nrows, ncols);
	for (size_t r = 0; r < nrows; r++) {
		for (size_t k = 0; k < ncols; k++)
			free(cells[r][k]);
		free(cells[r]);
	}
	free(cells);
}
