// SPDX-License-Identifier: GPL-2.0-or-later
/* file.c - a file the daemon writes whole, or not at all (see run.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "service/run.h"

int file_replace(const char *path, mode_t mode, bool sync, int (*fill)(FILE *f, void *arg),
		 void *arg)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	/* a new file, never one planted there (a link to another, say) */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	/* whatever the daemon's umask: a reader may be another user */
	if (fchmod(fd, mode) || !(f = fdopen(fd, "w"))) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	err = fill(f, arg);
	if (!err && (fflush(f) || ferror(f) || (sync && fsync(fileno(f)))))
		err = errno ? -errno : -EIO;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}
