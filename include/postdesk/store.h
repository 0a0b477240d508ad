/* store: the database — an SQLite file, or PostgreSQL when `database` is a libpq URI
 * (issue 16, doc/scaling.md: nothing in this API differs). The only module that includes
 * sqlite3.h (and libpq-fe.h); every SQL statement
 * lives in src/store/statements.def and is prepared when the store opens (schema drift fails
 * at start-up). Schema changes are numbered forward-only migrations (src/store/migrations.c),
 * tracked with PRAGMA user_version. WAL, synchronous=FULL, foreign_keys=ON, busy_timeout.
 *
 * A struct store is one connection: use it from one thread at a time. Strings returned in
 * structs are owned by the struct (free with the matching _free). Functions follow the tree's
 * convention: -1 error (*error_r set), 0 ok / not found, 1 found. */
#ifndef POSTDESK_STORE_H
#define POSTDESK_STORE_H

#include <glib.h>

struct store;

enum store_flags {
	STORE_READONLY = 1 << 0, /* open read-only, never migrate (milter, reports) */
	STORE_CREATE = 1 << 1,   /* create the file if missing (postdesk init) */
	/* Commits do not fsync the WAL (synchronous = NORMAL): the caller must make them
	 * durable with store_syncer_sync() before anyone hears of them. For the LMTP writer,
	 * whose fsyncs then overlap the next batch's work (doc/durability.md). */
	STORE_WAL_NOSYNC = 1 << 2,
	/* Prepare each statement when first used, not all ~260 at open: for short-lived
	 * connections (a CLI command, a milter connection) that use a handful. A daemon opens
	 * without it, so a schema that drifted from the build's fails at its start. */
	STORE_LAZY = 1 << 3,
};

/* Open (and, unless STORE_READONLY, migrate to the newest schema). busy_timeout_ms: how long
 * a statement waits for a lock before failing (then callers answer 4xx). */
int store_open(const char *path, int flags, int busy_timeout_ms, struct store **store_r,
	       char **error_r);
void store_close(struct store **store);
/* Schema version of the open database. */
int store_schema_version(struct store *store);

/* PostgreSQL as the shared store (issue 16, doc/scaling.md). `database` is a file (SQLite)
 * or a libpq URI (postgresql://...: PostgreSQL); store_open() takes either, and nothing
 * else in the store's API differs. Whether it is a file on this host: only then do files
 * beside it (the send lock, the spool) and its directory's ownership apply. */
gboolean store_is_local(const char *database);
/* Whether several hosts may share this database (PostgreSQL): state every host must see
 * the same then lives in it, such as the milter's flood counters. */
gboolean store_is_shared(struct store *store);
/* The milter's new-ticket flood limit on a shared database (migration 21): 1 the mail is
 * allowed and counted against each of the n keys ("s:<sender>", "i:<client IP>"), 0 one
 * key already had `limit` in its fixed window of `window` seconds (nothing counted), -1
 * error. Runs its own short transaction, also on a read-only connection. */
int store_flood_hit(struct store *store, const char *const *keys, guint n, gint64 now,
		    gint64 window, gint64 limit, char **error_r);

/* `postdesk store copy` (src/store/copy.c): every row of `from` into `to`, which must hold
 * no desk yet (else -1, nothing written), with their ids, in one transaction of `to` (on
 * failure nothing is left there); then to's id sequences and the tickets' search rows
 * (messages are indexed by the usual catch-up; the knowledge base by `postdesk kb
 * reindex`). fn (may be NULL) after each page: table, rows copied, rows it has. Stop the
 * daemons first: `from` is read a page at a time. 0 with *rows_r, -1 error. */
typedef void store_copy_fn(const char *table, gint64 done, gint64 total, void *ctx);
/* Whether the desk holds no customer, ticket or message yet: 1 empty, 0 not, -1 error. */
int store_is_empty(struct store *store, char **error_r);
int store_copy(struct store *from, struct store *to, store_copy_fn *fn, void *ctx,
	       gint64 *rows_r, char **error_r);
/* After a copy: the row count of every table, and a sample of rows (the first of each
 * table and some from the middle) column by column. 0 the same (*tables_r: tables
 * checked), -1 with the first difference or error. */
int store_copy_check(struct store *a, struct store *b, guint *tables_r, char **error_r);
/* Newest schema version this build knows. */
int store_schema_latest(void);

/* WAL discipline (doc/durability.md). The LMTP writer's connection takes its checkpoints
 * into its own hands: store_wal_manual() turns SQLite's automatic checkpoints off for it
 * and makes store_wal_frames() report the frames in the WAL after its last commit. Another
 * connection, in a thread of its own, calls store_checkpoint() (PASSIVE: it never blocks
 * the writer) when the WAL has grown; if the WAL still outgrows a bound, the writer itself
 * calls store_checkpoint(truncate = TRUE) between transactions, which copies the rest back
 * and empties the file (it waits for readers; -1 "busy" if they kept it from finishing).
 * *wal_frames_r (may be NULL): frames in the WAL after the checkpoint's start. */
int store_wal_manual(struct store *store, char **error_r);
gint64 store_wal_frames(struct store *store);
int store_checkpoint(struct store *store, gboolean truncate, gint64 *wal_frames_r,
		     char **error_r);

/* Making the commits of a STORE_WAL_NOSYNC connection durable from another thread: an own
 * descriptor of "<database>-wal", opened when first needed (again if the file was
 * replaced), on which store_syncer_sync() calls fdatasync(). Every commit that returned
 * before the call started is durable when it returns 0. Independent of any connection:
 * owned by the thread that syncs. -1 with the errno text if the sync failed (the caller
 * must then treat those commits as not durable). */
