noinst_LIBRARIES += src/fetch/libfetch.a
# IMAP/POP3 intake (issue 15, doc/fetch.md). Leaves first: secret.c, take.c and status.c
# call nothing else here; imap.c and pop3.c call them; fetch.c (the loop) calls those.
src_fetch_libfetch_a_SOURCES = include/postdesk/fetch.h src/fetch/fetch-private.h \
	src/fetch/secret.c src/fetch/take.c src/fetch/status.c src/fetch/imap.c \
	src/fetch/pop3.c src/fetch/fetch.c
