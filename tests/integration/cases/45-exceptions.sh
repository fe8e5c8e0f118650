# Exceptions on a clock (nfq-guard allow / exceptions / revoke) and rules with
# a schedule: they let flows pass at once, also to an address the kernel
# blocks, and the flows they let pass stop when they end.  Sourced by ../run.
# shellcheck shell=bash
rm -f "$STATE"
start_guard open || { bad "nfq-guard did not start"; return; }

# iperf_seconds NODE SECONDS AT: an iperf3 upload to the WAN for SECONDS;
# prints the bytes sent in each second (the first Bytes column: the second
# is the congestion window), and runs the command in $cut AT seconds in
iperf_seconds() {
	local node=$1 secs=$2 at=$3
	(
		sleep "$at"
		eval "$cut"
	) &
	nsx "$node" timeout $((secs + 6)) iperf3 -c "$LAB_WAN_IP8" -p "$LAB_PORT_IPERF" -t "$secs" \
		-i 1 --forceflush --connect-timeout 3000 2>&1 |
		awk '/sec/ && !/sender|receiver/ { for (i = 1; i <= NF; i++) if ($i ~ /Bytes$/) { v = $(i-1); u = $i;
			m = u == "KBytes" ? 1024 : u == "MBytes" ? 1048576 : u == "GBytes" ? 1073741824 : 1;
			printf "%d ", v * m; break } }'
	wait
}

t "a timed allow lets a camera reach a blocked name, listed with its reason, and ends on time"
fresh_cameras
evmark
before=$(https cam1 "$LAB_NAME_EZVIZ" "$LAB_WAN_IP7")
rc0=$?
out=$(ctl allow "$LAB_CAM1_MAC" --for 6s --domain "*.ezvizlife.com" --reason "firmware fix CVE-2021-36260" --json)
id=$(echo "$out" | $PY3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
during=$(https cam1 "$LAB_NAME_EZVIZ" "$LAB_WAN_IP7")
list=$(ctl exceptions)
sleep 7
after=$(https cam1 "$LAB_NAME_EZVIZ" "$LAB_WAN_IP7")
rc2=$?
check '[[ $rc0 -ne 0 && -n $id && $during == *"sni=$LAB_NAME_EZVIZ"* && $list == *"firmware fix CVE-2021-36260"* && $rc2 -ne 0 &&
	$(ev event=exception_added id="$id" device="$LAB_CAM1_MAC" by_uid=0 reason="firmware fix CVE-2021-36260") -eq 1 &&
	$(ev event=decision rule="exception:$id" action=allow name="$LAB_NAME_EZVIZ") -ge 1 &&
	$(ev event=exception_expired id="$id") -eq 1 ]]' \
	"before $rc0 id '$id' ($out) during '$during' list '$list' after $rc2; $(evshow 4)"

t "exceptions --json: field by field, with the flows it let pass"
fresh_cameras
ctl allow "$LAB_CAM1_MAC" --for 2m --to "$LAB_WAN_IP8" --port 80 --proto tcp --reason "vendor call" >/dev/null
code=$(http cam1 "http://$LAB_WAN_IP8/")
json=$(ctl exceptions --json)
fields=$(echo "$json" | $PY3 -c '
import json, sys
e = json.loads(sys.stdin.readline())
print(sorted(e) == sorted(["id", "device", "to", "domain", "port", "proto", "created", "until", "seconds", "reason", "uid", "flows"]),
      e["device"], e["to"], e["port"], e["proto"], e["seconds"], e["reason"], e["uid"], e["flows"] >= 1,
      e["until"] > e["created"])' 2>&1)
check '[[ $code == 200 && $fields == "True $LAB_CAM1_MAC ['"'$LAB_WAN_IP8'"'] [80] tcp 120 vendor call 0 True True" ]]' \
	"http $code, fields '$fields' from '$json'"

t "an exception survives a reload and a restart, and revoke ends it at once"
fresh_cameras
rl=$(ctl reload 2>&1)
code0=$(http cam1 "http://$LAB_WAN_IP8/")
stop_guard
start_guard open
code1=$(http cam1 "http://$LAB_WAN_IP8/")
id=$(ctl exceptions --json | $PY3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])' 2>/dev/null)
evmark
rv=$(ctl revoke "$id")
code2=$(http cam1 "http://$LAB_WAN_IP8/")
list=$(ctl exceptions)
check '[[ $rl == reloaded* && $code0 == 200 && $code1 == 200 && $rv == *revoked* && $code2 != 200 &&
	$list == "no exceptions" && $(ev event=exception_revoked id="$id" by_uid=0) -eq 1 ]]' \
	"after reload ($rl) http $code0, after restart http $code1, revoke '$rv', then http $code2, list '$list'; $(evshow 3)"

