/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state.h - the state file's reader, apart from the daemon so that it can
 * be tested and fuzzed: the text of a state file into the exceptions it
 * keeps, each checked as `allow` checks its arguments.
 */
#ifndef NFQG_STATE_H
#define NFQG_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "policy/exception.h"
#include "service/found.h"

#define STATE_MAX_BYTES (4 << 20)

struct state_exceptions {
	struct exception_spec **v; /* each its own allocation */
	size_t n;
	uint32_t next_id;
	struct found_list devices; /* the devices found by their behaviour (identify) */
	size_t devices_skipped;	   /* entries that did not read: left out */
};

/*
 * state_parse - the len bytes at text (a NUL ends nothing: it is an error)
 * into *out, freed with state_exceptions_free, at time now (s since the
 * epoch; 0 checks no time): an exception made later than now is refused.
 * 0, or -1 with why in err (and nothing in *out).
 */
int state_parse(const char *text, size_t len, int64_t now, struct state_exceptions *out, char *err,
		size_t sz);
void state_exceptions_free(struct state_exceptions *x);

#endif
