// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * discover.c - `nfq-guard discover`: ask the LAN who is a camera.  On each
 * interface it sends a Hikvision SADP inquiry, a Dahua DHIP search and an
 * ONVIF WS-Discovery probe, listens for the answers a while, and prints
 * one line per device found (decode/discovery.h reads them: hostile input,
 * bounded and escaped there) with the policy's group for it, or NOT
 * COVERED.  Bounded in devices, datagrams and time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli/discover.h"
#include "decode/discovery.h"
#include "print/format.h"
#include "print/json.h"

#define DISCOVER_MAX_DEVICES 4096
#define DISCOVER_MAX_DATAGRAMS 65536 /* read in one run, at most */
#define DISCOVER_SENDS 2	     /* each search, a second apart: UDP may be lost */

/* One socket of one interface, and the port its answers come from. */
struct dsock {
	int fd;
	uint16_t port;		  /* the protocol's well-known port */
	const char *iface;	  /* into the run's interface names */
	struct sockaddr_in to[2]; /* where its search goes (group, broadcast) */
	size_t nto;
};

struct found {
	bool has_mac;
	bool claimed; /* the MAC is the answer's word alone: no neighbour entry backs it */
	uint8_t mac[6];
	uint8_t ip[4]; /* where the answer came from */
	char iface[IF_NAMESIZE];
	unsigned int via; /* enum disc_via bits */
	char vendor[DISC_FIELD_MAX], model[DISC_FIELD_MAX], firmware[DISC_FIELD_MAX],
		serial[DISC_FIELD_MAX];
};

struct discover {
	const struct policy *p;
	const struct registry *reg;
	struct dsock s[3 * DISCOVER_MAX_IFACES];
	size_t ns;
	struct found *dev;
	size_t ndev;
	bool cut; /* more devices answered than are kept */
	uint64_t datagrams, unread;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The interface's IPv4 address; -1 when it has none. */
static int iface_addr(const char *name, struct in_addr *a)
{
	struct ifaddrs *ifa, *i;
	int rc = -1;

	if (getifaddrs(&ifa))
		return -1;
	for (i = ifa; i && rc; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
		    !strcmp(i->ifa_name, name)) {
			*a = ((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr;
			rc = 0;
		}
	freeifaddrs(ifa);
	return rc;
}

static void dest(struct dsock *s, const char *addr, uint16_t port)
{
	struct sockaddr_in *to = &s->to[s->nto++];

	memset(to, 0, sizeof(*to));
	to->sin_family = AF_INET;
	to->sin_port = htons(port);
	inet_pton(AF_INET, addr, &to->sin_addr);
}

/*
 * A UDP socket on interface name (index idx): bound to bind_port (0: any),
 * in group (NULL: none), sending multicast out of that interface only.
 */
static int open_udp(const char *name, unsigned int idx, uint16_t bind_port, const char *group,
		    FILE *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(bind_port) };
	struct ip_mreqn mr = { .imr_ifindex = (int)idx };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1, zero = 0;
	const char *what = "socket";

	if (fd < 0)
		goto fail;
	what = "bind";
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, (socklen_t)strlen(name) + 1) ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail;
	what = "multicast";
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof(zero)) ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &one, sizeof(one)))
		goto fail;
	if (group) {
		inet_pton(AF_INET, group, &mr.imr_multiaddr);
		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)))
			goto fail;
	}
	return fd;
fail:
	fprintf(err, "nfq-guard: discover: %s: %s: %s%s\n", name, what, strerror(errno),
		errno == EPERM || errno == EACCES ? " (root, or CAP_NET_RAW, is needed)" : "");
	if (fd >= 0)
		close(fd);
	return -1;
}