t "a timed allow opens an address the kernel blocks, and cuts the upload it let pass when revoked"
fresh_cameras
# the policy drops iperf3 by address: the first try puts it in the block set
cut=: blocked=$(iperf_seconds cam1 2 0)
out=$(ctl allow "$LAB_CAM1_MAC" --for 5m --to "$LAB_WAN_IP8" --port "$LAB_PORT_IPERF" --reason upload)
id=${out#exception }
id=${id%%:*}
cut="$BIN -s $CTL revoke $id >/dev/null"
secs=$(iperf_seconds cam1 7 3)
read -r -a b <<<"$secs"
# bytes in the first two seconds, none from a second after the revoke on
late=$((${b[4]:-1} + ${b[5]:-1} + ${b[6]:-1}))
check '[[ -z ${blocked// /} || ${blocked// /} =~ ^0+$ ]] && [[ ${b[0]:-0} -gt 0 && ${b[1]:-0} -gt 0 && $late -eq 0 ]]' \
	"blocked try '$blocked', with the exception (revoked at 3 s): '$secs'"

t "allow refuses what it cannot put in force, with the reason"
e1=$(ctl allow "$LAB_CAM1_MAC" --for 31d 2>&1)
r1=$?
e2=$(ctl allow 02:00:00:00:00:99 --for 1h 2>&1)
r2=$?
e3=$(ctl allow nosuchgroup --for 1h 2>&1)
r3=$?
e4=$(ctl allow hikvision --for 1h --to nosuchnet 2>&1)
r4=$?
check '[[ $r1 -eq 2 && $e1 == *"from 1s to 30d"* && $r2 -eq 1 && $e2 == *"no device group"* &&
	$r3 -eq 1 && $e3 == *"no device group"* && $r4 -eq 1 && $e4 == *"nosuchnet"* ]]' \
	"31d: $r1 '$e1'; non-device: $r2 '$e2'; group: $r3 '$e3'; network: $r4 '$e4'"

t "an exception that ended while nfq-guard was down is gone when it starts"
ctl allow hikvision --for 3s --reason short >/dev/null
evmark
stop_guard
sleep 4
start_guard open
list=$(ctl exceptions)
check '[[ $list == "no exceptions" && $(ev event=exception_expired reason=short note="ended while nfq-guard was not running") -eq 1 ]]' \
	"list '$list'; $(evshow 2)"
stop_guard

# --- schedules ---------------------------------------------------------------
# sched_conf FROM TO: the lab policy with a rule before "egress" that allows
# cam1's iperf3 inside the window FROM-TO (HH:MM, local time, every day)
sched_conf() {
	sed "s|^\t{ name = \"egress\";|\t{ name = \"window\"; from = \"hikvision\"; to = \"$LAB_WAN_IP8\"; proto = \"tcp\"; port = $LAB_PORT_IPERF; action = \"allow\"; log = true;\n\t  schedule = { from = \"$1\"; to = \"$2\"; }; },\n&|" \
		"$tmp/lab.conf" >"$tmp/sched.conf"
}
hm() { date -d "@$(($(date +%s) + $1 * 60))" +%H:%M; } # hm MINUTES: local HH:MM then

t "a schedule that covers now allows; one that does not blocks"
fresh_cameras
sched_conf "$(hm -60)" "$(hm 60)"
start_guard_conf "$tmp/sched.conf"
cut=: open=$(iperf_seconds cam1 2 0)
read -r -a o <<<"$open"
stop_guard
fresh_cameras
sched_conf "$(hm 60)" "$(hm 120)"
start_guard_conf "$tmp/sched.conf"
cut=: shut=$(iperf_seconds cam1 2 0)
ex=$("$BIN" -c "$tmp/sched.conf" explain --mac "$LAB_CAM1_MAC" --dst "$LAB_WAN_IP8" --port "$LAB_PORT_IPERF" --at "$(date -d '+90 min' '+%Y-%m-%d %H:%M')")
check '[[ ${o[0]:-0} -gt 0 && ( -z ${shut// /} || ${shut// /} =~ ^0+$ ) && $ex == *"rule window"* ]]' \
	"open window '$open', shut window '$shut', explain then '$ex'"

t "a flow a window let pass stops when the window closes"
fresh_cameras
# the window closes at the next minute; start the upload once it is well inside
while [ "$(date +%S)" -gt 45 ]; do sleep 1; done
left=$((60 - 10#$(date +%S)))
sched_conf "$(hm -2)" "$(hm 1)"
start_guard_conf "$tmp/sched.conf"
evmark
cut=: secs=$(iperf_seconds cam1 $((left + 4)) 0)
read -r -a b <<<"$secs"
n=${#b[@]}
late=$((${b[n - 1]:-1} + ${b[n - 2]:-1}))
check '[[ ${b[0]:-0} -gt 0 && $late -eq 0 && $(grep -c "window of rule window closed" "$tmp/guard.log") -ge 1 ]]' \
	"window closing in ${left}s, upload '$secs'; $(grep 'decided again' "$tmp/guard.log" | tail -n 2)"
stop_guard
