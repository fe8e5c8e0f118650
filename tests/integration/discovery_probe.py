#!/usr/bin/env python3
"""Self-check of the lab's discovery hosts (scripts/lab up first; root).

From the router's namespace, on its LAN interface: malformed searches first
(nobody may answer them, 1 s), then an SADP Probe, a DHIP search (to the
group and to the LAN broadcast address), WS-Discovery Probes (one for
dn:NetworkVideoTransmitter, one with no Types, over IPv4; one for
dn:NetworkVideoTransmitter to ff02::c when the lab has IPv6) and an SSDP
M-SEARCH; answers are collected for 3 seconds.  Checks that cam3 (SADP),
cam4 (DHIP) and cam5 (ONVIF) answer with their fields from scripts/lab.env,
that the printer answers only the Probe without Types, the media server only
the M-SEARCH, and that nobody else answers.  Also checks that the responders
logged their announcement at start.

Usage: tests/integration/discovery_probe.py   (enters the router namespace
itself: ip netns exec $LAB_NS_ROUTER; -v prints every answer)
Prints one line per check and "discovery_probe: PASS (N checks)" or
"discovery_probe: FAIL (M of N checks failed)"; exit status 0 or 1.
"""
import json
import os
import selectors
import socket
import struct
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
COLLECT = 3.0
MAX = 65535


def lab_env():
    out = subprocess.run(["sh", "-c", 'set -a && . "$1" && env', "sh", os.path.join(TOP, "scripts", "lab.env")],
                         capture_output=True, text=True, timeout=10, check=True).stdout
    env = {}
    for ln in out.splitlines():
        k, sep, v = ln.partition("=")
        if sep and k.startswith("LAB_"):
            env[k] = v
    return env


E = lab_env()


def in_router_ns():
    try:
        socket.if_nametoindex(E["LAB_ROUTER_LAN_IF"])
    except OSError:
        return False
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind((E["LAB_ROUTER_LAN"], 0))
        return True
    except OSError:
        return False
    finally:
        s.close()


if not in_router_ns():
    if os.environ.get("NFQG_PROBE_IN_NS"):
        sys.exit("discovery_probe: FAIL (not in the router namespace %s)" % E["LAB_NS_ROUTER"])
    if os.geteuid() != 0:
        sys.exit("discovery_probe: FAIL (must run as root, with the lab up)")
    os.environ["NFQG_PROBE_IN_NS"] = "1"
    try:
        os.execvp("ip", ["ip", "netns", "exec", E["LAB_NS_ROUTER"], sys.executable] + sys.argv)
    except OSError as e:
        sys.exit("discovery_probe: FAIL (ip netns exec: %s)" % e)

VERBOSE = "-v" in sys.argv[1:]
LAN, LAN_IF = E["LAB_ROUTER_LAN"], E["LAB_ROUTER_LAN_IF"]
STATE = os.path.join(E["LAB_RUN_DIR"], "state")
V6 = False
try:
    V6 = "LAB_IPV6=1" in open(STATE).read()
except OSError:
    sys.exit("discovery_probe: FAIL (no %s: is the lab up? scripts/lab up)" % STATE)
LAN6 = E["LAB_ROUTER_LAN_V6"]
IFX = socket.if_nametoindex(LAN_IF)
BCAST = LAN.rsplit(".", 1)[0] + ".255"  # the /24's broadcast address
IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
DN = "http://www.onvif.org/ver10/network/wsdl"

# hosts by address, for the messages
NAMES = {}
for k, v in E.items():
    if k.startswith("LAB_") and k.count("_") == 1 and "." in v:
        NAMES[v] = k[4:].lower()
    if k.startswith("LAB_") and k.endswith("_V6") and k.count("_") == 2:
        NAMES[v] = k[4:-3].lower()


def who(addr):
    return NAMES.get(addr.split("%")[0], addr)


checks, failed = 0, 0


def check(name, cond, detail=""):
    global checks, failed
    checks += 1
    if cond:
        print("ok   %s" % name)
    else:
        failed += 1
        print("FAIL %s%s" % (name, ": " + detail if detail else ""))


# --- sockets --------------------------------------------------------------
def sock4(port, groups=()):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
    s.bind(("0.0.0.0", port))
    for g in groups:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(g) + socket.inet_aton(LAN))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(LAN))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    # broadcasts leave by the LAN, never by the default route (the WAN)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, LAN_IF.encode())
    return s


