/* Go text/template subset over jansson values (see gotmpl.h): a lexer that
 * makes Go's items, a parser of Go's node tree, and an evaluator whose values
 * are json_t references (NULL: Go's invalid value, "<no value>"). */
#include "gotmpl.h"
#include "gotmpl-int.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "ctrfmt.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- string builder ---- */

void gotmpl_sb_add(struct gotmpl_sb *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void gotmpl_sb_str(struct gotmpl_sb *b, const char *s)
{
	gotmpl_sb_add(b, s, strlen(s));
}

char *gotmpl_sb_take(struct gotmpl_sb *b)
{
	if (b->s == NULL)
		return xstrdup("");
	char *s = b->s;
	*b = (struct gotmpl_sb){0};
	return s;
}

/* ---- tree ---- */

enum tok_kind {
	T_EOF,
	T_TEXT,
	T_LEFT,
	T_RIGHT,
	T_FIELD,
	T_DOT,
	T_VAR,
	T_STRING,
	T_NUMBER,
	T_IDENT,
	T_BOOL,
	T_NIL,
	T_IF,
	T_ELSE,
	T_END,
	T_RANGE,
	T_WITH,
	T_PIPE,
	T_LPAREN,
	T_RPAREN,
	T_DECLARE,
	T_ASSIGN,
	T_COMMA,
	T_OTHERKW,
};

struct tok {
	enum tok_kind kind;
	size_t pos;
	char *val;  /* text, name, unquoted string */
	bool space; /* preceded by space */
};

enum arg_kind { A_FIELD, A_DOT, A_VAR, A_STR, A_INT, A_REAL, A_BOOL, A_NIL, A_IDENT, A_PIPE };

struct pipe;

struct arg {
	enum arg_kind kind;
	size_t pos;
	char *s; /* string literal, function or variable name */
	json_int_t i;
	double d;
	bool b;
	struct pipe *pipe;
	char **chain; /* field names after the operand */
	size_t nchain;
	char *src;
};

struct cmd {
	struct arg *args;
	size_t nargs;
	size_t pos;
	char *src;
};

struct pipe {
	char *decl[2];
	size_t ndecl;
	bool assign;
	struct cmd *cmds;
	size_t ncmds;
	size_t pos;
};

enum node_kind { N_TEXT, N_ACTION, N_IF, N_RANGE, N_WITH };

struct list;

struct node {
	enum node_kind kind;
	size_t pos;
	char *text;
	struct pipe *pipe;
	struct list *list, *else_list;
};

struct list {
	struct node **v;
	size_t n;
};

struct gotmpl {
	char *text;
	char *name;
	void **allocs;
	size_t nallocs;
	struct list *root;
};

static void *talloc(struct gotmpl *t, size_t n)
{
	void *p = xcalloc(1, n ? n : 1);
	t->allocs = xrealloc(t->allocs, (t->nallocs + 1) * sizeof(void *));
	t->allocs[t->nallocs++] = p;
	return p;
}

static char *tstrndup(struct gotmpl *t, const char *s, size_t n)
{
	char *p = talloc(t, n + 1);
	memcpy(p, s, n);
	return p;
}

/* grow an array allocated with talloc: a new copy (old one freed at the end) */
static void *tgrow(struct gotmpl *t, void *old, size_t n, size_t size)
{
	void *p = talloc(t, (n + 1) * size);
	if (old)
		memcpy(p, old, n * size);
	return p;
}

void gotmpl_free(struct gotmpl *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nallocs; i++)
		free(t->allocs[i]);
	free(t->allocs);
	free(t->text);
	free(t->name);
	free(t);
}

static size_t line_of(const char *text, size_t pos)
{
	size_t l = 1;
	for (size_t i = 0; i < pos && text[i]; i++)
		l += text[i] == '\n';
	return l;
}

static size_t col_of(const char *text, size_t pos)
{
	size_t c = 0;
	for (size_t i = 0; i < pos && text[i]; i++)
		c = text[i] == '\n' ? 0 : c + 1;
	return c;
}

/* ---- lexer ---- */

struct lexer {
	struct gotmpl *t;
	const char *s;
	struct tok *toks;
	size_t n;
	struct berth_error **err;
};

static void emit(struct lexer *lx, enum tok_kind k, size_t pos, char *val, bool space)
{
	lx->toks = tgrow(lx->t, lx->toks, lx->n, sizeof(struct tok));
	lx->toks[lx->n++] = (struct tok){k, pos, val, space};
}

static int lex_fail(struct lexer *lx, size_t pos, const char *msg)
{
	return berth_error_set(lx->err, EINVAL, "template: %s:%zu: %s", lx->t->name,
			       line_of(lx->s, pos), msg);
}

static const struct {
	const char *word;
	enum tok_kind kind;
} keywords[] = {
    {"if", T_IF},
    {"else", T_ELSE},
    {"end", T_END},
    {"range", T_RANGE},
    {"with", T_WITH},
    {"true", T_BOOL},
    {"false", T_BOOL},
    {"nil", T_NIL},
    {"define", T_OTHERKW},
    {"template", T_OTHERKW},
    {"block", T_OTHERKW},
    {"break", T_OTHERKW},
    {"continue", T_OTHERKW},
};

