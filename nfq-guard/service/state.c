// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * state.c - the state file (policy key state, nfq-guard.conf(5)): what the
 * daemon must find again after a restart - the run-time exceptions and the
 * devices found by their behaviour.  One
 * JSON object, written whole to a temporary file beside it, synced, then
 * renamed over it: a crash leaves the old file or the new, never half.
 * Read back with json-c, bounded in size and depth, and every exception
 * checked as `allow` checks its arguments: the file is trusted no more
 * than a request.  A file that does not read is put aside (.bad) and the
 * daemon starts without exceptions: the strict direction.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/proto.h"
#include "policy/vendors.h"
#include "print/format.h"
#include "service/log.h"
#include "service/run.h"
#include "service/state.h"

#define STATE_VERSION 1
/* s an exception may seem made after now: a clock set back a little since */
#define STATE_CLOCK_SLACK 300
#define STATE_DEPTH 8

static json_object *strings_json(const char *v, size_t stride, size_t n)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < n; i++)
		json_object_array_add(a, json_object_new_string(v + i * stride));
	return a;
}

static json_object *exception_json(const struct exception_spec *s)
{
	json_object *o = json_object_new_object(), *ports = json_object_new_array();

	if (!o || !ports) {
		json_object_put(o);
		json_object_put(ports);
		return NULL;
	}
	for (uint8_t i = 0; i < s->nport; i++)
		json_object_array_add(ports, json_object_new_int(s->port[i]));
	json_object_object_add(o, "id", json_object_new_int64(s->id));
	json_object_object_add(o, "device", json_object_new_string(s->device));
	json_object_object_add(o, "to", strings_json(s->to[0], sizeof(s->to[0]), s->nto));
	json_object_object_add(o, "domain",
			       strings_json(s->domain[0], sizeof(s->domain[0]), s->ndomain));
	json_object_object_add(o, "port", ports);
	json_object_object_add(
		o, "proto",
		s->proto ? json_object_new_string(s->proto == IPPROTO_NUM_TCP ? "tcp" :
						  s->proto == IPPROTO_NUM_UDP ? "udp" :
										"icmp") :
			   NULL);
	json_object_object_add(o, "reason", json_object_new_string(s->reason));
	json_object_object_add(o, "seconds", json_object_new_int64(s->seconds));
	json_object_object_add(o, "created", json_object_new_int64(s->created));
	json_object_object_add(o, "until", json_object_new_int64(s->until));
	json_object_object_add(o, "uid", json_object_new_int64(s->uid));
	json_object_object_add(
		o, "flows",
		json_object_new_int64((int64_t)__atomic_load_n(&s->flows, __ATOMIC_RELAXED)));
	return o;
}

/* The directory of path, made when missing (mode 0750, for the daemon's user). */
static void state_dir(const struct run *r, const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0755);
			*p = '/';
		}
	}
	if (mkdir(dir, 0750) == 0 && r->pv.as_root && chown(dir, r->pv.uid, r->pv.gid))
		log_warn("state %s: chown", dir);
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static bool get_int(json_object *o, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return *out >= lo && *out <= hi;
}

static json_object *str_or_null(const char *s)
{
	return s[0] ? json_object_new_string(s) : NULL;
}

static json_object *device_json(const struct found_rec *f)
{
	json_object *o = json_object_new_object();
	char m[18], a[INET6_ADDRSTRLEN] = "";

	if (!o)
		return NULL;
	fmt_mac(f->mac, m, sizeof(m));
	if (f->family)
		fmt_addr(f->family, f->addr, a, sizeof(a));
	json_object_object_add(o, "mac", json_object_new_string(m));
	json_object_object_add(o, "identified_by", json_object_new_string(found_by_str(f->by)));
	json_object_object_add(o, "vendor", json_object_new_string(f->vendor));
	json_object_object_add(o, "model", str_or_null(f->model));
	json_object_object_add(o, "firmware", str_or_null(f->firmware));
	json_object_object_add(o, "serial", str_or_null(f->serial));
	json_object_object_add(o, "detail", str_or_null(f->detail));
	json_object_object_add(o, "ip", str_or_null(a));
	json_object_object_add(o, "first_seen", json_object_new_int64((int64_t)f->first_seen));
	return o;
}

