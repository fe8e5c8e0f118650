/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_report.c - what `status --json` and `stats --json` answer: valid
 * JSON with the documented keys and the daemon's figures in them, and
 * the swap lock released once the stats are gathered.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "json_check.h"
#include "policy_file.h"
#include "service/run.h"

static const char policy_text[] =
	"version = 1;\n"
	"mode = \"enforce\";\n"
	"default = \"drop\";\n"
	"networks = { lan = [ \"192.168.1.0/24\" ]; router = \"192.168.1.1\"; };\n"
	"devices = ( { name = \"cams\"; mac = [ \"44:47:cc:00:00:01\" ]; } );\n"
	"rules = (\n"
	"\t{ name = \"dns\"; from = \"cams\"; to = \"router\"; proto = \"udp\"; port = 53;\n"
	"\t  action = \"allow\"; },\n"
	"\t{ name = \"no-wan\"; from = \"cams\"; to = \"wan\"; action = \"reject\"; }\n"
	");\n";

/* A daemon's state as setup leaves it, without its queues and threads. */
static int setup(void **state)
{
	static const uint8_t cam[6] = { 0x44, 0x47, 0xcc, 0, 0, 1 };
	uint8_t a[16] = { 192, 168, 1, 21 };
	struct run *r = calloc(1, sizeof(*r));
	struct decision d;

	assert_non_null(r);
	r->p = policy_of_text(policy_text);
	snprintf(r->path, sizeof(r->path), "/etc/nfq-guard/test.conf");
	r->sh = engine_shared_new(r->p);
	assert_non_null(r->sh);
	pthread_rwlock_init(&r->swap, NULL);
	pthread_mutex_init(&r->events_lock, NULL);
	assert_int_equal(devtab_init(&r->devs, 8), 0);
	nft_config_default(&r->nc);
	r->nc.queue_num = 3;
	r->nc.gen = 9;
	snprintf(r->pv.user, sizeof(r->pv.user), "nfq-guard");
	r->retired.decisions = 7; /* engines a reload replaced */
	r->retired.snooped = 4;
	r->events_written = 5;
	r->lim.held = 2;
	r->lim.summaries = 1;
	r->reloads = 3;
	r->reloads_failed = 1;
	decision_for(r->p, cam, a, ACTION_REJECT, &d);
	devtab_note(&r->devs, r->p, true, cam, 4, a, &d, true, 2000);
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct run *r = *state;

	devtab_fini(&r->devs);
	engine_shared_free(r->sh);
	pthread_rwlock_destroy(&r->swap);
	pthread_mutex_destroy(&r->events_lock);
	policy_free(r->p);
	free(r);
	return 0;
}

static char *report(struct run *r, bool stats, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (stats)
		assert_int_equal(report_stats(r, f, json ? REPORT_JSON : REPORT_TEXT), 0);
	else
		report_status(r, f, json);
	fclose(f);
	return buf;
}

static void has(const char *s, const char *part)
{
	if (!strstr(s, part))
		fail_msg("no %s in %s", part, s);
}

static void test_stats_json(void **state)
{
	struct run *r = *state;
	char *s = report(r, true, true);

	/* the check itself refuses what is not JSON */
	assert_false(json_valid("{\"a\":1,}"));
	assert_false(json_valid("{\"a\":1}x"));
	assert_false(json_valid("{\"a\":\"\x01\"}"));
	assert_true(json_valid("{\"a\":[1,-2.5e3,\"\\u00e9\",null,true]}"));
	assert_true(json_valid(s));
	assert_int_equal(s[strlen(s) - 1], '\n');
	has(s, "{\"packets\":0,\"decisions\":7,\"pending\":0,\"pending_cut\":0,\"snooped\":4,");
	has(s, "\"queues\":[],");
	has(s, "\"rules\":[{\"rule\":\"dns\",\"action\":\"allow\",\"flows\":0},"
	       "{\"rule\":\"no-wan\",\"action\":\"reject\",\"flows\":0},"
	       "{\"rule\":\"default\",\"action\":\"drop\",\"flows\":0}]");
	has(s, "\"caches\":{\"names\":{\"entries\":0,\"max\":");
	has(s, "\"flows\":{\"entries\":0,\"max\":0,\"evicted\":0}");
	has(s, "\"device_addresses\":{\"entries\":0,\"max\":");
	has(s, "\"per_device\":{\"devices\":[{\"mac\":\"44:47:cc:00:00:01\"");
	has(s, "\"flows_blocked\":1}");
	has(s, "\"events\":{\"written\":5,\"held_back\":2,\"summaries\":1}}");
	free(s);
	/* gathered and let go: a reload (or a worker) is not kept waiting */
	assert_int_equal(pthread_rwlock_trywrlock(&r->swap), 0);
	pthread_rwlock_unlock(&r->swap);
}

