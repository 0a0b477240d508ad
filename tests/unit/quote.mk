# quote unit tests (parse_reply_text). quote.c is listed directly until the parse module's
# local.mk carries it; then this can link $(MOD_PARSE) instead.
check_PROGRAMS += tests/unit/check_quote
TESTS += tests/unit/check_quote
tests_unit_check_quote_SOURCES = tests/unit/check_quote.c src/parse/quote.c
tests_unit_check_quote_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_quote_LDADD = $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)
