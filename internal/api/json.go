package api

import (
	"encoding/json"
	"strconv"
)

// rawJSON passes stored JSON through unchanged; nil stays absent.
func rawJSON(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return json.RawMessage(b)
}

func itoa(i int) string { return strconv.Itoa(i) }
