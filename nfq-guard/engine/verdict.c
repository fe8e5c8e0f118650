// SPDX-License-Identifier: GPL-2.0-or-later
/* verdict.c - a decision (or an unreadable packet) to a kernel verdict (see verdict.h). */
#include "engine/verdict.h"

#include "engine/engine.h"

enum verdict verdict_of(const struct decision *d, bool monitor)
{
	if (monitor)
		return d->watch ? VERDICT_NONE : VERDICT_ALLOW;
	switch (d->action) {
	case ACTION_ALLOW:
	case ACTION_LOG:
		return d->watch ? VERDICT_NONE : VERDICT_ALLOW;
	case ACTION_DROP:
		return d->by_address ? VERDICT_BLOCK : VERDICT_DROP;
	case ACTION_REJECT:
		return VERDICT_REJECT;
	}
	return VERDICT_DROP;
}

enum verdict verdict_unreadable(enum action dflt, bool monitor)
{
	struct decision d = { .action = dflt, .by_address = false };
	enum verdict v = verdict_of(&d, monitor);

	return v == VERDICT_ALLOW ? VERDICT_NONE : v;
}
