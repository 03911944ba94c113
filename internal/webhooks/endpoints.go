package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Endpoint is a registered receiver. Its secret is never shown again after creation or
// rotation.
type Endpoint struct {
	ID                  uuid.UUID  `json:"id"`
	URL                 string     `json:"url"`
	Events              []string   `json:"events"`
	Description         string     `json:"description"`
	Enabled             bool       `json:"enabled"`
	PreviousSecretUntil *time.Time `json:"previous_secret_valid_until,omitempty" doc:"The previous secret still signs deliveries until then"`
	ConsecutiveFailures int32      `json:"consecutive_failures"`
	FailingSince        *time.Time `json:"failing_since,omitempty"`
	DisabledAt          *time.Time `json:"disabled_at,omitempty"`
	DisabledReason      string     `json:"disabled_reason,omitempty"`
	Version             int32      `json:"version"`
	CreatedAt           time.Time  `json:"created_at"`
	UpdatedAt           time.Time  `json:"updated_at"`
}

func endpointFromRow(r db.WebhookEndpoint) Endpoint {
	e := Endpoint{ID: r.ID, URL: r.Url, Events: r.Events, Description: r.Description, Enabled: r.Enabled,
		ConsecutiveFailures: r.ConsecutiveFailures, FailingSince: r.FailingSince, DisabledAt: r.DisabledAt,
		DisabledReason: r.DisabledReason, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.PreviousSecret != nil && r.PreviousExpiresAt != nil && r.PreviousExpiresAt.After(time.Now()) {
		e.PreviousSecretUntil = r.PreviousExpiresAt
	}
	if e.Events == nil {
		e.Events = []string{}
	}
	return e
}

// secrets returns the secrets that sign a delivery now: the current one, and the previous
// one until it expires.
func secrets(r db.WebhookEndpoint, now time.Time) []string {
	out := []string{r.Secret}
	if r.PreviousSecret != nil && r.PreviousExpiresAt != nil && now.Before(*r.PreviousExpiresAt) {
		out = append(out, *r.PreviousSecret)
	}
	return out
}

// EndpointInput is the writable part of an endpoint.
type EndpointInput struct {
	URL         string   `json:"url" minLength:"8" maxLength:"2000" format:"uri" example:"https://erp.example.com/aftersales/hooks"`
	Events      []string `json:"events" minItems:"1" maxItems:"100" doc:"Event types to receive, or [\"*\"] for all" example:"[\"order.created\",\"sla.breached\"]"`
	Description string   `json:"description,omitempty" maxLength:"500"`
	Enabled     *bool    `json:"enabled,omitempty" doc:"Default true; enabling a disabled endpoint resets its failure count"`
}

var eventPattern = regexp.MustCompile(`^([a-z_]+(\.[a-z_]+)+|\*)$`)

// CheckURL accepts absolute http(s) URLs without credentials. Where the URL may point
// (private networks) is Destinations.Check's, and checked again when connecting.
func CheckURL(raw, field string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return fault.Invalid(field, "must be an absolute http or https URL")
	}
	if u.User != nil {
		return fault.Invalid(field, "must not contain credentials")
	}
	if u.Fragment != "" {
		return fault.Invalid(field, "must not contain a fragment")
	}
	return nil
}

// Resolver looks up a host's addresses; *net.Resolver does.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Destinations decides where an endpoint may point when it is registered or changed. The
// deliverer checks every connection again (the addresses a name resolves to may change).
type Destinations struct {
	// AllowPrivate accepts any address, as Options.AllowPrivate (development and tests).
	AllowPrivate bool
	// Resolver looks names up; nil is net.DefaultResolver.
	Resolver Resolver
}

// resolveTimeout bounds the look-up of an endpoint's host name.
const resolveTimeout = 3 * time.Second

// Check refuses a URL whose host is an address deliveries may not reach (Public), or a name
// any of whose addresses is one. A name that does not resolve (yet) is accepted: its
// deliveries fail with dns_failure until it does, and are checked when they connect. The
// message never names the addresses a name resolved to (the platform's resolver may know
// names of its own network).
func (d Destinations) Check(ctx context.Context, raw, field string) error {
	if err := CheckURL(raw, field); err != nil {
		return err
	}
	if d.AllowPrivate {
		return nil
	}
	u, _ := url.Parse(raw) // CheckURL parsed it
	host := u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		if !Public(a) {
			return fault.Invalid(field, "must not point to a private, loopback, link-local or reserved address")
		}
		return nil
	}
	r := d.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if !Public(a) {
			return fault.Invalid(field, "must not point to a host that resolves to a private, loopback, link-local or reserved address")
		}
	}
	return nil
}

func (in EndpointInput) check(ctx context.Context, dests Destinations) ([]string, error) {
	if err := dests.Check(ctx, in.URL, "url"); err != nil {
		return nil, err
	}
	evs := slices.Clone(in.Events)
	for i, e := range evs {
		if !eventPattern.MatchString(e) {
			return nil, fault.Invalid(fmt.Sprintf("events[%d]", i), "must be an event type such as order.created, or *")
		}
	}
	slices.Sort(evs)
	return slices.Compact(evs), nil
}

// NewSecret returns a fresh signing secret ("whsec_" and 32 random bytes).
func NewSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b)
}

