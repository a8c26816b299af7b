/*
 * output.c - PrettyTable-style tables (left-aligned, one space of padding,
 * multi-line cells) and Python-style rendering of JSON values, as the python
 * client prints them; --json prints the raw response instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "cli/cli.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

/* Python repr() of a string: quotes chosen like CPython, escapes for controls. */
static void
py_repr_string(struct strbuf *sb, const char *s)
{
	char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';

	strbuf_append(sb, &q, 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\\')
			strbuf_puts(sb, "\\\\");
		else if (*p == (unsigned char)q)
			strbuf_printf(sb, "\\%c", q);
		else if (*p == '\n')
			strbuf_puts(sb, "\\n");
		else if (*p == '\r')
			strbuf_puts(sb, "\\r");
		else if (*p == '\t')
			strbuf_puts(sb, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			strbuf_printf(sb, "\\x%02x", *p);
		else
			strbuf_append(sb, p, 1);
	}
	strbuf_append(sb, &q, 1);
}

/* Python repr() of a float: the shortest round-tripping form, always with a '.' or exponent. */
static void
py_real(struct strbuf *sb, double d)
{
	char buf[64];

	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	strbuf_puts(sb, buf);
	if (!strpbrk(buf, ".eni"))
		strbuf_puts(sb, ".0");
}

/* str() at the top level, repr() inside containers. */
static void
py_value(struct strbuf *sb, json_t *v, bool top)
{
	const char *k;
	json_t *e;
	size_t i;
	bool first = true;

	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_NULL:
		strbuf_puts(sb, top ? "-" : "None");
		break;
	case JSON_TRUE:
		strbuf_puts(sb, "True");
		break;
	case JSON_FALSE:
		strbuf_puts(sb, "False");
		break;
	case JSON_STRING:
		if (top)
			strbuf_puts(sb, json_string_value(v));
		else
			py_repr_string(sb, json_string_value(v));
		break;
	case JSON_INTEGER:
		strbuf_printf(sb, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		py_real(sb, json_real_value(v));
		break;
	case JSON_ARRAY:
		strbuf_puts(sb, "[");
		json_array_foreach(v, i, e) {
			if (i)
				strbuf_puts(sb, ", ");
			py_value(sb, e, false);
		}
		strbuf_puts(sb, "]");
		break;
	case JSON_OBJECT:
		strbuf_puts(sb, "{");
		json_object_foreach(v, k, e) {
			if (!first)
				strbuf_puts(sb, ", ");
			py_repr_string(sb, k);
			strbuf_puts(sb, ": ");
			py_value(sb, e, false);
			first = false;
		}
		strbuf_puts(sb, "}");
		break;
	}
}

char *
cli_pyvalue(json_t *v)
{
	struct strbuf sb = STRBUF_INIT;

	if (strbuf_puts(&sb, "") < 0)
		return NULL;
	py_value(&sb, v, true);
	return strbuf_steal(&sb);
}

/* Display width of the n bytes at s (UTF-8; wide characters count 2). */
static size_t
text_width(const char *s, size_t n)
{
	mbstate_t st;
	size_t w = 0;

	memset(&st, 0, sizeof(st));
	while (n > 0) {
		wchar_t wc;
		size_t len = mbrtowc(&wc, s, n, &st);
		int cw;

		if (len == (size_t)-1 || len == (size_t)-2) {
			/* not valid in this locale: one column per byte */
			memset(&st, 0, sizeof(st));
			len = 1;
			cw = 1;
		} else {
			if (len == 0)
				len = 1;
			cw = wcwidth(wc);
			if (cw < 0)
				cw = len == 1 ? 1 : 0;
		}
		w += (size_t)cw;
		s += len;
		n -= len;
	}
	return w;
}

/* Width of the widest line of a cell. */
static size_t
cell_width(const char *s)
{
	size_t w = 0;

	for (;;) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		size_t lw = text_width(s, n);

		if (lw > w)
			w = lw;
		if (nl == NULL)
			return w;
		s = nl + 1;
	}
}

static size_t
cell_lines(const char *s)
{
	size_t n = 1;

	for (; *s; s++)
		if (*s == '\n')
			n++;
	return n;
}

/* Line number k of a cell: start and length (empty past the end). */
static const char *
cell_line(const char *s, size_t k, size_t *ret_len)
{
	for (; k > 0; k--) {
		s = strchr(s, '\n');
		if (s == NULL) {
			*ret_len = 0;
			return "";
		}
		s++;
	}
	*ret_len = strchr(s, '\n') ? (size_t)(strchr(s, '\n') - s) : strlen(s);
	return s;
}

static void
rule(struct strbuf *sb, const size_t *w, size_t ncols)
{
	for (size_t i = 0; i < ncols; i++) {
		strbuf_puts(sb, "+");
		for (size_t j = 0; j < w[i] + 2; j++)
			strbuf_puts(sb, "-");
	}
	strbuf_puts(sb, "+\n");
}

