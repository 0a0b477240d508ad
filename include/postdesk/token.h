/* token: signed reply-address tokens. The only module that includes sodium.h.
 *
 * Address forms (lower-case, base32 MAC so case-folding systems do not break them):
 *   LOCAL+<ticket>-<role>-<mac>@domain   role: c customer, u opt-out, s<score> survey
 *   LOCAL+<ticket>-<role><agent>.<day>-<mac>@domain
 *                                        role: a agent, n note; bound to the agent's id and
 *                                        to the day it was issued (days since the epoch)
 *   LOCAL+b<outbox-id>.<n>-<mac>@domain  bounce (VERP) address of the n-th (from 1)
 *                                        recipient of an outbox row
 *   LOCAL+<agent>-k-<mac>@domain         an agent's command address (#search, #mine...:
 *                                        mail about no ticket), bound to the agent's id
 * mac = first 10 bytes of keyed BLAKE2b over "<keyver>:<ticket>:<role>[<score>]",
 * "<keyver>:<ticket>:<role>:<agent>.<day>" or "<keyver>:b:<id>.<n>", RFC 4648 base32
 * lower-case without padding (16 chars). Verification is constant-time and tries every key
 * of the key file that has not expired, newest first (key rotation).
 * Older forms still verify: "<ticket>-a-<mac>" / "<ticket>-n-<mac>" (agent tokens without
 * agent and time: deliver/rcpt.c refuses them as expired, doc/decisions.md) and
 * "b<outbox-id>-<mac>" (a bounce address of a whole row, from before per-recipient VERP). */
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
	TOKEN_COMMAND = 'k', /* an agent's command address: LOCAL+<agent id>-k-<mac> */
	TOKEN_SOLVED = 'r', /* "this answered my question" (doc/kb.md): LOCAL+<ticket>-r-<mac> */
};

struct token {
	gint64 id;            /* ticket id; outbox id for TOKEN_BOUNCE; agent id for
			       * TOKEN_COMMAND */
	enum token_role role;
	int score;            /* TOKEN_SURVEY: 0..10; -1 otherwise */
	gint64 agent;         /* TOKEN_AGENT, TOKEN_NOTE: the agent's id (0: not an agent) */
	gint64 issued;        /* TOKEN_AGENT, TOKEN_NOTE: day of issue, days since the epoch;
			       * 0 is the old form without agent and day */
	gint64 rcpt;          /* TOKEN_BOUNCE: the recipient's index in the row, from 1; 0 is
			       * the old form naming the whole row */
};

/* The day number of a time (days since the epoch), as token.issued holds it. */
#define TOKEN_DAY(t) ((t) / 86400)

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

/* Key rotation (`postdesk key rotate`). A new key goes in front (created = now); every
 * older key that has no end yet gets expires = now + grace_s, after which it no longer
 * verifies (and signs nothing: the front key signs). The file keeps its owner and mode. */
int token_keys_rotate(const char *path, gint64 now, gint64 grace_s, char **error_r);
/* Drop the keys that expired at or before now from the file; *dropped_r counts them. The
 * front key is never dropped. */
int token_keys_prune(const char *path, gint64 now, guint *dropped_r, char **error_r);

/* What may be shown of key i of a ring (never the key): its version, creation time and end
 * (0: not recorded / none). FALSE when i is past the last key. */
struct token_key_info {
	guint32 version;
	gint64 created;
	gint64 expires;
};
gboolean token_keys_info(const struct token_keys *keys, guint i, struct token_key_info *info_r);

/* The full token address for t, g_malloc'ed. local is the queue's local part. The local part
 * of the result is at most 64 octets (fails with -1 if it would not be). */
int token_address(const struct token_keys *keys, const char *local, const char *domain,
		  const struct token *t, char **addr_r, char **error_r);

enum token_check { TOKEN_NONE = 0, TOKEN_VALID = 1, TOKEN_BAD = -1 };
/* Check a recipient local part (keys expired at clock_now() do not verify) ("support+12-c-abcd..."). TOKEN_NONE: no '+' detail in token
 * shape (*base_r still set to the part before '+'); TOKEN_VALID: *t_r filled; TOKEN_BAD: the
 * shape is a token but the MAC does not verify (refuse: never guess). base_r, if not NULL,
 * receives the g_malloc'ed lower-case local part before '+'. */
enum token_check token_check_local(const struct token_keys *keys, const char *local,
				   struct token *t_r, char **base_r);

/* n bytes from the operating system's secure generator (libsodium's randombytes_buf), for
 * values that must not be guessable (our Message-IDs: the trust model takes a reference to
 * one of them, with the right From, as proof). Cannot fail once a key ring is loaded. */
void token_random(void *buf, gsize n);

#endif
