#!/bin/sh
# Self-test of the integration lab (scripts/lab): build it, check that every
# path the nfq-guard tests rely on works without nfq-guard, tear it down.
# Root; everything happens inside the nfqg-lab-* namespaces.  Prints
# "lab_selftest: N passed, M failed"; exit 1 on any failure.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
lab="$top/scripts/lab"
# shellcheck source=scripts/lab.env
. "$top/scripts/lab.env"
pass=0
fail=0
downed=0

ok() {
	pass=$((pass + 1))
	echo "ok   $1"
}
bad() {
	fail=$((fail + 1))
	echo "FAIL $1${2:+: $2}"
}
# check NAME CMD...: the command succeeds
check() {
	_name=$1
	shift
	if _out=$("$@" 2>&1); then ok "$_name"; else bad "$_name" "$(echo "$_out" | tail -n 3)"; fi
}
# expect NAME PATTERN CMD...: the command succeeds and prints a line matching PATTERN (grep -E)
expect() {
	_name=$1
	_pat=$2
	shift 2
	_out=$("$@" 2>&1)
	_rc=$?
	if [ $_rc -eq 0 ] && printf '%s\n' "$_out" | grep -Eq -- "$_pat"; then
		ok "$_name"
	else
		bad "$_name" "exit $_rc, wanted /$_pat/, got: $(printf '%s' "$_out" | head -c 300)"
	fi
}
x() { "$lab" exec "$@"; }

cleanup() {
	[ -n "${srv_pid:-}" ] && kill "$srv_pid" 2>/dev/null
	[ "$downed" = 1 ] || "$lab" down
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$(id -u)" -ne 0 ]; then
	echo "lab_selftest: must run as root" >&2
	exit 1
fi

host_before=$(ip -o link | sed 's/^[0-9]*: //' | cut -d' ' -f1 | sort; ip route; ip -6 route)

t0=$(date +%s.%N)
check "lab up" "$lab" up
t1=$(date +%s.%N)
up_s=$(awk "BEGIN{printf \"%.2f\", $t1 - $t0}")
echo "     (up took ${up_s}s)"
if awk "BEGIN{exit !($t1 - $t0 < 15)}"; then ok "up within 15 s"; else bad "up within 15 s" "${up_s}s"; fi
check "lab up again over a running lab" "$lab" up
check "lab status" "$lab" status
host_after=$(ip -o link | sed 's/^[0-9]*: //' | cut -d' ' -f1 | sort; ip route; ip -6 route)
if [ "$host_before" = "$host_after" ]; then
	ok "host links and routes untouched"
else
	bad "host links and routes untouched" "$(echo "$host_after" | grep -v -x -F "$host_before" | head -n 3)"
fi

# DNS through the router's dnsmasq
dig4() { x "$1" dig +time=2 +tries=1 +short "@$2" "$3" "$4"; }
addr=$(dig4 cam1 "$LAB_RESOLVER" "$LAB_NAME_EZVIZ" A | tail -n 1)
if [ "$addr" = "$LAB_WAN_IP7" ]; then
	ok "cam1 resolves $LAB_NAME_EZVIZ via $LAB_RESOLVER"
else
	bad "cam1 resolves $LAB_NAME_EZVIZ via $LAB_RESOLVER" "got '$addr'"
fi
expect "cam1 resolves AAAA via $LAB_RESOLVER_V6" "^$LAB_WAN_IP7_V6\$" \
	dig4 cam1 "$LAB_RESOLVER_V6" "$LAB_NAME_EZVIZ" AAAA
expect "CNAME $LAB_NAME_HIK_FW -> $LAB_NAME_CDN" "^$LAB_WAN_IP8\$" \
	dig4 cam2 "$LAB_RESOLVER" "$LAB_NAME_HIK_FW" A
expect "answers carry TTL $LAB_DNS_TTL" "[[:space:]]${LAB_DNS_TTL}[[:space:]]+IN[[:space:]]+A" \
	x cam1 dig +time=2 +tries=1 +noall +answer "@$LAB_RESOLVER" "$LAB_NAME_DAHUA_P2P" A
expect "unknown names are NXDOMAIN" "status: NXDOMAIN" \
	x laptop dig +time=2 +tries=1 "@$LAB_RESOLVER" nothing.invalid-lab.test A
expect "resolv.conf of the LAN hosts points at the router" "^$LAB_WAN_IP8\$" \
	x laptop dig +time=2 +tries=1 +short "$LAB_NAME_WWW" A

# HTTPS with SNI, HTTP with Host
expect "cam1 HTTPS to $LAB_NAME_EZVIZ names the SNI" "^sni=$LAB_NAME_EZVIZ\$" \
	x cam1 curl -sk --max-time 5 --resolve "$LAB_NAME_EZVIZ:443:${addr:-$LAB_WAN_IP7}" \
	"https://$LAB_NAME_EZVIZ/"
expect "laptop HTTP to $LAB_WAN_IP8 names the Host" "^host=$LAB_WAN_IP8\$" \
	x laptop curl -s --max-time 5 "http://$LAB_WAN_IP8/"
expect "HTTPS on $LAB_WAN_IP10 serves /bytes/N" "^300000\$" \
	sh -c "'$lab' exec cam2 curl -sk --max-time 5 https://$LAB_WAN_IP10/bytes/300000 | wc -c"

# NVR -> camera across the router: the cameras' RTSP servers
rtsp_frames() { # rtsp_frames NODE URL udp|tcp: frames received (of 15)
	x "$1" timeout 15 gst-launch-1.0 -v rtspsrc location="$2" protocols="$3" latency=0 ! \
		rtpjpegdepay ! fakesink num-buffers=15 silent=false 2>&1 | grep -c 'last-message = chain'
}
expect "nvr streams cam1 over RTSP, RTP over UDP" "^15\$" \
	rtsp_frames nvr "rtsp://$LAB_CAM1:$LAB_PORT_RTSP$LAB_RTSP_PATH" udp
expect "nvr streams cam2 over RTSP, interleaved TCP (IPv6)" "^15\$" \
	rtsp_frames nvr "rtsp://[$LAB_CAM2_V6]:$LAB_PORT_RTSP$LAB_RTSP_PATH" tcp

# UDP: a connected socket only accepts replies from the address it sent to
udp() { # udp NODE ADDR PORT: prints the reply
	x "$1" python3 -c '
import socket, sys
a, p = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.connect((a, p))
s.send(b"\x23" + b"\0" * 47 if p == 123 else b"/probe/p2psrv")
d = s.recv(2048)
print(d.decode() if p != 123 else "ntp mode %d" % (d[0] & 7))' "$2" "$3"
}
expect "cam2 UDP 8800 echo from $LAB_WAN_IP9" "^/probe/p2psrv\$" udp cam2 "$LAB_WAN_IP9" 8800
expect "cam1 UDP 123 answers" "^ntp mode 4\$" udp cam1 "$LAB_WAN_IP10" 123
expect "cam1 NTP to the router" "^ntp mode 4\$" udp cam1 "$LAB_ROUTER_LAN" 123
expect "cam2 NTP to the router over IPv6" "^ntp mode 4\$" udp cam2 "$LAB_ROUTER_LAN_V6" 123
expect "laptop SSDP M-SEARCH to 239.255.255.250 is answered by the router" "LOCATION: http://$LAB_ROUTER_LAN:" \
	x laptop python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"M-SEARCH * HTTP/1.1\r\nST: upnp:rootdevice\r\nMX: 1\r\n\r\n", ("239.255.255.250", 1900))
