/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * learn.c - `nfq-guard learn FILE...`: the files read (event logs through
 * zlib, plain or gzip'd alike; captures through replay's decoders and
 * engine), what they held gathered per device (learnset.c), and printed:
 * text, JSON lines, or the policy with suggested rules (suggest.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "cli/learn.h"
#include "cli/learnlog.h"
#include "cli/learnset.h"
#include "cli/replay.h"
#include "cli/suggest.h"
#include "print/format.h"
#include "print/json.h"

/* What the whole run read, and where it stands. */
struct reading {
	const struct policy *p;
	struct learn *l;
	struct learn_parser *lp;
	FILE *err;
	uint64_t decisions, other, malformed, too_long, reported;
	bool failed; /* a file could not be read: exit 1 */
	bool nomem;
};

/* A file's lines through zlib, each at most LEARN_LINE_MAX bytes. */
struct lines {
	gzFile gz;
	char *buf; /* 2 * LEARN_LINE_MAX */
	size_t pos, len;
	bool eof;
	unsigned long no; /* the line's number */
};

enum line_status { LINE_END = 0, LINE_OK, LINE_TOO_LONG, LINE_ERROR };

/* More bytes into the buffer, after moving what is left to its start. */
static int lines_fill(struct lines *r)
{
	int n, zerr;

	memmove(r->buf, r->buf + r->pos, r->len - r->pos);
	r->len -= r->pos;
	r->pos = 0;
	n = gzread(r->gz, r->buf + r->len, (unsigned)(2 * LEARN_LINE_MAX - r->len));
	/* a gzip stream cut short ends like a file, with an error behind it */
	if (n < 0 || (n == 0 && gzerror(r->gz, &zerr) && zerr != Z_OK && zerr != Z_STREAM_END))
		return -1;
	r->eof = n == 0;
	r->len += (size_t)n;
	return 0;
}

/* The next line (without its newline) in *line and *n. */
static enum line_status lines_next(struct lines *r, const char **line, size_t *n)
{
	bool skipping = false;
	char *nl;

	for (;;) {
		nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
		if (nl || (r->eof && r->len > r->pos)) {
			size_t end = nl ? (size_t)(nl - r->buf) : r->len;

			*line = r->buf + r->pos;
			*n = end - r->pos;
			r->pos = nl ? end + 1 : end;
			r->no++;
			return skipping || *n > LEARN_LINE_MAX ? LINE_TOO_LONG : LINE_OK;
		}
		if (r->eof)
			return skipping ? (r->no++, LINE_TOO_LONG) : LINE_END;
		if (r->len - r->pos > LEARN_LINE_MAX) {
			skipping = true; /* forget it up to its newline */
			r->pos = r->len;
		}
		if (lines_fill(r))
			return LINE_ERROR;
	}
}

static void report(struct reading *rd, const char *path, unsigned long no, const char *what,
		   const char *why)
{
	if (rd->reported++ < LEARN_MAX_REPORTED)
		fprintf(rd->err, "nfq-guard: learn: %s:%lu: %s%s%s\n", path, no, what,
			why ? ": " : "", why ? why : "");
}

static void add(struct reading *rd, const struct learn_flow *f)
{
	rd->decisions++;
	if (learn_add(rd->l, f) == LEARN_NOMEM)
		rd->nomem = true;
}

static const char *display(const char *path)
{
	return strcmp(path, "-") ? path : "(standard input)";
}

static bool is_capture(const unsigned char m[4]);

/* Every line of an event log; false when it could not be read through. */
static bool read_log(struct reading *rd, gzFile gz, const char *path)
{
	struct lines r = { .gz = gz };
	uint64_t good = 0, bad = 0;
	enum line_status st;
	struct learn_flow f;
	const char *line, *why;
	size_t n;

	if (!(r.buf = malloc(2 * LEARN_LINE_MAX))) {
		rd->nomem = true;
		return false;
	}
	/* libpcap reads only a capture it opens itself: not a compressed one, nor a pipe */
	st = lines_fill(&r) ? LINE_ERROR : LINE_OK;
	if (st == LINE_OK && r.len >= 4 && is_capture((const unsigned char *)r.buf)) {
		fprintf(rd->err,
			"nfq-guard: learn: %s: a capture%s: give it as a file of its own\n",
			display(path), gzdirect(gz) ? " on a pipe" : ", compressed");
		free(r.buf);
		return false;
	}
	while (st != LINE_ERROR && (st = lines_next(&r, &line, &n)) != LINE_END &&
	       st != LINE_ERROR) {
		if (st == LINE_TOO_LONG) {
			rd->too_long++;
			bad++;
			report(rd, display(path), r.no, "line longer than 65536 bytes, skipped",
			       NULL);
			continue;
		}
		switch (learn_parse_line(rd->lp, line, n, &f, &why)) {
		case LEARN_LINE_DECISION:
			good++;
			add(rd, &f);
			break;
		case LEARN_LINE_OTHER:
			good++;
			rd->other++;
			break;
		case LEARN_LINE_BLANK:
			break;
		case LEARN_LINE_MALFORMED:
			bad++;
			rd->malformed++;
			report(rd, display(path), r.no, "malformed event", why);
			break;
		}
	}
	free(r.buf);
	if (st == LINE_ERROR) {
		int zerr;
		const char *msg = gzerror(gz, &zerr), *colon = strstr(msg, ": ");

		if (msg[0] == '<' && colon) /* zlib's "<fd:N>: " */
			msg = colon + 2;
		fprintf(rd->err, "nfq-guard: learn: %s: %s\n", display(path),
			zerr == Z_ERRNO ? strerror(errno) : msg);
		return false;
	}
	if (bad && !good) {
		fprintf(rd->err, "nfq-guard: learn: %s: not an event log (no line of it is one)\n",
			display(path));
		return false;
	}
	return true;
}

/* A decision of a replayed capture, as an event line would give it. */
static void capture_one(const struct event *ev, void *arg)
{
	struct reading *rd = arg;
	const struct decision *d = ev->d;
	const struct engine_flow_key *k = ev->flow;
	char name[NAME_ESCAPED_MAX];
	struct learn_flow f = { .ts_us = ev->ts_us, .count = 1, .action = d->action };
	const char *s;

	f.has_mac = ev->has_mac;
	memcpy(f.mac, ev->mac, 6);
	if (!ev->no_src) {
		f.src_family = k->family;
		memcpy(f.src, k->src, 16);
	}
	if (!ev->no_dst) {
		f.family = k->family;
		memcpy(f.dst, k->dst, 16);
	}
	f.proto = ev->no_proto ? LEARN_PROTO_NONE : k->proto;
	f.dport = !ev->no_ports && (k->proto == IPPROTO_NUM_TCP || k->proto == IPPROTO_NUM_UDP) ?
			  k->dport :
			  LEARN_PORT_NONE;
	if (d->device >= 0) {
		s = rd->p->devices[d->device].name;
		f.group = (struct learn_bytes){ s, strlen(s) };
	}
	if (ev->has_mac && (s = policy_label(rd->p, ev->mac)))
		f.label = (struct learn_bytes){ s, strlen(s) };
	s = d->rule ? d->rule->name : "default";
	f.rule = (struct learn_bytes){ s, strlen(s) };
	if (d->has_name) {
		/* escaped as the daemon writes it in its log */
		name_escape(&d->name, name, sizeof(name));
		f.name = (struct learn_bytes){ name, strlen(name) };
	}
	add(rd, &f);
}

static bool is_capture(const unsigned char m[4])
{
	static const unsigned char magics[][4] = {
		{ 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 }, /* pcap */
		{ 0x4d, 0x3c, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0x3c, 0x4d }, /* pcap, nanoseconds */
		{ 0x0a, 0x0d, 0x0d, 0x0a },				/* pcapng */
	};
	size_t i;

	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (!memcmp(m, magics[i], 4))
			return true;
	return false;
}

/* Up to 4 bytes from fd; how many. */
static size_t read_magic(int fd, unsigned char m[4])
{
	size_t n = 0;
	ssize_t k;

	memset(m, 0, 4);
	while (n < 4 && ((k = read(fd, m + n, 4 - n)) > 0 || (k < 0 && errno == EINTR)))
		n += k > 0 ? (size_t)k : 0;
	return n;
}

/* An event log on fd (plain or gzip'd), which it takes; false when not read through. */
static bool read_log_fd(struct reading *rd, int fd, const char *path)
{
	gzFile gz = gzdopen(fd, "rb");
	bool ok;

	if (!gz) {
		close(fd);
		rd->nomem = true;
		return false;
	}
	gzbuffer(gz, 1u << 16);
	ok = read_log(rd, gz, path);
	gzclose(gz);
	return ok;
}

/* One FILE argument, whatever it holds; false when it could not be read. */
static bool read_input(struct reading *rd, const char *path)
{
	unsigned char m[4];
	struct stat st;
	int fd, rc;

	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY) : dup(0);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(rd->err, "nfq-guard: learn: %s: %s\n", display(path), strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	if (S_ISDIR(st.st_mode)) {
		fprintf(rd->err, "nfq-guard: learn: %s: %s\n", path, strerror(EISDIR));
		close(fd);
		return false;
	}
	/* a file tells by its first bytes; a pipe is read as a log (a capture is refused there) */
	if (!S_ISREG(st.st_mode) || !strcmp(path, "-"))
		return read_log_fd(rd, fd, path);
	if (read_magic(fd, m) == 4 && is_capture(m)) {
		close(fd);
		rc = replay_capture(rd->p, path, "learn", capture_one, rd, NULL, rd->err);
		return rc == 0;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		fprintf(rd->err, "nfq-guard: learn: %s: %s\n", path, strerror(errno));
		close(fd);
		return false;
	}
	return read_log_fd(rd, fd, path);
}

static void hash_key(uint8_t key[16])
{
	uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);

	if (getrandom(key, 16, GRND_NONBLOCK) != 16) {
		/* without entropy yet: a key nobody chose is still better than none */
		memcpy(key, &t, 8);
		memcpy(key + 8, &key, sizeof(void *) < 8 ? sizeof(void *) : 8);
	}
}

