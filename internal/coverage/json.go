package coverage

import (
	"encoding/json"
	"fmt"
)

func jsonUnmarshal(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode stored json: %w", err)
	}
	return nil
}