/* A text field of a device: absent or null is "", else printable ASCII that fits. */
static bool device_text(json_object *o, const char *key, char *out, size_t sz)
{
	json_object *v;
	const char *s;

	out[0] = '\0';
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return true;
	if (!json_object_is_type(v, json_type_string))
		return false;
	s = json_object_get_string(v);
	if (strlen(s) >= sz)
		return false;
	for (const char *c = s; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			return false;
	snprintf(out, sz, "%s", s);
	return true;
}

/* One device of the state file, checked as if it came off the wire; false: it is left out. */
static bool device_from_json(json_object *o, struct found_rec *f)
{
	static const enum found_by kinds[] = { FOUND_SADP, FOUND_DHIP, FOUND_ONVIF, FOUND_DHCP,
					       FOUND_DNS };
	const char *mac = get_str(o, "mac"), *by = get_str(o, "identified_by");
	char ip[INET6_ADDRSTRLEN + 1];
	int64_t first;

	memset(f, 0, sizeof(*f));
	if (!json_object_is_type(o, json_type_object) || !mac || mac_parse(mac, f->mac) || !by ||
	    (f->mac[0] & 1))
		return false;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(by, found_by_str(kinds[i])))
			f->by = kinds[i];
	if (f->by == FOUND_NONE || !device_text(o, "vendor", f->vendor, sizeof(f->vendor)) ||
	    !f->vendor[0] || !device_text(o, "model", f->model, sizeof(f->model)) ||
	    !device_text(o, "firmware", f->firmware, sizeof(f->firmware)) ||
	    !device_text(o, "serial", f->serial, sizeof(f->serial)) ||
	    !device_text(o, "detail", f->detail, sizeof(f->detail)) ||
	    !device_text(o, "ip", ip, sizeof(ip)) ||
	    !get_int(o, "first_seen", 0, INT64_MAX, &first))
		return false;
	f->first_seen = (uint64_t)first;
	if (ip[0]) {
		f->family = strchr(ip, ':') ? 6 : 4;
		if (inet_pton(f->family == 6 ? AF_INET6 : AF_INET, ip, f->addr) != 1)
			return false;
	}
	return true;
}

/* The devices list of the file (absent: none, as a file written before identify). */
static int devices_from_json(json_object *root, struct state_exceptions *out, char *err, size_t sz)
{
	json_object *list;
	size_t n;

	if (!json_object_object_get_ex(root, "devices", &list))
		return 0;
	if (!json_object_is_type(list, json_type_array) ||
	    (n = json_object_array_length(list)) > ENGINE_MAX_FOUND) {
		snprintf(err, sz, "devices is not a list of at most %d devices", ENGINE_MAX_FOUND);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct found_rec f;

		if (!device_from_json(json_object_array_get_idx(list, i), &f) ||
		    found_find(&out->devices, f.mac)) {
			out->devices_skipped++;
			continue;
		}
		if (found_push(&out->devices, &f)) {
			snprintf(err, sz, "out of memory");
			return -1;
		}
	}
	return 0;
}

static int state_fill(FILE *f, void *arg)
{
	fputs(arg, f);
	fputc('\n', f);
	return 0;
}

void state_save(struct run *r)
{
	json_object *root = json_object_new_object(), *list = json_object_new_array();
	json_object *devs = json_object_new_array();
	int e = -ENOMEM;

	if (root && list && devs) {
		for (size_t i = 0; i < r->nexc; i++)
			json_object_array_add(list, exception_json(r->exc[i]));
		for (size_t i = 0; i < r->found.n; i++)
			json_object_array_add(devs, device_json(&r->found.v[i]));
		json_object_object_add(root, "version", json_object_new_int(STATE_VERSION));
		json_object_object_add(root, "next_id", json_object_new_int64(r->exc_next_id));
		json_object_object_add(root, "exceptions", list);
		json_object_object_add(root, "devices", devs);
		list = devs = NULL;
		state_dir(r, r->p->state);
		e = file_replace(r->p->state, 0640, true, state_fill,
				 (void *)json_object_to_json_string_ext(root,
									JSON_C_TO_STRING_PLAIN));
	}
	json_object_put(root);
	json_object_put(list);
	json_object_put(devs);
	if (e && !r->state_failing)
		logx(LOG_ERR,
		     "state %s: %s: exceptions and devices found are not kept over a restart",
		     r->p->state, strerror(-e));
	else if (!e && r->state_failing)
		log_notice("state %s: written again", r->p->state);
	r->state_failing = e != 0;
}

