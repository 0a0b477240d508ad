# quote unit tests: parse_reply_text() (src/parse/quote.c, part of libparse.a)
check_PROGRAMS += tests/unit/check_quote
TESTS += tests/unit/check_quote
tests_unit_check_quote_SOURCES = tests/unit/check_quote.c
tests_unit_check_quote_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/src/parse
tests_unit_check_quote_LDADD = $(MOD_PARSE) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)

# the reply corpus (tests/data/replies): exact-match rate per locale and client, with a bar
check_PROGRAMS += tests/unit/check_replies
TESTS += tests/unit/check_replies
tests_unit_check_replies_SOURCES = tests/unit/check_replies.c
tests_unit_check_replies_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_replies_LDADD = $(MOD_PARSE) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)
