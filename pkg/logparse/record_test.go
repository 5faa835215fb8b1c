package logparse

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAppendForwarded(t *testing.T) {
	z := netip.Addr{}
	a := netip.MustParseAddr
	f := func(chain string, want []netip.Addr) {
		t.Helper()
		rec := Record{ForwardedFor: chain}
		got := rec.AppendForwarded(nil)
		if diff := cmp.Diff(want, got, cmp.Comparer(func(x, y netip.Addr) bool { return x == y })); diff != "" {
			t.Errorf("%q (-want +got)\n%s", chain, diff)
		}
	}
	f("", nil)
	f("192.0.2.1", []netip.Addr{a("192.0.2.1")})
	f("192.0.2.1, 198.51.100.2:8080,[2001:db8::1]:443 ,\t[2001:db8::2]", []netip.Addr{a("192.0.2.1"), a("198.51.100.2"), a("2001:db8::1"), a("2001:db8::2")})
	f("::ffff:203.0.113.9", []netip.Addr{a("203.0.113.9")})
	// An entry that is not an address keeps its place as the zero Addr:
	// a walk from the nearest proxy stops there and never reaches the
	// address the client wrote before it.
	f("203.0.113.66, unknown, 198.51.100.2", []netip.Addr{a("203.0.113.66"), z, a("198.51.100.2")})
	f("203.0.113.66,_hidden,198.51.100.2", []netip.Addr{a("203.0.113.66"), z, a("198.51.100.2")})
	f("203.0.113.66,,198.51.100.2", []netip.Addr{a("203.0.113.66"), z, a("198.51.100.2")})
	f("unknown", []netip.Addr{z})
	f("192.0.2.1, ", []netip.Addr{a("192.0.2.1"), z})
	f("[2001:db8::1", []netip.Addr{z})

	// Appending addresses into room allocates nothing.
	rec := Record{ForwardedFor: "203.0.113.66, [2001:db8::1]:443, 198.51.100.2:80, [2001:db8::2], ::ffff:192.0.2.1"}
	buf := make([]netip.Addr, 0, 8)
	if n := testing.AllocsPerRun(100, func() { buf = rec.AppendForwarded(buf[:0]) }); n != 0 {
		t.Errorf("%v allocations appending into room", n)
	}
}

// TestParseHostAddr checks each shape of address with and without a port,
// and that what is not an address is refused.
func TestParseHostAddr(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // "" for not an address
	}{
		{"192.0.2.1", "192.0.2.1"},
		{"192.0.2.1:443", "192.0.2.1"},
		{"2001:db8::1", "2001:db8::1"},
		{"[2001:db8::1]", "2001:db8::1"},
		{"[2001:db8::1]:443", "2001:db8::1"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"[::ffff:192.0.2.1]:80", "192.0.2.1"},
		{"fe80::1%eth0", "fe80::1%eth0"},
		{"::", "::"},
		{"", ""},
		{"[]", ""},
		{"[2001:db8::1", ""},
		{"[2001:db8::1]x", ""},
		{"[192.0.2.1]:99999", ""},
		{"192.0.2.1:", ""},
		{"192.0.2.1:x", ""},
		{"www.example.org", ""},
		{"www.example.org:80", ""},
		{"unknown", ""},
		{"2001:db8::1:443:1:1:1:1:1", ""},
	} {
		a, ok := parseHostAddr(c.in)
		got := ""
		if ok {
			got = a.String()
		}
		if got != c.want {
			t.Errorf("parseHostAddr(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}
