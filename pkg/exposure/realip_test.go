package exposure_test

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/google/go-cmp/cmp"
)

func addrs(s string) []netip.Addr {
	var out []netip.Addr
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if f == "invalid" {
			out = append(out, netip.Addr{})
			continue
		}
		out = append(out, netip.MustParseAddr(f))
	}
	return out
}

func TestClient(t *testing.T) {
	// The responder's proxies: a load balancer network, a single
	// reverse proxy, and an IPv6 proxy network.
	trusted := exposure.ClientResolver{Trusted: []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("198.51.100.10/32"),
		netip.MustParsePrefix("2001:db8:f::/48"),
	}}
	tests := []struct {
		name     string
		resolver exposure.ClientResolver
		logged   string
		xff      string // comma-separated, client first; "invalid" for the zero Addr
		want     string
	}{
		{"no trusted proxies, no chain", exposure.ClientResolver{}, "192.0.2.1", "", "192.0.2.1"},
		{"no trusted proxies ignore the chain", exposure.ClientResolver{}, "10.0.0.5", "203.0.113.9", "10.0.0.5"},
		{"untrusted peer ignores the chain", trusted, "192.0.2.1", "203.0.113.9", "192.0.2.1"},
		{"untrusted peer ignores a trusted-looking chain", trusted, "192.0.2.1", "10.0.0.1", "192.0.2.1"},
		{"trusted peer, one hop", trusted, "10.0.0.5", "203.0.113.9", "203.0.113.9"},
		{"trusted peer, no chain", trusted, "10.0.0.5", "", "10.0.0.5"},
		{"two trusted hops", trusted, "10.0.0.5", "203.0.113.9, 198.51.100.10", "203.0.113.9"},
		{"spoofed left-most entry is not believed", trusted, "10.0.0.5", "192.0.2.66, 203.0.113.9", "203.0.113.9"},
		{"spoofed trusted-looking entry left of the client", trusted, "10.0.0.5", "10.9.9.9, 203.0.113.9, 10.0.0.7", "203.0.113.9"},
		{"all trusted: leftmost", trusted, "10.0.0.5", "10.1.1.1, 198.51.100.10, 10.0.0.7", "10.1.1.1"},
		{"invalid entry ends the walk", trusted, "10.0.0.5", "192.0.2.66, invalid, 10.0.0.7", "10.0.0.7"},
		{"invalid last entry keeps the peer", trusted, "10.0.0.5", "192.0.2.66, invalid", "10.0.0.5"},
		{"v6 trusted peer, v6 client", trusted, "2001:db8:f::1", "2001:db8:1::77", "2001:db8:1::77"},
		{"v6 trusted peer, v4 client", trusted, "2001:db8:f::1", "192.0.2.8, 2001:db8:f::2", "192.0.2.8"},
		{"v4 trusted peer, v6 client", trusted, "198.51.100.10", "2001:db8:2::5", "2001:db8:2::5"},
		{"v6 untrusted peer", trusted, "2001:db8:1::1", "192.0.2.8", "2001:db8:1::1"},
		{"mapped peer is trusted as v4", trusted, "::ffff:10.0.0.5", "::ffff:203.0.113.9", "203.0.113.9"},
		{"mapped untrusted peer is unmapped", trusted, "::ffff:192.0.2.1", "", "192.0.2.1"},
		{"neighbour of a /32 proxy is not trusted", trusted, "198.51.100.11", "203.0.113.9", "198.51.100.11"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.resolver.Client(netip.MustParseAddr(tc.logged), addrs(tc.xff))
			if diff := cmp.Diff(netip.MustParseAddr(tc.want), got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("Client (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClientZeroLogged(t *testing.T) {
	r := exposure.ClientResolver{Trusted: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}}
	if got := r.Client(netip.Addr{}, addrs("192.0.2.1")); got.IsValid() {
		t.Errorf("Client(zero) = %v, want the zero Addr (a host name was logged)", got)
	}
}

func TestParsePrefixes(t *testing.T) {
	got, err := exposure.ParsePrefixes([]string{"10.0.0.0/8", " 192.0.2.1 ", "2001:db8::/32", "2001:db8::1", "::ffff:198.51.100.0/120", "::ffff:203.0.113.5"})
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("192.0.2.1/32"),
		netip.MustParsePrefix("2001:db8::/32"),
		netip.MustParsePrefix("2001:db8::1/128"),
		netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.5/32"),
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("ParsePrefixes (-want +got):\n%s", diff)
	}
	if got, err := exposure.ParsePrefixes(nil); err != nil || len(got) != 0 {
		t.Errorf("ParsePrefixes(nil) = %v, %v", got, err)
	}
}

func TestParsePrefixesErrors(t *testing.T) {
	for _, tc := range []struct {
		in      []string
		wantPos string
	}{
		{[]string{"10.0.0.0/8", "proxy.example"}, "proxy 2:"},
		{[]string{""}, "proxy 1:"},
		{[]string{"10.0.0.1/8"}, "host bits"},
		{[]string{"10.0.0.0/33"}, "proxy 1:"},
		{[]string{"fe80::1%eth0"}, "proxy 1:"},
		{[]string{"::ffff:0:0/90"}, "host bits"},
		{[]string{"192.0.2.1/24/1"}, "proxy 1:"},
	} {
		_, err := exposure.ParsePrefixes(tc.in)
		if !errors.Is(err, exposure.ErrBadPrefix) {
			t.Errorf("ParsePrefixes(%q) error = %v, want ErrBadPrefix", tc.in, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.wantPos) {
			t.Errorf("ParsePrefixes(%q) error %q does not contain %q", tc.in, err, tc.wantPos)
		}
		for _, s := range tc.in {
			if s != "" && strings.Contains(err.Error(), s) {
				t.Errorf("error %q repeats the input", err)
			}
		}
	}
}

func BenchmarkClient(b *testing.B) {
	r := exposure.ClientResolver{Trusted: []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("2001:db8:f::/48"),
	}}
	logged := netip.MustParseAddr("10.0.0.5")
	chain := addrs("192.0.2.66, 203.0.113.9, 10.0.0.7")
	b.ReportAllocs()
	for b.Loop() {
		r.Client(logged, chain)
	}
}

func ExampleClientResolver() {
	trusted, err := exposure.ParsePrefixes([]string{"10.0.0.0/8", "198.51.100.10"})
	if err != nil {
		panic(err)
	}
	r := exposure.ClientResolver{Trusted: trusted}
	// The load balancer 10.0.0.5 forwarded a request whose client sent a
	// made-up X-Forwarded-For entry of its own (192.0.2.66).
	chain := []netip.Addr{
		netip.MustParseAddr("192.0.2.66"),
		netip.MustParseAddr("203.0.113.9"),
		netip.MustParseAddr("198.51.100.10"),
	}
	fmt.Println(r.Client(netip.MustParseAddr("10.0.0.5"), chain))
	fmt.Println(r.Client(netip.MustParseAddr("192.0.2.1"), chain))
	// Output:
	// 203.0.113.9
	// 192.0.2.1
}