/* The whole file at path (*len bytes, NUL-terminated), at most STATE_MAX_BYTES.  NULL with errno. */
static char *read_bounded(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	struct stat st = { 0 };
	char *buf;
	ssize_t n;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > STATE_MAX_BYTES) {
		int e = errno;

		close(fd);
		errno = st.st_size > STATE_MAX_BYTES ? EFBIG : S_ISREG(st.st_mode) ? e : EINVAL;
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	n = buf ? read(fd, buf, (size_t)st.st_size) : -1;
	close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* A string member, or NULL. */
/* allow's words of one exception: its device, --for, each list item, proto, reason. */
#define STATE_WORDS (3 + 2 * 3 * EXCEPTION_ITEMS + 4)

/*
 * argv[*n..] += opt and each string of o's list key, which must be a list
 * of at most EXCEPTION_ITEMS strings; false when it is not.
 */
static bool push_list(json_object *o, const char *key, const char *opt, const char **argv, int *n)
{
	json_object *a, *e;

	if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array) ||
	    json_object_array_length(a) > EXCEPTION_ITEMS)
		return false;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		e = json_object_array_get_idx(a, i);
		if (*n + 2 > STATE_WORDS || !json_object_is_type(e, json_type_string))
			return false;
		argv[(*n)++] = opt;
		argv[(*n)++] = json_object_get_string(e);
	}
	return true;
}

/* The same for the ports, numbers 1-65535 (text in buf), as --port words. */
static bool push_ports(json_object *o, const char **argv, int *n, char buf[EXCEPTION_ITEMS][8])
{
	json_object *a, *e;

	if (!json_object_object_get_ex(o, "port", &a) || !json_object_is_type(a, json_type_array) ||
	    json_object_array_length(a) > EXCEPTION_ITEMS)
		return false;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		int64_t port;

		e = json_object_array_get_idx(a, i);
		if (*n + 2 > STATE_WORDS || !json_object_is_type(e, json_type_int))
			return false;
		port = json_object_get_int64(e);
		if (port < 1 || port > 65535)
			return false;
		snprintf(buf[i], sizeof(buf[i]), "%d", (int)port);
		argv[(*n)++] = "--port";
		argv[(*n)++] = buf[i];
	}
	return true;
}

/*
 * One exception of the file into *s, through allow's own argument checks,
 * at time now (s since the epoch; 0: not checked): not made later than
 * now, nor in force longer than it was given.  0, or -1 with why in err.
 */
static int exception_from_json(json_object *o, int64_t now, struct exception_spec *s, char *err,
			       size_t sz)
{
	const char *argv[STATE_WORDS];
	char dur[32], ports[EXCEPTION_ITEMS][8];
	int64_t id, secs, created, until, uid, flows;
	int n = 0;

	if (!json_object_is_type(o, json_type_object) || !get_str(o, "device") ||
	    !get_int(o, "id", 1, EXCEPTION_ID_MAX, &id) ||
	    !get_int(o, "seconds", 1, EXCEPTION_MAX_SECONDS, &secs) ||
	    !get_int(o, "created", 0, now ? now + STATE_CLOCK_SLACK : INT64_MAX / 2, &created) ||
	    !get_int(o, "until", created, created + secs, &until) ||
	    !get_int(o, "uid", 0, UINT32_MAX, &uid) || !get_int(o, "flows", 0, INT64_MAX, &flows)) {
		snprintf(err, sz,
			 "an exception without its id, device or times, or made in the future");
		return -1;
	}
	argv[n++] = get_str(o, "device");
	snprintf(dur, sizeof(dur), "%llds", (long long)secs);
	argv[n++] = "--for";
	argv[n++] = dur;
	if (!push_list(o, "to", "--to", argv, &n) ||
	    !push_list(o, "domain", "--domain", argv, &n) || !push_ports(o, argv, &n, ports)) {
		snprintf(
			err, sz,
			"exception %lld: to, domain or port is not a list of at most %d of its kind",
			(long long)id, EXCEPTION_ITEMS);
		return -1;
	}
	if (get_str(o, "proto")) {
		argv[n++] = "--proto";
		argv[n++] = get_str(o, "proto");
	}
	if (get_str(o, "reason") && get_str(o, "reason")[0]) {
		argv[n++] = "--reason";
		argv[n++] = get_str(o, "reason");
	}
	if (exception_parse_args(n, (char *const *)argv, s, err, sz))
		return -1;
	s->id = (uint32_t)id;
	s->created = created;
	s->until = until;
	s->uid = (uint32_t)uid;
	s->flows = (uint64_t)flows;
	return 0;
}