struct store_syncer;
struct store_syncer *store_syncer_new(const char *db_path);
int store_syncer_sync(struct store_syncer *s, char **error_r);
void store_syncer_free(struct store_syncer **s);

/* Kind of the last failure on this connection, so the edge can pick 452 4.3.1 (full) or
 * 451 4.3.0 (busy/other). */
enum store_err { STORE_ERR_NONE, STORE_ERR_FULL, STORE_ERR_BUSY, STORE_ERR_OTHER };
enum store_err store_last_error(struct store *store);

/* Transactions. begin is BEGIN IMMEDIATE (take the write lock now, so a busy database
 * fails here, before any work). Savepoints let a batch roll back one message only. */
int store_begin(struct store *store, char **error_r);
int store_commit(struct store *store, char **error_r);
void store_rollback(struct store *store);
int store_savepoint(struct store *store, char **error_r);
int store_release(struct store *store, char **error_r);
void store_rollback_to(struct store *store);

/* ---- records ---- */
struct store_attachment {
	char *filename;
	char *content_type;
	gint64 size;
};

struct store_ticket {
	gint64 id;
	char *queue;
	char *subject;
	char *status;          /* new | open | pending | resolved | closed */
	char *priority;        /* low | normal | high | urgent */
	char *assignee;        /* agent address or NULL */
	gint64 requester_id;
	char *requester;       /* address */
	char *requester_name;
	gint64 linked_to;      /* earlier ticket this one continues, 0 if none */
	gint64 created;
	gint64 updated;
	gint64 message_count;
	char *lang;            /* language of its customer mail; "" = the queue's */
};

struct store_message {
	gint64 id;
	gint64 ticket_id;
	char *direction;       /* "in" | "out" */
	char *kind;            /* customer | agent | note | auto | bounce | survey */
	char *message_id;      /* without <> */
	char *rcpt;            /* envelope recipient (in) or main recipient (out) */
	char *env_sender;      /* envelope sender, "" for null sender */
	char *from_addr;
	char *from_name;
	char *subject;
	gint64 date;           /* Date: header, 0 if none */
	gint64 created;        /* when stored */
	char *body;            /* text */
	char *flags;           /* comma-separated: charset-guessed, message-id-made-up, ... */
	GBytes *raw;           /* the message byte for byte; NULL when not loaded */
	GPtrArray *attachments;/* struct store_attachment * */
	/* Insert only, instead of raw (which is then NULL): raw_fd_len bytes at the start of
	 * the file raw_fd (a spool file, read with pread), copied into the row's blob in
	 * chunks with incremental blob I/O, never held whole. Unused while raw_fd_len is 0. */
	int raw_fd;
	gsize raw_fd_len;
};

void store_ticket_free(struct store_ticket **t);
void store_message_free(struct store_message **m);

/* ---- writes (call inside store_begin/commit) ---- */
/* Insert or find a customer by lower-case address; a non-empty name updates the stored one. */
int store_customer_upsert(struct store *store, const char *addr, const char *name,
			  gint64 now, gint64 *id_r, char **error_r);
/* New ticket, status "new". */
int store_ticket_create(struct store *store, const char *queue, const char *subject,
			gint64 requester_id, gint64 linked_to, gint64 now, gint64 *id_r,
			char **error_r);
int store_ticket_set_status(struct store *store, gint64 id, const char *status, gint64 now,
			    char **error_r);
/* The language of a ticket's customer mail (a LANG_CODES code; "" = the queue's). */
int store_ticket_set_lang(struct store *store, gint64 id, const char *lang, char **error_r);
/* The language a customer's next ticket starts from (doc/languages.md): set, and read
 * into *lang_r (g_malloc'ed; "" when none or no such customer). */
int store_customer_set_lang(struct store *store, gint64 customer_id, const char *lang,
			    char **error_r);
int store_customer_lang(struct store *store, gint64 customer_id, char **lang_r,
			char **error_r);
/* Bump tickets.updated. */
int store_ticket_touch(struct store *store, gint64 id, gint64 now, char **error_r);
/* Insert a message with its attachments. m->id and m->created are ignored (created = now).
 * If (message_id, rcpt) is already stored, returns 1 with *id_r = the stored row and inserts
 * nothing (idempotent redelivery); 0 when inserted. */
int store_message_insert(struct store *store, const struct store_message *m, gint64 now,
			 gint64 *id_r, char **error_r);
/* Add an address to a ticket's participants (no-op if present). role: requester|cc|agent. */
int store_participant_add(struct store *store, gint64 ticket_id, const char *addr,
			  const char *name, const char *role, char **error_r);
/* Append an event. kind: created, message, status, reopened, linked, ...; detail free text.
 * A status change (detail: the new status) or a reopen also updates the figures the ticket
 * keeps for the report (migration 10), in the same transaction. */
int store_event_add(struct store *store, gint64 ticket_id, gint64 now, const char *kind,
		    const char *actor, const char *detail, char **error_r);

/* ---- reads ---- */
/* The stored row for (message_id, rcpt): 1 found (*row_r, *ticket_r set; ticket 0 if none),
 * 0 not stored yet. Lets threading skip a redelivered message before it creates anything. */
int store_message_find(struct store *store, const char *message_id, const char *rcpt,
		       gint64 *row_r, gint64 *ticket_r, char **error_r);
/* The first inbound message row with this Message-ID, for any recipient: 1 found, 0 none. */
int store_message_first_in(struct store *store, const char *message_id, gint64 *row_r,
			   char **error_r);
/* The raw bytes of message row `row`: 1 found (*raw_r owned by caller), 0 no such row. */
int store_message_raw(struct store *store, gint64 row, GBytes **raw_r, char **error_r);
/* The same bytes handed to fn in pieces (incremental blob I/O), so a big message is never
 * held whole: 1 found, 0 no such row, -1 error. */
