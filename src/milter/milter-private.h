/* milter-private.h: the milter's state and policy, shared by milter.c (libmilter
 * callbacks) and policy.c (the decisions). Nothing here knows libmilter: the
 * policy functions take plain strings and answer with a struct verdict that milter.c
 * maps to SMFIS_* and smfi_setreply() exactly once.
 *
 * Threading: libmilter serves each SMTP connection on its own thread. A struct
 * milter_conn belongs to one connection (stored with smfi_setpriv) and is only touched by
 * the thread serving it. The struct milter is shared: conf and keys are immutable; the
 * current snapshot (a reload swaps it, snap_lock) and the flood table (flood_lock) are
 * its mutable parts. A connection pins the snapshot current when it starts. */
#ifndef POSTDESK_MILTER_PRIVATE_H
#define POSTDESK_MILTER_PRIVATE_H

#include "postdesk/milter.h"

#include <pthread.h>

/* More than this many Received headers naming our host name means a loop. */
#define MILTER_LOOP_RECEIVED_MAX 5
#define MILTER_LOOP_HEADER "X-Postdesk-Loop"
#define MILTER_TICKET_HEADER "X-Postdesk-Ticket"
#define MILTER_VERDICT_HEADER "X-Postdesk-Verdict"

struct milter {
	const struct conf *conf;       /* borrowed, immutable: the start-up configuration */
	const struct token_keys *keys; /* borrowed, immutable */
	pthread_mutex_t snap_lock;
	struct deliver_snapshot *snap; /* the current one (a reference); NULL: conf, keys */
	gint active;		       /* open connections (atomic), for a clean stop */
	/* New-ticket flood limit: fixed windows per key "s:<sender>" / "i:<client IP>".
	 * The only state shared between connections; flood_lock guards both fields. A
	 * pthread mutex rather than a GMutex (futex-based, invisible to ThreadSanitizer):
	 * libmilter's threads are pthreads anyway. */
	pthread_mutex_t flood_lock;
	GHashTable *flood;     /* char * -> struct milter_flood * */
	gint64 flood_prune_at; /* next sweep of expired windows */
	gint64 flood_window, flood_limit; /* of the current configuration */
};

/* One message (MAIL FROM up to end of message or abort). */
struct milter_msg {
	char *sender;	      /* envelope sender, lower-case, "" for <>; NULL before MAIL */
	gint64 size_declared; /* ESMTP SIZE= at MAIL, 0 if none */
	gint64 size;	      /* header and body bytes seen so far */
	gboolean ours;	      /* at least one recipient in our domain was accepted */
	gboolean token_rcpt;  /* a valid token recipient: never opens a new ticket */
	gint64 ticket;	      /* ticket already known (token, Message-ID), 0 if none */
	const char *rule;     /* how ticket was found: "token" | "message-id" */
	GString *refs;	      /* Message-ID/In-Reply-To/References lines for parse_message */
	gboolean loop_header; /* X-Postdesk-Loop naming our domain */
	guint received_ours;  /* Received headers naming our host name */
	guint n_ticket_hdrs;  /* X-Postdesk-Ticket headers from outside (deleted at EOM) */
	guint n_verdict_hdrs; /* X-Postdesk-Verdict headers from outside */
	gboolean agent_rcpt;  /* an accepted agent or note token recipient (roles a, n) */
	guint authres;	      /* AUTHRES_* of the trusted Authentication-Results headers */
};

/* One SMTP connection. */
struct milter_conn {
	struct milter *m;    /* borrowed */
	struct deliver_snapshot *snap; /* pinned for the connection's life (NULL: m's) */
	const struct conf *conf;       /* snap's, or m's */
	const struct token_keys *keys;
	struct store *store; /* read-only connection, opened on first use, NULL before */
	char *client_ip;     /* NULL if unknown */
	struct milter_msg msg;
};

/* ---- connection and message state ---- */
/* client_ip may be NULL. Owner: the caller (the milter context); counts as active. */
struct milter_conn *milter_conn_new(struct milter *m, const char *client_ip);
void milter_conn_free(struct milter_conn **c);
/* Forget the current message (new MAIL, abort, end of message). */
void milter_msg_reset(struct milter_conn *c);

/* ---- decisions: each fills *v (VERDICT_OK = go on) ---- */
/* MAIL FROM: record the sender (with or without <>) and the SIZE= parameter. args is the
 * NULL-terminated list of ESMTP parameters, may be NULL. */
void milter_policy_mail(struct milter_conn *c, const char *sender, char *const *args,
			struct verdict *v);
/* RCPT TO: other domains always OK; ours through deliver_rcpt_resolve, then the declared size, the
 * ticket of a token and the agent-sender rule for agent/note tokens. */
void milter_policy_rcpt(struct milter_conn *c, const char *addr, struct verdict *v);
/* One header: counts loop signs, our trace headers, size; keeps reference headers; reads
 * trusted Authentication-Results headers of agent mail. */
void milter_policy_header(struct milter_conn *c, const char *name, const char *value,
			  struct verdict *v);
/* End of headers: loop, then the Authentication-Results check of agent mail (when
 * milter_authserv_id is set), then Message-ID threading, then the new-ticket flood limit. */
void milter_policy_eoh(struct milter_conn *c, struct verdict *v);
/* A body chunk of len bytes: the size limit. */
void milter_policy_body(struct milter_conn *c, gsize len, struct verdict *v);
/* End of message: the trace header values to add (g_malloc'ed) when the ticket is known;
 * returns FALSE (nothing to add) otherwise. */
gboolean milter_policy_tags(const struct milter_conn *c, char **ticket_r, char **verdict_r);

/* ---- Authentication-Results (RFC 8601; authres.c, no state) ---- */
/* The results that matter to the agent-mail check, OR-ed over a message's trusted headers. */
enum milter_authres_flag {
	AUTHRES_DKIM_PASS = 1 << 0,
	AUTHRES_DKIM_FAIL = 1 << 1,
	AUTHRES_SPF_PASS = 1 << 2,
	AUTHRES_SPF_FAIL = 1 << 3,
	AUTHRES_DMARC_FAIL = 1 << 4,
};
/* Read one Authentication-Results header value (any input: it never reads past the NUL).
 * It is ours when it starts with authserv_id as our MTA writes it (a plain token, ASCII
 * case ignored, no comment or quotes before it); else 0 and the rest is not read. Results
 * count only when they are about sender_domain (the envelope sender's): DKIM by an
 * aligned header.d (or header.i), SPF of an aligned smtp.mailfrom (or none given); a
 * dmarc=fail always. 1: ours and well formed, its results OR-ed into *results_r. -1: ours
 * but malformed, *error_r set, the results of the resinfos before the fault OR-ed in. */
int milter_authres_parse(const char *value, const char *authserv_id, const char *sender_domain,
			 guint *results_r, char **error_r);
/* The refusal rule: dmarc=fail, or dkim=fail / spf=fail with no dkim=pass or spf=pass (all
 * about the sender's domain: milter_authres_parse filtered them).
 * Returns what failed ("dmarc=fail", "dkim=fail", "spf=fail", "dkim=fail, spf=fail"; a
 * static string) or NULL when the results do not refuse. */
const char *milter_authres_failure(guint results);

/* ---- the flood table (locks flood_lock) ---- */
/* Count one new-ticket mail from sender ("" or NULL: not counted by sender) and client_ip
 * (NULL: not counted by IP) at now. 1 allowed (counted), 0 over the limit (not counted). */
int milter_flood_hit(struct milter *m, const char *sender, const char *client_ip, gint64 now);

#endif
