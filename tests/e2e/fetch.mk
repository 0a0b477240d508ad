# Issue 15 (IMAP/POP3 intake): postdesk-fetchd against a real Dovecot on loopback
# (tests/e2e/fetch_lib.sh). fetch_kill.sh kills fetchd 20 times while it fetches
# (PD_LONG=1: 100 times). Both skip (77) without root, Dovecot, openssl or smtp-sink.
FETCH_TESTS = tests/e2e/fetch.sh tests/e2e/fetch_kill.sh tests/e2e/fetch_oauth.sh
TESTS += $(FETCH_TESTS)
EXTRA_DIST += $(FETCH_TESTS) tests/e2e/fetch_lib.sh
