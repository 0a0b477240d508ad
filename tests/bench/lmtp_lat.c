/* lmtp_lat: a measuring LMTP client for tests/bench/run.sh (built by that script, not by
 * make). SESSIONS threads each open one LMTP session on a unix socket and send MESSAGES
 * messages of SIZE body bytes, each with its own Message-ID; for every transaction the
 * time from sending the final "." to reading the 250 is recorded. Prints one line:
 * "msgs=N secs=S rate=R p50_ms=A p99_ms=B max_ms=C". SENDERS (optional) chooses who writes:
 * absent, one sender per session (benchK@shop.example); 1, one sender for everything
 * (bench@shop.example: a shop's contact form, the worst case for per-sender history);
 * N > 1, message j of the whole run comes from custJ%N@shop.example (many real customers).
 * Commands are pipelined as Postfix's LMTP client does. Each thread owns its socket and its
 * slice of the latency array; main joins them before reading it. Plain POSIX: smtp-source
 * has no latency figures, and this program must not depend on the code it measures. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct worker {
	int id, count, failures;
	double *lat_ms;
};

static const char *sock_path, *rcpt;
static int msg_size, senders = -1, per_session;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Read reply lines until the last line of a reply ("250 ..." not "250-..."); returns
 * its code, or -1. One byte at a time is fine: replies are short. */
