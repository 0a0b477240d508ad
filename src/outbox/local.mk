noinst_LIBRARIES += src/outbox/liboutbox.a
src_outbox_liboutbox_a_SOURCES = include/postdesk/outbox.h src/outbox/outbox.c