/* The device's label: the policy's for its MAC, else the one the input gave. */
static const char *device_label(const struct learn *l, const struct policy *p,
				const struct learn_device *d)
{
	const char *s = d->has_mac ? policy_label(p, d->mac) : NULL;

	return s ? s : learn_str(l, d->label);
}

/* The device's MAC, or its address; NULL when neither is known. */
static const char *device_id(const struct learn_device *d, char *buf, size_t sz)
{
	if (d->has_mac)
		fmt_mac(d->mac, buf, sz);
	else if (d->family)
		fmt_addr(d->family, d->addr, buf, sz);
	else
		return NULL;
	return buf;
}

/* The one action every flow to t got, or NULL when they differ. */
static const char *verdict(const struct learn_dest *t)
{
	int a, only = -1;

	for (a = 0; a < 4; a++) {
		if (!t->by_action[a])
			continue;
		if (only >= 0)
			return NULL;
		only = a;
	}
	return only >= 0 ? action_str((enum action)only) : NULL;
}

static void text_dest(FILE *out, const struct learn *l, const struct policy *p,
		      const struct learn_dest *t)
{
	char a[INET6_ADDRSTRLEN] = "?", pr[8] = "?", pp[24], t1[40], t2[40];
	const char *v = verdict(t), *sep = "";
	size_t i;
	int k;

	if (t->family)
		fmt_addr(t->family, t->dst, a, sizeof(a));
	if (t->proto >= 0)
		fmt_proto((uint8_t)t->proto, pr, sizeof(pr));
	if (t->dport >= 0)
		snprintf(pp, sizeof(pp), "%s/%d", pr, t->dport);
	else
		snprintf(pp, sizeof(pp), "%s", pr);
	fprintf(out, "  %-39s %-11s %-6s %6llu", a, pp,
		t->family ? learn_where(p, t->family, t->dst) : "-", (unsigned long long)t->flows);
	if (t->summarised)
		fprintf(out, " (+%llu)", (unsigned long long)t->summarised);
	fputs("  ", out);
	if (v)
		fputs(v, out);
	for (k = 0; !v && k < 4; k++) {
		if (!t->by_action[k])
			continue;
		fprintf(out, "%s%s %llu", sep, action_str((enum action)k),
			(unsigned long long)t->by_action[k]);
		sep = ", ";
	}
	if (t->last_rule != LEARN_NONE)
		fprintf(out, " rule=%s", learn_str(l, t->last_rule));
	for (i = 0; i < t->nnames; i++)
		fprintf(out, "%s%s", i ? "," : " names=", learn_str(l, t->names[i]));
	if (t->more_names)
		fputs(",...", out);
	fmt_time(t->first_us, t1, sizeof(t1));
	fmt_time(t->last_us, t2, sizeof(t2));
	fprintf(out, " %s..%s\n", t1, t2);
}

