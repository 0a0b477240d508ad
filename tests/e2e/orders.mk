# Issue 14 (orders and personalization): order references, the sample order lookup against
# a stub shop, the held agent notice, past CSAT; end to end through a sandboxed Postfix.
# Needs root, postfix, swaks, smtp-sink, python3; skips (77) without.
ORDERS_TESTS = tests/e2e/orders.sh
TESTS += $(ORDERS_TESTS)
EXTRA_DIST += $(ORDERS_TESTS) tests/e2e/shop_stub.py contrib/order-lookup.py
