# PostgreSQL as the shared store (issue 16): tests/e2e/pg.sh starts a throwaway PostgreSQL
# 15 (pd_pg_start / pd_pg_stop); store_pg.sh runs tests/unit/check_store_pg against it.
# pg_two_hosts.sh: two lmtpd + two notifyd behind two Postfix on one PostgreSQL.
STORE_PG_TESTS = tests/e2e/store_pg.sh tests/e2e/pg_two_hosts.sh tests/e2e/pg_copy.sh \
	tests/e2e/pg_milter.sh
TESTS += $(STORE_PG_TESTS)
EXTRA_DIST += $(STORE_PG_TESTS) tests/e2e/pg.sh tests/e2e/pg_server.sh tests/e2e/pg_milter.lua tests/e2e/store_pg.mk tests/unit/store_pg.mk
