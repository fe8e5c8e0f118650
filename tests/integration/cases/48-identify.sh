# identify = [ "discovery" ]: the relabelled cameras (cam3 SADP, cam4 DHIP,
# cam5 ONVIF; locally administered MACs, so no group names them by MAC or
# OUI) pass unfiltered until they answer a discover probe; from then on
# cam3 and cam4 are devices of the groups naming their vendors (in set
# dev_found, their running flows decided again), cam5 is found in none, and
# the decoys never are; the state file keeps them over a restart.  Then an
# identify-less policy, and forged and malformed datagrams.  Sourced by
# ../run.
# shellcheck shell=bash
PEER=("$PY3" "$(pwd)/tests/integration/identify_peer.py")
ID_STATE=$tmp/lib/nfq-guard/identify-state.json # this case's own: no exception of 45 leaks in
rm -f "$ID_STATE"
# id_conf OUT [noidentify]: the lab policy with this case's state file and,
# unless told otherwise, identify = [ "discovery" ]
id_conf() {
	lab_conf open drop "$1"
	if [ "${2:-}" = noidentify ]; then
		sed -i "s|^state = .*|state = \"$ID_STATE\";|" "$1"
	else
		sed -i "s|^state = .*|state = \"$ID_STATE\";\nidentify = [ \"discovery\" ];|" "$1"
	fi
}
# probe POLICY: the discover command on the router (it answers go to the daemon too)
probe() {
	nsx router "$BIN" -c "$1" discover -i "$LAB_ROUTER_LAN_IF" --timeout 2 >"$tmp/id-disc.out" 2>&1
}
# logrules: how many log rules the running table's prerouting chain has
logrules() { nsx router nft list chain inet nfq_guard prerouting 2>/dev/null | grep -c 'log group'; }
# devcheck: ctl devices --json against what the lab's cameras announce: "ok"
# or what differs; with "restart", the evidence of the state file only
devcheck() {
	ctl devices --json 2>&1 | $PY3 -c '
import json, sys
a = sys.argv[1:]
want = {
    a[0]: ("hikvision", "sadp", "Hikvision", a[1], a[2], a[3]),
    a[4]: ("dahua", "dhip", "Dahua", a[5], a[6], a[7]),
    a[8]: (None, "onvif", a[9], a[10], None, None),
}
never = a[11:]
try:
    devs = {d["mac"]: d for d in json.load(sys.stdin)["devices"]}
except (ValueError, KeyError) as e:
    print("devices --json does not read: %s" % e)
    sys.exit()
bad = []
for mac, (group, by, vendor, model, fw, sn) in want.items():
    d = devs.get(mac)
    if d is None:
        bad.append("%s not listed" % mac)
        continue
    got = (d.get("group"), d.get("identified_by"))
    if got != (group, by):
        bad.append("%s: group, identified_by %s, not %s" % (mac, got, (group, by)))
    if group and (d.get("match"), d.get("matched_by")) != ("found", "Hikvision" if by == "sadp" else "Zhejiang Dahua"):
        bad.append("%s: match %s matched_by %s" % (mac, d.get("match"), d.get("matched_by")))
    ev = d.get("evidence") or {}
    e = (ev.get("found_by"), ev.get("vendor"), ev.get("model"), ev.get("firmware"), ev.get("serial"), ev.get("detail"))
    if e != (by, vendor, model, fw, sn, None):
        bad.append("%s: evidence %s, not %s" % (mac, d.get("evidence"), (by, vendor, model, fw, sn, None)))
for mac in never:
    if mac in devs:
        bad.append("%s (a decoy or the laptop) listed: %s" % (mac, devs[mac]))
print("; ".join(bad) if bad else "ok")' \
		"$LAB_CAM3_MAC" "$LAB_CAM3_MODEL" "$LAB_CAM3_FIRMWARE" "$LAB_CAM3_SERIAL" \
		"$LAB_CAM4_MAC" "$LAB_CAM4_MODEL" "$LAB_CAM4_FIRMWARE" "$LAB_CAM4_SERIAL" \
		"$LAB_CAM5_MAC" "$LAB_CAM5_NAME" "$LAB_CAM5_MODEL" \
		"$LAB_PRINTER_MAC" "$LAB_MEDIASRV_MAC" "$LAB_LAPTOP_MAC"
}
CAMS_FOUND=$(printf '%s\n' "$LAB_CAM3_MAC" "$LAB_CAM4_MAC" "$LAB_CAM5_MAC" | sort | tr '\n' ' ' | sed 's/ $//')

