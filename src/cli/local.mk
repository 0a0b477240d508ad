noinst_LIBRARIES += src/cli/libcli.a
src_cli_libcli_a_SOURCES = src/cli/main.c include/postdesk/cli.h
