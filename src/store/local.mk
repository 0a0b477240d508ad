noinst_LIBRARIES += src/store/libstore.a
# Leaves first: statements.c and error.c depend on nothing in the module, stmt.c on
# error.c, txn.c on stmt.c, migrations.c on txn.c; store.c and the table files on top.
src_store_libstore_a_SOURCES = include/postdesk/store.h src/store/store-private.h \
	src/store/statements.def src/store/statements.c \
	src/store/store-error.h src/store/error.c src/store/store-stmt.h src/store/stmt.c \
	src/store/store-txn.h src/store/txn.c src/store/store-migrate.h src/store/migrations.c \
	src/store/store.c src/store/syncer.c \
	src/store/tickets.c src/store/messages.c \
	src/store/agents.c src/store/history.c src/store/customers.c src/store/outbox.c \
	src/store/report_rows.c

# schedule and surveys (survey engineer)
src_store_libstore_a_SOURCES += src/store/schedule.c

# trust reads of threading (doc/security.md)
src_store_libstore_a_SOURCES += src/store/trust.c

# threads of notices to agents (issue 12: migration 8)
src_store_libstore_a_SOURCES += src/store/agent_threads.c

# merge and split of tickets (issue 13: migration 10)
src_store_libstore_a_SOURCES += src/store/merge.c
# data protection: customer export and erase (issue 13: migration 11)
src_store_libstore_a_SOURCES += src/store/privacy.c
# search (issue 13: migration 12, doc/search.md)
src_store_libstore_a_SOURCES += src/store/search.c
# orders and personalization (issue 14: migration 16)
src_store_libstore_a_SOURCES += src/store/orders.c src/store/held.c
# the knowledge base's index and FTS5 tokenizer (issue 14: migration 12)
src_store_libstore_a_SOURCES += src/store/kb.c
# its words on PostgreSQL, stemmed before the SQL (issue 16)
src_store_libstore_a_SOURCES += src/store/store-kb.h src/store/kb_pg.c
# IMAP/POP3 intake: fetched messages and mailbox state (issue 15: migration 19)
src_store_libstore_a_SOURCES += src/store/fetch.c
# PostgreSQL as the shared store (issue 16): SQL forms, schema, connection
src_store_libstore_a_SOURCES += src/store/store-pg.h src/store/statements-pg.def \
	src/store/pg_sql.c src/store/migrations-pg.c src/store/pg.c src/store/pq.c src/store/store-pq.h \
	src/store/store-row.h src/store/pg_run.c src/store/copy.c src/store/flood.c
