/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control.c - the control socket (see control.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "service/control.h"
#include "service/log.h"

static int unix_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -1;
	memcpy(sa->sun_path, path, strlen(path));
	return 0;
}

/* Does a daemon answer at path? */
static bool answering(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool yes;

	if (fd < 0)
		return false;
	yes = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return yes;
}

/* A directory made here is the daemon's: it may remove the socket when it stops. */
static void make_parent(const char *path, uid_t uid, gid_t gid)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) == 0 && chown(dir, uid, gid))
			log_warn("%s: chown", dir);
	}
}

int control_listen(const char *path, uid_t uid, gid_t gid)
{
	struct sockaddr_un sa;
	struct stat st;
	mode_t old;
	int fd;

	if (unix_addr(path, &sa)) {
		fatalx("run: control socket path %s is too long", path);
		return -1;
	}
	if (answering(&sa)) {
		fatalx("run: another nfq-guard answers on %s", path);
		return -1;
	}
	make_parent(path, uid, gid);
	/* stale: nobody answers on it; but only ever remove a socket */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			fatalx("run: %s exists and is not a socket", path);
			return -1;
		}
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	/* created 0660 by the umask: no chmod (it would follow a planted symlink) */
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		umask(old);
		goto fail;
	}
	umask(old);
	if (lchown(path, uid, gid) || listen(fd, 8))
		goto fail;
	return fd;
fail:
	fatal("run: control socket %s", path);
	if (fd >= 0)
		close(fd);
	return -1;
}

int control_read_request(int cfd, char *req, size_t size)
{
	struct timespec t0, t;
	size_t n = 0;
	char *nl = NULL;
	int ms;

	/* one line within a second in all: a slow client must not hold the daemon */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (n < size - 1 && !nl) {
		struct pollfd pfd = { .fd = cfd, .events = POLLIN };
		ssize_t k;

		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = 1000 -
		     (int)((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (ms <= 0 || poll(&pfd, 1, ms) <= 0)
			break;
		k = recv(cfd, req + n, size - 1 - n, MSG_DONTWAIT);
		if (k <= 0)
			break;
		n += (size_t)k;
		nl = memchr(req, '\n', n);
	}
	req[n] = '\0';
	/* a NUL inside the line is no request either */
	if (!nl || memchr(req, '\0', (size_t)(nl - req)))
		return -1;
	*nl = '\0';
	return 0;
}

int control_accept(int lfd, char *req, size_t size)
{
	struct timeval tv = { .tv_sec = 2 };
	int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (cfd < 0)
		return -1;
	setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (control_read_request(cfd, req, size)) {
		close(cfd);
		return -1;
	}
	return cfd;
}

static void write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t k = write(fd, p, len);

		if (k <= 0)
			return; /* the client went away or stalled: its loss */
		p += k;
		len -= (size_t)k;
	}
}

void control_reply(int cfd, int status, const char *body, size_t len)
{
	char head[4] = { (char)('0' + (status ? 1 : 0)), '\n' };

	write_all(cfd, head, 2);
	write_all(cfd, body, len);
	close(cfd);
}

int control_request(const char *path, const char *req, int timeout_s, FILE *out, FILE *err)
{
	struct timeval tv = { .tv_sec = timeout_s };
	struct sockaddr_un sa;
	char buf[65536], line[CONTROL_REQ_MAX + 2];
	int fd, status = -1;
	bool head = true;
	ssize_t k;

	if (unix_addr(path, &sa)) {
		fprintf(err, "nfq-guard: control socket path %s is too long\n", path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		/* before connect: a daemon with a full backlog must not hang us */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(err,
			"nfq-guard: cannot reach the daemon at %s: %s (is nfq-guard running? "
			"another socket: -s PATH)\n",
			path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	snprintf(line, sizeof(line), "%s\n", req);
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		fprintf(err, "nfq-guard: %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	while ((k = read(fd, buf, sizeof(buf))) > 0) {
		char *p = buf;

		if (head) {
			if (k < 2 || buf[1] != '\n' || (buf[0] != '0' && buf[0] != '1'))
				break;
			status = buf[0] - '0';
			p += 2;
			k -= 2;
			head = false;
		}
		fwrite(p, 1, (size_t)k, status ? err : out);
	}
	if (head) {
		fprintf(err, "nfq-guard: no answer from the daemon at %s%s%s\n", path,
			k < 0 ? ": " : "", k < 0 ? strerror(errno) : "");
		status = -1;
	}
	close(fd);
	return status;
}

int control_escape(const char *w, char *out, size_t sz)
{
	static const char hex[] = "0123456789ABCDEF";
	/* a word that reads as a flag is sent escaped: only the flag itself is not */
	bool flag = !strcmp(w, "--json") || !strcmp(w, "--prometheus");
	size_t n = 0;

	for (const unsigned char *c = (const unsigned char *)w; *c; c++) {
		bool plain = *c > ' ' && *c < 0x7f && *c != '%' && !(flag && *c == '-');

		if (n + (plain ? 1 : 3) >= sz)
			return -1;
		if (plain) {
			out[n++] = (char)*c;
		} else {
			out[n++] = '%';
			out[n++] = hex[*c >> 4];
			out[n++] = hex[*c & 15];
		}
	}
	if (n >= sz)
		return -1;
	out[n] = '\0';
	return 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 :
				      -1;
}

int control_unescape(char *w)
{
	char *out = w;

	for (char *c = w; *c; c++) {
		int hi, lo;

		if (*c != '%') {
			*out++ = *c;
			continue;
		}
		hi = hexval(c[1]);
		lo = hi < 0 ? -1 : hexval(c[2]);
		if (lo < 0 || (hi == 0 && lo == 0))
			return -1;
		*out++ = (char)(hi << 4 | lo);
		c += 2;
	}
	*out = '\0';
	return 0;
}

int control_request_words(const char *path, const char *cmd, int argc, char *const *argv, bool json,
			  int timeout_s, FILE *out, FILE *err)
{
	char req[CONTROL_REQ_MAX];
	size_t n = (size_t)snprintf(req, sizeof(req), "%s", cmd);

	for (int i = 0; i < argc && n < sizeof(req) - 1; i++) {
		req[n++] = ' ';
		if (control_escape(argv[i], req + n, sizeof(req) - n)) {
			n = sizeof(req);
			break;
		}
		n += strlen(req + n);
	}
	if (json && n + 8 < sizeof(req))
		n += (size_t)snprintf(req + n, sizeof(req) - n, " --json");
	else if (json)
		n = sizeof(req);
	if (n >= sizeof(req) - 1) {
		fprintf(err, "nfq-guard: %s: the request is too long (at most %d bytes)\n", cmd,
			CONTROL_REQ_MAX - 2);
		return -1;
	}
	return control_request(path, req, timeout_s, out, err);
}
