/* conf: the configuration file (GLib key-file format), table-driven.
 * conf_load() returns an immutable snapshot: after load nothing writes to it, so any thread
 * may read it without locks. Owner: whoever called conf_load(); free with conf_free(). */
#ifndef POSTDESK_CONF_H
#define POSTDESK_CONF_H

#include <glib.h>

#define CONF_DEFAULT_PATH POSTDESK_SYSCONFDIR "/postdesk/postdesk.conf"

enum conf_closed_policy { CONF_CLOSED_REOPEN, CONF_CLOSED_NEW };

struct conf_queue {
	char *name;      /* from the group name "[queue NAME]" */
	char *address;   /* full address, lower-case: support@example.com */
	char *local;     /* its local part, lower-case: support */
	char *display;   /* display name for outbound mail ("Example Support") */
	char *lead;      /* escalation address, may be NULL */
	gint64 first_response_target; /* seconds, 0 = none */
	char *business_hours;         /* "mon-fri 09:00-17:00" or NULL (24x7) */
	char *timezone;               /* IANA name, default "UTC" */
	gint64 pending_remind_after;  /* seconds */
	gint64 pending_resolve_after; /* seconds */
	gint64 resolved_close_after;  /* seconds */
	char *language;               /* LANG_CODES code, default "en" (doc/languages.md) */
	char *order_patterns;         /* regexes separated by spaces, NULL = none (issue 14) */
	char *order_lookup;           /* command line of the order lookup, NULL = none */
};

/* [mailbox NAME]: a hosted mailbox postdesk-fetchd reads (issue 15, doc/fetch.md). The
 * CHOICE keys keep their string ("imap", "tls", "yes"...); checked by conf_load. */
struct conf_mailbox {
	char *name;            /* from the group name "[mailbox NAME]" */
	char *host;
	gint64 port;           /* the protocol's default filled in by conf_load */
	char *protocol;        /* imap|pop3 */
	char *security;        /* tls|starttls|none (none: loopback or allow_plaintext) */
	char *allow_plaintext; /* yes|no */
	char *tls_verify;      /* yes|no */
	char *ca_file;         /* NULL: the system's trust store */
	char *user;
	char *password_file;   /* required unless auth = xoauth2 */
	char *auth;            /* plain|login|xoauth2 */
	char *token_command;   /* xoauth2: absolute path and arguments */
	gint64 token_timeout;  /* seconds */
	char *folder;          /* IMAP folder, default INBOX */
	char *done_action;     /* seen|move|delete */
	char *done_folder;     /* move: where to */
	char *queue;           /* the queue's name */
	const struct conf_queue *queue_ref; /* that queue, borrowed from the same conf */
	gint64 poll_interval;  /* seconds */
	gint64 max_message_size; /* bytes; [postdesk] max_message_size when not set */
	gint64 max_per_poll;
	gint64 timeout;        /* seconds */
	gint64 retry_max;      /* seconds */
	gint64 alert_after;    /* seconds, 0 = no alert */
	char *alert_to;        /* addresses, NULL = the queue's lead */
};

/* The placeholder of unsubscribe_url that survey mail replaces with the opt-out token. */
#define CONF_UNSUBSCRIBE_TOKEN "{token}"
#define CONF_UNSUBSCRIBE_URL_MAX 512

/* The survey's questions (survey_questions, doc/surveys.md): satisfaction 1..5,
 * recommendation 0..10, customer effort 1..7. */
enum conf_survey_question { CONF_SURVEY_CSAT, CONF_SURVEY_NPS, CONF_SURVEY_CES,
			    CONF_SURVEY_QUESTIONS };

struct conf {
	char *path;             /* the file loaded */
	char *database;         /* SQLite file */
	char *key_file;         /* token key */
	char *domain;           /* support domain, lower-case */
	char *hostname;         /* used in Message-IDs we make; default: domain */
	char *lmtp_listen;      /* "unix:/path" or "inet:HOST:PORT" */
	char *milter_listen;    /* "unix:/path" or "inet:HOST:PORT" */
	char *relay;            /* outbound SMTP "HOST:PORT" */
	char *template_dir;     /* admin overrides, may be NULL */
	char *kb_dir;           /* knowledge-base articles (doc/kb.md), NULL: none */
	char *user;             /* drop privileges to this user when started as root */
	char *log_level;        /* error|warn|info|debug */
	gint64 max_message_size;/* bytes */
	gint64 spool_threshold; /* bytes of a message held in memory before it is spooled */
	char *spool_dir;        /* spool files; NULL = "spool" beside the database */
	gint64 lmtp_timeout;    /* idle seconds */
	gint64 lmtp_max_sessions;
	gint64 busy_timeout_ms; /* SQLite busy timeout */
	gint64 batch_max;       /* messages per group commit */
	enum conf_closed_policy closed_policy;
	char *status_after_reply; /* status after an agent's answer, "unchanged": none */
	gint64 survey_delay;    /* seconds */
	char *survey_questions; /* "csat nps ces" as written; survey_ask is what it says */
	guint survey_ask[CONF_SURVEY_QUESTIONS]; /* the questions in order, n_survey_ask of them */
	guint n_survey_ask;
	char *unsubscribe_url;  /* https://... with one {token}, NULL = mailto unsubscribe only */
	gint64 autoreply_limit; /* automatic mails per (sender, ticket) per autoreply_window */
	gint64 autoreply_window;/* seconds */
	gint64 milter_flood_limit;  /* new-ticket mails per sender/IP per flood window */
	gint64 milter_flood_window; /* seconds */
	char *milter_on_db_error;   /* "tempfail" or "continue" */
	char *milter_authserv_id;   /* trusted Authentication-Results id, NULL = no check */
	char *milter_plain_detail;  /* "refuse" or "accept": support+web@ at the milter's RCPT */
	gint64 max_participants;    /* To/Cc participants kept per ticket (doc/security.md) */
	gint64 outbox_retry_base;   /* seconds: first retry delay of a deferred outbound mail */
	gint64 outbox_retry_max;    /* seconds: cap of the doubling retry delay */
	gint64 outbox_max_age;      /* seconds: still deferred after this long -> failed */
	gint64 agent_token_lifetime;/* seconds: agent/note tokens older than this are refused */
	gint64 max_recipients;      /* addresses of one agent answer (requester + Cc) */
	gint64 attachment_max_size; /* bytes; 0 = no limit (agent notices) */
	char *attachment_block_types; /* types/extensions withheld from notices, or NULL */
	char *attachment_allow_types; /* if set, only these are forwarded in notices */
	char *digest_time;          /* "HH:MM" (checked) or NULL: no daily digest */
	gint64 order_lookup_timeout_ms;  /* an order_lookup running longer is killed (issue 14) */
	gint64 order_lookup_max_output;  /* bytes of its output at most */
	GPtrArray *queues;      /* struct conf_queue *, at least one */
	GPtrArray *mailboxes;   /* struct conf_mailbox *, possibly none (issue 15) */
};