int state_parse(const char *text, size_t len, int64_t now, struct state_exceptions *out, char *err,
		size_t sz)
{
	struct json_tokener *tok = json_tokener_new_ex(STATE_DEPTH);
	json_object *root = NULL, *list;
	int64_t version, next;
	bool trailing = false;
	size_t n;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (len > STATE_MAX_BYTES || memchr(text, '\0', len)) {
		snprintf(err, sz, "not a state file (a NUL, or over %d bytes)", STATE_MAX_BYTES);
		goto done;
	}
	root = tok ? json_tokener_parse_ex(tok, text, (int)len) : NULL;
	if (root) {
		size_t end = json_tokener_get_parse_end(tok);

		while (end < len && strchr(" \t\r\n", text[end]))
			end++;
		trailing = end < len;
	}
	if (!root || json_tokener_get_error(tok) != json_tokener_success || trailing) {
		snprintf(err, sz, "not JSON: %s",
			 !tok ? "out of memory" :
			 json_tokener_get_error(tok) != json_tokener_success ?
				json_tokener_error_desc(json_tokener_get_error(tok)) :
				"more after the object");
		goto done;
	}
	if (!get_int(root, "version", STATE_VERSION, STATE_VERSION, &version) ||
	    !get_int(root, "next_id", 0, EXCEPTION_ID_MAX, &next) ||
	    !json_object_object_get_ex(root, "exceptions", &list) ||
	    !json_object_is_type(list, json_type_array) ||
	    (n = json_object_array_length(list)) > EXCEPTION_MAX) {
		snprintf(err, sz, "not a version %d state file", STATE_VERSION);
		goto done;
	}
	out->v = calloc(n + 1, sizeof(*out->v));
	if (!out->v) {
		snprintf(err, sz, "out of memory");
		goto done;
	}
	rc = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		struct exception_spec *s = calloc(1, sizeof(*s));

		rc = -1;
		if (!s)
			snprintf(err, sz, "out of memory");
		else if (exception_from_json(json_object_array_get_idx(list, i), now, s, err, sz) ==
			 0)
			rc = 0;
		for (size_t k = 0; !rc && k < out->n; k++)
			if (out->v[k]->id == s->id) {
				snprintf(err, sz, "exception %u twice", s->id);
				rc = -1;
			}
		if (rc) {
			free(s);
			break;
		}
		if (s->id > next)
			next = s->id;
		out->v[out->n++] = s;
	}
	out->next_id = (uint32_t)next;
	if (!rc)
		rc = devices_from_json(root, out, err, sz);
	if (rc)
		state_exceptions_free(out);
done:
	json_object_put(root);
	if (tok)
		json_tokener_free(tok);
	return rc;
}

void state_exceptions_free(struct state_exceptions *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->v[i]);
	free(x->v);
	found_list_free(&x->devices);
	memset(x, 0, sizeof(*x));
}

int state_load(struct run *r)
{
	char err[EXCEPTION_ERR_MAX], bad[PATH_MAX];
	char *text;
	struct state_exceptions x;
	size_t len = 0;

	state_dir(r, r->p->state); /* still root: made for the user the daemon becomes */
	text = read_bounded(r->p->state, &len);
	if (!text) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, sizeof(err), "%s", strerror(errno));
	} else if (state_parse(text, len, (int64_t)(run_wall_us() / 1000000), &x, err,
			       sizeof(err)) == 0) {
		free(text);
		r->exc = x.v;
		r->nexc = x.n;
		r->exc_next_id = x.next_id;
		r->found = x.devices;
		log_info("state %s: %zu exceptions, %zu devices found", r->p->state, r->nexc,
			 r->found.n);
		if (x.devices_skipped)
			log_warnx("state %s: %zu devices found did not read: left out", r->p->state,
				  x.devices_skipped);
		return 0;
	}
	free(text);
	snprintf(bad, sizeof(bad), "%s.bad", r->p->state);
	logx(LOG_ERR, "state %s: %s: started without its exceptions (the file is kept as %s)",
	     r->p->state, err, bad);
	rename(r->p->state, bad);
	return -1;
}
