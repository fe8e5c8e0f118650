# identify = [ "dhcp", "dns" ] with the shipped identify-hints.conf: cam3
# (no camera OUI) sends a busybox client's DHCPREQUEST naming a Hikvision
# model and becomes a device of group hikvision; cam4 asks the router's
# dnsmasq for Dahua's cloud names, and only those, until the DNS dwell
# has passed, and becomes one of group dahua.  The laptop (a vendor name
# among others, a camera's host name with a PC's DHCP client, a request
# naming cam5's MAC) and the printer (busybox's DHCP client, its own host
# name; the vendor's names among more others) are never found.  The
# window and dwell are shortened to 5 and 8 s (limits.identify_dns_*),
# the only change to the shipped hints.  Sourced by ../run.
# shellcheck shell=bash
PEER=("$PY3" "$(pwd)/tests/integration/identify_peer.py")
HINT_STATE=$tmp/lib/nfq-guard/hints-state.json
rm -f "$HINT_STATE"
lab_conf open drop "$tmp/hints.conf"
sed -i "s|^state = .*|state = \"$HINT_STATE\";\nidentify = [ \"dhcp\", \"dns\" ];\n@include \"$(pwd)/policies/identify-hints.conf\"\nlimits = { identify_dns_window = 5; identify_dns_dwell = 8; };|" \
	"$tmp/hints.conf"
UDHCPC_VC="udhcp 1.36.1"
UDHCPC_PRL=1,3,6,12,15,28,42
# hint_dev MAC: "by/vendor/group/detail" of MAC in ctl devices --json, or "none"
hint_dev() {
	ctl devices --json 2>&1 | $PY3 -c '
import json, sys
try:
    devs = {d["mac"]: d for d in json.load(sys.stdin)["devices"]}
except (ValueError, KeyError) as e:
    print("devices --json does not read: %s" % e)
    sys.exit()
d = devs.get(sys.argv[1])
ev = (d or {}).get("evidence") or {}
print("%s/%s/%s/%s" % (d["identified_by"], ev.get("vendor"), d["group"], ev.get("detail")) if d else "none")' "$1"
}

start_guard_conf "$tmp/hints.conf" || { bad "nfq-guard did not start"; return; }
evmark

t "hints: the table copies DHCP requests and DNS queries only (no discovery rule); cam3 and cam4 start unfound and reach the WAN"
lr=$(nsx router nft list chain inet nfq_guard prerouting 2>/dev/null | grep 'log group' | tr -s ' \t' ' ')
b3=$(https cam3 "$LAB_NAME_WWW" "$LAB_WAN_IP7")
b4=$(https cam4 "$LAB_NAME_WWW" "$LAB_WAN_IP7")
check '[[ $(grep -c . <<<"$lr") -eq 2 && $lr == *"udp sport 68 udp dport 67"* && $lr == *"udp dport 53"* && $lr != *37020* &&
	-z $(found) && $b3 == *"sni=$LAB_NAME_WWW"* && $b4 == *"sni=$LAB_NAME_WWW"* ]]' \
	"log rules: $lr; dev_found '$(found)'; cam3 '$b3', cam4 '$b4'"

t "hints: DHCP that is not a camera's identifies nothing: the printer's busybox client, a camera's host name from a PC's client, a request naming another MAC"
# the printer: busybox's vendor class and list, its own host name (2 points without the name: not enough)
nsx printer "${PEER[@]}" dhcp eth0 --hostname HP-LaserJet-M404 --vendor-class "$UDHCPC_VC" --params "$UDHCPC_PRL"
# the laptop names itself like a camera, with Windows' client (1 point)
nsx laptop "${PEER[@]}" dhcp eth0 --hostname DS-2CD2143G2-I --vendor-class "MSFT 5.0" \
	--params 1,3,6,15,31,33,43,44,46,47,119,121,249,252 --from "$LAB_LAPTOP"
# the laptop's frame, cam5's chaddr, a camera's request in full
nsx laptop "${PEER[@]}" dhcp eth0 --hostname DS-2CD2143G2-I --vendor-class "$UDHCPC_VC" \
	--params "$UDHCPC_PRL" --chaddr "$LAB_CAM5_MAC"
sleep 1.5
check '[[ -z $(found) && $(ev event=device_identified) -eq 0 && $(found_stat copies_read) -ge 3 && $(found_stat copies_lost) == 0 ]]' \
	"dev_found '$(found)'; copies read $(found_stat copies_read), lost $(found_stat copies_lost); $(evshow 2)"

