/* server: listening socket, accept loop and one thread per LMTP connection; the
 * protocol itself is lmtp_session's. Ownership: the server owns the listening socket, the
 * wake-up pipe and its connection records; backend and limits are borrowed.
 * Threading: lmtp_server_run() runs the accept loop in the caller's thread and starts a
 * GThread per connection; the connection list is guarded by a mutex; lmtp_server_stop() and
 * lmtp_server_reload() are async-signal-safe (they only write() a byte to the wake-up pipe).
 * Stopping: the accept loop closes the listener and writes once to the stop pipe, which
 * is never read, so every session thread polling it sees it (and stays woken): a session
 * between transactions is closed, one inside a transaction finishes it first. */
#include "config.h"
#include "postdesk/lmtp.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define LMTP_READ_SIZE 65536

struct lmtp_conn {
	struct lmtp_server *server;
	GThread *thread;
	void *pinned;			   /* backend->pin's, or NULL */
	const struct lmtp_backend *backend; /* &own_backend, or the server's */
	struct lmtp_backend own_backend;   /* the server's, with ctx = pinned */
	const struct lmtp_limits *limits;   /* pinned, or the server's */
	int fd;	       /* -1 once the thread closed it (under server->lock) */
	gboolean done; /* the thread has finished and may be joined */
};

struct lmtp_server {
	const struct lmtp_backend *backend;
	const struct lmtp_limits *limits;
	guint max_sessions; /* 0: no limit */
	int listen_fd;
	gboolean is_tcp;
	char *unix_path; /* set for a unix socket we created (unlinked on free) */
	int wake_fds[2];
	int stop_fds[2]; /* written once when stopping; never read */
	volatile sig_atomic_t stop_requested, reload_requested;

	GMutex lock;
	GList *conns; /* struct lmtp_conn *, running or done but not yet joined */
	guint n_running;
	gboolean busy_logged; /* accept loop only */
};

/* ---------------------------------------------------------------- listening */

static int listen_unix(struct lmtp_server *srv, const char *path, char **error_r)
{
	struct sockaddr_un sun;
	struct stat st;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return util_error(error_r, "unix socket path too long: %s", path);
	strcpy(sun.sun_path, path);
	/* A socket left by a crashed daemon is replaced; anything else is someone's file. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return util_error(error_r, "%s exists and is not a socket", path);
		if (unlink(path) < 0)
			return util_error(error_r, "unlink(%s): %s", path, g_strerror(errno));
	}
	srv->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (srv->listen_fd < 0)
		return util_error(error_r, "socket(unix): %s", g_strerror(errno));
	if (bind(srv->listen_fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		return util_error(error_r, "bind(%s): %s", path, g_strerror(errno));
	srv->unix_path = g_strdup(path);
	/* Postfix's lmtp client runs as user postfix; the directory restricts who gets here. */
	if (chmod(path, 0666) < 0)
		return util_error(error_r, "chmod(%s): %s", path, g_strerror(errno));
	return 0;
}

static int listen_inet(struct lmtp_server *srv, const char *hostport, char **error_r)
{
	const char *colon = strrchr(hostport, ':');
	struct addrinfo hints, *res, *ai;
	char *host;
	int ret, err = 0, one = 1;

	if (colon == NULL || colon[1] == '\0')
		return util_error(error_r, "inet listen address needs HOST:PORT: %s", hostport);
	if (hostport[0] == '[' && colon > hostport && colon[-1] == ']') /* [::1]:24 */
		host = g_strndup(hostport + 1, colon - hostport - 2);
	else
		host = g_strndup(hostport, colon - hostport);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	ret = getaddrinfo(host[0] == '\0' || strcmp(host, "*") == 0 ? NULL : host, colon + 1,
			  &hints, &res);
	g_free(host);
	if (ret != 0)
		return util_error(error_r, "%s: %s", hostport, gai_strerror(ret));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);

		if (fd < 0) {
			err = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			srv->listen_fd = fd;
			break;
		}
		err = errno;
		close(fd);
	}
	freeaddrinfo(res);
	if (srv->listen_fd < 0)
		return util_error(error_r, "bind(%s): %s", hostport, g_strerror(err));
	srv->is_tcp = TRUE;
	return 0;
}

