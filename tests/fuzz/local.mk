# Fuzzing (doc/fuzzing.md). Every harness tests/fuzz/fuzz_<name>.c defines
# LLVMFuzzerTestOneInput. Always built: tests/fuzz/replay_<name>, the harness with the
# main() of replay.c, run by make check on the saved crash inputs
# (tests/data/fuzz-regressions/<name>/) and the seed files, with any compiler. With
# ./configure --enable-fuzzing CC=clang also tests/fuzz/fuzz_<name>, the libFuzzer
# programs (make check builds them; tests/fuzz/run.sh runs them).
FUZZ_CFLAGS = $(AM_CFLAGS)
FUZZ_REG = $(abs_top_srcdir)/tests/data/fuzz-regressions
FUZZ_SEEDS = $(abs_top_srcdir)/tests/fuzz/inputs
FUZZ_SOURCES = tests/fuzz/fuzz.h
FUZZ_PARSE_LIBS = $(MOD_PARSE) $(MOD_LIB) $(DEP_LIBS)
FUZZ_TOKEN_LIBS = $(MOD_TOKEN) $(MOD_LIB) $(DEP_LIBS)
FUZZ_LMTP_LIBS = $(MOD_LMTP) $(MOD_DELIVER) $(MOD_SURVEY) $(MOD_THREAD) $(MOD_COMPOSE) $(MOD_KB) $(MOD_STORE) $(MOD_PARSE) $(MOD_TOKEN) $(MOD_CONF) $(MOD_LIB) $(DEP_LIBS)
FUZZ_TEMPLATE_LIBS = $(MOD_COMPOSE) $(MOD_KB) $(MOD_STORE) $(MOD_PARSE) $(MOD_TOKEN) $(MOD_CONF) $(MOD_LIB) $(DEP_LIBS)
FUZZ_AUTHRES_LIBS = $(MOD_PARSE) $(MOD_LIB) $(DEP_LIBS)

FUZZ_REPLAYS = tests/fuzz/replay_parse tests/fuzz/replay_quote tests/fuzz/replay_lmtp \
	tests/fuzz/replay_token tests/fuzz/replay_template tests/fuzz/replay_authres
check_PROGRAMS += $(FUZZ_REPLAYS)
TESTS += $(FUZZ_REPLAYS)

tests_fuzz_replay_parse_SOURCES = tests/fuzz/fuzz_parse.c tests/fuzz/replay.c $(FUZZ_SOURCES)
tests_fuzz_replay_parse_CFLAGS = $(FUZZ_CFLAGS) -DFUZZ_REPLAY_DIRS='"$(FUZZ_REG)/parse", \
	"$(abs_top_srcdir)/tests/data/hostile", "$(abs_top_srcdir)/tests/data/parse", NULL'
tests_fuzz_replay_parse_LDADD = $(FUZZ_PARSE_LIBS)
tests_fuzz_replay_quote_SOURCES = tests/fuzz/fuzz_quote.c tests/fuzz/replay.c $(FUZZ_SOURCES)
tests_fuzz_replay_quote_CFLAGS = $(FUZZ_CFLAGS) -DFUZZ_REPLAY_DIRS='"$(FUZZ_REG)/quote", \
	"$(abs_top_srcdir)/tests/data/corpus/talon", "$(abs_top_srcdir)/tests/data/corpus/email_reply_parser", NULL'
tests_fuzz_replay_quote_LDADD = $(FUZZ_PARSE_LIBS)
tests_fuzz_replay_lmtp_SOURCES = tests/fuzz/fuzz_lmtp.c tests/fuzz/replay.c $(FUZZ_SOURCES)
tests_fuzz_replay_lmtp_CFLAGS = $(FUZZ_CFLAGS) -DFUZZ_REPLAY_DIRS='"$(FUZZ_REG)/lmtp", \
	"$(FUZZ_SEEDS)/lmtp", NULL'
