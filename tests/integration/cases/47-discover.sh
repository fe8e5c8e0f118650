# discover on the router: the lab's relabelled cameras (cam3 SADP, cam4
# DHIP, cam5 ONVIF; locally administered MACs, no camera OUI) are found with
# model, firmware and serial; the decoys (a WS-Discovery printer, an SSDP
# media server) and the other hosts are not; the group is the policy's, or
# NOT COVERED.  Sourced by ../run.
# shellcheck shell=bash
lab_conf open drop "$tmp/disc.conf"
# cam3 is named by its MAC in a group of its own; cam4 and cam5 are in none
sed -i "s|^devices = (|&\n\t{ name = \"lobby\"; mac = [ \"$LAB_CAM3_MAC\" ]; },|" "$tmp/disc.conf"

t "discover finds every relabelled camera with model, firmware and serial, and no decoy"
js=$(nsx router "$BIN" -c "$tmp/disc.conf" discover -i "$LAB_ROUTER_LAN_IF" --timeout 3 --json 2>"$tmp/disc.err")
rc=$?
res=$(echo "$js" | $PY3 -c '
import json, sys
want = {
    sys.argv[1]: (sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], ["sadp"], "lobby"),
    sys.argv[6]: (sys.argv[7], sys.argv[8], sys.argv[9], sys.argv[10], ["dhip"], None),
    sys.argv[11]: (sys.argv[12], sys.argv[13], None, None, ["onvif"], None),
}
keys = ["mac", "ip", "vendor", "model", "firmware", "serial", "via", "group"]
seen, bad = set(), []
for line in sys.stdin:
    d = json.loads(line)
    if sorted(d) != sorted(keys):
        bad.append("keys %s" % sorted(d))
    w = want.get(d["mac"])
    if not w:
        bad.append("not a camera of the lab: %s" % d)
        continue
    seen.add(d["mac"])
    got = (d["ip"], d["model"], d["firmware"], d["serial"])
    if got != w[:4]:
        bad.append("%s: %s, not %s" % (d["mac"], got, w[:4]))
    if (d["via"], d["group"]) != (w[4], w[5]):
        bad.append("%s: via %s group %s, not %s %s" % (d["mac"], d["via"], d["group"], w[4], w[5]))
    if not d["vendor"]:
        bad.append("%s: no vendor" % d["mac"])
missing = set(want) - seen
print("ok" if not bad and not missing else "; ".join(bad + ["missing %s" % m for m in missing]))' \
	"$LAB_CAM3_MAC" "$LAB_CAM3" "$LAB_CAM3_MODEL" "$LAB_CAM3_FIRMWARE" "$LAB_CAM3_SERIAL" \
	"$LAB_CAM4_MAC" "$LAB_CAM4" "$LAB_CAM4_MODEL" "$LAB_CAM4_FIRMWARE" "$LAB_CAM4_SERIAL" \
	"$LAB_CAM5_MAC" "$LAB_CAM5" "$LAB_CAM5_MODEL" 2>&1)
check '[[ $rc -eq 0 && $res == ok ]]' "exit $rc, $res; $(head -c 300 "$tmp/disc.err"); output: $(echo "$js" | head -c 600)"

t "discover: text lines say NOT COVERED, and its devices block compiles"
txt=$(nsx router "$BIN" -c "$tmp/disc.conf" discover -i "$LAB_ROUTER_LAN_IF" --timeout 3 2>/dev/null)
nsx router "$BIN" -c "$tmp/disc.conf" discover -i "$LAB_ROUTER_LAN_IF" --timeout 3 --policy-snippet \
	>"$tmp/snippet.conf" 2>/dev/null
{
	echo 'version = 1;'
	cat "$tmp/snippet.conf"
	echo 'rules = ( { name = "out"; to = "wan"; action = "drop"; } );'
} >"$tmp/snippet-policy.conf"
chk=$("$BIN" -c "$tmp/snippet-policy.conf" check 2>&1)
crc=$?
check '[[ $(grep -c "NOT COVERED" <<<"$txt") -eq 2 && $(grep -c "lobby" <<<"$txt") -eq 1 && $crc -eq 0 &&
	$(grep -c "$LAB_CAM4_MAC" "$tmp/snippet.conf") -eq 1 && $(grep -c "$LAB_PRINTER_MAC" "$tmp/snippet.conf") -eq 0 ]]' \
	"text '$txt'; snippet check $crc '$chk'; $(head -c 400 "$tmp/snippet.conf")"
