/* The Link header of paginated tags lists (reg_link_next,
 * lib/core/registry/tags.c). */
#include "test-util.h"

#include "core/registry/registry.h"

#include <stdlib.h>

static void expect_next(const char *header, const char *want)
{
	char *got = reg_link_next(header);
	if (want == NULL) {
		if (got)
			fail_msg("[%s]: got %s, want none", header, got);
		return;
	}
	if (got == NULL)
		fail_msg("[%s]: none, want %s", header, want);
	assert_string_equal(got, want);
	free(got);
}

static void test_link_next(void **state)
{
	(void)state;
	/* docker distribution's form */
	expect_next("</v2/busybox/tags/list?last=b&n=2>; rel=\"next\"",
		    "/v2/busybox/tags/list?last=b&n=2");
	/* token value, spacing, case */
	expect_next("</v2/x/tags/list?n=1&last=a>;rel=next", "/v2/x/tags/list?n=1&last=a");
	expect_next("  <https://r.example/v2/x/tags/list?last=c>  ;  REL = \"Next\" ",
		    "https://r.example/v2/x/tags/list?last=c");
	/* several links, several relation types, other parameters */
	expect_next("</v2/x/tags/list?last=a>; rel=\"prev\", </v2/x/tags/list?last=z>; "
		    "title=\"a;b,c\"; rel=\"last next\"",
		    "/v2/x/tags/list?last=z");
	expect_next("<?n=2&last=b>; rel=\"next\"", "?n=2&last=b");
	/* no next */
	expect_next("</v2/x/tags/list?last=a>; rel=\"prev\"", NULL);
	expect_next("</v2/x/tags/list?last=a>; rel=\"nextpage\"", NULL);
	expect_next("</v2/x/tags/list?last=a>", NULL);
	expect_next("", NULL);
	/* malformed */
	expect_next("/v2/x/tags/list?last=a; rel=\"next\"", NULL);
	expect_next("</v2/x/tags/list?last=a; rel=\"next\"", NULL);
	expect_next("</v2/x>; rel=\"next", NULL);
	expect_next("<>; rel=\"next\"", NULL);
	expect_next("</a>; rel=prev garbage, </b>; rel=next", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_link_next),
	};
	return tu_run("registry-tags", tests, ARRAY_SIZE(tests));
}
