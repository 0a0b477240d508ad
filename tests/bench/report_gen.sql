-- report_gen.sql: a synthetic help-desk history for the report benchmark, generated inside
-- SQLite with recursive CTEs (seconds, no per-row round trips). :N tickets come from the
-- temp table `gen` that report_bench.sh fills; times spread over 90 days from 2026-01-01.
-- Shape: 2/3 support (business hours), 1/3 sales; 90% answered, 70% resolved, 1 in 20
-- resolved tickets reopened and resolved again, 1 in 4 with a second exchange, a survey for
-- every resolved ticket, 40% of them answered.
-- gen.raw > 0 makes the messages as big as mail stored through LMTP: a raw blob of raw to
-- 2 * raw bytes and a decoded body of raw / 2 characters (gen.raw = 0: empty ones).
BEGIN;
-- One raw message and body cut to each row's size (the size is what matters: a new random
-- blob per row would make the generator, not the report, the slow part).
CREATE TEMP TABLE blob AS SELECT
  CASE WHEN raw > 0 THEN randomblob(2 * raw) ELSE x'' END AS r, raw AS lo, max(raw, 1) AS m,
  CASE WHEN raw > 0 THEN substr(hex(randomblob(raw / 4 + 1)), 1, raw / 2) ELSE '' END AS b
  FROM gen;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1000)
INSERT INTO customers(id, email, name, created)
SELECT i, 'c' || i || '@shop.example', 'Customer ' || i, 1767225600 FROM c;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < (SELECT n FROM gen))
INSERT INTO tickets(id, queue, subject, requester_id, status, assignee, created, updated)
SELECT i, CASE WHEN i % 3 = 0 THEN 'sales' ELSE 'support' END, 'Subject ' || i, 1 + i % 1000,
       CASE i % 10 WHEN 0 THEN 'new' WHEN 1 THEN 'open' WHEN 2 THEN 'pending' ELSE 'resolved' END,
       CASE WHEN i % 10 = 0 THEN NULL ELSE 'agent' || (i % 7) || '@support.test' END,
       1767225600 + (i * 7919) % 7776000, 0 FROM n;
INSERT INTO messages(ticket_id, direction, kind, message_id, rcpt, created, raw, body)
SELECT id, 'in', 'customer', 'c' || id || '@shop.example', 'support@support.test', created,
       (SELECT CASE WHEN lo > 0 THEN substr(r, 1, lo + (id * 7919) % m) ELSE x'' END FROM blob), (SELECT b FROM blob) FROM tickets;
INSERT INTO messages(ticket_id, direction, kind, message_id, rcpt, created, raw, body)
SELECT id, 'out', 'agent', 'a' || id || '@support.test', 'c@shop.example',
       created + 300 + (id * 37) % 86400, (SELECT CASE WHEN lo > 0 THEN substr(r, 1, lo + (id * 7919) % m) ELSE x'' END FROM blob), (SELECT b FROM blob)
FROM tickets WHERE status <> 'new';
INSERT INTO messages(ticket_id, direction, kind, message_id, rcpt, created, raw, body)
SELECT id, 'in', 'customer', 'c2-' || id || '@shop.example', 'support@support.test',
       created + 100000, (SELECT CASE WHEN lo > 0 THEN substr(r, 1, lo + (id * 7919) % m) ELSE x'' END FROM blob), (SELECT b FROM blob)
FROM tickets WHERE status <> 'new' AND id % 4 = 1;
INSERT INTO messages(ticket_id, direction, kind, message_id, rcpt, created, raw, body)
SELECT id, 'out', 'agent', 'a2-' || id || '@support.test', 'c@shop.example',
       created + 100000 + id % 5000, (SELECT CASE WHEN lo > 0 THEN substr(r, 1, lo + (id * 7919) % m) ELSE x'' END FROM blob), (SELECT b FROM blob)
FROM tickets WHERE status <> 'new' AND id % 4 = 1;
INSERT INTO events(ticket_id, created, kind, actor, detail)
SELECT id, created, 'created', 'c@shop.example', subject FROM tickets;
INSERT INTO events(ticket_id, created, kind, actor, detail)
SELECT id, created + 300 + (id * 37) % 86400, 'status', 'agent', 'open' FROM tickets
WHERE status <> 'new';
INSERT INTO events(ticket_id, created, kind, actor, detail)
SELECT id, created + 90000, 'status', 'agent', 'pending' FROM tickets WHERE status = 'pending';
INSERT INTO events(ticket_id, created, kind, actor, detail)
SELECT id, created + 120000, 'status', 'agent', 'resolved' FROM tickets
WHERE status = 'resolved' AND id % 20 = 3;
INSERT INTO events(ticket_id, created, kind, actor, detail)
SELECT id, created + 130000, 'status', 'c@shop.example', 'open' FROM tickets
WHERE status = 'resolved' AND id % 20 = 3;
INSERT INTO events(ticket_id, created, kind, actor, detail)
SELECT id, created + 130000, 'reopened', 'c@shop.example', 'resolved' FROM tickets
WHERE status = 'resolved' AND id % 20 = 3;
INSERT INTO events(ticket_id, created, kind, actor, detail)
SELECT id, created + 172800 + id % 7200, 'status', 'agent', 'resolved' FROM tickets
WHERE status = 'resolved';
INSERT INTO surveys(ticket_id, requested, csat, nps, answered)
SELECT id, created + 176400 + id % 7200,
       CASE WHEN id % 5 < 2 THEN 1 + id % 5 + (id / 5) % 4 END,
       CASE WHEN id % 5 < 2 THEN (id * 13) % 11 END,
       CASE WHEN id % 5 < 2 THEN created + 180000 + id % 7200 END
FROM tickets WHERE status = 'resolved';
COMMIT;