static void text_device(FILE *out, const struct learn *l, const struct policy *p,
			const struct learn_device *d)
{
	char id[INET6_ADDRSTRLEN], t1[40], t2[40];
	const char *label = device_label(l, p, d), *g = learn_str(l, d->group), *s;
	size_t j;

	fmt_time(d->first_us, t1, sizeof(t1));
	fmt_time(d->last_us, t2, sizeof(t2));
	fprintf(out, "%s group=%s", (s = device_id(d, id, sizeof(id))) ? s : "?", g ? g : "-");
	if (label)
		fprintf(out, " label=\"%s\"", label);
	fprintf(out, " flows=%llu %s..%s\n", (unsigned long long)d->flows, t1, t2);
	fprintf(out, "  %-39s %-11s %-6s %6s  %s\n", "destination", "proto/port", "where", "flows",
		"verdict");
	for (j = 0; j < d->ndests; j++)
		text_dest(out, l, p, learn_dest(l, d, j));
	if (d->dests_cut)
		fprintf(out, "  (and %llu flows to more destinations than are kept: %d a device)\n",
			(unsigned long long)d->dests_cut, LEARN_MAX_DESTS);
}

static void json_time(FILE *out, const char *key, uint64_t us)
{
	char t[40];

	fmt_time(us, t, sizeof(t));
	json_key(out, key, 0);
	json_str(out, t);
}

