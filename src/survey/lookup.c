/* lookup: running the order_lookup command (issue 14, doc/orders.md, doc/security.md).
 * The command line is split like a shell would (g_shell_parse_argv) but run WITHOUT one,
 * the order reference appended as one more argument; the child gets /dev/null as stdin, a
 * small fixed environment, its own process group, and never root: when we are root it
 * switches to the daemon user before exec. Its stdout is read up to a cap, within a
 * timeout: past either, the whole process group is killed. Called from notifyd's single
 * thread (and `postdesk tick`): fork() here is safe because nothing else runs beside. */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/survey.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* In the child, between fork and exec: only calls that are fine there, then _exit(127). */
static void lookup_child(int out_fd, char **argv, char **envp, const char *user)
{
	int null_fd = open("/dev/null", O_RDWR);

	setpgid(0, 0);
	if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0)
		_exit(127);
	if ((getuid() == 0 || geteuid() == 0) && privs_drop(user, NULL, NULL) < 0)
		_exit(126); /* never run a shop's script as root */
	if (getuid() == 0 || geteuid() == 0)
		_exit(126);
	execve(argv[0], argv, envp);
	_exit(127);
}

/* Wait for the child's exit after its output ended or it was killed: its status. */
static int lookup_reap(pid_t pid)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* Read the child's stdout until EOF, the cap or the deadline. 0 EOF, -1 with why. */
static int lookup_read(int fd, GString *out, gint64 max_output, gint64 deadline,
		       gint64 timeout_ms, char **error_r)
{
	char buf[4096];

	for (;;) {
		gint64 left = (deadline - g_get_monotonic_time()) / 1000;
		struct pollfd pfd = {fd, POLLIN, 0};
		ssize_t n;
		int r;

		if (left <= 0)
			return util_error(error_r, "timed out after %" G_GINT64_FORMAT " ms",
					  timeout_ms);
		r = poll(&pfd, 1, (int)MIN(left, 1000));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return util_error(error_r, "poll: %s", g_strerror(errno));
		if (r == 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return util_error(error_r, "read: %s", g_strerror(errno));
		if (n == 0)
			return 0;
		if ((gint64)out->len + n > max_output)
			return util_error(error_r, "output over %" G_GINT64_FORMAT " bytes",
					  max_output);
		g_string_append_len(out, buf, n);
	}
}

int survey_lookup_run(const char *command, const char *ref, const char *user,
		      gint64 timeout_ms, gint64 max_output, char **out_r, char **error_r)
{
	char **words = NULL, **argv, *envp[] = {"PATH=/usr/local/bin:/usr/bin:/bin",
						"LC_ALL=C.UTF-8", NULL};
	GString *out = g_string_new("");
	int fds[2], ret, status;
	gint64 deadline = g_get_monotonic_time() + timeout_ms * 1000;
	guint n;
	pid_t pid;

	*out_r = NULL;
	if (!g_shell_parse_argv(command, (gint *)&n, &words, NULL) || words[0][0] != '/') {
		g_strfreev(words);
		g_string_free(out, TRUE);
		return util_error(error_r, "order_lookup: not a command with an absolute path");
	}
	argv = g_new0(char *, n + 2);
	memcpy(argv, words, n * sizeof(char *));
	argv[n] = (char *)ref;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		ret = util_error(error_r, "pipe: %s", g_strerror(errno));
		goto out;
	}
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		ret = util_error(error_r, "fork: %s", g_strerror(errno));
		goto out;
	}
	if (pid == 0)
		lookup_child(fds[1], argv, envp, user);
	close(fds[1]);
	setpgid(pid, pid); /* both sides, so the kill below cannot miss it */
	ret = lookup_read(fds[0], out, max_output, deadline, timeout_ms, error_r);
	close(fds[0]);
	if (ret < 0)
		kill(-pid, SIGKILL);
	status = lookup_reap(pid);
	if (ret == 0 && WIFEXITED(status) && WEXITSTATUS(status) != 0)
		ret = util_error(error_r, "exit status %d%s", WEXITSTATUS(status),
				 WEXITSTATUS(status) == 126 ? " (refused to run as root, or not "
							     "executable)" : "");
	else if (ret == 0 && WIFSIGNALED(status))
		ret = util_error(error_r, "killed by signal %d", WTERMSIG(status));
	if (ret == 0)
		*out_r = g_strndup(out->str, out->len);
out:
	g_free(argv);
	g_strfreev(words);
	g_string_free(out, TRUE);
	return ret;
}