t "hints: cam3's DHCPREQUEST at boot (from 0.0.0.0: a Hikvision model name, busybox's client) makes it a device of group hikvision; its HTTPS to the WAN is then dropped"
nsx cam3 "${PEER[@]}" dhcp eth0 --hostname "$LAB_CAM3_MODEL" --vendor-class "$UDHCPC_VC" --params "$UDHCPC_PRL"
wait_found "$LAB_CAM3_MAC"
d3=$(hint_dev "$LAB_CAM3_MAC")
b3=$(https cam3 "$LAB_NAME_WWW" "$LAB_WAN_IP7")
r3=$?
check '[[ $(found) == "$LAB_CAM3_MAC" && $d3 == "dhcp/Hikvision/hikvision/hostname=$LAB_CAM3_MODEL vendor_class=$UDHCPC_VC parameters=$UDHCPC_PRL" &&
	$(ev event=device_identified mac="$LAB_CAM3_MAC" identified_by=dhcp vendor=Hikvision group=hikvision) -eq 1 &&
	$r3 -ne 0 && -z $b3 && $(ev device=hikvision mac="$LAB_CAM3_MAC" rule=egress action=drop) -ge 1 ]]' \
	"dev_found '$(found)'; devices: $d3; cam3 curl $r3 '$b3'; $(evshow 3)"

t "hints: cam4 asking only for Dahua's cloud names is a device of group dahua once the dwell has passed; the laptop (one vendor name among others) and the printer (two among more others) asking all along are not"
evmark
nsx laptop "${PEER[@]}" dns "$LAB_ROUTER_LAN" 12 p2p.easy4ipcloud.com www.example.org www.example.com \
	ntp.example.net >"$tmp/hints-laptop" 2>&1 &
lp=$!
nsx printer "${PEER[@]}" dns "$LAB_ROUTER_LAN" 12 p2p.easy4ipcloud.com www.imoulife.com www.example.org \
	www.example.com ntp.example.net >"$tmp/hints-printer" 2>&1 &
pp=$!
t0=$(date +%s)
nsx cam4 "${PEER[@]}" dns "$LAB_ROUTER_LAN" 12 p2p.easy4ipcloud.com www.imoulife.com >"$tmp/hints-cam4" 2>&1 &
cp=$!
sleep 4
early=$(found)
wait_found "$LAB_CAM4_MAC" 100
t1=$(date +%s)
wait "$lp" "$pp" "$cp"
n4=$(cat "$tmp/hints-cam4")
late=$(found)
d4=$(hint_dev "$LAB_CAM4_MAC")
check '[[ $n4 -eq 24 && $((t1 - t0)) -ge 7 && $early == "$LAB_CAM3_MAC" && $late == "$(printf "%s\n" "$LAB_CAM3_MAC" "$LAB_CAM4_MAC" | sort | tr "\n" " " | sed "s/ $//")" &&
	$d4 == "dns/Dahua/dahua/dns: "* && $d4 == *www.imoulife.com* && $d4 == *p2p.easy4ipcloud.com* &&
	$(hint_dev "$LAB_LAPTOP_MAC") == none && $(hint_dev "$LAB_PRINTER_MAC") == none &&
	$(ev event=device_identified mac="$LAB_CAM4_MAC" identified_by=dns vendor=Dahua group=dahua) -eq 1 &&
	$(ev event=device_identified) -eq 1 ]]' \
	"after 4 s dev_found '$early', after $((t1 - t0)) s '$late'; cam4 ($n4 queries): $d4; laptop $(hint_dev "$LAB_LAPTOP_MAC") ($(cat "$tmp/hints-laptop") queries), printer $(hint_dev "$LAB_PRINTER_MAC") ($(cat "$tmp/hints-printer")); $(evshow 2)"

t "hints: after a restart the state file's cameras are in dev_found before any request, with their DHCP and DNS evidence"
d3a=$(hint_dev "$LAB_CAM3_MAC")
d4a=$(hint_dev "$LAB_CAM4_MAC")
start_guard_conf "$tmp/hints.conf" || { bad "nfq-guard did not restart"; return; }
b4=$(https cam4 "$LAB_NAME_WWW" "$LAB_WAN_IP7")
r4=$?
check '[[ $(found) == "$late" && $(hint_dev "$LAB_CAM3_MAC") == "$d3a" && $(hint_dev "$LAB_CAM4_MAC") == "$d4a" && $r4 -ne 0 && -z $b4 ]]' \
	"dev_found '$(found)' (was '$late'); cam3 $(hint_dev "$LAB_CAM3_MAC"); cam4 $(hint_dev "$LAB_CAM4_MAC"); cam4 curl $r4 '$b4'"
stop_guard
rm -f "$HINT_STATE"