def sock6():
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((LAN6, 0))  # the answer then comes from the host's fd77:: address
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, IFX)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 1)
    return s


def collect(socks, seconds):
    """[(tag, data, src, dst)] for every datagram within SECONDS (dst: the
    IPv4 header's destination where known)."""
    sel = selectors.DefaultSelector()
    for tag, s in socks.items():
        sel.register(s, selectors.EVENT_READ, tag)
    got, end = [], time.monotonic() + seconds
    while len(got) < 1000:
        left = end - time.monotonic()
        if left <= 0:
            break
        for k, _ in sel.select(timeout=left):
            s = k.fileobj
            data, anc, _f, peer = s.recvmsg(MAX, socket.CMSG_SPACE(64))
            dst = None
            for lvl, typ, val in anc:
                if lvl == socket.IPPROTO_IP and typ == IP_PKTINFO and len(val) >= 12:
                    dst = socket.inet_ntoa(val[8:12])
            if peer[0] in (LAN, LAN6):
                continue  # our own broadcast, delivered locally too
            got.append((k.data, data, peer[0], dst))
            if VERBOSE:
                print("     <- %s from %s (%s) to %s: %r" % (k.data, peer[0], who(peer[0]), dst, data[:160]))
    sel.close()
    return got


# --- the searches ---------------------------------------------------------
def sadp_probe(u, types="inquiry"):
    return ('<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>%s</Uuid><Types>%s</Types></Probe>'
            % (u, types)).encode()


def dhip(obj, n1=None, n2=None, magic=b"DHIP"):
    body = json.dumps(obj).encode()
    n1 = len(body) if n1 is None else n1
    n2 = len(body) if n2 is None else n2
    return (b"\x20\x00\x00\x00" + magic + b"\x00" * 8 + struct.pack("<I", n1) + b"\x00" * 4
            + struct.pack("<I", n2) + b"\x00" * 4 + body)


DHIP_SEARCH = {"method": "DHDiscover.search", "params": {"mac": "", "uni": 1}}


def wsd_probe(mid, types=None, action=WSD + "/Probe"):
    t = "<d:Types>%s</d:Types>" % types if types is not None else ""
    mid_el = "<wsa:MessageID>%s</wsa:MessageID>" % mid if mid else ""
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<s:Envelope xmlns:s="%s" xmlns:wsa="%s" xmlns:d="%s" xmlns:dn="%s">'
            '<s:Header>%s<wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>'
            '<wsa:Action>%s</wsa:Action></s:Header>'
            '<s:Body><d:Probe>%s</d:Probe></s:Body></s:Envelope>'
            % (SOAP, WSA, WSD, DN, mid_el, action, t)).encode()


MSEARCH = (b'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\n'
           b'MX: 1\r\nST: ssdp:all\r\n\r\n')

socks = {"sadp": sock4(37020, ["239.255.255.250"]), "dhip": sock4(37810, ["239.255.255.251"]),
         "wsd": sock4(0), "ssdp": sock4(0)}
if V6:
    socks["wsd6"] = sock6()
SADP_G, DHIP_G, WSD_G, SSDP_G = ("239.255.255.250", 37020), ("239.255.255.251", 37810), \
    ("239.255.255.250", 3702), ("239.255.255.250", 1900)

# 1. malformed searches: nobody answers (1 s)
bad_u = str(uuid.uuid4()).upper()
socks["sadp"].sendto(sadp_probe(bad_u, "update"), SADP_G)            # not an inquiry
socks["sadp"].sendto(b"<Probe><Uuid>" + b"A" * 20, SADP_G)           # not XML
socks["sadp"].sendto(b'<!DOCTYPE x [<!ENTITY a "b">]><Probe><Uuid>&a;</Uuid>'
                     b'<Types>inquiry</Types></Probe>', SADP_G)      # a DTD
