noinst_LIBRARIES += src/parse/libparse.a
src_parse_libparse_a_SOURCES = include/postdesk/parse.h
