/* stream: the connections of the IMAP and POP3 clients. GIO makes the TCP connection (with
 * a timeout for connecting, and for every read and write after it: g_socket_set_timeout) and
 * the TLS (GIO's TLS backend, glib-networking: certificate and host name verified unless
 * tls_verify is off; ca_file replaces the system's trust store). libetpan sees a mailstream
 * whose low-level driver reads and writes the GIO streams, so its IMAP and POP3 parsers work
 * unchanged and STARTTLS only swaps the GIO stream underneath. libetpan's own SSL is not
 * used: it does not verify certificates. One connection per session; no shared state. */
#include "config.h"
#include "net-private.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

static GIOStream *conn_io(mailstream_low *s)
{
	return ((struct net_conn *)s->data)->io;
}

static ssize_t conn_read(mailstream_low *s, void *buf, size_t count)
{
	GError *err = NULL;
	gssize n = g_input_stream_read(g_io_stream_get_input_stream(conn_io(s)), buf, count, NULL,
				       &err);

	if (n < 0)
		g_error_free(err);
	return n;
}

static ssize_t conn_write(mailstream_low *s, const void *buf, size_t count)
{
	GError *err = NULL;
	gssize n = g_output_stream_write(g_io_stream_get_output_stream(conn_io(s)), buf, count,
					 NULL, &err);

	if (n < 0)
		g_error_free(err);
	return n;
}

static int conn_close(mailstream_low *s)
{
	(void)s; /* the GIO objects are closed by net_conn_clear, after the session */
	return 0;
}

static int conn_get_fd(mailstream_low *s)
{
	return g_socket_get_fd(((struct net_conn *)s->data)->sock);
}

static void conn_free(mailstream_low *s)
{
	free(s); /* the driver frees the low stream (libetpan's contract); data is the caller's */
}

static void conn_cancel(mailstream_low *s)
{
	(void)s;
}

static struct mailstream_cancel *conn_get_cancel(mailstream_low *s)
{
	(void)s;
	return NULL;
}

static carray *conn_certs(mailstream_low *s)
{
	(void)s;
	return NULL;
}

static int conn_idle_noop(mailstream_low *s)
{
	(void)s;
	return -1; /* libetpan's idle helpers are not used: net_conn_wait */
}

static mailstream_low_driver conn_driver = {
	conn_read,  conn_write,	     conn_close, conn_get_fd,    conn_free,     conn_cancel,
	conn_get_cancel, conn_certs, conn_idle_noop, conn_idle_noop, conn_idle_noop,
};

static gboolean conn_accept_any(GTlsConnection *tls, GTlsCertificate *cert,
				GTlsCertificateFlags errors, gpointer data)
{
	(void)tls, (void)cert, (void)errors, (void)data;
	return TRUE; /* tls_verify = no: the admin said so */
}

/* TLS over c->tcp, verified as srv says. */
static int conn_tls(struct net_conn *c, enum net_fail *fail_r, char **error_r)
{
	const struct net_server *srv = c->srv;
	GSocketConnectable *id = g_network_address_new(srv->host, (guint16)srv->port);
	GError *err = NULL;
	GIOStream *tls = g_tls_client_connection_new(G_IO_STREAM(c->tcp), id, &err);

	g_object_unref(id);
	if (tls == NULL)
		goto fail;
	if (!srv->tls_verify) {
		g_signal_connect(tls, "accept-certificate", G_CALLBACK(conn_accept_any), NULL);
	} else if (srv->ca_file != NULL) {
		GTlsDatabase *db = g_tls_file_database_new(srv->ca_file, &err);
		if (db == NULL)
			goto fail;
		g_tls_connection_set_database(G_TLS_CONNECTION(tls), db);
		g_object_unref(db);
	}
	if (!g_tls_connection_handshake(G_TLS_CONNECTION(tls), NULL, &err))
		goto fail;
	c->io = tls;
	return 0;
fail:
	*fail_r = NET_FAIL_TLS;
	util_error(error_r, "TLS with %s:%d: %s%s", srv->host, srv->port,
		   err != NULL ? err->message : "no TLS backend",
		   err != NULL && g_error_matches(err, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE)
		       ? " (the certificate does not verify: set ca_file to trust it)"
		       : "");
	if (err != NULL)
		g_error_free(err);
	if (tls != NULL)
		g_object_unref(tls);
	return -1;
}

int net_conn_open(const struct net_server *srv, struct net_conn *c, enum net_fail *fail_r,
		  char **error_r)
{
	GSocketClient *client = g_socket_client_new();
	GError *err = NULL;
	mailstream_low *low;

	memset(c, 0, sizeof(*c));
	c->srv = srv;
	g_socket_client_set_timeout(client, (guint)srv->timeout_s);
	g_socket_client_set_enable_proxy(client, FALSE);
	c->tcp = g_socket_client_connect_to_host(client, srv->host, (guint16)srv->port, NULL, &err);
	g_object_unref(client);
	if (c->tcp == NULL) {
		*fail_r = NET_FAIL_CONNECT;
		util_error(error_r, "cannot connect to %s:%d: %s", srv->host, srv->port,
			   err->message);
		g_error_free(err);
		return -1;
	}
	c->sock = g_socket_connection_get_socket(c->tcp);
	g_socket_set_timeout(c->sock, (guint)srv->timeout_s); /* every read and write */
	c->io = G_IO_STREAM(g_object_ref(c->tcp));
	if (srv->security == NET_TLS) {
		g_object_unref(c->io);
		c->io = NULL;
		if (conn_tls(c, fail_r, error_r) < 0) {
			net_conn_clear(c);
			return -1;
		}
	}
	low = mailstream_low_new(c, &conn_driver);
	c->stream = low != NULL ? mailstream_new(low, 8192) : NULL;
	if (c->stream == NULL) {
		*fail_r = NET_FAIL_PROTOCOL;
		net_conn_clear(c);
		return util_error(error_r, "out of memory for the stream");
	}
	return 0;
}

int net_conn_starttls(struct net_conn *c, enum net_fail *fail_r, char **error_r)
{
	GIOStream *plain = c->io;

	c->io = NULL;
	if (conn_tls(c, fail_r, error_r) < 0) {
		c->io = plain;
		return -1;
	}
	g_object_unref(plain);
	return 0;
}

int net_conn_wait(struct net_conn *c, int timeout_ms, const volatile sig_atomic_t *stop)
{
	GInputStream *in = g_io_stream_get_input_stream(c->io);
	struct pollfd p = {.fd = g_socket_get_fd(c->sock), .events = POLLIN};

	/* a short slice at a time: a signal's flag is seen within half a second */
	while (timeout_ms > 0 && (stop == NULL || !*stop)) {
		int slice = MIN(timeout_ms, 500), r;

		if (c->stream->read_buffer_len > 0 ||
		    (G_IS_POLLABLE_INPUT_STREAM(in) &&
		     g_pollable_input_stream_is_readable(G_POLLABLE_INPUT_STREAM(in))))
			return 1;
		r = poll(&p, 1, slice);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r > 0)
			return 1;
		timeout_ms -= slice;
	}
	return 0;
}

void net_conn_clear(struct net_conn *c)
{
	if (c->io != NULL) {
		g_io_stream_close(c->io, NULL, NULL);
		g_object_unref(c->io);
	}
	if (c->tcp != NULL)
		g_object_unref(c->tcp);
	memset(c, 0, sizeof(*c));
}