tests_fuzz_replay_lmtp_LDADD = $(FUZZ_LMTP_LIBS)
tests_fuzz_replay_token_SOURCES = tests/fuzz/fuzz_token.c tests/fuzz/replay.c $(FUZZ_SOURCES)
tests_fuzz_replay_token_CFLAGS = $(FUZZ_CFLAGS) -DFUZZ_REPLAY_DIRS='"$(FUZZ_REG)/token", \
	"$(FUZZ_SEEDS)/token", NULL'
tests_fuzz_replay_token_LDADD = $(FUZZ_TOKEN_LIBS)
tests_fuzz_replay_template_SOURCES = tests/fuzz/fuzz_template.c tests/fuzz/replay.c $(FUZZ_SOURCES)
tests_fuzz_replay_template_CFLAGS = $(FUZZ_CFLAGS) -DFUZZ_REPLAY_DIRS='"$(FUZZ_REG)/template", \
	"$(abs_top_srcdir)/templates/en", NULL'
tests_fuzz_replay_template_LDADD = $(FUZZ_TEMPLATE_LIBS)
tests_fuzz_replay_authres_SOURCES = tests/fuzz/fuzz_authres.c tests/fuzz/replay.c $(FUZZ_SOURCES)
tests_fuzz_replay_authres_CFLAGS = $(FUZZ_CFLAGS) \
	-DFUZZ_REPLAY_DIRS='"$(FUZZ_REG)/authres", "$(FUZZ_SEEDS)/authres", NULL'
tests_fuzz_replay_authres_LDADD = $(FUZZ_AUTHRES_LIBS)

if FUZZING
FUZZ_LDFLAGS_ALL = $(AM_LDFLAGS) -fsanitize=fuzzer
check_PROGRAMS += tests/fuzz/fuzz_parse tests/fuzz/fuzz_quote tests/fuzz/fuzz_lmtp \
	tests/fuzz/fuzz_token tests/fuzz/fuzz_template tests/fuzz/fuzz_authres
tests_fuzz_fuzz_parse_SOURCES = tests/fuzz/fuzz_parse.c $(FUZZ_SOURCES)
tests_fuzz_fuzz_parse_LDFLAGS = $(FUZZ_LDFLAGS_ALL)
tests_fuzz_fuzz_parse_LDADD = $(FUZZ_PARSE_LIBS)
tests_fuzz_fuzz_quote_SOURCES = tests/fuzz/fuzz_quote.c $(FUZZ_SOURCES)
tests_fuzz_fuzz_quote_LDFLAGS = $(FUZZ_LDFLAGS_ALL)
tests_fuzz_fuzz_quote_LDADD = $(FUZZ_PARSE_LIBS)
tests_fuzz_fuzz_lmtp_SOURCES = tests/fuzz/fuzz_lmtp.c $(FUZZ_SOURCES)
tests_fuzz_fuzz_lmtp_LDFLAGS = $(FUZZ_LDFLAGS_ALL)
tests_fuzz_fuzz_lmtp_LDADD = $(FUZZ_LMTP_LIBS)
tests_fuzz_fuzz_token_SOURCES = tests/fuzz/fuzz_token.c $(FUZZ_SOURCES)
tests_fuzz_fuzz_token_LDFLAGS = $(FUZZ_LDFLAGS_ALL)
tests_fuzz_fuzz_token_LDADD = $(FUZZ_TOKEN_LIBS)
tests_fuzz_fuzz_template_SOURCES = tests/fuzz/fuzz_template.c $(FUZZ_SOURCES)
tests_fuzz_fuzz_template_LDFLAGS = $(FUZZ_LDFLAGS_ALL)
tests_fuzz_fuzz_template_LDADD = $(FUZZ_TEMPLATE_LIBS)
tests_fuzz_fuzz_authres_SOURCES = tests/fuzz/fuzz_authres.c $(FUZZ_SOURCES)
tests_fuzz_fuzz_authres_CFLAGS = $(AM_CFLAGS)
tests_fuzz_fuzz_authres_LDFLAGS = $(FUZZ_LDFLAGS_ALL)
tests_fuzz_fuzz_authres_LDADD = $(FUZZ_AUTHRES_LIBS)
endif
EXTRA_DIST += tests/fuzz/run.sh tests/fuzz/seeds.sh tests/fuzz/inputs
