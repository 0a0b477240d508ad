# postdesk-milter tests: miltertest scripts (run.sh) and the Postfix end-to-end test.
# Included from Makefile.am (or tests/local.mk). mktoken is a test-only helper that
# prints token addresses; run.sh and tests/e2e/milter.sh need it and the programs.
check_PROGRAMS += tests/milter/mktoken
tests_milter_mktoken_SOURCES = tests/milter/mktoken.c
tests_milter_mktoken_LDADD = $(MOD_TOKEN) $(MOD_LIB) $(DEP_LIBS)
TESTS += tests/milter/run.sh tests/e2e/milter.sh
EXTRA_DIST += tests/milter/run.sh tests/milter/common.lua tests/milter/tsan.supp \
	tests/milter/agent.lua tests/milter/bounce.lua tests/milter/db_continue.lua \
	tests/milter/db_tempfail.lua tests/milter/flood.lua tests/milter/loop.lua \
	tests/milter/msgid_tag.lua tests/milter/other_domain.lua tests/milter/parallel_new.lua \
	tests/milter/queue_new.lua tests/milter/size.lua tests/milter/token_bad_mac.lua \
	tests/milter/token_no_ticket.lua tests/milter/token_tag.lua \
	tests/milter/unknown_local.lua tests/milter/authres_customer.lua \
	tests/milter/authres_dmarc.lua tests/milter/authres_fail.lua \
	tests/milter/authres_foreign.lua tests/milter/authres_off.lua \
	tests/milter/authres_pass.lua tests/e2e/milter.sh
check_PROGRAMS += tests/milter/check_milter
TESTS += tests/milter/check_milter
tests_milter_check_milter_SOURCES = tests/milter/check_milter.c
tests_milter_check_milter_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/src/milter
tests_milter_check_milter_LDADD = $(MOD_MILTER) $(MOD_DELIVER) $(MOD_SURVEY) $(MOD_THREAD) $(MOD_COMPOSE) $(MOD_KB) $(MOD_STORE) $(MOD_PARSE) $(MOD_TOKEN) \
	$(MOD_CONF) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)