id_conf "$tmp/id.conf"
start_guard_conf "$tmp/id.conf" || { bad "nfq-guard did not start"; return; }
evmark

t "identify: before any answer, dev_found is empty and cam3 (no camera OUI) reaches the WAN unqueued"
cam3_run() { body=$(https cam3 "$LAB_NAME_WWW" "$LAB_WAN_IP7"); }
alone cam3 cam3_run
set0=$(found)
lr=$(logrules)
check '[[ -z $set0 && $body == *"sni=$LAB_NAME_WWW"* && $alone_q -eq 0 && $lr -eq 6 ]]' \
	"dev_found '$set0'; cam3 https '$body' ($alone_q packets queued, other hosts sent $alone_o); $lr log rules in prerouting (6: SADP, DHIP, WS-Discovery each way)"

t "identify: a connection cam3 holds open from before it is found is cut once its SADP answer is read"
# a kept-alive HTTPS connection (a GET every 0.1 s) for 8 s; the probe at 2.5 s
(
	sleep 2.5
	probe "$tmp/id.conf"
) &
probe_pid=$!
held=$(nsx cam3 timeout 20 "${PEER[@]}" hold "$LAB_WAN_IP7" "$LAB_NAME_WWW" 8 2>&1)
wait "$probe_pid"
h=()
port=0
late=1
if [[ $held =~ ^([0-9]+( [0-9]+){7})\ [a-z]+\ port=([0-9]+)$ ]]; then
	read -r -a h <<<"${BASH_REMATCH[1]}"
	port=${BASH_REMATCH[3]}
	# answers in the first two seconds; none in the last three (found at
	# ~2.6 s, decided again a second later at most)
	late=$((h[5] + h[6] + h[7]))
fi
cut=$(grep -c "drop rule=[^ ]* device=hikvision match=found mac=$LAB_CAM3_MAC $LAB_CAM3:$port > $LAB_WAN_IP7:443" "$tmp/guard.log")
check '[[ ${h[0]:-0} -gt 0 && ${h[1]:-0} -gt 0 && $late -eq 0 && $cut -ge 1 ]]' \
	"answers per second '$held' (late $late), drop lines for its port: $cut; discover: $(head -c 300 "$tmp/id-disc.out")"

t "identify: the answers make cam3 (SADP) and cam4 (DHIP) devices of their vendors' groups, cam5 (ONVIF) found in none: dev_found and device_identified, field by field"
set1=$(found)
check '[[ $set1 == "$CAMS_FOUND" &&
	$(ev event=device_identified mac="$LAB_CAM3_MAC" ip="$LAB_CAM3" identified_by=sadp vendor=Hikvision model="$LAB_CAM3_MODEL" firmware="$LAB_CAM3_FIRMWARE" serial="$LAB_CAM3_SERIAL" detail=null group=hikvision) -eq 1 &&
	$(ev event=device_identified mac="$LAB_CAM4_MAC" ip="$LAB_CAM4" identified_by=dhip vendor=Dahua model="$LAB_CAM4_MODEL" firmware="$LAB_CAM4_FIRMWARE" serial="$LAB_CAM4_SERIAL" detail=null group=dahua) -eq 1 &&
	$(ev event=device_identified mac="$LAB_CAM5_MAC" ip="$LAB_CAM5" identified_by=onvif vendor="$LAB_CAM5_NAME" model="$LAB_CAM5_MODEL" firmware=null serial=null detail=null group=null) -eq 1 &&
	$(ev event=device_identified) -eq 3 ]]' \
	"dev_found '$set1', want '$CAMS_FOUND'; $(grep device_identified "$EVENTS" | cut -c1-300 | tr '\n' ' ')"