int lmtp_server_new(const char *listen_addr, const struct lmtp_backend *backend,
		    const struct lmtp_limits *limits, guint max_sessions,
		    struct lmtp_server **server_r, char **error_r)
{
	struct lmtp_server *srv = g_new0(struct lmtp_server, 1);
	GError *gerr = NULL;
	int ret;

	srv->backend = backend;
	srv->limits = limits;
	srv->max_sessions = max_sessions;
	srv->listen_fd = -1;
	srv->wake_fds[0] = srv->wake_fds[1] = -1;
	srv->stop_fds[0] = srv->stop_fds[1] = -1;
	g_mutex_init(&srv->lock);

	if (g_str_has_prefix(listen_addr, "unix:"))
		ret = listen_unix(srv, listen_addr + 5, error_r);
	else if (g_str_has_prefix(listen_addr, "inet:"))
		ret = listen_inet(srv, listen_addr + 5, error_r);
	else
		ret = util_error(error_r, "listen address must be unix:/path or inet:HOST:PORT: %s",
				 listen_addr);
	if (ret == 0 && listen(srv->listen_fd, SOMAXCONN) < 0)
		ret = util_error(error_r, "listen(%s): %s", listen_addr, g_strerror(errno));
	if (ret == 0 && (!g_unix_open_pipe(srv->wake_fds, FD_CLOEXEC, &gerr) ||
			 !g_unix_open_pipe(srv->stop_fds, FD_CLOEXEC, &gerr))) {
		ret = util_error(error_r, "pipe: %s", gerr->message);
		g_error_free(gerr);
	}
	/* stop() must never block, even if called many times; the loop drains without waiting */
	if (ret == 0 && (!g_unix_set_fd_nonblocking(srv->wake_fds[1], TRUE, &gerr) ||
			 !g_unix_set_fd_nonblocking(srv->wake_fds[0], TRUE, &gerr))) {
		ret = util_error(error_r, "pipe: %s", gerr->message);
		g_error_free(gerr);
	}
	if (ret < 0) {
		lmtp_server_free(&srv);
		return -1;
	}
	*server_r = srv;
	return 0;
}

static void server_wake(struct lmtp_server *server)
{
	int saved = errno; /* a signal handler must not change errno */
	ssize_t ret = write(server->wake_fds[1], "x", 1);

	(void)ret; /* a full pipe already holds a wake-up */
	errno = saved;
}

void lmtp_server_stop(struct lmtp_server *server)
{
	server->stop_requested = 1;
	server_wake(server);
}

void lmtp_server_reload(struct lmtp_server *server)
{
	server->reload_requested = 1;
	server_wake(server);
}

void lmtp_server_free(struct lmtp_server **server)
{
	struct lmtp_server *srv = *server;

	if (srv == NULL)
		return;
	g_assert(srv->conns == NULL);
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	if (srv->unix_path != NULL)
		unlink(srv->unix_path);
	for (int i = 0; i < 2; i++) {
		if (srv->wake_fds[i] >= 0)
			close(srv->wake_fds[i]);
		if (srv->stop_fds[i] >= 0)
			close(srv->stop_fds[i]);
	}
	g_free(srv->unix_path);
	g_mutex_clear(&srv->lock);
	g_free(srv);
	*server = NULL;
}

/* ---------------------------------------------------------------- connections */

/* Write everything (a reply buffer is one write() unless the socket is full). MSG_NOSIGNAL:
 * a client that went away must not kill the daemon with SIGPIPE. */
