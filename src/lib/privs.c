/* privs: how the daemons give up root. A daemon sets umask 077 first thing, binds its
 * sockets (as root: the Postfix socket directories belong to root or postfix), then calls
 * privs_drop(), which switches to the configured unprivileged user for good or refuses to
 * go on as root. postdesk init uses privs_chown_to_user() so that the user it will run as
 * owns the database directory. Call privs_drop() from the main thread; glibc applies the
 * id changes to every thread already running (the LMTP committer is). No state. */
#include "config.h"
#include "postdesk/lib.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

void privs_umask(void)
{
	umask(077);
}

/* Look USER up; refuse root itself (uid 0 or gid 0 would give nothing away). */
static int privs_lookup(const char *user, uid_t *uid_r, gid_t *gid_r, char **error_r)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL)
		return util_error(error_r, "user %s: %s", user,
				  errno != 0 ? g_strerror(errno) : "no such user");
	if (pw->pw_uid == 0 || pw->pw_gid == 0)
		return util_error(error_r, "user %s has uid or gid 0: not an unprivileged user",
				  user);
	*uid_r = pw->pw_uid;
	*gid_r = pw->pw_gid;
	return 0;
}

/* After the switch nothing may bring root back: setuid(0) must fail and every id
 * (real, effective, saved) must be the user's. */
static int privs_verify(uid_t uid, gid_t gid, char **error_r)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0)
		return util_error(error_r, "getresuid: %s", g_strerror(errno));
	if (ruid != uid || euid != uid || suid != uid || rgid != gid || egid != gid ||
	    sgid != gid)
		return util_error(error_r, "privilege drop incomplete (uid %u/%u/%u gid %u/%u/%u)",
				  (unsigned)ruid, (unsigned)euid, (unsigned)suid, (unsigned)rgid,
				  (unsigned)egid, (unsigned)sgid);
	if (setuid(0) == 0 || seteuid(0) == 0)
		return util_error(error_r, "privilege drop failed: root could be regained");
	return 0;
}

int privs_check(const char *user, const char *conf_path, char **error_r)
{
	uid_t uid;
	gid_t gid;

	if (getuid() != 0 && geteuid() != 0)
		return 0; /* already unprivileged: started by the user itself (or a test) */
	if (user == NULL || *user == '\0')
		return util_error(error_r,
				  "refusing to run as root: set user = <an unprivileged user> in %s "
				  "(the owner of the database directory)",
				  conf_path != NULL ? conf_path : "the configuration file");
	return privs_lookup(user, &uid, &gid, error_r);
}

int privs_drop(const char *user, const char *conf_path, char **error_r)
{
	uid_t uid;
	gid_t gid;

	if (privs_check(user, conf_path, error_r) < 0)
		return -1;
	if (getuid() != 0 && geteuid() != 0)
		return 0;
	if (privs_lookup(user, &uid, &gid, error_r) < 0)
		return -1;
	/* Groups first: once the uid is gone, setgroups/setgid are no longer allowed. */
	if (initgroups(user, gid) < 0)
		return util_error(error_r, "initgroups(%s): %s", user, g_strerror(errno));
	if (setresgid(gid, gid, gid) < 0)
		return util_error(error_r, "setgid(%u): %s", (unsigned)gid, g_strerror(errno));
	if (setresuid(uid, uid, uid) < 0)
		return util_error(error_r, "setuid(%u): %s", (unsigned)uid, g_strerror(errno));
	if (privs_verify(uid, gid, error_r) < 0)
		return -1;
	log_info("running as user %s (uid %u, gid %u)", user, (unsigned)uid, (unsigned)gid);
	return 0;
}

int privs_chown_to_user(const char *path, const char *user, char **error_r)
{
	uid_t uid;
	gid_t gid;
	struct stat st;

	if (user == NULL || *user == '\0' || geteuid() != 0)
		return 0;
	if (privs_lookup(user, &uid, &gid, error_r) < 0)
		return -1;
	/* Never through a symlink: it could hand someone else's file to the user. */
	if (lstat(path, &st) < 0)
		return util_error(error_r, "%s: %s", path, g_strerror(errno));
	if (S_ISLNK(st.st_mode))
		return util_error(error_r, "%s is a symbolic link: refused", path);
	if (st.st_uid == uid && st.st_gid == gid)
		return 0;
	if (lchown(path, uid, gid) < 0)
		return util_error(error_r, "chown %s to %s: %s", path, user, g_strerror(errno));
	return 0;
}
