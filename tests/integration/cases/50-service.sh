# The service: control commands, reload under traffic, a broken reload,
# SIGHUP, privileges, event rate limiting, log reopening, the background
# daemon.  Sourced by ../run.
# shellcheck shell=bash

# lab_policy P2P: write $tmp/lab.conf again (what cam1's UDP to the P2P port gets)
lab_policy() {
	lab_conf open "$1" "$tmp/lab.conf.new"
	mv "$tmp/lab.conf.new" "$tmp/lab.conf"
}
# p2p_from PORT: cam1's UDP from PORT to the P2P echo; prints echo or none
p2p_from() {
	nsx cam1 timeout 5 python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', $1)); s.settimeout(1)
s.sendto(b'ping', ('$LAB_WAN_IP9', $LAB_PORT_P2P))
try: print('echo' if s.recv(100) else 'none')
except OSError: print('none')"
}
# jget KEY: a top-level field of the JSON object on stdin
jget() { python3 -c "import json, sys; print(json.load(sys.stdin)['$1'])" 2>/dev/null; }

start_guard open allow || { bad "nfq-guard did not start"; return; }

t "status, stats and devices answer in text and in valid JSON; flush and reopen answer"
nsx cam1 curl -s -o /dev/null --max-time 3 "http://$LAB_NVR:1/" # a decided flow to count
okc=0
for c in status stats devices; do
	ctl "$c" >"$tmp/$c.txt" 2>&1 && [ -s "$tmp/$c.txt" ] && okc=$((okc + 1))
	ctl "$c" --json >"$tmp/$c.json" 2>&1 && python3 -m json.tool "$tmp/$c.json" >/dev/null &&
		okc=$((okc + 1))
done
qpath=$(jget queue_path <"$tmp/status.json")
rules=$(python3 -c "import json; print(len(json.load(open('$tmp/stats.json'))['rules']))" 2>/dev/null)
dev=$(python3 -c "import json; print(sum(1 for d in json.load(open('$tmp/devices.json'))['devices']
	if d['mac'] == '$LAB_CAM1_MAC' and d['label'] == 'cam1 lobby'))" 2>/dev/null)
ctl flush >/dev/null 2>&1 && okc=$((okc + 1))
ctl reopen >/dev/null 2>&1 && okc=$((okc + 1))
check '[[ $okc -eq 8 && ($qpath == compat || $qpath == native) && $rules -ge 2 && $dev -ge 1 ]]' \
	"$okc of 8 answered, queue_path '$qpath', $rules rule counters, cam1 (with its label) in devices: $dev"

t "after setup the daemon is unprivileged: CAP_NET_ADMIN alone, no_new_privs"
st=/proc/$guard_pid/status
uid=$(awk '/^Uid:/ { print $2 }' "$st")
eff=$(awk '/^CapEff:/ { print $2 }' "$st")
prm=$(awk '/^CapPrm:/ { print $2 }' "$st")
bnd=$(awk '/^CapBnd:/ { print $2 }' "$st")
nnp=$(awk '/^NoNewPrivs:/ { print $2 }' "$st")
# CAP_NET_ADMIN is capability 12: bit 0x1000
check '[[ $uid != 0 && $eff == 0000000000001000 && $prm == "$eff" && $bnd == "$eff" && $nnp == 1 ]]' \
	"uid $uid, CapEff $eff, CapPrm $prm, CapBnd $bnd, NoNewPrivs $nnp"

t "reload under a running stream: nothing lost; the changed policy decides old and new flows"
mkdir -p "$tmp/www" && head -c 16777216 /dev/zero >"$tmp/www/blob"
chmod -R a+rX "$tmp/www"
nsx nvr python3 -m http.server 8082 --bind 0.0.0.0 --directory "$tmp/www" >/dev/null 2>&1 &
srv=$!
nsx nvr timeout 20 python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('0.0.0.0', 5004)); s.settimeout(10); seen = set()
try:
    while True:
        d, _ = s.recvfrom(2048); seen.add(int.from_bytes(d[:4], 'big')); s.settimeout(2)
