// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * exceptions.c - run-time exceptions in the daemon (see run.h and
 * policy/exception.h): `allow` adds one, `revoke` ends one, and once a
 * loop turn those that are over end and the rules' windows are looked at.
 * Whenever the set of exceptions or of open windows changes, every device
 * flow is decided again (run_redecide): a flow an exception or a window
 * let pass stops when it ends, and one it lets pass starts at once, also
 * where the kernel blocked the address.  Only the main thread changes
 * them; the workers read the compiled set under swap.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "print/event.h"
#include "print/format.h"
#include "service/log.h"
#include "service/run.h"

#define EXC_RETRY_MS 5000 /* ending exceptions failed (no memory, no table): try again then */

/* An exception's event, to the log and to the event file. */
static void exc_event(struct run *r, const char *kind, const struct exception_spec *s,
		      long long uid, const char *note)
{
	uint64_t ts = run_wall_us();
	char line[2048];
	FILE *m = fmemopen(line, sizeof(line), "w");

	if (m) {
		event_print_exception(m, false, kind, s, ts, uid, note);
		fputc('\0', m);
		fclose(m);
		line[sizeof(line) - 1] = '\0';
		logx(LOG_NOTICE, "%s", line);
	}
	pthread_mutex_lock(&r->events_lock);
	if (r->events) {
		event_print_exception(r->events, true, kind, s, ts, uid, note);
		fflush(r->events);
	}
	r->events_written++;
	pthread_mutex_unlock(&r->events_lock);
}

struct exception_set *exceptions_build(struct run *r, const struct policy *p)
{
	struct exception_set *set = calloc(1, sizeof(*set));
	int64_t now = (int64_t)(run_wall_us() / 1000000);
	char err[EXCEPTION_ERR_MAX];

	if (!set || (r->nexc && !(set->v = calloc(r->nexc, sizeof(*set->v))))) {
		free(set);
		return NULL;
	}
	for (size_t i = 0; i < r->nexc; i++) {
		if (r->exc[i]->until <= now)
			continue;
		int e = exception_compile(p, r->exc[i], &set->v[set->n], err, sizeof(err));

		if (e == -ENOMEM) {
			exception_set_free(set);
			return NULL;
		}
		if (!e)
			set->n++;
	}
	return set;
}

/* Take exception i out of the list (the caller frees it once no set points to it). */
static struct exception_spec *exc_take(struct run *r, size_t i)
{
	struct exception_spec *s = r->exc[i];

	memmove(&r->exc[i], &r->exc[i + 1], (r->nexc - i - 1) * sizeof(*r->exc));
	r->nexc--;
	return s;
}

void exceptions_prune(struct run *r)
{
	char err[EXCEPTION_ERR_MAX], note[EXCEPTION_ERR_MAX + 64];
	struct exception_rule x;
	bool changed = false;

	for (size_t i = 0; i < r->nexc;) {
		int e = exception_compile(r->p, r->exc[i], &x, err, sizeof(err));

		if (e != -EINVAL) {
			if (!e)
				exception_rule_free(&x);
			i++;
			continue;
		}
		/* the running set was built without it: nothing points to it */
		struct exception_spec *s = exc_take(r, i);

		snprintf(note, sizeof(note), "the policy has no room for it any more: %s", err);
		exc_event(r, "exception_revoked", s, -1, note);
		free(s);
		changed = true;
	}
	if (changed)
		state_save(r);
}

void exceptions_free(struct run *r)
{
	for (size_t i = 0; i < r->nexc; i++)
		free(r->exc[i]);
	free(r->exc);
	r->exc = NULL;
	r->nexc = 0;
	exception_set_free(r->xset);
	r->xset = NULL;
	free(r->sched_open);
	r->sched_open = NULL;
}

/*
 * Is s over at now (wall clock, s) and boot (ms since boot)?  Its time is
 * counted on both clocks, so that a wall clock set back (a router that
 * booted without the time, then synced) does not stretch it; one over by
 * the boot clock alone ends now on the wall clock too, where the engines
 * look.
 */
static bool exc_over(struct exception_spec *s, int64_t now, uint64_t boot)
{
	if (s->until > now && s->boot_until <= boot)
		__atomic_store_n(&s->until, now, __ATOMIC_RELAXED);
	return s->until <= now;
}

/*
 * End the exceptions that are over (until passed, or revoked): re-decide,
 * then say so.  False when they could not be ended yet (the engines skip
 * them already; the flows they let pass are decided again at a later try).
 */
