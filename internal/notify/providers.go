package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Message is one rendered message for one address on one channel.
type Message struct {
	Channel string
	To      string // E.164 phone for SMS, address for email
	Subject string
	Body    string
	// Key is stable across retries of the same send (the send's id): providers that accept
	// an idempotency key pass it on, so a retried call cannot deliver twice.
	Key string
}

// Provider delivers messages of one channel.
type Provider interface {
	// Send delivers m and returns the provider's message id.
	Send(ctx context.Context, m Message) (string, error)
	// Idempotent reports whether the provider deduplicates by Message.Key, so that a send
	// interrupted after the call (outcome unknown) may safely be repeated.
	Idempotent() bool
}

// Providers are the providers by channel (in-app needs none: it is a row in the database).
type Providers struct {
	SMS   Provider
	Email Provider
}

func (p Providers) of(channel string) Provider {
	switch channel {
	case ChannelSMS:
		return p.SMS
	case ChannelEmail:
		return p.Email
	}
	return nil
}

// Config selects the providers; unset parts fall back to the development provider.
type Config struct {
	SMTPURL  string // smtp://user:pass@host:587 (STARTTLS when offered) or smtps://...:465
	SMTPFrom string // From address, e.g. "Aftersales <noreply@example.com>"
	SMSURL   string // the SMS gateway's endpoint (JSON POST)
	SMSKey   string // bearer key of the SMS gateway
}

// NewProviders builds the configured providers; dev records and logs what the others would
// send and is used for every channel that is not configured.
func NewProviders(c Config, dev *DevProvider) (Providers, error) {
	p := Providers{SMS: dev, Email: dev}
	if c.SMSURL != "" {
		u, err := url.Parse(c.SMSURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return p, errors.New("SMS_URL must be an http(s) URL")
		}
		p.SMS = &SMSProvider{URL: c.SMSURL, Key: c.SMSKey, Client: &http.Client{Timeout: 15 * time.Second}}
	}
	if c.SMTPURL != "" {
		s, err := NewSMTPProvider(c.SMTPURL, c.SMTPFrom)
		if err != nil {
			return p, err
		}
		p.Email = s
	}
	return p, nil
}

// DevProvider records messages in memory and logs them: for local use and tests.
type DevProvider struct {
	log  *slog.Logger
	mu   sync.Mutex
	sent []Message
	fail map[string]int // address -> failures still to simulate
}

// NewDevProvider returns a DevProvider that logs to log.
func NewDevProvider(log *slog.Logger) *DevProvider {
	return &DevProvider{log: log, fail: map[string]int{}}
}

// Send records m (or fails, when FailNext asked for it).
func (d *DevProvider) Send(ctx context.Context, m Message) (string, error) {
	d.mu.Lock()
	if d.fail[m.To] > 0 {
		d.fail[m.To]--
		d.mu.Unlock()
		return "", errors.New("dev provider: simulated failure")
	}
	d.sent = append(d.sent, m)
	n := len(d.sent)
	d.mu.Unlock()
	d.log.InfoContext(ctx, "dev message", "channel", m.Channel, "to", m.To, "subject", m.Subject, "body", m.Body)
	return fmt.Sprintf("dev-%d", n), nil
}

// Idempotent is false: the dev provider stands in for providers that are not.
func (d *DevProvider) Idempotent() bool { return false }

// FailNext makes the next n sends to address fail.
func (d *DevProvider) FailNext(address string, n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.fail[address] = n
}

// Sent returns the messages sent to address (all, when address is empty).
func (d *DevProvider) Sent(address string) []Message {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []Message
	for _, m := range d.sent {
		if address == "" || m.To == address {
			out = append(out, m)
		}
	}
	return out
}

// SMSProvider posts each message as JSON to an SMS gateway:
//
//	POST {URL}  Authorization: Bearer {Key}  Idempotency-Key: {send id}
//	{"to": "+8613812345678", "text": "...", "reference": "{send id}"}
//
// and expects a 2xx answer with {"id": "..."} (the gateway's message id). Gateways that
// deduplicate by Idempotency-Key or reference make retries safe; the provider says so.
type SMSProvider struct {
	URL    string
	Key    string
	Client *http.Client
}

