package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/text/unicode/norm"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Sender delivers a one-time code by SMS or email. Real providers (SMS gateway, SMTP) and
// the development provider implement it.
type Sender interface {
	Send(ctx context.Context, channel, destination, message string) error
}

// DevSender logs messages and keeps the last one per destination, for local use and tests.
type DevSender struct {
	log  *slog.Logger
	mu   sync.Mutex
	last map[string]string
}

// NewDevSender returns a DevSender that logs to log.
func NewDevSender(log *slog.Logger) *DevSender {
	return &DevSender{log: log, last: map[string]string{}}
}

// Send records the message.
func (d *DevSender) Send(ctx context.Context, channel, destination, message string) error {
	d.mu.Lock()
	d.last[destination] = message
	d.mu.Unlock()
	d.log.InfoContext(ctx, "dev message", "channel", channel, "to", destination, "message", message)
	return nil
}

// Last returns the last message sent to destination.
func (d *DevSender) Last(destination string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.last[destination]
}

// OTP policy.
const (
	otpTTL         = 10 * time.Minute
	otpMaxAttempts = 5
	otpDigits      = 6
)

// ErrBadCode means the code is wrong, expired, used, or tried too often.
var ErrBadCode = errors.New("the code is invalid or has expired")

// NormalizeDestination returns the channel and canonical form of a consumer's sign-in
// destination: a phone in E.164 (customers.NormalizePhone; numbers without a country code
// are read as Chinese), or an email address as tenants.NormalizeEmail writes it. The code,
// its rate limit and the consumer are all keyed by this form, so " +86 138…" or a
// full-width number is the same destination as "+86138…".
func NormalizeDestination(s string) (channel, dest string, err error) {
	s = norm.NFKC.String(strings.TrimSpace(s))
	if strings.Contains(s, "@") {
		s = tenants.NormalizeEmail(s)
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s {
			return "", "", fault.Invalid("destination", "is not a valid email address")
		}
		return "email", a.Address, nil
	}
	phone, err := customers.NormalizePhone(s)
	if err != nil || phone == "" {
		return "", "", fault.Invalid("destination", "is not a valid phone number or email address")
	}
	return "sms", phone, nil
}

// RequestOTP sends a fresh code to a phone or email address, at most otpPerHour an hour.
func (s *Service) RequestOTP(ctx context.Context, destination string) error {
	channel, dest, err := NormalizeDestination(destination)
	if err != nil {
		return err
	}
	if ok, wait := s.limiter.Allow(ctx, "otp:"+dest, platform.PerHour(s.otpPerHour)); !ok {
		return &RateLimitError{RetryAfter: wait}
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return fmt.Errorf("generate code: %w", err)
	}
	code := fmt.Sprintf("%0*d", otpDigits, n.Int64())
	err = s.db.Platform(ctx, "consumer sign-in: store code", uuid.Nil, func(tx *tenants.Tx) error {
		_, err := tx.Q.CreateOTP(ctx, tx, db.CreateOTPParams{
			ID: platform.NewID(), Destination: dest, Channel: channel,
			CodeHash: HashToken(dest + ":" + code), ExpiresAt: time.Now().Add(otpTTL),
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("store code: %w", err)
	}
	msg := fmt.Sprintf("Your verification code is %s. It expires in %d minutes.", code, int(otpTTL.Minutes()))
	if err := s.sender.Send(ctx, channel, dest, msg); err != nil {
		return fmt.Errorf("send code: %w", err)
	}
	return nil
}

// VerifyOTP checks a code and opens a consumer session. A wrong code counts an attempt;
// after otpMaxAttempts the code is dead.
func (s *Service) VerifyOTP(ctx context.Context, destination, code string, meta tenants.Actor) (Session, error) {
	channel, dest, err := NormalizeDestination(destination)
	if err != nil {
		return Session{}, err
	}
	var sess Session
	var bad bool
	err = s.db.Platform(ctx, "consumer sign-in: verify code", uuid.Nil, func(tx *tenants.Tx) error {
		if bad, err = consumeOTP(ctx, tx, dest, code); bad || err != nil {
			return err
		}
		var c db.Consumer
		if channel == "sms" {
			c, err = tx.Q.UpsertConsumerByPhone(ctx, tx, db.UpsertConsumerByPhoneParams{ID: platform.NewID(), Phone: &dest})
		} else {
			c, err = tx.Q.UpsertConsumerByEmail(ctx, tx, db.UpsertConsumerByEmailParams{ID: platform.NewID(), Email: &dest})
		}
		if err != nil {
			return err
		}
		tok, hash := newSessionToken()
		exp := time.Now().Add(s.sessionTTL)
		if _, err := tx.Q.CreateSession(ctx, tx, db.CreateSessionParams{
			ID: platform.NewID(), TokenHash: hash, ConsumerID: uuid.NullUUID{UUID: c.ID, Valid: true},
			Ip: meta.IP, UserAgent: meta.UserAgent, ExpiresAt: exp,
		}); err != nil {
			return err
		}
		sess = Session{Token: tok, ExpiresAt: exp}
		return nil
	})
	if err != nil {
		return Session{}, fmt.Errorf("verify code: %w", err)
	}
	if bad {
		s.log.WarnContext(ctx, "consumer code rejected", "to", access.MaskPhone(dest), "ip", meta.IP)
		return Session{}, ErrBadCode
	}
	return sess, nil
}

// consumeOTP checks a code for dest and uses it up; bad reports a wrong, dead or missing code
// (a wrong one counts an attempt).
func consumeOTP(ctx context.Context, tx *tenants.Tx, dest, code string) (bad bool, err error) {
	otp, err := tx.Q.LatestOTP(ctx, tx, dest)
	if err != nil {
		return true, nil
	}
	if otp.Attempts >= otpMaxAttempts || !equalHash(otp.CodeHash, HashToken(dest+":"+code)) {
		return true, tx.Q.CountOTPAttempt(ctx, tx, otp.ID)
	}
	return false, tx.Q.ConsumeOTP(ctx, tx, otp.ID)
}

// ConfirmOTP checks a code sent to destination without opening a session: a customer
// confirming a decision (a quote) by a link and a code. ErrBadCode when it does not match.
func (s *Service) ConfirmOTP(ctx context.Context, destination, code string) error {
	_, dest, err := NormalizeDestination(destination)
	if err != nil {
		return err
	}
	var bad bool
	err = s.db.Platform(ctx, "consumer sign-in: verify code for link", uuid.Nil, func(tx *tenants.Tx) error {
		bad, err = consumeOTP(ctx, tx, dest, code)
		return err
	})
	if err != nil {
		return fmt.Errorf("confirm code: %w", err)
	}
	if bad {
		s.log.WarnContext(ctx, "confirmation code rejected", "to", access.MaskPhone(dest))
		return ErrBadCode
	}
	return nil
}