/* The three sockets of one interface.  0, or -1 (said). */
static int open_iface(struct discover *d, const char *name, FILE *err)
{
	static const struct {
		uint16_t port, bind;
		const char *group;
	} protos[] = {
		/* SADP and DHIP answer to the group (and DHIP to the sender's port):
		 * listen there; WS-Discovery answers the prober's own port */
		{ DISC_SADP_PORT, DISC_SADP_PORT, DISC_SADP_GROUP },
		{ DISC_DHIP_PORT, DISC_DHIP_PORT, DISC_DHIP_GROUP },
		{ DISC_WSD_PORT, 0, NULL },
	};
	unsigned int idx = if_nametoindex(name);
	struct in_addr a;

	if (!idx || iface_addr(name, &a)) {
		fprintf(err, "nfq-guard: discover: %s: %s\n", name,
			!idx ? "no such interface" : "it has no IPv4 address");
		return -1;
	}
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		struct dsock *s = &d->s[d->ns];

		memset(s, 0, sizeof(*s));
		s->fd = open_udp(name, idx, protos[i].bind, protos[i].group, err);
		if (s->fd < 0)
			return -1;
		s->port = protos[i].port;
		s->iface = name;
		dest(s,
		     protos[i].port == DISC_SADP_PORT ? DISC_SADP_GROUP :
		     protos[i].port == DISC_DHIP_PORT ? DISC_DHIP_GROUP :
							DISC_WSD_GROUP,
		     protos[i].port);
		if (protos[i].port == DISC_DHIP_PORT)
			dest(s, "255.255.255.255", DISC_DHIP_PORT);
		d->ns++;
	}
	return 0;
}

/* Each socket's search, to each of its destinations. */
static void send_searches(struct discover *d, unsigned int round)
{
	uint8_t buf[2048];
	char uuid[40];

	snprintf(uuid, sizeof(uuid), "6e667167-7561-7264-%04x-%012llx", round & 0xffff,
		 (unsigned long long)(now_ms() ^ (uint64_t)getpid()) & 0xffffffffffffULL);
	for (size_t i = 0; i < d->ns; i++) {
		struct dsock *s = &d->s[i];
		size_t n = s->port == DISC_SADP_PORT ? disc_search_sadp(buf, sizeof(buf), uuid) :
			   s->port == DISC_DHIP_PORT ? disc_search_dhip(buf, sizeof(buf)) :
						       disc_search_wsd(buf, sizeof(buf), uuid);

		for (size_t k = 0; n && k < s->nto; k++)
			sendto(s->fd, buf, n, 0, (struct sockaddr *)&s->to[k], sizeof(s->to[k]));
	}
}

/* The MAC the neighbour table has for ip on iface (the frames' own), or false. */
static bool neigh_mac(const uint8_t ip[4], const char *iface, uint8_t mac[6])
{
	FILE *f = fopen("/proc/net/arp", "re");
	char line[256], a[64], hw[64], dev[64], want[INET_ADDRSTRLEN];
	unsigned int type, flags;
	bool found = false;

	if (!f)
		return false;
	inet_ntop(AF_INET, ip, want, sizeof(want));
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s 0x%x 0x%x %63s %*s %63s", a, &type, &flags, hw, dev) == 5 &&
		    !strcmp(a, want) && !strcmp(dev, iface) && (flags & 0x2) &&
		    mac_parse(hw, mac) == 0)
			found = true;
	fclose(f);
	return found;
}

static void take(char *dst, const char *src)
{
	if (!dst[0] && src[0])
		snprintf(dst, DISC_FIELD_MAX, "%s", src);
}

/*
 * An answer from ip on iface: a new device, or more of one already found.
 * One address is one device, whatever MACs its answers claim (a host that
 * claims many fills no table); its MAC is the neighbour table's (what its
 * frames say) when there is one, else the answer's, marked as claimed.
 */