// Send posts the message.
func (s *SMSProvider) Send(ctx context.Context, m Message) (string, error) {
	body, _ := json.Marshal(map[string]string{"to": m.To, "text": m.Body, "reference": m.Key})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", m.Key)
	if s.Key != "" {
		req.Header.Set("Authorization", "Bearer "+s.Key)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return "", fmt.Errorf("sms gateway: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("sms gateway: %s: %.200s", resp.Status, raw)
	}
	var out struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &out)
	return out.ID, nil
}

// Idempotent reports true: the gateway receives the send's id as Idempotency-Key and reference.
func (s *SMSProvider) Idempotent() bool { return true }

// SMTPProvider sends plain-text UTF-8 email with net/smtp (STARTTLS when the server offers
// it, implicit TLS for smtps://, PLAIN auth when the URL has a user). The Message-ID is
// derived from the send id, so a receiving system that deduplicates by it sees a retried
// message as the same one; SMTP itself has no idempotency, so the provider is not idempotent.
type SMTPProvider struct {
	addr, host string
	implicit   bool
	auth       smtp.Auth
	from       *mail.Address
}

// NewSMTPProvider parses smtp://user:pass@host:port or smtps://...
func NewSMTPProvider(rawURL, from string) (*SMTPProvider, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, errors.New("SMTP_URL must look like smtp://user:pass@host:587 or smtps://user:pass@host:465")
	}
	if from == "" {
		from = "noreply@" + u.Hostname()
	}
	f, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("SMTP_FROM: %w", err)
	}
	p := &SMTPProvider{host: u.Hostname(), implicit: u.Scheme == "smtps", from: f}
	port := u.Port()
	if port == "" {
		port = map[bool]string{true: "465", false: "587"}[p.implicit]
	}
	p.addr = net.JoinHostPort(p.host, port)
	if u.User != nil {
		pw, _ := u.User.Password()
		p.auth = smtp.PlainAuth("", u.User.Username(), pw, p.host)
	}
	return p, nil
}

// Send delivers one email.
func (p *SMTPProvider) Send(ctx context.Context, m Message) (string, error) {
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return "", fmt.Errorf("email address: %w", err)
	}
	msgID := "<" + m.Key + "@aftersales>"
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
		p.from.String(), to.String(), mime.QEncoding.Encode("utf-8", m.Subject), msgID, time.Now().UTC().Format(time.RFC1123Z))
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n"))
	b.WriteString("\r\n")

	d := net.Dialer{Timeout: 15 * time.Second}
	var conn net.Conn
	if p.implicit {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: &tls.Config{ServerName: p.host}}).DialContext(ctx, "tcp", p.addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", p.addr)
	}
	if err != nil {
		return "", fmt.Errorf("smtp dial: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	} else {
		_ = conn.SetDeadline(time.Now().Add(60 * time.Second))
	}
	c, err := smtp.NewClient(conn, p.host)
	if err != nil {
		conn.Close()
		return "", fmt.Errorf("smtp: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok && !p.implicit {
		if err := c.StartTLS(&tls.Config{ServerName: p.host}); err != nil {
			return "", fmt.Errorf("smtp starttls: %w", err)
		}
	}
	if p.auth != nil {
		if err := c.Auth(p.auth); err != nil {
			return "", fmt.Errorf("smtp auth: %w", err)
		}
	}
	if err := c.Mail(p.from.Address); err != nil {
		return "", fmt.Errorf("smtp MAIL: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return "", fmt.Errorf("smtp RCPT: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return "", fmt.Errorf("smtp DATA: %w", err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return "", fmt.Errorf("smtp write: %w", err)
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("smtp end of data: %w", err)
	}
	_ = c.Quit()
	return msgID, nil
}

// Idempotent is false: see the type's comment.
func (p *SMTPProvider) Idempotent() bool { return false }
