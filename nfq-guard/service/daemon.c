/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon.c - live filtering (see daemon.h): setup, the main loop, stop,
 * and one teardown that undoes whatever setup made, however far it got.
 *
 * Signal handlers only set a flag; the main thread does the work: control
 * requests, reload, log reopening, the table watch.  The workers answer
 * the queues (worker.c).
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "service/control.h"
#include "service/daemon.h"
#include "service/log.h"
#include "service/run.h"

static atomic_bool sig_stop, sig_hup, sig_usr1;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		atomic_store(&sig_hup, true);
	else if (sig == SIGUSR1)
		atomic_store(&sig_usr1, true);
	else
		atomic_store(&sig_stop, true);
}

/* A control request: its words (percent-decoded, the flags taken out) and who sent it. */
struct request {
	int argc;
	char *argv[CONTROL_MAX_ARGS];
	bool json, prom;
	uid_t uid;
};

/* The control commands: each writes its answer to out; 0 done, 1 refused or failed. */
struct command {
	const char *name;
	int (*run)(struct run *r, const struct request *q, FILE *out);
	bool args; /* takes words after its name */
};

static int cmd_status(struct run *r, const struct request *q, FILE *out)
{
	report_status(r, out, q->json);
	return 0;
}

static int cmd_stats(struct run *r, const struct request *q, FILE *out)
{
	return report_stats(r, out, q->json ? REPORT_JSON : REPORT_TEXT) ? 1 : 0;
}

static int cmd_stats_prometheus(struct run *r, const struct request *q, FILE *out)
{
	(void)q;
	return report_stats(r, out, REPORT_PROMETHEUS) ? 1 : 0;
}

/* The commands that take --prometheus, and what they do then. */
static const struct command prometheus_commands[] = {
	{ "stats", cmd_stats_prometheus, false },
};

static int cmd_devices(struct run *r, const struct request *q, FILE *out)
{
	devtab_print(&r->devs, out, q->json ? DEVTAB_JSON : DEVTAB_TEXT);
	if (q->json)
		fputc('\n', out);
	return 0;
}

static int cmd_flush(struct run *r, const struct request *q, FILE *out)
{
	(void)q;
	return run_flush(r, out) ? 1 : 0;
}

static int cmd_reload(struct run *r, const struct request *q, FILE *out)
{
	(void)q;
	if (run_reload(r, out))
		return 1;
	fprintf(out, "reloaded %s: generation %u\n", r->path, r->nc.gen);
	return 0;
}

static int cmd_reopen(struct run *r, const struct request *q, FILE *out)
{
	(void)q;
	if (events_reopen(r, r->p->events, out))
		return 1;
	fprintf(out, "events reopened: %s\n", r->events_path);
	return 0;
}

static int cmd_allow(struct run *r, const struct request *q, FILE *out)
{
	return exceptions_allow(r, q->argc - 1, q->argv + 1, q->uid, out, q->json);
}

static int cmd_exceptions(struct run *r, const struct request *q, FILE *out)
{
	return exceptions_list(r, out, q->json);
}

static int cmd_revoke(struct run *r, const struct request *q, FILE *out)
{
	return exceptions_revoke(r, q->argc - 1, q->argv + 1, q->uid, out, q->json);
}

static const struct command commands[] = {
	{ "status", cmd_status, false },   { "stats", cmd_stats, false },
	{ "devices", cmd_devices, false }, { "flush", cmd_flush, false },
	{ "reload", cmd_reload, false },   { "reopen", cmd_reopen, false },
	{ "allow", cmd_allow, true },	   { "exceptions", cmd_exceptions, false },
	{ "revoke", cmd_revoke, true },
};

/*
 * Split req into q's words, then percent-decode them (control.h);
 * --json and --prometheus, as sent, are flags only last (a word that says
 * so comes escaped).  0, or -1 (said on out).
 */