static bool exc_end_over(struct run *r, int64_t now)
{
	struct exception_spec *gone[EXCEPTION_MAX];
	uint64_t boot = run_boot_ms();
	struct exception_set *set;
	size_t ngone = 0;

	for (size_t i = 0; i < r->nexc; i++)
		if (exc_over(r->exc[i], now, boot))
			ngone++;
	if (!ngone)
		return true;
	if (run_now_ms() < r->exc_retry)
		return false;
	set = exceptions_build(r, r->p); /* leaves out those over */
	if (!set || run_redecide(r, set, "exceptions ended")) {
		r->exc_retry = run_now_ms() + EXC_RETRY_MS;
		return false;
	}
	ngone = 0;
	for (size_t i = 0; i < r->nexc;)
		if (r->exc[i]->until <= now)
			gone[ngone++] = exc_take(r, i);
		else
			i++;
	state_save(r);
	for (size_t i = 0; i < ngone; i++) {
		struct exception_spec *s = gone[i];

		if (s->revoked)
			exc_event(r, "exception_revoked", s, s->revoked_by, NULL);
		else
			exc_event(r, "exception_expired", s, -1, NULL);
		free(s);
	}
	return true;
}

int exceptions_start(struct run *r)
{
	int64_t now = (int64_t)(run_wall_us() / 1000000);
	uint64_t boot = run_boot_ms();
	bool gone = false;

	state_load(r);
	for (size_t i = 0; i < r->nexc;) {
		struct exception_spec *s = r->exc[i];

		if (s->until > now) {
			/* the rest of its time, on the boot clock from now on */
			s->boot_until = boot + (uint64_t)(s->until - now) * 1000;
			i++;
			continue;
		}
		exc_take(r, i);
		exc_event(r, "exception_expired", s, -1, "ended while nfq-guard was not running");
		free(s);
		gone = true;
	}
	if (gone)
		state_save(r);
	r->xset = exceptions_build(r, r->p);
	if (!r->xset || schedules_note(r))
		return -ENOMEM;
	exceptions_prune(r);
	return 0;
}

uint8_t *windows_open_now(const struct policy *p)
{
	struct engine_clock c = local_clock((int64_t)(run_wall_us() / 1000000));
	uint8_t *open = calloc(p->nrules + 1, 1);

	for (size_t i = 0; open && i < p->nrules; i++)
		open[i] = p->rules[i].has_schedule && schedule_open(&p->rules[i].sched, c.week_min);
	return open;
}

void windows_store(struct run *r, uint8_t *open)
{
	free(r->sched_open);
	r->sched_open = open;
	r->sched_n = open ? r->p->nrules : 0;
}

int schedules_note(struct run *r)
{
	uint8_t *open = windows_open_now(r->p);

	windows_store(r, open);
	return open ? 0 : -ENOMEM;
}

/*
 * Windows that opened or closed since the last look: re-decide.  What is
 * open is taken before the flows are decided again, so that an edge
 * passed meanwhile is seen at the next look.
 */
static void windows_changed(struct run *r)
{
	const struct policy *p = r->p;
	char why[160] = "";
	size_t n = 0, changed = 0;
	struct exception_set *set;
	uint8_t *open;

	if (run_now_ms() < r->exc_retry)
		return;
	open = windows_open_now(p);
	if (!open)
		return;
	if (!r->sched_open || r->sched_n != p->nrules) {
		windows_store(r, open); /* nothing to compare with (out of memory before) */
		return;
	}
	for (size_t i = 0; i < p->nrules; i++) {
		if (open[i] == r->sched_open[i])
			continue;
		if (!changed++)
			n = (size_t)snprintf(why, sizeof(why), "window of rule %s %s",
					     p->rules[i].name, open[i] ? "opened" : "closed");
	}
	if (!changed) {
		free(open);
		return;
	}
	if (changed > 1 && n < sizeof(why))
		snprintf(why + n, sizeof(why) - n, " (and %zu more)", changed - 1);
	set = exceptions_build(r, r->p);
	if (!set || run_redecide(r, set, why)) {
		r->exc_retry = run_now_ms() + EXC_RETRY_MS;
		free(open);
		return;
	}
	windows_store(r, open);
}

void exceptions_tick(struct run *r)
{
	exc_end_over(r, (int64_t)(run_wall_us() / 1000000));
	windows_changed(r);
}

/* "allow" once the arguments are read: compiled against the running policy, in force. */
static int exc_add(struct run *r, struct exception_spec *s, FILE *out, bool json)
{
	char err[EXCEPTION_ERR_MAX], what[1024], t[32];
	struct exception_spec **grown;
	struct exception_rule x;
	struct exception_set *set;

	if (exception_compile(r->p, s, &x, err, sizeof(err))) {
		fprintf(out, "allow: %s\n", err);
		return 1;
	}
	exception_rule_free(&x);
	grown = realloc(r->exc, (r->nexc + 1) * sizeof(*r->exc));
	if (!grown) {
		fprintf(out, "allow: out of memory\n");
		return 1;
	}
	r->exc = grown;
	r->exc[r->nexc++] = s;
	set = exceptions_build(r, r->p);
	if (!set || run_redecide(r, set, "exception added")) {
		r->nexc--;
		fprintf(out, "allow: cannot put it in force (see the log); nothing changed\n");
		return 1;
	}
	if (s->id > r->exc_next_id)
		r->exc_next_id = s->id;
	state_save(r);
	exc_event(r, "exception_added", s, s->uid, NULL);
	if (json) {
		fputc('{', out);
		exception_json_fields(out, s, 1);
		fputs("}\n", out);
	} else {
		exception_what(s, what, sizeof(what));
		fmt_local_minute(s->until, t, sizeof(t));
		fprintf(out, "exception %u: %s may reach %s until %s (local time)\n", s->id,
			s->device, what, t);
	}
	return 0;
}