typedef void store_chunk_fn(const void *data, gsize len, void *ctx);
int store_message_raw_read(struct store *store, gint64 row, store_chunk_fn *fn, void *ctx,
			   char **error_r);
/* Ticket of any stored message (in or out) with this Message-ID: 1 found, 0 none. */
int store_find_ticket_by_msgid(struct store *store, const char *message_id, gint64 *ticket_r,
			       char **error_r);
/* 1 if addr (lower-case) is a participant of the ticket, 0 if not. */
int store_is_participant(struct store *store, gint64 ticket_id, const char *addr,
			 char **error_r);
/* ---- trust reads (trust.c, doc/security.md) ---- */
/* 1 if message_id is one of our outbound messages and addr was one of its recipients
 * (*ticket_r: its ticket), 0 if not. */
int store_message_sent_to(struct store *store, const char *message_id, const char *addr,
			  gint64 *ticket_r, char **error_r);
/* The first stored inbound copy of message_id that has a ticket: 1 with *ticket_r and
 * *flags_r (g_malloc'ed, owned by the caller), 0 none. */
int store_message_first_in_flags(struct store *store, const char *message_id, gint64 *ticket_r,
				 char **flags_r, char **error_r);
/* Outlook conversation keys (parse_msg.thread_conv) seen in tickets: add one (once per
 * ticket), and find the newest ticket with conv that addr takes part in (1 with
 * *ticket_r, 0 none). */
int store_conversation_add(struct store *store, const char *conv, gint64 ticket_id,
			   char **error_r);
int store_conversation_ticket(struct store *store, const char *conv, const char *addr,
			      gint64 *ticket_r, char **error_r);
/* 1 if the ticket has more than max To/Cc participants (role cc), 0 if not. */
int store_participants_over(struct store *store, gint64 ticket_id, gint64 max, char **error_r);
/* 1 found (*t_r owned by caller), 0 no such ticket. */
int store_ticket_get(struct store *store, gint64 id, struct store_ticket **t_r, char **error_r);
/* One page of tickets, newest first, streamed: those with an id below `before` (<= 0: from
 * the newest), at most `limit` (<= 0: all), with `status` (NULL: any). fn gets each ticket,
 * borrowed for the call. Memory stays flat and a page costs its own rows, however deep.
 * Returns the number of tickets handed to fn, -1 on error. */
typedef void (*store_ticket_fn)(const struct store_ticket *t, void *ctx);
int store_ticket_page(struct store *store, const char *status, gint64 before, gint64 limit,
		      store_ticket_fn fn, void *ctx, char **error_r);
/* All tickets, newest first; status NULL for all (tests and small desks: store_ticket_page
 * pages). *list_r: GPtrArray of struct store_ticket * with a free function set. */
int store_ticket_list(struct store *store, const char *status, GPtrArray **list_r,
		      char **error_r);
/* A ticket's messages in order, with attachments; with_raw loads the raw bytes too. */
int store_message_list(struct store *store, gint64 ticket_id, gboolean with_raw,
		       GPtrArray **list_r, char **error_r);
/* Count of stored message rows (all tickets), for tests and benchmarks. */
int store_message_count(struct store *store, gint64 *count_r, char **error_r);

/* ======================= conversations (schema 2) ======================= */

struct store_agent {
	gint64 id;
	char *email;  /* lower-case */
	char *name;
	char *queue;  /* queue name, NULL = every queue */
	gint64 created;
};
void store_agent_free(struct store_agent **a);
/* Add an agent, or update name/queue of an existing one (by lower-case email). */
int store_agent_add(struct store *store, const char *email, const char *name, const char *queue,
		    gint64 now, char **error_r);
/* 1 removed, 0 no such agent. Tickets assigned to the agent become unassigned. */
int store_agent_remove(struct store *store, const char *email, char **error_r);
/* 1 found (*a_r owned by caller), 0 not an agent. */
int store_agent_get(struct store *store, const char *email, struct store_agent **a_r,
		    char **error_r);
/* Agents of a queue (queue = name, or agents with NULL queue), or all when queue is NULL;
 * ordered by email. GPtrArray of struct store_agent * with free func. */
int store_agent_list(struct store *store, const char *queue, GPtrArray **list_r,
		     char **error_r);
/* ---- the daily digest per agent (migration 15, doc/agents.md) ----
 * The agents who get it (not opted out), ordered by email, as store_agent_list. */
int store_agent_digest_list(struct store *store, GPtrArray **list_r, char **error_r);
/* Opt an agent in (on) or out of the digest: 1 done, 0 not an agent. */
int store_agent_set_digest(struct store *store, const char *email, gboolean on, char **error_r);
/* 1 if the digest of (agent, day) already ran, 0 not yet: a read, no lock (then claim). */
int store_agent_digest_done(struct store *store, gint64 agent_id, const char *day,
			    char **error_r);
/* Claim the digest of (agent, local day "YYYY-MM-DD") in the caller's transaction: 1 this
 * caller runs it, 0 it already ran (or another process holds it). Commit it with the
 * digest's outbox row, so it runs exactly once. */
int store_agent_digest_claim(struct store *store, gint64 agent_id, const char *day, gint64 now,
			     char **error_r);
/* Record how many tickets the claimed digest listed (0: nothing to tell, no mail). */
int store_agent_digest_listed(struct store *store, gint64 agent_id, const char *day,
			      gint64 listed, char **error_r);

int store_ticket_set_assignee(struct store *store, gint64 id, const char *email, gint64 now,
			      char **error_r); /* email NULL unassigns */
