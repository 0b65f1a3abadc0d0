/* specgen-tool: the spec berthd would write for a container, for the
 * integration tests (specgen.bats) that run it with berth-runtime.
 *
 *   specgen-tool ROOTFS ID CONFIG HOSTCONFIG IMAGECONFIG INIT FILESDIR
 *
 * CONFIG, HOSTCONFIG and IMAGECONFIG are JSON texts (docker's create body
 * parts and the image's config); INIT is the berth-init binary; FILESDIR
 * holds hostname, hosts and resolv.conf. Runs specgen_check_hostconfig,
 * specgen_merge_image_config and specgen_build; prints the spec on stdout,
 * warnings as "WARNING: ..." and the error on stderr (exit 1). */
#include "engine/spec/specgen.h"

#include <stdio.h>
#include <stdlib.h>

static json_t *parse(const char *what, const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &je);
	if (j == NULL) {
		fprintf(stderr, "specgen-tool: %s: %s\n", what, je.text);
		exit(2);
	}
	return j;
}

int main(int argc, char **argv)
{
	if (argc != 8) {
		fprintf(stderr, "usage: specgen-tool ROOTFS ID CONFIG HOSTCONFIG IMAGECONFIG INIT "
				"FILESDIR\n");
		return 2;
	}
	json_t *config = parse("CONFIG", argv[3]);
	json_t *hc = parse("HOSTCONFIG", argv[4]);
	json_t *image = parse("IMAGECONFIG", argv[5]);
	struct berth_error *err = NULL;
	char **warnings = NULL;
	char hostname[4096], hosts[4096], resolv[4096];
	snprintf(hostname, sizeof(hostname), "%s/hostname", argv[7]);
	snprintf(hosts, sizeof(hosts), "%s/hosts", argv[7]);
	snprintf(resolv, sizeof(resolv), "%s/resolv.conf", argv[7]);
	struct specgen_input in = {
	    .id = argv[2],
	    .name = "specgen-test",
	    .config = config,
	    .host_config = hc,
	    .rootfs = argv[1],
	    .hostname_path = hostname,
	    .hosts_path = hosts,
	    .resolv_path = resolv,
	    .cgroup_parent = "/berth",
	    .init_path = argv[6],
	    .seccomp_default = specgen_seccomp_default,
	};
	json_t *spec = NULL;
	int rc = specgen_check_hostconfig(hc, &warnings, &err);
	for (char **w = warnings; w && *w; w++)
		fprintf(stderr, "WARNING: %s\n", *w);
	if (rc == 0)
		rc = specgen_merge_image_config(config, image, &err);
	if (rc == 0)
		rc = specgen_build(&in, &spec, &err);
	if (rc < 0) {
		fprintf(stderr, "%s\n", err->msg);
		return 1;
	}
	json_dumpf(spec, stdout, JSON_INDENT(1));
	putchar('\n');
	json_decref(spec);
	json_decref(config);
	json_decref(hc);
	json_decref(image);
	for (char **w = warnings; w && *w; w++)
		free(*w);
	free(warnings);
	return 0;
}