/* The id a new exception gets: the next, or past EXCEPTION_ID_MAX the lowest free. */
static uint32_t exc_new_id(const struct run *r)
{
	uint32_t id = r->exc_next_id < EXCEPTION_ID_MAX ? r->exc_next_id + 1 : 1;
	bool used = true;

	while (used) {
		used = false;
		for (size_t i = 0; i < r->nexc && !used; i++)
			used = r->exc[i]->id == id;
		id += used; /* at most EXCEPTION_MAX are in use */
	}
	return id;
}

int exceptions_allow(struct run *r, int argc, char *const *argv, uid_t uid, FILE *out, bool json)
{
	struct exception_spec *s = malloc(sizeof(*s));
	char err[EXCEPTION_ERR_MAX];
	int status;

	if (!s) {
		fprintf(out, "allow: out of memory\n");
		return 1;
	}
	if (exception_parse_args(argc, argv, s, err, sizeof(err))) {
		fprintf(out, "allow: %s\n", err);
		free(s);
		return 1;
	}
	if (r->nexc >= EXCEPTION_MAX) {
		fprintf(out, "allow: %d exceptions already: revoke one first\n", EXCEPTION_MAX);
		free(s);
		return 1;
	}
	s->id = exc_new_id(r); /* taken only if it is put in force */
	s->created = (int64_t)(run_wall_us() / 1000000);
	s->until = s->created + s->seconds;
	s->boot_until = run_boot_ms() + (uint64_t)s->seconds * 1000;
	s->uid = (uint32_t)uid;
	status = exc_add(r, s, out, json);
	if (status)
		free(s);
	return status;
}

int exceptions_list(struct run *r, FILE *out, bool json)
{
	char what[1024], t[32];
	int64_t now = (int64_t)(run_wall_us() / 1000000);

	if (!json && !r->nexc)
		fprintf(out, "no exceptions\n");
	else if (!json)
		fprintf(out, "%-5s %-18s %-19s %8s  %s\n", "ID", "DEVICE", "UNTIL (local)", "FLOWS",
			"ALLOWS, REASON");
	for (size_t i = 0; i < r->nexc; i++) {
		const struct exception_spec *s = r->exc[i];

		if (json) {
			fputc('{', out);
			exception_json_fields(out, s, 1);
			fputs("}\n", out);
			continue;
		}
		exception_what(s, what, sizeof(what));
		fmt_local_minute(s->until, t, sizeof(t));
		fprintf(out, "%-5u %-18s %-19s %8llu  %s%s%s%s\n", s->id, s->device, t,
			(unsigned long long)__atomic_load_n(&s->flows, __ATOMIC_RELAXED), what,
			s->reason[0] ? " (" : "", s->reason, s->reason[0] ? ")" : "");
		if (s->until <= now)
			fprintf(out, "      (over: ending)\n");
	}
	return 0;
}

int exceptions_revoke(struct run *r, int argc, char *const *argv, uid_t uid, FILE *out, bool json)
{
	unsigned long id = 0;
	size_t len;

	(void)json;
	if (argc != 1) {
		fprintf(out, "revoke: name one exception: revoke ID (see nfq-guard exceptions)\n");
		return 1;
	}
	len = strspn(argv[0], "0123456789");
	if (len && len < 10 && !argv[0][len])
		id = strtoul(argv[0], NULL, 10);
	for (size_t i = 0; id && i < r->nexc; i++) {
		struct exception_spec *s = r->exc[i];

		if (s->id != id)
			continue;
		if (!s->revoked) {
			s->revoked = true;
			s->revoked_by = (uint32_t)uid;
		}
		/* the engines skip it from now, and a restart does not bring it back */
		__atomic_store_n(&s->until, (int64_t)(run_wall_us() / 1000000), __ATOMIC_RELAXED);
		state_save(r);
		r->exc_retry = 0;
		if (!exc_end_over(r, s->until)) {
			fprintf(out,
				"revoke: exception %lu lets no new flow pass, but the flows it let "
				"pass could not be decided again yet (see the log; tried again "
				"every %d s)\n",
				id, EXC_RETRY_MS / 1000);
			return 1;
		}
		fprintf(out, "exception %lu revoked\n", id);
		return 0;
	}
	fprintf(out, "revoke: no exception '%s' (see nfq-guard exceptions)\n", argv[0]);
	return 1;
}