static int write_all(int fd, const char *p, gsize len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* Read, feed the session, write all replies at once; until QUIT, EOF, error, timeout, or
 * the server stopping while the session is between transactions. */
static void conn_serve(struct lmtp_server *srv, struct lmtp_conn *conn)
{
	struct lmtp_session *session = lmtp_session_new(conn->backend, conn->limits);
	GString *out = g_string_sized_new(512);
	char *buf = g_malloc(LMTP_READ_SIZE);
	int fd = conn->fd;
	int timeout_ms = conn->limits->idle_timeout > 0 ? (int)conn->limits->idle_timeout * 1000 : -1;
	const char *err = NULL;
	int err_no = 0;
	gboolean stopping = FALSE;

	lmtp_session_greet(session, out);
	for (;;) {
		struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN},
					{.fd = srv->stop_fds[0], .events = POLLIN}};
		int closing = 0, ret;
		ssize_t n;

		if (out->len > 0 && write_all(fd, out->str, out->len) < 0) {
			err = "write";
			err_no = errno;
			break;
		}
		g_string_truncate(out, 0);
		if (stopping && lmtp_session_idle(session))
			break; /* nothing in flight: the client sees EOF, as at any close */
		/* once stopping, only the client: the stop pipe stays readable */
		ret = poll(pfd, stopping ? 1 : 2, timeout_ms);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret > 0 && !stopping && pfd[1].revents != 0) {
			stopping = TRUE;
			continue;
		}
		if (ret == 0) {
			lmtp_session_timeout(session, out);
			(void)write_all(fd, out->str, out->len);
			break;
		}
		n = ret < 0 ? -1 : read(fd, buf, LMTP_READ_SIZE);
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = "read";
			err_no = errno;
			break;
		}
		if (n == 0) /* EOF, or shut down by lmtp_server_stop() */
			break;
		closing = lmtp_session_input(session, buf, n, out);
		if (closing) {
			(void)write_all(fd, out->str, out->len);
			break;
		}
	}
	/* Logged once, here. A peer that hangs up early is routine for a mail client. */
	if (err != NULL && (err_no == ECONNRESET || err_no == EPIPE))
		log_debug("lmtp: connection %s error: %s", err, g_strerror(err_no));
	else if (err != NULL)
		log_warn("lmtp: connection %s error: %s", err, g_strerror(err_no));
	g_free(buf);
	g_string_free(out, TRUE);
	lmtp_session_free(&session);
}

static gpointer conn_thread(gpointer data)
{
	struct lmtp_conn *conn = data;
	struct lmtp_server *srv = conn->server;

	conn_serve(srv, conn);
	if (conn->pinned != NULL)
		srv->backend->unpin(srv->backend->ctx, conn->pinned);
	g_mutex_lock(&srv->lock);
	close(conn->fd);
	conn->fd = -1;
	conn->done = TRUE;
	srv->n_running--;
	g_mutex_unlock(&srv->lock);
	return NULL;
}

/* Join finished connection threads (all == TRUE: wait for every thread). */
static void conns_reap(struct lmtp_server *srv, gboolean all)
{
	GList *l, *next, *finished = NULL;

	g_mutex_lock(&srv->lock);
	for (l = srv->conns; l != NULL; l = next) {
		struct lmtp_conn *conn = l->data;

		next = l->next;
		if (conn->done || all) {
			srv->conns = g_list_remove_link(srv->conns, l);
			finished = g_list_concat(l, finished);
		}
	}
	g_mutex_unlock(&srv->lock);
	for (l = finished; l != NULL; l = l->next) {
		struct lmtp_conn *conn = l->data;

		g_thread_join(conn->thread);
		g_free(conn);
	}
	g_list_free(finished);
}

static void conn_refuse(struct lmtp_server *srv, int fd)
{
	char *reply =
	    g_strdup_printf("421 4.3.2 %s too busy, try again later\r\n",
			    srv->limits->hostname != NULL ? srv->limits->hostname : "localhost");

	(void)write_all(fd, reply, strlen(reply));
	g_free(reply);
	close(fd);
}

/* A connection record, with the configuration it will run under pinned (if the backend
 * pins). */
static struct lmtp_conn *conn_new(struct lmtp_server *srv, int fd)
{
	struct lmtp_conn *conn = g_new0(struct lmtp_conn, 1);