static void
row(struct strbuf *sb, const size_t *w, const char *const *cells, size_t ncols)
{
	size_t height = 1;

	for (size_t i = 0; i < ncols; i++)
		if (cell_lines(cells[i]) > height)
			height = cell_lines(cells[i]);
	for (size_t k = 0; k < height; k++) {
		for (size_t i = 0; i < ncols; i++) {
			size_t len;
			const char *line = cell_line(cells[i], k, &len);
			size_t pad = w[i] - text_width(line, len);

			strbuf_puts(sb, "| ");
			strbuf_append(sb, line, len);
			strbuf_printf(sb, "%*s ", (int)pad, "");
		}
		strbuf_puts(sb, "|\n");
	}
}

char *
cli_table_render(const char *const *header, size_t ncols, char *const *const *rows, size_t nrows)
{
	_cleanup_free_ size_t *w = calloc(ncols ? ncols : 1, sizeof(*w));
	struct strbuf sb = STRBUF_INIT;

	if (w == NULL || strbuf_puts(&sb, "") < 0)
		return NULL;
	for (size_t i = 0; i < ncols; i++) {
		w[i] = cell_width(header[i]);
		for (size_t r = 0; r < nrows; r++)
			if (cell_width(rows[r][i]) > w[i])
				w[i] = cell_width(rows[r][i]);
	}
	rule(&sb, w, ncols);
	row(&sb, w, header, ncols);
	rule(&sb, w, ncols);
	for (size_t r = 0; r < nrows; r++)
		row(&sb, w, (const char *const *)rows[r], ncols);
	rule(&sb, w, ncols);
	return strbuf_steal(&sb);
}

/* A growable list of rows of owned cells. */
struct grid {
	char	***rows;
	size_t	n;
	size_t	ncols;
};

static void
grid_free(struct grid *g)
{
	for (size_t r = 0; r < g->n; r++) {
		for (size_t i = 0; i < g->ncols; i++)
			free(g->rows[r][i]);
		free(g->rows[r]);
	}
	free(g->rows);
}

/* Append a row taking the cells; -ENOMEM frees them. */
static int
grid_add(struct grid *g, char **cells)
{
	char ***n = realloc(g->rows, (g->n + 1) * sizeof(*n));

	if (n == NULL) {
		for (size_t i = 0; i < g->ncols; i++)
			free(cells[i]);
		free(cells);
		return -1;
	}
	g->rows = n;
	g->rows[g->n++] = cells;
	return 0;
}

static int
grid_add2(struct grid *g, const char *a, const char *b, size_t blen)
{
	char **cells = calloc(2, sizeof(char *));

	if (cells == NULL)
		return -1;
	cells[0] = strdup(a);
	cells[1] = strndup(b, blen);
	return grid_add(g, cells);
}

char *
cli_show_render(json_t *obj)
{
	static const char *const header[] = { "Property", "Value" };
	struct grid g = { .ncols = 2 };
	const char *k;
	json_t *v;
	char *out;

	json_object_foreach(obj, k, v) {
		_cleanup_free_ char *s = NULL;
		const char *p, *sep;

		if (streq(k, "links"))
			continue;
		s = cli_pyvalue(v);
		if (s == NULL)
			break;
		/* The client splits string values at a literal backslash-n into rows. */
		if (!json_is_string(v) || strstr(s, "\\n") == NULL) {
			grid_add2(&g, k, s, strlen(s));
			continue;
		}
		p = s;
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		for (bool first = true;; first = false) {
			sep = strstr(p, "\\n");
			grid_add2(&g, first ? k : "", p, sep ? (size_t)(sep - p) : strlen(p));
			if (sep == NULL)
				break;
			p = sep + 2;
		}
	}
	out = cli_table_render(header, 2, (char *const *const *)g.rows, g.n);
	grid_free(&g);
	return out;
}

char *
cli_list_render(json_t *items, const char *const *cols, size_t ncols)
{
	struct grid g = { .ncols = ncols };
	json_t *it;
	size_t i;
	char *out;

	json_array_foreach(items, i, it) {
		char **cells = calloc(ncols ? ncols : 1, sizeof(char *));

		if (cells == NULL)
			break;
		for (size_t k = 0; k < ncols; k++) {
			json_t *v = json_object_get(it, cols[k]);

			cells[k] = v ? cli_pyvalue(v) : strdup("");
		}
		if (grid_add(&g, cells) < 0)
			break;
	}
	out = cli_table_render(cols, ncols, (char *const *const *)g.rows, g.n);
	grid_free(&g);
	return out;
}

void
cli_print_json(json_t *body)
{
	_cleanup_free_ char *s = NULL;

	if (body == NULL)
		return;
	s = json_dumps(body, JSON_INDENT(2) | JSON_ENCODE_ANY);
	if (s)
		printf("%s\n", s);
}

void
cli_print_show(const struct cli *c, json_t *obj)
{
	_cleanup_free_ char *s = NULL;

	if (c->json) {
		cli_print_json(obj);
		return;
	}
	s = cli_show_render(obj);
	if (s)
		fputs(s, stdout);
}

void
cli_print_list(const struct cli *c, json_t *body, const char *key, const char *const *cols,
	       size_t ncols)
{
	_cleanup_free_ char *s = NULL;

	if (c->json) {
		cli_print_json(body);
		return;
	}
	s = cli_list_render(json_object_get(body, key), cols, ncols);
	if (s)
		fputs(s, stdout);
}
