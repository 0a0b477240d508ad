noinst_LIBRARIES += src/lmtp/liblmtp.a
src_lmtp_liblmtp_a_SOURCES = include/postdesk/lmtp.h \
	src/lmtp/session.c src/lmtp/server.c src/lmtp/backend.c