int store_ticket_set_priority(struct store *store, gint64 id, const char *priority, gint64 now,
			      char **error_r);
/* Add a tag (lower-case word); no-op if present. */
int store_tag_add(struct store *store, gint64 ticket_id, const char *tag, char **error_r);
/* Tags of a ticket, sorted: NULL-terminated strv (g_strfreev). */
int store_tag_list(struct store *store, gint64 ticket_id, char ***tags_r, char **error_r);

struct store_participant {
	char *address;
	char *name;
	char *role;   /* requester | cc | agent */
};
void store_participant_free(struct store_participant **p);
int store_participant_list(struct store *store, gint64 ticket_id, GPtrArray **list_r,
			   char **error_r);

struct store_event {
	gint64 id;
	gint64 ticket_id;
	gint64 created;
	char *kind;
	char *actor;
	char *detail;
};
void store_event_free(struct store_event **e);
/* A ticket's events, oldest first. */
int store_event_list(struct store *store, gint64 ticket_id, GPtrArray **list_r,
		     char **error_r);

struct store_customer {
	gint64 id;
	char *email;
	char *name;
	gboolean bounced;       /* mail to it bounced: no automatic mail */
	gboolean survey_optout;
	gint64 ticket_count;    /* tickets requested (kept as they are made, migration 5) */
	gint64 csat_sum, csat_count; /* their CSAT answers (kept as they change, migration 16) */
	int csat_last;          /* their latest CSAT score, -1 none */
};
void store_customer_free(struct store_customer **c);
/* 1 found, 0 none (by lower-case email). */
int store_customer_get(struct store *store, const char *email, struct store_customer **c_r,
		       char **error_r);
int store_customer_set_bounced(struct store *store, const char *email, gboolean bounced,
			       char **error_r);
/* Subjects of the requester's other tickets, newest first, at most limit (strv). */
int store_customer_recent_subjects(struct store *store, gint64 customer_id, gint64 except_ticket,
				   int limit, char ***subjects_r, char **error_r);
/* The requester's other tickets, newest first, at most limit: struct store_ticket * with
 * only id, status and subject set (*list_r frees them). */
int store_customer_recent_tickets(struct store *store, gint64 customer_id, gint64 except_ticket,
				  int limit, GPtrArray **list_r, char **error_r);

/* Automatic-mail rate limit (RFC 3834): mails sent to addr about ticket (0: about any
 * ticket) since `since`. */
int store_autoreply_count(struct store *store, const char *addr, gint64 ticket_id, gint64 since,
			  gint64 *count_r, char **error_r);
int store_autoreply_add(struct store *store, const char *addr, gint64 ticket_id, gint64 now,
			char **error_r);

/* ---- orders (migration 16; orders.c, doc/orders.md) ----
 * The order references of a customer message and what order_lookup said of each. */
struct store_order_ref {
	gint64 message_row;
	char *ref;
	gint64 looked;  /* when order_lookup answered or failed; 0: not looked up */
	char *error;    /* why the lookup failed, "" if it did not */
	char *status, *tracking, *total, *items; /* the shop's answer, "" when unknown */
};
void store_order_ref_free(gpointer ref);
/* Record ref as found in message_row of ticket_id (again: nothing). */
int store_order_ref_add(struct store *store, gint64 message_row, gint64 ticket_id,
			const char *ref, char **error_r);
/* The refs of one message, by ref (*list_r: struct store_order_ref *, owned). */
int store_order_ref_list(struct store *store, gint64 message_row, GPtrArray **list_r,
			 char **error_r);
/* The newest refs of a ticket, at most limit (postdesk show). */
int store_order_ref_ticket(struct store *store, gint64 ticket_id, int limit,
			   GPtrArray **list_r, char **error_r);
/* The lookup's outcome for ref (r->message_row, r->ref; r->looked must be set) and the
 * shop's JSON as it came (for templates of later versions and for `postdesk show`). */
int store_order_ref_result(struct store *store, const struct store_order_ref *r,
			   const char *json, char **error_r);
/* An agent notice that waits for the lookups of message_row (warning: its
 * {{message.warning}}, may be NULL). */
struct store_order_notice {
	gint64 message_row, ticket_id;
	char *warning;
};
void store_order_notice_free(gpointer n);
int store_order_notice_hold(struct store *store, gint64 message_row, gint64 ticket_id,
			    const char *warning, gint64 now, char **error_r);
/* The waiting notices, oldest first, at most limit (*list_r: struct store_order_notice *). */
int store_order_notice_pending(struct store *store, int limit, GPtrArray **list_r,
			       char **error_r);
/* Mark it sent (in the transaction that queued it): 1 done now, 0 someone else did. */
int store_order_notice_done(struct store *store, gint64 message_row, gint64 now,
			    char **error_r);

/* ---- the acknowledgements of new tickets that lmtpd leaves to notifyd (held.c) */
/* One waiting: the new ticket's first message and the envelope sender it answers. */
struct store_held_ack {
	gint64 message_row, ticket_id;
	char *sender;
};
void store_held_ack_free(gpointer h);
int store_ack_hold(struct store *store, gint64 message_row, gint64 ticket_id, gint64 now,
		   char **error_r);
/* The waiting ones, oldest first, at most limit (*list_r: struct store_held_ack *). */
int store_ack_held(struct store *store, int limit, GPtrArray **list_r, char **error_r);
/* When the oldest waiting one was held: 1 with *created_r, 0 none waits. */
int store_ack_held_oldest(struct store *store, gint64 *created_r, char **error_r);
/* Take one (in the transaction that queues the acknowledgement): 1 taken now, 0 another
 * runner took it (or its message was erased). */
int store_ack_take(struct store *store, gint64 message_row, char **error_r);