static void json_dest(FILE *out, const struct learn *l, const struct policy *p,
		      const struct learn_dest *t)
{
	char a[INET6_ADDRSTRLEN], pr[8];
	size_t i;
	int k;

	if (t->family)
		fmt_addr(t->family, t->dst, a, sizeof(a));
	if (t->proto >= 0)
		fmt_proto((uint8_t)t->proto, pr, sizeof(pr));
	json_key(out, "dst", 1);
	json_str(out, t->family ? a : NULL);
	json_key(out, "name", 0);
	json_str(out, learn_str(l, t->last_name));
	json_key(out, "names", 0);
	fputc('[', out);
	for (i = 0; i < t->nnames; i++) {
		fputs(i ? "," : "", out);
		json_str(out, learn_str(l, t->names[i]));
	}
	fputc(']', out);
	json_key(out, "proto", 0);
	json_str(out, t->proto >= 0 ? pr : NULL);
	json_key(out, "dport", 0);
	t->dport >= 0 ? fprintf(out, "%d", t->dport) : fputs("null", out);
	fprintf(out, ",\"flows\":%llu,\"summarised\":%llu", (unsigned long long)t->flows,
		(unsigned long long)t->summarised);
	json_key(out, "verdict", 0);
	json_str(out, verdict(t) ? verdict(t) : "mixed");
	fputs(",\"verdicts\":{", out);
	for (k = 0; k < 4; k++)
		fprintf(out, "%s\"%s\":%llu", k ? "," : "", action_str((enum action)k),
			(unsigned long long)t->by_action[k]);
	fputc('}', out);
	json_key(out, "rule", 0);
	json_str(out, learn_str(l, t->last_rule));
	json_key(out, "where", 0);
	json_str(out, t->family ? learn_where(p, t->family, t->dst) : NULL);
	json_time(out, "first_seen", t->first_us);
	json_time(out, "last_seen", t->last_us);
}

