// Package platform holds process-wide plumbing: configuration, logging, Redis, ids.
package platform

import (
	"fmt"
	"time"

	"github.com/caarlos0/env/v11"
)

// Config is read from the environment once, in main, and passed down explicitly.
type Config struct {
	// DatabaseURL connects as the owner role; used only to migrate.
	DatabaseURL string `env:"DATABASE_URL"`
	// AppDatabaseURL connects as a member of aftersales_app: NOBYPASSRLS, owns nothing.
	AppDatabaseURL string `env:"APP_DATABASE_URL"`
	// RedisURL of a Redis server; empty runs an in-process Redis (development only).
	RedisURL string `env:"REDIS_URL"`
	// RedisPrefix namespaces keys when several deployments share a Redis.
	RedisPrefix string `env:"REDIS_PREFIX"`
	// HTTPAddr is where the API listens.
	HTTPAddr string `env:"HTTP_ADDR" envDefault:"127.0.0.1:8080"`
	// PublicURL is the base URL printed and used in links (invitations, tracking).
	PublicURL string `env:"PUBLIC_URL"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `env:"LOG_LEVEL" envDefault:"info"`
	// SecureCookies marks session cookies Secure; on by default, off for plain-HTTP local use.
	SecureCookies bool `env:"SECURE_COOKIES" envDefault:"true"`
	// SessionTTL is how long a login lasts.
	SessionTTL time.Duration `env:"SESSION_TTL" envDefault:"12h"`
	// DeviceSessionTTL is how long a sign-in that keeps a device signed in lasts (the
	// engineers' phone app); revoked by signing out like any session.
	DeviceSessionTTL time.Duration `env:"DEVICE_SESSION_TTL" envDefault:"720h"`
	// RateTenantPerSecond and RateKeyPerSecond bound requests per tenant and per credential.
	RateTenantPerSecond int `env:"RATE_TENANT_PER_SECOND" envDefault:"200"`
	RateKeyPerSecond    int `env:"RATE_KEY_PER_SECOND" envDefault:"50"`
	// RatePublicPerMinute bounds public coverage checks per client IP and per serial.
	RatePublicPerMinute int `env:"RATE_PUBLIC_PER_MINUTE" envDefault:"20"`
	// RateLoginPerMinute bounds sign-in attempts on one account from one client address;
	// RateLoginIPPerMinute bounds attempts from one client address on all accounts together.
	// Neither counts attempts from elsewhere, so nobody can lock a user out from afar.
	RateLoginPerMinute   int `env:"RATE_LOGIN_PER_MINUTE" envDefault:"5"`
	RateLoginIPPerMinute int `env:"RATE_LOGIN_IP_PER_MINUTE" envDefault:"10"`
	// TrustedProxies are the reverse proxies (addresses or CIDR prefixes, comma-separated)
	// whose X-Forwarded-For names the client; empty trusts none (the client is the peer).
	TrustedProxies Proxies `env:"TRUSTED_PROXIES"`
	// OTPPerHour bounds one-time codes sent to one phone or email address.
	OTPPerHour int `env:"OTP_PER_HOUR" envDefault:"5"`
	// MaxBodyBytes caps request bodies.
	MaxBodyBytes int64 `env:"MAX_BODY_BYTES" envDefault:"1048576"`
	// SMTPURL sends email through an SMTP server (smtp://user:pass@host:587, STARTTLS when
	// offered, or smtps://...:465); empty logs email instead (development provider).
	SMTPURL  string `env:"SMTP_URL"`
	SMTPFrom string `env:"SMTP_FROM"`
	// SMSURL is an SMS gateway taking JSON POSTs (see internal/notify); SMSKey its bearer key.
	// Empty logs SMS instead (development provider).
	SMSURL string `env:"SMS_URL"`
	SMSKey string `env:"SMS_KEY"`
	// WebhookAllowPrivate lets tenant webhook endpoints resolve to private, loopback and
	// link-local addresses. Keep it off in production; on for local development.
	WebhookAllowPrivate bool `env:"WEBHOOK_ALLOW_PRIVATE" envDefault:"false"`
	// WebhookTimeout bounds one webhook delivery attempt.
	WebhookTimeout time.Duration `env:"WEBHOOK_TIMEOUT" envDefault:"10s"`
	// StripeAPIBase overrides Stripe's API address (stripe-mock in tests).
	StripeAPIBase string `env:"STRIPE_API_BASE"`
	// StripeSecretKey is the platform account's secret key; empty disables Stripe calls.
	StripeSecretKey string `env:"STRIPE_SECRET_KEY"`
	// StripeWebhookSecret verifies webhook signatures (whsec_...); create the endpoint on
	// API version 2023-10-16.
	StripeWebhookSecret string `env:"STRIPE_WEBHOOK_SECRET"`
	// CarrierDevSecret signs the dev carrier's webhook calls (return shipments' tracking in
	// development and tests); empty refuses them.
	CarrierDevSecret string `env:"CARRIER_DEV_SECRET"`
	// BillingGrace is how long a tenant keeps writing after a failed platform payment.
	BillingGrace time.Duration `env:"BILLING_GRACE" envDefault:"168h"`
	// BillingGraceReminder is how long before the grace period ends the tenant's admins and
	// finance are reminded (at most half the grace period).
	BillingGraceReminder time.Duration `env:"BILLING_GRACE_REMINDER" envDefault:"48h"`
	// JobWorkers is the worker process's default job queue capacity: the workers that run
	// event dispatch, notifications and webhook fan-out at once (jobs.DefaultWorkers, 100:
	// on two cores they carry notifications away faster than create-order takes orders in).
	// Raise it with the order rate; the worker's pool is sized to it.
	JobWorkers int `env:"JOB_WORKERS" envDefault:"100"`
}

// LoadConfig reads the environment.
func LoadConfig() (Config, error) {
	var c Config
	if err := env.Parse(&c); err != nil {
		return c, fmt.Errorf("read configuration: %w", err)
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.HTTPAddr
	}
	if c.JobWorkers < 1 || c.JobWorkers > 10000 {
		return c, fmt.Errorf("read configuration: JOB_WORKERS must be 1 to 10000, not %d", c.JobWorkers)
	}
	return c, nil
}
