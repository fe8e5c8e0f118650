# nfq-guard - netfilter-queue verdict engine for untrusted IP cameras.
# Build output goes to build/ only.  See README.md.

PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR    ?=
PKG_CONFIG ?= pkg-config
CC         ?= cc
SAN_CC     ?= clang
CFLAGS     ?= -O2 -g
LDFLAGS    ?=

# Fuzzing: seconds per fuzzer for `make fuzz` (FUZZ_RUNS=N stops after N
# executions instead), and for the smoke run inside `make check`.
FUZZ_TIME  ?= 60
FUZZ_RUNS  ?= -1
FUZZ_SMOKE ?= 5

VERSION := 0.1.0
B := build
PKGS := libnetfilter_queue libmnl libnftnl libconfig libpcap libcrypto json-c zlib

WARN := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wimplicit-fallthrough -Wno-missing-field-initializers
HARDEN := -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fstack-clash-protection -fPIE
HARDEN_LD := -pie -Wl,-z,relro,-z,now -Wl,--as-needed
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

ALL_CFLAGS = -DNFQG_VERSION=\"$(VERSION)\" \
	-DPOLICY_DEFAULT_PATH=\"$(SYSCONFDIR)/nfq-guard/nfq-guard.conf\" \
	$(WARN) $(WERROR) $(HARDEN) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_CFLAGS = $(WARN) $(WERROR) $(PKG_CFLAGS) -O1 -g $(SAN_FLAGS) -MMD -MP

