package platform

import (
	"testing"

	"github.com/caarlos0/env/v11"
)

func TestClientIP(t *testing.T) {
	t.Parallel()
	var trusted Proxies
	if err := trusted.UnmarshalText([]byte("10.0.0.0/8, 192.168.1.10 ,::ffff:172.16.0.0/108")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		peer string
		xff  []string
		want string
	}{
		{"203.0.113.7:5555", nil, "203.0.113.7"},
		{"203.0.113.7:5555", []string{"1.2.3.4"}, "203.0.113.7"}, // an untrusted peer's header is ignored
		{"[::ffff:203.0.113.7]:5555", nil, "203.0.113.7"},
		{"[2001:db8::1]:443", nil, "2001:db8::1"},
		{"10.1.2.3:80", []string{"198.51.100.9"}, "198.51.100.9"},
		{"10.1.2.3:80", []string{"6.6.6.6, 198.51.100.9"}, "198.51.100.9"},                 // the client wrote 6.6.6.6
		{"10.1.2.3:80", []string{"6.6.6.6", "198.51.100.9, 192.168.1.10"}, "198.51.100.9"}, // two proxies, two headers
		{"10.1.2.3:80", []string{"198.51.100.9, 172.16.5.5"}, "198.51.100.9"},
		{"10.1.2.3:80", []string{"garbage, 10.9.9.9"}, "10.9.9.9"}, // nothing believable beyond a bad hop
		{"10.1.2.3:80", nil, "10.1.2.3"},
		{"10.1.2.3:80", []string{"[2001:db8::5]:1234"}, "2001:db8::5"},
		{"192.168.1.11:80", []string{"198.51.100.9"}, "192.168.1.11"}, // not the trusted one
	} {
		if got := trusted.ClientIP(c.peer, c.xff); got != c.want {
			t.Errorf("ClientIP(%s, %q) = %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
	if got := (Proxies{}).ClientIP("10.1.2.3:80", []string{"198.51.100.9"}); got != "10.1.2.3" {
		t.Errorf("no trusted proxies: %s", got)
	}
	var bad Proxies
	if err := bad.UnmarshalText([]byte("10.0.0.0/33")); err == nil {
		t.Error("a bad prefix was accepted")
	}
}

func TestTrustedProxiesFromEnvironment(t *testing.T) {
	t.Setenv("TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1")
	var c Config
	if err := env.Parse(&c); err != nil {
		t.Fatal(err)
	}
	if len(c.TrustedProxies) != 2 || c.TrustedProxies.ClientIP("127.0.0.1:1", []string{"8.8.8.8"}) != "8.8.8.8" {
		t.Fatalf("TRUSTED_PROXIES read as %v", c.TrustedProxies)
	}
}

func TestLimitKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"203.0.113.7":          "203.0.113.7",
		"::ffff:203.0.113.7":   "203.0.113.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":      "2001:db8:1:3::/64",
		"not an address":       "not an address",
	} {
		if got := LimitKey(in); got != want {
			t.Errorf("LimitKey(%s) = %s, want %s", in, got, want)
		}
	}
}
