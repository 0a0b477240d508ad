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
#include "postdesk/parse.h"

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
	guint authres;	      /* PARSE_AUTHRES_* of the trusted Authentication-Results headers */
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

/* Authentication-Results: parse_authres_*() in postdesk/parse.h (src/parse/authres.c). */

/* ---- the flood table (locks flood_lock) ---- */
/* Count one new-ticket mail from sender ("" or NULL: not counted by sender) and client_ip
 * (NULL: not counted by IP) at now. 1 allowed (counted), 0 over the limit (not counted). */
int milter_flood_hit(struct milter *m, const char *sender, const char *client_ip, gint64 now);

#endif