static int request_words(char *req, struct request *q, FILE *out)
{
	char *w, *save = NULL;

	for (w = strtok_r(req, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (q->argc >= CONTROL_MAX_ARGS) {
			fprintf(out, "more than %d words in the request\n", CONTROL_MAX_ARGS);
			return -1;
		}
		q->argv[q->argc++] = w;
	}
	if (!q->argc) {
		fprintf(out, "empty request\n");
		return -1;
	}
	if (q->argc > 1 && !strcmp(q->argv[q->argc - 1], "--json")) {
		q->json = true;
		q->argc--;
	} else if (q->argc > 1 && !strcmp(q->argv[q->argc - 1], "--prometheus")) {
		q->prom = true;
		q->argc--;
	}
	for (int i = 0; i < q->argc; i++) {
		if (control_unescape(q->argv[i])) {
			fprintf(out, "a badly escaped word in the request\n");
			return -1;
		}
	}
	return 0;
}

/* A request's command and its answer; 0 or 1 as the status. */
static int dispatch(struct run *r, char *req, uid_t uid, FILE *out)
{
	const struct command *table = commands;
	size_t n = sizeof(commands) / sizeof(commands[0]);
	struct request q = { .uid = uid };

	if (request_words(req, &q, out))
		return 1;
	if (q.prom && q.json) {
		fprintf(out, "%s: --json or --prometheus, not both\n", q.argv[0]);
		return 1;
	}
	if (q.prom) {
		table = prometheus_commands;
		n = sizeof(prometheus_commands) / sizeof(prometheus_commands[0]);
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(q.argv[0], table[i].name))
			continue;
		if (!table[i].args && q.argc > 1) {
			fprintf(out, "%s: unknown argument '%s'\n", q.argv[0], q.argv[1]);
			return 1;
		}
		return table[i].run(r, &q, out);
	}
	fprintf(out, q.prom ? "%s: --prometheus is for stats\n" : "unknown command '%s'\n",
		q.argv[0]);
	return 1;
}

/* One control request: the command, its answer. */
static void serve(struct run *r, int cfd, char *req)
{
	struct ucred cred = { .uid = (uid_t)-1 };
	socklen_t clen = sizeof(cred);
	char *body = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&body, &len);
	int status;

	if (!out) {
		control_reply(cfd, 1, "out of memory\n", 14);
		return;
	}
	getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &clen);
	status = dispatch(r, req, cred.uid, out);
	fclose(out);
	control_reply(cfd, status, body, len);
	free(body);
}

/* The policy file's absolute path, symlinks kept: a reload follows a switched link. */
static int absolute(const char *path, char *out, size_t size)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return snprintf(out, size, "%s", path) < (int)size ? 0 : -1;
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	return snprintf(out, size, "%s/%s", cwd, path) < (int)size ? 0 : -1;
}

/* The state of a run with nothing made yet, owning p; NULL (said, p freed). */
static struct run *run_new(struct policy *p, const struct daemon_opts *o)
{
	struct run *r = calloc(1, sizeof(*r));
	pthread_rwlockattr_t rwa;

	if (!r || absolute(o->config, r->path, sizeof(r->path))) {
		if (r)
			fatal("run: %s", o->config);
		else
			fatalx("run: out of memory");
		policy_free(p);
		free(r);
		return NULL;
	}
	r->p = p;
	r->ctl = r->ready_fd = r->gen_fd = -1;
	pthread_mutex_init(&r->events_lock, NULL);
	pthread_rwlockattr_init(&rwa);
	/* a reload waiting for the workers must not be overtaken by them forever */
	pthread_rwlockattr_setkind_np(&rwa, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&r->swap, &rwa);
	pthread_rwlockattr_destroy(&rwa);
	return r;
}

static int socket_group(const struct daemon_opts *o, const struct run *r, gid_t *gid)
{
	const struct group *gr;

	*gid = r->pv.gid;
	if (!o->group)
		return 0;
	gr = getgrnam(o->group);
	if (!gr) {
		fatalx("run: no group \"%s\"", o->group);
		return -1;
	}
	*gid = gr->gr_gid;
	return 0;
}

/* The process: signals, background, who it runs as, control socket, pid file. */
static int setup_process(struct run *r, const struct daemon_opts *o)
{
	const char *pidfile = o->pidfile ? o->pidfile : o->foreground ? NULL : DAEMON_PIDFILE;
	struct sigaction sa = { .sa_handler = on_signal };
	gid_t sgid;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!o->foreground && detach(&r->ready_fd))
		return -1;
	if (privs_resolve(o->user, &r->pv) || socket_group(o, r, &sgid))
		return -1;
	/* first the socket: it says whether another nfq-guard runs, before any harm */
	r->ctl = control_listen(o->socket, r->pv.uid, sgid);
	if (r->ctl < 0)
		return -1;
	r->socket = o->socket;
	if (pidfile) {
		mkdir(DAEMON_RUN_DIR, 0755);
		if (pidfile_write(pidfile))
			return -1;
		r->pidfile = pidfile;
	}
	return 0;
}