/* The questions a survey asks, in order, into ask; returns how many. A conf not made by
 * conf_load() (n_survey_ask 0) asks the default, CSAT then NPS. */
guint conf_survey_questions(const struct conf *conf, guint ask[CONF_SURVEY_QUESTIONS]);

/* Load and validate a config file. An unknown group or key, a missing required key or a bad
 * value fails with an error naming the file, line and key. */
int conf_load(const char *path, struct conf **conf_r, char **error_r);
void conf_free(struct conf **conf);
/* The configuration conf (loaded from its file, conf->path) in the file's own syntax, like
 * `postconf` / `doveconf`: [postdesk], then each [queue NAME], every key with its effective
 * value (the file's as written, else its default; a key with neither as a comment), or
 * with only_set those the file sets (`postconf -n`). Appended to out. -1 if the file can
 * no longer be read. (dump.c) */
int conf_dump(const struct conf *conf, gboolean only_set, GString *out, char **error_r);
/* The queue whose address (lower-case compare) or local part matches; NULL if none.
 * Borrowed from conf. */
const struct conf_queue *conf_queue_by_address(const struct conf *conf, const char *addr);
const struct conf_queue *conf_queue_by_local(const struct conf *conf, const char *local);
const struct conf_queue *conf_queue_by_name(const struct conf *conf, const char *name);
/* The [mailbox NAME] of that name (exact), NULL if none. Borrowed from conf. */
const struct conf_mailbox *conf_mailbox_by_name(const struct conf *conf, const char *name);

/* ---- business hours (hours.c; pure functions, no I/O) ----
 * A queue's business_hours ("mon-fri 09:00-17:00", normalised by conf) in its timezone; a
 * queue without business_hours is open 24x7, and both functions are then plain arithmetic.
 * A timezone that GLib cannot load falls back to UTC. */

/* Business seconds between from and to (0 if to <= from): what counts towards a first
 * response target. */
gint64 conf_business_seconds(const struct conf_queue *q, gint64 from, gint64 to);
/* The time at which `seconds` business seconds have passed since from (seconds <= 0: from).
 * E.g. 4 h from Friday 16:00 with mon-fri 09:00-17:00 is Monday 12:00. */
gint64 conf_business_add(const struct conf_queue *q, gint64 from, gint64 seconds);
/* The local day holding t, for callers that keep the windows of the days they visit (the
 * report, which measures a million tickets against the same few hundred days): 1 with its
 * business window [*open_r, *close_r), 0 when the day is closed, and *next_r the next local
 * midnight; -1 when the queue keeps no business hours (24x7; nothing set). */
int conf_business_day(const struct conf_queue *q, gint64 t, gint64 *next_r, gint64 *open_r,
		      gint64 *close_r);
/* The local day of t in q's timezone: *day_r "YYYY-MM-DD" (g_malloc'ed), *minute_r the
 * minutes since local midnight (0..1439). TRUE if that day is one of the business days of
 * q's business_hours (every day without them). Used by the daily digest. */
gboolean conf_local_day(const struct conf_queue *q, gint64 t, char **day_r, int *minute_r);
/* Minutes after midnight of digest_time ("HH:MM"), or -1 when it is unset or not HH:MM. */
int conf_digest_minute(const struct conf *conf);

/* ---- order references (orders.c; doc/orders.md, issue 14) ----
 * A queue's order_patterns: GLib (PCRE) regular expressions separated by spaces, each
 * matched as a whole word (no letter, digit, '_' or '-' right before or after it). */
#define CONF_ORDER_REFS_MAX 3 /* references taken from one message at most */
/* 0 if every pattern of patterns compiles, else -1 with "pattern: reason". */
int conf_order_patterns_ok(const char *patterns, char **error_r);
/* The order references in subject (our ticket tags "[#N]" left out) and text, pattern by
 * pattern, subject first, a leading '#' dropped, each once, at most CONF_ORDER_REFS_MAX: 0 with
 * *refs_r (char *, owned; empty when q has no patterns), -1 if a pattern is broken. */
int conf_order_refs_find(const struct conf_queue *q, const char *subject, const char *text,
			 GPtrArray **refs_r, char **error_r);

#endif
