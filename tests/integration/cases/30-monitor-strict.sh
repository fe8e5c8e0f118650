# The shipped policies/monitor.conf (the same rules as default.conf, nothing
# dropped, every decision logged as not enforced) and policies/strict.conf
# (cameras reach the NVR's RTSP/RTP and the router's DNS/NTP, nothing else),
# lab copies as in 20-default.sh.  Sourced by ../run.
# shellcheck shell=bash
# not through nsx: $! must be the server itself, so that kill ends it
ip netns exec "$LAB_NS_NVR" $PY3 -m http.server 8092 --bind :: --directory "$tmp" >/dev/null 2>&1 &
nvr_srv=$!
fresh_cameras
start_guard_conf "$(shipped_policy policies/monitor.conf open)" || { bad "nfq-guard did not start"; return; }

t "monitor: camera traffic to the cloud passes and is logged as it would have been blocked"
evmark
a=$(dig1 cam1 "$LAB_RESOLVER" "$LAB_NAME_EZVIZ" A)
out=$(https cam1 "$LAB_NAME_EZVIZ" "${a:-$LAB_WAN_IP7}")
p=$(dig1 cam2 "$LAB_RESOLVER" "$LAB_NAME_DAHUA_P2P" A)
echo=$(udp_ask cam2 "${p:-$LAB_WAN_IP9}" "$LAB_PORT_P2P" /probe/p2psrv)
code=$(http cam1 "http://$LAB_WAN_IP8/")
w=$(dig1 cam2 "$LAB_WAN_DNS" "$LAB_NAME_OK" A)
check '[[ $out == *"sni=$LAB_NAME_EZVIZ"* && $echo == /probe/p2psrv && $code == 200 && $w == "$LAB_WAN_IP7" &&
	$(ev device=hikvision dst="$LAB_WAN_IP7" dport=443 rule=hikvision-cloud action=drop enforced=false name="$LAB_NAME_EZVIZ") -ge 1 &&
	$(ev device=dahua dst="$LAB_WAN_IP9" dport="$LAB_PORT_P2P" rule=dahua-cloud action=drop enforced=false name="$LAB_NAME_DAHUA_P2P") -ge 1 &&
	$(ev device=hikvision dst="$LAB_WAN_IP8" dport=80 rule=egress action=drop enforced=false) -ge 1 &&
	$(ev device=dahua dst="$LAB_WAN_DNS" dport=53 rule=dns-ntp-elsewhere action=drop enforced=false) -ge 1 &&
	$(ev enforced=true action=drop) -eq 0 ]]' \
	"https '$out', P2P '$echo', http $code, WAN resolver '$w'; events: $(evshow 5)"

t "monitor: SSDP to the router is answered and logged; a camera's LAN traffic is logged as local"
evmark
s=$(ssdp cam1 "$LAB_ROUTER_LAN")
code=$(http cam2 "http://$LAB_NVR:8092/")
# the NVR opens the RTSP session, and GStreamer's client sends the first
# UDP packets to the camera's RTP ports: the stream is the NVR's flow, not logged
f=$(rtsp_frames nvr "$(rtsp_url cam2)" udp 30)
check '[[ $s == "HTTP/1.1 200 OK" && $code == 200 && $f == 30 &&
	$(ev device=hikvision dst="$LAB_ROUTER_LAN" dport=1900 rule=upnp-ssdp action=drop enforced=false) -ge 1 &&
	$(ev device=dahua dst="$LAB_NVR" dport=8092 rule=local action=allow) -ge 1 ]]' \
	"ssdp '$s', camera to the NVR's HTTP $code, frames $f of 30; events: $(evshow)"

fresh_cameras
start_guard_conf "$(shipped_policy policies/strict.conf open)" || { bad "nfq-guard did not start"; return; }

t "strict: the NVR streams the cameras (RTP over UDP and TCP, IPv4 and IPv6)"
evmark
f1=$(rtsp_frames nvr "$(rtsp_url cam1)" udp 30)
f2=$(rtsp_frames nvr "$(rtsp_url cam2)" tcp 30)
f3=$(rtsp_frames nvr "$(rtsp_url cam2 6)" udp 30)
check '[[ $f1 == 30 && $f2 == 30 && $f3 == 30 && $(ev action=drop) -eq 0 ]]' \
	"frames: cam1/udp $f1, cam2/tcp $f2, cam2/udp/IPv6 $f3 (of 30); events: $(evshow)"

t "strict: DNS and NTP to the router work; the NVR's other ports, the router's, and the WAN do not"
evmark
dns=$(dig1 cam1 "$LAB_RESOLVER" "$LAB_NAME_WWW" A)
ntp=$(udp_ask cam1 "$LAB_ROUTER_LAN" "$LAB_PORT_NTP")
lap=$(http laptop "http://$LAB_NVR:8092/")
nvr=$(http cam1 "http://$LAB_NVR:8092/")
nvr6=$(http cam2 "http://[$LAB_NVR_V6]:8092/")
upnp=$(http cam2 "http://$LAB_ROUTER_LAN:$LAB_PORT_UPNP/rootDesc.xml")
out=$(https cam1 "$LAB_NAME_WWW" "${dns:-$LAB_WAN_IP8}")
rc=$?
check '[[ $dns == "$LAB_WAN_IP8" && $ntp == "ntp mode 4" && $lap == 200 && $nvr == 000 && $nvr6 == 000 && $upnp == 000 && $rc -ne 0 &&
	$(ev device=hikvision dst="$LAB_NVR" dport=8092 rule=default action=drop) -ge 1 &&
	$(ev device=dahua dst="$LAB_NVR_V6" dport=8092 rule=default action=drop) -ge 1 &&
	$(ev device=dahua dst="$LAB_ROUTER_LAN" dport="$LAB_PORT_UPNP" rule=default action=drop) -ge 1 &&
	$(ev device=hikvision dst="$LAB_WAN_IP8" dport=443 rule=default action=drop name="$LAB_NAME_WWW") -ge 1 ]]' \
	"dns '$dns' ntp '$ntp'; NVR :8092 laptop $lap, cam1 $nvr, cam2/IPv6 $nvr6; router UPnP $upnp; WAN curl $rc; events: $(evshow 5)"
kill "$nvr_srv" 2>/dev/null
wait "$nvr_srv" 2>/dev/null
stop_guard
