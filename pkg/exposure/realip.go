package exposure

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// A ClientResolver finds the client behind trusted reverse proxies and
// load balancers, as nginx's realip module does with real_ip_recursive
// on, and as Apache's mod_remoteip does.
//
// The address a server logs is the peer of the TCP connection. When that
// peer is one of the responder's own proxies, the client is further left
// in the X-Forwarded-For chain. Every proxy appends the address it
// received the request from, so the chain reads client first, nearest
// proxy last; but the client may send a chain of its own, and entries to
// the left of the first untrusted hop are whatever that hop chose to
// send. The resolver therefore walks the chain from the right and stops
// at the first address that is not a trusted proxy: that one was written
// by a trusted proxy and is the client. Addresses further left are never
// believed.
//
// The zero ClientResolver trusts nothing: the logged address stands. A
// ClientResolver is a value; it is safe for concurrent use as long as
// Trusted is not modified.
type ClientResolver struct {
	// Trusted lists the proxies whose X-Forwarded-For entries are
	// believed (nginx set_real_ip_from, Apache RemoteIPTrustedProxy).
	Trusted []netip.Prefix
}

// Client returns the client address for a request whose connection came
// from logged and that carried the X-Forwarded-For chain forwardedFor,
// client first as in the header.
//
//   - Without trusted proxies, or when logged is not trusted, logged is
//     the client.
//   - Otherwise the chain is walked from the right, skipping trusted
//     addresses; the first untrusted address is the client.
//   - When every address in the chain is trusted, the leftmost is the
//     client.
//   - An invalid (zero) address in the chain ends the walk: nothing to
//     its left can be believed, and the last address walked stands.
//
// IPv4-mapped IPv6 addresses are compared, and returned, as IPv4.
func (c ClientResolver) Client(logged netip.Addr, forwardedFor []netip.Addr) netip.Addr {
	client := logged.Unmap()
	if len(c.Trusted) == 0 || !c.trusted(client) {
		return client
	}
	for i := len(forwardedFor) - 1; i >= 0; i-- {
		a := forwardedFor[i].Unmap()
		if !a.IsValid() {
			break
		}
		client = a
		if !c.trusted(a) {
			break
		}
	}
	return client
}

func (c ClientResolver) trusted(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	for _, p := range c.Trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ErrBadPrefix is wrapped by the errors of ParsePrefixes.
var ErrBadPrefix = errors.New("not an address or CIDR prefix")

// ParsePrefixes parses trusted proxy addresses and networks, as given on
// a command line or in a configuration file: CIDR prefixes
// ("10.0.0.0/8", "2001:db8::/32") or bare addresses ("192.0.2.1", taken
// as /32 or /128). Prefixes with host bits set are refused, since a typo
// there would trust more than was meant. IPv4-mapped IPv6 addresses are
// taken as IPv4. The error names the position of the bad element
// (1-based), not its text.
func ParsePrefixes(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for i, s := range list {
		s = strings.TrimSpace(s)
		var p netip.Prefix
		if strings.Contains(s, "/") {
			var err error
			p, err = netip.ParsePrefix(s)
			if err != nil || p.Addr().Zone() != "" {
				return nil, fmt.Errorf("exposure: trusted proxy %d: %w", i+1, ErrBadPrefix)
			}
			if p.Masked() != p {
				return nil, fmt.Errorf("exposure: trusted proxy %d: host bits set: %w", i+1, ErrBadPrefix)
			}
			// A mapped prefix without host bits is at least /96.
			if a := p.Addr(); a.Is4In6() {
				p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
			}
		} else {
			a, err := netip.ParseAddr(s)
			if err != nil || a.Zone() != "" {
				return nil, fmt.Errorf("exposure: trusted proxy %d: %w", i+1, ErrBadPrefix)
			}
			a = a.Unmap()
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p)
	}
	return out, nil
}
