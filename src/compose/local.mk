noinst_LIBRARIES += src/compose/libcompose.a
src_compose_libcompose_a_SOURCES = include/postdesk/compose.h src/compose/compose-private.h \
	src/compose/template.c src/compose/compose.c src/compose/events.c src/compose/agent.c \
	src/compose/followup.c src/compose/autoreply.c \
	src/compose/macro.c src/compose/status.c src/compose/failed.c

# the acknowledgement of a split-off ticket (issue 13)
src_compose_libcompose_a_SOURCES += src/compose/split.c

# attachment policy of agent notices (issue 13)
src_compose_libcompose_a_SOURCES += src/compose/attach.c

# mail about no one ticket: the command address, the digest (issue 13)
src_compose_libcompose_a_SOURCES += src/compose/command.c

# customer mail in the ticket's language: dates, survey wording (issue 14)
src_compose_libcompose_a_SOURCES += src/compose/lang.c
# order and customer variables of notices and macros (issue 14)
src_compose_libcompose_a_SOURCES += src/compose/orders.c
# knowledge-base suggestions in the acknowledgement (issue 14)
src_compose_libcompose_a_SOURCES += src/compose/kb.c src/compose/kb_load.c
# the admins' alert about a mailbox fetchd cannot fetch (issue 15)
src_compose_libcompose_a_SOURCES += src/compose/alert.c