/* ---- the thread of a ticket's mail to one agent (compose: notices' In-Reply-To and
 * References, doc/agents.md). Addresses are compared normalized (util_addr_normalize). */
/* How many recent Message-IDs a thread keeps besides its first. */
#define STORE_AGENT_THREAD_RECENT 3
/* The first Message-ID of ticket's mail to addr (*first_r) and the last ones, oldest first
 * (*recent_r, NULL-terminated, at most STORE_AGENT_THREAD_RECENT; the first may be among
 * them). Both g_malloc'ed. 1 found, 0 no mail yet, -1 error. */
int store_agent_thread_get(struct store *store, gint64 ticket_id, const char *addr,
			   char **first_r, char ***recent_r, char **error_r);
/* Record message_id as the newest mail of ticket to addr (in the caller's transaction). */
int store_agent_thread_add(struct store *store, gint64 ticket_id, const char *addr,
			   const char *message_id, char **error_r);

/* ---- outbox: every outbound mail is a row first, written in the event's transaction ---- */
struct store_outbox {
	gint64 id;
	gint64 ticket_id;   /* 0 if none */
	char *kind;         /* ack | agent_notice | reply | note | bounce_notice | command_error
			     * | survey | reminder */
	char **rcpts;       /* envelope recipients (strv) */
	char *message_id;
	char *status;       /* queued | sent | failed */
	gint64 attempts;
	gint64 next_attempt;
	char *last_error;
	gint64 created;
	gint64 sent_at;     /* 0 unless sent */
	char *done;         /* per recipient, in rcpts order: '-' (or past the end) not yet
			     * taken, 's' accepted, 'f' refused for good (outbox/, VERP) */
	GBytes *raw;        /* NULL unless loaded */
};
void store_outbox_free(struct store_outbox **o);
/* Queue a mail (status queued, due now). raw is the complete message. */
int store_outbox_add(struct store *store, gint64 ticket_id, const char *kind,
		     const char *const *rcpts, const char *message_id, const char *raw, gsize len,
		     gint64 now, gint64 *id_r, char **error_r);
/* The same for a mail that is also a stored message (row message_row, raw included): its
 * bytes are kept once, in that row, and read from there when the mail is sent. */
int store_outbox_add_stored(struct store *store, gint64 ticket_id, const char *kind,
			    const char *const *rcpts, const char *message_id, gint64 message_row,
			    gint64 now, gint64 *id_r, char **error_r);
/* The bytes of outbox row id as they go to the relay: 1 with *raw_r (caller unrefs), 0 no
 * such row. */
int store_outbox_raw(struct store *store, gint64 id, GBytes **raw_r, char **error_r);
/* Queued rows due at `now`, oldest first, at most limit, raw loaded. On a shared database
 * (store_is_shared) the rows are claimed for this sender (a lease of two hours: the
 * senders of every host share the work, never a row); release the ones it does not send
 * with store_outbox_retry(). */
int store_outbox_due(struct store *store, gint64 now, int limit, GPtrArray **list_r,
		     char **error_r);
/* The earliest next_attempt of a queued row: 1 found (*when_r), 0 nothing queued. */
int store_outbox_next_due(struct store *store, gint64 *when_r, char **error_r);
int store_outbox_mark_sent(struct store *store, gint64 id, gint64 now, char **error_r);
/* Count an attempt: queued again at next_attempt with the error kept. */
int store_outbox_defer(struct store *store, gint64 id, gint64 next_attempt, const char *error,
		       char **error_r);
int store_outbox_mark_failed(struct store *store, gint64 id, const char *error, char **error_r);
/* Record which recipients of an unsent row the relay took (struct store_outbox.done). */
int store_outbox_set_done(struct store *store, gint64 id, const char *done, char **error_r);
/* Put a failed (or queued) row back to queued, due now: 1 done, 0 no such row or already
 * sent (a sent row is never sent again). */
int store_outbox_retry(struct store *store, gint64 id, gint64 now, char **error_r);
/* 1 found (raw not loaded), 0 none. */
int store_outbox_get(struct store *store, gint64 id, struct store_outbox **o_r, char **error_r);
/* All rows newest first, at most limit (0 = all), status filter or NULL; raw not loaded. */
int store_outbox_list(struct store *store, const char *status, int limit, GPtrArray **list_r,
		      char **error_r);
/* One page of it, newest first: rows with an id below `before` (<= 0: from the newest), at
 * most `limit` (<= 0: all). */
int store_outbox_page(struct store *store, const char *status, gint64 before, gint64 limit,
		      GPtrArray **list_r, char **error_r);


/* ======================= reports (src/store/report_rows.c) ======================= */
/* What `postdesk report` computes from. The store streams it ticket by ticket
 * (store_report_each); tests build the same rows by hand (struct store_report_rows).
 * Strings are interned (equal strings share one pointer) and live as long as the rows, or
 * the whole of store_report_each(). */