end = time.monotonic() + 2  # every answer: the media server (mediasrv) answers too
while time.monotonic() < end:
    s.settimeout(max(0.01, end - time.monotonic()))
    try:
        print(s.recv(2000).decode())
    except OSError:
        break'
# the discovery hosts (cam3 SADP, cam4 DHIP, cam5 ONVIF, the printer and the
# media server), probed from the router's LAN interface
expect "discovery hosts answer the router's searches (discovery_probe.py)" "^discovery_probe: PASS" \
	"$top/tests/integration/discovery_probe.py"
expect "laptop reads the router's UPnP description" "nfqg-lab router" \
	x laptop curl -s --max-time 5 "http://$LAB_ROUTER_LAN:$LAB_PORT_UPNP/rootDesc.xml"
expect "vendor domains of the shipped policies resolve ($LAB_NAME_DAHUA_CLOUD)" "^$LAB_WAN_IP9\$" \
	dig4 cam2 "$LAB_RESOLVER" "$LAB_NAME_DAHUA_CLOUD" A
expect "vendor domains of the shipped policies resolve ($LAB_NAME_HIK_TIME, AAAA)" "^$LAB_WAN_IP7_V6\$" \
	dig4 cam1 "$LAB_RESOLVER" "$LAB_NAME_HIK_TIME" AAAA

# IPv6 end to end
expect "cam1 HTTPS over IPv6 to [$LAB_WAN_IP7_V6]:443 names the SNI" "^sni=$LAB_NAME_EZVIZ\$" \
	x cam1 curl -sk -6 --max-time 5 --resolve "$LAB_NAME_EZVIZ:443:[$LAB_WAN_IP7_V6]" \
	"https://$LAB_NAME_EZVIZ/"
expect "cam2 UDP 8800 echo over IPv6" "^/probe/p2psrv\$" udp cam2 "$LAB_WAN_IP7_V6" 8800

# iperf3
check "laptop iperf3 to $LAB_WAN_IP8 (1 s)" x laptop timeout 10 iperf3 -c "$LAB_WAN_IP8" -t 1

# teardown, twice
check "lab down" "$lab" down
downed=1
check "lab down again" "$lab" down
left=$(ip netns list | grep "^$LAB_PREFIX-")
if [ -z "$left" ]; then ok "no $LAB_PREFIX-* namespace left"; else bad "no $LAB_PREFIX-* namespace left" "$left"; fi
if [ ! -e "$LAB_RUN_DIR" ] && ! ls -d /etc/netns/"$LAB_PREFIX"-* >/dev/null 2>&1; then
	ok "run dir and /etc/netns entries removed"
else
	bad "run dir and /etc/netns entries removed"
fi
"$lab" status >/dev/null
rc=$?
if [ $rc -eq 3 ]; then ok "status says down"; else bad "status says down" "exit $rc"; fi

echo "lab_selftest: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
