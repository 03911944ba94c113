package registry

import "testing"

func TestNormalizeSerial(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"KFR35GW0001":        "KFR35GW0001",
		" KFR35GW0001 ":      "KFR35GW0001",
		"KFR35GW0001\t\n":    "KFR35GW0001",
		"KFR 35GW 0001":      "KFR35GW0001",
		"ＫＦＲ３５ＧＷ０００１":        "KFR35GW0001", // full width
		"KFR35GW\u30000001":  "KFR35GW0001", // ideographic space
		"\u200bKFR35GW0001":  "KFR35GW0001", // zero-width space
		"KFR35GW0001\ufeff":  "KFR35GW0001", // byte-order mark
		"KFR35GW\u00a00001":  "KFR35GW0001", // no-break space
		"35 209900 176148 1": "352099001761481",
		"kfr35gw0001":        "kfr35gw0001", // case is kept: serials compare exactly
		"":                   "",
		"   ":                "",
		"SN-2024/01":         "SN-2024/01",
	} {
		if got := NormalizeSerial(in); got != want {
			t.Errorf("NormalizeSerial(%q) = %q, want %q", in, got, want)
		}
		if got := NormalizeSerial(NormalizeSerial(in)); got != want {
			t.Errorf("NormalizeSerial is not idempotent on %q: %q", in, got)
		}
	}
}
