#!/usr/bin/env python3
"""A LAN discovery responder for the nfq-guard lab (scripts/lab runs one in
each of cam3, cam4, cam5, printer and mediasrv).  Python 3, stdlib only.

  --proto sadp     Hikvision SADP: UDP 37020, group 239.255.255.250.  Answers
                   an XML <Probe> with <Types>inquiry</Types> by a <ProbeMatch>
                   (the probe's Uuid echoed) sent to the group, as real devices
                   do; multicasts one ProbeMatch when it starts.
  --proto dhip     Dahua DHIP: UDP 37810, group 239.255.255.251 and broadcast.
                   Answers a DHDiscover.search (32-byte DHIP header + JSON) by
                   a client.notifyDevInfo, to the sender and to the group.
  --proto onvif    ONVIF WS-Discovery (2005/04, SOAP 1.2): UDP 3702, groups
                   239.255.255.250 and ff02::c.  Multicasts a Hello when it
                   starts; answers a Probe with no Types or with types it has
                   (dn:NetworkVideoTransmitter, tds:Device) by a ProbeMatches
                   unicast to the prober.
  --proto printer  WS-Discovery too, as a printer: Types wsdp:Device
                   print:PrintDeviceType, no onvif scopes.
  --proto ssdp     SSDP: UDP 1900, group 239.255.255.250.  NOTIFY ssdp:alive
                   when it starts; answers an M-SEARCH (ssdp:all,
                   upnp:rootdevice, its device type or its uuid) unicast, as a
                   MediaServer.

Bounded: datagrams over MAX_DGRAM bytes, XML with a DTD and anything not a
well-formed search are ignored; at most --rate answers a second (the rest are
dropped, counted in the log); exits on SIGTERM/SIGINT and after --lifetime
seconds.  Logs one line per answered or refused search to stderr.  The pid
file is written once every socket is bound (the lab waits for it).
"""
import argparse
import io
import json
import os
import selectors
import signal
import socket
import struct
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

MAX_DGRAM = 8192
SADP_PORT, SADP_GROUP = 37020, "239.255.255.250"
DHIP_PORT, DHIP_GROUP = 37810, "239.255.255.251"
WSD_PORT, WSD_GROUP, WSD_GROUP6 = 3702, "239.255.255.250", "ff02::c"
SSDP_PORT, SSDP_GROUP = 1900, "239.255.255.250"

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
WSD_TO = "urn:schemas-xmlsoap-org:ws:2005:04:discovery"
ANON = WSA + "/role/anonymous"
DN = "http://www.onvif.org/ver10/network/wsdl"
TDS = "http://www.onvif.org/ver10/device/wsdl"
WSDP = "http://schemas.xmlsoap.org/ws/2006/02/devprof"
PRINT = "http://schemas.microsoft.com/windows/2006/08/wdp/print"


def log(msg):
    sys.stderr.write("%s %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


class Stop(Exception):
    pass


def on_signal(_sig, _frm):
    raise Stop()


class Limiter:
    """At most RATE answers in any one-second window."""

    def __init__(self, rate):
        self.rate, self.window, self.used, self.dropped = rate, 0, 0, 0

    def allow(self):
        now = int(time.monotonic())
        if now != self.window:
            if self.dropped:
                log("rate limit: %d searches dropped in the last second" % self.dropped)
            self.window, self.used, self.dropped = now, 0, 0
        if self.used >= self.rate:
            self.dropped += 1
            return False
        self.used += 1
        return True


def safe_xml(data):
    """Parse a small XML datagram; None unless well-formed and free of DTDs.
    Returns (root, {prefix: namespace}) (the prefixes of the whole document,
    flattened: enough to resolve a QName list like Types)."""
    if len(data) > MAX_DGRAM or b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    ns, root = {}, None
    try:
        for ev, obj in ET.iterparse(io.StringIO(text), events=("start-ns", "start")):
            if ev == "start-ns":
                ns.setdefault(obj[0], obj[1])
            elif root is None:
                root = obj
        # iterparse has consumed the document; root is complete
    except ET.ParseError:
        return None
    return root, ns


def mcast_socket4(port, groups, ipv4, broadcast=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))  # the wildcard: group and broadcast datagrams arrive here
    for g in groups:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                     socket.inet_aton(g) + socket.inet_aton(ipv4))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(ipv4))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    if broadcast:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    return s


