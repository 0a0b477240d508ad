noinst_LIBRARIES += src/milter/libmilter.a
src_milter_libmilter_a_SOURCES = include/postdesk/milter.h src/milter/milter-private.h \
	src/milter/milter.c src/milter/policy.c
