noinst_LIBRARIES += src/cli/libcli.a
src_cli_libcli_a_SOURCES = src/cli/main.c src/cli/cli.h src/cli/init.c src/cli/deliver.c \
	src/cli/tickets.c src/cli/token.c src/cli/act.c src/cli/agent.c src/cli/outbox.c \
	src/cli/report.c \
	include/postdesk/cli.h
src_cli_libcli_a_SOURCES += src/cli/tick.c src/cli/optout.c
