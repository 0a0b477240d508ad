/* net-private.h: the GIO connection that imap.c and pop3.c hand to libetpan (stream.c).
 * Internal to src/net. */
#ifndef POSTDESK_NET_PRIVATE_H
#define POSTDESK_NET_PRIVATE_H

#include "postdesk/net.h"

#include <gio/gio.h>
#include <libetpan/libetpan.h>

/* One connection: TCP made by GIO (connect timeout), TLS by GIO's TLS backend (certificate
 * and host name verified unless the server says tls_verify no), seen by libetpan as a
 * mailstream whose low-level driver reads and writes the GIO streams. */
struct net_conn {
	GSocketConnection *tcp;
	GIOStream *io;        /* tcp, or the TLS connection over it */
	GSocket *sock;
	mailstream *stream;   /* owned by the libetpan session once connected */
	const struct net_server *srv;
};

/* Connect to srv (implicit TLS when srv->security is NET_TLS): 0 with c filled, -1 with
 * *fail_r and *error_r. */
int net_conn_open(const struct net_server *srv, struct net_conn *c, enum net_fail *fail_r,
		  char **error_r);
/* STARTTLS accepted by the server: the TLS handshake on the same socket; later reads and
 * writes of the mailstream go through TLS. -1 with NET_FAIL_TLS. */
int net_conn_starttls(struct net_conn *c, enum net_fail *fail_r, char **error_r);
/* Wait until the server has something to say (1), timeout_ms passed (0), or *stop set (0);
 * -1 on a socket error. Looks at libetpan's buffer and TLS's first. */
int net_conn_wait(struct net_conn *c, int timeout_ms, const volatile sig_atomic_t *stop);
/* Free what the libetpan session does not own (after the session is freed). */
void net_conn_clear(struct net_conn *c);

#endif
