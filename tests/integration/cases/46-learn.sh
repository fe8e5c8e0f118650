# From a monitor week to rules: strict.conf run in monitor mode while the
# cameras use the NVR's web port (which strict.conf does not allow) and the
# WAN; `learn --suggest` on that event log gives a policy `check` accepts,
# with a real rule for the local destination and a commented-out one for
# the WAN; enforced, it lets the camera reach what it was seen to use
# locally, and still not the WAN.  Sourced by ../run.
# shellcheck shell=bash
ip netns exec "$LAB_NS_NVR" $PY3 -m http.server 8093 --bind :: --directory "$tmp" >/dev/null 2>&1 &
web=$!
fresh_cameras
strict=$(shipped_policy policies/strict.conf open)
# beside the lab copy: its relative paths (the vendor list, domains/) resolve there
pol=$(dirname "$strict")
sed 's/^mode = "enforce";/mode = "monitor";/' "$strict" >"$pol/week.conf"

t "learn --suggest after a monitor run: check accepts it, and it allows what was seen locally"
start_guard_conf "$pol/week.conf" || { bad "nfq-guard did not start"; return; }
evmark
seen=$(http cam1 "http://$LAB_NVR:8093/")
wan=$(https cam1 "$LAB_NAME_WWW" "$LAB_WAN_IP8" | head -c 200)
stop_guard
tail -n "+$ev_from" "$EVENTS" >"$tmp/week.json"
"$BIN" -c "$pol/week.conf" learn "$tmp/week.json" --suggest >"$pol/learned.conf" 2>"$tmp/learn.err"
lrc=$?
chk=$("$BIN" -c "$pol/learned.conf" check 2>&1)
crc=$?
real=$(grep -Ec "^[[:space:]]*\{ name = \"learn-hikvision-[0-9]+\".*\"$LAB_NVR\".*8093" "$pol/learned.conf")
commented=$(grep -Ec "^[[:space:]]*#.*\"$LAB_WAN_IP8\".*443" "$pol/learned.conf")
sed 's/^mode = "monitor";/mode = "enforce";/' "$pol/learned.conf" >"$pol/enforce.conf"
start_guard_conf "$pol/enforce.conf" || { bad "nfq-guard did not start with the learned policy"; return; }
after=$(http cam1 "http://$LAB_NVR:8093/")
wan2=$(https cam1 "$LAB_NAME_WWW" "$LAB_WAN_IP8")
wrc=$?
check '[[ $seen == 200 && $wan == *"sni=$LAB_NAME_WWW"* && $lrc -eq 0 && $crc -eq 0 && $real -eq 1 && $commented -ge 1 &&
	$after == 200 && $wrc -ne 0 ]]' \
	"monitor: NVR :8093 $seen, WAN '${wan:0:40}'; learn exit $lrc ($(head -c 300 "$tmp/learn.err")); check $crc '$chk'; real rules $real, commented WAN $commented; enforced: NVR :8093 $after, WAN curl $wrc; $(grep -n 'learn-' "$pol/learned.conf" | head -n 4)"

t "learn --json: the camera's destinations, field by field"
js=$("$BIN" -c "$pol/week.conf" learn --json "$tmp/week.json" 2>/dev/null | $PY3 -c '
import json, sys
for line in sys.stdin:
    d = json.loads(line)
    if d["mac"] != sys.argv[1]:
        continue
    for x in d["destinations"]:
        if x["dst"] == sys.argv[2] and x["dport"] == 8093:
            print(d["group"], d["label"], x["proto"], x["verdict"], x["flows"] >= 1)' "$LAB_CAM1_MAC" "$LAB_NVR" 2>&1)
check '[[ $js == "hikvision None tcp drop True" ]]' "learn --json for cam1 to the NVR's :8093: '$js'"
stop_guard
kill "$web" 2>/dev/null
wait "$web" 2>/dev/null