# The sources live in one folder per layer (README, "Layout"), listed from
# the bottom up; each layer is one archive, and a program links the archives
# top layer first, so that a layer can use only what lies below it.
LAYERS := base decode policy engine kernel print service cli
LINK_ORDER := cli service print kernel engine policy decode base
SRCS := $(wildcard $(LAYERS:%=nfq-guard/%/*.c))
MAIN := nfq-guard/cli/main.c
LIB_SRCS := $(filter-out $(MAIN),$(SRCS))
layer_objs = $(patsubst nfq-guard/%.c,$(1)/obj/%.o,$(filter nfq-guard/$(2)/%,$(LIB_SRCS)))

LIBS := $(LINK_ORDER:%=$(B)/lib/libnfqg-%.a)
SAN_LIBS := $(LINK_ORDER:%=$(B)/san/lib/libnfqg-%.a)
FUZZ_LIBS := $(LINK_ORDER:%=$(B)/fuzz/lib/libnfqg-%.a)
TSAN_LIBS := $(LINK_ORDER:%=$(B)/tsan/lib/libnfqg-%.a)

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/san/%)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/fuzz/%)
# The unit tests that run several engines on one shared state in threads,
# built with ThreadSanitizer by `make tsan`.
TSAN_TESTS = $(filter $(wildcard tests/unit/test_*.c),$(TSAN_TEST_NAMES:%=tests/unit/%.c))
TSAN_BINS = $(TSAN_TESTS:tests/unit/%.c=$(B)/tsan/%)

.PHONY: all check unit tsan layers-check fuzz fuzz-build fuzz-smoke cli-test integration man-lint docs-test bench \
	install uninstall install-test systemd-test \
	clean format format-check deps FORCE

all: $(B)/nfq-guard

# Rebuild when the flags change (so `make check` really builds with -Werror).
$(B)/.flags: FORCE
	@mkdir -p $(B)
	@echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS) | $(SAN_CC) $(SAN_CFLAGS)' > $@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@

$(B)/obj/%.o: nfq-guard/%.c $(B)/.flags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Infq-guard -c -o $@ $<

# One archive per layer, for each kind of build (plain, sanitized, fuzzing,
# thread-sanitized): $(B)/lib/libnfqg-LAYER.a and so on.
define layer_lib
$(1)/lib/libnfqg-$(2).a: $(call layer_objs,$(1),$(2))
	@mkdir -p $$(dir $$@)
	@rm -f $$@
	$$(AR) rcs $$@ $$^
endef
$(foreach l,$(LAYERS),$(eval $(call layer_lib,$(B),$(l))))
$(foreach l,$(LAYERS),$(eval $(call layer_lib,$(B)/san,$(l))))
$(foreach l,$(LAYERS),$(eval $(call layer_lib,$(B)/fuzz,$(l))))
$(foreach l,$(LAYERS),$(eval $(call layer_lib,$(B)/tsan,$(l))))

$(B)/nfq-guard: $(B)/obj/cli/main.o $(LIBS)
	$(CC) $(CFLAGS) $(HARDEN_LD) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Unit tests: cmocka, built with AddressSanitizer and UBSan.
$(B)/san/obj/%.o: nfq-guard/%.c $(B)/.flags
	@mkdir -p $(dir $@)
	$(SAN_CC) $(SAN_CFLAGS) -Infq-guard -c -o $@ $<

$(B)/san/test_%: tests/unit/test_%.c $(SAN_LIBS) $(B)/.flags
	@mkdir -p $(dir $@)
	$(SAN_CC) $(SAN_CFLAGS) -Infq-guard -Itests/unit -o $@ $< $(SAN_LIBS) \
		$(PKG_LIBS) -lcmocka -lpthread

unit: $(UNIT_BINS)
	@tests/run-unit $(UNIT_BINS)

# ThreadSanitizer: the engine's and the name cache's tests, with several
# engines on one shared state in threads.  Any report fails the run.
TSAN_TEST_NAMES := test_engine test_names test_shared
TSAN_CFLAGS = $(WARN) $(WERROR) $(PKG_CFLAGS) -O1 -g -fsanitize=thread -fno-omit-frame-pointer \
	-MMD -MP

$(B)/tsan/obj/%.o: nfq-guard/%.c $(B)/.flags
	@mkdir -p $(dir $@)
	$(SAN_CC) $(TSAN_CFLAGS) -Infq-guard -c -o $@ $<

$(B)/tsan/test_%: tests/unit/test_%.c $(TSAN_LIBS) $(B)/.flags
	@mkdir -p $(dir $@)
	$(SAN_CC) $(TSAN_CFLAGS) -Infq-guard -Itests/unit -o $@ $< $(TSAN_LIBS) \
		$(PKG_LIBS) -lcmocka -lpthread

.PHONY: tsan
tsan: $(TSAN_BINS)
	@TSAN_OPTIONS="halt_on_error=1 exitcode=66 $(TSAN_OPTIONS)" tests/run-unit $(TSAN_BINS)

# The layers hold: every #include against the table in tests/layers/check,
# and each layer's archive linked whole with only the layers below it.
.PHONY: layers-check
layers-check: $(LIBS)
	@tests/layers/check --cc "$(CC)" --ldflags "$(HARDEN_LD) $(LDFLAGS)" --libdir $(B)/lib \
		--pkg-config "$(PKG_CONFIG)"

# Fuzzers: libFuzzer harnesses over the parsers and the engine.
$(B)/fuzz/obj/%.o: nfq-guard/%.c $(B)/.flags
	@mkdir -p $(dir $@)
	$(SAN_CC) $(SAN_CFLAGS) -fsanitize=fuzzer-no-link -Infq-guard -c -o $@ $<

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIBS) $(B)/.flags
	@mkdir -p $(dir $@)
	$(SAN_CC) $(SAN_CFLAGS) -fsanitize=fuzzer -Infq-guard -o $@ $< $(FUZZ_LIBS) $(PKG_LIBS) \
		-lpthread

# fuzz_quic's seeds, sealed by the tests' sealer: committed, and written
# again by `make quic-seeds` only when they should change.
$(B)/fuzz/quic_seeds: tests/fuzz/quic_seeds.c $(B)/.flags
	@mkdir -p $(dir $@)
	$(SAN_CC) $(SAN_CFLAGS) -o $@ $< $(PKG_LIBS)

.PHONY: quic-seeds
quic-seeds: $(B)/fuzz/quic_seeds
	@mkdir -p tests/fuzz/corpus/quic
	$(B)/fuzz/quic_seeds tests/fuzz/corpus/quic

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@tests/run-fuzz "$(FUZZ_TIME)" "$(FUZZ_RUNS)" $(FUZZ_BINS)

fuzz-smoke: $(FUZZ_BINS)
	@tests/run-fuzz "$(FUZZ_SMOKE)" -1 $(FUZZ_BINS)

# Command-line tests: the built binary against the captures in tests/data.
cli-test: $(B)/nfq-guard
	@tests/run-cli $(B)/nfq-guard

# Integration tests: the built binary on a lab of network namespaces (root;
# skipped with a message otherwise).
integration: $(B)/nfq-guard $(B)/tests/quic_client
	@tests/integration/run $(B)/nfq-guard

# The integration tests' QUIC client, sealed as the unit tests' Initials are.
$(B)/tests/quic_client: tests/integration/quic_client.c tests/unit/quic_seal.h $(B)/.flags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(HARDEN_LD) $(LDFLAGS) -o $@ $< -lcrypto

# The newcomer's demo (root): packages, build, the lab, a short scene with
# nfq-guard and policies/default.conf, a table of what was blocked, teardown.
.PHONY: demo
demo:
	@scripts/demo

man-lint:
	mandoc -Tlint -Wwarning $(wildcard man/*.[0-9])

# Every flag and command of the binary's --help, and every key policy.c reads,
# is documented in the man pages.
docs-test: $(B)/nfq-guard
	@tests/docs/check.py $(B)/nfq-guard

# As root, check also boots the unit under a real systemd (systemd-test).
check:
	@$(MAKE) --no-print-directory WERROR=-Werror all layers-check unit tsan \
		fuzz-smoke cli-test install-test man-lint docs-test format-check integration \
		$(if $(filter 0,$(shell id -u)),systemd-test)

# Benchmarks: figures, not pass/fail (BENCHMARKS.md).  QUICK=1 for a short run.
BENCH_PACKETS = $(if $(QUICK),200000,1000000)
BENCH_RUNS = $(if $(QUICK),3,5)

$(B)/bench/bench_engine: tests/bench/bench_engine.c $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Infq-guard $(HARDEN_LD) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/bench/bench_names: tests/bench/bench_names.c $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Infq-guard $(HARDEN_LD) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The lab's load tools: the accept-everything baseline and the camera side.
$(B)/bench/accept_loop: tests/bench/accept_loop.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(HARDEN_LD) $(LDFLAGS) -o $@ $< $(PKG_LIBS) -lpthread

$(B)/bench/connload: tests/bench/connload.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(HARDEN_LD) $(LDFLAGS) -o $@ $<

# The engine benchmark, then (root) the lab benchmarks; every figure of this
# run goes to $(B)/bench/results.json.
bench: $(B)/nfq-guard $(B)/bench/bench_engine $(B)/bench/bench_names $(B)/bench/accept_loop $(B)/bench/connload
	@rm -f $(B)/bench/*.txt $(B)/bench/results.json
	@tests/bench/run-engine $(B)/bench/bench_engine $(BENCH_PACKETS) $(BENCH_RUNS) $(B)/bench
	@$(B)/bench/bench_names 1000000 | tee $(B)/bench/names.txt
	@tests/bench/run-lab $(B)/nfq-guard $(B)/bench $(B)/bench $(if $(QUICK),quick)
	@tests/bench/results-json $(B)/bench

deps:
	scripts/setup

# install: the binary, the man pages (with SYSCONFDIR in their paths), the
# shipped policies and their lists under SYSCONFDIR/nfq-guard/, default.conf
# also as nfq-guard.conf unless that exists (the admin's edits stay), the
# systemd unit, bash completion and the logrotate snippet.  uninstall removes
# all of it but nfq-guard.conf.
CONFDIR := $(SYSCONFDIR)/nfq-guard
POLICIES := $(wildcard policies/*.conf) policies/camera-vendors.manuf
DOMAIN_LISTS := $(wildcard policies/domains/*.list)
SUBST_PATHS := sed -e 's|/usr/sbin/nfq-guard|$(SBINDIR)/nfq-guard|g' \
	-e 's|/etc/nfq-guard/|$(CONFDIR)/|g'

install: $(B)/nfq-guard
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(CONFDIR)/domains $(DESTDIR)$(UNITDIR) $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(SYSCONFDIR)/logrotate.d
	install -m 0755 $(B)/nfq-guard $(DESTDIR)$(SBINDIR)/nfq-guard
	$(SUBST_PATHS) man/nfq-guard.8 > $(DESTDIR)$(MANDIR)/man8/nfq-guard.8
	$(SUBST_PATHS) man/nfq-guard.conf.5 > $(DESTDIR)$(MANDIR)/man5/nfq-guard.conf.5
	chmod 0644 $(DESTDIR)$(MANDIR)/man8/nfq-guard.8 $(DESTDIR)$(MANDIR)/man5/nfq-guard.conf.5
	install -m 0644 $(POLICIES) $(DESTDIR)$(CONFDIR)/
	install -m 0644 $(DOMAIN_LISTS) $(DESTDIR)$(CONFDIR)/domains/
	@if [ -e $(DESTDIR)$(CONFDIR)/nfq-guard.conf ]; then \
		echo "keeping $(DESTDIR)$(CONFDIR)/nfq-guard.conf (compare with default.conf beside it)"; \
	else \
		echo "install -m 0644 policies/default.conf $(DESTDIR)$(CONFDIR)/nfq-guard.conf"; \
		install -m 0644 policies/default.conf $(DESTDIR)$(CONFDIR)/nfq-guard.conf; \
	fi
	$(SUBST_PATHS) scripts/nfq-guard.service > $(DESTDIR)$(UNITDIR)/nfq-guard.service
	$(SUBST_PATHS) scripts/nfq-guard.logrotate > $(DESTDIR)$(SYSCONFDIR)/logrotate.d/nfq-guard
	chmod 0644 $(DESTDIR)$(UNITDIR)/nfq-guard.service $(DESTDIR)$(SYSCONFDIR)/logrotate.d/nfq-guard
	install -m 0644 scripts/nfq-guard.bash-completion $(DESTDIR)$(BASHCOMPDIR)/nfq-guard

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/nfq-guard $(DESTDIR)$(MANDIR)/man8/nfq-guard.8 \
		$(DESTDIR)$(MANDIR)/man5/nfq-guard.conf.5 \
		$(POLICIES:policies/%=$(DESTDIR)$(CONFDIR)/%) \
		$(DOMAIN_LISTS:policies/%=$(DESTDIR)$(CONFDIR)/%) \
		$(DESTDIR)$(UNITDIR)/nfq-guard.service $(DESTDIR)$(BASHCOMPDIR)/nfq-guard \
		$(DESTDIR)$(SYSCONFDIR)/logrotate.d/nfq-guard
	rmdir $(DESTDIR)$(CONFDIR)/domains $(DESTDIR)$(CONFDIR) 2>/dev/null || :
	@if [ -e $(DESTDIR)$(CONFDIR)/nfq-guard.conf ]; then \
		echo "kept $(DESTDIR)$(CONFDIR)/nfq-guard.conf: remove it by hand if unwanted"; fi

# Installs into a temporary DESTDIR and checks the result (no root needed).
install-test: $(B)/nfq-guard
	@tests/install/run

# Root: the unit under a real systemd 252 in systemd-nspawn, on a bookworm
# rootfs made by mmdebstrap (cached in $(B)/systemd-test, or in
# $NFQG_ROOTFS_CACHE).
systemd-test: $(B)/nfq-guard
	@tests/systemd/run $(B)

FORMAT_FILES := $(wildcard nfq-guard/*/*.[ch] tests/unit/*.[ch] tests/fuzz/*.c)

format:
	clang-format -i $(FORMAT_FILES)

format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf $(B)

FORCE:

# objects are not intermediate files: keep them between runs
.SECONDARY:

-include $(wildcard $(B)/obj/*/*.d $(B)/san/obj/*/*.d $(B)/san/*.d $(B)/fuzz/obj/*/*.d \
	$(B)/fuzz/*.d $(B)/tsan/obj/*/*.d $(B)/tsan/*.d)
