/* Container names and ids: docker's name rule and generated names of the
 * form "adjective_surname" (berth's own word lists). */
#include "engine/containers/internal.h"

#include "common/xalloc.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

bool ctr_name_valid(const char *name)
{
	/* ^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$ */
	if (!name)
		return false;
	if (name[0] == '/')
		name++;
	size_t n = strlen(name);
	if (n < 2)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9');
		if (!alnum && (i == 0 || (ch != '_' && ch != '.' && ch != '-')))
			return false;
	}
	return true;
}

static const char *const adjectives[] = {
    "agile",  "amber",	  "ardent", "bold",   "brave",	 "bright",  "calm",  "candid", "careful",
    "cheery", "clever",	  "cosmic", "crisp",  "curious", "daring",  "deft",  "eager",  "earnest",
    "fancy",  "fearless", "fond",   "gentle", "glad",	 "golden",  "hardy", "humble", "jolly",
    "keen",   "kind",	  "lively", "loyal",  "lucid",	 "mellow",  "merry", "modest", "nimble",
    "noble",  "patient",  "placid", "plucky", "proud",	 "quiet",   "rapid", "serene", "sharp",
    "shy",    "silent",	  "sleek",  "snappy", "steady",	 "sunny",   "swift", "tender", "tidy",
    "upbeat", "vivid",	  "wary",   "witty",  "young",	 "zealous",
};

/* people of science and engineering */
static const char *const surnames[] = {
    "agnesi",  "ampere",  "archimedes", "babbage",  "bardeen",	"bell",	    "bohr",	 "boole",
    "carnot",  "cauchy",  "curie",	"darwin",   "dijkstra", "dirac",    "euclid",	 "euler",
    "faraday", "fermat",  "fermi",	"feynman",  "fourier",	"franklin", "galileo",	 "gauss",
    "germain", "goodall", "hamilton",	"hertz",    "hilbert",	"hopper",   "hypatia",	 "joule",
    "kepler",  "knuth",	  "lamarr",	"laplace",  "leibniz",	"lovelace", "maxwell",	 "meitner",
    "mendel",  "newton",  "noether",	"pascal",   "pasteur",	"planck",   "ramanujan", "riemann",
    "ritchie", "shannon", "tesla",	"thompson", "torvalds", "turing",   "volta",	 "wiles",
    "wozniak", "yalow",
};

static uint32_t rnd(void)
{
	uint32_t v;
	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = (uint32_t)time(NULL) ^ (uint32_t)clock();
	return v;
}

char *ctr_name_generate(unsigned n)
{
	const char *a = adjectives[rnd() % (sizeof(adjectives) / sizeof(adjectives[0]))];
	const char *s = surnames[rnd() % (sizeof(surnames) / sizeof(surnames[0]))];
	if (n == 0)
		return xasprintf("%s_%s", a, s);
	return xasprintf("%s_%s%u", a, s, rnd() % 10);
}

void ctr_id_generate(char out[65])
{
	unsigned char b[32];
	size_t got = 0;
	while (got < sizeof(b)) {
		ssize_t r = getrandom(b + got, sizeof(b) - got, 0);
		if (r > 0)
			got += (size_t)r;
	}
	/* an id that is all digits would read as a number: docker avoids it too */
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	bool digits = true;
	for (size_t i = 0; i < 12 && digits; i++)
		digits = out[i] >= '0' && out[i] <= '9';
	if (digits)
		out[0] = 'a';
}