t "identify: devices --json shows each found camera with its group and evidence; stats and the state file count them"
dc=$(devcheck)
fs="$(found_stat entries) $(found_stat refused) $(found_stat copies_lost)"
cr=$(found_stat copies_read)
st=$($PY3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(" ".join("%s=%s/%s" % (d["mac"], d["identified_by"], d["model"]) for d in sorted(s["devices"], key=lambda d: d["mac"])))' "$ID_STATE" 2>&1)
check '[[ $dc == ok && $fs == "3 0 0" && $cr -ge 3 &&
	$st == "$LAB_CAM3_MAC=sadp/$LAB_CAM3_MODEL $LAB_CAM4_MAC=dhip/$LAB_CAM4_MODEL $LAB_CAM5_MAC=onvif/$LAB_CAM5_MODEL" ]]' \
	"devices: $dc; devices_found entries/refused/copies_lost '$fs', copies_read '$cr'; state file devices '$st'"

t "identify: the decoys answer too (the WS-Discovery printer, the SSDP media server) but are never found"
cr0=$(found_stat copies_read)
evmark
who=$(nsx router timeout 10 "${PEER[@]}" search "$LAB_ROUTER_LAN" 2 2>&1)
# the printer announces itself with its own Types, to the group and to the router
nsx printer "${PEER[@]}" wsd hello 239.255.255.250 --types "print:PrintDeviceType" 2>&1
nsx printer "${PEER[@]}" wsd hello "$LAB_ROUTER_LAN" --types "print:PrintDeviceType" 2>&1
sleep 1.5
cr1=$(found_stat copies_read)
set2=$(found)
check '[[ $who == *"wsd $LAB_PRINTER"* && $who == *"ssdp $LAB_MEDIASRV"* && $who == *"wsd $LAB_CAM5"* &&
	$((cr1 - cr0)) -ge 3 && $set2 == "$CAMS_FOUND" && $(ev event=device_identified) -eq 0 ]]' \
	"answers: '${who//$'\n'/, }'; copies read $cr0 -> $cr1; dev_found '$set2'; $(evshow 2)"

t "identify: cam3's new HTTPS to the WAN is dropped by rule egress, and cam4's; the laptop's still passes"
b3=$(https cam3 "$LAB_NAME_WWW" "$LAB_WAN_IP7")
r3=$?
b4=$(https cam4 "$LAB_NAME_WWW" "$LAB_WAN_IP7")
r4=$?
bl=$(https laptop "$LAB_NAME_WWW" "$LAB_WAN_IP7")
l3=$(grep -c "drop rule=egress device=hikvision match=found mac=$LAB_CAM3_MAC $LAB_CAM3:[0-9]* > $LAB_WAN_IP7:443 tcp .*name=$LAB_NAME_WWW (sni)" "$tmp/guard.log")
l4=$(grep -c "drop rule=egress device=dahua match=found mac=$LAB_CAM4_MAC $LAB_CAM4:[0-9]* > $LAB_WAN_IP7:443 tcp .*name=$LAB_NAME_WWW (sni)" "$tmp/guard.log")
check '[[ $r3 -ne 0 && -z $b3 && $r4 -ne 0 && -z $b4 && $l3 -ge 1 && $l4 -ge 1 && $bl == *"sni=$LAB_NAME_WWW"* ]]' \
	"cam3 curl $r3 '$b3' ($l3 egress lines), cam4 curl $r4 '$b4' ($l4), laptop '$bl'"

t "identify: the NVR still pulls RTSP from cam3, now a device"
# cam3 runs no RTSP server in the lab: the lab's own (scripts/lab) for this test
if [ -f "$LAB_RUN_DIR/rtsp.py" ]; then
	rm -f "$tmp/cam3-rtsp.ready"
	ip netns exec "$LAB_NS_CAM3" "$PY3" "$LAB_RUN_DIR/rtsp.py" 0.0.0.0 "$LAB_PORT_RTSP" "$LAB_RTSP_PATH" \
		"$LAB_RTSP_FPS" "$tmp/cam3-rtsp.ready" </dev/null >"$tmp/cam3-rtsp.log" 2>&1 &
	rtsp_pid=$!
	for _ in $(seq 100); do [ -e "$tmp/cam3-rtsp.ready" ] && break; sleep 0.1; done
	# (the NVR opens the RTSP connection and, first, the RTP/RTCP ports:
	# cam3's stream is the answer to flows it did not begin, so none is
	# queued; what could go wrong is a drop of them)
	fu=$(rtsp_frames nvr "rtsp://$LAB_CAM3:$LAB_PORT_RTSP$LAB_RTSP_PATH" udp 30)
	ft=$(rtsp_frames nvr "rtsp://$LAB_CAM3:$LAB_PORT_RTSP$LAB_RTSP_PATH" tcp 30)
	kill -TERM "$rtsp_pid" 2>/dev/null
	wait "$rtsp_pid" 2>/dev/null
	dn=$(grep -c "drop .*mac=$LAB_CAM3_MAC $LAB_CAM3:[0-9]* > $LAB_NVR:" "$tmp/guard.log")
	check '[[ $fu -eq 30 && $ft -eq 30 && $dn -eq 0 ]]' \
		"$fu of 30 frames over RTP/UDP, $ft over TCP; $dn drops of cam3 to the NVR; rtsp: $(tail -n 2 "$tmp/cam3-rtsp.log")"
else
	echo "skip   $cur: no $LAB_RUN_DIR/rtsp.py"
fi

t "identify: after a restart, before any answer, the found cameras are in dev_found and filtered, with their evidence; a reload keeps them"
stop_guard
evmark
start_guard_conf "$tmp/id.conf"
set3=$(found)
dc3=$(devcheck)
b3=$(https cam3 "$LAB_NAME_WWW" "$LAB_WAN_IP7")
r3=$?
rl=$(ctl reload 2>&1)
set4=$(found)
dc4=$(devcheck)
b4=$(https cam3 "$LAB_NAME_WWW" "$LAB_WAN_IP7")
r4=$?
check '[[ $set3 == "$CAMS_FOUND" && $dc3 == ok && $r3 -ne 0 && -z $b3 && $rl == reloaded* &&
	$set4 == "$CAMS_FOUND" && $dc4 == ok && $r4 -ne 0 && -z $b4 && $(ev event=device_identified) -eq 0 ]]' \
	"after the start: dev_found '$set3', devices: $dc3, cam3 curl $r3 '$b3'; reload '$rl': dev_found '$set4', devices: $dc4, cam3 curl $r4 '$b4'; $(evshow 2)"

