package tenants

import "testing"

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"admin@tenant.test", "admin@tenant.test"},
		{"  Admin@Tenant.TEST\t", "admin@tenant.test"},
		{"ａｄｍｉｎ＠ｔｅｎａｎｔ．ｔｅｓｔ", "admin@tenant.test"},
		{"\u212aelvin@tenant.test", "kelvin@tenant.test"}, // KELVIN SIGN
		{"li.lei+aftersales@mail.cn", "li.lei+aftersales@mail.cn"},
	} {
		if got := NormalizeEmail(c.in); got != c.want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
