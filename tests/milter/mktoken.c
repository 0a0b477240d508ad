/* mktoken: test helper that prints the reply-token address of a ticket, so scripts can
 * send mail to a token address signed with a test key. Not installed.
 * Usage: mktoken KEY_FILE LOCAL DOMAIN TICKET ROLE [AGENT_ID]   (ROLE: c, a, n, u)
 * Agent and note tokens are bound to AGENT_ID (default 1: the first agent added) and
 * issued today. */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/token.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	struct token_keys *keys = NULL;
	struct token t = {.score = -1};
	char *addr = NULL, *error = NULL;

	if ((argc != 6 && argc != 7) || argv[5][0] == '\0' || argv[5][1] != '\0') {
		fprintf(stderr, "usage: mktoken KEY_FILE LOCAL DOMAIN TICKET ROLE [AGENT_ID]\n");
		return 64;
	}
	t.id = g_ascii_strtoll(argv[4], NULL, 10);
	t.role = (enum token_role)argv[5][0];
	if (t.role == TOKEN_AGENT || t.role == TOKEN_NOTE) {
		t.agent = argc == 7 ? g_ascii_strtoll(argv[6], NULL, 10) : 1;
		t.issued = TOKEN_DAY(clock_now());
	}
	if (token_keys_load(argv[1], &keys, &error) < 0 ||
	    token_address(keys, argv[2], argv[3], &t, &addr, &error) < 0) {
		fprintf(stderr, "mktoken: %s\n", error);
		g_free(error);
		token_keys_free(&keys);
		return 1;
	}
	printf("%s\n", addr);
	g_free(addr);
	token_keys_free(&keys);
	return 0;
}