struct store_report_ticket {
	gint64 id;
	gint64 created;
	const char *queue;
	const char *assignee;  /* NULL if unassigned */
	const char *status;    /* current status (used when kept) */
	/* The figures the ticket keeps (migration 10), valid when kept is TRUE: nothing the
	 * report uses changed at or after its end. Otherwise they are worked out from the
	 * ticket's messages and events. 0 = none. */
	gboolean kept;
	gint64 first_reply;    /* first agent answer */
	gint64 resolved_at;    /* last change to resolved */
	gint64 first_reopen, last_reopen;
	gboolean fcr;          /* that resolution was a first-contact one */
	/* Retention (migration 17), fixed when the ticket was made, so valid kept or not: the
	 * requester's previous ticket's creation and last resolution before it; 0 = none. */
	gint64 prev_created, prev_resolved;
	/* That resolution (resolved_at) was self-served (issue 14, migration 18); valid when
	 * kept, like the figures above. */
	gboolean self_served;
};
struct store_report_message {
	gint64 ticket_id;
	gint64 created;
	gboolean agent;        /* TRUE: an agent answer (out/agent); FALSE: customer mail (in) */
};
struct store_report_event {
	gint64 ticket_id;
	gint64 created;
	const char *kind;      /* "status" | "reopened" */
	const char *detail;    /* status: the new status; reopened: the previous one */
};
/* A customer's wait for an answer (reply_waits), for tickets whose figures are kept. */
struct store_report_wait {
	gint64 ticket_id;
	gint64 started;        /* the first customer message not yet answered */
	gint64 answered;       /* the agent answer that ended it */
};
struct store_report_survey {
	gint64 ticket_id;
	gint64 requested;      /* when the survey mail was queued */
	gint64 answered;       /* 0 = not answered */
	int csat;              /* 1..5, -1 = not given */
	int nps;               /* 0..10, -1 = not given */
	int ces;               /* 1..7, -1 = not given */
};
/* One ticket's rows (all borrowed): messages (by time) and events (by id) of a ticket not
 * kept, waits (by answer) of a kept one, its survey or NULL. */
struct store_report_slice {
	const struct store_report_message *msgs;
	gsize n_msgs;
	const struct store_report_event *events;
	gsize n_events;
	const struct store_report_wait *waits;
	gsize n_waits;
	const struct store_report_survey *survey;
};
/* Rows held in memory, for tests: every list ordered by ticket. */
struct store_report_rows {
	GArray *tickets;       /* struct store_report_ticket, by id */
	GArray *messages;      /* struct store_report_message, by ticket, created, id */
	GArray *events;        /* struct store_report_event, by ticket, id */
	GArray *waits;         /* struct store_report_wait, by ticket */
	GArray *surveys;       /* struct store_report_survey, by ticket */
	GStringChunk *strings;
};
/* Empty rows (tests fill them by hand); free with store_report_rows_free(). */
struct store_report_rows *store_report_rows_new(void);
void store_report_rows_free(struct store_report_rows **rows);
/* Intern a string in rows (NULL stays NULL). */
const char *store_report_intern(struct store_report_rows *rows, const char *s);

/* Called once per ticket, in id order; t and s are borrowed for the call. */
typedef void store_report_fn(const struct store_report_ticket *t,
			     const struct store_report_slice *s, void *ctx);
/* Every ticket created before `before`, of queue (NULL: any) assigned to assignee (NULL:
 * anyone), with its rows before `before`, handed to fn in one read snapshot. Streams: the
 * memory used does not grow with the number of tickets. 0 ok, -1 error (some tickets may
 * have been handed over by then). */
int store_report_each(struct store *store, const char *queue, const char *assignee,
		      gint64 before, store_report_fn *fn, void *ctx, char **error_r);

/* ======================= schedule and surveys (schema 3) ======================= */
/* Timed work (survey/ decides what; see doc/surveys.md). One row per (ticket, kind); kinds:
 * survey, frt_warn, frt_breach, pending_remind, pending_resolve, resolved_close. */
struct store_schedule {
	gint64 id;
	gint64 ticket_id;
	char *kind;
	gint64 due;
	gint64 done;     /* 0 while waiting, else when it ran */
	char *outcome;   /* "" while waiting; "sent", "skipped: why", ... */
};
void store_schedule_free(struct store_schedule **s);
/* Make (ticket, kind) due at `due`. A row with another due time is replaced and waits
 * again; one with the same due time is left as it is (done or not). */
int store_schedule_set(struct store *store, gint64 ticket_id, const char *kind, gint64 due,
		       char **error_r);
/* Remove (ticket, kind) if it has not run yet (a done row is kept as the record). */
int store_schedule_cancel(struct store *store, gint64 ticket_id, const char *kind,
			  char **error_r);
/* Waiting rows due at `now`, earliest first, at most limit. GPtrArray with free func. */
int store_schedule_due(struct store *store, gint64 now, int limit, GPtrArray **list_r,
		       char **error_r);
/* A ticket's rows, by due time (done ones included). */
int store_schedule_list(struct store *store, gint64 ticket_id, GPtrArray **list_r,
			char **error_r);
/* Earliest due time of a waiting row: 1 found (*when_r), 0 none. */
int store_schedule_next_due(struct store *store, gint64 *when_r, char **error_r);
/* Mark a row done now with an outcome: 1 marked, 0 it was already done (someone else ran
 * it: the caller must not do the work). */
int store_schedule_done(struct store *store, gint64 id, gint64 now, const char *outcome,
			char **error_r);
/* Record what a done row's work came to (the runner marks it done first, then works). */
int store_schedule_outcome(struct store *store, gint64 id, const char *outcome,
			   char **error_r);
/* When the ticket took its current status (newest "status" event, else its creation):
 * 1 found, 0 no such ticket. */
int store_ticket_status_since(struct store *store, gint64 ticket_id, gint64 *when_r,
			      char **error_r);
/* Time of the first agent answer sent to the customer (messages out/agent): 1 found, 0 none. */
int store_ticket_first_reply(struct store *store, gint64 ticket_id, gint64 *when_r,
			     char **error_r);