def mcast_socket6(port, group, ifname):
    idx = socket.if_nametoindex(ifname)
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind(("::", port))
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
                 socket.inet_pton(socket.AF_INET6, group) + struct.pack("@I", idx))
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
    return s, idx


# --- Hikvision SADP ---------------------------------------------------------
class Sadp:
    def __init__(self, a):
        self.a = a
        self.sock = mcast_socket4(SADP_PORT, [SADP_GROUP], a.ipv4)
        self.socks = [self.sock]

    def match(self, u):
        a = self.a
        f = [("Uuid", u), ("Types", "inquiry"), ("DeviceType", a.device_type or "138"),
             ("DeviceDescription", a.model), ("DeviceSN", a.serial),
             ("CommandPort", "8000"), ("HttpPort", "80"),
             ("MAC", a.mac.replace(":", "-").lower()), ("IPv4Address", a.ipv4),
             ("IPv4SubnetMask", a.netmask), ("IPv4Gateway", a.gateway),
             ("IPv6Address", a.ipv6 or "::"), ("IPv6Gateway", a.gateway6 or "::"),
             ("IPv6MaskLen", "64"), ("DHCP", "false"), ("AnalogChannelNum", "0"),
             ("DigitalChannelNum", "1"), ("SoftwareVersion", a.firmware),
             ("DSPVersion", a.dsp), ("BootTime", time.strftime("%Y-%m-%d %H:%M:%S")),
             ("Encrypt", "true"), ("ResetAbility", "false"), ("DiskNumber", "0"),
             ("Activated", "true"), ("PasswordResetAbility", "true")]
        body = "".join("<%s>%s</%s>" % (k, escape(v), k) for k, v in f)
        return ('<?xml version="1.0" encoding="UTF-8"?><ProbeMatch>%s</ProbeMatch>' % body).encode()

    def start(self):
        self.sock.sendto(self.match(str(uuid.uuid4()).upper()), (SADP_GROUP, SADP_PORT))
        log("sadp: announced to %s:%d" % (SADP_GROUP, SADP_PORT))

    def search(self, _s, data, peer):
        """The Uuid of a well-formed inquiry Probe, else None."""
        p = safe_xml(data)
        if p is None or p[0].tag != "Probe":
            return None
        root = p[0]
        u, types = root.findtext("Uuid"), root.findtext("Types")
        if not u or types is None or types.strip().lower() != "inquiry":
            return None
        u = u.strip()
        if not 0 < len(u) <= 64 or not all(c.isalnum() or c == "-" for c in u):
            return None
        return u

    def answer(self, s, u, peer):
        s.sendto(self.match(u), (SADP_GROUP, SADP_PORT))
        log("sadp: Probe %s from %s:%d, ProbeMatch to %s:%d" % (u, peer[0], peer[1], SADP_GROUP, SADP_PORT))


# --- Dahua DHIP -------------------------------------------------------------
def dhip_pack(obj):
    body = json.dumps(obj, separators=(",", ":")).encode()
    return (b"\x20\x00\x00\x00DHIP" + b"\x00" * 8 + struct.pack("<I", len(body)) + b"\x00" * 4
            + struct.pack("<I", len(body)) + b"\x00" * 4 + body)


