package api

import (
	"strings"
	"testing"
)

func TestCheckJSONText(t *testing.T) {
	t.Parallel()
	for in, ok := range map[string]bool{
		`{"name":"Li Lei"}`:          true,
		`{"name":"李雷"}`:              true,
		`{"name":"\u674e\u96f7"}`:    true,
		`{"name":"\ud83d\ude00"}`:    true, // a surrogate pair: 😀
		`{"name":"\\ud800"}`:         true, // an escaped backslash, then text
		`{"ud800":"x"}`:              true,
		"{\"name\":\"Li\xffLei\"}":   false,
		"{\"name\":\"\xe6\x9d\"}":    false, // truncated sequence
		"{\"na\xc0\xafme\":1}":       false, // overlong encoding
		`{"name":"\ud800"}`:          false,
		`{"name":"\udc00x"}`:         false,
		`{"name":"\ud83d\u0041"}`:    false,
		`{"name":"\ud83d"}`:          false,
		`{"a":"\\","name":"\ud800"}`: false,
		`{"name":"Li\u0000Lei"}`:     false, // NUL: no text column can hold it
		`{"name":"Li\\u0000Lei"}`:    true,  // an escaped backslash, then text
	} {
		if err := checkJSONText([]byte(in)); (err == nil) != ok {
			t.Errorf("checkJSONText(%q) = %v, want accepted %v", in, err, ok)
		}
	}
}

func TestNULIsNamedByItsField(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`{"name":"Li\u0000Lei"}`:                                "body.name",
		`{"a":1,"b":[true,{"c":"x"},{"d":"\u0000"}]}`:           "body.b[2].d",
		`{"a":{"b":[[],"y"]},"url":"https://x.example/\u0000"}`: "body.url",
		`["ok","\u0000"]`:                                       "body[1]",
		`{"k\u0000":1}`:                                         "body",
	} {
		err := checkJSONText([]byte(in))
		if err == nil || !strings.Contains(err.Error(), " in "+want+" at ") {
			t.Errorf("checkJSONText(%s) = %v, want the NUL named at %s", in, err, want)
		}
	}
}
