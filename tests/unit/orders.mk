# orders (issue 14): patterns, a shop's JSON, the order_lookup child process
check_PROGRAMS += tests/unit/check_orders
TESTS += tests/unit/check_orders
tests_unit_check_orders_SOURCES = tests/unit/check_orders.c
tests_unit_check_orders_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_orders_LDADD = $(MOD_SURVEY) $(MOD_REPORT) $(MOD_CONF) $(MOD_LIB) \
	$(CHECK_LIBS) $(DEP_LIBS)
