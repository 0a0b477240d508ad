noinst_LIBRARIES += src/cli/libcli.a
# main.c dispatches; cmd_NAME.c implements `postdesk NAME` (and its close relatives).
src_cli_libcli_a_SOURCES = include/postdesk/cli.h src/cli/cli.h src/cli/main.c src/cli/common.c \
	src/cli/cmd_init.c src/cli/cmd_deliver.c src/cli/cmd_tickets.c src/cli/cmd_token.c \
	src/cli/cmd_act.c src/cli/cmd_agent.c src/cli/cmd_outbox.c src/cli/cmd_report.c \
	src/cli/cmd_tick.c src/cli/cmd_optout.c src/cli/cmd_key.c \
	src/cli/cmd_macro.c

# merge and split (issue 13)
src_cli_libcli_a_SOURCES += src/cli/cmd_merge.c

# attachments, customer export and erase (issue 13)
src_cli_libcli_a_SOURCES += src/cli/cmd_attachment.c src/cli/cmd_customer.c

# search (issue 13)
src_cli_libcli_a_SOURCES += src/cli/cmd_search.c
# the knowledge base (issue 14)
src_cli_libcli_a_SOURCES += src/cli/cmd_kb.c
# config [-n] and check (issue 17)
src_cli_libcli_a_SOURCES += src/cli/cmd_config.c src/cli/cmd_check.c
# hosted mailboxes: postdesk mailbox status (issue 15)
src_cli_libcli_a_SOURCES += src/cli/cmd_mailbox.c
# postdesk store copy (issue 16, doc/scaling.md)
src_cli_libcli_a_SOURCES += src/cli/cmd_store.c
