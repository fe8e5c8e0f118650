# Shared by tests/integration/run and its cases: the lab, nfq-guard on the
# router, and the t/ok/bad/check bookkeeping.  Sourced, not run (bash).
# shellcheck shell=bash
tmp=$(mktemp -d /tmp/nfqg-integration.XXXXXX)
# the daemon runs as an unprivileged user: it must reach its event log
chmod 755 "$tmp"
EVENTS=$tmp/log/nfq-guard/events.json # in a directory of its own: reopen works
STATE=$tmp/lib/nfq-guard/state.json # the daemon makes the directory, for its user
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

# lab_conf FAIL P2P OUT: the lab policy (lab.conf.in filled in) into OUT
lab_conf() {
	sed -e "s|@FAIL@|$1|" -e "s|@P2P@|$2|" -e "s|@EVENTS@|$EVENTS|" -e "s|@STATE@|$STATE|" \
		-e "s|@POLICIES@|$(pwd)/policies|" tests/integration/lab.conf.in >"$3"
}

# start_guard FAIL [P2P]: run nfq-guard with the lab policy; wait until it filters
start_guard() {
	lab_conf "$1" "${2:-drop}" "$tmp/lab.conf"
	start_guard_conf "$tmp/lab.conf"
}

# shipped_policy SHIPPED FAIL: print the path of a lab copy of a shipped policy
# (scripts/lab policy: the lab's router and NVR addresses, events in
# $EVENTS, fail FAIL; nothing else changed)
shipped_policy() { scripts/lab policy "$1" "$tmp/policy" "$EVENTS" "$2"; }

# start_guard_conf POLICY: run nfq-guard with POLICY; wait until it filters
start_guard_conf() {
	[ -z "$guard_pid" ] || stop_guard
	: >"$tmp/guard.log"
	# not through nsx: $! must be nfq-guard itself (ip netns exec execs it)
	ip netns exec "$LAB_NS_ROUTER" "$BIN" -c "$1" run -f --socket "$CTL" \
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

# found: the MACs in the kernel set dev_found, sorted, on one line
found() {
	nsx router nft list set inet nfq_guard dev_found 2>/dev/null |
		grep -o '[0-9a-f][0-9a-f]\(:[0-9a-f][0-9a-f]\)\{5\}' | sort | tr '\n' ' ' | sed 's/ $//'
}
# wait_found MAC [TENTHS]: until MAC is in dev_found (at most 3 s, or TENTHS / 10)
wait_found() {
	local _
	for _ in $(seq "${2:-30}"); do
		[[ " $(found) " == *" $1 "* ]] && return 0
		sleep 0.1
	done
	return 1
}
# found_stat KEY: caches.devices_found.KEY of ctl stats --json
found_stat() {
	ctl stats --json 2>/dev/null | $PY3 -c 'import json, sys; print(json.load(sys.stdin)["caches"]["devices_found"][sys.argv[1]])' "$1" 2>&1
}

# alone NODE FN: run FN (NODE's traffic) and count what the router's queues
# saw meanwhile into alone_q.  The queue counters are global: a camera that
# sends in the same window (a neighbour solicitation, a retried query) is
# counted too, so a test-owned table counts the packets the router sees
# that are neither from nor to NODE into alone_o, and a window with both
# is run again, up to 3 times.  alone_q -eq 0 is then a window in which
# NODE's traffic ran and nothing at all was queued; a window with queued
# packets and no other host's is NODE's and ends the tries.
alone() {
	local node=$1 fn=$2 n q0 mac ip ip6
	n=${node^^}
	mac=LAB_${n}_MAC ip=LAB_${n} ip6=LAB_${n}_V6
	nsx router nft delete table inet nfqg_alone 2>/dev/null
	nsx router nft -f - <<-EOF || return 1
		table inet nfqg_alone {
			chain pre {
				type filter hook prerouting priority -500; policy accept;
				ether saddr ${!mac} return
				ip daddr ${!ip} return
				ip6 daddr ${!ip6} return
				counter
			}
			chain out {
				type filter hook output priority -500; policy accept;
				ip daddr ${!ip} return
				ip6 daddr ${!ip6} return
				counter
			}
		}
	EOF
	for _ in 1 2 3; do
		nsx router nft reset counters table inet nfqg_alone >/dev/null
		q0=$(queued)
		"$fn"
		alone_q=$(($(queued) - q0))
		alone_o=$(nsx router nft list table inet nfqg_alone |
			awk '$1 == "counter" { n += $3 } END { print n + 0 }')
		[ "$alone_q" -gt 0 ] && [ "$alone_o" -gt 0 ] || break
	done
	nsx router nft delete table inet nfqg_alone
}

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

# --- real clients ----------------------------------------------------------
# fresh_cameras: close the cameras' leftover TCP connections (not their RTSP
# server's).  A connection an earlier test left behind (say a ClientHello
# dropped by SNI) keeps retransmitting for minutes; under a new nfq-guard
# those packets are decided again, by address, and the resulting block-set
# entry would silently drop - unlogged - the next test's connection to the
# same address and port.
fresh_cameras() {
	local n
	for n in cam1 cam2; do
		nsx "$n" ss -K -t state connected "( not sport = :$LAB_PORT_RTSP )" >/dev/null 2>&1
	done
	return 0
}

PY3=/usr/bin/python3
[ -x $PY3 ] || PY3=python3

# evmark: later ev calls count only the events written from now on
evmark() { ev_from=$(($(wc -l <"$EVENTS" 2>/dev/null || echo 0) + 1)); }
ev_from=1
# ev FIELD=VALUE...: how many events (since evmark) have every FIELD equal to
# VALUE ("null": JSON null; VALUE may end in * for a prefix)
ev() {
	tail -n "+$ev_from" "$EVENTS" 2>/dev/null | $PY3 -c '
import json, sys
want = [a.split("=", 1) for a in sys.argv[1:]]
def fits(v, w):
    s = "null" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
    return s.startswith(w[:-1]) if w.endswith("*") else s == w
n = 0
for line in sys.stdin:
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if all(fits(e.get(k), w) for k, w in want):
        n += 1
print(n)' "$@"
}
# evshow: the events since evmark, for a failure message
evshow() { tail -n "+$ev_from" "$EVENTS" 2>/dev/null | tail -n "${1:-4}" | cut -c1-400; }

# dig1 NODE SERVER NAME TYPE: the answer's last line (addresses), or nothing
dig1() { nsx "$1" dig +short +time=2 +tries=1 "@$2" "$3" "$4" 2>/dev/null | grep -v '^;' | tail -n 1; }

# udp_ask NODE ADDR PORT [PAYLOAD]: one datagram, print the reply or "none"
# (port 123: an NTP client request; the reply is printed as "ntp mode N")
udp_ask() {
	nsx "$1" timeout 5 $PY3 -c '
import socket, sys
a, p = sys.argv[1], int(sys.argv[2])
d = sys.argv[3].encode() if len(sys.argv) > 3 else b"\x23" + b"\0" * 47
s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(d, (a, p))
try:
    r = s.recv(2048)
    print("ntp mode %d" % (r[0] & 7) if p == 123 and len(sys.argv) == 3 else r.decode(errors="replace"))
except OSError:
    print("none")' "$2" "$3" "${@:4}"
}

# ssdp NODE ADDR: an SSDP M-SEARCH to ADDR:1900 (unicast or the group); prints
# the first line of the router's answer or "none" (at most 2 s).  Only the
# router's answers count: the lab's media server (mediasrv, on the same
# bridge) answers the group too, LAN-internal traffic the router never sees.
ssdp() {
	nsx "$1" timeout 5 $PY3 -c '
import socket, sys, time
a, mine = sys.argv[1], sys.argv[2:]
s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n"
         b"MX: 1\r\nST: upnp:rootdevice\r\n\r\n", (a, 1900))
end = time.monotonic() + 2
while time.monotonic() < end:
    s.settimeout(max(0.01, end - time.monotonic()))
    try:
        r, peer = s.recvfrom(2048)
    except OSError:
        break
    if peer[0] in mine:
        print(r.decode(errors="replace").split("\r\n")[0])
        sys.exit(0)
print("none")' "$2" "$LAB_ROUTER_LAN" "$LAB_ROUTER_LAN_V6" "$LAB_ROUTER_NVR" "$LAB_ROUTER_NVR_V6"
}

