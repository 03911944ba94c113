package api

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
)

// rawJSON passes stored JSON through unchanged; nil stays absent.
func rawJSON(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return json.RawMessage(b)
}

func itoa(i int) string { return strconv.Itoa(i) }

// jsonFormat is huma's JSON format with a stricter reader: a request body that is not valid
// UTF-8, that escapes half of a UTF-16 surrogate pair ("\ud800" alone), or that escapes a
// NUL character (which no text column can store) is refused (400, at body). encoding/json
// would read the first two as U+FFFD, storing text the client never sent, and the database
// would refuse the third without naming the field.
var jsonFormat = huma.Format{Marshal: huma.DefaultJSONFormat.Marshal, Unmarshal: strictJSON}

func strictJSON(data []byte, v any) error {
	if err := checkJSONText(data); err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// checkJSONText reports the first place where data is not valid UTF-8, or where a string
// escapes a lone surrogate.
func checkJSONText(data []byte) error {
	if !utf8.Valid(data) {
		for i := 0; i < len(data); {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				return fmt.Errorf("invalid UTF-8 at byte offset %d", i)
			}
			i += n
		}
	}
	inString := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case !inString:
			inString = c == '"'
		case c == '"':
			inString = false
		case c == '\\' && i+1 < len(data):
			i++
			if data[i] != 'u' {
				continue
			}
			r, ok := hex4(data, i+1)
			if !ok {
				continue // not an escape json accepts: json.Unmarshal reports it
			}
			i += 4
			switch {
			case r == 0:
				return fmt.Errorf("NUL character escape (\\u0000) at byte offset %d: text cannot hold it", i-5)
			case r >= 0xDC00 && r < 0xE000:
				return fmt.Errorf("lone UTF-16 surrogate escape at byte offset %d", i-5)
			case r >= 0xD800 && r < 0xDC00:
				if i+2 < len(data) && data[i+1] == '\\' && data[i+2] == 'u' {
					if lo, ok := hex4(data, i+3); ok && lo >= 0xDC00 && lo < 0xE000 {
						i += 6
						continue
					}
				}
				return fmt.Errorf("lone UTF-16 surrogate escape at byte offset %d", i-5)
			}
		}
	}
	return nil
}

// hex4 reads four hex digits at data[i:].
func hex4(data []byte, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(data[i:i+4]), 16, 32)
	return rune(n), err == nil
}