static void found_answer(struct discover *d, const struct disc_info *in, const uint8_t ip[4],
			 const char *iface)
{
	struct found *f = NULL;

	for (size_t i = 0; i < d->ndev && !f; i++)
		if (!memcmp(d->dev[i].ip, ip, 4) && !strcmp(d->dev[i].iface, iface))
			f = &d->dev[i];
	if (!f) {
		if (d->ndev >= DISCOVER_MAX_DEVICES) {
			d->cut = true;
			return;
		}
		f = &d->dev[d->ndev++];
		memset(f, 0, sizeof(*f));
		memcpy(f->ip, ip, 4);
		snprintf(f->iface, sizeof(f->iface), "%s", iface);
		f->has_mac = neigh_mac(ip, iface, f->mac);
	}
	if (!f->has_mac && in->has_mac) {
		memcpy(f->mac, in->mac, 6);
		f->has_mac = f->claimed = true;
	}
	f->via |= in->via;
	take(f->vendor, in->vendor);
	take(f->model, in->model);
	take(f->firmware, in->firmware);
	take(f->serial, in->serial);
}

/* Whatever is waiting on socket s. */
static void read_socket(struct discover *d, const struct dsock *s)
{
	uint8_t buf[65536];

	for (int k = 0; k < 64; k++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		struct disc_info in;
		ssize_t n = recvfrom(s->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

		if (n < 0)
			return;
		/* past the bound the socket is still drained (poll would not wait), unread */
		if (d->datagrams++ >= DISCOVER_MAX_DATAGRAMS) {
			d->unread++;
			continue;
		}
		memset(&in, 0, sizeof(in));
		/* a camera answers only as a camera: a printer's WS-Discovery is none */
		if (disc_read(s->port, buf, (size_t)n, &in) != DISC_ANSWER || !in.camera) {
			d->unread++;
			continue;
		}
		found_answer(d, &in, (const uint8_t *)&from.sin_addr, s->iface);
	}
}

/* Send, then listen until timeout_s seconds have passed. */
static void listen_all(struct discover *d, int timeout_s)
{
	uint64_t start = now_ms(), end = start + (uint64_t)timeout_s * 1000;
	unsigned int sent = 0;
	struct pollfd pfd[3 * DISCOVER_MAX_IFACES];

	for (size_t i = 0; i < d->ns; i++)
		pfd[i] = (struct pollfd){ .fd = d->s[i].fd, .events = POLLIN };
	for (uint64_t t = start; t < end; t = now_ms()) {
		if (sent < DISCOVER_SENDS && t >= start + sent * 1000ULL)
			send_searches(d, sent++);
		uint64_t wake = sent < DISCOVER_SENDS ? start + sent * 1000ULL : end;

		if (poll(pfd, (nfds_t)d->ns, (int)((wake < end ? wake : end) - t)) <= 0)
			continue;
		for (size_t i = 0; i < d->ns; i++)
			if (pfd[i].revents & POLLIN)
				read_socket(d, &d->s[i]);
	}
}

/* The group the policy puts the device in (its naming group), or NULL. */
static const char *found_group(const struct policy *p, const struct found *f)
{
	struct group_match how[POLICY_MAX_DEVICES];
	struct device_key k = { .has_mac = f->has_mac, .family = 4 };
	uint64_t groups;
	int g;

	memcpy(k.mac, f->mac, 6);
	memcpy(k.addr, f->ip, 4);
	snprintf(k.iface, sizeof(k.iface), "%s", f->iface);
	groups = policy_identify(p, &k, how);
	g = policy_naming_group(p, groups, how);
	return g >= 0 ? p->devices[g].name : NULL;
}

/* What the answer says, else the registry's organisation of its MAC. */
static const char *found_vendor(const struct discover *d, const struct found *f)
{
	const char *org = f->has_mac && d->reg ? registry_org(d->reg, f->mac) : NULL;

	return f->vendor[0] ? f->vendor : org;
}

static void print_via(FILE *out, unsigned int via, bool json)
{
	static const char *const names[] = { "sadp", "dhip", "onvif" };
	int n = 0;

	for (int i = 0; i < 3; i++) {
		if (!(via & (1u << i)))
			continue;
		if (json) {
			fputs(n++ ? "," : "", out);
			json_str(out, names[i]);
		} else {
			fprintf(out, "%s%s", n++ ? "," : "", names[i]);
		}
	}
}

static void print_json(FILE *out, const struct discover *d, const struct found *f)
{
	char m[18], a[INET_ADDRSTRLEN];

	fmt_mac(f->mac, m, sizeof(m));
	inet_ntop(AF_INET, f->ip, a, sizeof(a));
	fputc('{', out);
	json_key(out, "mac", 1);
	json_str(out, f->has_mac ? m : NULL);
	json_key(out, "ip", 0);
	json_str(out, a);
	json_key(out, "vendor", 0);
	json_str(out, found_vendor(d, f));
	json_key(out, "model", 0);
	json_str(out, f->model[0] ? f->model : NULL);
	json_key(out, "firmware", 0);
	json_str(out, f->firmware[0] ? f->firmware : NULL);
	json_key(out, "serial", 0);
	json_str(out, f->serial[0] ? f->serial : NULL);
	json_key(out, "via", 0);
	fputc('[', out);
	print_via(out, f->via, true);
	fputc(']', out);
	json_key(out, "group", 0);
	json_str(out, found_group(d->p, f));
	fputs("}\n", out);
}

static const char *or_dash(const char *s)
{
	return s && s[0] ? s : "-";
}

static void print_text(FILE *out, const struct discover *d, const struct found *f)
{
	char m[18] = "-", a[INET_ADDRSTRLEN];
	const char *g = found_group(d->p, f);

	if (f->has_mac)
		fmt_mac(f->mac, m, sizeof(m));
	inet_ntop(AF_INET, f->ip, a, sizeof(a));
	fprintf(out, "%-17s  %-15s  %-20s  %-20s  %-22s  %-20s  ", m, a,
		or_dash(found_vendor(d, f)), or_dash(f->model), or_dash(f->firmware),
		or_dash(f->serial));
	print_via(out, f->via, false);
	fprintf(out, "  %s\n", g ? g : "NOT COVERED");
}

/* A group name from a vendor: "discovered-" and its letters and digits. */
static void snippet_name(const char *vendor, char *buf, size_t sz)
{
	size_t n = (size_t)snprintf(buf, sz, "discovered-");

	for (const char *c = vendor ? vendor : "unknown"; *c && n + 1 < sz && n < 40; c++)
		if ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9'))
			buf[n++] = *c;
		else if (*c >= 'A' && *c <= 'Z')
			buf[n++] = (char)(*c - 'A' + 'a');
		else if (*c == ' ' || *c == '\\')
			break; /* the first word; an escape is no name */
	buf[n] = '\0';
}

/* Is device i the first of its vendor's group (the one that prints the group)? */
static bool group_first(const struct discover *d, size_t i, char name[64])
{
	char other[64];

	snippet_name(found_vendor(d, &d->dev[i]), name, 64);
	for (size_t k = 0; k < i; k++) {
		snippet_name(found_vendor(d, &d->dev[k]), other, sizeof(other));
		if (!strcmp(name, other))
			return false;
	}
	return true;
}

/* The cameras of the group of device i (those of its vendor) with a MAC of their frames'. */
static int group_macs(const struct discover *d, size_t i, const char *name, bool claimed)
{
	char other[64];
	int n = 0;

	for (size_t k = i; k < d->ndev; k++) {
		snippet_name(found_vendor(d, &d->dev[k]), other, sizeof(other));
		n += !strcmp(name, other) && d->dev[k].has_mac && d->dev[k].claimed == claimed;
	}
	return n;
}

/*
 * A devices block for what was found: one group per vendor, each camera by
 * the MAC of its frames.  A MAC only an answer claims (no neighbour entry:
 * a camera that answered the group alone) is written commented out: a
 * camera could claim another host's; check it (ip neigh) before taking
 * it.  libconfig takes no comma after a list's last element.
 */
static void print_snippet(FILE *out, const struct discover *d)
{
	char name[64], other[64], m[18];
	int groups = 0;

	fprintf(out,
		"# nfq-guard discover: %zu camera%s; review, then merge into the policy's "
		"devices\ndevices = (",
		d->ndev, d->ndev == 1 ? "" : "s");
	for (size_t i = 0; i < d->ndev; i++) {
		int macs = 0, real;

		if (!group_first(d, i, name))
			continue;
		real = group_macs(d, i, name, false);
		fprintf(out, "%s\n\t%s{ name = \"%s\"; mac = [", real && groups ? "," : "",
			real ? "" : "# ", name);
		groups += real > 0;
		for (size_t k = i; k < d->ndev; k++) {
			const struct found *f = &d->dev[k];

			snippet_name(found_vendor(d, f), other, sizeof(other));
			if (strcmp(name, other) || !f->has_mac)
				continue;
			fmt_mac(f->mac, m, sizeof(m));
			/* the fields are escaped (decode/discovery.h): no newline ends the comment */
			fprintf(out, "%s\n\t\t# %s %s %s%s\n\t\t%s\"%s\"",
				!f->claimed && macs ? "," : "", or_dash(f->model),
				or_dash(f->firmware), or_dash(f->serial),
				f->claimed ? " (a MAC its answer claims: check ip neigh)" : "",
				f->claimed || !real ? "# " : "", m);
			macs += !f->claimed;
		}
		fprintf(out, "\n\t  %s]; }", real ? "" : "# ");
	}
	fprintf(out, "\n);\n");
}

int discover_run(const struct policy *p, const struct discover_opts *o, FILE *out, FILE *err)
{
	struct discover d = { .p = p };
	struct registry *sys = NULL;
	int rc = 1;

	d.dev = calloc(DISCOVER_MAX_DEVICES, sizeof(*d.dev));
	if (!d.dev) {
		fprintf(err, "nfq-guard: discover: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < o->nifaces; i++)
		if (open_iface(&d, o->ifaces[i], err))
			goto out;
	d.reg = p->registry;
	if (!d.reg)
		d.reg = sys = registry_system();
	listen_all(&d, o->timeout);
	if (o->snippet)
		print_snippet(out, &d);
	for (size_t i = 0; !o->snippet && i < d.ndev; i++)
		o->json ? print_json(out, &d, &d.dev[i]) : print_text(out, &d, &d.dev[i]);
	fprintf(err,
		"nfq-guard: discover: %zu camera%s on %zu interface%s in %d s (%llu datagrams, "
		"%llu not a camera's answer)%s\n",
		d.ndev, d.ndev == 1 ? "" : "s", o->nifaces, o->nifaces == 1 ? "" : "s", o->timeout,
		(unsigned long long)d.datagrams, (unsigned long long)d.unread,
		d.cut ? "; more answered than are kept" : "");
	rc = fflush(out) ? 1 : 0;
out:
	for (size_t i = 0; i < d.ns; i++)
		close(d.s[i].fd);
	registry_free(sys);
	free(d.dev);
	return rc;
}

/* The interfaces of the policy: its device groups' and those with an address in its networks. */
size_t discover_default_ifaces(const struct policy *p, char names[][IF_NAMESIZE], size_t max)
{
	struct ifaddrs *ifa, *i;
	size_t n = 0;

	for (size_t g = 0; g < p->ndevices; g++)
		for (size_t k = 0; k < p->devices[g].nifaces && n < max; k++)
			snprintf(names[n++], IF_NAMESIZE, "%s", p->devices[g].ifaces[k]);
	if (getifaddrs(&ifa))
		return n;
	for (i = ifa; i && n < max; i = i->ifa_next) {
		const struct sockaddr_in *sin = (const void *)i->ifa_addr;
		bool dup = false;

		if (!sin || sin->sin_family != AF_INET || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		for (size_t k = 0; k < n; k++)
			dup |= !strcmp(names[k], i->ifa_name);
		if (!dup && p->lan &&
		    cidr_list_contains(p->lan->cidrs, p->lan->ncidrs, 4,
				       (const uint8_t *)&sin->sin_addr))
			snprintf(names[n++], IF_NAMESIZE, "%s", i->ifa_name);
	}
	freeifaddrs(ifa);
	return n;
}
