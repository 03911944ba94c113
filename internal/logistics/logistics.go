// Package logistics is parcel tracking through carriers: a Carrier reads and verifies the
// status updates its webhook pushes, so no carrier's API or signature scheme is written into
// the domain that ships (return shipments of faulty parts, internal/stock). Carriers maps
// carrier codes to implementations; the product wires the ones it is configured for (Dev,
// for development and tests, today).
package logistics

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Tracking statuses a carrier's update maps to.
const (
	InTransit = "in_transit"
	Delivered = "delivered"
	Exception = "exception" // lost, damaged, refused: someone has to look
)

// Statuses lists the tracking statuses.
var Statuses = []string{InTransit, Delivered, Exception}

// Update is one status change of one parcel, as a carrier reported it.
type Update struct {
	EventID    string    `json:"event_id" doc:"The carrier's id of the update: an update is stored once"`
	TrackingNo string    `json:"tracking_no"`
	Status     string    `json:"status" doc:"in_transit, delivered or exception"`
	Detail     string    `json:"detail,omitempty"`
	OccurredAt time.Time `json:"occurred_at"`
}

// ErrBadSignature is an update whose signature does not verify (or is too old).
var ErrBadSignature = errors.New("the carrier's signature does not verify")

// ErrNotConfigured is a carrier without its secret.
var ErrNotConfigured = errors.New("the carrier is not configured")

// Carrier is one logistics provider.
type Carrier interface {
	// Code names the carrier in shipments and in its webhook's path.
	Code() string
	// TrackingURL is where staff can follow a parcel ("" when the carrier has none).
	TrackingURL(trackingNo string) string
	// Updates verifies a webhook call (its headers and raw body) and reads its updates.
	Updates(h http.Header, body []byte, now time.Time) ([]Update, error)
}

// Carriers are the carriers the product is wired with, by code.
type Carriers map[string]Carrier

// Get returns the carrier of a code.
func (c Carriers) Get(code string) (Carrier, bool) {
	k, ok := c[code]
	return k, ok
}

// Dev is a carrier for development and tests: its webhook body is a JSON object with an
// "updates" array, signed with HMAC-SHA256 over "<unix time>.<body>" in the header
// X-Carrier-Signature as "t=<unix time>,v1=<hex>", and older than five minutes is refused.
type Dev struct {
	Secret string
}

// DevCode is the Dev carrier's code.
const DevCode = "dev"

// SignatureHeader carries the Dev carrier's signature.
const SignatureHeader = "X-Carrier-Signature"

// Tolerance is how old a signed Dev update may be.
const Tolerance = 5 * time.Minute

// Code names the carrier.
func (d Dev) Code() string { return DevCode }

// TrackingURL is the dev carrier's tracking page.
func (d Dev) TrackingURL(trackingNo string) string {
	return "https://carrier.dev.invalid/track/" + trackingNo
}

// Sign signs a body at a time the way the Dev carrier does (tests and local tools use it).
func (d Dev) Sign(body []byte, at time.Time) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	m := hmac.New(sha256.New, []byte(d.Secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// Updates verifies the signature and reads the updates; each must name a known status.
func (d Dev) Updates(h http.Header, body []byte, now time.Time) ([]Update, error) {
	if d.Secret == "" {
		return nil, ErrNotConfigured
	}
	var ts, sig string
	for _, part := range strings.Split(h.Get(SignatureHeader), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return nil, ErrBadSignature
	}
	at := time.Unix(sec, 0)
	if now.Sub(at) > Tolerance || at.Sub(now) > Tolerance {
		return nil, ErrBadSignature
	}
	if !hmac.Equal([]byte(d.Sign(body, at)), []byte("t="+ts+",v1="+sig)) {
		return nil, ErrBadSignature
	}
	var in struct {
		Updates []Update `json:"updates"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fmt.Errorf("dev carrier body: %w", err)
	}
	for i, u := range in.Updates {
		if u.EventID == "" || u.TrackingNo == "" || u.OccurredAt.IsZero() || !known(u.Status) {
			return nil, fmt.Errorf("dev carrier update %d: needs event_id, tracking_no, occurred_at and a known status", i)
		}
	}
	return in.Updates, nil
}

func known(s string) bool {
	for _, k := range Statuses {
		if s == k {
			return true
		}
	}
	return false
}
