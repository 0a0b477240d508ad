/* migrations: the schema, as numbered forward-only SQL scripts compiled into the program.
 * Migration N takes a database from user_version N-1 to N, in one transaction of its own;
 * MIGRATION() appends "PRAGMA user_version = N" to the script, so the number written is
 * the number declared. To change the schema, append MIGRATION(N + 1, "...") to the table
 * (never edit a released one) and describe it in doc/schema.md. Uses only the leaves
 * (txn.c, stmt.c, error.c); store.c calls it, nothing here calls store.c. Runs on the
 * connection that store_open() is setting up (one thread). */
#include "config.h"
#include "store-error.h"
#include "store-migrate.h"
#include "store-stmt.h"

struct migration {
	int version;
	const char *sql;
};

#define MIGRATION(n, script)                                                                       \
	{                                                                                          \
		n, script "\nPRAGMA user_version = " #n ";"                                        \
	}

static const struct migration migrations[] = {
    /* 1: the foundation — customers, tickets, the messages (raw, byte for byte) with their
     * attachments, ticket participants and the event log. */
    MIGRATION(1, "CREATE TABLE customers (\n"
		 "  id INTEGER PRIMARY KEY,\n"
		 "  email TEXT NOT NULL UNIQUE,\n"
		 "  name TEXT NOT NULL DEFAULT '',\n"
		 "  created INTEGER NOT NULL,\n"
		 "  bounced INTEGER NOT NULL DEFAULT 0,\n"
		 "  survey_optout INTEGER NOT NULL DEFAULT 0\n"
		 ");\n"
		 "CREATE TABLE tickets (\n"
		 "  id INTEGER PRIMARY KEY,\n"
		 "  queue TEXT NOT NULL,\n"
		 "  subject TEXT NOT NULL,\n"
		 "  requester_id INTEGER NOT NULL REFERENCES customers(id),\n"
		 "  status TEXT NOT NULL DEFAULT 'new'\n"
		 "    CHECK (status IN ('new', 'open', 'pending', 'resolved', 'closed')),\n"
		 "  priority TEXT NOT NULL DEFAULT 'normal'\n"
		 "    CHECK (priority IN ('low', 'normal', 'high', 'urgent')),\n"
		 "  assignee TEXT,\n"
		 "  linked_to INTEGER REFERENCES tickets(id),\n"
		 "  created INTEGER NOT NULL,\n"
		 "  updated INTEGER NOT NULL\n"
		 ");\n"
		 "CREATE INDEX tickets_status ON tickets(status);\n"
		 "CREATE INDEX tickets_requester ON tickets(requester_id);\n"
		 "CREATE TABLE messages (\n"
		 "  id INTEGER PRIMARY KEY,\n"
		 "  ticket_id INTEGER REFERENCES tickets(id),\n"
		 "  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),\n"
		 "  kind TEXT NOT NULL,\n"
		 "  message_id TEXT NOT NULL,\n"
		 "  rcpt TEXT NOT NULL,\n"
		 "  env_sender TEXT NOT NULL DEFAULT '',\n"
		 "  from_addr TEXT NOT NULL DEFAULT '',\n"
		 "  from_name TEXT NOT NULL DEFAULT '',\n"
		 "  subject TEXT NOT NULL DEFAULT '',\n"
		 "  date INTEGER NOT NULL DEFAULT 0,\n"
		 "  created INTEGER NOT NULL,\n"
		 "  body TEXT NOT NULL DEFAULT '',\n"
		 "  flags TEXT NOT NULL DEFAULT '',\n"
		 "  raw BLOB NOT NULL,\n"
		 "  UNIQUE (message_id, rcpt)\n"
		 ");\n"
		 "CREATE INDEX messages_message_id ON messages(message_id);\n"
		 "CREATE INDEX messages_ticket ON messages(ticket_id);\n"
		 "CREATE TABLE attachments (\n"
		 "  id INTEGER PRIMARY KEY,\n"
		 "  message_row INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,\n"
		 "  filename TEXT NOT NULL,\n"
		 "  content_type TEXT NOT NULL,\n"
		 "  size INTEGER NOT NULL\n"
		 ");\n"
		 "CREATE INDEX attachments_message ON attachments(message_row);\n"
		 "CREATE TABLE participants (\n"
		 "  ticket_id INTEGER NOT NULL REFERENCES tickets(id),\n"
		 "  address TEXT NOT NULL,\n"
		 "  name TEXT NOT NULL DEFAULT '',\n"
		 "  role TEXT NOT NULL,\n"
		 "  PRIMARY KEY (ticket_id, address)\n"
		 ") WITHOUT ROWID;\n"
		 "CREATE TABLE events (\n"
		 "  id INTEGER PRIMARY KEY,\n"
		 "  ticket_id INTEGER NOT NULL REFERENCES tickets(id),\n"
		 "  created INTEGER NOT NULL,\n"
		 "  kind TEXT NOT NULL,\n"
		 "  actor TEXT NOT NULL DEFAULT '',\n"
		 "  detail TEXT NOT NULL DEFAULT ''\n"
		 ");\n"
		 "CREATE INDEX events_ticket ON events(ticket_id);"),
    /* 2: conversations — agents, the outbox (every outbound mail is a row before it is
     * sent), the automatic-reply log that rate-limits them (RFC 3834) and ticket tags. */
    MIGRATION(2, "CREATE TABLE agents (\n"
		 "  id INTEGER PRIMARY KEY,\n"
		 "  email TEXT NOT NULL UNIQUE,\n"
		 "  name TEXT NOT NULL,\n"
		 "  queue TEXT,\n"
		 "  created INTEGER NOT NULL\n"
		 ");\n"
		 "CREATE TABLE outbox (\n"
		 "  id INTEGER PRIMARY KEY,\n"
		 "  ticket_id INTEGER REFERENCES tickets(id),\n"
		 "  kind TEXT NOT NULL,\n"
		 "  rcpts TEXT NOT NULL,\n"
		 "  message_id TEXT NOT NULL,\n"
		 "  raw BLOB NOT NULL,\n"
		 "  status TEXT NOT NULL DEFAULT 'queued'\n"
		 "    CHECK (status IN ('queued', 'sent', 'failed')),\n"
		 "  attempts INTEGER NOT NULL DEFAULT 0,\n"
		 "  next_attempt INTEGER NOT NULL,\n"
		 "  last_error TEXT NOT NULL DEFAULT '',\n"
		 "  created INTEGER NOT NULL,\n"
		 "  sent_at INTEGER\n"
		 ");\n"
		 "CREATE INDEX outbox_due ON outbox(status, next_attempt);\n"
		 "CREATE TABLE autoreplies (\n"
		 "  address TEXT NOT NULL,\n"
		 "  ticket_id INTEGER NOT NULL,\n"
		 "  sent_at INTEGER NOT NULL\n"
		 ");\n"
		 "CREATE INDEX autoreplies_window ON autoreplies(address, ticket_id, sent_at);\n"
		 "CREATE TABLE tags (\n"
		 "  ticket_id INTEGER NOT NULL REFERENCES tickets(id),\n"
		 "  tag TEXT NOT NULL,\n"
		 "  PRIMARY KEY (ticket_id, tag)\n"
		 ") WITHOUT ROWID;"),
    /* 3: timed work and surveys — the schedule (one row per ticket and kind of timed job;
     * done is set in the transaction that does the job, so nothing runs twice) and the
     * satisfaction survey of each ticket (NULL scores until answered). */
    MIGRATION(3, "CREATE TABLE surveys (\n"
		 "  ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),\n"
		 "  requested INTEGER NOT NULL,\n"
		 "  csat INTEGER CHECK (csat BETWEEN 1 AND 5),\n"
		 "  nps INTEGER CHECK (nps BETWEEN 0 AND 10),\n"
		 "  comment TEXT NOT NULL DEFAULT '',\n"
		 "  answered INTEGER\n"
		 ");\n"
		 "CREATE TABLE schedule (\n"
		 "  id INTEGER PRIMARY KEY,\n"
		 "  ticket_id INTEGER NOT NULL REFERENCES tickets(id),\n"
		 "  kind TEXT NOT NULL,\n"
		 "  due INTEGER NOT NULL,\n"
		 "  done INTEGER,\n"
		 "  outcome TEXT NOT NULL DEFAULT '',\n"
		 "  UNIQUE (ticket_id, kind)\n"
		 ");\n"
		 "CREATE INDEX schedule_due ON schedule(done, due);"),
    /* 4: one index fewer per stored message. messages_message_id duplicated the leading
     * column of UNIQUE (message_id, rcpt), whose index answers every lookup by Message-ID
     * as well; the second copy cost a B-tree insert at a random place (a dirty page in
     * the WAL) for each message. */
    MIGRATION(4, "DROP INDEX IF EXISTS messages_message_id;"),
    /* 5: flat cost (tests/bench, doc/benchmarks.md). Figures the delivery path used to count
     * over a sender's or a ticket's whole history are kept as they change: a customer's
     * tickets, a ticket's messages and the time of its first agent answer (written by the
     * statements that add tickets and messages, in the same transaction). An index on the
     * assignee, so removing an agent (and an agent's own list) does not read every ticket;
     * partial, so a new (unassigned) ticket does not touch it.
     * An outbound mail that is also a stored message (an acknowledgement, an agent's answer)
     * keeps its bytes once, in the message row that outbox.message_row names. */
    MIGRATION(5, "ALTER TABLE customers ADD COLUMN ticket_count INTEGER NOT NULL DEFAULT 0;\n"
		 "UPDATE customers SET ticket_count =\n"
		 "  (SELECT count(*) FROM tickets t WHERE t.requester_id = customers.id);\n"
		 "ALTER TABLE tickets ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;\n"
		 "ALTER TABLE tickets ADD COLUMN first_reply INTEGER;\n"
		 "UPDATE tickets SET\n"
		 "  message_count = (SELECT count(*) FROM messages m WHERE m.ticket_id = tickets.id),\n"
		 "  first_reply = (SELECT min(created) FROM messages m WHERE m.ticket_id = tickets.id\n"
		 "                 AND m.direction = 'out' AND m.kind = 'agent');\n"
		 "CREATE INDEX tickets_assignee ON tickets(assignee) WHERE assignee IS NOT NULL;\n"
		 "ALTER TABLE outbox ADD COLUMN message_row INTEGER REFERENCES messages(id);"),
    /* 6: trust (doc/security.md). Threading asks whom our outbound message went to (a reply
     * that references it is verified for those addresses): its outbox row is found by
     * message_row. Partial: mail that is not a stored message (notices) adds no entry. */
    MIGRATION(6, "CREATE INDEX outbox_message_row ON outbox(message_row)\n"
		 "  WHERE message_row IS NOT NULL;"),
    /* 7: per-recipient VERP (doc/outbox.md). Each recipient of a row is sent in its own SMTP
     * transaction with its own bounce address; done holds one character per recipient, in
     * the order of rcpts: '-' (or missing) not yet taken, 's' accepted by the relay, 'f'
     * refused for good. A retry sends only to the '-' ones. */
    MIGRATION(7, "ALTER TABLE outbox ADD COLUMN done TEXT NOT NULL DEFAULT '';"),
    /* 8: agents' clients thread the notices of one ticket (doc/agents.md). One row per
     * (ticket, agent address): the Message-ID of the first mail of the ticket sent to that
     * address and the last few (recent, space-separated, oldest first), read and rewritten
     * by primary key when the next one is composed: its In-Reply-To and References. One row
     * per agent and ticket, however long the ticket runs. */
    MIGRATION(8, "CREATE TABLE agent_threads (\n"
		 "  ticket_id INTEGER NOT NULL REFERENCES tickets(id),\n"
		 "  address TEXT NOT NULL,\n"
		 "  first_id TEXT NOT NULL,\n"
		 "  recent TEXT NOT NULL,\n"
		 "  PRIMARY KEY (ticket_id, address)\n"
		 ") WITHOUT ROWID;"),
    /* 9: Outlook conversations (doc/threading.md). conv is the conversation key of an
     * inbound message's Thread-Index (base64 of its first 22 bytes: date and GUID), kept
     * for the tickets it was seen in, so a reply that dropped the subject tag and every
     * reference still finds its ticket. The primary key is the lookup: conv, newest
     * ticket first. */
    MIGRATION(9, "CREATE TABLE conversations (\n"
		 "  conv TEXT NOT NULL,\n"
		 "  ticket_id INTEGER NOT NULL REFERENCES tickets(id),\n"
		 "  PRIMARY KEY (conv, ticket_id)\n"
		 ") WITHOUT ROWID;"),
    /* 10: merge and split (doc/agents.md). merged_into names the ticket a merged ticket
     * was folded into (it is then closed): threading follows it, so the merged ticket's
     * tokens and subject tag land in the survivor. Partial index: a merge re-points the
     * tickets already merged into the one it closes (chains stay one hop), and unmerged
     * tickets add no entry. The conversations index lets a merge move a ticket's Outlook
     * conversation keys (the primary key starts with conv). */
    MIGRATION(10, "ALTER TABLE tickets ADD COLUMN merged_into INTEGER REFERENCES tickets(id);\n"
		  "CREATE INDEX tickets_merged_into ON tickets(merged_into)\n"
		  "  WHERE merged_into IS NOT NULL;\n"
		  "CREATE INDEX conversations_ticket ON conversations(ticket_id);"),
    /* 11: the audit log of administrative acts on people's data (issue 13: `postdesk
     * customer erase`). Not tied to a ticket, so it outlives what it records; it names the
     * customer by row id only, never by address. */
    MIGRATION(11, "CREATE TABLE audit (\n"
		  "  id INTEGER PRIMARY KEY,\n"
		  "  created INTEGER NOT NULL,\n"
		  "  actor TEXT NOT NULL,\n"
		  "  action TEXT NOT NULL,\n"
		  "  detail TEXT NOT NULL DEFAULT ''\n"
		  ");"),
    /* 12: the knowledge base (issue 14, doc/kb.md): the articles read from kb_dir and
     * their full-text index. The index keeps no copy of the text (external content); its
     * tokenizer "postdesk" (kb.c) stems each row in the row's language. rank is BM25 with
     * a title match worth four body matches and a tag match two. The articles are rebuilt
     * whole by a reindex: nothing else refers to them. */
    MIGRATION(12, "CREATE TABLE kb_articles (\n"
		  "  id INTEGER PRIMARY KEY,\n"
		  "  queue TEXT NOT NULL DEFAULT '',\n"
		  "  path TEXT NOT NULL,\n"
		  "  lang TEXT NOT NULL,\n"
		  "  title TEXT NOT NULL,\n"
		  "  tags TEXT NOT NULL DEFAULT '',\n"
		  "  url TEXT NOT NULL DEFAULT '',\n"
		  "  body TEXT NOT NULL\n"
		  ");\n"
		  "CREATE VIRTUAL TABLE kb_fts USING fts5(title, tags, body,\n"
		  "  lang UNINDEXED, queue UNINDEXED, url UNINDEXED,\n"
		  "  content='kb_articles', content_rowid='id', tokenize='postdesk');\n"
		  "INSERT INTO kb_fts(kb_fts, rank) VALUES('rank', 'bm25(4.0, 2.0, 1.0, 0, 0, 0)');\n"
		  /* 1: resolved by the customer with the help of the suggested articles, before
		   * any agent answered (doc/kb.md "Self-served"); a reopen clears it. */
		  "ALTER TABLE tickets ADD COLUMN self_served INTEGER NOT NULL DEFAULT 0;"),
};