static int read_reply(int fd)
{
	char line[1024];
	size_t n = 0;
	char c;

	for (;;) {
		if (read(fd, &c, 1) != 1)
			return -1;
		if (n < sizeof(line) - 1)
			line[n++] = c;
		if (c != '\n')
			continue;
		line[n] = '\0';
		if (n >= 4 && line[3] == ' ')
			return atoi(line);
		n = 0;
	}
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

static int cmd(int fd, const char *line, int want)
{
	return send_all(fd, line, strlen(line)) == 0 && read_reply(fd) == want ? 0 : -1;
}

static int msg_mime(void) { return msg_size > 8192; }

/* One message: headers with a unique Message-ID, a body of msg_size bytes in 76-byte
 * lines (make_body); the final dot is sent on its own so the clock starts when it leaves. */
static int one_message(int fd, struct worker *w, int i, const char *body)
{
	char head[512], from[64];
	double t0;

	if (senders < 0)
		snprintf(from, sizeof(from), "bench%d@shop.example", w->id);
	else if (senders <= 1)
		snprintf(from, sizeof(from), "bench@shop.example");
	else
		snprintf(from, sizeof(from), "cust%d@shop.example",
			 (w->id * per_session + i) % senders);
	/* MAIL, RCPT and DATA in one write (PIPELINING, which every LMTP server offers: RFC
	 * 2033), as smtp-source and Postfix's lmtp client do; then their three replies. */
	snprintf(head, sizeof(head), "MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\n", from, rcpt);
	if (send_all(fd, head, strlen(head)) < 0 || read_reply(fd) != 250 ||
	    read_reply(fd) != 250 || read_reply(fd) != 354)
		return -1;
	snprintf(head, sizeof(head),
		 "From: Bench %d <%s>\r\nTo: <%s>\r\n"
		 "Subject: bench message %d/%d\r\nMessage-ID: <lat-%d-%d-%ld@shop.example>\r\n"
		 "Date: Tue, 24 Nov 2026 06:00:00 +0000\r\n%s\r\n",
		 w->id, from, rcpt, w->id, i, w->id, i, (long)getpid(),
		 msg_mime() ? "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
			      "boundary=\"bench-b1\"\r\n" : "");
	if (send_all(fd, head, strlen(head)) < 0 || send_all(fd, body, strlen(body)) < 0)
		return -1;
	t0 = now_ms();
	if (send_all(fd, ".\r\n", 3) < 0 || read_reply(fd) != 250)
		return -1;
	w->lat_ms[i] = now_ms() - t0;
	return 0;
}

/* Bodies like real mail, so that what compresses or parses in the servers does so as it
 * would on a real desk: prose made of common words in random order (zlib shrinks it about
 * as much as real text, not 100:1 like one line repeated), and past 8 KB a multipart
 * message whose bulk is a base64 attachment of random bytes (a photo or a PDF: nothing to
 * gain by compressing it). Lines end in CRLF and never start with a dot. */
static const char *const bench_words[] = {
    "the", "order", "parcel", "was", "delivered", "to", "my", "address", "but", "it", "is",
    "missing", "please", "check", "tracking", "number", "refund", "return", "label", "size",
    "colour", "I", "would", "like", "exchange", "for", "a", "larger", "one", "thank", "you",
    "invoice", "payment", "card", "charged", "twice", "yesterday", "week", "still", "not",
    "arrived", "customer", "service", "when", "can", "expect", "answer", "shipping", "cost",
    "voucher", "code", "discount", "did", "work", "checkout", "account", "password", "reset",
    "email", "phone", "broken", "damaged", "box", "item", "product", "quality", "warranty",
    "repair", "replacement", "cancel", "change", "delivery", "date", "weekend", "Monday",
    "Friday", "store", "website", "app", "and", "or", "with", "of", "in", "on", "this", "that",
    "we", "they", "our", "your", "have", "has", "had", "been", "will", "could", "should"};

static unsigned bench_rand(unsigned *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 17;
	*st ^= *st << 5;
	return *st;
}

static void text_fill(char **p, size_t n, unsigned *st)
{
	size_t col = 0, nw = sizeof(bench_words) / sizeof(bench_words[0]);

	while (n > 2) {
		const char *w = bench_words[bench_rand(st) % nw];
		size_t len = strlen(w);

		if (col > 0 && col + 1 + len > 72) {
			memcpy(*p, "\r\n", 2), *p += 2, n -= 2, col = 0;
			continue;
		}
		if (len + 1 >= n)
			break;
		if (col > 0)
			*(*p)++ = ' ', n--, col++;
		memcpy(*p, w, len), *p += len, n -= len, col += len;
	}
	memcpy(*p, "\r\n", 2), *p += 2;
}

static char *make_body(int seed)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *b = malloc((size_t)msg_size + 1024), *p = b;
	unsigned st = 2463534242u + (unsigned)seed;

	if (!msg_mime()) {
		text_fill(&p, (size_t)msg_size, &st);
	} else {
		size_t left;
		p += sprintf(p, "--bench-b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
		text_fill(&p, 1500, &st);
		p += sprintf(p, "\r\n--bench-b1\r\nContent-Type: image/jpeg; name=\"photo.jpg\"\r\n"
				"Content-Disposition: attachment; filename=\"photo.jpg\"\r\n"
				"Content-Transfer-Encoding: base64\r\n\r\n");
		left = (size_t)msg_size - (size_t)(p - b);
		for (size_t l = 0; l + 78 <= left; l += 78) {
			for (int k = 0; k < 76; k++)
				*p++ = b64[bench_rand(&st) % 64];
			*p++ = '\r', *p++ = '\n';
		}
		p += sprintf(p, "--bench-b1--\r\n");
	}
	*p = '\0';
	return b;
}

static void *run_session(void *arg)
{
	struct worker *w = arg;
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char *body = make_body(w->id);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    read_reply(fd) != 220 || cmd(fd, "LHLO bench.example\r\n", 250) < 0) {
		w->failures = w->count;
		goto out;
	}
	for (int i = 0; i < w->count; i++)
		if (one_message(fd, w, i, body) < 0) {
			w->failures = w->count - i;
			break;
		}
	cmd(fd, "QUIT\r\n", 221);
out:
	if (fd >= 0)
		close(fd);
	free(body);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int sessions, per;
	struct worker *w;
	pthread_t *th;
	double *all, t0, secs;
	int n = 0, failures = 0;

	if (argc != 6 && argc != 7) {
		fprintf(stderr,
			"usage: lmtp_lat SOCKET RCPT SESSIONS MESSAGES_PER_SESSION SIZE [SENDERS]\n");
		return 64;
	}
	if (argc == 7)
		senders = atoi(argv[6]);
	sock_path = argv[1];
	rcpt = argv[2];
	sessions = atoi(argv[3]);
	per = atoi(argv[4]);
	msg_size = atoi(argv[5]);
	per_session = per;
	w = calloc((size_t)sessions, sizeof(*w));
	th = calloc((size_t)sessions, sizeof(*th));
	all = calloc((size_t)sessions * (size_t)per, sizeof(double));
	t0 = now_ms();
	for (int i = 0; i < sessions; i++) {
		w[i] = (struct worker){.id = i, .count = per, .lat_ms = all + (size_t)i * per};
		pthread_create(&th[i], NULL, run_session, &w[i]);
	}
	for (int i = 0; i < sessions; i++) {
		pthread_join(th[i], NULL);
		failures += w[i].failures;
		for (int j = 0; j < per - w[i].failures; j++)
			all[n++] = w[i].lat_ms[j];
	}
	secs = (now_ms() - t0) / 1e3;
	if (n == 0) {
		fprintf(stderr, "lmtp_lat: no message delivered\n");
		return 1;
	}
	qsort(all, (size_t)n, sizeof(double), cmp_double);
	printf("msgs=%d failures=%d secs=%.3f rate=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n", n,
	       failures, secs, n / secs, all[n / 2], all[(size_t)(n * 0.99) < (size_t)n ? (size_t)(n * 0.99) : (size_t)n - 1],
	       all[n - 1]);
	return failures != 0;
}
