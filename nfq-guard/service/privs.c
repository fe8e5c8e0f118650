/* SPDX-License-Identifier: GPL-2.0-or-later */
/* privs.c - dropping privileges (see privs.h). */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "service/log.h"
#include "service/privs.h"

int privs_resolve(const char *user, struct privs *pv)
{
	const struct passwd *pw;

	memset(pv, 0, sizeof(*pv));
	pv->as_root = geteuid() == 0;
	if (!pv->as_root) {
		if (user)
			log_warnx("--user %s: not started as root, staying who we are", user);
		pv->uid = geteuid();
		pv->gid = getegid();
		pw = getpwuid(pv->uid);
		if (pw)
			snprintf(pv->user, sizeof(pv->user), "%s", pw->pw_name);
		else /* a DynamicUser without nss-systemd: the number is what there is */
			snprintf(pv->user, sizeof(pv->user), "uid %u", (unsigned int)pv->uid);
		return 0;
	}
	pw = getpwnam(user ? user : PRIVS_DEFAULT_USER);
	if (!pw && !user) {
		log_warnx("WARNING: no user \"%s\": running as nobody; create a system user %s for "
			  "nfq-guard alone (useradd --system --no-create-home %s)",
			  PRIVS_DEFAULT_USER, PRIVS_DEFAULT_USER, PRIVS_DEFAULT_USER);
		pw = getpwnam("nobody");
	}
	if (!pw) {
		fatalx("run: no user \"%s\"", user ? user : "nobody");
		return -1;
	}
	if (pw->pw_uid == 0) {
		fatalx("run: user \"%s\" is root: name an unprivileged user", pw->pw_name);
		return -1;
	}
	pv->uid = pw->pw_uid;
	pv->gid = pw->pw_gid;
	snprintf(pv->user, sizeof(pv->user), "%s", pw->pw_name);
	return 0;
}

/* Effective and permitted: CAP_NET_ADMIN alone; inheritable: none. */
static int keep_net_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	data[CAP_TO_INDEX(CAP_NET_ADMIN)].effective = CAP_TO_MASK(CAP_NET_ADMIN);
	data[CAP_TO_INDEX(CAP_NET_ADMIN)].permitted = CAP_TO_MASK(CAP_NET_ADMIN);
	return (int)syscall(SYS_capset, &hdr, data);
}

int privs_drop(const struct privs *pv)
{
	int cap;

	if (pv->as_root) {
		/* the bounding set first: dropping it needs CAP_SETPCAP */
		for (cap = 0; cap <= CAP_LAST_CAP; cap++)
			if (cap != CAP_NET_ADMIN && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) &&
			    errno != EINVAL) {
				fatal("run: cannot drop capability %d", cap);
				return -1;
			}
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(1, &pv->gid) ||
		    setresgid(pv->gid, pv->gid, pv->gid) || setresuid(pv->uid, pv->uid, pv->uid)) {
			fatal("run: cannot become user %s", pv->user);
			return -1;
		}
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (keep_net_admin()) {
		fatal("run: cannot keep CAP_NET_ADMIN alone");
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		fatal("run: no_new_privs");
		return -1;
	}
	if (pv->as_root && (getuid() == 0 || geteuid() == 0)) {
		fatalx("run: still root after the switch to %s", pv->user);
		return -1;
	}
	return 0;
}