socks["dhip"].sendto(dhip(DHIP_SEARCH, n1=999, n2=999), DHIP_G)      # lengths past the end
socks["dhip"].sendto(dhip(DHIP_SEARCH, n2=3), DHIP_G)                # lengths that differ
socks["dhip"].sendto(dhip(DHIP_SEARCH, magic=b"PIHD"), DHIP_G)       # no DHIP magic
socks["dhip"].sendto(dhip({"method": "configManager.getConfig"}), DHIP_G)  # not a search
socks["wsd"].sendto(wsd_probe(None), WSD_G)                          # no MessageID
socks["wsd"].sendto(wsd_probe("urn:uuid:%s" % uuid.uuid4(), action=WSD + "/Resolve"), WSD_G)
socks["wsd"].sendto(wsd_probe("urn:uuid:%s" % uuid.uuid4(), "zz:NetworkVideoTransmitter"), WSD_G)
socks["ssdp"].sendto(b"M-SEARCH * HTTP/1.1\r\nST: ssdp:all\r\n\r\n", SSDP_G)  # no MAN
junk = collect(socks, 1.0)
check("malformed searches get no answer", not junk,
      "; ".join("%s from %s" % (t, who(a)) for t, _d, a, _x in junk[:6]))

# 2. well-formed searches, 3 s of answers
su = str(uuid.uuid4()).upper()
m_nvt, m_any, m_nvt6 = ("urn:uuid:%s" % uuid.uuid4() for _ in range(3))
socks["sadp"].sendto(sadp_probe(su), SADP_G)
socks["dhip"].sendto(dhip(DHIP_SEARCH), DHIP_G)
socks["dhip"].sendto(dhip(DHIP_SEARCH), (BCAST, 37810))
socks["wsd"].sendto(wsd_probe(m_nvt, "dn:NetworkVideoTransmitter"), WSD_G)
socks["wsd"].sendto(wsd_probe(m_any), WSD_G)
if V6:
    socks["wsd6"].sendto(wsd_probe(m_nvt6, "dn:NetworkVideoTransmitter"), ("ff02::c", 3702, 0, IFX))
socks["ssdp"].sendto(MSEARCH, SSDP_G)
got = collect(socks, COLLECT)
by = {}
for tag, data, src, dst in got:
    by.setdefault(tag, []).append((data, src, dst))

# --- SADP: cam3 ------------------------------------------------------------
mac3 = E["LAB_CAM3_MAC"].replace(":", "-")
sadp = by.get("sadp", [])
check("SADP: only cam3 answers", sadp and all(s == E["LAB_CAM3"] for _d, s, _x in sadp),
      "answers from %s" % sorted({who(s) for _d, s, _x in sadp}))
want3 = {"Uuid": su, "Types": "inquiry", "DeviceDescription": E["LAB_CAM3_MODEL"],
         "DeviceSN": E["LAB_CAM3_SERIAL"], "CommandPort": "8000", "HttpPort": "80", "MAC": mac3,
         "IPv4Address": E["LAB_CAM3"], "IPv4SubnetMask": "255.255.255.0",
         "IPv4Gateway": E["LAB_ROUTER_LAN"], "SoftwareVersion": E["LAB_CAM3_FIRMWARE"],
         "Activated": "true"}
ok3, why = False, "no ProbeMatch from cam3"
for d, s, dst in sadp:
    try:
        r = ET.fromstring(d)
    except ET.ParseError as e:
        why = "not XML: %s" % e
        continue
    f = {c.tag: (c.text or "") for c in r}
    bad = {k: f.get(k) for k, v in want3.items() if f.get(k) != v}
    if r.tag != "ProbeMatch" or bad or not f.get("DSPVersion") or not f.get("DeviceType"):
        why = "tag %s, wrong fields %s" % (r.tag, bad)
        continue
    if dst != SADP_G[0]:
        why = "ProbeMatch sent to %s, not to the group" % dst
        continue
    ok3 = True
check("SADP: cam3's ProbeMatch to %s echoes the Uuid, %s, %s, %s, MAC %s"
      % (SADP_G[0], E["LAB_CAM3_MODEL"], E["LAB_CAM3_SERIAL"], E["LAB_CAM3_FIRMWARE"], mac3), ok3, why)
check("SADP: the malformed inquiry's Uuid never answered", all(bad_u.encode() not in d for d, _s, _x in sadp))

# --- DHIP: cam4 --------------------------------------------------------------
dh = by.get("dhip", [])
check("DHIP: only cam4 answers", dh and all(s == E["LAB_CAM4"] for _d, s, _x in dh),
      "answers from %s" % sorted({who(s) for _d, s, _x in dh}))