static void json_device(FILE *out, const struct learn *l, const struct policy *p,
			const struct learn_device *d)
{
	char id[INET6_ADDRSTRLEN];
	size_t j;

	json_key(out, "mac", 1);
	json_str(out, d->has_mac ? device_id(d, id, sizeof(id)) : NULL);
	json_key(out, "address", 0);
	json_str(out, d->has_mac ? NULL : device_id(d, id, sizeof(id)));
	json_key(out, "group", 0);
	json_str(out, learn_str(l, d->group));
	json_key(out, "label", 0);
	json_str(out, device_label(l, p, d));
	json_time(out, "first_seen", d->first_us);
	json_time(out, "last_seen", d->last_us);
	fprintf(out, ",\"flows\":%llu,\"flows_cut\":%llu,\"destinations\":[",
		(unsigned long long)d->flows, (unsigned long long)d->dests_cut);
	for (j = 0; j < d->ndests; j++) {
		fputs(j ? ",{" : "{", out);
		json_dest(out, l, p, learn_dest(l, d, j));
		fputc('}', out);
	}
	fputs("]", out);
}

/* The policy file's text, as it is on disk: 0, or -1 after saying why. */
static int read_policy_text(const char *path, char **text, size_t *len, FILE *err)
{
	struct stat st;
	ssize_t k;
	size_t n = 0;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > LEARN_POLICY_MAX) {
		fprintf(err, "nfq-guard: learn: %s: %s\n", path,
			fd < 0 ? strerror(errno) : "not a regular file of at most 16 MiB");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		fprintf(err, "nfq-guard: learn: out of memory\n");
		return -1;
	}
	while (n < (size_t)st.st_size &&
	       ((k = read(fd, buf + n, (size_t)st.st_size - n)) > 0 || (k < 0 && errno == EINTR)))
		n += k > 0 ? (size_t)k : 0;
	close(fd);
	*text = buf;
	*len = n;
	return 0;
}

/* The suggested policy into a buffer, compiled as a check, then to out. */
static int suggest(const struct learn *l, const struct policy *p, const struct learn_opts *o,
		   FILE *out, FILE *err)
{
	struct suggest_counts c;
	struct policy_errors errs;
	enum suggest_status st;
	struct policy *np;
	char *text, *buf = NULL;
	size_t len, n = 0, i;
	FILE *mem;

	if (read_policy_text(o->config, &text, &len, err))
		return 1;
	if (!(mem = open_memstream(&buf, &n))) {
		free(text);
		fprintf(err, "nfq-guard: learn: out of memory\n");
		return 1;
	}
	st = suggest_write(l, p, text, len, o->files, o->nfiles, mem, &c);
	free(text);
	if (fclose(mem) || st != SUGGEST_OK) {
		fprintf(err, "nfq-guard: learn: %s: %s\n", o->config,
			st == SUGGEST_NO_RULES ?
				"no rules = ( ... ) list in it: --suggest puts its rules there" :
			st == SUGGEST_INCLUDED ?
				"its rules list is in an @include'd file: --suggest needs rules = ( "
				"in this file itself" :
				"out of memory");
		free(buf);
		return 1;
	}
	/* what is printed must compile: a last check, against a mistake of ours */
	np = policy_compile_text(o->config, buf, n, 0, &errs);
	if (!np) {
		fprintf(err, "nfq-guard: learn: the suggested policy does not compile (a bug):\n");
		for (i = 0; i < errs.n; i++)
			fprintf(err, "%s\n", errs.lines[i]);
		policy_errors_clear(&errs);
		free(buf);
		return 1;
	}
	policy_free(np);
	fwrite(buf, 1, n, out);
	free(buf);
	fprintf(err, "nfq-guard: learn: %zu rules suggested, %zu more commented out for review%s\n",
		c.rules, c.commented, c.not_written ? " (more not written: the bound)" : "");
	return 0;
}