static void test_stats_text(void **state)
{
	struct run *r = *state;
	char *s = report(r, true, false);

	has(s,
	    "packets:     0 queued, 7 flows decided, 0 waited for a name (0 cut short), "
	    "4 DNS answers snooped (0 answering no query seen, 0 streams not read), 0 unreadable\n");
	has(s, "  dns                      allow   0\n");
	has(s, "  (default)                drop    0\n");
	has(s, "devices 1 (0 evicted)");
	has(s, "events:      5 written, 2 held back (1 summary lines)\n");
	free(s);
}

static void test_status_json(void **state)
{
	struct run *r = *state;
	char *s = report(r, false, true);

	assert_true(json_valid(s));
	has(s, "\"policy\":\"/etc/nfq-guard/test.conf\",\"mode\":\"enforce\",\"default\":\"drop\"");
	has(s, "\"queue_num\":3,\"queue_threads\":0,");
	has(s, "\"generation\":9,");
	has(s, "\"reloads\":3,\"reloads_failed\":1,");
	has(s, "\"user\":\"nfq-guard\",\"events\":null}");
	free(s);
	s = report(r, false, false);
	has(s, "events:      (log only)\n");
	has(s, "reloads:     3 (1 rejected)");
	free(s);
}

static char *prometheus(struct run *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(report_stats(r, f, REPORT_PROMETHEUS), 0);
	fclose(f);
	return buf;
}

/*
 * Every sample's family announced by HELP then TYPE (counter names end
 * _total), each family once, every name nfq_guard_*; the number of families.
 */
static size_t check_exposition(char *s)
{
	char fam[64][64], *line, *save = NULL;
	size_t nfam = 0;
	bool help = false;

	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64], type[16];

		if (sscanf(line, "# HELP %63s", name) == 1) {
			assert_false(help);
			for (size_t i = 0; i < nfam; i++)
				assert_string_not_equal(fam[i], name);
			assert_true(nfam < 64);
			snprintf(fam[nfam], sizeof(fam[nfam]), "%s", name);
			help = true;
		} else if (sscanf(line, "# TYPE %63s %15s", name, type) == 2) {
			assert_true(help);
			assert_string_equal(name, fam[nfam]);
			if (!strcmp(type, "counter"))
				assert_string_equal(name + strlen(name) - 6, "_total");
			else
				assert_string_equal(type, "gauge");
			help = false;
			nfam++;
		} else {
			size_t n = strcspn(line, "{ ");

			assert_true(nfam > 0);
			assert_true(n == strlen(fam[nfam - 1]) && !strncmp(line, fam[nfam - 1], n));
			assert_non_null(strchr(line, ' '));
		}
	}
	for (size_t i = 0; i < nfam; i++)
		assert_int_equal(strncmp(fam[i], "nfq_guard_", 10), 0);
	return nfam;
}

static void test_stats_prometheus(void **state)
{
	struct run *r = *state;
	char *s = prometheus(r);

	has(s, "# HELP nfq_guard_flows_decided_total ");
	has(s, "\n# TYPE nfq_guard_flows_decided_total counter\nnfq_guard_flows_decided_total 7\n");
	has(s, "\nnfq_guard_rule_flows_total{rule=\"no-wan\",action=\"reject\"} 0\n");
	has(s, "\nnfq_guard_rule_flows_total{rule=\"default\",action=\"drop\"} 0\n");
	has(s, "\nnfq_guard_group_flows_total{group=\"cams\",verdict=\"blocked\"} 0\n");
	has(s, "\nnfq_guard_cache_entries{cache=\"devices\"} 1\n");
	has(s, "\nnfq_guard_reloads_total 3\n");
	has(s, "\nnfq_guard_reloads_failed_total 1\n");
	has(s, "\nnfq_guard_events_written_total 5\n");
	has(s, "\nnfq_guard_policy_generation 9\n");
	has(s, "nfq_guard_info{version=\"");
	assert_true(check_exposition(s) >= 10);
	free(s);
	assert_int_equal(pthread_rwlock_trywrlock(&r->swap), 0);
	pthread_rwlock_unlock(&r->swap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stats_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_prometheus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_json, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