uni = grp = 0
why = "no notifyDevInfo from cam4"
for d, s, dst in dh:
    if len(d) < 32 or d[:4] != b"\x20\x00\x00\x00" or d[4:8] != b"DHIP":
        why = "bad header %r" % d[:8]
        continue
    n1, n2 = struct.unpack_from("<I", d, 16)[0], struct.unpack_from("<I", d, 24)[0]
    if not n1 == n2 == len(d) - 32:
        why = "lengths %d %d for a %d-byte body" % (n1, n2, len(d) - 32)
        continue
    try:
        o = json.loads(d[32:])
        di = o["params"]["deviceInfo"]
        ip = di["IPv4Address"]
        good = (o["method"] == "client.notifyDevInfo" and o["mac"] == E["LAB_CAM4_MAC"]
                and di["DeviceType"] == E["LAB_CAM4_MODEL"] and di["SerialNo"] == E["LAB_CAM4_SERIAL"]
                and di["Version"] == E["LAB_CAM4_FIRMWARE"] and di["Vendor"] == E["LAB_CAM4_VENDOR"]
                and ip["IPAddress"] == E["LAB_CAM4"] and ip["SubnetMask"] == "255.255.255.0"
                and ip["DefaultGateway"] == E["LAB_ROUTER_LAN"] and di["HttpPort"] == 80
                and di["Port"] == 37777)
    except (ValueError, KeyError, TypeError) as e:
        why = "JSON: %r" % e
        continue
    if not good:
        why = "wrong fields: %s" % d[32:300]
        continue
    if dst == DHIP_G[0]:
        grp += 1
    elif dst == LAN:
        uni += 1
check("DHIP: cam4's notifyDevInfo (%s, %s, %s, mac %s at the top level), header lengths right"
      % (E["LAB_CAM4_MODEL"], E["LAB_CAM4_SERIAL"], E["LAB_CAM4_FIRMWARE"], E["LAB_CAM4_MAC"]),
      uni + grp >= 1, why)
check("DHIP: both searches (group, broadcast) answered to the sender and to %s" % DHIP_G[0],
      uni == 2 and grp == 2, "%d to the sender, %d to the group" % (uni, grp))


# --- WS-Discovery: cam5, printer -------------------------------------------
def probe_matches(d):
    """(RelatesTo, Types, Scopes, XAddrs) of a ProbeMatches, or a str why not."""
    try:
        r = ET.fromstring(d)
    except ET.ParseError as e:
        return "not XML: %s" % e
    h, b = r.find("{%s}Header" % SOAP), r.find("{%s}Body" % SOAP)
    if r.tag != "{%s}Envelope" % SOAP or h is None or b is None:
        return "not a SOAP 1.2 envelope"
    if (h.findtext("{%s}Action" % WSA) or "") != WSD + "/ProbeMatches":
        return "Action %s" % h.findtext("{%s}Action" % WSA)
    m = b.find("{%s}ProbeMatches/{%s}ProbeMatch" % (WSD, WSD))
    if m is None:
        return "no ProbeMatch"
    return ((h.findtext("{%s}RelatesTo" % WSA) or "").strip(),
            (m.findtext("{%s}Types" % WSD) or "").split(),
            (m.findtext("{%s}Scopes" % WSD) or "").split(),
            (m.findtext("{%s}XAddrs" % WSD) or "").strip())


wsd = [(d, s, "v4") for d, s, _x in by.get("wsd", [])] + [(d, s, "v6") for d, s, _x in by.get("wsd6", [])]
answers = {}  # (who, RelatesTo) -> parsed
for d, s, fam in wsd:
    p = probe_matches(d)
    rel = p[0] if isinstance(p, tuple) else "?"
    answers.setdefault((who(s), rel), []).append((p, s, fam))
check("WS-Discovery: only cam5 and the printer answer",
      wsd and {k[0] for k in answers} <= {"cam5", "printer"},
      "answers from %s" % sorted({k[0] for k in answers}))
scopes5 = ["onvif://www.onvif.org/type/video_encoder",
           "onvif://www.onvif.org/name/" + E["LAB_CAM5_NAME"].replace(" ", "%20"),
           "onvif://www.onvif.org/hardware/" + E["LAB_CAM5_MODEL"],
           "onvif://www.onvif.org/MAC/" + E["LAB_CAM5_MAC"],
           "onvif://www.onvif.org/location/" + E["LAB_CAM5_LOCATION"]]