t "identify: with the log group taken by another program, the cameras the state file keeps are still filtered"
stop_guard
rm -f "$tmp/nflog.ready"
# one listener a log group: this one binds it first (as ulogd would)
ip netns exec "$LAB_NS_ROUTER" "${PEER[@]}" nflog-hold 0 30 "$tmp/nflog.ready" >"$tmp/nflog.log" 2>&1 &
holder=$!
for _ in $(seq 30); do [ -e "$tmp/nflog.ready" ] && break; sleep 0.1; done
start_guard_conf "$tmp/id.conf"
warned=$(grep -c "cannot bind nflog group" "$tmp/guard.log")
set3=$(found)
dc3=$(devcheck)
b3=$(https cam3 "$LAB_NAME_WWW" "$LAB_WAN_IP7")
r3=$?
kill -TERM "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
check '[[ -e $tmp/nflog.ready && $warned -eq 1 && $set3 == "$CAMS_FOUND" && $dc3 == ok && $r3 -ne 0 && -z $b3 ]]' \
	"log group held: $(if [ -e "$tmp/nflog.ready" ]; then echo yes; else cat "$tmp/nflog.log"; fi), warned $warned; dev_found '$set3'; devices: $dc3; cam3 curl $r3 '$b3'"

t "identify: without the identify key the table has no log rules, and answers identify nothing (not even the devices the state file keeps)"
stop_guard
id_conf "$tmp/noid.conf" noidentify
start_guard_conf "$tmp/noid.conf"
evmark
lr=$(logrules)
set5=$(found)
probe "$tmp/noid.conf"
sleep 1.5
set6=$(found)
body=$(https cam3 "$LAB_NAME_WWW" "$LAB_WAN_IP7")
check '[[ $lr -eq 0 && -z $set5 && -z $set6 && $body == *"sni=$LAB_NAME_WWW"* && $(ev event=device_identified) -eq 0 &&
	$(found_stat copies_read) == 0 && $(grep -c "$LAB_CAM3_MAC" "$tmp/id-disc.out") -eq 1 ]]' \
	"$lr log rules; dev_found '$set5', after discover '$set6'; cam3 https '$body'; copies read $(found_stat copies_read); discover: $(head -c 200 "$tmp/id-disc.out"); $(evshow 2)"
