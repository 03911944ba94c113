package billing

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"github.com/aftersales/aftersales/tenants"
)

// Config configures Stripe access.
type Config struct {
	// SecretKey is the platform account's secret key (sk_...). Empty: billing calls fail with
	// ErrNotConfigured, everything else works.
	SecretKey string
	// WebhookSecret verifies webhook signatures (whsec_...).
	WebhookSecret string
	// APIBase overrides Stripe's address (stripe-mock in tests).
	APIBase string
	// PublicURL is where Checkout returns consumers to.
	PublicURL string
	// Grace is how long a tenant keeps writing after a failed platform payment.
	Grace time.Duration
	// GraceReminder is how long before the grace period ends the tenant's admins are
	// reminded (default 48h; at most half the grace period).
	GraceReminder time.Duration
}

// Service runs billing on the tenants' database and one Stripe platform account.
type Service struct {
	DB     *tenants.DB
	Log    *slog.Logger
	cfg    Config
	stripe *client.API
}

// ErrNotConfigured means no Stripe key is configured.
var ErrNotConfigured = errors.New("billing: Stripe is not configured (STRIPE_SECRET_KEY)")

// New builds the service; a Stripe client is made only when a key is configured.
func New(d *tenants.DB, log *slog.Logger, cfg Config) *Service {
	s := &Service{DB: d, Log: log, cfg: cfg}
	if cfg.Grace == 0 {
		s.cfg.Grace = 7 * 24 * time.Hour
	}
	if cfg.SecretKey != "" {
		bc := &stripe.BackendConfig{HTTPClient: &http.Client{Timeout: 30 * time.Second},
			LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelError}, MaxNetworkRetries: stripe.Int64(2)}
		if cfg.APIBase != "" {
			bc.URL = stripe.String(cfg.APIBase)
		}
		backends := &stripe.Backends{API: stripe.GetBackendWithConfig(stripe.APIBackend, bc),
			Connect: stripe.GetBackendWithConfig(stripe.ConnectBackend, bc),
			Uploads: stripe.GetBackendWithConfig(stripe.UploadsBackend, bc)}
		s.stripe = client.New(cfg.SecretKey, backends)
	}
	return s
}

func (s *Service) api() (*client.API, error) {
	if s == nil || s.stripe == nil {
		return nil, ErrNotConfigured
	}
	return s.stripe, nil
}

// Configured reports whether Stripe calls can be made.
func (s *Service) Configured() bool { return s != nil && s.stripe != nil }