	conn->server = srv;
	conn->fd = fd;
	conn->backend = srv->backend;
	conn->limits = srv->limits;
	if (srv->backend->pin != NULL) {
		conn->own_backend = *srv->backend;
		conn->own_backend.ctx = conn->pinned =
		    srv->backend->pin(srv->backend->ctx, &conn->limits);
		conn->backend = &conn->own_backend;
	}
	if (conn->limits->idle_timeout > 0) { /* a client that stops reading cannot pin us */
		struct timeval tv = {.tv_sec = conn->limits->idle_timeout};

		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	return conn;
}

/* Hand a new connection to its own thread, or refuse it when max_sessions are busy. */
static void conn_start(struct lmtp_server *srv, int fd)
{
	struct lmtp_conn *conn;
	GError *gerr = NULL;
	int one = 1;

	if (srv->is_tcp) /* replies go out in one write: Nagle would only delay them */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	g_mutex_lock(&srv->lock);
	if (srv->max_sessions > 0 && srv->n_running >= srv->max_sessions) {
		g_mutex_unlock(&srv->lock);
		/* once per busy spell, not once per refused client */
		if (!srv->busy_logged)
			log_warn("lmtp: all %u sessions busy, refusing connections",
				 srv->max_sessions);
		srv->busy_logged = TRUE;
		conn_refuse(srv, fd);
		return;
	}
	srv->busy_logged = FALSE;
	conn = conn_new(srv, fd);
	/* under the lock, so a thread that ends at once cannot be reaped before it is known */
	conn->thread = g_thread_try_new("lmtp", conn_thread, conn, &gerr);
	if (conn->thread == NULL) {
		g_mutex_unlock(&srv->lock);
		log_error("lmtp: cannot start a session thread: %s", gerr->message);
		g_error_free(gerr);
		if (conn->pinned != NULL)
			srv->backend->unpin(srv->backend->ctx, conn->pinned);
		g_free(conn);
		conn_refuse(srv, fd);
		return;
	}
	srv->n_running++;
	srv->conns = g_list_prepend(srv->conns, conn);
	g_mutex_unlock(&srv->lock);
}

/* Stop accepting (a client now gets "connection refused" and its MTA retries later) and
 * tell every session: each ends at its next point between transactions. */
static void conns_shutdown(struct lmtp_server *srv)
{
	ssize_t ret;

	log_info("stopping: no new connections; transactions in flight finish first");
	close(srv->listen_fd);
	srv->listen_fd = -1;
	ret = write(srv->stop_fds[1], "x", 1);
	(void)ret; /* an empty new pipe has room for one byte */
}

/* The wake-up pipe had bytes: drain it; reload if asked. TRUE when asked to stop. */
static gboolean server_woken(struct lmtp_server *srv)
{
	char buf[64];

	while (read(srv->wake_fds[0], buf, sizeof(buf)) > 0)
		;
	if (srv->reload_requested) {
		srv->reload_requested = 0;
		if (srv->backend->reload != NULL)
			srv->backend->reload(srv->backend->ctx);
	}
	return srv->stop_requested != 0;
}

/* accept() failed: errors caused by one client are skipped, resource shortage is logged
 * once per episode and waited out instead of spinning. */
static void accept_error(gboolean *logged)
{
	switch (errno) {
	case EINTR:
	case EAGAIN:
	case ECONNABORTED:
	case EPROTO:
		return;
	default:
		if (!*logged)
			log_error("lmtp: accept: %s", g_strerror(errno));
		*logged = TRUE;
		g_usleep(100 * 1000);
	}
}

int lmtp_server_run(struct lmtp_server *server, char **error_r)
{
	gboolean accept_logged = FALSE;
	int ret = 0;

	for (;;) {
		struct pollfd pfd[2] = {{.fd = server->listen_fd, .events = POLLIN},
					{.fd = server->wake_fds[0], .events = POLLIN}};
		int fd;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = util_error(error_r, "lmtp: poll: %s", g_strerror(errno));
			break;
		}
		if (pfd[1].revents != 0 && server_woken(server))
			break;
		if (pfd[0].revents == 0)
			continue;
		conns_reap(server, FALSE);
		fd = accept4(server->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			accept_error(&accept_logged);
			continue;
		}
		accept_logged = FALSE;
		conn_start(server, fd);
	}
	conns_shutdown(server);
	conns_reap(server, TRUE);
	return ret;
}