struct store_survey {
	gint64 ticket_id;
	gint64 requested; /* when the survey mail was queued */
	int csat;         /* 1..5, -1 unanswered */
	int nps;          /* 0..10, -1 unanswered */
	int ces;          /* 1..7, -1 unanswered (migration 17) */
	char *comment;
	gint64 answered;  /* time of the latest answer, 0 if none */
};
void store_survey_free(struct store_survey **s);
/* Record that a survey was queued: 1 recorded, 0 the ticket already had one (send nothing). */
int store_survey_request(struct store *store, gint64 ticket_id, gint64 now, char **error_r);
/* Store an answer: csat/nps/ces -1 and comment NULL keep what is stored (a later answer
 * replaces the earlier one's values). Creates the row if the ticket had none. */
int store_survey_answer(struct store *store, gint64 ticket_id, int csat, int nps, int ces,
			const char *comment, gint64 now, char **error_r);
/* 1 found (*s_r owned by the caller), 0 none. */
int store_survey_get(struct store *store, gint64 ticket_id, struct store_survey **s_r,
		     char **error_r);
/* Stop (or allow again) surveys to a customer; 0 also when the address is no customer. */
int store_customer_set_optout(struct store *store, const char *email, gboolean optout,
			      char **error_r);

/* ---- merge and split (merge.c, migration 10, doc/agents.md) ---- */
/* 1 if ticket id was merged (*into_r: the ticket it was folded into), 0 if not (or no such
 * ticket: *into_r 0). */
int store_ticket_merged_into(struct store *store, gint64 id, gint64 *into_r, char **error_r);
/* Fold ticket `from` into `into`: messages, events, tags, agents' notice threads, Outlook
 * conversations and survey (if `into` has none) move; `from` is closed with merged_into =
 * into, its undone timed work dropped, and tickets merged into it re-pointed at `into`.
 * Participants are not moved here (the caller applies the cap), but `from`'s are dropped:
 * read them first. The caller checks the merge is allowed. */
int store_ticket_merge(struct store *store, gint64 from, gint64 into, gint64 now,
		       char **error_r);
/* Move the messages of ticket `from` with row ids first_row..last_row to ticket `into`,
 * keeping both message counts; *moved_r: how many. */
int store_messages_move(struct store *store, gint64 from, gint64 into, gint64 first_row,
			gint64 last_row, gint64 now, gint64 *moved_r, char **error_r);
/* ======================= data protection (privacy.c, issue 13) ======================= */
/* The tickets a customer takes part in, each ascending (GArray of gint64, caller unrefs):
 * *requested_r those they requested, *other_r those where email is only a participant. */
int store_customer_tickets(struct store *store, gint64 customer_id, const char *email,
			   GArray **requested_r, GArray **other_r, char **error_r);
/* Erase a customer from one ticket (inside store_begin/commit). requested: their own
 * ticket: every message's addresses, names, subject, text and raw bytes, the attachments'
 * rows, event details (but status and reopened ones), the survey comment, waiting timed
 * work and the subject go; the rows stay (the report counts them). Otherwise: their mail
 * and mail to them on someone else's ticket, the raw bytes of the ticket's other messages
 * (their headers may name them) and their address and name in those messages' text.
 * Both: their participant row, and their address and name (may be ""; used only when 5
 * letters or more) in events. */
int store_customer_erase_ticket(struct store *store, gint64 ticket_id, gboolean requested,
				const char *email, const char *name, char **error_r);
/* After every ticket: outbox rows of their tickets or to them (bytes blanked, address
 * replaced, queued ones cancelled), the automatic-reply log, the customer row (becomes
 * erased-ID@erased.invalid without a name) and an audit row (actor, detail). */
int store_customer_erase_finish(struct store *store, gint64 customer_id, const char *email,
				const char *actor, const char *detail, gint64 now, char **error_r);
/* From now on, this connection overwrites deleted content with zeros. */
int store_secure_delete(struct store *store, char **error_r);
/* Rebuild the database file (VACUUM, outside a transaction): no free page keeps old bytes.
 * Takes as long as copying the whole file and holds writers off meanwhile. */
int store_vacuum(struct store *store, char **error_r);
/* ======================= search (migration 12, search.c, doc/search.md) ============== */
/* Index the messages and the tickets stored since the last call (at most max_rows of each;
 * 0: all), in a transaction of its own or the caller's: both are indexed after their
 * delivery, not in it. *done_r: how many rows. notifyd calls it on each pass;
 * store_search() before it reads. */
int store_search_catch_up(struct store *store, gint64 max_rows, gint64 *done_r, char **error_r);
/* The FTS expression for what a user typed: words (all must match, diacritics and case
 * folded), "a phrase", word* (a prefix), -word (must not match), OR between two terms.
 * 0 with *fts_r (g_malloc'ed), -1 with a message meant for the user in *error_r ("search:
 * a quote is not closed: ..."), never SQL text. No database access. */
int store_search_parse(const char *query, char **fts_r, char **error_r);

struct store_search_hit {
	gint64 ticket_id;
	gint64 rank;       /* bm25 x 10^6 of the best matching message or ticket: lower wins */
	gint64 updated;
	char *status;
	char *subject;
	char *queue;
};
void store_search_hit_free(struct store_search_hit **h);

struct store_search_opts {
	const char *query;  /* the user's query (store_search_parse) */
	const char *status; /* NULL: any */
	const char *queue;  /* NULL: any */
	gint64 since;       /* only tickets updated at or after (0: any) */
	gint64 offset;      /* tickets of the earlier pages to skip */
	gint64 limit;       /* at most (<= 0: 10) */
};
/* Tickets matching o->query in their subject, messages (subject, new text, sender),
 * requester, participants or tags, best first: *hits_r a GPtrArray of struct
 * store_search_hit * (free function set), *more_r TRUE when more follow. A bad query is
 * -1 with store_search_parse's message (store_last_error() is then STORE_ERR_NONE). */
int store_search(struct store *store, const struct store_search_opts *o, GPtrArray **hits_r,
		 gboolean *more_r, char **error_r);
