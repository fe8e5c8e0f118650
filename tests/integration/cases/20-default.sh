# The shipped policies/default.conf (lab copy: the lab's router addresses,
# fail open) against real clients: the cameras reach no WAN service, keep
# working locally (RTSP to the NVR, DNS and NTP to the router), the laptop is
# untouched.  IPv4 here, IPv6 in 25-ipv6.sh.  Sourced by ../run.
# shellcheck shell=bash
fresh_cameras
start_guard_conf "$(shipped_policy policies/default.conf open)" || { bad "nfq-guard did not start"; return; }

t "default: camera HTTPS to cloud names resolved by the router's dnsmasq is blocked and named"
evmark
a1=$(dig1 cam1 "$LAB_RESOLVER" "$LAB_NAME_EZVIZ" A)
out1=$(https cam1 "$LAB_NAME_EZVIZ" "${a1:-$LAB_WAN_IP7}")
rc1=$?
a2=$(dig1 cam2 "$LAB_RESOLVER" "$LAB_NAME_DAHUA_CLOUD" A)
out2=$(https cam2 "$LAB_NAME_DAHUA_CLOUD" "${a2:-$LAB_WAN_IP9}")
rc2=$?
check '[[ $a1 == "$LAB_WAN_IP7" && $rc1 -ne 0 && $a2 == "$LAB_WAN_IP9" && $rc2 -ne 0 &&
	$(ev device=hikvision mac="$LAB_CAM1_MAC" dst="$LAB_WAN_IP7" dport=443 name="$LAB_NAME_EZVIZ" rule=hikvision-cloud action=drop) -ge 1 &&
	$(ev device=dahua mac="$LAB_CAM2_MAC" dst="$LAB_WAN_IP9" dport=443 name="$LAB_NAME_DAHUA_CLOUD" rule=dahua-cloud action=drop) -ge 1 ]]' \
	"resolved '$a1' '$a2', curl $rc1 '$out1' / $rc2 '$out2'; events: $(evshow)"

t "default: the firmware check (a CNAME to a CDN) is blocked and named"
evmark
a=$(dig1 cam1 "$LAB_RESOLVER" "$LAB_NAME_HIK_FW" A)
out=$(https cam1 "$LAB_NAME_HIK_FW" "${a:-$LAB_WAN_IP8}")
rc=$?
check '[[ $a == "$LAB_WAN_IP8" && $rc -ne 0 &&
	$(ev device=hikvision dst="$LAB_WAN_IP8" dport=443 action=drop rule=hikvision-cloud name="$LAB_NAME_HIK_FW") -ge 1 ]]' \
	"resolved '$a', curl $rc '$out'; events: $(evshow)"

t "default: a hard-coded WAN resolver gets no question through, and is named in the log"
evmark
a=$(dig1 cam1 "$LAB_WAN_DNS" "$LAB_NAME_EZVIZ_UPGRADE" A)
a2=$(dig1 cam2 "$LAB_WAN_DNS" "$LAB_NAME_DAHUA_P2P" A)
lap=$(dig1 laptop "$LAB_WAN_DNS" "$LAB_NAME_EZVIZ_UPGRADE" A)
check '[[ -z $a && -z $a2 && $lap == "$LAB_WAN_IP7" &&
	$(ev device=hikvision dst="$LAB_WAN_DNS" dport=53 rule=dns-ntp-elsewhere action=drop) -ge 1 &&
	$(ev device=dahua dst="$LAB_WAN_DNS" dport=53 rule=dns-ntp-elsewhere action=drop) -ge 1 ]]' \
	"cameras got '$a' '$a2', laptop '$lap'; events: $(evshow)"

t "default: HTTPS to a hard-coded address with a vendor SNI is blocked"
evmark
# an address neither camera looked up: nothing names it but the SNI
out=$(https cam1 "$LAB_NAME_EZVIZ_UPGRADE" "$LAB_WAN_IP10")
rc=$?
# (decided at the first packet, by the egress rule: the vendor rules drop too,
# so nothing is gained by waiting for the SNI)
check '[[ $rc -ne 0 && $(ev device=hikvision mac="$LAB_CAM1_MAC" dst="$LAB_WAN_IP10" dport=443 action=drop rule=egress) -ge 1 ]]' \
	"curl $rc '$out'; events: $(evshow)"

t "default: plain HTTP from a camera is blocked and logged"
evmark
a=$(dig1 cam2 "$LAB_RESOLVER" "$LAB_NAME_WWW" A)
code=$(http cam2 "http://$LAB_NAME_WWW/")
check '[[ $a == "$LAB_WAN_IP8" && $code == 000 &&
	$(ev device=dahua dst="$LAB_WAN_IP8" proto=tcp dport=80 rule=egress action=drop name="$LAB_NAME_WWW") -ge 1 ]]' \
	"resolved '$a', HTTP status '$code'; events: $(evshow)"

