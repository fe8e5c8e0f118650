# A device known only by the interface it is behind: queued and decided
# like any other.  Sourced by ../run.
# shellcheck shell=bash

t "a device known by its interface alone is filtered"
stop_guard
cat >"$tmp/iface.conf" <<CONF
version = 1;
default = "allow";
events = "$EVENTS";
networks = { lan = [ "$LAB_LAN_NET", "$LAB_NVR_NET" ]; };
devices = ( { name = "recorder"; iface = "$LAB_ROUTER_NVR_IF"; } );
rules = (
	{ name = "local"; to = "lan"; action = "allow"; },
	{ name = "recorder-wan"; to = "wan"; action = "drop"; log = true; }
);
CONF
: >"$tmp/guard.log"
ip netns exec "$LAB_NS_ROUTER" "$BIN" -c "$tmp/iface.conf" run -f --socket "$CTL" \
	>>"$tmp/guard.log" 2>&1 &
guard_pid=$!
for _ in $(seq 50); do grep -q "filtering with" "$tmp/guard.log" && break; sleep 0.1; done
code=$(nsx nvr curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://$LAB_WAN_IP8/")
lap=$(nsx laptop curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://$LAB_WAN_IP8/")
ev=$(event '"rule":"recorder-wan","device":"recorder","match":"iface"')
stop_guard
check '[[ $code == 000 && $lap == 200 && $ev -ge 1 ]]' "NVR http '$code', laptop '$lap', events $ev"