def dhip_unpack(data):
    """The JSON object of a well-formed DHIP datagram, else None."""
    if not 32 <= len(data) <= MAX_DGRAM or data[:4] != b"\x20\x00\x00\x00" or data[4:8] != b"DHIP":
        return None
    n1, n2 = struct.unpack_from("<I", data, 16)[0], struct.unpack_from("<I", data, 24)[0]
    if n1 != n2 or n1 == 0 or 32 + n1 > len(data):
        return None
    try:
        obj = json.loads(data[32:32 + n1].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return obj if isinstance(obj, dict) else None


class Dhip:
    def __init__(self, a):
        self.a = a
        self.sock = mcast_socket4(DHIP_PORT, [DHIP_GROUP], a.ipv4, broadcast=True)
        self.socks = [self.sock]

    def info(self):
        a = self.a
        return {"method": "client.notifyDevInfo",
                "params": {"deviceInfo": {
                    "DeviceClass": "IPC", "DeviceType": a.model, "SerialNo": a.serial,
                    "Version": a.firmware, "Vendor": a.vendor or "Dahua",
                    "Manufacturer": a.vendor or "Dahua", "MachineName": a.serial,
                    "IPv4Address": {"DhcpEnable": False, "IPAddress": a.ipv4,
                                    "SubnetMask": a.netmask, "DefaultGateway": a.gateway},
                    "HttpPort": 80, "HttpsPort": 443, "Port": 37777, "Init": 0x6b}},
                # top level, beside "method", as real devices put it
                "mac": a.mac.lower()}

    def start(self):
        pass  # a DHIP device only answers

    def search(self, _s, data, peer):
        obj = dhip_unpack(data)
        if obj is None or obj.get("method") != "DHDiscover.search":
            return None
        if "params" in obj and not isinstance(obj["params"], dict):
            return None
        return obj

    def answer(self, s, _obj, peer):
        d = dhip_pack(self.info())
        s.sendto(d, peer)
        s.sendto(d, (DHIP_GROUP, DHIP_PORT))
        log("dhip: DHDiscover.search from %s:%d, notifyDevInfo to it and %s:%d" % (peer[0], peer[1], DHIP_GROUP, DHIP_PORT))


# --- WS-Discovery (ONVIF camera, printer) -----------------------------------
class Wsd:
    def __init__(self, a, printer):
        self.a, self.printer = a, printer
        self.epr = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_OID, "nfqg-lab " + a.mac))
        if printer:
            self.types = {(WSDP, "Device"), (PRINT, "PrintDeviceType")}
            self.types_text = "wsdp:Device print:PrintDeviceType"
            self.type_ns = 'xmlns:wsdp="%s" xmlns:print="%s"' % (WSDP, PRINT)
            self.scopes = []
            self.xaddrs = "http://%s:5357/%s" % (a.ipv4, self.epr[9:])
        else:
            self.types = {(DN, "NetworkVideoTransmitter"), (TDS, "Device")}
            self.types_text = "dn:NetworkVideoTransmitter tds:Device"
            self.type_ns = 'xmlns:dn="%s" xmlns:tds="%s"' % (DN, TDS)
            self.scopes = ["onvif://www.onvif.org/type/video_encoder",
                           "onvif://www.onvif.org/name/" + a.name.replace(" ", "%20"),
                           "onvif://www.onvif.org/hardware/" + a.model,
                           "onvif://www.onvif.org/MAC/" + a.mac.lower(),
                           "onvif://www.onvif.org/location/" + (a.location or "lobby")]
            self.xaddrs = "http://%s/onvif/device_service" % a.ipv4
        self.sock = mcast_socket4(WSD_PORT, [WSD_GROUP], a.ipv4)
        self.socks = [self.sock]
        self.sock6 = None
        if a.ipv6:
            self.sock6, self.idx = mcast_socket6(WSD_PORT, WSD_GROUP6, a.iface)
            self.socks.append(self.sock6)
        self.seq = 0

    def envelope(self, action, relates, body, to=ANON):
        self.seq += 1
        rel = "<wsa:RelatesTo>%s</wsa:RelatesTo>" % escape(relates) if relates else ""
        return ('<?xml version="1.0" encoding="UTF-8"?>'
                '<soap:Envelope xmlns:soap="%s" xmlns:wsa="%s" xmlns:d="%s" %s>'
                '<soap:Header><wsa:MessageID>urn:uuid:%s</wsa:MessageID>%s'
                '<wsa:To>%s</wsa:To><wsa:Action>%s/%s</wsa:Action>'
                '<d:AppSequence InstanceId="%d" MessageNumber="%d"/></soap:Header>'
                '<soap:Body>%s</soap:Body></soap:Envelope>'
                % (SOAP, WSA, WSD, self.type_ns, uuid.uuid4(), rel, to, WSD, action,
                   START, self.seq, body)).encode()

    def descr(self):
        sc = "<d:Scopes>%s</d:Scopes>" % escape(" ".join(self.scopes)) if self.scopes else ""
        return ("<wsa:EndpointReference><wsa:Address>%s</wsa:Address></wsa:EndpointReference>"
                "<d:Types>%s</d:Types>%s<d:XAddrs>%s</d:XAddrs>"
                "<d:MetadataVersion>1</d:MetadataVersion>"
                % (self.epr, self.types_text, sc, escape(self.xaddrs)))

    def start(self):
        hello = self.envelope("Hello", None, "<d:Hello>%s</d:Hello>" % self.descr(), WSD_TO)
        self.sock.sendto(hello, (WSD_GROUP, WSD_PORT))
        where = "%s:%d" % (WSD_GROUP, WSD_PORT)
        if self.sock6 is not None:
            try:
                self.sock6.sendto(hello, (WSD_GROUP6, WSD_PORT, 0, self.idx))
                where += " and [%s]:%d" % (WSD_GROUP6, WSD_PORT)
            except OSError as e:
                log("wsd: Hello over IPv6 failed: %s" % e)
        log("wsd: Hello to %s" % where)

    def search(self, _s, data, peer):
        """(MessageID, probed types) of a well-formed Probe we match, else None."""
        p = safe_xml(data)
        if p is None:
            return None
        root, ns = p
        if root.tag != "{%s}Envelope" % SOAP:
            return None
        hdr, body = root.find("{%s}Header" % SOAP), root.find("{%s}Body" % SOAP)
        if hdr is None or body is None:
            return None
        if (hdr.findtext("{%s}Action" % WSA) or "").strip() != WSD + "/Probe":
            return None
        mid = (hdr.findtext("{%s}MessageID" % WSA) or "").strip()
        if not 0 < len(mid) <= 256:
            return None
        probe = body.find("{%s}Probe" % WSD)
        if probe is None:
            return None
        want = set()
        for q in (probe.findtext("{%s}Types" % WSD) or "").split():
            pre, _, local = q.rpartition(":")
            if pre not in ns or not local:
                return None  # a QName whose prefix is not declared: malformed
            want.add((ns[pre], local))
        if not want <= self.types:
            log("wsd: Probe %s from %s for other types, not answered" % (mid, peer[0]))
            return None
        scopes = (probe.findtext("{%s}Scopes" % WSD) or "").split()
        for sc in scopes:  # RFC 3986 prefix matching, the default rule
            if not any(m == sc or m.startswith(sc.rstrip("/") + "/") for m in self.scopes):
                log("wsd: Probe %s from %s for other scopes, not answered" % (mid, peer[0]))
                return None
        return mid, want

    def answer(self, s, req, peer):
        mid, want = req
        d = self.envelope("ProbeMatches", mid,
                          "<d:ProbeMatches><d:ProbeMatch>%s</d:ProbeMatch></d:ProbeMatches>" % self.descr())
        s.sendto(d, peer)
        log("wsd: Probe %s (types %s) from %s:%d, ProbeMatches to it"
            % (mid, " ".join(sorted(t[1] for t in want)) or "none", peer[0], peer[1]))


