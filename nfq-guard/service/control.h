/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * control.h - the daemon's control socket: a unix stream socket (mode 0660)
 * taking one request line ("stats --json") and answering with one status
 * line ("0" done, "1" refused or failed) and a body, then closing.  The
 * `status`, `stats`, `devices`, `flush`, `reload` and `reopen` commands
 * are its clients.
 */
#ifndef NFQG_CONTROL_H
#define NFQG_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define CONTROL_DEFAULT_PATH "/run/nfq-guard/control"
#define CONTROL_REQ_MAX 128

/*
 * control_listen - listen at path (creating its directory), owned by
 * uid:gid, mode 0660.  A stale socket is replaced; one a daemon answers on
 * is not.  The fd (non-blocking, close-on-exec) or -1 (logged).
 */
int control_listen(const char *path, uid_t uid, gid_t gid);

/*
 * control_accept - take one client and read its request line (bounded in
 * size and in time) into req.  The client's fd, or -1 when none was
 * waiting or it sent no request.
 */
int control_accept(int lfd, char *req, size_t size);

/*
 * control_read_request - the request line from client cfd into req,
 * without its newline: at most size - 1 bytes, within a second in all.  0,
 * or -1 for none (no newline in time or in room, a NUL inside the line, the
 * client gone).  cfd stays open.
 */
int control_read_request(int cfd, char *req, size_t size);

/* control_reply - status and body to the client, then close it. */
void control_reply(int cfd, int status, const char *body, size_t len);

/*
 * control_request - send req to the daemon at path and copy the answer's
 * body to out (status 0) or err (otherwise).  Returns the status, or -1
 * when the daemon could not be reached (said on err).
 */
int control_request(const char *path, const char *req, int timeout_s, FILE *out, FILE *err);

#endif
