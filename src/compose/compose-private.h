/* compose-private.h: shared by the compose files of the notify module. */
#ifndef POSTDESK_COMPOSE_PRIVATE_H
#define POSTDESK_COMPOSE_PRIVATE_H

#include "postdesk/compose.h"
#include "postdesk/token.h"

enum compose_tpl {
	COMPOSE_ACK,
	COMPOSE_AGENT_NOTICE,
	COMPOSE_REPLY,
	COMPOSE_NOTE,
	COMPOSE_BOUNCE_NOTICE,
	COMPOSE_COMMAND_ERROR,
	COMPOSE_SURVEY,
	COMPOSE_PENDING_REMINDER, /* surveys and follow-ups (followup.c) */
	COMPOSE_FRT_REMINDER,
	COMPOSE_RECIPIENTS_CAPPED, /* agent.c: an answer went to max_recipients addresses */
	COMPOSE_STATUS_REPLY,      /* status.c: a customer's "status" request answered */
	COMPOSE_COMMAND_ANSWER,    /* command.c: lists for the command address, the digest */
	COMPOSE_N
};

/* How many languages LANG_CODES ships: "0 +1 +1 ...". */
#define COMPOSE_LANG_ONE(c) +1
enum { COMPOSE_LANGS = 0 LANG_CODES(COMPOSE_LANG_ONE) };

struct compose_ctx {
	const struct conf *conf;
	const struct token_keys *keys;
	struct compose_template *tpl[COMPOSE_LANGS][COMPOSE_N]; /* [lang_index][tpl] */
	struct compose_template *kb_tpl[COMPOSE_LANGS]; /* kb.c: kb_suggestions.txt per language,
							 * NULL without kb_dir */
};

/* kb.c: load kb_suggestions.txt when kb_dir is set (-1 "path:line: reason"). */
int compose_kb_load(struct compose_ctx *ctx, char **error_r);
/* kb.c: {{kb.suggestions}} of the acknowledgement of t for msg ("" when no article passes
 * the threshold, or on a failed search, logged). */
void compose_kb_vars(struct compose_ctx *ctx, struct store *store, const struct store_ticket *t,
		     const struct conf_queue *q, const struct parse_msg *msg, GHashTable *vars);

/* One outbound mail being put together. The caller fills mail (addresses, threading,
 * attachments, extra headers (at most COMPOSE_MAX_EXTRA_HEADERS): borrowed), vars and
 * rcpts; compose_job_queue renders, builds and queues it. */
#define COMPOSE_MAX_EXTRA_HEADERS 4
struct compose_job {
	enum compose_tpl tpl;
	int lang;                /* lang_index() of its language (compose_job_lang); 0 = en */
	const char *kind;        /* outbox kind */
	gint64 ticket_id;
	GHashTable *vars;        /* owned */
	GPtrArray *rcpts;        /* char *, owned: envelope recipients */
	char *message_id;        /* owned, made by compose_job_init */
	struct parse_out mail;
	const char *store_kind;  /* non-NULL: also store as an outbound message of this kind */
	const char *stored_body; /* body for that message row (default: the rendered body) */
	GPtrArray *stored_attachments; /* struct store_attachment *, or NULL */
	const struct compose_template *own_tpl; /* rendered instead of tpl when set (a
						 * template loaded when used: alert.c) */
};

void compose_job_init(struct compose_job *job, enum compose_tpl tpl, const char *kind,
		      gint64 ticket_id, const struct compose_ctx *ctx);
void compose_job_clear(struct compose_job *job);
int compose_job_queue(struct compose_ctx *ctx, struct store *store, struct compose_job *job,
		  gint64 now, char **error_r);

