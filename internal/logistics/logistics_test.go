package logistics_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/logistics"
)

// TestDevCarrierVerifies: a signed body is read; a tampered body, another secret, an old
// signature, an unknown status and an unconfigured carrier are refused.
func TestDevCarrierVerifies(t *testing.T) {
	d := logistics.Dev{Secret: "s3cret"}
	now := time.Now()
	body := []byte(`{"updates":[{"event_id":"e1","tracking_no":"DEV-1","status":"delivered","occurred_at":"2026-12-01T10:00:00Z"}]}`)
	h := func(sig string) http.Header { return http.Header{logistics.SignatureHeader: []string{sig}} }
	us, err := d.Updates(h(d.Sign(body, now)), body, now)
	if err != nil || len(us) != 1 || us[0].Status != logistics.Delivered || us[0].TrackingNo != "DEV-1" {
		t.Fatalf("signed body: %+v %v", us, err)
	}
	tampered := []byte(`{"updates":[{"event_id":"e1","tracking_no":"DEV-2","status":"delivered","occurred_at":"2026-12-01T10:00:00Z"}]}`)
	for name, c := range map[string]struct {
		sig  string
		body []byte
	}{
		"tampered":       {d.Sign(body, now), tampered},
		"another secret": {logistics.Dev{Secret: "other"}.Sign(body, now), body},
		"old":            {d.Sign(body, now.Add(-10*time.Minute)), body},
		"no signature":   {"", body},
	} {
		if _, err := d.Updates(h(c.sig), c.body, now); !errors.Is(err, logistics.ErrBadSignature) {
			t.Errorf("%s: %v, want ErrBadSignature", name, err)
		}
	}
	unknown := []byte(`{"updates":[{"event_id":"e1","tracking_no":"DEV-1","status":"teleported","occurred_at":"2026-12-01T10:00:00Z"}]}`)
	if _, err := d.Updates(h(d.Sign(unknown, now)), unknown, now); err == nil {
		t.Error("an unknown status: accepted")
	}
	if _, err := (logistics.Dev{}).Updates(h(d.Sign(body, now)), body, now); !errors.Is(err, logistics.ErrNotConfigured) {
		t.Errorf("no secret: %v", err)
	}
}