x5 = "http://%s/onvif/device_service" % E["LAB_CAM5"]


def cam5_ok(rel, src):
    a = answers.get(("cam5", rel), [])
    if len(a) != 1:
        return False, "%d answers" % len(a)
    p, s, _f = a[0]
    if isinstance(p, str):
        return False, p
    _r, types, scopes, xaddrs = p
    if s != src:
        return False, "from %s" % s
    if types != ["dn:NetworkVideoTransmitter", "tds:Device"] or scopes != scopes5 or xaddrs != x5:
        return False, "types %s scopes %s xaddrs %s" % (types, scopes, xaddrs)
    return True, ""


for rel, what in ((m_nvt, "the Probe for dn:NetworkVideoTransmitter"), (m_any, "the Probe without Types")):
    good, why = cam5_ok(rel, E["LAB_CAM5"])
    check("WS-Discovery: cam5 answers %s unicast, RelatesTo its MessageID, Types, Scopes (%s, %s), XAddrs %s"
          % (what, E["LAB_CAM5_NAME"], E["LAB_CAM5_MODEL"], x5), good, why)
if V6:
    good, why = cam5_ok(m_nvt6, E["LAB_CAM5_V6"])
    check("WS-Discovery: cam5 answers the Probe to ff02::c from %s" % E["LAB_CAM5_V6"], good, why)
pa = answers.get(("printer", m_any), [])
pgood = (len(pa) == 1 and isinstance(pa[0][0], tuple) and pa[0][1] == E["LAB_PRINTER"]
         and pa[0][0][1] == ["wsdp:Device", "print:PrintDeviceType"]
         and not any(sc.startswith("onvif:") for sc in pa[0][0][2]))
check("WS-Discovery: the printer answers the Probe without Types (wsdp:Device print:PrintDeviceType, no onvif scopes)",
      pgood, "%r" % pa[:1])
check("WS-Discovery: the printer does not answer the Probes for dn:NetworkVideoTransmitter",
      not answers.get(("printer", m_nvt)) and not answers.get(("printer", m_nvt6)))
check("WS-Discovery: no answer relates to anything but our Probes",
      all(k[1] in (m_nvt, m_any, m_nvt6) for k in answers), "%s" % list(answers))

# --- SSDP: mediasrv --------------------------------------------------------
ss = by.get("ssdp", [])
check("SSDP: only mediasrv answers the M-SEARCH", ss and all(s == E["LAB_MEDIASRV"] for _d, s, _x in ss),
      "answers from %s" % sorted({who(s) for _d, s, _x in ss}))
hdrs = {}
if ss:
    for ln in ss[0][0].decode(errors="replace").split("\r\n")[1:]:
        k, sep, v = ln.partition(":")
        if sep:
            hdrs[k.strip().upper()] = v.strip()
check("SSDP: mediasrv is a MediaServer whose SERVER names %s/%s"
      % (E["LAB_MEDIASRV_MODEL"], E["LAB_MEDIASRV_FIRMWARE"]),
      bool(ss) and ss[0][0].startswith(b"HTTP/1.1 200 OK\r\n")
      and hdrs.get("ST") == "urn:schemas-upnp-org:device:MediaServer:1"
      and "%s/%s" % (E["LAB_MEDIASRV_MODEL"], E["LAB_MEDIASRV_FIRMWARE"]) in hdrs.get("SERVER", ""),
      "%r" % hdrs)

# --- the announcements at start (the responders' logs) ---------------------
for node, word in (("cam3", "sadp: announced"), ("cam5", "wsd: Hello to"), ("printer", "wsd: Hello to"),
                   ("mediasrv", "ssdp: NOTIFY ssdp:alive")):
    try:
        text = open(os.path.join(E["LAB_RUN_DIR"], node + "-discovery.log")).read()
    except OSError as e:
        text = str(e)
    check("%s announced itself at start (%s)" % (node, word), word in text, text[-200:])

if failed:
    print("discovery_probe: FAIL (%d of %d checks failed)" % (failed, checks))
    sys.exit(1)
print("discovery_probe: PASS (%d checks)" % checks)
