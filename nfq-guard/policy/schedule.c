// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * schedule.c - a rule's window, the key
 *	schedule = { days = [ "mon", "tue" ]; from = "08:00"; to = "17:30"; };
 * in local time; days absent: every day.  A window past midnight is written
 * from > to ("22:00" to "06:00") and belongs to the day it begins on.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "policy/internal.h"

static const char *const day_names[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

int schedule_parse_hhmm(const char *s, bool end)
{
	int h, m;

	if (strlen(s) != 5 || s[2] != ':')
		return -EINVAL;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -EINVAL;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (end && h == 24 && m == 0)
		return 1440;
	if (h > 23 || m > 59)
		return -EINVAL;
	return h * 60 + m;
}

int schedule_day(const char *s)
{
	for (int i = 0; i < 7; i++)
		if (!strcasecmp(s, day_names[i]))
			return i;
	return -1;
}

const char *schedule_day_str(int day)
{
	return day >= 0 && day < 7 ? day_names[day] : "?";
}

static int add_day(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct rule *r = arg;
	int d = schedule_day(v);

	if (d < 0) {
		err_set(c, s, "schedule: day '%s': use mon, tue, wed, thu, fri, sat or sun", v);
		return -EINVAL;
	}
	if (r->sched.days & (1u << d)) {
		err_set(c, s, "schedule: day '%s' is named twice", v);
		return -EINVAL;
	}
	r->sched.days |= (uint8_t)(1u << d);
	return 0;
}

/* One end of the window, "HH:MM"; -1 when missing or wrong (said). */
static int window_end(struct ctx *c, const config_setting_t *g, const char *key)
{
	const char *v;
	int m;

	if (!setting_get_string(c, g, key, &v)) {
		if (!config_setting_get_member(g, key))
			err_set(c, g, "schedule: '%s' is missing (\"HH:MM\", local time)", key);
		return -1;
	}
	m = schedule_parse_hhmm(v, !strcmp(key, "to"));
	if (m < 0)
		err_set(c, config_setting_get_member(g, key),
			"schedule: %s '%s' is not a time of day: use \"HH:MM\", 00:00 to 23:59%s",
			key, v, !strcmp(key, "to") ? " (or 24:00)" : "");
	return m;
}

void compile_rule_schedule(struct ctx *c, struct rule *r, const config_setting_t *rs)
{
	static const char *const keys[] = { "days", "from", "to", NULL };
	const config_setting_t *g = config_setting_get_member(rs, "schedule");
	config_setting_t *days;
	int from, to;

	if (!g)
		return;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		err_set(c, g,
			"'schedule' must be a group { days = [ ... ]; from = \"HH:MM\"; "
			"to = \"HH:MM\"; }");
		return;
	}
	setting_check_keys(c, g, keys, "a schedule");
	days = config_setting_get_member(g, "days");
	if (days) {
		if (setting_each_string(c, days, "days", add_day, r) == 0)
			err_set(c, days, "schedule: 'days' is empty (leave it out for every day)");
	} else {
		r->sched.days = 0x7f;
	}
	from = window_end(c, g, "from");
	to = window_end(c, g, "to");
	if (from < 0 || to < 0)
		return;
	if (from == to)
		err_set(c, g,
			"schedule: from %02d:%02d to %02d:%02d is an empty window (a window past "
			"midnight: from later than to)",
			from / 60, from % 60, to / 60, to % 60);
	r->has_schedule = true;
	r->sched.from = (uint16_t)from;
	r->sched.to = (uint16_t)to;
}
