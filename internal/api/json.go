package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
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
				return fmt.Errorf("NUL character (\\u0000) in %s at byte offset %d: text cannot hold it", nulPath(data), i-5)
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

// nulPath names the first value of a JSON document holding a NUL character, as problems
// name fields ("body.items[2].name"; a key holding one is named by its object).
func nulPath(data []byte) string {
	type level struct {
		object bool
		key    string
		index  int
		atKey  bool // an object expecting a key next
	}
	var stack []level
	path := func() string {
		p := "body"
		for _, l := range stack {
			if l.object {
				p += "." + l.key
			} else {
				p += "[" + strconv.Itoa(l.index) + "]"
			}
		}
		return p
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return "body"
		}
		top := len(stack) - 1
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, level{object: true, atKey: true})
				continue
			case '[':
				stack = append(stack, level{})
				continue
			default: // the end of an object or array: its parent moves on
				stack = stack[:top]
				if top > 0 {
					if stack[top-1].object {
						stack[top-1].atKey = true
					} else {
						stack[top-1].index++
					}
				}
				continue
			}
		case string:
			if top >= 0 && stack[top].object && stack[top].atKey {
				stack[top].key, stack[top].atKey = v, false
				if strings.ContainsRune(v, 0) {
					stack = stack[:top]
					return path()
				}
				continue
			}
			if strings.ContainsRune(v, 0) {
				return path()
			}
		}
		if top >= 0 {
			if stack[top].object {
				stack[top].atKey = true
			} else {
				stack[top].index++
			}
		}
	}
}

// hex4 reads four hex digits at data[i:].
func hex4(data []byte, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(data[i:i+4]), 16, 32)
	return rune(n), err == nil
}
