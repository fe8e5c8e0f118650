# The shipped policies/default.conf over IPv6: the same blocking and
# allowing as 20-default.sh, with the lab's IPv6 addresses.  Sourced by ../run.
# shellcheck shell=bash
fresh_cameras
start_guard_conf "$(shipped_policy policies/default.conf open)" || { bad "nfq-guard did not start"; return; }

t "IPv6: HTTPS to a hard-coded address with a vendor SNI is blocked"
evmark
out=$(https cam2 "$LAB_NAME_DAHUA_CLOUD" "$LAB_WAN_IP9_V6")
rc=$?
check '[[ $rc -ne 0 && $(ev device=dahua src="$LAB_CAM2_V6" dst="$LAB_WAN_IP9_V6" dport=443 action=drop rule=egress) -ge 1 ]]' \
	"curl $rc '$out'; events: $(evshow)"

t "IPv6: camera HTTPS to a cloud name (AAAA through the router's dnsmasq) is blocked and named"
evmark
a=$(dig1 cam1 "$LAB_RESOLVER_V6" "$LAB_NAME_EZVIZ" AAAA)
out=$(https cam1 "$LAB_NAME_EZVIZ" "${a:-$LAB_WAN_IP7_V6}")
rc=$?
check '[[ $a == "$LAB_WAN_IP7_V6" && $rc -ne 0 &&
	$(ev device=hikvision src="$LAB_CAM1_V6" dst="$LAB_WAN_IP7_V6" dport=443 rule=hikvision-cloud action=drop name="$LAB_NAME_EZVIZ") -ge 1 ]]' \
	"resolved '$a', curl $rc '$out'; events: $(evshow)"

# (HTTP: the address also carries the cloud name the camera looked up before:
# either rule may name it)
t "IPv6: the WAN resolver, plain HTTP and Dahua P2P are blocked and logged"
evmark
w=$(dig1 cam1 "$LAB_WAN_DNS_V6" "$LAB_NAME_EZVIZ" AAAA)
a=$(dig1 cam1 "$LAB_RESOLVER_V6" "$LAB_NAME_WWW" AAAA)
code=$(http cam1 "http://[${a:-$LAB_WAN_IP7_V6}]/")
p=$(dig1 cam2 "$LAB_RESOLVER_V6" "$LAB_NAME_DAHUA_P2P" AAAA)
echo=$(udp_ask cam2 "${p:-$LAB_WAN_IP9_V6}" "$LAB_PORT_P2P" /probe/p2psrv)
check '[[ -z $w && $a == "$LAB_WAN_IP7_V6" && $code == 000 && $p == "$LAB_WAN_IP9_V6" && $echo == none &&
	$(ev device=hikvision dst="$LAB_WAN_DNS_V6" dport=53 rule=dns-ntp-elsewhere action=drop) -ge 1 &&
	$(ev device=hikvision dst="$LAB_WAN_IP7_V6" proto=tcp dport=80 action=drop) -ge 1 &&
	$(ev device=dahua dst="$LAB_WAN_IP9_V6" proto=udp dport="$LAB_PORT_P2P" rule=dahua-cloud name="$LAB_NAME_DAHUA_P2P") -ge 1 ]]' \
	"WAN resolver '$w'; http [$a] $code; P2P ('$p') echo '$echo'; events: $(evshow 5)"

t "IPv6: DNS and NTP to the router work, SSDP to it does not (the laptop's does)"
evmark
dns=$(dig1 cam2 "$LAB_RESOLVER_V6" "$LAB_NAME_OK" A)
ntp=$(udp_ask cam2 "$LAB_ROUTER_LAN_V6" "$LAB_PORT_NTP")
s=$(ssdp cam2 "$LAB_ROUTER_LAN_V6")
lap=$(ssdp laptop "$LAB_ROUTER_LAN_V6")
check '[[ $dns == "$LAB_WAN_IP7" && $ntp == "ntp mode 4" && $s == none && $lap == "HTTP/1.1 200 OK" &&
	$(ev device=dahua dst="$LAB_ROUTER_LAN_V6" proto=udp dport=1900 rule=upnp-ssdp action=drop) -ge 1 ]]' \
	"dns '$dns', ntp '$ntp', camera ssdp '$s', laptop ssdp '$lap'; events: $(evshow)"

t "IPv6: the NVR streams the cameras over RTSP, RTP over UDP and interleaved TCP"
evmark
f1=$(rtsp_frames nvr "$(rtsp_url cam1 6)" udp 30)
f2=$(rtsp_frames nvr "$(rtsp_url cam2 6)" tcp 30)
check '[[ $f1 == 30 && $f2 == 30 && $(ev action=drop) -eq 0 ]]' \
	"frames: cam1/udp $f1, cam2/tcp $f2 (of 30); events: $(evshow)"

t "IPv6: the laptop's HTTPS and HTTP work and are never queued"
laptop_run6() {
	out=$(https laptop "$LAB_NAME_EZVIZ" "$LAB_WAN_IP7_V6")
	code=$(http laptop "http://[$LAB_WAN_IP9_V6]/")
	dns=$(dig1 laptop "$LAB_RESOLVER_V6" "$LAB_NAME_EZVIZ" AAAA)
}
alone laptop laptop_run6
check '[[ $out == *"sni=$LAB_NAME_EZVIZ"* && $code == 200 && $dns == "$LAB_WAN_IP7_V6" && $alone_q -eq 0 ]]' \
	"body '$out' http $code dns '$dns'; $alone_q packets queued (other hosts sent $alone_o)"
