package platform

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Proxies are the reverse proxies in front of the API (addresses or CIDR prefixes) whose
// X-Forwarded-For the API believes. Empty: none is; the client is the connection's peer, and
// an X-Forwarded-For header (which anyone can send) is ignored.
type Proxies []netip.Prefix

// UnmarshalText reads a comma-separated list of addresses and prefixes (TRUSTED_PROXIES),
// e.g. "10.0.0.0/8, 192.168.1.10".
func (p *Proxies) UnmarshalText(b []byte) error {
	var out Proxies
	for part := range strings.SplitSeq(string(b), ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return fmt.Errorf("trusted proxy %q: %w", part, err)
			}
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		pf, err := netip.ParsePrefix(part)
		if err != nil {
			return fmt.Errorf("trusted proxy %q: %w", part, err)
		}
		if pf.Addr().Is4In6() {
			pf = netip.PrefixFrom(pf.Addr().Unmap(), pf.Bits()-96)
		}
		out = append(out, pf.Masked())
	}
	*p = out
	return nil
}

func (p Proxies) trusts(a netip.Addr) bool {
	for _, pf := range p {
		if pf.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP is the address of the client of a request that came from peer (the request's
// RemoteAddr, host:port) carrying these X-Forwarded-For values: the peer itself unless it
// is a trusted proxy; else, reading X-Forwarded-For from the right (each proxy appends the
// address it saw), the first address that is not a trusted proxy. Entries to the left of it
// were written by the client and are never believed. The address comes out in one canonical
// spelling (an IPv4-mapped IPv6 address as IPv4), so one client is one key for the audit log
// and the rate limits alike.
func (p Proxies) ClientIP(peer string, forwardedFor []string) string {
	host, _, err := net.SplitHostPort(peer)
	if err != nil {
		host = peer
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap().WithZone("")
	if !p.trusts(addr) {
		return addr.String()
	}
	hops := strings.Split(strings.Join(forwardedFor, ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		a, err := netip.ParseAddr(hop)
		if err != nil {
			if ap, perr := netip.ParseAddrPort(hop); perr == nil {
				a, err = ap.Addr(), nil
			}
		}
		if err != nil {
			break // not an address: nothing further left is believable
		}
		addr = a.Unmap().WithZone("")
		if !p.trusts(addr) {
			break
		}
	}
	return addr.String()
}

// LimitKey is the part of a client address that a per-client rate limit keys on: an IPv4
// address whole, an IPv6 address by its /64 (the network one subscriber is given, any of
// whose addresses they can use), so a client cannot dodge a limit by changing the address
// within its own network.
func LimitKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}
