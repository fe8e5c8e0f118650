# A camera that tries to slip a TLS flow past its domain rules, through the
# real kernel to the WAN's real TLS server, on raw sockets
# (../hostile_tls.py): a first copy of the ClientHello that dies past the
# router, and a hello sent out of order.  Sourced by ../run.
# shellcheck shell=bash
start_guard open || { bad "nfq-guard did not start"; return; }
hostile() { nsx cam1 python3 tests/integration/hostile_tls.py "$@" --timeout 3; }
# the camera's kernel must not reset the connections it did not open itself
nsx cam1 sh -c 'nft add table inet nfqg_hostile &&
	nft add chain inet nfqg_hostile out "{ type filter hook output priority 0; }" &&
	nft add rule inet nfqg_hostile out "tcp flags & rst == rst" drop'
# the hop past the router: a packet that leaves the router with TTL 1 dies here
nsx wan sh -c 'nft add table ip nfqg_hostile &&
	nft add chain ip nfqg_hostile pre "{ type filter hook prerouting priority -300; }" &&
	nft add rule ip nfqg_hostile pre ip ttl 1 drop'

t "hostile: hand-made connections with an allowed name get their ServerHello (the tool works)"
out=$(hostile plain "$LAB_CAM1" "$LAB_WAN_IP7" 443 "$LAB_NAME_OK")
# the same name in both copies: the first dies past the router, the server answers the second
again=$(hostile firstcopy "$LAB_CAM1" "$LAB_WAN_IP7" 443 "$LAB_NAME_OK" "$LAB_NAME_OK" --ttl 2)
check '[[ $out == serverhello && $again == serverhello ]]' "plain '$out', first copy of the same '$again'"

t "hostile: a first copy naming an allowed server, dying past the router, does not carry the vendor's"
evmark
out=$(hostile firstcopy "$LAB_CAM1" "$LAB_WAN_IP7" 443 "$LAB_NAME_EZVIZ_UPGRADE" "$LAB_NAME_OK" --ttl 2)
sleep 0.5
check '[[ $out == none && $(ev rule=hik-cloud name_source=unreadable "note=a retransmission differs*") -ge 1 ]]' \
	"got '$out'; events: $(evshow 3)"

t "hostile: the vendor's hello sent second half first is read whole and dropped"
sleep 3 # events_interval: a second hik-cloud event within 3 s would be held back
evmark
out=$(hostile ooo "$LAB_CAM1" "$LAB_WAN_IP7" 443 "$LAB_NAME_EZVIZ_UPGRADE")
sleep 0.5
check '[[ $out == none && $(ev rule=hik-cloud "name=$LAB_NAME_EZVIZ_UPGRADE" name_source=sni) -ge 1 ]]' \
	"got '$out'; events: $(evshow 3)"

t "hostile: a segment conntrack calls invalid goes to the queue, not past it"
loose=$(nsx router sysctl -n net.netfilter.nf_conntrack_tcp_loose)
nsx router sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0
nsx wan nft add rule ip nfqg_hostile pre ip saddr "$LAB_CAM1" tcp dport 80 counter
before=$(queued)
out=$(hostile stray "$LAB_CAM1" "$LAB_WAN_IP8" 80 "$LAB_NAME_EZVIZ")
sleep 0.5
after=$(queued)
reached=$(nsx wan nft list chain ip nfqg_hostile pre | awk '/dport 80 counter/ { print $(NF - 2) }')
nsx router sysctl -qw net.netfilter.nf_conntrack_tcp_loose="$loose"
check '[[ $out == sent && $((after - before)) -ge 1 && $reached == 0 ]]' \
	"sent '$out', queued $before -> $after, packets that reached the WAN: '$reached'"

# the WAN server's half of the hand-made connections: gone, not retransmitting
nsx wan ss -K -t dst "$LAB_CAM1" >/dev/null 2>&1
nsx cam1 nft delete table inet nfqg_hostile
nsx wan nft delete table ip nfqg_hostile

# Kept-alive HTTP: port 80 to the WAN allowed but for the vendors' names, so
# that a camera's HTTP flow is let pass after its first head and watched.
sed -e 's|port = 80; action = "reject"|port = 80; action = "allow"|' "$tmp/lab.conf" >"$tmp/keepalive.conf"
start_guard_conf "$tmp/keepalive.conf" || { bad "nfq-guard did not start"; return; }

t "DNS: a second query from the same socket (same ports, a decided flow) is matched to its answer"
evmark
one=$(nsx cam2 dig +short +time=2 +tries=1 -b "0.0.0.0#5399" "@$LAB_WAN_DNS" "$LAB_NAME_OK" A)
addr=$(nsx cam2 dig +short +time=2 +tries=1 -b "0.0.0.0#5399" "@$LAB_WAN_DNS" "$LAB_NAME_DAHUA_P2P" A)
echo=$(udp_ask cam2 "$LAB_WAN_IP9" "$LAB_PORT_P2P" /probe/second-query)
sleep 0.5
check '[[ $one == "$LAB_WAN_IP7" && $addr == "$LAB_WAN_IP9" && $echo == none &&
	$(ev rule=dahua-p2p "name=$LAB_NAME_DAHUA_P2P" name_source=dns) -ge 1 ]]' \
	"resolved '$one' '$addr', echo '$echo'; events: $(evshow 3)"

t "keep-alive: curl's two requests on one connection to an allowed host are both answered"
out=$(nsx cam1 curl -s --max-time 6 --resolve "$LAB_NAME_WWW:80:$LAB_WAN_IP10" \
	-o /dev/null -o /dev/null -w '%{http_code}/%{num_connects} ' \
	"http://$LAB_NAME_WWW/one" "http://$LAB_NAME_WWW/two")
check '[[ $out == "200/1 200/0 " ]]' "got '$out'"

t "keep-alive: a second request naming the vendor on an allowed connection is dropped"
evmark
out=$(nsx cam1 python3 - "$LAB_WAN_IP10" "$LAB_NAME_WWW" "$LAB_NAME_EZVIZ" <<'PY'
import http.client, socket, sys
addr, ok, vendor = sys.argv[1:]
c = http.client.HTTPConnection(addr, 80, timeout=3)
def ask(host):
    try:
        c.request("GET", "/", headers={"Host": host})
        r = c.getresponse()
        return "answered" if r.status == 200 and host in r.read().decode() else "other"
    except (socket.timeout, TimeoutError):
        return "none"
print(ask(ok), ask(vendor))
PY
)
sleep 0.5
check '[[ $out == "answered none" && $(ev rule=hik-cloud "name=$LAB_NAME_EZVIZ" name_source=http) -ge 1 ]]' \
	"got '$out'; events: $(evshow 3)"
nsx wan ss -K -t dst "$LAB_CAM1" >/dev/null 2>&1
