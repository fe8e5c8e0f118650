/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * privs.h - after setup the daemon keeps only what it needs to answer its
 * queues and replace its table: CAP_NET_ADMIN.  Started as root it becomes
 * an unprivileged user first; started as another user (systemd's User= with
 * AmbientCapabilities=CAP_NET_ADMIN) it only sheds the other capabilities.
 * Either way no_new_privs is set.  Call before creating any thread: the
 * capability sets are per thread and new threads inherit them.
 */
#ifndef NFQG_PRIVS_H
#define NFQG_PRIVS_H

#include <stdbool.h>
#include <sys/types.h>

#define PRIVS_DEFAULT_USER "nfq-guard"

struct privs {
	bool as_root; /* started as root: a user switch follows */
	uid_t uid;    /* the user after the drop */
	gid_t gid;    /* its group */
	char user[64];
};

/*
 * privs_resolve - look up user (NULL: PRIVS_DEFAULT_USER, or nobody with a
 * warning when it does not exist).  0, or -1 after logging why.
 */
int privs_resolve(const char *user, struct privs *pv);

/* privs_drop - become pv's user with CAP_NET_ADMIN alone.  0 or -1 (logged). */
int privs_drop(const struct privs *pv);

#endif