t "default: Dahua P2P (UDP 8800) is blocked and named"
evmark
a=$(dig1 cam2 "$LAB_RESOLVER" "$LAB_NAME_DAHUA_P2P" A)
echo=$(udp_ask cam2 "${a:-$LAB_WAN_IP9}" "$LAB_PORT_P2P" /probe/p2psrv)
check '[[ $a == "$LAB_WAN_IP9" && $echo == none &&
	$(ev device=dahua dst="$LAB_WAN_IP9" proto=udp dport="$LAB_PORT_P2P" rule=dahua-cloud action=drop name="$LAB_NAME_DAHUA_P2P") -ge 1 ]]' \
	"resolved '$a', echo '$echo'; events: $(evshow)"

t "default: DNS and NTP to the router work; the vendor's time server does not"
evmark
dns=$(dig1 cam1 "$LAB_RESOLVER" "$LAB_NAME_OK" A)
ntp=$(udp_ask cam1 "$LAB_ROUTER_LAN" "$LAB_PORT_NTP")
ntp2=$(udp_ask cam2 "$LAB_ROUTER_LAN" "$LAB_PORT_NTP")
a=$(dig1 cam1 "$LAB_RESOLVER" "$LAB_NAME_HIK_TIME" A)
vnd=$(udp_ask cam1 "${a:-$LAB_WAN_IP7}" "$LAB_PORT_NTP")
check '[[ $dns == "$LAB_WAN_IP7" && $ntp == "ntp mode 4" && $ntp2 == "ntp mode 4" && $vnd == none &&
	$(ev device=hikvision dst="$LAB_WAN_IP7" proto=udp dport=123 rule=dns-ntp-elsewhere name="$LAB_NAME_HIK_TIME") -ge 1 &&
	$(ev dst="$LAB_ROUTER_LAN" action=drop) -eq 0 ]]' \
	"dns '$dns', router ntp '$ntp' '$ntp2', $LAB_NAME_HIK_TIME ('$a') ntp '$vnd'; events: $(evshow)"

t "default: UPnP/SSDP to the router is blocked for cameras, not for the laptop"
evmark
laptop_ssdp() {
	lap1=$(ssdp laptop 239.255.255.250)
	lap2=$(http laptop "http://$LAB_ROUTER_LAN:$LAB_PORT_UPNP/rootDesc.xml")
}
alone laptop laptop_ssdp
uni=$(ssdp cam1 "$LAB_ROUTER_LAN")
mc=$(ssdp cam2 239.255.255.250)
desc=$(http cam1 "http://$LAB_ROUTER_LAN:$LAB_PORT_UPNP/rootDesc.xml")
check '[[ $lap1 == "HTTP/1.1 200 OK" && $lap2 == 200 && $alone_q -eq 0 && $uni == none && $mc == none && $desc == 000 &&
	$(ev device=hikvision dst="$LAB_ROUTER_LAN" proto=udp dport=1900 rule=upnp-ssdp action=drop) -ge 1 &&
	$(ev device=dahua dst=239.255.255.250 proto=udp dport=1900 rule=upnp-ssdp action=drop) -ge 1 &&
	$(ev device=hikvision dst="$LAB_ROUTER_LAN" proto=tcp dport="$LAB_PORT_UPNP" rule=router-other action=drop) -ge 1 ]]' \
	"laptop '$lap1' $lap2 ($alone_q queued, other hosts sent $alone_o); cameras: unicast '$uni', group '$mc', description $desc; events: $(evshow)"

t "default: the NVR streams both cameras over RTSP, RTP over UDP and interleaved TCP"
evmark
f1=$(rtsp_frames nvr "$(rtsp_url cam1)" udp 30)
f2=$(rtsp_frames nvr "$(rtsp_url cam2)" tcp 30)
f3=$(rtsp_frames nvr "$(rtsp_url cam2)" udp 30)
check '[[ $f1 == 30 && $f2 == 30 && $f3 == 30 && $(ev action=drop) -eq 0 ]]' \
	"frames: cam1/udp $f1, cam2/tcp $f2, cam2/udp $f3 (of 30); events: $(evshow)"

t "default: the laptop's HTTPS, HTTP, DNS and iperf3 work and are never queued"
laptop_run() {
	out=$(https laptop "$LAB_NAME_EZVIZ" "$LAB_WAN_IP7")
	code=$(http laptop "http://$LAB_WAN_IP8/")
	dns=$(dig1 laptop "$LAB_RESOLVER" "$LAB_NAME_DAHUA_P2P" A)
	iperf=$(nsx laptop timeout 10 iperf3 -c "$LAB_WAN_IP8" -t 1 -J 2>/dev/null | grep -c '"sum_received"')
}
alone laptop laptop_run
check '[[ $out == *"sni=$LAB_NAME_EZVIZ"* && $code == 200 && $dns == "$LAB_WAN_IP9" && $iperf -ge 1 && $alone_q -eq 0 ]]' \
	"body '$out' http $code dns '$dns' iperf $iperf; $alone_q packets queued (other hosts sent $alone_o)"
