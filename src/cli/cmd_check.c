/* cli check: `postdesk check`, like `postfix check`: the configuration, the database (opens,
 * migrated to this version's schema), the key file (readable, mode 0600), the templates
 * (every language in use), the directories of the sockets, and hints on the Postfix
 * wiring (from `postconf`, when it is installed). One line per finding, "error:" or
 * "warning:"; exit 0 when there is no error, 1 otherwise (78 when the file cannot load).
 * Reads only: never creates or migrates anything. */
#include "config.h"
#include "postdesk/compose.h"
#include "postdesk/lib.h"
#include "postdesk/store.h"
#include "postdesk/token.h"
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct check {
	struct report_json *j; /* --json: the findings array is open in it */
	int errors, warnings;
};

static void check_finding(struct check *c, gboolean error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void check_finding(struct check *c, gboolean error, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (c->j != NULL) {
		report_json_begin_object(c->j, NULL);
		report_json_str(c->j, "level", error ? "error" : "warning");
		report_json_str(c->j, "text", text);
		report_json_end_object(c->j);
	} else {
		printf("postdesk: %s: %s\n", error ? "error" : "warning", text);
	}
	if (error)
		c->errors++;
	else
		c->warnings++;
	g_free(text);
}

/* Acknowledgements lmtpd left that notifyd has not composed for a while: notifyd is not
 * running, or cannot keep up (a pass composes them within a second when it runs). */
#define CHECK_HELD_WARN_S (10 * 60)

static void check_held(struct check *c, struct store *store)
{
	gint64 created = 0, now = clock_now();
	char *error = NULL;
	int ret = store_ack_held_oldest(store, &created, &error);

	if (ret < 0) {
		check_finding(c, TRUE, "%s", error);
		g_free(error);
	} else if (ret == 1 && now - created > CHECK_HELD_WARN_S)
		check_finding(c, FALSE,
			      "acknowledgements of new tickets have waited %" G_GINT64_FORMAT
			      " minutes for postdesk-notifyd: is it running?",
			      (now - created) / 60);
}

static void check_database(struct check *c, const struct conf *conf)
{
	struct store *store = NULL;
	char *error = NULL;

	/* a file; PostgreSQL's database is the server's (store_open says what is wrong) */
	if (store_is_local(conf->database) && !g_file_test(conf->database, G_FILE_TEST_EXISTS)) {
		check_finding(c, TRUE, "database %s does not exist (run postdesk init)",
			      conf->database);
		return;
	}
	/* read-only: refuses a schema older or newer than this version's, with the reason */
	if (store_open(conf->database, STORE_READONLY, (int)conf->busy_timeout_ms, &store,
		       &error) < 0) {
		check_finding(c, TRUE, "%s", error);
		g_free(error);
		return;
	}
	check_held(c, store);
	store_close(&store);
}

/* The key file loads, and no one but its owner may read it (token/ writes it 0600). */
static void check_keys(struct check *c, const struct conf *conf, struct token_keys **keys_r)
{
	struct stat st;
	char *error = NULL;

	if (stat(conf->key_file, &st) < 0) {
		check_finding(c, TRUE, "key file %s: %s (run postdesk init)", conf->key_file,
			      g_strerror(errno));
		return;
	}
	if ((st.st_mode & 077) != 0)
		check_finding(c, TRUE, "key file %s has mode %04o: it must be 0600",
			      conf->key_file, (unsigned)(st.st_mode & 07777));
	if (token_keys_load(conf->key_file, keys_r, &error) < 0) {
		check_finding(c, TRUE, "%s", error);
		g_free(error);
	}
}

static void check_templates(struct check *c, const struct conf *conf,
			    const struct token_keys *keys)
{
	struct compose_ctx *ctx = NULL;
	char *error = NULL;

	/* every template of every language a queue uses, as the daemons load them */
	if (compose_ctx_new(conf, keys, &ctx, &error) < 0) {
		check_finding(c, TRUE, "templates: %s", error);
		g_free(error);
		return;
	}
	compose_ctx_free(&ctx);
}

/* A unix: socket's directory must exist (the daemons make the socket, not its directory):
 * an error for lmtpd's, a warning for the milter's (a desk may run without the milter). */
static void check_socket(struct check *c, gboolean error, const char *key, const char *listen)
{
	char *dir;

	if (!g_str_has_prefix(listen, "unix:"))
		return;
	dir = g_path_get_dirname(listen + 5);
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
		check_finding(c, error, "%s %s: directory %s does not exist", key, listen, dir);
	g_free(dir);
}

/* `postconf -h NAME`, or NULL when postconf cannot be run; g_malloc'ed, chomped. Found on
 * $PATH, else in /usr/sbin (a user's PATH often lacks it). $POSTDESK_POSTCONF_DIR names
 * the Postfix configuration directory to look at (postconf -c; the test sandboxes). */
static char *check_postconf(const char *name)
{
	char *prog = g_find_program_in_path("postconf");
	const char *dir = g_getenv("POSTDESK_POSTCONF_DIR");
	const char *argv[6] = {NULL};
	int n = 0;
	char *out = NULL;
	int status = 0;
	gboolean ran;

	argv[n++] = prog != NULL ? prog : "/usr/sbin/postconf";
	if (dir != NULL) {
		argv[n++] = "-c";
		argv[n++] = dir;
	}
	argv[n++] = "-h";
	argv[n++] = name;
	ran = g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
			   &out, NULL, &status, NULL);
	g_free(prog);
	if (!ran)
		return NULL;
	if (!g_spawn_check_wait_status(status, NULL)) {
		g_free(out);
		return NULL;
	}
	return g_strchomp(out);
}