/* "1 line", "2 lines" */
static const char *plural(uint64_t n, const char *one, const char *more)
{
	return n == 1 ? one : more;
}

static void print_summary(const struct reading *rd, const struct learn_opts *o, FILE *f)
{
	const struct learn_totals *t = learn_totals(rd->l);
	size_t nd = learn_ndevices(rd->l);

	fprintf(f, "%s%zu %s: %llu %s (%llu %s), %zu %s; ",
		f == stdout ? "\n" : "nfq-guard: learn: ", o->nfiles,
		plural(o->nfiles, "file", "files"), (unsigned long long)rd->decisions,
		plural(rd->decisions, "decision", "decisions"), (unsigned long long)t->flows,
		plural(t->flows, "flow", "flows"), nd, plural(nd, "device", "devices"));
	fprintf(f, "%llu other %s skipped, %llu malformed %s, %llu too long\n",
		(unsigned long long)rd->other, plural(rd->other, "event", "events"),
		(unsigned long long)rd->malformed, plural(rd->malformed, "line", "lines"),
		(unsigned long long)rd->too_long);
}

/* What the bounds turned away, and the malformed lines not named. */
static void print_cuts(const struct reading *rd, FILE *err)
{
	const struct learn_totals *t = learn_totals(rd->l);

	if (rd->reported > LEARN_MAX_REPORTED)
		fprintf(err, "nfq-guard: learn: %llu more malformed lines not shown\n",
			(unsigned long long)(rd->reported - LEARN_MAX_REPORTED));
	if (t->devices_cut)
		fprintf(err,
			"nfq-guard: learn: %llu flows of devices past the first %d not counted\n",
			(unsigned long long)t->devices_cut, LEARN_MAX_DEVICES);
	if (t->dests_cut)
		fprintf(err,
			"nfq-guard: learn: %llu flows to destinations past the bounds (%d a device, "
			"%u in all) counted for their devices only\n",
			(unsigned long long)t->dests_cut, LEARN_MAX_DESTS, LEARN_MAX_DESTS_ALL);
	if (t->strings_cut)
		fprintf(err, "nfq-guard: learn: %llu names and labels past the first %u not kept\n",
			(unsigned long long)t->strings_cut, LEARN_MAX_STRINGS);
}

static int print_devices(const struct reading *rd, const struct learn_opts *o, FILE *out)
{
	size_t i;

	for (i = 0; i < learn_ndevices(rd->l); i++) {
		const struct learn_device *d = learn_device(rd->l, i);

		if (o->json) {
			fputc('{', out);
			json_device(out, rd->l, rd->p, d);
			fputs("}\n", out);
		} else {
			text_device(out, rd->l, rd->p, d);
		}
	}
	return 0;
}

int learn_run(const struct policy *p, const struct learn_opts *o, FILE *out, FILE *err)
{
	struct reading rd = { .p = p, .err = err };
	uint8_t key[16];
	int ret = 0;
	size_t i;

	hash_key(key);
	rd.l = learn_new(key);
	rd.lp = learn_parser_new();
	if (!rd.l || !rd.lp) {
		fprintf(err, "nfq-guard: learn: out of memory\n");
		ret = 1;
		goto out;
	}
	for (i = 0; i < o->nfiles && !rd.nomem; i++)
		if (!read_input(&rd, o->files[i]))
			rd.failed = true;
	if (rd.nomem || learn_sort(rd.l)) {
		fprintf(err, "nfq-guard: learn: out of memory\n");
		ret = 1;
		goto out;
	}
	print_cuts(&rd, err);
	if (o->suggest)
		ret = suggest(rd.l, p, o, out, err);
	else
		print_devices(&rd, o, out);
	print_summary(&rd, o, o->json || o->suggest ? err : out);
	if (fflush(out)) {
		fprintf(err, "nfq-guard: learn: write error\n");
		ret = 1;
	}
	if (rd.failed)
		ret = 1;
out:
	learn_parser_free(rd.lp);
	learn_free(rd.l);
	return ret;
}