except OSError: pass
print(len(seen))" >"$tmp/sink.out" &
sink=$!
wait_listen nvr 8082
wait_udp nvr 5004
first=$(p2p_from 47002)
nsx cam1 curl -s --limit-rate 6M --max-time 15 -o /dev/null -w '%{size_download}' \
	"http://$LAB_NVR:8082/blob" >"$tmp/tcp.out" &
dl=$!
# RTP-like: 2000 packets of 200 bytes, 1 ms apart, numbered; a new source
# port for each packet, so that new flows sit in the queue as the reload lands
nsx cam1 timeout 15 python3 -c "
import socket, time
for i in range(2000):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(i.to_bytes(4, 'big') + bytes(196), ('$LAB_NVR', 5004)); time.sleep(0.001)" &
snd=$!
sleep 1
gen1=$(ctl status --json | jget generation)
lab_policy drop
ctl reload >"$tmp/reload.out" 2>&1
rrc=$?
gen2=$(ctl status --json | jget generation)
wait "$snd"
wait "$dl"
wait "$sink"
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null
got=$(cat "$tmp/sink.out")
size=$(cat "$tmp/tcp.out")
second=$(p2p_from 47002)
fresh=$(p2p_from 47003)
check '[[ $rrc -eq 0 && $got == 2000 && $size == 16777216 && $first == echo && $second == none &&
	$fresh == none && $gen2 == $(((gen1 + 1) % 32)) ]]' \
	"reload exit $rrc ($(head -c 200 "$tmp/reload.out")), UDP $got/2000, TCP $size bytes, P2P before '$first', same flow after '$second', new flow '$fresh', generation $gen1 -> $gen2"

t "a broken policy on reload is refused with FILE:LINE; the running policy keeps filtering"
cp "$tmp/lab.conf" "$tmp/lab.conf.good"
gen1=$(ctl status --json | jget generation)
echo 'rules = "twice";' >>"$tmp/lab.conf"
out=$(ctl reload 2>&1)
rc=$?
gen2=$(ctl status --json | jget generation)
still=$(p2p_from 47004)
ok_sni=$(https cam1 "$LAB_NAME_OK" "$LAB_WAN_IP8")
mv "$tmp/lab.conf.good" "$tmp/lab.conf"
check '[[ $rc -eq 1 && $out =~ $tmp/lab.conf:[0-9]+:\  && $gen1 == "$gen2" && $still == none &&
	$ok_sni == *"sni=$LAB_NAME_OK"* ]]' \
	"reload exit $rc '$out', generation $gen1 -> $gen2, P2P '$still', allowed SNI '$ok_sni'"

t "SIGHUP reloads the policy file"
gen1=$(ctl status --json | jget generation)
lab_policy allow
kill -HUP "$guard_pid"
for _ in $(seq 30); do
	[ "$(ctl status --json | jget reloads)" = 2 ] && break
	sleep 0.1
done
gen2=$(ctl status --json | jget generation)
back=$(p2p_from 47005)
check '[[ $gen2 == $(((gen1 + 1) % 32)) && $back == echo ]]' \
	"generation $gen1 -> $gen2, P2P after '$back'"

t "a storm of retries becomes one event line and a count"
pat='"rule":"dahua-p2p".*"name":"'$LAB_NAME_EZVIZ'"'
before=$(event "$pat")
pids=
for _ in $(seq 10); do
	nsx cam2 curl -sk --max-time 1 --resolve "$LAB_NAME_EZVIZ:443:$LAB_WAN_IP7" \
		"https://$LAB_NAME_EZVIZ/" >/dev/null 2>&1 &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
sleep 4 # the window (events_interval = 3) ends and is summed up
lines=$(($(event "$pat") - before))
rep=$(grep "$pat" "$EVENTS" | grep -c '"repeated":9')
check '[[ $lines -eq 2 && $rep -eq 1 ]]' \
	"$lines lines for 10 connections, $rep with \"repeated\":9: $(grep "$pat" "$EVENTS" | tail -n 2)"