/* Engines, the event log, the queues bound: all before the table sends packets. */
static int setup_engines(struct run *r)
{
	const struct policy *p = r->p;
	unsigned int threads = p->queue_threads ? p->queue_threads : 1;
	struct engine_set g;

	r->need_iface = policy_needs_iface(p);
	nft_config_default(&r->nc);
	r->nc.bypass = p->fail_open;
	r->nc.queue_num = (uint16_t)p->queue_num;
	r->nc.queue_total = (uint16_t)threads;
	r->nc.gen = table_next_generation(&r->gen_fd);
	r->owner = nft_owner_open();
	if (!r->owner) {
		fatal("run: netlink");
		return -1;
	}
	if (engine_set_new(&g, r->p, NULL, NULL, threads)) {
		fatalx("run: out of memory");
		g.p = NULL; /* still r->p's */
		engine_set_free(&g, threads);
		return -1;
	}
	r->sh = g.sh;
	for (r->nworkers = 0; r->nworkers < threads; r->nworkers++) {
		struct worker *w = &r->w[r->nworkers];

		w->r = r;
		w->num = (uint16_t)(r->nc.queue_num + r->nworkers);
		w->e = g.e[r->nworkers];
		w->rule_flows = g.rule_flows[r->nworkers];
	}
	r->events = events_open(p->events);
	if (r->events)
		snprintf(r->events_path, sizeof(r->events_path), "%s", p->events);
	else
		log_warn("run: events %s (events go to the log only)", p->events);
	/* the exceptions kept over a restart are in force before the table is */
	if (exceptions_start(r)) {
		fatalx("run: out of memory");
		return -1;
	}
	for (unsigned int i = 0; i < r->nworkers; i++)
		engine_set_exceptions(r->w[i].e, r->xset);
	/* and the devices found before, filtered before they announce themselves again */
	found_config(r, p, &r->nc);
	found_start(r);
	return workers_bind(r);
}

/* The table in, privileges dropped, the starter told, the workers going. */
static int setup_filter(struct run *r)
{
	int err = table_install(r);

	if (err) {
		fatalx("run: cannot install table inet %s: %s", NFT_TABLE_NAME, strerror(-err));
		return -1;
	}
	if (nft_flowtables() > 0)
		log_warnx("WARNING: a flowtable (flow offload) is configured: offloaded "
			  "flows bypass netfilter, so a device flow could escape before it is "
			  "decided; keep device traffic out of the flowtable");
	hand_over(r, r->gen_fd);
	if (privs_drop(&r->pv))
		return -1;
	r->dropped = true;
	r->started_wall = r->policy_loaded = run_wall_us() / 1000000;
	r->started_mono = run_now_ms();
	log_notice("filtering with %s (mode %s, fail %s, %u queue%s, generation %u, user %s, "
		   "control %s)",
		   r->path, r->p->monitor ? "monitor" : "enforce",
		   r->p->fail_open ? "open" : "closed", r->nworkers, r->nworkers > 1 ? "s" : "",
		   r->nc.gen, r->pv.user, r->socket);
	detach_ready(&r->ready_fd);
	workers_start(r);
	return 0;
}

static int setup(struct run *r, const struct daemon_opts *o)
{
	if (devtab_init(&r->devs, r->p->max_devices)) {
		fatalx("run: out of memory");
		return -1;
	}
	if (setup_process(r, o))
		return -1;
	if (evlimit_init(&r->lim, (uint64_t)r->p->events_interval * 1000, run_write_event, r)) {
		fatalx("run: out of memory");
		return -1;
	}
	if (setup_engines(r))
		return -1;
	return setup_filter(r);
}

static void handle_signals(struct run *r)
{
	if (atomic_exchange(&sig_hup, false)) {
		log_notice("SIGHUP: reloading %s", r->path);
		run_reload(r, NULL);
	}
	if (atomic_exchange(&sig_usr1, false))
		events_reopen(r, r->p->events, NULL);
}