/* Hints only (warnings): Postfix may be wired in ways these simple looks do not see. */
static void check_postfix(struct check *c, const struct conf *conf)
{
	char *transport = check_postconf("transport_maps");
	char *milters = check_postconf("smtpd_milters");
	char *milter_maps = check_postconf("smtpd_milter_maps");
	const char *lmtp = strrchr(conf->lmtp_listen, '/');
	const char *milter = strrchr(conf->milter_listen, '/');

	if (transport == NULL)
		check_finding(c, FALSE, "no answer from postconf (Postfix not installed or not "
			      "configured): the Postfix wiring is not checked");
	else if (lmtp != NULL && strstr(transport, lmtp + 1) == NULL)
		check_finding(c, FALSE, "Postfix transport_maps does not name %s (lmtp_listen): "
			      "see contrib/postfix/main.cf", lmtp + 1);
	if (transport != NULL && milter != NULL &&
	    (milters == NULL || strstr(milters, milter + 1) == NULL) &&
	    (milter_maps == NULL || strstr(milter_maps, milter + 1) == NULL))
		check_finding(c, FALSE, "Postfix runs no postdesk-milter (%s in smtpd_milters "
			      "or smtpd_milter_maps): unknown support+ addresses are "
			      "not refused at RCPT", milter + 1);
	g_free(transport);
	g_free(milters);
	g_free(milter_maps);
}

int cli_check(struct cli *cli, int argc, char **argv)
{
	struct check c = {0};
	struct token_keys *keys = NULL;
	struct report_json *result;
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, NULL, "",
			       "Check the configuration, database, key, templates, sockets and "
			       "the Postfix wiring.")))
		return ret;
	if (argc > 1)
		return cli_fail(EX_USAGE, "check: unexpected argument '%s'", argv[1]);
	if ((ret = cli_load(cli)) != 0)
		return ret; /* printed, file:line */
	result = cli_json_result();
	c.j = result;
	if (c.j != NULL)
		report_json_begin_array(c.j, "findings");
	check_database(&c, cli->conf);
	check_keys(&c, cli->conf, &keys);
	if (keys != NULL)
		check_templates(&c, cli->conf, keys);
	token_keys_free(&keys);
	check_socket(&c, TRUE, "lmtp_listen", cli->conf->lmtp_listen);
	check_socket(&c, FALSE, "milter_listen", cli->conf->milter_listen);
	check_postfix(&c, cli->conf);
	if (result != NULL) {
		report_json_end_array(result);
		report_json_int(result, "errors", c.errors);
		report_json_int(result, "warnings", c.warnings);
		cli_json_done(&result);
	}
	return c.errors > 0 ? 1 : 0;
}