static bool is_alnum_(char c)
{
	return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

/* A quoted string literal at s[*i] (the quote): its value. */
static char *lex_string(struct lexer *lx, size_t *i)
{
	const char *s = lx->s;
	char q = s[*i];
	struct gotmpl_sb b = {0};
	size_t j = *i + 1;
	for (; s[j] && s[j] != q; j++) {
		if (q == '`') {
			gotmpl_sb_add(&b, s + j, 1);
			continue;
		}
		if (s[j] == '\n')
			break;
		if (s[j] != '\\') {
			gotmpl_sb_add(&b, s + j, 1);
			continue;
		}
		j++;
		char c = s[j];
		const char *map = "n\nt\tr\r\\\\\"\"''a\ab\bf\fv\v0\0";
		const char *m = c ? strchr(map, c) : NULL;
		if (m && (m - map) % 2 == 0 && c != '0') {
			gotmpl_sb_add(&b, m + 1, 1);
		} else if (c == 'x' && isxdigit((unsigned char)s[j + 1]) &&
			   isxdigit((unsigned char)s[j + 2])) {
			char hex[3] = {s[j + 1], s[j + 2], 0};
			char ch = (char)strtol(hex, NULL, 16);
			gotmpl_sb_add(&b, &ch, 1);
			j += 2;
		} else {
			free(b.s);
			lex_fail(lx, j, "unterminated quoted string");
			return NULL;
		}
	}
	if (s[j] != q) {
		free(b.s);
		lex_fail(lx, *i,
			 q == '`' ? "unterminated raw quoted string"
				  : "unterminated quoted string");
		return NULL;
	}
	*i = j + 1;
	cleanup_free char *v = gotmpl_sb_take(&b);
	return tstrndup(lx->t, v, strlen(v));
}

/* Inside an action from s[*i] to its "}}": 0 with *i after it and
 * *trim_right when it was " -}}". */
static int lex_action(struct lexer *lx, size_t *i, bool *trim_right)
{
	const char *s = lx->s;
	size_t j = *i;
	bool space = true;
	for (;;) {
		if (s[j] == '\0')
			return lex_fail(lx, j, "unclosed action");
		if (s[j] == ' ' && s[j + 1] == '-' && s[j + 2] == '}' && s[j + 3] == '}') {
			emit(lx, T_RIGHT, j, NULL, true);
			*trim_right = true;
			*i = j + 4;
			return 0;
		}
		if (s[j] == '}' && s[j + 1] == '}') {
			emit(lx, T_RIGHT, j, NULL, space);
			*trim_right = false;
			*i = j + 2;
			return 0;
		}
		char c = s[j];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = true;
			j++;
			continue;
		}
		size_t start = j;
		if (c == '"' || c == '`') {
			char *v = lex_string(lx, &j);
			if (v == NULL)
				return -1;
			emit(lx, T_STRING, start, v, space);
		} else if (c == '.' && is_alnum_(s[j + 1]) && !isdigit((unsigned char)s[j + 1])) {
			j++;
			while (is_alnum_(s[j]))
				j++;
			emit(lx, T_FIELD, start, tstrndup(lx->t, s + start + 1, j - start - 1),
			     space);
		} else if (c == '.' && !isdigit((unsigned char)s[j + 1])) {
			j++;
			emit(lx, T_DOT, start, NULL, space);
		} else if (c == '$') {
			j++;
			while (is_alnum_(s[j]))
				j++;
			emit(lx, T_VAR, start, tstrndup(lx->t, s + start, j - start), space);
		} else if (isdigit((unsigned char)c) || c == '.' ||
			   ((c == '-' || c == '+') &&
			    (isdigit((unsigned char)s[j + 1]) || s[j + 1] == '.'))) {
			j++;
			while (
			    isalnum((unsigned char)s[j]) || s[j] == '.' || s[j] == '_' ||
			    ((s[j] == '-' || s[j] == '+') && (s[j - 1] == 'e' || s[j - 1] == 'E')))
				j++;
			emit(lx, T_NUMBER, start, tstrndup(lx->t, s + start, j - start), space);
		} else if (c == '\'') {
			j++;
			if (s[j] == '\\')
				j++;
			if (s[j] == '\0' || s[j + 1] != '\'')
				return lex_fail(lx, start, "unterminated character constant");
			cleanup_free char *n = xasprintf("%d", (unsigned char)s[j]);
			j += 2;
			emit(lx, T_NUMBER, start, tstrndup(lx->t, n, strlen(n)), space);
		} else if (is_alnum_(c)) {
			while (is_alnum_(s[j]))
				j++;
			char *w = tstrndup(lx->t, s + start, j - start);
			enum tok_kind k = T_IDENT;
			for (size_t x = 0; x < sizeof(keywords) / sizeof(keywords[0]); x++)
				if (strcmp(keywords[x].word, w) == 0)
					k = keywords[x].kind;
			emit(lx, k, start, w, space);
		} else if (c == '|' || c == '(' || c == ')' || c == ',' || c == '=') {
			j++;
			emit(lx,
			     c == '|'	? T_PIPE
			     : c == '(' ? T_LPAREN
			     : c == ')' ? T_RPAREN
			     : c == ',' ? T_COMMA
					: T_ASSIGN,
			     start, NULL, space);
		} else if (c == ':' && s[j + 1] == '=') {
			j += 2;
			emit(lx, T_DECLARE, start, NULL, space);
		} else {
			cleanup_free char *m = xasprintf("unexpected \"%c\" in command", c);
			return lex_fail(lx, start, m);
		}
		space = false;
	}
}

static int lex(struct lexer *lx)
{
	const char *s = lx->s;
	size_t i = 0;
	bool trim_next = false;
	while (s[i]) {
		const char *a = strstr(s + i, "{{");
		size_t end = a ? (size_t)(a - s) : strlen(s);
		size_t tstart = i, tend = end;
		bool trim_left = a && a[2] == '-' &&
				 (a[3] == ' ' || a[3] == '\t' || a[3] == '\n' || a[3] == '\r');
		if (trim_next)
			while (tstart < tend && isspace((unsigned char)s[tstart]))
				tstart++;
		if (trim_left)
			while (tend > tstart && isspace((unsigned char)s[tend - 1]))
				tend--;
		if (tend > tstart)
			emit(lx, T_TEXT, tstart, tstrndup(lx->t, s + tstart, tend - tstart), false);
		if (a == NULL)
			break;
		i = end + 2 + (trim_left ? 2 : 0);
		/* a comment */
		if (s[i] == '/' && s[i + 1] == '*') {
			const char *e = strstr(s + i + 2, "*/");
			if (e == NULL)
				return lex_fail(lx, i, "unclosed comment");
			size_t k = (size_t)(e - s) + 2;
			trim_next = false;
			if (strncmp(s + k, " -}}", 4) == 0) {
				trim_next = true;
				k += 4;
			} else if (strncmp(s + k, "}}", 2) == 0) {
				k += 2;
			} else {
				return lex_fail(lx, k, "comment ends before closing delimiter");
			}
			i = k;
			continue;
		}
		emit(lx, T_LEFT, end, NULL, false);
		if (lex_action(lx, &i, &trim_next) < 0)
			return -1;
	}
	emit(lx, T_EOF, strlen(s), NULL, true);
	return 0;
}

