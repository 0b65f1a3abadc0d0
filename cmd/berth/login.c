/* berth login: POST /auth, then the credentials into config.json (0600) as
 * docker stores them: auths[server].auth = base64("user:password"). */
#include "cli.h"
#include "config.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* A line from stdin without its end of line; no echo when asked. */
static char *read_line(const char *prompt, bool secret)
{
	struct termios old, raw;
	bool restore = false;
	if (prompt) {
		fputs(prompt, stdout);
		fflush(stdout);
	}
	if (secret && tcgetattr(STDIN_FILENO, &old) == 0) {
		raw = old;
		raw.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (restore) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stdout);
	}
	if (n < 0) {
		free(line);
		return xstrdup("");
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

static int save_auth(struct cli *cli, const char *key, const char *user, const char *pass,
		     const char *token, struct berth_error **err)
{
	cleanup_json json_t *cfg = NULL;
	if (cli_config_load(cli->config_dir, &cfg, err) < 0)
		return -1;
	json_t *auths = json_object_get(cfg, "auths");
	if (!json_is_object(auths)) {
		auths = json_object();
		json_object_set_new(cfg, "auths", auths);
	}
	cleanup_free char *plain = xasprintf("%s:%s", user, token && *token ? "" : pass);
	cleanup_free char *enc = cli_base64(plain, strlen(plain), false);
	json_t *entry = json_pack("{s:s}", "auth", enc);
	if (token && *token)
		json_object_set_new(entry, "identitytoken", json_string(token));
	json_object_set_new(auths, key, entry);
	return cli_config_save(cli->config_dir, cfg, err);
}

int cmd_login(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {
	    "login",
	    "[OPTIONS] [SERVER]",
	    "Authenticate to a registry.\nDefaults to Docker Hub if "
	    "no server is specified.",
	    NULL,
	    0,
	    1};
	const char *user = NULL, *password = NULL;
	bool password_stdin = false;
	const struct cli_opt opts[] = {
	    {'p', "password", CLI_OPT_STRING, &password, "string", "Password"},
	    {0, "password-stdin", CLI_OPT_BOOL, &password_stdin, NULL,
	     "Take the password from stdin"},
	    {'u', "username", CLI_OPT_STRING, &user, "string", "Username"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	if (password && password_stdin) {
		fprintf(stderr, "--password and --password-stdin are mutually exclusive\n");
		return 1;
	}
	if (password_stdin && (user == NULL || *user == '\0')) {
		fprintf(stderr, "Must provide --username with --password-stdin\n");
		return 1;
	}
	if (password)
		fprintf(stderr, "WARNING! Using --password via the CLI is insecure. Use "
				"--password-stdin.\n");
	cleanup_free char *key = cli_config_server_key(first < argc ? argv[first] : NULL);
	cleanup_free char *u = user && *user ? xstrdup(user) : NULL;
	cleanup_free char *p = NULL;
	if (password_stdin)
		p = read_line(NULL, false);
	else if (password)
		p = xstrdup(password);
	if ((u == NULL || p == NULL) && !isatty(STDIN_FILENO)) {
		fprintf(stderr,
			"Error: Cannot perform an interactive login from a non TTY device\n");
		return 1;
	}
	if (u == NULL)
		u = read_line("Username: ", false);
	if (*u == '\0') {
		fprintf(stderr, "Error: Non-null Username Required\n");
		return 1;
	}
	if (p == NULL)
		p = read_line("Password: ", true);
	if (*p == '\0') {
		fprintf(stderr, "Error: Password Required\n");
		return 1;
	}

	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	cleanup_json json_t *body =
	    json_pack("{s:s,s:s,s:s}", "username", u, "password", p, "serveraddress", key);
	cleanup_json json_t *reply = NULL;
	if (client_json(c, "POST", "/auth", body, &reply, &err) < 0)
		return cli_fail(&err);
	json_t *tok = json_object_get(reply, "IdentityToken");
	if (save_auth(cli, key, u, p, json_is_string(tok) ? json_string_value(tok) : NULL, &err) <
	    0) {
		berth_error_wrap(&err, "Error saving credentials");
		return cli_fail(&err);
	}
	fprintf(stderr, "WARNING! Your password will be stored unencrypted in %s/config.json.\n",
		cli->config_dir);
	json_t *status = json_object_get(reply, "Status");
	printf("%s\n", json_is_string(status) && *json_string_value(status)
			   ? json_string_value(status)
			   : "Login Succeeded");
	return 0;
}