stop_guard

# --- the adversary's side: a fresh state, the laptop sends -------------------
rm -f "$ID_STATE"
start_guard_conf "$tmp/id.conf"
evmark

t "identify: malformed and oversized discovery datagrams from the laptop identify nothing, and the daemon keeps answering"
cr0=$(found_stat copies_read)
n4=$(nsx laptop timeout 20 "${PEER[@]}" junk "$LAB_ROUTER_LAN" 2>&1)
n6=$(nsx laptop timeout 20 "${PEER[@]}" junk "$LAB_ROUTER_LAN_V6" 2>&1)
sleep 1
stat=$(ctl status 2>&1)
src=$?
cr1=$(found_stat copies_read)
set7=$(found)
check '[[ $src -eq 0 && $stat == *"generation"* && $n4 -ge 20 && $((cr1 - cr0)) -ge $n4 && $(found_stat copies_lost) == 0 &&
	-z $set7 && $(ev event=device_identified) -eq 0 ]] && kill -0 "$guard_pid"' \
	"sent $n4 (IPv4) + $n6 (IPv6), copies read $cr0 -> $cr1, lost $(found_stat copies_lost); status $src; dev_found '$set7'; $(evshow 2)"

t "identify: a forged SADP answer makes the laptop (the frame's MAC) a Hikvision device, never the MAC it claims"
claimed=02:00:00:00:00:99
nsx laptop "${PEER[@]}" sadp-answer "$LAB_ROUTER_LAN" --mac "$claimed" --ipv4 "$LAB_LAPTOP"
wait_found "$LAB_LAPTOP_MAC"
set8=$(found)
bl=$(https laptop "$LAB_NAME_WWW" "$LAB_WAN_IP7")
rl=$?
check '[[ $set8 == "$LAB_LAPTOP_MAC" && $rl -ne 0 && -z $bl &&
	$(ev event=device_identified mac="$LAB_LAPTOP_MAC" ip="$LAB_LAPTOP" identified_by=sadp vendor=Hikvision group=hikvision) -eq 1 &&
	$(ev event=device_identified mac="$claimed") -eq 0 ]]' \
	"dev_found '$set8' (want the laptop only); laptop curl $rl '$bl'; $(evshow 2)"

t "identify: a SADP answer from the internet identifies nothing (it comes in with the upstream gateway's MAC)"
evmark
# from an internet address behind the WAN's router, to the router's WAN address
nsx wan "$PY3" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[2], 37020))
s.sendto(sys.stdin.buffer.read(), (sys.argv[1], 37020))' "$LAB_ROUTER_WAN" "$LAB_WAN_IP10" < <(
	"$PY3" -c '
import sys
sys.path.insert(0, sys.argv[1])
import identify_peer as p
class A: model, serial, firmware, mac, ipv4, oem = "DS-2CD0000", "WAN0001", "V1", "02:00:00:00:51:53", "203.0.113.10", ""
sys.stdout.buffer.write(p.sadp_match(A))' "$(pwd)/tests/integration")
sleep 1.5
set9=$(found)
check '[[ $set9 == "$LAB_LAPTOP_MAC" && $(ev event=device_identified) -eq 0 ]]' \
	"dev_found '$set9' (the WAN side's MAC is $LAB_WAN_MAC); $(evshow 2)"
stop_guard
rm -f "$ID_STATE"
