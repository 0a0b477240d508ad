/* net: the client side of the mail protocols, behind libetpan (the only module that
 * includes it): SMTP submission to the relay (smtp.c, used by outbox/), IMAP and POP3
 * fetching (imap.c, pop3.c, used by fetch/). Connections are made with GIO (connect
 * timeout, TLS with certificate verification through GLib's TLS backend) and handed to
 * libetpan as a file descriptor or a custom stream. Every call owns its session: no state
 * is shared between calls, any thread may call. */
#ifndef POSTDESK_NET_H
#define POSTDESK_NET_H

#include <glib.h>

#include "postdesk/lib.h"

/* ==== SMTP client ====
 * One message to one relay over plain SMTP (the local Postfix on loopback: no TLS/AUTH).
 * The session: connect (timeout_s for the connection and for each reply), EHLO (HELO if
 * EHLO is refused with 5xx), MAIL FROM, RCPT TO for each recipient, DATA, QUIT.
 * The EHLO name is the host name (gethostname()): libetpan 1.9's public API has no way to
 * choose it, so there is no helo_name parameter.
 *
 * Always returns 0 and fills *v:
 *   OK        the relay answered 250 after the data (v->text: its reply, e.g. the queue id)
 *   TEMPFAIL  cannot connect, timeout, connection lost, or any 4xx reply at any stage
 *             (including 4xx for one recipient: the whole message is retried later)
 *   PERMFAIL  a 5xx reply to the greeting, MAIL, DATA or the data; 5xx for every
 *             recipient; or an unusable envelope address (CR/LF, spaces, <>), with 553 5.1.3
 * If some recipients get 5xx and at least one is accepted, the message goes to the accepted
 * ones and the verdict is OK; v->text then starts "refused <addr>: <reply>" for the first
 * refused recipient so the caller can log or record the bounce.
 * v->smtp is the relay's reply code (0 when the relay never answered), v->enh its enhanced
 * status code if it gave one (else one made from the class, e.g. "4.4.1"), v->text the
 * reply text on one line. relay is "HOST:PORT" ("[v6addr]:PORT" for IPv6; port 25 if
 * omitted). env_from "" sends the null reverse-path "<>". The caller must ignore SIGPIPE
 * (a relay that drops the connection mid-write must not kill the process). */
int net_smtp_send(const char *relay, const char *env_from, const char *const *rcpts,
		     guint n_rcpts, const char *data, gsize len, int timeout_s, struct verdict *v);

/* ==== IMAP and POP3 clients (fetch/'s side of a hosted mailbox) ====
 * Blocking sessions, one per connection, each owned by its caller (one thread at a time).
 * TLS is GIO's (glib-networking): the certificate and the host name are verified unless
 * tls_verify is FALSE; ca_file (PEM) replaces the system's trust store. Every function
 * returns -1 with *error_r (one line, the server's words where it gave some) on failure;
 * the session is then unusable and the caller closes it. */
#include <signal.h> /* sig_atomic_t */

enum net_security { NET_TLS, NET_STARTTLS, NET_PLAIN };
enum net_auth { NET_AUTH_PLAIN, NET_AUTH_LOGIN, NET_AUTH_XOAUTH2 };
/* What kind of failure opening a session was: the fetcher retries them all, and refreshes
 * an OAuth2 token after NET_FAIL_AUTH. */
enum net_fail { NET_FAIL_NONE, NET_FAIL_CONNECT, NET_FAIL_TLS, NET_FAIL_AUTH, NET_FAIL_PROTOCOL };
enum net_done { NET_DONE_SEEN, NET_DONE_MOVE, NET_DONE_DELETE };

/* A server and the account on it; all borrowed for the session's life. */
struct net_server {
	const char *host;
	int port;
	enum net_security security;
	gboolean tls_verify;
	const char *ca_file;  /* NULL: the system's CAs */
	int timeout_s;        /* connect, and each read or write */
	const char *user;
	enum net_auth auth;
	const char *secret;   /* the password, or the OAuth2 access token (XOAUTH2) */
};

struct net_imap;
/* Connect, TLS (implicit or STARTTLS: refused if the server does not offer it), log in
 * (plain and login: the LOGIN command, inside TLS; xoauth2: AUTHENTICATE XOAUTH2). */
int net_imap_open(const struct net_server *srv, struct net_imap **s_r, enum net_fail *fail_r,
		  char **error_r);
/* LOGOUT (best effort) and free; NULLs *s. */
void net_imap_close(struct net_imap **s);
/* The server announced IDLE (RFC 2177). */
gboolean net_imap_has_idle(const struct net_imap *s);
/* SELECT folder: its UIDVALIDITY and UIDNEXT (0 when the server gave none). */
int net_imap_select(struct net_imap *s, const char *folder, guint32 *uidvalidity_r,
		    guint32 *uidnext_r, char **error_r);
/* UID SEARCH UNSEEN (unseen; with above_uid > 0 also the UIDs above it: new mail that was
 * read elsewhere) or ALL: *uids_r a new GArray of guint32, ascending, each once. */
int net_imap_search(struct net_imap *s, gboolean unseen, guint32 above_uid, GArray **uids_r,
		    char **error_r);
/* RFC822.SIZE of uid: 1 with *size_r, 0 when the message is gone. */
int net_imap_size(struct net_imap *s, guint32 uid, gint64 *size_r, char **error_r);
/* BODY.PEEK[] of uid (not flagged \Seen by the fetch): 1 with *raw_r (g_malloc'ed,
 * NUL-terminated, *len_r bytes), 0 when the message is gone. */
int net_imap_fetch(struct net_imap *s, guint32 uid, char **raw_r, gsize *len_r,
		   char **error_r);
/* The done action on uid: \Seen; MOVE to folder (UID MOVE, else COPY, \Deleted and UID
 * EXPUNGE); delete (\Deleted and UID EXPUNGE, plain EXPUNGE without UIDPLUS). */
int net_imap_done(struct net_imap *s, guint32 uid, enum net_done action, const char *folder,
		  char **error_r);
/* IDLE until the server says something (1), timeout_s passes or *stop is set (0). */
int net_imap_idle(struct net_imap *s, int timeout_s, const volatile sig_atomic_t *stop,
		  char **error_r);

struct net_pop3_msg {
	guint msgno;  /* message number of this session */
	gint64 size;
	char *uidl;
};
struct net_pop3;
/* Connect, TLS (implicit or STLS), USER/PASS (xoauth2 is not offered for POP3). */
int net_pop3_open(const struct net_server *srv, struct net_pop3 **s_r, enum net_fail *fail_r,
		  char **error_r);
/* LIST and UIDL: *msgs_r a new GArray of struct net_pop3_msg (uidl owned by the array). */
int net_pop3_list(struct net_pop3 *s, GArray **msgs_r, char **error_r);
/* RETR: *raw_r g_malloc'ed, NUL-terminated, *len_r bytes (dot-unstuffed). */
int net_pop3_retr(struct net_pop3 *s, guint msgno, char **raw_r, gsize *len_r,
		  char **error_r);
/* DELE (takes effect at a successful QUIT). */
int net_pop3_dele(struct net_pop3 *s, guint msgno, char **error_r);
/* QUIT (commits the DELEs) and free; -1 if QUIT failed (the DELEs did not happen). */
int net_pop3_quit(struct net_pop3 **s, char **error_r);
/* Free without QUIT (after a failure). */
void net_pop3_close(struct net_pop3 **s);

#endif
