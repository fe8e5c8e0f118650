/* SPDX-License-Identifier: GPL-2.0-or-later */
/* replay.h - `nfq-guard replay`: a capture through the daemon's decoders and engine. */
#ifndef NFQG_REPLAY_H
#define NFQG_REPLAY_H

#include <stdbool.h>
#include <stdio.h>

#include "policy/policy.h"

/*
 * replay_file - decide every device flow of the capture at path under
 * policy p; print one line per decision, then a summary per rule and per
 * device.  Returns 0, or 1 when the capture cannot be read (after the
 * lines read until then).
 */
int replay_file(const struct policy *p, const char *path, bool json, FILE *out, FILE *err);

#endif
