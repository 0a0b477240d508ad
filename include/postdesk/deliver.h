/* deliver: the intake pipeline that every way in shares (postdesk-lmtpd, `postdesk deliver`,
 * `postdesk reply`, and the IMAP fetcher): the recipient check (also used by the milter at
 * RCPT), parsing, routing each recipient (customer, agent, bounce, survey answer) to
 * thread/ and compose/, and the group-commit writer that answers only after the commit.
 *
 * Threads: the committer's single writer thread threads and stores a batch of messages in
 * one transaction on its own store connection and wakes each waiting submitter after the
 * batch is durable (group commit). Everything else runs on the caller's thread. */
#ifndef POSTDESK_DELIVER_H
#define POSTDESK_DELIVER_H

#include <glib.h>
#include "postdesk/conf.h"
#include "postdesk/lib.h"
#include "postdesk/store.h"
#include "postdesk/token.h"

/* ======================= recipients ======================= */

struct deliver_rcpt {
	char *addr;                     /* lower-case */
	const struct conf_queue *queue; /* borrowed from conf */
	gboolean has_token;
	struct token token;
};
/* Decide whether addr is ours: a queue address (250), a valid token address of our domain
 * (250), a token with a bad MAC or an expired agent/note token (550 5.7.1), anything else
 * (550 5.1.1). On OK, *r filled
 * (r->addr owned by r, free with deliver_rcpt_clear). */
void deliver_rcpt_resolve(const struct conf *conf, const struct token_keys *keys, const char *addr,
		  struct deliver_rcpt *r, struct verdict *v);
void deliver_rcpt_clear(struct deliver_rcpt *r);
/* An agent or note token r (resolved OK) used by from, which is the registered agent
 * `agent` (NULL: from is no agent): TRUE if the token was issued to that agent; else FALSE
 * with v set to 550 5.7.1 and the reason. */
gboolean deliver_rcpt_agent_check(const struct deliver_rcpt *r, const char *from,
				  const struct store_agent *agent, struct verdict *v);

/* ======================= delivery pipeline ======================= */

struct compose_ctx;
/* What delivering needs besides the store. notify NULL: no outbound mail is queued (unit
 * tests of threading). Borrowed, immutable, shareable between threads. */
struct deliver_env {
	const struct conf *conf;
	struct compose_ctx *compose;
};

/* Bytes of a customer message's new text kept in messages.body (the search index and
 * listings read it; the whole text is derived from the raw message). */
#define DELIVER_TEXT_MAX 1024
/* Bytes of the text (and of an HTML part) the quote cutter reads to find it (stored.c). */
#define DELIVER_TEXT_SCAN (4 * 1024)
#define DELIVER_HTML_SCAN (32 * 1024)

/* The mailbox bookkeeping of a message fetched by IMAP/POP3 (fetch/): deliver_apply writes
 * it into the fetched table in the delivery's own transaction, so the message is recorded
 * if and only if it is stored (exactly once, doc/fetch.md). Owned by its deliver_msg. */
struct deliver_fetch {
	char *mailbox;
	gint64 uidvalidity; /* POP3: 0 */
	char *uid;          /* IMAP UID in decimal, POP3 UIDL */
};

/* One message for one or more accepted recipients. Owns everything about the message. */
struct deliver_msg {
	char *sender;               /* envelope sender, "" for <> */
	GArray *rcpts;              /* struct deliver_rcpt */
	char *raw;                  /* NULL when the bytes are in the spool file raw_fd */
	gsize raw_len;
	int raw_fd;                 /* the spool file holding the raw bytes, or -1 */
	char *spool_dir;            /* where a spooled message's compressed copy may spill */
	GBytes *stored;             /* the bytes to store (compressed, lib/zip.c), set by
				     * deliver_parse; NULL when they are in stored_fd */
	int stored_fd;              /* a spool file holding them, or -1 */
	gsize stored_len;
	char *stored_text;          /* messages.body of customer mail: the new text, capped
				     * (DELIVER_TEXT_MAX), set by deliver_parse */
	struct parse_msg *msg;      /* set by deliver_parse */
	struct verdict *verdicts;   /* one per recipient, set by deliver_apply */
	gint64 *ticket_ids;         /* one per recipient (0 if failed) */
	gboolean id_checked;        /* Message-ID reuse looked at (deliver.c) */
	const struct deliver_env *env; /* the submitter's configuration (borrowed; the
					* committer's own if NULL) */
	struct deliver_fetch *fetch;   /* NULL unless fetched from a mailbox */
	gboolean acks_held;            /* set by lmtpd: a new ticket's acknowledgement and
					* language detection wait for notifyd (held_acks) */
};
/* Takes ownership of raw (g_malloc'ed). */
struct deliver_msg *deliver_new(const char *sender, char *raw, gsize raw_len);
/* The same for a message in a spool file: its raw_len bytes from offset 0 of fd, which d
 * now owns and closes. Parsed and stored through the file, never loaded whole; its
 * compressed copy goes to a nameless file in spool_dir (copied) past 1 MB. */