# wait_listen NODE PORT: until a TCP socket listens on PORT in NODE (at most
# 5 s; a python3 -m http.server takes more than half a second to start on a
# busy machine); wait_udp NODE PORT: the same for a UDP socket bound to PORT
wait_bound() {
	local _
	for _ in $(seq 50); do
		nsx "$1" ss -H"$2" "sport = :$3" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}
wait_listen() { wait_bound "$1" ltn "$2"; }
wait_udp() { wait_bound "$1" lun "$2"; }

# http NODE URL: the HTTP status (000: no answer), at most 3 s
http() { nsx "$1" curl -s -g -o /dev/null -w '%{http_code}' --max-time 3 "$2"; }

# rtsp_url CAMERA [6]: the camera's RTSP stream (IPv6 with 6)
rtsp_url() {
	local a
	case $1 in cam1) a=$LAB_CAM1 ;; cam2) a=$LAB_CAM2 ;; esac
	if [ "${2:-}" = 6 ]; then
		case $1 in cam1) a="[$LAB_CAM1_V6]" ;; cam2) a="[$LAB_CAM2_V6]" ;; esac
	fi
	echo "rtsp://$a:$LAB_PORT_RTSP$LAB_RTSP_PATH"
}
# rtsp_frames NODE URL udp|tcp FRAMES [SECONDS]: pull the stream with
# GStreamer's RTSP client until FRAMES JPEG frames arrived (or SECONDS, by
# default 15, passed); print how many arrived
rtsp_frames() {
	nsx "$1" timeout "${5:-15}" gst-launch-1.0 -v rtspsrc location="$2" protocols="$3" latency=0 \
		tcp-timeout=4000000 timeout=4000000 ! rtpjpegdepay ! fakesink num-buffers="$4" silent=false 2>&1 |
		grep -c 'last-message = chain'
}
