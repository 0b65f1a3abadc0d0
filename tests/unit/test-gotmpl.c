/* cmd/berth/gotmpl.c: the Go text/template subset of --format/-f. The
 * expected outputs and messages are what Go's text/template (through the
 * docker CLI) prints for the same template and data. */
#include "test-util.h"

#include "gotmpl.h"

static const char *const data_text =
    "{'Name':'/web','Id':'abc','N':3,'F':1.5,'Big':1000000.0,'T':true,'Z':null,'E':'',"
    "'L':{'b':'2','a':'1','com.x':'y'},'A':['x','y'],'Empty':[],"
    "'S':{'Status':'running','Running':true,'Pid':42},'M':[{'Src':'/a'},{'Src':'/b'}]}";

/* render text over data with opts: the output, or NULL with *err */
static char *render(const char *text, const struct gotmpl_opts *o, struct berth_error **err)
{
	json_t *data = tu_json(data_text);
	struct gotmpl *t = gotmpl_parse(text, err);
	char *out = NULL;
	if (t && gotmpl_render_opts(t, data, o, &out, err) < 0 && !(o && o->partial))
		out = NULL;
	gotmpl_free(t);
	json_decref(data);
	return out;
}

static void test_good(void **state)
{
	(void)state;
	static const struct {
		const char *tmpl, *want;
	} cases[] = {
	    {"text only", "text only"},
	    {"{{.Name}}", "/web"},
	    {"{{.S.Status}} {{ .S.Running }}", "running true"},
	    {"{{.Nope}}|{{.Nope.X}}", "<no value>|<no value>"},
	    {"{{.Z}}", "<nil>"},
	    {"{{.N}} {{.F}} {{.Big}} {{.T}}", "3 1.5 1e+06 true"},
	    {"{{.L}}", "map[a:1 b:2 com.x:y]"},
	    {"{{.A}} {{.Empty}}", "[x y] []"},
	    {"{{.M}}", "[map[Src:/a] map[Src:/b]]"},
	    {"a {{- .Id -}} b", "aabcb"},
	    {"a  {{- .Id}}  {{- .Id -}}\n  b", "aabcabcb"},
	    {"{{.Name | printf \"%s!\" | upper}}", "/WEB!"},
	    {"{{json .A}} {{json .L}} {{json .Nope}}",
	     "[\"x\",\"y\"] {\"b\":\"2\",\"a\":\"1\",\"com.x\":\"y\"} null"},
	    {"{{json \"<a>\"}}", "\"<a>\""},
	    {"{{index .L \"com.x\"}} {{index .A 1}} {{index .M 0 \"Src\"}}", "y y /a"},
	    {"{{index .L \"none\"}}|", "|"},
	    {"{{len .A}} {{len .L}} {{len .Name}}", "2 3 4"},
	    {"{{printf \"%s %d %v %q %5s|%-3d|%%\" .Name .N .A .Id \"x\" 7}}",
	     "/web 3 [x y] \"abc\"     x|7  |%"},
	    {"{{printf \"%s\"}} {{printf \"%d\" .Name}}", "%!s(MISSING) %!d(string=/web)"},
	    {"{{join .A \",\"}} {{split \"a:b\" \":\"}}", "x,y [a b]"},
	    {"{{lower \"AbC\"}} {{upper \"abc\"}} {{title \"hello wide world\"}}",
	     "abc ABC Hello Wide World"},
	    {"{{println .N \"a\"}}", "3 a\n"},
	    {"{{print .N 4 \"a\" \"b\"}}", "3 4ab"},
	    {"{{range .A}}<{{.}}>{{end}}", "<x><y>"},
	    {"{{range $i, $v := .A}}{{$i}}={{$v}} {{end}}", "0=x 1=y "},
	    {"{{range $k, $v := .L}}{{$k}}={{$v}};{{end}}", "a=1;b=2;com.x=y;"},
	    {"{{range $v := .M}}{{$v.Src}}{{$.Id}}{{end}}", "/aabc/babc"},
	    {"{{range .Empty}}x{{else}}none{{end}} {{range .Z}}x{{else}}nil{{end}}", "none nil"},
	    {"{{range 3}}{{.}}{{end}}", "012"},
	    {"{{if .T}}y{{else}}n{{end}}", "y"},
	    {"{{if .E}}y{{else if .N}}n{{else}}z{{end}}", "n"},
	    {"{{if .E}}y{{else if .Z}}n{{else}}z{{end}}", "z"},
	    {"{{if not .E}}empty{{end}}", "empty"},
	    {"{{with .S}}{{.Pid}}{{else}}none{{end}} {{with .Empty}}x{{else}}none{{end}}",
	     "42 none"},
	    {"{{eq .S.Status \"running\"}} {{ne .N 3}} {{lt .N 4}} {{le 3 3}} {{gt \"b\" \"a\"}} "
	     "{{ge 1.5 2.5}}",
	     "true false true true true false"},
	    {"{{eq .N 1 2 3}}", "true"},
	    {"{{and .T .N}}|{{and .E .N}}|{{or .E .Name}}|{{or .E .Z}}", "3||/web|<nil>"},
	    {"{{$x := .Id}}{{$x}}{{$x = \"z\"}}{{$x}}", "abcz"},
	    {"{{\"a\\tb\"}} {{`r\\n`}} {{0x10}} {{-2}} {{'a'}}", "a\tb r\\n 16 -2 97"},
	    {"{{/* comment */}}ok{{- /* trimmed */ -}} !", "ok!"},
	    {"{{(index .M 1).Src}}", "/b"},
	    {"{{truncate .Id 2}}{{pad \"x\" 1 1}}|", "ab x |"},
	    {"{{html \"<a&'>\"}} {{urlquery \"a b&\"}}", "&lt;a&amp;&#39;&gt; a+b%26"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct berth_error *err = NULL;
		char *out = render(cases[i].tmpl, NULL, &err);
		if (out == NULL)
			fail_msg("%s: %s", cases[i].tmpl, err ? err->msg : "?");
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("%s: got [%s], want [%s]", cases[i].tmpl, out, cases[i].want);
		free(out);
	}
}

static void test_bad(void **state)
{
	(void)state;
	static const struct {
		const char *tmpl, *msg;
	} cases[] = {
	    /* parse errors */
	    {"{{.Name", "template: :1: unclosed action"},
	    {"a\n{{.A", "template: :2: unclosed action"},
	    {"{{foo .}}", "template: :1: function \"foo\" not defined"},
	    {"{{end}}", "template: :1: unexpected {{end}}"},
	    {"{{else}}", "template: :1: unexpected {{else}}"},
	    {"{{if .T}}x", "template: :1: unexpected EOF"},
	    {"{{range .A}}x{{else}}", "template: :1: unexpected EOF"},
	    {"{{$y}}", "template: :1: undefined variable \"$y\""},
	    {"{{range $v := .A}}{{end}}{{$v}}", "undefined variable \"$v\""},
	    {"{{}}", "template: :1: missing value for command"},
	    {"{{\"abc}}", "unterminated quoted string"},
	    {"{{(.Name}}", "unclosed left paren"},
	    /* execution errors */
	    {"{{range .Name}}x{{end}}",
	     "template: :1:8: executing \"\" at <.Name>: range can't iterate over /web"},
	    {"{{range .T}}x{{end}}", "range can't iterate over true"},
	    {"{{index .A 5}}",
	     "template: :1:2: executing \"\" at <index .A 5>: error calling index: index out of "
	     "range: 5"},
	    {"{{index .A 2}}", "error calling index: reflect: slice index out of range"},
	    {"{{eq .N \"a\"}}", "error calling eq: incompatible types for comparison"},
	    {"{{lt .T .T}}", "error calling lt: invalid type for comparison"},
	    {"x{{.Name.X}}", "template: :1:8: executing \"\" at <.Name.X>: can't evaluate field X "
			     "in type string"},
	    {"{{.Z.X}}", "nil pointer evaluating interface {}.X"},
	    {"{{len .N}}", "error calling len: len of type int"},
	    {"{{.Name 1}}", "Name is not a method but has arguments"},
	    {"{{1 2}}", "can't give argument to non-function 1"},
	    {"{{upper .N}}", "wrong type for value; expected string; got int"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct berth_error *err = NULL;
		char *out = render(cases[i].tmpl, NULL, &err);
		if (out)
			fail_msg("%s: rendered [%s], want the error [%s]", cases[i].tmpl, out,
				 cases[i].msg);
		tu_assert_msg(err, cases[i].msg);
		berth_error_free(&err);
	}
}

static json_t *label_method(void *ud, json_t *dot, const char *name, json_t *const *args,
			    size_t nargs, bool *found, struct berth_error **err)
{
	(void)dot;
	(void)err;
	*found = strcmp(name, "Label") == 0;
	if (!*found || nargs != 1)
		return NULL;
	json_t *v = json_object_get(ud, json_string_value(args[0]));
	return json_string(v ? json_string_value(v) : "");
}

static void test_opts(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	/* docker inspect: missingkey=error on struct-like objects only */
	struct gotmpl_opts insp = {.missing_error = true};
	assert_null(render("{{.Nope}}", &insp, &err));
	tu_assert_msg(err, "executing \"\" at <.Nope>: map has no entry for key \"Nope\"");
	berth_error_free(&err);
	EXPECT_STR(render("{{.L.nope}}", &insp, &err), "<no value>");
	/* docker inspect: typed first, then the raw map */
	struct gotmpl_opts fb = {.raw_fallback = true};
	EXPECT_STR(render("{{.Empty}} {{.Z}}", &fb, &err), "[] <nil>");
	assert_null(render("{{.Nope}}", &fb, &err));
	tu_assert_msg(err, "map has no entry for key \"Nope\"");
	berth_error_free(&err);
	/* the raw rendering's error is the answer: no zero value of a Go type */
	assert_null(render("{{.S.Health.Status}}", &fb, &err));
	tu_assert_msg(err, "at <.S.Health.Status>: map has no entry for key \"Health\"");
	berth_error_free(&err);
	assert_null(render("{{.Empty}}{{.Nope}}", &fb, &err));
	berth_error_free(&err);
	/* ps/stats rows: a Go struct */
	struct gotmpl_opts row = {.dot_type = "*formatter.ContainerContext"};
	assert_null(render("{{.Nope}}", &row, &err));
	tu_assert_msg(err, "can't evaluate field Nope in type *formatter.ContainerContext");
	berth_error_free(&err);
	/* methods */
	json_t *labels = tu_json("{'com.x':'1'}");
	struct gotmpl_opts m = {.method = label_method, .ud = labels};
	EXPECT_STR(render("{{.Label \"com.x\"}}|{{.Label \"y\"}}|{{\"com.x\" | .Label}}", &m, &err),
		   "1||1");
	json_decref(labels);
	/* header functions and the partial output of a failed rendering */
	struct gotmpl_opts h = {.header_funcs = true, .partial = true};
	EXPECT_STR(render("{{upper .Name}} {{json .Name}} {{truncate .Name 1}}", &h, &err),
		   "/web /web /web");
	EXPECT_STR(render("a{{.Name}}{{.Name 1}}b", &h, &err), "a/web");
	tu_assert_msg(err, "not a method");
	berth_error_free(&err);
	/* fields used (ps asks for sizes when the template shows .Size) */
	struct gotmpl *t = gotmpl_parse("{{if .A}}{{(index .M 0).Size}}{{end}}", &err);
	assert_non_null(t);
	assert_true(gotmpl_uses_field(t, "Size"));
	assert_false(gotmpl_uses_field(t, "Names"));
	gotmpl_free(t);
	t = gotmpl_parse("{{json .}}", &err);
	assert_true(gotmpl_uses_field(t, "Size"));
	gotmpl_free(t);
	/* a named template's messages */
	assert_null(gotmpl_parse_named("{{.A", "version", &err));
	tu_assert_msg(err, "template: version:1: unclosed action");
	berth_error_free(&err);
}

static void test_print_value(void **state)
{
	(void)state;
	static const struct {
		const char *json, *want;
	} cases[] = {
	    {"'s'", "s"},	  {"12", "12"},
	    {"-7", "-7"},	  {"1.5", "1.5"},
	    {"1e6", "1e+06"},	  {"123456.0", "123456"},
	    {"0.0001", "0.0001"}, {"0.00001", "1e-05"},
	    {"true", "true"},	  {"null", "<nil>"},
	    {"[]", "[]"},	  {"[1,'a',null]", "[1 a <nil>]"},
	    {"{}", "map[]"},	  {"{'b':{'c':1},'a':[2]}", "map[a:[2] b:map[c:1]]"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		json_t *v = tu_json(cases[i].json);
		char *got = gotmpl_print_value(v);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("%s: got [%s], want [%s]", cases[i].json, got, cases[i].want);
		free(got);
		json_decref(v);
	}
	EXPECT_STR(gotmpl_print_value(NULL), "<no value>");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good),
	    cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_opts),
	    cmocka_unit_test(test_print_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
