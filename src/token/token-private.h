/* token-private.h: the key ring layout, shared by token-keys.c (file handling) and token.c
 * (MACs). Internal to src/token. */
#ifndef POSTDESK_TOKEN_PRIVATE_H
#define POSTDESK_TOKEN_PRIVATE_H

#include "postdesk/token.h"

#include <sodium.h>

#define TOKEN_KEY_BYTES crypto_generichash_KEYBYTES /* 32 */
#define TOKEN_MAX_KEYS 64

struct token_key {
	guint32 version;
	unsigned char key[TOKEN_KEY_BYTES];
	gint64 created; /* unix time; 0 for a key written before times were recorded */
	gint64 expires; /* unix time it stops verifying (rotated out); 0 never */
};

/* One sodium_malloc'ed block, read-only once loaded; keys[0] is the newest. */
struct token_keys {
	size_t count;
	struct token_key keys[TOKEN_MAX_KEYS];
};

/* sodium_init() once per process; -1 if libsodium cannot start. */
int token_sodium_init(char **error_r);

#endif
