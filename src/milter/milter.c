/* milter: libmilter glue for postdesk-milter, the only file that includes mfapi.h. Each
 * callback fetches the connection state (smfi_getpriv) and hands over to policy.c;
 * milter_answer() maps a verdict to SMFIS_* and smfi_setreply() in one place.
 *
 * Threading: libmilter runs each SMTP connection on its own thread. libmilter has no
 * user pointer per filter, so the callbacks find the shared struct milter through
 * milter_instance: set once before smfi_main() starts any thread and never changed while
 * it runs. Everything mutable that it reaches is the flood table, behind its mutex.
 * Nothing here may exit(): a failure becomes a 4xx reply for that one session. */
#include "config.h"
#include "milter-private.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <libmilter/mfapi.h>

static struct milter *milter_instance;

/* The connection's state; made here if connect was never seen (libmilter restarts). */
static struct milter_conn *milter_conn(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c == NULL) {
		c = milter_conn_new(milter_instance, NULL);
		smfi_setpriv(ctx, c);
	}
	return c;
}

/* The one mapping of a verdict to libmilter: OK continues; otherwise the exact reply. */
static sfsistat milter_answer(SMFICTX *ctx, const struct milter_conn *c, const char *stage,
			      const struct verdict *v)
{
	char code[8], *text;

	if (v->status == VERDICT_OK)
		return SMFIS_CONTINUE;
	g_snprintf(code, sizeof(code), "%d", v->smtp);
	/* libmilter passes '%' to sendmail as a format character; CR/LF would split lines */
	text = g_strdup(v->text);
	g_strdelimit(text, "%\r\n", '?');
	if (smfi_setreply(ctx, code, (char *)v->enh, text) != MI_SUCCESS)
		log_warn("milter: smfi_setreply(%s %s) failed", code, v->enh);
	log_info("milter: %s client=%s from=<%s>: %s %s %s", stage,
		 c->client_ip != NULL ? c->client_ip : "unknown",
		 c->msg.sender != NULL ? c->msg.sender : "", code, v->enh, text);
	g_free(text);
	return v->status == VERDICT_TEMPFAIL ? SMFIS_TEMPFAIL : SMFIS_REJECT;
}

static sfsistat cb_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *sa)
{
	char ip[INET6_ADDRSTRLEN] = "";
	const void *addr = NULL;
	int family = sa != NULL ? sa->sa_family : AF_UNSPEC;
	struct milter_conn *c;

	if (family == AF_INET)
		addr = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (family == AF_INET6)
		addr = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (addr == NULL || inet_ntop(family, addr, ip, sizeof(ip)) == NULL)
		ip[0] = '\0';
	c = smfi_getpriv(ctx); /* never set before connect; freed in case libmilter differs */
	milter_conn_free(&c);
	smfi_setpriv(ctx, milter_conn_new(milter_instance, ip[0] != '\0' ? ip : NULL));
	return SMFIS_CONTINUE;
}

/* Registered so that HELO is negotiated (and testable); nothing to decide there. */
static sfsistat cb_helo(SMFICTX *ctx, char *helo)
{
	return SMFIS_CONTINUE;
}

static sfsistat cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct milter_conn *c = milter_conn(ctx);
	struct verdict v;

	milter_policy_mail(c, argv[0], argv[0] != NULL ? argv + 1 : NULL, &v);
	return milter_answer(ctx, c, "MAIL", &v);
}

static sfsistat cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct milter_conn *c = milter_conn(ctx);
	struct verdict v;

	if (argv[0] == NULL)
		return SMFIS_CONTINUE;
	milter_policy_rcpt(c, argv[0], &v);
	return milter_answer(ctx, c, "RCPT", &v);
}

static sfsistat cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct milter_conn *c = milter_conn(ctx);
	struct verdict v;

	milter_policy_header(c, name, value != NULL ? value : "", &v);
	return milter_answer(ctx, c, "header", &v);
}

static sfsistat cb_eoh(SMFICTX *ctx)
{
	struct milter_conn *c = milter_conn(ctx);
	struct verdict v;

	if (!c->msg.ours) /* no recipient of ours: nothing more to look at */
		return SMFIS_ACCEPT;
	milter_policy_eoh(c, &v);
	return milter_answer(ctx, c, "end of headers", &v);
}

