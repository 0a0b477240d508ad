/* secret: what a mailbox logs in with. A password lives in password_file, never in the
 * config itself (a config is read by every daemon and often copied around); the file is
 * refused when group or others may read it. An OAuth2 access token (XOAUTH2: Microsoft 365,
 * Google Workspace) comes from token_command, run without a shell, never as root, with a
 * timeout and an output cap (survey_lookup_run, as order_lookup is), the mailbox's user as
 * its last argument; it prints the token and, on an optional second line, its lifetime in
 * seconds. The token is kept until a minute before that lifetime ends (an hour when it says
 * none) or until the server refuses it. Leaf of the module: calls nothing else in it. */
#include "config.h"
#include "fetch-private.h"
#include "postdesk/survey.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FETCH_TOKEN_MAX_OUTPUT 65536
#define FETCH_TOKEN_DEFAULT_LIFETIME 3600

static int secret_password(struct fetch_box *b, char **error_r)
{
	const char *path = b->m->password_file;
	struct stat st;
	char *text = NULL;
	gsize len;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return util_error(error_r, "password_file %s: %s", path, g_strerror(errno));
	if (fstat(fd, &st) < 0 || (st.st_mode & 077) != 0) {
		close(fd);
		return util_error(error_r, "password_file %s: readable by group or others "
					   "(chmod 600 it)", path);
	}
	close(fd);
	if (util_read_file(path, &text, &len, error_r) < 0)
		return -1;
	text[strcspn(text, "\r\n")] = '\0';
	if (text[0] == '\0') {
		g_free(text);
		return util_error(error_r, "password_file %s: empty", path);
	}
	g_free(b->secret);
	b->secret = text;
	b->secret_expires = 0;
	return 0;
}

static int secret_token(struct fetch_box *b, char **error_r)
{
	const struct conf_mailbox *m = b->m;
	char *out = NULL, *error = NULL, **lines;
	gint64 life = FETCH_TOKEN_DEFAULT_LIFETIME;

	if (survey_lookup_run(m->token_command, m->user, b->env->conf->user,
			      m->token_timeout * 1000, FETCH_TOKEN_MAX_OUTPUT, &out, &error) < 0) {
		util_error(error_r, "token_command: %s", error);
		g_free(error);
		return -1;
	}
	lines = g_strsplit_set(out, "\r\n", 3);
	g_free(out);
	g_strstrip(lines[0]);
	if (lines[0][0] == '\0' || strpbrk(lines[0], " \t") != NULL) {
		g_strfreev(lines);
		return util_error(error_r, "token_command printed no token on its first line");
	}
	if (lines[1] != NULL && g_strstrip(lines[1])[0] != '\0') {
		char *end;
		gint64 n = g_ascii_strtoll(lines[1], &end, 10);
		if (*end == '\0' && n > 0)
			life = n;
	}
	g_free(b->secret);
	b->secret = g_strdup(lines[0]);
	g_strfreev(lines);
	/* renewed a minute early: a token must not run out in the middle of a session */
	b->secret_expires = g_get_monotonic_time() / G_USEC_PER_SEC + MAX(life - 60, 1);
	return 0;
}

int fetch_secret_get(struct fetch_box *b, char **error_r)
{
	int ret;

	if (b->secret != NULL &&
	    (b->secret_expires == 0 ||
	     g_get_monotonic_time() / G_USEC_PER_SEC < b->secret_expires))
		return 0;
	ret = strcmp(b->m->auth, "xoauth2") == 0 ? secret_token(b, error_r)
						  : secret_password(b, error_r);
	b->srv.secret = b->secret;
	return ret;
}

void fetch_secret_forget(struct fetch_box *b)
{
	if (b->secret != NULL)
		memset(b->secret, 0, strlen(b->secret));
	g_clear_pointer(&b->secret, g_free);
	b->srv.secret = NULL;
}
