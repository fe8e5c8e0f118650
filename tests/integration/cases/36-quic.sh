# Another QUIC connection on a 4-tuple already let pass, through the real
# kernel: the camera's first QUIC connection names an allowed server; a
# second one, from the same port to the same server, names the vendor's.
# The kernel must queue its Initial although the flow is decided, and
# nfq-guard decide it of its own.  Client: ../quic_client.c (built by
# `make integration`); server: a stand-in that answers every datagram with
# a long header, as a QUIC server's first Initial.  Sourced by ../run.
# shellcheck shell=bash
qc=$(dirname "$BIN")/tests/quic_client
if [ ! -x "$qc" ]; then
	t "quic: the test client is built"
	bad "$qc missing: make integration builds it"
	return
fi
# UDP to port 443 allowed for ok.example.org too, as TCP is (lab.conf: start_guard's)
[ -f "$tmp/lab.conf" ] || start_guard open || { bad "nfq-guard did not start"; return; }
sed -e 's|proto = "tcp"; port = 443; domain = "ok.example.org"|port = 443; domain = "ok.example.org"|' \
	"$tmp/lab.conf" >"$tmp/quic.conf"
start_guard_conf "$tmp/quic.conf" || { bad "nfq-guard did not start"; return; }
: >"$tmp/quic-seen"
nsx wan python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 443))
log = open(sys.argv[2], "a", buffering=1)
while True:
    d, peer = s.recvfrom(4096)
    log.write("%d %02x\n" % (len(d), d[0]))
    if len(d) < 7 or not d[0] & 0x80:
        continue
    dl = d[5]
    scid = d[7 + dl:7 + dl + d[6 + dl]]
    s.sendto(bytes([0xc0, 0, 0, 0, 1, len(scid)]) + scid + bytes([8]) + b"S" * 8 + bytes(40), peer)
' "$LAB_WAN_IP7" "$tmp/quic-seen" &
quic_srv=$!
wait_udp wan 443
quic() { nsx cam1 "$qc" "$LAB_CAM1" 45443 "$LAB_WAN_IP7" 443 "$1" "$2"; }
seen() { wc -l <"$tmp/quic-seen"; }

t "quic: an allowed name's Initial is answered through the router (the tools work)"
out=$(quic "$LAB_NAME_OK" 0102030405060708)
check '[[ $out == reply && $(seen) -eq 1 ]]' "got '$out', server saw $(seen)"

t "quic: the connection's own later Initial, to the server's ID, still passes"
before=$(queued)
out=$(quic "$LAB_NAME_OK" 5353535353535353)
check '[[ $out == reply && $(seen) -eq 2 && $(($(queued) - before)) -ge 1 ]]' \
	"got '$out', server saw $(seen), queued $before -> $(queued)"

t "quic: a second connection on the allowed 4-tuple, naming the vendor, is dropped"
evmark
before=$(queued)
out=$(quic "$LAB_NAME_EZVIZ_UPGRADE" 1112131415161718)
sleep 0.5
check '[[ $out == none && $(seen) -eq 2 && $(($(queued) - before)) -ge 1 &&
	$(ev rule=hik-cloud "name=$LAB_NAME_EZVIZ_UPGRADE" name_source=quic) -ge 1 ]]' \
	"got '$out', server saw $(seen), queued $before -> $(queued); events: $(evshow 3)"

kill "$quic_srv" 2>/dev/null
wait "$quic_srv" 2>/dev/null