static sfsistat cb_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct milter_conn *c = milter_conn(ctx);
	struct verdict v;

	milter_policy_body(c, len, &v);
	return milter_answer(ctx, c, "body", &v);
}

/* Delete the outside's copies of our trace headers (highest index first, so the indexes
 * still to do keep their meaning), then add ours when the ticket is known. */
static sfsistat cb_eom(SMFICTX *ctx)
{
	struct milter_conn *c = milter_conn(ctx);
	char *ticket = NULL, *verdict = NULL;
	guint i;

	for (i = c->msg.n_ticket_hdrs; i > 0; i--)
		smfi_chgheader(ctx, MILTER_TICKET_HEADER, (int)i, NULL);
	for (i = c->msg.n_verdict_hdrs; i > 0; i--)
		smfi_chgheader(ctx, MILTER_VERDICT_HEADER, (int)i, NULL);
	if (milter_policy_tags(c, &ticket, &verdict)) {
		if (smfi_addheader(ctx, MILTER_TICKET_HEADER, ticket) != MI_SUCCESS ||
		    smfi_addheader(ctx, MILTER_VERDICT_HEADER, verdict) != MI_SUCCESS)
			log_warn("milter: could not add the trace headers");
	}
	g_free(ticket);
	g_free(verdict);
	milter_msg_reset(c);
	return SMFIS_CONTINUE;
}

static sfsistat cb_abort(SMFICTX *ctx)
{
	milter_msg_reset(milter_conn(ctx));
	return SMFIS_CONTINUE;
}

static sfsistat cb_close(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	smfi_setpriv(ctx, NULL);
	milter_conn_free(&c);
	return SMFIS_CONTINUE;
}

/* After smfi_main() returns, sessions still talking to Postfix may be running: wait a
 * little for them before the caller frees what they use. */
static int milter_wait_idle(struct milter *m, char **error_r)
{
	int i, active = 0;

	for (i = 0; i < 500; i++) {
		if ((active = g_atomic_int_get(&m->active)) == 0)
			return 0;
		g_usleep(10000);
	}
	return util_error(error_r, "%d milter connections still open at exit", active);
}

void milter_stop(void)
{
	smfi_stop();
}

int milter_run(struct milter *m, char **error_r)
{
	struct smfiDesc desc = {
	    .xxfi_name = "postdesk",
	    .xxfi_version = SMFI_VERSION,
	    .xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS,
	    .xxfi_connect = cb_connect,
	    .xxfi_helo = cb_helo,
	    .xxfi_envfrom = cb_envfrom,
	    .xxfi_envrcpt = cb_envrcpt,
	    .xxfi_header = cb_header,
	    .xxfi_eoh = cb_eoh,
	    .xxfi_body = cb_body,
	    .xxfi_eom = cb_eom,
	    .xxfi_abort = cb_abort,
	    .xxfi_close = cb_close,
	};
	/* libmilter keeps the pointer given to smfi_setconn: spec lives until we return */
	char *spec = milter_listen_spec(m->conf->milter_listen);
	mode_t old_umask;
	int ret;

	if (spec == NULL)
		return util_error(error_r,
				  "milter_listen %s: expected unix:/path or inet:HOST:PORT",
				  m->conf->milter_listen);
	if (smfi_setconn(spec) != MI_SUCCESS || smfi_register(desc) != MI_SUCCESS) {
		ret = util_error(error_r, "libmilter refused the setup for %s", spec);
		g_free(spec);
		return ret;
	}
	/* privileges: give root up before the socket exists, as doc/privileges.md says: it is
	 * the user's, made in a directory the user owns, and no root process unlinks or makes
	 * anything in a directory another user can change. Before any libmilter thread. */
	if (privs_drop(m->conf->user, m->conf->path, error_r) < 0) {
		g_free(spec);
		return -1;
	}
	/* Postfix's smtpd (user postfix) must be able to write a unix socket: 0666; the
	 * directory decides who may reach it. */
	old_umask = umask(0111);
	ret = smfi_opensocket(true);
	umask(old_umask);
	if (ret != MI_SUCCESS) {
		ret = util_error(error_r, "cannot listen on %s (libmilter %s)",
				 m->conf->milter_listen, spec);
		g_free(spec);
		return ret;
	}
	milter_instance = m;
	ret = smfi_main();
	g_free(spec);
	if (ret != MI_SUCCESS)
		return util_error(error_r, "libmilter's main loop failed");
	return milter_wait_idle(m, error_r);
}