/* Mail to agents that they answer with an agent or note token (role): one mail per address
 * of job->rcpts, To that address alone, Reply-To a token bound to that agent and to the
 * day of now (tokens expire: doc/security.md "Tokens and keys"), In-Reply-To the previous
 * mail of the ticket to that address and References the first and the last few (one
 * thread per ticket in the agent's client; the store keeps them, migration 8). job->mail
 * is filled but for To, Reply-To, In-Reply-To and References. 0 when all were queued, -1
 * on the first failure. */
int compose_job_queue_agents(struct compose_ctx *ctx, struct store *store,
			     struct compose_job *job, const struct conf_queue *q,
			     enum token_role role, gint64 now, char **error_r);

/* A template file that is all body (a macro: no Subject line), same variables; *t_r owned
 * by the caller, -1 with "path:line: reason". */
int compose_template_load_body(const char *path, struct compose_template **t_r,
			       char **error_r);

char *compose_message_id(const struct compose_ctx *ctx);
/* A Message-ID we can put in In-Reply-To/References (customers send broken ones). */
gboolean compose_msgid_ok(const char *id);
/* The signed reply address of a ticket for a role (g_malloc'ed). */
char *compose_token(const struct compose_ctx *ctx, const struct conf_queue *q, gint64 ticket,
		    enum token_role role);
GHashTable *compose_vars_new(void);
void compose_var(GHashTable *vars, const char *name, const char *value);
/* ticket.*, customer.*, queue.*, marker. */
void compose_vars_ticket(GHashTable *vars, const struct store_ticket *t,
			 const struct conf_queue *q);

/* The ticket and its queue (the first queue if the ticket's is no longer configured). */
int compose_ticket(struct compose_ctx *ctx, struct store *store, gint64 id,
		   struct store_ticket **t_r, const struct conf_queue **q_r, char **error_r);
/* Agents to tell about a ticket: the assignee, else the queue's agents; never `except`. */
int compose_agent_rcpts(struct store *store, const struct store_ticket *t, const char *except,
			GPtrArray *rcpts, char **error_r);
/* Borrowed views of a message's attachments (parsed with data); g_free the array. */
struct parse_out_attachment *compose_attachments(const struct parse_msg *msg, guint *n_r);

/* ---- languages (lang.c) ---- */
/* The words code puts into customer mail, per language. */
struct compose_lang_words {
	const char *code;
	const char *weekdays[7]; /* Monday first (GDateTime's day of week 1..7) */
	const char *months[12];
	const char *date_pattern;
	const char *survey_csat;        /* heading of the satisfaction links */
	const char *survey_csat_labels[6]; /* [1..5] */
	const char *survey_nps;         /* heading of the recommendation links */
	const char *survey_ces;         /* heading of the effort links (CES) */
	const char *survey_ces_labels[8]; /* [1..7]: 1 very difficult .. 7 very easy */
	const char *survey_reply;       /* answering by mail */
};
/* The words of lang (a LANG_CODES code); English for anything else. Static. */
const struct compose_lang_words *compose_lang_words(const char *lang);
/* Write job in the language of ticket t (customer mail; "" = its queue's) or, with t NULL,
 * in the queue's (mail to agents). */
void compose_job_lang(struct compose_job *job, const struct store_ticket *t,
		      const struct conf_queue *q);
/* {{message.date}}: t in job's language and q's time zone (after compose_job_lang). */
void compose_var_date(struct compose_job *job, gint64 t, const struct conf_queue *q);
/* ---- orders and the customer's figures (orders.c, issue 14) ---- */
/* {{orders}} (a readable block, one order after another) and {{order.*}} of the first of
 * refs (struct store_order_ref *, borrowed). */
void compose_vars_orders(GHashTable *vars, const GPtrArray *refs);
/* The same for the ticket's newest message with order references (macros). */
int compose_vars_ticket_orders(struct store *store, gint64 ticket_id, GHashTable *vars,
			       char **error_r);
/* {{customer.csat}}: "average 4.5 of 5 over 2 surveys, last 5" (g_malloc'ed). */
char *compose_csat_text(const struct store_customer *c);

#endif
