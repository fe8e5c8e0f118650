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
#define CONTROL_REQ_MAX 8192 /* a request line, its newline and NUL included */
#define CONTROL_MAX_ARGS 128 /* words in it */

/*
 * A request is words separated by blanks; a word's '%', blanks and bytes
 * outside printable ASCII travel as %XX, and so do the dashes of a word
 * that reads "--json" or "--prometheus": those, sent plain and last, are
 * the flags.  control_escape - word w into out
 * (size sz) so; -1 when it does not fit.  control_unescape - back, in
 * place; -1 for a bad escape or a NUL.
 */
int control_escape(const char *w, char *out, size_t sz);
int control_unescape(char *w);

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

/*
 * control_request_words - the command cmd with words argv[0..argc-1]
 * (escaped) and "--json" when json, as control_request sends it.
 */
int control_request_words(const char *path, const char *cmd, int argc, char *const *argv, bool json,
			  int timeout_s, FILE *out, FILE *err);

#endif