/* ---- parser ---- */

struct parser {
	struct gotmpl *t;
	struct tok *toks;
	size_t i;
	char **vars;
	size_t nvars;
	struct berth_error **err;
};

static struct tok *peek(struct parser *p)
{
	return &p->toks[p->i];
}

static struct tok *next(struct parser *p)
{
	struct tok *t = &p->toks[p->i];
	if (t->kind != T_EOF)
		p->i++;
	return t;
}

static int pfail(struct parser *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int pfail(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *m = xvasprintf(fmt, ap);
	va_end(ap);
	return berth_error_set(p->err, EINVAL, "template: %s:%zu: %s", p->t->name,
			       line_of(p->t->text, pos), m);
}

static const char *const funcs[] = {
    "and",   "or",    "not", "len",	 "index",    "print", "printf", "println", "eq",
    "ne",    "lt",    "le",  "gt",	 "ge",	     "json",  "split",	"join",	   "title",
    "lower", "upper", "pad", "truncate", "urlquery", "html",  "js",	"slice",   NULL};

static bool is_func(const char *name)
{
	for (const char *const *f = funcs; *f; f++)
		if (strcmp(*f, name) == 0)
			return true;
	return false;
}

static struct pipe *parse_pipe(struct parser *p, const char *context, enum tok_kind end);

static const char *tok_desc(struct tok *t)
{
	switch (t->kind) {
	case T_RIGHT:
		return "\"}}\"";
	case T_RPAREN:
		return "\")\"";
	case T_EOF:
		return "EOF";
	case T_PIPE:
		return "\"|\"";
	case T_COMMA:
		return "\",\"";
	case T_DECLARE:
		return "\":=\"";
	case T_ASSIGN:
		return "\"=\"";
	default:
		return t->val ? t->val : "token";
	}
}

/* Field names right after an operand (".A.B" with no space). */
static void parse_chain(struct parser *p, struct arg *a)
{
	/* Go's node of a chain is where its second part starts */
	if (peek(p)->kind == T_FIELD && !peek(p)->space)
		a->pos = peek(p)->pos;
	while (peek(p)->kind == T_FIELD && !peek(p)->space) {
		a->chain = tgrow(p->t, a->chain, a->nchain, sizeof(char *));
		a->chain[a->nchain++] = next(p)->val;
	}
}

static int parse_operand(struct parser *p, struct arg *a)
{
	struct tok *t = next(p);
	size_t start = t->pos;
	*a = (struct arg){.pos = t->pos};
	switch (t->kind) {
	case T_FIELD:
		a->kind = A_FIELD;
		a->chain = tgrow(p->t, NULL, 0, sizeof(char *));
		a->chain[a->nchain++] = t->val;
		parse_chain(p, a);
		break;
	case T_DOT:
		a->kind = A_DOT;
		break;
	case T_VAR: {
		bool known = false;
		for (size_t i = 0; i < p->nvars; i++)
			known |= strcmp(p->vars[i], t->val) == 0;
		if (!known)
			return pfail(p, t->pos, "undefined variable \"%s\"", t->val);
		a->kind = A_VAR;
		a->s = t->val;
		parse_chain(p, a);
		break;
	}
	case T_STRING:
		a->kind = A_STR;
		a->s = t->val;
		break;
	case T_BOOL:
		a->kind = A_BOOL;
		a->b = strcmp(t->val, "true") == 0;
		break;
	case T_NIL:
		a->kind = A_NIL;
		break;
	case T_NUMBER: {
		char *end;
		errno = 0;
		long long v = strtoll(t->val, &end, 0);
		if (*end == '\0' && errno == 0) {
			a->kind = A_INT;
			a->i = v;
		} else {
			a->kind = A_REAL;
			a->d = strtod(t->val, &end);
			if (*end)
				return pfail(p, t->pos, "illegal number syntax: \"%s\"", t->val);
		}
		break;
	}
	case T_IDENT:
		if (!is_func(t->val))
			return pfail(p, t->pos, "function \"%s\" not defined", t->val);
		a->kind = A_IDENT;
		a->s = t->val;
		break;
	case T_LPAREN:
		a->kind = A_PIPE;
		a->pipe = parse_pipe(p, "parenthesized pipeline", T_RPAREN);
		if (a->pipe == NULL)
			return -1;
		parse_chain(p, a);
		break;
	default:
		return pfail(p, t->pos, "unexpected %s in operand", tok_desc(t));
	}
	size_t end = p->toks[p->i].pos;
	while (end > start && isspace((unsigned char)p->t->text[end - 1]))
		end--;
	a->src = tstrndup(p->t, p->t->text + start, end - start);
	return 0;
}

static struct pipe *parse_pipe(struct parser *p, const char *context, enum tok_kind end)
{
	struct pipe *pp = talloc(p->t, sizeof(*pp));
	pp->pos = peek(p)->pos;
	/* declarations: $x := / $k, $v := / $x = */
	if (peek(p)->kind == T_VAR) {
		size_t save = p->i;
		struct tok *v1 = next(p);
		struct tok *v2 = NULL;
		if (peek(p)->kind == T_COMMA) {
			next(p);
			if (peek(p)->kind == T_VAR)
				v2 = next(p);
		}
		if (peek(p)->kind == T_DECLARE || peek(p)->kind == T_ASSIGN) {
			pp->assign = next(p)->kind == T_ASSIGN;
			pp->decl[pp->ndecl++] = v1->val;
			if (v2)
				pp->decl[pp->ndecl++] = v2->val;
			for (size_t i = 0; i < pp->ndecl && !pp->assign; i++) {
				p->vars = xrealloc(p->vars, (p->nvars + 1) * sizeof(char *));
				p->vars[p->nvars++] = pp->decl[i];
			}
		} else {
			p->i = save;
		}
	}
	for (;;) {
		struct tok *t = peek(p);
		if (t->kind == end) {
			next(p);
			if (pp->ncmds == 0)
				return pfail(p, t->pos, "missing value for %s", context), NULL;
			return pp;
		}
		if (t->kind == T_EOF || (t->kind == T_RIGHT && end == T_RPAREN)) {
			pfail(p, t->pos,
			      end == T_RPAREN ? "unclosed left paren" : "unclosed action");
			return NULL;
		}
		struct cmd c = {.pos = t->pos};
		size_t start = t->pos;
		while (peek(p)->kind != end && peek(p)->kind != T_PIPE && peek(p)->kind != T_EOF &&
		       !(peek(p)->kind == T_RIGHT && end == T_RPAREN)) {
			struct arg a;
			if (parse_operand(p, &a) < 0)
				return NULL;
			c.args = tgrow(p->t, c.args, c.nargs, sizeof(struct arg));
			c.args[c.nargs++] = a;
		}
		if (c.nargs == 0)
			return pfail(p, peek(p)->pos, "missing value for command"), NULL;
		size_t e = p->toks[p->i].pos;
		while (e > start && isspace((unsigned char)p->t->text[e - 1]))
			e--;
		c.src = tstrndup(p->t, p->t->text + start, e - start);
		pp->cmds = tgrow(p->t, pp->cmds, pp->ncmds, sizeof(struct cmd));
		pp->cmds[pp->ncmds++] = c;
		if (peek(p)->kind == T_PIPE) {
			next(p);
			if (peek(p)->kind == end)
				return pfail(p, peek(p)->pos, "missing command after |"), NULL;
		}
	}
}

/* A list up to {{end}} or {{else}}: *stop is the keyword that ended it
 * (T_EOF at the end of the text). */
static struct list *parse_list(struct parser *p, enum tok_kind *stop);

static struct node *parse_control(struct parser *p, enum node_kind kind, size_t pos)
{
	static const char *const names[] = {"", "", "if", "range", "with"};
	size_t nvars = p->nvars;
	struct node *n = talloc(p->t, sizeof(*n));
	n->kind = kind;
	n->pos = pos;
	n->pipe = parse_pipe(p, names[kind], T_RIGHT);
	if (n->pipe == NULL)
		return NULL;
	enum tok_kind stop;
	n->list = parse_list(p, &stop);
	if (n->list == NULL)
		return NULL;
	if (stop == T_ELSE) {
		/* {{else if ...}} / {{else with ...}}: a nested node ending at the same {{end}} */
		if ((kind == N_IF && peek(p)->kind == T_IF) ||
		    (kind == N_WITH && peek(p)->kind == T_WITH)) {
			struct tok *kw = next(p);
			struct node *inner = parse_control(p, kind, kw->pos);
			if (inner == NULL)
				return NULL;
			n->else_list = talloc(p->t, sizeof(struct list));
			n->else_list->v = talloc(p->t, sizeof(struct node *));
			n->else_list->v[0] = inner;
			n->else_list->n = 1;
			p->nvars = nvars;
			return n;
		}
		if (next(p)->kind != T_RIGHT)
			return pfail(p, p->toks[p->i - 1].pos, "unexpected %s in else",
				     tok_desc(&p->toks[p->i - 1])),
			       NULL;
		n->else_list = parse_list(p, &stop);
		if (n->else_list == NULL)
			return NULL;
	}
	if (stop != T_END)
		return pfail(p, peek(p)->pos,
			     stop == T_EOF ? "unexpected EOF" : "unexpected {{else}}"),
		       NULL;
	if (next(p)->kind != T_RIGHT)
		return pfail(p, p->toks[p->i - 1].pos, "unexpected %s in end",
			     tok_desc(&p->toks[p->i - 1])),
		       NULL;
	p->nvars = nvars;
	return n;
}

static struct list *parse_list(struct parser *p, enum tok_kind *stop)
{
	struct list *l = talloc(p->t, sizeof(*l));
	for (;;) {
		struct tok *t = next(p);
		struct node *n = NULL;
		if (t->kind == T_EOF) {
			*stop = T_EOF;
			return l;
		}
		if (t->kind == T_TEXT) {
			n = talloc(p->t, sizeof(*n));
			n->kind = N_TEXT;
			n->text = t->val;
		} else {
			struct tok *k = peek(p);
			size_t pos = k->pos;
			if (k->kind == T_END || k->kind == T_ELSE) {
				next(p);
				*stop = k->kind;
				return l;
			}
			if (k->kind == T_IF || k->kind == T_RANGE || k->kind == T_WITH) {
				next(p);
				n = parse_control(p,
						  k->kind == T_IF      ? N_IF
						  : k->kind == T_RANGE ? N_RANGE
								       : N_WITH,
						  pos);
			} else if (k->kind == T_OTHERKW) {
				pfail(p, pos, "{{%s}} is not supported by berth", k->val);
			} else {
				n = talloc(p->t, sizeof(*n));
				n->kind = N_ACTION;
				n->pos = pos;
				n->pipe = parse_pipe(p, "command", T_RIGHT);
				if (n->pipe == NULL)
					n = NULL;
			}
			if (n == NULL)
				return NULL;
		}
		l->v = tgrow(p->t, l->v, l->n, sizeof(struct node *));
		l->v[l->n++] = n;
	}
}

struct gotmpl *gotmpl_parse(const char *text, struct berth_error **err)
{
	return gotmpl_parse_named(text, "", err);
}

struct gotmpl *gotmpl_parse_named(const char *text, const char *name, struct berth_error **err)
{
	struct gotmpl *t = xcalloc(1, sizeof(*t));
	t->text = xstrdup(text);
	t->name = xstrdup(name);
	struct lexer lx = {.t = t, .s = t->text, .err = err};
	if (lex(&lx) < 0) {
		gotmpl_free(t);
		return NULL;
	}
	struct parser p = {.t = t, .toks = lx.toks, .err = err};
	p.vars = xmalloc(sizeof(char *));
	p.vars[0] = "$";
	p.nvars = 1;
	enum tok_kind stop;
	t->root = parse_list(&p, &stop);
	if (t->root && stop != T_EOF) {
		pfail(&p, p.toks[p.i - 1].pos, "unexpected {{%s}}", stop == T_END ? "end" : "else");
		t->root = NULL;
	}
	free(p.vars);
	if (t->root == NULL) {
		gotmpl_free(t);
		return NULL;
	}
	return t;
}

/* ---- printing ---- */

static void print_real(struct gotmpl_sb *b, double d)
{
	if (isnan(d)) {
		gotmpl_sb_str(b, "NaN");
		return;
	}
	if (isinf(d)) {
		gotmpl_sb_str(b, d > 0 ? "+Inf" : "-Inf");
		return;
	}
	/* fmt's %v: strconv.FormatFloat(d, 'g', -1, 64): the shortest digits,
	 * %e when the exponent is < -4 or >= 6 (1e+06) */
	char buf[64];
	int prec = 1;
	for (; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	int exp = atoi(strchr(buf, 'e') + 1);
	if (exp < -4 || exp >= 6) {
		/* Go: mantissa without trailing zeros, exponent with at least two digits */
		char mant[40];
		snprintf(mant, sizeof(mant), "%.*e", prec - 1, d);
		*strchr(mant, 'e') = '\0';
		snprintf(buf, sizeof(buf), "%se%c%02d", mant, exp < 0 ? '-' : '+', abs(exp));
	} else {
		int decimals = prec - 1 - exp;
		snprintf(buf, sizeof(buf), "%.*f", decimals > 0 ? decimals : 0, d);
	}
	gotmpl_sb_str(b, buf);
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of an object, sorted (Go's map order in fmt and range). */
static const char **sorted_keys(json_t *o, size_t *n)
{
	*n = json_object_size(o);
	const char **k = xcalloc(*n + 1, sizeof(char *));
	size_t i = 0;
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) k[i++] = key;
	qsort(k, *n, sizeof(char *), cmp_keys);
	return k;
}

void gotmpl_print_to(struct gotmpl_sb *b, json_t *v)
{
	if (v == NULL) {
		gotmpl_sb_str(b, "<no value>");
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		gotmpl_sb_add(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER: {
		char buf[32];
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		gotmpl_sb_str(b, buf);
		break;
	}
	case JSON_REAL:
		print_real(b, json_real_value(v));
		break;
	case JSON_TRUE:
		gotmpl_sb_str(b, "true");
		break;
	case JSON_FALSE:
		gotmpl_sb_str(b, "false");
		break;
	case JSON_NULL:
		gotmpl_sb_str(b, "<nil>");
		break;
	case JSON_ARRAY: {
		gotmpl_sb_str(b, "[");
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				gotmpl_sb_str(b, " ");
			json_t *e = json_array_get(v, i);
			gotmpl_print_to(b, json_is_null(e) ? e : e);
		}
		gotmpl_sb_str(b, "]");
		break;
	}
	case JSON_OBJECT: {
		size_t n;
		cleanup_free const char **k = sorted_keys(v, &n);
		gotmpl_sb_str(b, "map[");
		for (size_t i = 0; i < n; i++) {
			if (i)
				gotmpl_sb_str(b, " ");
			gotmpl_sb_str(b, k[i]);
			gotmpl_sb_str(b, ":");
			gotmpl_print_to(b, json_object_get(v, k[i]));
		}
		gotmpl_sb_str(b, "]");
		break;
	}
	}
}

char *gotmpl_print_value(json_t *v)
{
	struct gotmpl_sb b = {0};
	gotmpl_print_to(&b, v);
	return gotmpl_sb_take(&b);
}

/* Go's type name of a value in messages. */
const char *gotmpl_type_name(json_t *v)
{
	if (v == NULL)
		return "<nil>";
	switch (json_typeof(v)) {
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "int";
	case JSON_REAL:
		return "float64";
	case JSON_TRUE:
	case JSON_FALSE:
		return "bool";
	case JSON_ARRAY:
		return "[]interface {}";
	case JSON_OBJECT:
		return "map[string]interface {}";
	default:
		return "interface {}";
	}
}

/* ---- evaluation ---- */

static void at(struct gotmpl_state *s, size_t pos, const char *src)
{
	s->at_pos = pos;
	s->at_src = src;
}

json_t *gotmpl_efail(struct gotmpl_state *s, const char *fmt, ...)
{
	if (s->failed)
		return NULL;
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *m = xvasprintf(fmt, ap);
	va_end(ap);
	berth_error_set(s->err, EINVAL, "template: %s:%zu:%zu: executing \"%s\" at <%s>: %s",
			s->t->name, line_of(s->t->text, s->at_pos), col_of(s->t->text, s->at_pos),
			s->t->name, s->at_src ? s->at_src : "", m);
	s->failed = true;
	return NULL;
}

bool gotmpl_truth(json_t *v)
{
	if (v == NULL)
		return false;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0;
	case JSON_TRUE:
		return true;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_OBJECT:
		return json_object_size(v) > 0;
	default:
		return false;
	}
}

static json_t *var_get(struct gotmpl_state *s, const char *name)
{
	for (size_t i = s->nvars; i > 0; i--)
		if (strcmp(s->vars[i - 1].name, name) == 0)
			return s->vars[i - 1].v;
	return NULL;
}

static void var_push(struct gotmpl_state *s, const char *name, json_t *v)
{
	s->vars = xrealloc(s->vars, (s->nvars + 1) * sizeof(struct gotmpl_var));
	s->vars[s->nvars++] = (struct gotmpl_var){name, v ? json_incref(v) : NULL};
}

static void var_pop(struct gotmpl_state *s, size_t to)
{
	while (s->nvars > to) {
		s->nvars--;
		json_decref(s->vars[s->nvars].v);
	}
}

static void var_set(struct gotmpl_state *s, const char *name, json_t *v)
{
	for (size_t i = s->nvars; i > 0; i--)
		if (strcmp(s->vars[i - 1].name, name) == 0) {
			json_decref(s->vars[i - 1].v);
			s->vars[i - 1].v = v ? json_incref(v) : NULL;
			return;
		}
}

/* Whether an object of the docker API is a Go struct: its keys are Go's
 * exported field names. */
static bool struct_like(json_t *o)
{
	const char *k;
	json_t *v;
	if (json_object_size(o) == 0)
		return false;
	json_object_foreach(o, k, v)
	{
		if (!isupper((unsigned char)k[0]))
			return false;
		for (const char *c = k; *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '_')
				return false;
	}
	return true;
}

/* The JSON name of a docker type's field named otherwise in Go. */
static const char *const go_aliases[] = {"APIVersion",
					 "ApiVersion",
					 "CPUShares",
					 "CpuShares",
					 "CPUPeriod",
					 "CpuPeriod",
					 "CPUQuota",
					 "CpuQuota",
					 "CPURealtimePeriod",
					 "CpuRealtimePeriod",
					 "CPURealtimeRuntime",
					 "CpuRealtimeRuntime",
					 "CPUCount",
					 "CpuCount",
					 "CPUPercent",
					 "CpuPercent",
					 NULL,
					 NULL};

static const char *go_alias(const char *name)
{
	for (size_t i = 0; go_aliases[i]; i += 2)
		if (strcmp(go_aliases[i], name) == 0)
			return go_aliases[i + 1];
	return "";
}

/* A JSON name that is no Go field name (CpuShares: the Go field is CPUShares). */
static bool json_only_name(const char *name)
{
	for (size_t i = 0; go_aliases[i]; i += 2)
		if (strcmp(go_aliases[i + 1], name) == 0)
			return true;
	return false;
}

/* The zero value of a field the docker types have and omit from their
 * JSON when empty (omitempty), as the typed object prints it. */
static json_t *typed_zero(const char *name)
{
	static const struct {
		const char *name, *zero;
	} zeros[] = {
	    {"Health", "null"},	      {"Node", "null"},
	    {"SizeRw", "null"},	      {"SizeRootFs", "null"},
	    {"Healthcheck", "null"},  {"StopTimeout", "null"},
	    {"ExposedPorts", "{}"},   {"Volumes", "{}"},
	    {"OnBuild", "[]"},	      {"Shell", "[]"},
	    {"StopSignal", "\"\""},   {"MacAddress", "\"\""},
	    {"ArgsEscaped", "false"}, {"NetworkDisabled", "false"},
	};
	for (size_t i = 0; i < sizeof(zeros) / sizeof(zeros[0]); i++)
		if (strcmp(zeros[i].name, name) == 0)
			return json_loads(zeros[i].zero, JSON_DECODE_ANY, NULL);
	return NULL;
}

/* .name on v: a new reference (NULL: no value), or NULL with s->failed. */
static bool name_in(const char *name, const char *const *names)
{
	for (; name && *names; names++)
		if (strcmp(*names, name) == 0)
			return true;
	return false;
}

/* Fields of the docker types that are Go maps (the others with
 * capitalized keys are structs) and slices or maps a JSON null stands for
 * (a nil slice prints "[]", a nil map "map[]"). */
static const char *const map_fields[] = {
    "Labels",	    "Data",	   "Options",	   "DriverOpts", "Sysctls",
    "StorageOpt",   "Annotations", "Tmpfs",	   "Networks",	 "Ports",
    "ExposedPorts", "Volumes",	   "IndexConfigs", "Runtimes",	 NULL};
static const char *const slice_fields[] = {
    "Entrypoint", "Cmd",	"Env",	       "OnBuild",     "Shell",		"Binds",
    "Dns",	  "DnsOptions", "DnsSearch",   "ExtraHosts",  "CapAdd",		"CapDrop",
    "GroupAdd",	  "Links",	"SecurityOpt", "VolumesFrom", "Mounts",		"Devices",
    "Ulimits",	  "RepoTags",	"RepoDigests", "Aliases",     "DeviceRequests", "BlkioWeightDevice",
    NULL};

/* .name on v (found as vname, NULL for "." or a variable) */
static json_t *field(struct gotmpl_state *s, json_t *v, const char *vname, const char *name)
{
	if (v == NULL)
		return NULL;
	if (json_is_object(v) && s->raw) {
		/* docker inspect's fallback: the raw map with missingkey=error
		 * (numbers as json.Number, a null as a nil interface{}: <no value>) */
		json_t *r = json_object_get(v, name);
		if (r)
			return json_is_null(r) ? NULL : json_incref(r);
		if (struct_like(v) && !name_in(vname, map_fields))
			return gotmpl_efail(s, "map has no entry for key \"%s\"", name);
		return NULL;
	}
	if (json_is_object(v)) {
		json_t *r = json_object_get(v, name);
		if (r && s->fallback && json_only_name(name) && struct_like(v))
			return gotmpl_efail(s, "can't evaluate field %s", name);
		if (r == NULL)
			r = json_object_get(v, go_alias(name));
		if (r && json_is_null(r) && s->missing_error && name_in(name, slice_fields))
			return json_incref(s->nil_slice);
		if (r && json_is_null(r) && s->missing_error && name_in(name, map_fields))
			return json_incref(s->nil_map);
		if (r)
			return json_incref(r);
		if (s->dot_type && v == s->root)
			return gotmpl_efail(s, "can't evaluate field %s in type %s", name,
					    s->dot_type);
		if (s->missing_error && struct_like(v) && !name_in(vname, map_fields)) {
			json_t *z = name_in(name, map_fields)	  ? json_incref(s->nil_map)
				    : name_in(name, slice_fields) ? json_incref(s->nil_slice)
								  : typed_zero(name);
			return z ? z : gotmpl_efail(s, "map has no entry for key \"%s\"", name);
		}
		return NULL;
	}
	if (json_is_null(v))
		return gotmpl_efail(s, "nil pointer evaluating interface {}.%s", name);
	return gotmpl_efail(s, "can't evaluate field %s in type %s", name,
			    s->missing_error ? "interface {}" : gotmpl_type_name(v));
}

static json_t *chain(struct gotmpl_state *s, json_t *v, char **names, size_t n)
{
	json_t *cur = v ? json_incref(v) : NULL;
	for (size_t i = 0; i < n && !s->failed; i++) {
		json_t *nx = field(s, cur, i ? names[i - 1] : NULL, names[i]);
		json_decref(cur);
		cur = nx;
	}
	return s->failed ? (json_decref(cur), NULL) : cur;
}

static json_t *eval_pipe(struct gotmpl_state *s, json_t *dot, const struct pipe *p);

static json_t *eval_arg(struct gotmpl_state *s, json_t *dot, const struct arg *a)
{
	at(s, a->pos, a->src);
	switch (a->kind) {
	case A_FIELD:
		return chain(s, dot, a->chain, a->nchain);
	case A_DOT:
		return dot ? json_incref(dot) : NULL;
	case A_VAR:
		return chain(s, var_get(s, a->s), a->chain, a->nchain);
	case A_STR:
		return json_string(a->s);
	case A_INT:
		return json_integer(a->i);
	case A_REAL:
		return json_real(a->d);
	case A_BOOL:
		return json_boolean(a->b);
	case A_NIL:
		return gotmpl_efail(s, "nil is not a command");
	case A_IDENT:
		return gotmpl_call_func(s, a->s, NULL, 0);
	case A_PIPE: {
		json_t *v = eval_pipe(s, dot, a->pipe);
		if (s->failed)
			return NULL;
		json_t *r = chain(s, v, a->chain, a->nchain);
		json_decref(v);
		return r;
	}
	}
	return NULL;
}

static void free_args(json_t **args, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(args[i]);
	free(args);
}

/* The evaluated arguments of a call (c's args after the first, then the
 * piped-in final value when has_final): *n of them; free_args frees. */
static json_t **eval_call_args(struct gotmpl_state *s, json_t *dot, const struct cmd *c,
			       json_t *final, bool has_final, size_t *n)
{
	*n = c->nargs - 1 + (has_final ? 1 : 0);
	json_t **args = xcalloc(*n + 1, sizeof(json_t *));
	for (size_t i = 1; i < c->nargs && !s->failed; i++)
		args[i - 1] = eval_arg(s, dot, &c->args[i]);
	if (has_final)
		args[*n - 1] = final ? json_incref(final) : NULL;
	return args;
}

/* A method call .a.b.Name arg... (ps's .Label "key"). */
static json_t *eval_method(struct gotmpl_state *s, json_t *dot, const struct cmd *c, json_t *final,
			   bool has_final)
{
	const struct arg *a = &c->args[0];
	json_t *recv = a->kind == A_FIELD ? chain(s, dot, a->chain, a->nchain - 1) : NULL;
	if (s->failed)
		return NULL;
	const char *name = a->chain[a->nchain - 1];
	size_t n;
	json_t **args = eval_call_args(s, dot, c, final, has_final, &n);
	at(s, a->pos, a->src);
	json_t *r = NULL;
	bool found = false;
	if (!s->failed && s->method) {
		struct berth_error *e = NULL;
		r = s->method(s->ud, recv, name, args, n, &found, &e);
		if (found && r == NULL) {
			gotmpl_efail(s, "error calling %s: %s", name, e ? e->msg : "failed");
			berth_error_free(&e);
		}
	}
	if (!s->failed && !found)
		gotmpl_efail(s, "%s is not a method but has arguments", name);
	json_decref(recv);
	free_args(args, n);
	return s->failed ? (json_decref(r), NULL) : r;
}

static json_t *eval_cmd(struct gotmpl_state *s, json_t *dot, const struct cmd *c, json_t *final,
			bool has_final)
{
	const struct arg *a0 = &c->args[0];
	if (a0->kind == A_IDENT) {
		size_t n;
		json_t **args = eval_call_args(s, dot, c, final, has_final, &n);
		json_t *r = NULL;
		if (!s->failed) {
			at(s, c->pos, c->src);
			r = gotmpl_call_func(s, a0->s, args, n);
		}
		free_args(args, n);
		return r;
	}
	if ((c->nargs > 1 || has_final) && a0->kind == A_FIELD)
		return eval_method(s, dot, c, final, has_final);
	if (c->nargs > 1 || has_final) {
		at(s, a0->pos, a0->src);
		return gotmpl_efail(s, "can't give argument to non-function %s", a0->src);
	}
	return eval_arg(s, dot, a0);
}

static json_t *eval_pipe(struct gotmpl_state *s, json_t *dot, const struct pipe *p)
{
	json_t *v = NULL;
	for (size_t i = 0; i < p->ncmds && !s->failed; i++) {
		json_t *nv = eval_cmd(s, dot, &p->cmds[i], v, i > 0);
		json_decref(v);
		v = nv;
	}
	if (s->failed) {
		json_decref(v);
		return NULL;
	}
	for (size_t i = 0; i < p->ndecl && p->ndecl == 1; i++) {
		if (p->assign)
			var_set(s, p->decl[i], v);
		else
			var_push(s, p->decl[i], v);
	}
	return v;
}

static void walk_list(struct gotmpl_state *s, json_t *dot, const struct list *l);

static void walk_range(struct gotmpl_state *s, json_t *dot, const struct node *n)
{
	size_t nvars = s->nvars;
	/* the declarations are set per element, not to the whole value */
	struct pipe p = *n->pipe;
	p.ndecl = 0;
	json_t *v = eval_pipe(s, dot, &p);
	if (s->failed)
		return;
	size_t count = 0;
	if (v == NULL || json_is_null(v)) {
		count = 0;
	} else if (json_is_array(v) || json_is_object(v) || json_is_integer(v)) {
		size_t nk = 0;
		cleanup_free const char **keys = json_is_object(v) ? sorted_keys(v, &nk) : NULL;
		count = json_is_array(v) ? json_array_size(v)
			: json_is_object(v)
			    ? nk
			    : (size_t)(json_integer_value(v) > 0 ? json_integer_value(v) : 0);
		for (size_t i = 0; i < count && !s->failed; i++) {
			cleanup_json json_t *key =
			    keys ? json_string(keys[i]) : json_integer((json_int_t)i);
			json_t *elem = json_is_array(v) ? json_incref(json_array_get(v, i))
				       : json_is_object(v)
					   ? json_incref(json_object_get(v, keys[i]))
					   : json_incref(key);
			if (n->pipe->ndecl == 1) {
				var_push(s, n->pipe->decl[0], elem);
			} else if (n->pipe->ndecl == 2) {
				var_push(s, n->pipe->decl[0], key);
				var_push(s, n->pipe->decl[1], elem);
			}
			walk_list(s, elem, n->list);
			json_decref(elem);
			var_pop(s, nvars);
		}
	} else {
		cleanup_free char *pv = gotmpl_print_value(v);
		gotmpl_efail(s, "range can't iterate over %s", pv);
	}
	json_decref(v);
	if (!s->failed && count == 0 && n->else_list)
		walk_list(s, dot, n->else_list);
	var_pop(s, nvars);
}

static void walk_list(struct gotmpl_state *s, json_t *dot, const struct list *l)
{
	for (size_t i = 0; i < l->n && !s->failed; i++) {
		const struct node *n = l->v[i];
		switch (n->kind) {
		case N_TEXT:
			gotmpl_sb_str(&s->out, n->text);
			break;
		case N_ACTION: {
			json_t *v = eval_pipe(s, dot, n->pipe);
			if (!s->failed && n->pipe->ndecl == 0)
				gotmpl_print_to(&s->out, v);
			json_decref(v);
			break;
		}
		case N_IF:
		case N_WITH: {
			size_t nvars = s->nvars;
			json_t *v = eval_pipe(s, dot, n->pipe);
			if (!s->failed) {
				if (gotmpl_truth(v))
					walk_list(s, n->kind == N_WITH ? v : dot, n->list);
				else if (n->else_list)
					walk_list(s, dot, n->else_list);
			}
			json_decref(v);
			var_pop(s, nvars);
			break;
		}
		case N_RANGE:
			walk_range(s, dot, n);
			break;
		}
	}
}

static int render_once(const struct gotmpl *t, json_t *data, const struct gotmpl_opts *o, bool raw,
		       char **out, struct berth_error **err);

int gotmpl_render_opts(const struct gotmpl *t, json_t *data, const struct gotmpl_opts *o,
		       char **out, struct berth_error **err)
{
	if (o == NULL || !o->raw_fallback)
		return render_once(t, data, o, false, out, err);
	/* docker inspect: the typed object; when that fails, the raw map */
	struct berth_error *e = NULL;
	if (render_once(t, data, o, false, out, &e) == 0)
		return 0;
	berth_error_free(&e);
	return render_once(t, data, o, true, out, err);
}

static int render_once(const struct gotmpl *t, json_t *data, const struct gotmpl_opts *o, bool raw,
		       char **out, struct berth_error **err)
{
	struct gotmpl_state s = {.t = t, .root = data, .err = err, .raw = raw};
	if (o) {
		s.method = o->method;
		s.ud = o->ud;
		s.missing_error = o->missing_error || o->raw_fallback;
		s.fallback = o->raw_fallback && !raw;
		s.dot_type = o->dot_type;
		s.header_funcs = o->header_funcs;
		s.json_root_escaped = o->json_root_escaped;
	}
	s.nil_slice = json_array();
	s.nil_map = json_object();
	var_push(&s, "$", data);
	walk_list(&s, data, t->root);
	var_pop(&s, 0);
	free(s.vars);
	json_decref(s.nil_slice);
	json_decref(s.nil_map);
	if (s.failed) {
		if (o && o->partial)
			*out = gotmpl_sb_take(&s.out);
		free(s.out.s);
		return -1;
	}
	*out = gotmpl_sb_take(&s.out);
	return 0;
}

int gotmpl_render(const struct gotmpl *t, json_t *data, char **out, struct berth_error **err)
{
	return gotmpl_render_opts(t, data, NULL, out, err);
}

int gotmpl_print(FILE *out, const char *format, json_t *data, const char *name,
		 const char *dot_type)
{
	struct berth_error *err = NULL;
	struct gotmpl *t = gotmpl_parse_named(format, name, &err);
	if (t == NULL) {
		fprintf(stderr, "template parsing error: %s\n", err->msg);
		berth_error_free(&err);
		return 64;
	}
	struct gotmpl_opts o = {.dot_type = dot_type, .missing_error = true, .partial = true};
	char *text = NULL;
	int r = gotmpl_render_opts(t, data, &o, &text, &err);
	gotmpl_free(t);
	fprintf(out, "%s\n", text ? text : "");
	fflush(out);
	free(text);
	if (r < 0) {
		fprintf(stderr, "%s\n", err->msg);
		berth_error_free(&err);
		return 1;
	}
	return 0;
}

static bool list_uses(const struct list *l, const char *f);

static bool pipe_uses(const struct pipe *p, const char *f)
{
	for (size_t i = 0; p && i < p->ncmds; i++)
		for (size_t j = 0; j < p->cmds[i].nargs; j++) {
			const struct arg *a = &p->cmds[i].args[j];
			if (a->kind == A_DOT ||
			    (a->kind == A_VAR && strcmp(a->s, "$") == 0 && a->nchain == 0))
				return true;
			for (size_t k = 0; k < a->nchain; k++)
				if (strcmp(a->chain[k], f) == 0)
					return true;
			if (a->kind == A_PIPE && pipe_uses(a->pipe, f))
				return true;
		}
	return false;
}

static bool list_uses(const struct list *l, const char *f)
{
	for (size_t i = 0; l && i < l->n; i++) {
		const struct node *n = l->v[i];
		if (pipe_uses(n->pipe, f) || list_uses(n->list, f) || list_uses(n->else_list, f))
			return true;
	}
	return false;
}

bool gotmpl_uses_field(const struct gotmpl *t, const char *field)
{
	return list_uses(t->root, field);
}
