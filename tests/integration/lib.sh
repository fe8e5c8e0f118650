# Shared by tests/integration/run and its cases: the lab, nfq-guard on the
# router, and the t/ok/bad/check bookkeeping.  Sourced, not run (bash).
# shellcheck shell=bash
tmp=$(mktemp -d /tmp/nfqg-integration.XXXXXX)
# the daemon runs as an unprivileged user: it must reach its event log
chmod 755 "$tmp"
EVENTS=$tmp/log/nfq-guard/events.json # in a directory of its own: reopen works
CTL=$tmp/run/control # the daemon makes run/ and may remove its socket
ctl() { "$BIN" -s "$CTL" "$@"; } # a control command to the running daemon
guard_pid=
nsx() { local n=$1; shift; ip netns exec "$LAB_PREFIX-$n" "$@"; }

stop_guard() {
	if [ -n "$guard_pid" ]; then
		kill -TERM "$guard_pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$guard_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$guard_pid" 2>/dev/null
		wait "$guard_pid" 2>/dev/null
		guard_pid=
	fi
	nsx router nft delete table inet nfq_guard 2>/dev/null
	return 0
}
cleanup() {
	stop_guard
	scripts/lab down >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# start_guard FAIL [P2P]: run nfq-guard with the lab policy; wait until it filters
start_guard() {
	[ -z "$guard_pid" ] || stop_guard
	sed -e "s|@FAIL@|$1|" -e "s|@P2P@|${2:-drop}|" -e "s|@EVENTS@|$EVENTS|" \
		-e "s|@POLICIES@|$(pwd)/policies|" tests/integration/lab.conf.in >"$tmp/lab.conf"
	: >"$tmp/guard.log"
	# not through nsx: $! must be nfq-guard itself (ip netns exec execs it)
	ip netns exec "$LAB_NS_ROUTER" "$BIN" -c "$tmp/lab.conf" run -f --socket "$CTL" \
		>>"$tmp/guard.log" 2>&1 &
	guard_pid=$!
	for _ in $(seq 50); do
		grep -q "filtering with" "$tmp/guard.log" && return 0
		kill -0 "$guard_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "nfq-guard did not start:"
	cat "$tmp/guard.log"
	return 1
}

# queued: how many packets the router's queues have seen so far
queued() { nsx router awk '{ n += $8 } END { print n + 0 }' /proc/net/netfilter/nfnetlink_queue; }

# https NODE NAME ADDR [SNI]: GET / over TLS, print the body; curl's exit code
https() {
	local node=$1 name=$2 addr=$3
	case $addr in *:*) addr="[$addr]" ;; esac
	nsx "$node" curl -sk --max-time 4 --resolve "$name:443:$addr" "https://$name/"
}

t() { # t NAME: announce a test; its verdict comes from ok/bad
	cur=$1
}
ok() { pass=$((pass + 1)); echo "ok     $cur"; }
bad() {
	fail=$((fail + 1))
	echo "FAILED $cur: $*"
	sed 's/^/       guard: /' "$tmp/guard.log" | tail -n 8
}
check() { if eval "$1"; then ok; else bad "$2"; fi; }
event() { grep -c "$1" "$EVENTS" 2>/dev/null || true; }
