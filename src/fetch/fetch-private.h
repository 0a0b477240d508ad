/* fetch-private.h: one mailbox's state, shared by the files of src/fetch. */
#ifndef POSTDESK_FETCH_PRIVATE_H
#define POSTDESK_FETCH_PRIVATE_H

#include "postdesk/fetch.h"
#include "postdesk/net.h"

struct fetch_box {
	const struct fetch_env *env;
	const struct conf_mailbox *m;
	gboolean once;
	struct net_server srv;  /* from m; srv.secret points at secret */
	char *secret;           /* the password, or the current access token */
	gint64 secret_expires;  /* monotonic seconds; 0 = never (a password) */
	gint64 known_uidvalidity; /* the last one seen, 0 = none yet (log its changes) */
	/* the current poll's counts */
	gint64 backlog, skipped, fetched;
	const char *mode;       /* "idle", "poll", "pop3" */
};

/* ---- secret.c ---- */
/* Make b->srv.secret current: the password file (first line; refused if group or others
 * may read it), or a token from token_command (cached until its lifetime ends). -1 with
 * why. */
int fetch_secret_get(struct fetch_box *b, char **error_r);
/* The server refused the secret: a token is fetched again next time. */
void fetch_secret_forget(struct fetch_box *b);

/* ---- take.c: one message into the store ---- */
/* 1 recorded (*state_r: "stored", "refused", "too_big", g_malloc'ed), 0 not, -1. */
int fetch_known(struct fetch_box *b, gint64 uidvalidity, const char *uid, char **state_r,
		char **error_r);
/* Over max_message_size: recorded as too_big (not downloaded, left on the server). */
int fetch_too_big(struct fetch_box *b, gint64 uidvalidity, const char *uid, gint64 size,
		  char **error_r);
/* Deliver raw (taken over) to the mailbox's queue with its fetch record in the same commit:
 * 1 stored, 0 refused for good (recorded with its bytes), -1 temporary (nothing recorded). */
int fetch_take(struct fetch_box *b, gint64 uidvalidity, const char *uid, char *raw, gsize len,
	       char **error_r);
/* The done actions of these recorded messages (uids: char *) succeeded on the server: one
 * transaction for all (a commit each would cost a second fsync per message; a kill before
 * it only leaves fetched.done unset, which the next poll does not need). */
int fetch_mark_done(struct fetch_box *b, gint64 uidvalidity, GPtrArray *uids, char **error_r);

/* ---- imap.c, pop3.c: one session, polls until it ends ----
 * 0 when the session ended well (poll or IDLE time is up, stop, once), -1 with why; each
 * good poll is recorded (fetch_poll_ok). */
int fetch_imap_session(struct fetch_box *b, char **error_r);
int fetch_pop3_session(struct fetch_box *b, char **error_r);
/* ---- status.c ---- */
/* A good poll: mailbox_state updated (failures and alert reset); -1 store trouble. */
int fetch_poll_ok(struct fetch_box *b, char **error_r);

#endif
