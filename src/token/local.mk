noinst_LIBRARIES += src/token/libtoken.a
src_token_libtoken_a_SOURCES = include/postdesk/token.h src/token/token-private.h \
	src/token/token.c src/token/token-keys.c
