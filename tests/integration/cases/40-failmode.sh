# SIGKILL of nfq-guard while the NVR pulls an RTSP stream from a camera, with
# the shipped policies/default.conf in fail open and in fail closed, then a
# restart.  (The curl-only variants are in 10-filter.sh.)  Sourced by ../run.
# shellcheck shell=bash

# stream_bg CAMERA FRAMES: the NVR pulls CAMERA's stream (RTP over UDP) in the
# background; stream_wait waits for it (not in a subshell: $(...) cannot
# wait for it), then $(cat "$tmp/stream.count") is how many frames arrived
stream_bg() {
	rtsp_frames nvr "$(rtsp_url "$1")" udp "$2" 30 >"$tmp/stream.count" &
	stream_pid=$!
}
stream_wait() { wait "$stream_pid" 2>/dev/null; }
kill_guard() { kill -KILL "$guard_pid"; wait "$guard_pid" 2>/dev/null; guard_pid=; }

t "fail open: SIGKILL mid-stream: the stream goes on, camera traffic passes unfiltered, a restart filters again"
fresh_cameras
start_guard_conf "$(shipped_policy policies/default.conf open)" || { bad "nfq-guard did not start"; return; }
evmark
stream_bg cam1 $((8 * LAB_RTSP_FPS))
sleep 2
kill_guard
# cam2 to 203.0.113.10:443: a destination no other test uses for cam2
dead=$(https cam2 "$LAB_NAME_WWW" "$LAB_WAN_IP10")
new=$(rtsp_frames nvr "$(rtsp_url cam2)" udp 15 10)
stream_wait
running=$(cat "$tmp/stream.count")
start_guard_conf "$(shipped_policy policies/default.conf open)"
out=$(https cam2 "$LAB_NAME_WWW" "$LAB_WAN_IP10")
rc=$?
again=$(rtsp_frames nvr "$(rtsp_url cam2)" udp 15 10)
check '[[ $running == $((8 * LAB_RTSP_FPS)) && $dead == *"sni=$LAB_NAME_WWW"* && $new == 15 && $rc -ne 0 && $again == 15 &&
	$(ev device=dahua dst="$LAB_WAN_IP10" dport=443 action=drop) -ge 1 ]]' \
	"running stream $running of $((8 * LAB_RTSP_FPS)) frames; while dead: https '$dead', new stream $new of 15; after the restart: https $rc, new stream $again of 15"

t "fail closed: SIGKILL mid-stream: the stream goes on, new camera flows stop, the laptop and the NVR do not; a restart recovers"
ip netns exec "$LAB_NS_NVR" $PY3 -m http.server 8093 --bind 0.0.0.0 --directory "$tmp" >/dev/null 2>&1 &
srv=$!
start_guard_conf "$(shipped_policy policies/default.conf closed)" || { bad "nfq-guard did not start"; return; }
stream_bg cam1 $((8 * LAB_RTSP_FPS))
sleep 2
kill_guard
# flows the camera opens: nobody decides them, they stop
ntp=$(udp_ask cam2 "$LAB_ROUTER_LAN" "$LAB_PORT_NTP")
web=$(http cam2 "http://$LAB_NVR:8093/")
# the NVR opens the RTSP session, and GStreamer's client sends the first UDP
# packets to the camera's RTP ports: the stream is the NVR's flow, which the
# camera only answers, so new streams keep working
udp=$(rtsp_frames nvr "$(rtsp_url cam2)" udp 15 10)
tcp=$(rtsp_frames nvr "$(rtsp_url cam2)" tcp 15 10)
lap=$(https laptop "$LAB_NAME_WWW" "$LAB_WAN_IP10")
stream_wait
running=$(cat "$tmp/stream.count")
start_guard_conf "$(shipped_policy policies/default.conf closed)"
ntp2=$(udp_ask cam2 "$LAB_ROUTER_LAN" "$LAB_PORT_NTP")
web2=$(http cam2 "http://$LAB_NVR:8093/")
back=$(rtsp_frames nvr "$(rtsp_url cam2)" udp 15 10)
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null
check '[[ $running == $((8 * LAB_RTSP_FPS)) && $ntp == none && $web == 000 && $udp == 15 && $tcp == 15 &&
	$lap == *"sni=$LAB_NAME_WWW"* && $ntp2 == "ntp mode 4" && $web2 == 200 && $back == 15 ]]' \
	"running stream $running of $((8 * LAB_RTSP_FPS)) frames; while dead: camera NTP '$ntp', camera to NVR HTTP $web, new stream udp $udp / tcp $tcp of 15, laptop '$lap'; after the restart: NTP '$ntp2', HTTP $web2, stream $back of 15"
stop_guard