# --- SSDP media server ------------------------------------------------------
class Ssdp:
    DEV = "urn:schemas-upnp-org:device:MediaServer:1"

    def __init__(self, a):
        self.a = a
        self.sock = mcast_socket4(SSDP_PORT, [SSDP_GROUP], a.ipv4)
        self.socks = [self.sock]
        self.usn = "uuid:" + str(uuid.uuid5(uuid.NAMESPACE_OID, "nfqg-lab " + a.mac))
        self.server = "Linux/5.15 DLNADOC/1.50 UPnP/1.0 %s/%s" % (a.model, a.firmware)
        self.loc = "http://%s:8200/rootDesc.xml" % a.ipv4

    def head(self, first, st_name, st):
        usn = self.usn if st == self.usn else "%s::%s" % (self.usn, st)
        return ("%s\r\nCACHE-CONTROL: max-age=1800\r\n%s: %s\r\nUSN: %s\r\nLOCATION: %s\r\n"
                "SERVER: %s\r\n" % (first, st_name, st, usn, self.loc, self.server))

    def start(self):
        d = self.head("NOTIFY * HTTP/1.1\r\nHOST: %s:%d" % (SSDP_GROUP, SSDP_PORT), "NT", self.DEV)
        self.sock.sendto((d + "NTS: ssdp:alive\r\n\r\n").encode(), (SSDP_GROUP, SSDP_PORT))
        log("ssdp: NOTIFY ssdp:alive to %s:%d" % (SSDP_GROUP, SSDP_PORT))

    def search(self, _s, data, peer):
        if len(data) > MAX_DGRAM or not data.startswith(b"M-SEARCH * HTTP/1.1\r\n"):
            return None
        try:
            lines = data.decode("ascii").split("\r\n")
        except UnicodeDecodeError:
            return None
        h = {}
        for ln in lines[1:]:
            k, sep, v = ln.partition(":")
            if sep:
                h[k.strip().upper()] = v.strip()
        if h.get("MAN", "").strip('"') != "ssdp:discover":
            return None
        st = h.get("ST", "")
        if st in ("ssdp:all", "upnp:rootdevice", self.DEV, self.usn):
            return self.DEV if st == "ssdp:all" else st
        return None

    def answer(self, s, st, peer):
        d = self.head("HTTP/1.1 200 OK", "ST", st) + "EXT:\r\n\r\n"
        s.sendto(d.encode(), peer)
        log("ssdp: M-SEARCH %s from %s:%d, answered" % (st, peer[0], peer[1]))


