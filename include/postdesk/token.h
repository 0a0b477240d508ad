/* token: signed reply-address tokens. The only module that includes sodium.h.
 *
 * Address forms (lower-case, base32 MAC so case-folding systems do not break them):
 *   LOCAL+<ticket>-<role>-<mac>@domain   role: c customer, a agent, n note, s<score> survey
 *   LOCAL+b<outbox-id>-<mac>@domain      per-message bounce (VERP) address
 * mac = first 10 bytes of keyed BLAKE2b over "<keyver>:<ticket>:<role>[<score>]" (or
 * "<keyver>:b:<id>"), RFC 4648 base32 lower-case without padding (16 chars). Verification is
 * constant-time and tries every key in the key file, newest first (key rotation). */
#ifndef POSTDESK_TOKEN_H
#define POSTDESK_TOKEN_H

#include <glib.h>

enum token_role {
	TOKEN_CUSTOMER = 'c',
	TOKEN_AGENT = 'a',
	TOKEN_NOTE = 'n',
	TOKEN_SURVEY = 's',
	TOKEN_BOUNCE = 'b',
	TOKEN_OPTOUT = 'u', /* survey opt-out: LOCAL+<ticket>-u-<mac> */
};

struct token {
	gint64 id;            /* ticket id; outbox id for TOKEN_BOUNCE */
	enum token_role role;
	int score;            /* TOKEN_SURVEY: 0..10; -1 otherwise */
};

/* Opaque key ring, kept in sodium_malloc'ed memory. Owner: the caller of token_keys_load. */
struct token_keys;

/* Create a key file with one fresh random key (mode 0600). Refuses (-1) to replace an
 * existing file unless force is set; with force the new key is added in front so that
 * tokens already sent out still verify. */
int token_keys_create(const char *path, gboolean force, char **error_r);
int token_keys_load(const char *path, struct token_keys **keys_r, char **error_r);
void token_keys_free(struct token_keys **keys);
/* A copy of a loaded ring (its own sodium memory), for a configuration reload that keeps
 * the keys read at start (the key file is root's and the daemon no longer is). Owner: the
 * caller. */
struct token_keys *token_keys_dup(const struct token_keys *keys);

/* The full token address for t, g_malloc'ed. local is the queue's local part. The local part
 * of the result is at most 64 octets (fails with -1 if it would not be). */
int token_address(const struct token_keys *keys, const char *local, const char *domain,
		  const struct token *t, char **addr_r, char **error_r);

enum token_check { TOKEN_NONE = 0, TOKEN_VALID = 1, TOKEN_BAD = -1 };
/* Check a recipient local part ("support+12-c-abcd..."). TOKEN_NONE: no '+' detail in token
 * shape (*base_r still set to the part before '+'); TOKEN_VALID: *t_r filled; TOKEN_BAD: the
 * shape is a token but the MAC does not verify (refuse: never guess). base_r, if not NULL,
 * receives the g_malloc'ed lower-case local part before '+'. */
enum token_check token_check_local(const struct token_keys *keys, const char *local,
				   struct token *t_r, char **base_r);

#endif