/* Open work of one kind, newest first, at most limit: tickets in `status` assigned to
 * assignee (queue NULL) or in queue (assignee NULL). fn as for store_ticket_page. The
 * number handed to fn, -1 on error. */
int store_ticket_page_by(struct store *store, const char *assignee, const char *queue,
			 const char *status, gint64 limit, store_ticket_fn fn, void *ctx,
			 char **error_r);
/* 1 if the ticket's first-response target passed by now (its frt_breach job is due or
 * ran), 0 if not or it has none. */
int store_ticket_frt_due(struct store *store, gint64 ticket_id, gint64 now, char **error_r);

/* ======================= the knowledge base (kb.c, issue 14) ======================= */
/* An article as kb/ read it from kb_dir; store_kb_list fills all but tags and body. */
struct store_kb_article {
	gint64 id;
	char *queue; /* "" for the shared directory */
	char *path, *lang, *title, *tags, *url, *body;
};
void store_kb_article_free(struct store_kb_article **a);
/* One article found: score is BM25 (larger is better) in thousandths; matched of terms:
 * how many of the query's words (stop words aside) it holds. */
struct store_kb_hit {
	gint64 id;
	char *title, *url, *body;
	gint64 score;
	int matched, terms;
};
void store_kb_hit_free(struct store_kb_hit **h);
/* Empty the articles and their index (inside store_begin/commit: a reindex is one
 * transaction, so readers see the old set or the new one). */
int store_kb_clear(struct store *store, char **error_r);
/* Add an article, indexed in its language (a->id chosen by the caller, unique). */
int store_kb_add(struct store *store, const struct store_kb_article *a, char **error_r);
/* The best articles (at most limit) in lang of queue or shared, for an FTS5 query match
 * (stemmed in lang): 0 with *hits_r (caller frees; best first), -1 error (a bad query
 * expression too). */
int store_kb_search(struct store *store, const char *match, const char *lang, const char *queue,
		    int limit, GPtrArray **hits_r, char **error_r);
/* Every article (struct store_kb_article, no body), by id: 0 with *list_r, -1 error. */
int store_kb_list(struct store *store, GPtrArray **list_r, char **error_r);
/* Resolve a ticket as self-served (status resolved, self_served 1; a later status change
 * that opens it clears the flag). */
int store_ticket_set_self_served(struct store *store, gint64 id, gint64 now, char **error_r);
/* 1 with *yes_r, 0 no such ticket, -1 error. */
int store_ticket_self_served(struct store *store, gint64 id, gboolean *yes_r, char **error_r);

/* ---- IMAP/POP3 intake (issue 15, fetch.c; migration 20) ----
 * A fetched message's key: (mailbox, uidvalidity, uid); POP3 has uidvalidity 0 and its
 * UIDL as uid. */
struct store_fetch_key {
	const char *mailbox;
	gint64 uidvalidity;
	const char *uid;
};
/* Record a fetched message in the caller's transaction (the delivery's own, deliver.c).
 * state: "stored" (ticket_id, message_id), "refused" (error, raw: the bytes as fetched),
 * "too_big". A key already recorded is left as it is. */
int store_fetched_add(struct store *store, const struct store_fetch_key *k, gint64 ticket_id,
		      const char *message_id, const char *state, const char *error,
		      const void *raw, gsize raw_len, gint64 now, char **error_r);
/* 1 recorded (*state_r g_malloc'ed, *done_r the done action's time or 0), 0 not, -1. */
int store_fetched_find(struct store *store, const struct store_fetch_key *k, char **state_r,
		       gint64 *done_r, char **error_r);
/* The server-side done action succeeded (after the commit). */
int store_fetched_done(struct store *store, const struct store_fetch_key *k, gint64 now,
		       char **error_r);

/* One mailbox's row of mailbox_state (0 where unset). Strings owned, see _clear. */
struct store_mailbox_state {
	char *mode;          /* "idle", "poll" or "pop3": how the last good poll ran */
	gint64 last_attempt, last_success, last_error_at, alerted;
	gint64 failing_since; /* the first failed attempt of the current run of failures */
	char *last_error;    /* NULL if none yet */
	gint64 failures;     /* consecutive failed attempts */
	gint64 backlog;      /* messages on the server not yet fetched after the last poll */
	gint64 skipped;      /* refused or too big: left on the server, not retried */
	gint64 fetched;      /* messages stored since the row was made */
};
/* A poll got through: failures and the alert are reset. */
int store_mailbox_ok(struct store *store, const char *mailbox, gint64 now, const char *mode,
		     gint64 backlog, gint64 skipped, gint64 fetched, char **error_r);
/* An attempt failed with text (one line). */
int store_mailbox_fail(struct store *store, const char *mailbox, gint64 now, const char *text,
		       char **error_r);
/* The admins were mailed about the current outage at now. */
int store_mailbox_alerted(struct store *store, const char *mailbox, gint64 now,
			  char **error_r);
/* Where the mailbox's new mail starts (migration 22): the UIDVALIDITY and the highest UID
 * looked at, 0 and 0 before the first contact. */
int store_mailbox_uid_get(struct store *store, const char *mailbox, gint64 *uidvalidity_r,
			  gint64 *uid_r, char **error_r);
int store_mailbox_uid_set(struct store *store, const char *mailbox, gint64 uidvalidity,
			  gint64 uid, char **error_r);
/* 1 with *st filled (clear it with store_mailbox_state_clear), 0 no row yet, -1 error. */
int store_mailbox_state_get(struct store *store, const char *mailbox,
			    struct store_mailbox_state *st, char **error_r);
void store_mailbox_state_clear(struct store_mailbox_state *st);

#endif