START = int(time.time())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--proto", required=True, choices=["sadp", "dhip", "onvif", "printer", "ssdp"])
    ap.add_argument("--mac", required=True)
    ap.add_argument("--ipv4", required=True)
    ap.add_argument("--ipv6", default="", help="the device's IPv6 address (WS-Discovery joins ff02::c)")
    ap.add_argument("--iface", default="eth0")
    ap.add_argument("--netmask", default="255.255.255.0")
    ap.add_argument("--gateway", default="")
    ap.add_argument("--gateway6", default="")
    ap.add_argument("--model", default="")
    ap.add_argument("--firmware", default="")
    ap.add_argument("--serial", default="")
    ap.add_argument("--name", default="", help="ONVIF name scope (brand and model)")
    ap.add_argument("--vendor", default="")
    ap.add_argument("--location", default="")
    ap.add_argument("--dsp", default="V7.3 build 220112")
    ap.add_argument("--device-type", default="")
    ap.add_argument("--rate", type=int, default=10, help="answers a second at most")
    ap.add_argument("--lifetime", type=int, default=6 * 3600, help="exit after this many seconds")
    ap.add_argument("--pidfile", default="")
    a = ap.parse_args()
    if a.rate < 1:
        ap.error("--rate must be at least 1")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if a.proto == "sadp":
        r = Sadp(a)
    elif a.proto == "dhip":
        r = Dhip(a)
    elif a.proto in ("onvif", "printer"):
        if not a.name:
            a.name = a.model
        r = Wsd(a, a.proto == "printer")
    else:
        r = Ssdp(a)
    sel = selectors.DefaultSelector()
    for s in r.socks:
        sel.register(s, selectors.EVENT_READ)
    mine = {a.ipv4, a.ipv6}
    lim = Limiter(a.rate)
    if a.pidfile:
        tmp = a.pidfile + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(tmp, a.pidfile)
    log("%s responder for %s (%s, %s) up, pid %d" % (a.proto, a.mac, a.ipv4, a.ipv6 or "no IPv6", os.getpid()))
    end = time.monotonic() + a.lifetime
    try:
        r.start()
        while time.monotonic() < end:
            for k, _ in sel.select(timeout=1.0):
                s = k.fileobj
                try:
                    data, peer = s.recvfrom(MAX_DGRAM + 1)
                except OSError:
                    continue
                if peer[0] in mine:
                    continue
                try:
                    req = r.search(s, data, peer)
                except Exception as e:  # hostile input must never stop the responder
                    log("refused a datagram from %s: %s" % (peer[0], e))
                    continue
                if req is None or not lim.allow():
                    continue
                try:
                    r.answer(s, req, peer)
                except OSError as e:
                    log("answer to %s failed: %s" % (peer[0], e))
    except Stop:
        log("stopped by a signal")
    finally:
        if a.pidfile:
            try:
                if open(a.pidfile).read().strip() == str(os.getpid()):
                    os.unlink(a.pidfile)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