/* Until SIGTERM, SIGINT or a fatal error: control requests, signals, the table. */
static void loop(struct run *r)
{
	uint64_t last_check = run_now_ms();

	while (!atomic_load(&sig_stop) && !fatal_raised()) {
		struct pollfd pfd[2] = { { .fd = r->ctl, .events = POLLIN },
					 { .fd = r->nflog ? nflog_fd(r->nflog) : -1,
					   .events = POLLIN } };
		char req[CONTROL_REQ_MAX];

		if (poll(pfd, 2, 250) > 0) {
			if (pfd[0].revents & POLLIN) {
				int cfd = control_accept(r->ctl, req, sizeof(req));

				if (cfd >= 0)
					serve(r, cfd, req);
			}
			if (pfd[1].revents & (POLLIN | POLLERR))
				found_read(r);
		}
		handle_signals(r);
		exceptions_tick(r);
		found_tick(r);
		table_watch(r, &last_check);
		metrics_tick(r, run_now_ms());
		pthread_mutex_lock(&r->events_lock);
		evlimit_expire(&r->lim, run_now_ms(), false);
		pthread_mutex_unlock(&r->events_lock);
	}
}

/*
 * Fail closed with a persistent table: it stays, and device traffic stays
 * stopped.  Otherwise stop queueing, let the workers answer what is
 * queued, and only then remove the table: deleting its hooks would drop
 * every packet still waiting.  Then the workers end, and the totals.
 */
static void stop(struct run *r)
{
	uint64_t packets = 0, decisions = r->retired.decisions, malformed = 0, enobufs = 0;

	if (r->nc.persist && !r->p->fail_open) {
		log_notice("table %s %s kept: fail closed", table_str(&r->nc), NFT_TABLE_NAME);
		r->installed = false; /* kept on purpose: teardown leaves it */
	} else {
		table_drain(r);
		table_uninstall(r);
	}
	workers_join(r);
	for (unsigned int i = 0; i < r->nworkers; i++) {
		packets += queue_stats(r->w[i].q)->packets;
		enobufs += queue_stats(r->w[i].q)->enobufs;
		decisions += engine_stats(r->w[i].e)->decisions;
		malformed += r->w[i].malformed;
	}
	pthread_mutex_lock(&r->events_lock);
	evlimit_expire(&r->lim, run_now_ms(), true);
	pthread_mutex_unlock(&r->events_lock);
	log_notice("stopped: %llu packets, %llu decisions, %llu unreadable, %llu socket overflows",
		   (unsigned long long)packets, (unsigned long long)decisions,
		   (unsigned long long)malformed, (unsigned long long)enobufs);
}

/*
 * Undo what setup made, in reverse, whatever it got to: each step looks
 * at what is there.  A table still installed here (a setup that failed
 * after installing it) is removed.
 */
static void teardown(struct run *r)
{
	if (r->installed)
		table_uninstall(r);
	workers_join(r); /* none started unless setup got that far */
	workers_free(r);
	if (r->events)
		fclose(r->events);
	engine_shared_free(r->sh);
	if (r->ctl >= 0) {
		close(r->ctl);
		unlink(r->socket);
	}
	if (r->gen_fd >= 0)
		close(r->gen_fd);
	nft_owner_close(r->owner);
	evlimit_fini(&r->lim);
	devtab_fini(&r->devs);
	exceptions_free(r);
	found_stop(r);
	pthread_mutex_destroy(&r->events_lock);
	pthread_rwlock_destroy(&r->swap);
	if (r->pidfile)
		unlink(r->pidfile);
	policy_free(r->p);
	/* last: the starter prints what teardown said, then "did not start" */
	if (r->ready_fd >= 0) {
		log_copy_fd(-1);
		close(r->ready_fd);
	}
	free(r);
}

int daemon_run(struct policy *p, const struct daemon_opts *o)
{
	struct run *r = run_new(p, o);
	int status = 1;

	if (!r)
		return 1;
	if (setup(r, o) == 0) {
		loop(r);
		stop(r);
		status = fatal_raised() ? 1 : 0;
	}
	teardown(r);
	return status;
}