// Create registers an endpoint and returns it with its secret (shown only now). dests
// decides where it may point.
func Create(ctx context.Context, tx *tenants.Tx, dests Destinations, in EndpointInput) (Endpoint, string, error) {
	evs, err := in.check(ctx, dests)
	if err != nil {
		return Endpoint{}, "", err
	}
	secret := NewSecret()
	enabled := in.Enabled == nil || *in.Enabled
	r, err := tx.Q.CreateWebhookEndpoint(ctx, tx, db.CreateWebhookEndpointParams{TenantID: tx.Scope.TenantID,
		ID: platform.NewID(), Url: in.URL,
		Events: evs, Description: in.Description, Enabled: enabled, Secret: secret})
	if err != nil {
		return Endpoint{}, "", fault.DBError(err, "", "")
	}
	e := endpointFromRow(r)
	return e, secret, tx.Audit(ctx, "webhook_endpoint.create", "webhook_endpoint", e.ID, nil, e)
}

// Get returns an endpoint.
func Get(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Endpoint, error) {
	r, err := tx.Q.GetWebhookEndpoint(ctx, tx, db.GetWebhookEndpointParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Endpoint{}, fault.DBError(err, "", "")
	}
	return endpointFromRow(r), nil
}

// List lists endpoints after the cursor.
func List(ctx context.Context, tx *tenants.Tx, after uuid.NullUUID, limit int32) ([]Endpoint, error) {
	rows, err := tx.Q.ListWebhookEndpoints(ctx, tx, db.ListWebhookEndpointsParams{TenantID: tx.Scope.TenantID, After: after, Lim: limit})
	if err != nil {
		return nil, fmt.Errorf("list webhook endpoints: %w", err)
	}
	out := make([]Endpoint, len(rows))
	for i, r := range rows {
		out[i] = endpointFromRow(r)
	}
	return out, nil
}

// Update changes an endpoint if version is current; dests decides where it may point.
func Update(ctx context.Context, tx *tenants.Tx, dests Destinations, id uuid.UUID, version int32, in EndpointInput) (Endpoint, error) {
	evs, err := in.check(ctx, dests)
	if err != nil {
		return Endpoint{}, err
	}
	before, err := Get(ctx, tx, id)
	if err != nil {
		return Endpoint{}, err
	}
	if before.Version != version {
		return Endpoint{}, fault.ErrStale
	}
	enabled := before.Enabled
	if in.Enabled != nil {
		enabled = *in.Enabled
	}
	r, err := tx.Q.UpdateWebhookEndpoint(ctx, tx, db.UpdateWebhookEndpointParams{TenantID: tx.Scope.TenantID,
		ID: id, Version: version, Url: in.URL,
		Events: evs, Description: in.Description, Enabled: enabled, Now: time.Now()})
	if err != nil {
		return Endpoint{}, fault.DBError(fault.StaleIfMissing(err), "", "")
	}
	after := endpointFromRow(r)
	return after, tx.Audit(ctx, "webhook_endpoint.update", "webhook_endpoint", id, before, after)
}

// Delete removes an endpoint and its delivery log.
func Delete(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32) error {
	before, err := Get(ctx, tx, id)
	if err != nil {
		return err
	}
	if before.Version != version {
		return fault.ErrStale
	}
	n, err := tx.Q.DeleteWebhookEndpoint(ctx, tx, db.DeleteWebhookEndpointParams{TenantID: tx.Scope.TenantID, ID: id, Version: version})
	if err != nil {
		return fault.DBError(err, "", "")
	}
	if n == 0 {
		return fault.ErrStale
	}
	return tx.Audit(ctx, "webhook_endpoint.delete", "webhook_endpoint", id, before, nil)
}

// MaxOverlap bounds how long a rotated-out secret keeps signing.
const MaxOverlap = 7 * 24 * time.Hour

// Rotate replaces the secret; the previous one keeps signing deliveries (as a second v1)
// for overlap, so receivers can switch without losing a delivery. It returns the new secret.
func Rotate(ctx context.Context, tx *tenants.Tx, id uuid.UUID, version int32, overlap time.Duration) (Endpoint, string, error) {
	if overlap < 0 || overlap > MaxOverlap {
		return Endpoint{}, "", fault.Invalid("previous_valid_seconds", "must be between 0 and 604800 (7 days)")
	}
	before, err := Get(ctx, tx, id)
	if err != nil {
		return Endpoint{}, "", err
	}
	if before.Version != version {
		return Endpoint{}, "", fault.ErrStale
	}
	secret := NewSecret()
	r, err := tx.Q.RotateWebhookSecret(ctx, tx, db.RotateWebhookSecretParams{TenantID: tx.Scope.TenantID,
		ID: id, Version: version, Secret: secret,
		PreviousExpiresAt: ptr(time.Now().Add(overlap))})
	if err != nil {
		return Endpoint{}, "", fault.DBError(fault.StaleIfMissing(err), "", "")
	}
	after := endpointFromRow(r)
	return after, secret, tx.Audit(ctx, "webhook_endpoint.rotate_secret", "webhook_endpoint", id, nil,
		map[string]any{"previous_valid_until": r.PreviousExpiresAt})
}

func ptr[T any](v T) *T { return &v }

func trimBody(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n]
}