t "log rotation: SIGUSR1 and reopen start a new event file"
mv "$EVENTS" "$EVENTS.1"
kill -USR1 "$guard_pid"
sleep 0.5
nsx cam1 curl -s -o /dev/null --max-time 3 "http://$LAB_WAN_IP8/"
sleep 0.3
new1=$(grep -c '"rule":"http-reject"' "$EVENTS" 2>/dev/null)
mv "$EVENTS" "$EVENTS.2"
ctl reopen >/dev/null 2>&1
rc=$?
check '[[ $new1 -ge 1 && $rc -eq 0 && -e $EVENTS && -s $EVENTS.1 ]]' \
	"after SIGUSR1 $new1 reject lines in the new file; reopen exit $rc"

t "stats --prometheus and the metrics file: valid exposition, the group's flows counted"
mdir="$tmp/metrics"
mkdir -p "$mdir" && chmod 0777 "$mdir" # the daemon writes it as its own user
{ cat "$tmp/lab.conf"; printf 'metrics = "%s/nfq-guard.prom";\nmetrics_interval = 1;\n' "$mdir"; } \
	>"$tmp/metrics.conf"
if start_guard_conf "$tmp/metrics.conf"; then
	nsx cam1 curl -s -o /dev/null --max-time 3 "http://$LAB_WAN_IP8/" # rejected: a hikvision flow
	out=$(ctl stats --prometheus 2>&1 | python3 tests/integration/prom_check.py - hikvision 2>&1)
	rc=$?
	for _ in $(seq 30); do
		grep -q 'group="hikvision",verdict="blocked"} [1-9]' "$mdir/nfq-guard.prom" 2>/dev/null && break
		sleep 0.2
	done
	fout=$(python3 tests/integration/prom_check.py "$mdir/nfq-guard.prom" hikvision 2>&1)
	frc=$?
	both=$(ctl stats --prometheus --json >/dev/null 2>&1; echo $?)
	check '[[ $rc -eq 0 && $frc -eq 0 && $both -eq 2 && ! -e $mdir/nfq-guard.prom.tmp ]]' \
		"stats: $out (exit $rc); file: $fout (exit $frc); --json with --prometheus exit $both"
else
	bad "nfq-guard did not start with metrics"
fi

t "run without -f detaches, answers on its socket, and SIGTERM ends it"
stop_guard
ip netns exec "$LAB_NS_ROUTER" "$BIN" -c "$tmp/lab.conf" run --socket "$CTL" \
	--pidfile /run/nfq-guard/nfq-guard.pid >"$tmp/bg.out" 2>&1
rc=$?
bgpid=$(cat /run/nfq-guard/nfq-guard.pid 2>/dev/null)
spid=$(ctl status --json | jget pid)
[ -n "$bgpid" ] && kill -TERM "$bgpid" 2>/dev/null
for _ in $(seq 50); do kill -0 "$bgpid" 2>/dev/null || break; sleep 0.1; done
alive=$(kill -0 "$bgpid" 2>/dev/null && echo yes || echo no)
[ "$alive" = yes ] && kill -KILL "$bgpid"
check '[[ $rc -eq 0 && -n $bgpid && $spid == "$bgpid" && $alive == no &&
	! -e /run/nfq-guard/nfq-guard.pid && ! -e $CTL ]] &&
	! nsx router nft list table inet nfq_guard >/dev/null 2>&1' \
	"exit $rc ($(cat "$tmp/bg.out")), pid file '$bgpid', status pid '$spid', alive after SIGTERM: $alive"

t "with no daemon, the control commands say so and exit 1"
out=$(ctl status 2>&1)
rc=$?
out2=$(ctl reload 2>&1)
rc2=$?
check '[[ $rc -eq 1 && $rc2 -eq 1 && $out == *"cannot reach the daemon"* ]]' "exit $rc '$out', reload exit $rc2"
