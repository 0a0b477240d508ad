noinst_LIBRARIES += src/store/libstore.a
src_store_libstore_a_SOURCES = include/postdesk/store.h src/store/store-private.h \
	src/store/statements.def src/store/statements.c src/store/store.c src/store/stmt.c src/store/migrations.c \
	src/store/tickets.c src/store/messages.c \
	src/store/agents.c src/store/history.c src/store/customers.c src/store/outbox.c \
	src/store/report_rows.c

# schedule and surveys (survey engineer)
src_store_libstore_a_SOURCES += src/store/schedule.c
