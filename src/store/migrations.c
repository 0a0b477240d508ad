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
    /* 12: search (doc/search.md, `postdesk search`, #search by mail). Two FTS5 indexes,
     * diacritics folded: search_messages, one entry per message (rowid = messages.id,
     * whose ticket_id gives the ticket, so moving a message to another ticket needs no
     * change here): its subject, sender and the first 8192 characters of its text (what a
     * person writes, while the cost of indexing one message on the delivery path stays
     * bounded however long its text is); contentless (content = ''), as the text is in
     * messages already and search reads only rowids and ranks. search_tickets, one row per
     * ticket (rowid = tickets.id): subject, requester and participants, tags. Triggers
     * keep search_tickets in step in the transaction that writes the rows (and
     * store_ticket_create() adds a new ticket's row); new messages are indexed after
     * their delivery (search_state); the last statements build both for the rows already
     * stored. The FTS statements are all here and in the "search" part of statements.def
     * (PostgreSQL: tsvector columns and GIN indexes instead). */
    MIGRATION(12, "CREATE VIRTUAL TABLE search_messages USING fts5(\n"
		  "  subject, body, from_addr, from_name,\n"
		  "  content = '',\n"
		  "  tokenize = 'unicode61 remove_diacritics 2');\n"
		  "CREATE VIRTUAL TABLE search_tickets USING fts5(\n"
		  "  subject, people, tags, tokenize = 'unicode61 remove_diacritics 2');\n"
		  /* New messages are indexed after their delivery, not in it (the single
		   * writer's time: store_search_catch_up, from notifyd's pass and before every
		   * search); search_state.indexed_to is the last message row indexed. The
		   * triggers below touch only rows already indexed: FTS5 must be given a
		   * contentless row's old values to delete it. */
		  "CREATE TABLE search_state (id INTEGER PRIMARY KEY CHECK (id = 1),\n"
		  "  indexed_to INTEGER NOT NULL);\n"
		  "CREATE TRIGGER search_message_out AFTER DELETE ON messages\n"
		  "  WHEN old.id <= (SELECT indexed_to FROM search_state WHERE id = 1) BEGIN\n"
		  "  INSERT INTO search_messages(search_messages, rowid, subject, body, from_addr,\n"
		  "    from_name) VALUES('delete', old.id, old.subject, substr(old.body, 1, 8192),\n"
		  "    old.from_addr, old.from_name);\n"
		  "END;\n"
		  "CREATE TRIGGER search_message_change\n"
		  "  AFTER UPDATE OF subject, body, from_addr, from_name ON messages\n"
		  "  WHEN old.id <= (SELECT indexed_to FROM search_state WHERE id = 1) BEGIN\n"
		  "  INSERT INTO search_messages(search_messages, rowid, subject, body, from_addr,\n"
		  "    from_name) VALUES('delete', old.id, old.subject, substr(old.body, 1, 8192),\n"
		  "    old.from_addr, old.from_name);\n"
		  "  INSERT INTO search_messages(rowid, subject, body, from_addr, from_name)\n"
		  "  VALUES(new.id, new.subject, substr(new.body, 1, 8192), new.from_addr,\n"
		  "    new.from_name);\n"
		  "END;\n"
		  /* A new ticket's row is inserted by store_ticket_create() (statement
		   * search_ticket_add, until migration 19 moved it after the delivery): a trigger on
		   * INSERT INTO tickets made SQLite plan
		   * foreign-key scans of every child table into that statement. people: the
		   * requester, then the participants (the requester is one too: a word counted
		   * twice weighs a little more, which suits the requester). */
		  "CREATE TRIGGER search_ticket_subject AFTER UPDATE OF subject ON tickets BEGIN\n"
		  "  UPDATE search_tickets SET subject = new.subject WHERE rowid = new.id;\n"
		  "END;\n"
		  "CREATE TRIGGER search_ticket_out AFTER DELETE ON tickets BEGIN\n"
		  "  DELETE FROM search_tickets WHERE rowid = old.id;\n"
		  "END;\n"
		  "CREATE VIEW search_people(ticket_id, people) AS\n"
		  "  SELECT t.id, c.email || ' ' || c.name || ' ' || coalesce((SELECT\n"
		  "    group_concat(p.address || ' ' || p.name, ' ') FROM participants p\n"
		  "    WHERE p.ticket_id = t.id), '')\n"
		  "  FROM tickets t JOIN customers c ON c.id = t.requester_id;\n"
		  "CREATE VIEW search_tags(ticket_id, tags) AS\n"
		  "  SELECT t.id, coalesce((SELECT group_concat(g.tag, ' ') FROM tags g\n"
		  "    WHERE g.ticket_id = t.id), '') FROM tickets t;\n"
		  "CREATE TRIGGER search_participant_in AFTER INSERT ON participants BEGIN\n"
		  "  UPDATE search_tickets SET people = (SELECT people FROM search_people\n"
		  "    WHERE ticket_id = new.ticket_id) WHERE rowid = new.ticket_id;\n"
		  "END;\n"
		  "CREATE TRIGGER search_participant_out AFTER DELETE ON participants BEGIN\n"
		  "  UPDATE search_tickets SET people = (SELECT people FROM search_people\n"
		  "    WHERE ticket_id = old.ticket_id) WHERE rowid = old.ticket_id;\n"
		  "END;\n"
		  "CREATE TRIGGER search_participant_change AFTER UPDATE ON participants BEGIN\n"
		  "  UPDATE search_tickets SET people = (SELECT people FROM search_people\n"
		  "    WHERE ticket_id = old.ticket_id) WHERE rowid = old.ticket_id;\n"
		  "  UPDATE search_tickets SET people = (SELECT people FROM search_people\n"
		  "    WHERE ticket_id = new.ticket_id) WHERE rowid = new.ticket_id;\n"
		  "END;\n"
		  /* Only a change of address (an erase) rewrites the customer's tickets' rows:
		   * a new display name (clients send several: "Ann", "Ann Smith") goes into
		   * the next ticket's row and leaves the old ones be, or a contact form's one
		   * sender with changing names rewrote every earlier ticket's row per message. */
		  "CREATE TRIGGER search_customer_change AFTER UPDATE OF email ON customers\n"
		  "BEGIN\n"
		  "  UPDATE search_tickets SET people = (SELECT people FROM search_people\n"
		  "    WHERE ticket_id = search_tickets.rowid)\n"
		  "  WHERE rowid IN (SELECT id FROM tickets WHERE requester_id = new.id);\n"
		  "END;\n"
		  "CREATE TRIGGER search_tag_in AFTER INSERT ON tags BEGIN\n"
		  "  UPDATE search_tickets SET tags = (SELECT tags FROM search_tags\n"
		  "    WHERE ticket_id = new.ticket_id) WHERE rowid = new.ticket_id;\n"
		  "END;\n"
		  "CREATE TRIGGER search_tag_out AFTER DELETE ON tags BEGIN\n"
		  "  UPDATE search_tickets SET tags = (SELECT tags FROM search_tags\n"
		  "    WHERE ticket_id = old.ticket_id) WHERE rowid = old.ticket_id;\n"
		  "END;\n"
		  "CREATE TRIGGER search_tag_change AFTER UPDATE ON tags BEGIN\n"
		  "  UPDATE search_tickets SET tags = (SELECT tags FROM search_tags\n"
		  "    WHERE ticket_id = old.ticket_id) WHERE rowid = old.ticket_id;\n"
		  "  UPDATE search_tickets SET tags = (SELECT tags FROM search_tags\n"
		  "    WHERE ticket_id = new.ticket_id) WHERE rowid = new.ticket_id;\n"
		  "END;\n"
		  /* Column weights of the rank the search statements order by. */
		  "INSERT INTO search_messages(search_messages, rank)\n"
		  "  VALUES('rank', 'bm25(4.0, 1.0, 2.0, 2.0)');\n"
		  "INSERT INTO search_tickets(search_tickets, rank)\n"
		  "  VALUES('rank', 'bm25(4.0, 2.0, 3.0)');\n"
		  "INSERT INTO search_messages(rowid, subject, body, from_addr, from_name)\n"
		  "  SELECT id, subject, substr(body, 1, 8192), from_addr, from_name\n"
		  "  FROM messages;\n"		  "INSERT INTO search_state(id, indexed_to)\n"
		  "  SELECT 1, coalesce(max(id), 0) FROM messages;\n"
		  "INSERT INTO search_tickets(rowid, subject, people, tags)\n"
		  "  SELECT t.id, t.subject, p.people, g.tags FROM tickets t\n"
		  "  JOIN search_people p ON p.ticket_id = t.id\n"
		  "  JOIN search_tags g ON g.ticket_id = t.id;"),
    /* 13: the customer's language (doc/languages.md). tickets.lang is the language its
     * customer mail is written in ('' in tickets made before: the queue's language);
     * customers.lang the language of their latest ticket that was chosen on evidence
     * (detector, Content-Language, an agent's #lang), never the mere queue default: what
     * their next ticket starts from, read with the customer's row by primary key. */
    MIGRATION(13, "ALTER TABLE tickets ADD COLUMN lang TEXT NOT NULL DEFAULT '';\n"
		  "ALTER TABLE customers ADD COLUMN lang TEXT NOT NULL DEFAULT '';"),
    /* 14: the report's figures kept per ticket (doc/metrics.md, "How the report reads"), so
     * `postdesk report` reads tickets and never messages or events: agent answers, whether
     * a customer wrote after the first one, the start of the wait not yet answered, the last
     * resolution and whether it was a first-contact one, the first and last reopen, and
     * report_at, the instant of the last of these changes (a report whose end is before it
     * reads that ticket's history instead). One row per answered wait in reply_waits, in
     * ticket order (its primary key), for the reply-time figures. Written by the statements
     * that add messages and status events, in the same transaction; filled here from the
     * history (messages in (created, id) order, as the report walks them), first_reply
     * (migration 5) too, so that all of them agree. */
    MIGRATION(14, "ALTER TABLE tickets ADD COLUMN answers INTEGER NOT NULL DEFAULT 0;\n"
		  "ALTER TABLE tickets ADD COLUMN cust_after INTEGER NOT NULL DEFAULT 0;\n"
		  "ALTER TABLE tickets ADD COLUMN wait_start INTEGER;\n"
		  "ALTER TABLE tickets ADD COLUMN resolved_at INTEGER;\n"
		  "ALTER TABLE tickets ADD COLUMN first_reopen INTEGER;\n"
		  "ALTER TABLE tickets ADD COLUMN last_reopen INTEGER;\n"
		  "ALTER TABLE tickets ADD COLUMN fcr INTEGER NOT NULL DEFAULT 0;\n"
		  "ALTER TABLE tickets ADD COLUMN report_at INTEGER NOT NULL DEFAULT 0;\n"
		  "CREATE TABLE reply_waits (\n"
		  "  ticket_id INTEGER NOT NULL REFERENCES tickets(id),\n"
		  "  answer_row INTEGER NOT NULL,\n"
		  "  started INTEGER NOT NULL,\n"
		  "  answered INTEGER NOT NULL,\n"
		  "  PRIMARY KEY (ticket_id, answer_row)\n"
		  ") WITHOUT ROWID;\n"
		  /* m10: customer mail in (agent 0) and agent answers out (agent 1) in the
		   * report's order; g = the ticket's agent answers before the row. */
		  "CREATE TEMP TABLE m10 AS SELECT t, id, created, agent,\n"
		  "  sum(agent) OVER (PARTITION BY t ORDER BY created, id\n"
		  "                   ROWS UNBOUNDED PRECEDING) - agent AS g\n"
		  "  FROM (SELECT ticket_id AS t, id, created, direction = 'out' AS agent\n"
		  "        FROM messages WHERE ticket_id IS NOT NULL\n"
		  "        AND ((direction = 'in' AND kind = 'customer')\n"
		  "             OR (direction = 'out' AND kind = 'agent')));\n"
		  "CREATE INDEX temp.m10_tg ON m10(t, g, agent, created);\n"
		  "CREATE TEMP TABLE e10 AS SELECT ticket_id AS t,\n"
		  "  max(CASE WHEN kind = 'status' AND detail = 'resolved' THEN created END) AS res,\n"
		  "  min(CASE WHEN kind = 'reopened' THEN created END) AS r1,\n"
		  "  max(CASE WHEN kind = 'reopened' THEN created END) AS r2,\n"
		  "  max(created) AS at\n"
		  "  FROM events WHERE kind IN ('status', 'reopened') GROUP BY ticket_id;\n"
		  "CREATE INDEX temp.e10_t ON e10(t);\n"
		  "INSERT INTO reply_waits(ticket_id, answer_row, started, answered)\n"
		  "  SELECT a.t, a.id, (SELECT min(c.created) FROM m10 c\n"
		  "                     WHERE c.t = a.t AND c.g = a.g AND c.agent = 0), a.created\n"
		  "  FROM m10 a WHERE a.agent = 1 AND EXISTS\n"
		  "    (SELECT 1 FROM m10 c WHERE c.t = a.t AND c.g = a.g AND c.agent = 0);\n"
		  "UPDATE tickets SET\n"
		  "  first_reply = (SELECT min(created) FROM m10 WHERE t = tickets.id\n"
		  "                 AND agent = 1),\n"
		  "  answers = (SELECT count(*) FROM m10 WHERE t = tickets.id AND agent = 1),\n"
		  "  cust_after = EXISTS (SELECT 1 FROM m10 WHERE t = tickets.id AND g > 0\n"
		  "                       AND agent = 0),\n"
		  "  wait_start = (SELECT min(created) FROM m10 WHERE t = tickets.id AND agent = 0\n"
		  "                AND g = (SELECT count(*) FROM m10 WHERE t = tickets.id\n"
		  "                         AND agent = 1)),\n"
		  "  resolved_at = (SELECT res FROM e10 WHERE t = tickets.id),\n"
		  "  first_reopen = (SELECT r1 FROM e10 WHERE t = tickets.id),\n"
		  "  last_reopen = (SELECT r2 FROM e10 WHERE t = tickets.id),\n"
		  "  report_at = max(coalesce((SELECT at FROM e10 WHERE t = tickets.id), 0),\n"
		  "                  coalesce((SELECT max(created) FROM m10\n"
		  "                            WHERE t = tickets.id), 0));\n"
		  /* First-contact resolution, at the last resolution (doc/metrics.md). */
		  "UPDATE tickets SET fcr =\n"
		  "  (SELECT count(*) FROM m10 WHERE t = tickets.id AND agent = 1\n"
		  "   AND created <= tickets.resolved_at) = 1\n"
		  "  AND NOT EXISTS (SELECT 1 FROM m10 WHERE t = tickets.id AND agent = 0 AND g > 0\n"
		  "                  AND created <= tickets.resolved_at)\n"
		  "  AND (first_reopen IS NULL OR first_reopen > resolved_at)\n"
		  "  WHERE resolved_at IS NOT NULL;\n"
		  "DROP TABLE temp.m10;\n"
		  "DROP TABLE temp.e10;"),
    /* 15: the daily digest per agent (issue 13, doc/agents.md "The daily digest").
     * agents.digest: 1 gets it (the default), 0 opted out (`postdesk agent add --digest
     * off`). agent_digests: one row per agent and local day, inserted in the transaction
     * that queues the digest (or decides there is nothing to tell): its primary key makes
     * the digest run once per agent and day across restarts and concurrent notifyds.
     * listed: the tickets it listed (0: no mail went). */
    MIGRATION(15, "ALTER TABLE agents ADD COLUMN digest INTEGER NOT NULL DEFAULT 1;\n"
		  "CREATE TABLE agent_digests (\n"
		  "  agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,\n"
		  "  day TEXT NOT NULL,\n"
		  "  sent INTEGER NOT NULL,\n"
		  "  listed INTEGER NOT NULL DEFAULT 0,\n"
		  "  PRIMARY KEY (agent_id, day)\n"
		  ");"),
    /* 16: orders and personalization (issue 14, doc/orders.md). order_refs: the order
     * references found in a customer message (at most a few per message) and what the
     * order_lookup command said of each (NULL looked: not looked up yet). order_notices: the
     * agent notices that wait for those lookups (notifyd runs them outside any delivery,
     * then composes the notice and sets done); the index on (done, message_row) finds the
     * pending ones, oldest first, without reading the done ones.
     * A customer's survey figures are kept as they change
     * (flat cost: the notice reads one row, never the customer's surveys). */
    MIGRATION(16, "CREATE TABLE order_refs (\n"
		  "  message_row INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,\n"
		  "  ref TEXT NOT NULL,\n"
		  "  ticket_id INTEGER NOT NULL REFERENCES tickets(id),\n"
		  "  looked INTEGER,\n"
		  "  error TEXT NOT NULL DEFAULT '',\n"
		  "  status TEXT NOT NULL DEFAULT '',\n"
		  "  tracking TEXT NOT NULL DEFAULT '',\n"
		  "  total TEXT NOT NULL DEFAULT '',\n"
		  "  items TEXT NOT NULL DEFAULT '',\n"
		  "  json TEXT NOT NULL DEFAULT '',\n"
		  "  PRIMARY KEY (message_row, ref)\n"
		  ") WITHOUT ROWID;\n"
		  "CREATE INDEX order_refs_ticket ON order_refs(ticket_id);\n"
		  "CREATE TABLE order_notices (\n"
		  "  message_row INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,\n"
		  "  ticket_id INTEGER NOT NULL REFERENCES tickets(id),\n"
		  "  warning TEXT NOT NULL DEFAULT '',\n"
		  "  created INTEGER NOT NULL,\n"
		  "  done INTEGER\n"
		  ");\n"
		  "CREATE INDEX order_notices_pending ON order_notices(done, message_row);\n"
		  "ALTER TABLE customers ADD COLUMN csat_sum INTEGER NOT NULL DEFAULT 0;\n"
		  "ALTER TABLE customers ADD COLUMN csat_count INTEGER NOT NULL DEFAULT 0;\n"
		  "ALTER TABLE customers ADD COLUMN csat_last INTEGER;\n"
		  "UPDATE customers SET\n"
		  "  csat_sum = coalesce((SELECT sum(s.csat) FROM surveys s JOIN tickets t\n"
		  "    ON t.id = s.ticket_id WHERE t.requester_id = customers.id), 0),\n"
		  "  csat_count = (SELECT count(s.csat) FROM surveys s JOIN tickets t\n"
		  "    ON t.id = s.ticket_id WHERE t.requester_id = customers.id),\n"
		  "  csat_last = (SELECT s.csat FROM surveys s JOIN tickets t ON t.id = s.ticket_id\n"
		  "    WHERE t.requester_id = customers.id AND s.csat IS NOT NULL\n"
		  "    ORDER BY s.answered DESC LIMIT 1);"),
    /* 17: customer effort and retention (doc/surveys.md, doc/metrics.md). surveys.ces, the
     * effort score 1..7. customers.last_created and last_resolved: the customer's newest
     * ticket and last resolution, kept as they happen; a new ticket copies them into its
     * prev_created and prev_resolved, so the report tells a returning customer and a repeat
     * contact (a new ticket within 7 days of a resolution) from the ticket's own row,
     * never by a join over the customer's history. Filled here from the history. */
    MIGRATION(17, "ALTER TABLE surveys ADD COLUMN ces INTEGER CHECK (ces BETWEEN 1 AND 7);\n"
		  "ALTER TABLE customers ADD COLUMN last_created INTEGER;\n"
		  "ALTER TABLE customers ADD COLUMN last_resolved INTEGER;\n"
		  "ALTER TABLE tickets ADD COLUMN prev_created INTEGER;\n"
		  "ALTER TABLE tickets ADD COLUMN prev_resolved INTEGER;\n"
		  "CREATE TEMP TABLE r15 AS SELECT t.requester_id AS c, e.ticket_id AS t,\n"
		  "  e.created AS at FROM events e JOIN tickets t ON t.id = e.ticket_id\n"
		  "  WHERE e.kind = 'status' AND e.detail = 'resolved';\n"
		  "CREATE INDEX temp.r15_c ON r15(c, at);\n"
		  "UPDATE customers SET\n"
		  "  last_created = (SELECT max(created) FROM tickets t\n"
		  "                  WHERE t.requester_id = customers.id),\n"
		  "  last_resolved = (SELECT max(at) FROM r15 WHERE c = customers.id);\n"
		  "UPDATE tickets SET\n"
		  "  prev_created = (SELECT max(p.created) FROM tickets p\n"
		  "    WHERE p.requester_id = tickets.requester_id AND p.id < tickets.id),\n"
		  "  prev_resolved = (SELECT max(at) FROM r15 WHERE c = tickets.requester_id\n"
		  "    AND t <> tickets.id AND at <= tickets.created);\n"
		  "DROP TABLE temp.r15;"),
    /* 18: the knowledge base (issue 14, doc/kb.md): the articles read from kb_dir and
     * their full-text index. The index keeps no copy of the text (external content); its
     * tokenizer "postdesk" (kb.c) stems each row in the row's language. rank is BM25 with
     * a title match worth four body matches and a tag match two. The articles are rebuilt
     * whole by a reindex: nothing else refers to them. */
    MIGRATION(18, "CREATE TABLE kb_articles (\n"
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
    /* 19: tickets, like messages (12), are indexed for search after their delivery
     * (store_search_catch_up): a new ticket's FTS5 row, then its requester's participant
     * row rewriting it, cost the single writer an FTS5 insert, delete and insert per
     * ticket and pulled the index into every delivering transaction. search_state.
     * tickets_to is the last ticket indexed; the triggers keep only indexed rows current. */
    MIGRATION(19, "ALTER TABLE search_state ADD COLUMN tickets_to INTEGER NOT NULL DEFAULT 0;\n"
		  "UPDATE search_state SET tickets_to =\n"
		  "  (SELECT coalesce(max(id), 0) FROM tickets) WHERE id = 1;\n"
		  "DROP TRIGGER IF EXISTS search_ticket_subject;\n"
		  "CREATE TRIGGER search_ticket_subject AFTER UPDATE OF subject ON tickets\n"
		  "  WHEN new.id <= (SELECT tickets_to FROM search_state WHERE id = 1) BEGIN\n"
		  "  UPDATE search_tickets SET subject = new.subject WHERE rowid = new.id;\n"
		  "END;\n"
		  "DROP TRIGGER IF EXISTS search_participant_in;\n"
		  "CREATE TRIGGER search_participant_in AFTER INSERT ON participants\n"
		  "  WHEN new.ticket_id <= (SELECT tickets_to FROM search_state WHERE id = 1) BEGIN\n"
		  "  UPDATE search_tickets SET people = (SELECT people FROM search_people\n"
		  "    WHERE ticket_id = new.ticket_id) WHERE rowid = new.ticket_id;\n"
		  "END;\n"
		  "DROP TRIGGER IF EXISTS search_tag_in;\n"
		  "CREATE TRIGGER search_tag_in AFTER INSERT ON tags\n"
		  "  WHEN new.ticket_id <= (SELECT tickets_to FROM search_state WHERE id = 1) BEGIN\n"
		  "  UPDATE search_tickets SET tags = (SELECT tags FROM search_tags\n"
		  "    WHERE ticket_id = new.ticket_id) WHERE rowid = new.ticket_id;\n"
		  "END;"),
    /* 20: IMAP/POP3 intake (issue 15, doc/fetch.md). fetched: one row per message taken
     * from a mailbox, keyed by (mailbox, UIDVALIDITY, UID) -- POP3: (mailbox, 0, UIDL) --
     * written in the SAME transaction as the delivered message, so a message is recorded
     * if and only if it is stored (exactly once across kill -9). state: stored (delivered;
     * ticket_id, message_id set), refused (the pipeline refused it for good: raw holds the
     * message as fetched, error says why; never retried), too_big (over max_message_size,
     * left on the server, not downloaded). done: when the server-side done action (\\Seen,
     * move, delete) succeeded after the commit. mailbox_state: one row per [mailbox NAME]:
     * what `postdesk mailbox status` shows and what the admin alert is decided on. */
    MIGRATION(20, "CREATE TABLE fetched (\n"
		  "  mailbox TEXT NOT NULL,\n"
		  "  uidvalidity INTEGER NOT NULL,\n"
		  "  uid TEXT NOT NULL,\n"
		  "  ticket_id INTEGER,\n"
		  "  message_id TEXT,\n"
		  "  state TEXT NOT NULL CHECK (state IN ('stored', 'refused', 'too_big')),\n"
		  "  error TEXT,\n"
		  "  raw BLOB,\n"
		  "  created INTEGER NOT NULL,\n"
		  "  done INTEGER,\n"
		  "  PRIMARY KEY (mailbox, uidvalidity, uid)\n"
		  ");\n"
		  "CREATE TABLE mailbox_state (\n"
		  "  mailbox TEXT PRIMARY KEY,\n"
		  "  mode TEXT NOT NULL DEFAULT '',\n"
		  "  last_attempt INTEGER,\n"
		  "  last_success INTEGER,\n"
		  "  last_error TEXT,\n"
		  "  last_error_at INTEGER,\n"
		  "  failures INTEGER NOT NULL DEFAULT 0,\n"
		  "  failing_since INTEGER,\n"
		  "  backlog INTEGER NOT NULL DEFAULT 0,\n"
		  "  skipped INTEGER NOT NULL DEFAULT 0,\n"
		  "  fetched INTEGER NOT NULL DEFAULT 0,\n"
		  "  alerted INTEGER\n"
		  ");"),
    /* 21 (issue 16, doc/scaling.md): the milter's new-ticket flood counters, for a desk
     * whose hosts share one database (PostgreSQL: store_flood_hit); an SQLite desk's
     * milter keeps counting in its own memory. One fixed window per key ("s:<sender>",
     * "i:<client IP>"); expired windows are deleted by their start. */
    MIGRATION(21, "CREATE TABLE flood_counters (\n"
		  "  key TEXT PRIMARY KEY,\n"
		  "  start INTEGER NOT NULL,\n"
		  "  count INTEGER NOT NULL\n"
		  ") WITHOUT ROWID;\n"
		  "CREATE INDEX flood_counters_start ON flood_counters(start);"),
    /* 22: where a mailbox's new mail starts (issue 15, doc/fetch.md): the highest UID
     * fetchd has looked at in the folder's UIDVALIDITY. With done_action = seen it asks for
     * the unseen messages OR those above it, so a message someone opened in webmail before
     * the poll is still fetched; the first contact starts from the folder's UIDNEXT (its
     * read history is not imported). */
    MIGRATION(22, "ALTER TABLE mailbox_state ADD COLUMN last_uidvalidity INTEGER;\n"
		  "ALTER TABLE mailbox_state ADD COLUMN last_uid INTEGER;"),
    /* 23: the acknowledgements postdesk-lmtpd leaves to notifyd (doc/decisions.md, "The
     * acknowledgement after the 250"): one row per new ticket, written in the delivery's
     * commit, deleted in the commit that decides the ticket's language and queues its
     * acknowledgement (survey/acks.c). Deleted, not marked done: the table holds only
     * what waits, so it costs no bytes per message once notifyd is through. */
    MIGRATION(23, "CREATE TABLE held_acks (\n"
		  "  message_row INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,\n"
		  "  ticket_id INTEGER NOT NULL REFERENCES tickets(id),\n"
		  "  created INTEGER NOT NULL\n"
		  ");"),
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
