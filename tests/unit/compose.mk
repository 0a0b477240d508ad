# compose unit tests (templates), parse_build (GMime round trip) and the SMTP client
# against a real smtp-sink (outbox module)
check_PROGRAMS += tests/unit/check_compose
TESTS += tests/unit/check_compose
tests_unit_check_compose_SOURCES = tests/unit/check_compose.c tests/unit/testutil.c tests/unit/testutil.h
tests_unit_check_compose_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_compose_LDADD = $(MOD_COMPOSE) $(MOD_KB) $(MOD_STORE) $(MOD_PARSE) $(MOD_TOKEN) $(MOD_CONF) \
	$(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)

check_PROGRAMS += tests/unit/check_build
TESTS += tests/unit/check_build
tests_unit_check_build_SOURCES = tests/unit/check_build.c
tests_unit_check_build_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_build_LDADD = $(MOD_PARSE) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)

check_PROGRAMS += tests/unit/check_smtp
TESTS += tests/unit/check_smtp
tests_unit_check_smtp_SOURCES = tests/unit/check_smtp.c tests/unit/testutil.c tests/unit/testutil.h
tests_unit_check_smtp_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_smtp_LDADD = $(MOD_NET) $(MOD_STORE) $(MOD_PARSE) $(MOD_TOKEN) $(MOD_CONF) $(MOD_LIB) \
	$(CHECK_LIBS) $(DEP_LIBS)

# what our mail to agents looks like to their clients (issue 12): one thread per ticket,
# X-Auto-Response-Suppress, the signature separator
check_PROGRAMS += tests/unit/check_notices
TESTS += tests/unit/check_notices
tests_unit_check_notices_SOURCES = tests/unit/check_notices.c tests/unit/testutil.c tests/unit/testutil.h
tests_unit_check_notices_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_notices_LDADD = $(PD_LIBS) $(CHECK_LIBS)

# the customer's language (issue 14): detector, fallback order, templates complete, dates
check_PROGRAMS += tests/unit/check_languages
TESTS += tests/unit/check_languages
tests_unit_check_languages_SOURCES = tests/unit/check_languages.c
tests_unit_check_languages_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/src/compose
tests_unit_check_languages_LDADD = $(PD_LIBS) $(CHECK_LIBS)