struct deliver_msg *deliver_new_spooled(const char *sender, int fd, gsize raw_len,
					const char *spool_dir);
void deliver_add_rcpt(struct deliver_msg *d, struct deliver_rcpt *r); /* takes r's contents */
/* Mark d as fetched from mailbox (uidvalidity, uid): deliver_apply records it (state
 * "stored" when the recipient's verdict is OK, "refused" with the raw bytes and the reason
 * when it is permanent, nothing when temporary), and takes the envelope sender from the
 * message's Return-Path (fetched mail has no envelope of its own). Strings copied. */
void deliver_set_fetch(struct deliver_msg *d, const char *mailbox, gint64 uidvalidity,
		       const char *uid);
void deliver_free(struct deliver_msg **d);
/* Parse the message and compress the bytes to store (no database: the caller's thread).
 * A message that cannot be parsed at all sets every verdict to a permanent failure, one
 * that cannot be compressed (spool disk full) to a temporary one; both return -1. */
int deliver_parse(struct deliver_msg *d);
/* Thread and store for every recipient, inside the caller's open transaction, each
 * recipient in its own savepoint (then the fetch record, if d->fetch). Verdicts: 250 when stored (or already stored), 5xx when
 * permanent (that recipient's savepoint rolled back). Returns -1 on store trouble: every
 * verdict is then 4xx and the caller must roll the transaction back. */
int deliver_apply(struct deliver_msg *d, struct store *store, const struct deliver_env *env,
		   gint64 now);
/* Set every verdict to 4xx for a store failure (452 4.3.1 when the disk is full). */
void deliver_tempfail(struct deliver_msg *d, struct store *store, const char *error);
/* Everything for a single message: begin, apply, commit (verdicts 4xx if commit fails). */
void deliver_run(struct deliver_msg *d, struct store *store, const struct deliver_env *env);
/* Log one info line per recipient of d once its verdicts are in: Postfix's queue id (from
 * the first Received: field, "-" when there is none), queue, ticket, verdict, the
 * milliseconds since started_us (g_get_monotonic_time()). (logline.c) */
void deliver_log(const struct deliver_msg *d, gint64 started_us);

/* ======================= configuration snapshots (SIGHUP reload) ======================= */

/* One loaded configuration of a daemon: immutable once made, shared by reference. */
struct deliver_snapshot {
	struct conf *conf;
	struct token_keys *keys;
	struct compose_ctx *compose; /* NULL when loaded without templates (the milter) */
	struct deliver_env env;	     /* {conf, compose} of this snapshot */
	gint refs;
};
/* Load conf_path, its key file and (templates) every template, completely, or nothing:
 * -1 with the first error. old (the running snapshot, may be NULL) lends its keys when the
 * same key file is no longer readable (a root-owned key after the privilege drop); changed
 * settings that need a restart are logged. One reference, the caller's. */
int deliver_snapshot_load(const char *conf_path, const struct deliver_snapshot *old,
			  gboolean templates, struct deliver_snapshot **snap_r, char **error_r);
struct deliver_snapshot *deliver_snapshot_ref(struct deliver_snapshot *snap);
/* SIGHUP's reindex of the knowledge base (doc/kb.md) from conf's kb_dir, if set, on a
 * connection of its own; a failure is logged here and leaves the old index. */
void deliver_kb_reindex(const struct conf *conf);
/* Drop one reference (NULLs *snap); the last one frees templates, keys and config. */
void deliver_snapshot_unref(struct deliver_snapshot **snap);

/* The current snapshot of a daemon. pin: a reference to the current one (a connection's,
 * kept to its end); swap: make snap (its reference taken over) current, dropping the
 * slot's reference to the old one. Thread-safe. */
struct deliver_slot {
	GMutex lock;
	struct deliver_snapshot *current;
};
void deliver_slot_init(struct deliver_slot *slot, struct deliver_snapshot *snap);
struct deliver_snapshot *deliver_slot_pin(struct deliver_slot *slot);
void deliver_slot_swap(struct deliver_slot *slot, struct deliver_snapshot *snap);
void deliver_slot_deinit(struct deliver_slot *slot);

/* ======================= group commit ======================= */

struct deliver_committer;
/* Start the writer thread on its own store connection. env is borrowed. */
int deliver_committer_new(const struct deliver_env *env, struct deliver_committer **c_r, char **error_r);
/* Queue d and wait until its batch is committed (or failed); verdicts are then set. */
void deliver_committer_submit(struct deliver_committer *c, struct deliver_msg *d);
void deliver_committer_free(struct deliver_committer **c);

#endif