int store_schema_latest(void)
{
	return (int)G_N_ELEMENTS(migrations);
}

const char *store_migration_sql(int version)
{
	if (version < 1 || version > store_schema_latest())
		return NULL;
	return migrations[version - 1].sql;
}

/* One migration, under the write lock. The version is read again inside the transaction:
 * another process may have migrated between our check and BEGIN IMMEDIATE.
 * Returns 1 when one was applied, 0 when the database is already current. */
static int migrate_one(struct store *store, char **error_r)
{
	gint64 version = 0;
	const struct migration *m;
	char op[32];

	if (store_begin(store, error_r) < 0)
		return -1;
	if (store_int64(store, STMT_user_version, SV_NONE, "read user_version", &version, error_r) <
	    0) {
		store_rollback(store);
		return -1;
	}
	if (version >= store_schema_latest()) {
		store_rollback(store);
		return 0;
	}
	m = &migrations[version];
	/* A script with several statements, compiled in, binding nothing: sqlite3_exec. */
	if (sqlite3_exec(store->db, m->sql, NULL, NULL, NULL) != SQLITE_OK) {
		g_snprintf(op, sizeof(op), "migration %d", m->version);
		store_fail(store, op, error_r);
		store_rollback(store);
		return -1;
	}
	if (store_commit(store, error_r) < 0) {
		store_rollback(store);
		return -1;
	}
	return 1;
}

int store_migrate(struct store *store, char **error_r)
{
	size_t i;
	int ret;

	/* The table is the numbering: entry i must be migration i + 1. */
	for (i = 0; i < G_N_ELEMENTS(migrations); i++)
		g_assert(migrations[i].version == (int)i + 1);
	while ((ret = migrate_one(store, error_r)) > 0)
		;
	return ret;
}
