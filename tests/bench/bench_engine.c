/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench_engine.c - the engine benchmark: compile a policy, then replay a
 * capture through the same path as `nfq-guard replay` (capture reading,
 * decoders, DNS snooping, engine, decision lines to /dev/null), several
 * times.  Prints one "key value" line per figure.
 *
 * Usage: bench_engine POLICY CAPTURE RUNS
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "policy/policy.h"
#include "cli/replay.h"

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct policy_errors errs;
	struct policy *p;
	double t0, compile_ms, *wall, *cpu;
	int runs, i;
	FILE *null;

	if (argc != 4 || (runs = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: bench_engine POLICY CAPTURE RUNS\n");
		return 2;
	}
	t0 = now(CLOCK_MONOTONIC);
	p = policy_load(argv[1], &errs);
	compile_ms = (now(CLOCK_MONOTONIC) - t0) * 1000;
	if (!p) {
		for (i = 0; i < (int)errs.n; i++)
			fprintf(stderr, "%s\n", errs.lines[i]);
		return 1;
	}
	printf("compile_ms %.1f\ndomains %zu\n", compile_ms, p->ndomains);
	null = fopen("/dev/null", "w");
	wall = calloc((size_t)runs, sizeof(*wall));
	cpu = calloc((size_t)runs, sizeof(*cpu));
	if (!null || !wall || !cpu)
		return 1;
	for (i = 0; i < runs; i++) {
		double w = now(CLOCK_MONOTONIC), c = now(CLOCK_PROCESS_CPUTIME_ID);

		if (replay_file(p, argv[2], false, null, stderr))
			return 1;
		wall[i] = now(CLOCK_MONOTONIC) - w;
		cpu[i] = now(CLOCK_PROCESS_CPUTIME_ID) - c;
	}
	qsort(wall, (size_t)runs, sizeof(*wall), cmp_double);
	qsort(cpu, (size_t)runs, sizeof(*cpu), cmp_double);
	printf("replay_wall_s %.3f\nreplay_cpu_s %.3f\n", wall[runs / 2], cpu[runs / 2]);
	fclose(null);
	free(wall);
	free(cpu);
	policy_free(p);
	return 0;
}
