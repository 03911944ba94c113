package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"code.dny.dev/ssrf"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/notify"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Options tune delivery; zero values take the defaults.
type Options struct {
	// AllowPrivate lets endpoints resolve to loopback, private, link-local and other
	// non-public addresses. Off in production (no requests into the platform's own network);
	// on in development and tests (httptest servers listen on 127.0.0.1).
	AllowPrivate bool
	// Timeout bounds one attempt (connect, send, response). Default 10s.
	Timeout time.Duration
	// Resolver looks up endpoints' host names; nil is the system's.
	Resolver *net.Resolver
	// MaxAttempts per delivery. Default DefaultMaxAttempts (retries span more than 24h).
	MaxAttempts int
	// Backoff is the wait after failed attempt n (1-based). Default Backoff.
	Backoff func(attempt int) time.Duration
	// An endpoint is disabled when its deliveries have failed without a success for
	// DisableAfter (default 24h) and at least DisableMinFailures times in a row (default 10).
	DisableAfter       time.Duration
	DisableMinFailures int
	// Jobs inserts delivery jobs and events from job handlers; nil takes the running job's client.
	Jobs events.Inserter
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// DefaultMaxAttempts attempts are spread by Backoff over about 25 hours.
const DefaultMaxAttempts = 17

// Backoff is the default wait after failed attempt n: 30s doubling per attempt up to 3h,
// plus up to 10% jitter (never less, so the schedule spans at least 24h in total).
func Backoff(attempt int) time.Duration {
	d := minBackoff(attempt)
	return d + time.Duration(rand.Int64N(int64(d)/10+1))
}

func minBackoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := 30 * time.Second
	for i := 1; i < attempt && d < 3*time.Hour; i++ {
		d *= 2
	}
	return min(d, 3*time.Hour)
}

// Deliverer is the events.Consumer that fans events out to endpoints, and runs deliveries.
type Deliverer struct {
	DB   *tenants.DB
	Log  *slog.Logger
	opts Options
	http *http.Client
}

// New builds a Deliverer.
func New(d *tenants.DB, log *slog.Logger, o Options) *Deliverer {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.Backoff == nil {
		o.Backoff = Backoff
	}
	if o.DisableAfter == 0 {
		o.DisableAfter = 24 * time.Hour
	}
	if o.DisableMinFailures <= 0 {
		o.DisableMinFailures = 10
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Deliverer{DB: d, Log: log, opts: o, http: newClient(o.Timeout, o.AllowPrivate, o.Resolver)}
}

// errPrivate refuses connections to addresses that are not public.
var errPrivate = errors.New("webhooks: the endpoint resolves to a private or reserved address")

// newClient posts deliveries. Unless allowPrivate, its dialer refuses, at connection time
// (after DNS, on every address tried), any address Public refuses; redirects are not
// followed, so a public endpoint cannot bounce a delivery into the platform's network.
func newClient(timeout time.Duration, allowPrivate bool, resolver *net.Resolver) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, Resolver: resolver, Control: func(network, address string, _ syscall.RawConn) error {
		if allowPrivate {
			return nil
		}
		if err := guardian.Safe(network, address, nil); err != nil {
			return fmt.Errorf("%w: %w", errPrivate, err)
		}
		return nil
	}}
	tr := &http.Transport{Proxy: nil, DialContext: dialer.DialContext, TLSHandshakeTimeout: timeout,
		ResponseHeaderTimeout: timeout, MaxIdleConnsPerHost: 2, IdleConnTimeout: 30 * time.Second}
	return &http.Client{Timeout: timeout, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// guardian holds the addresses deliveries may not reach: code.dny.dev/ssrf's lists, taken
// from IANA's special-purpose registries (private, loopback, link-local, shared, benchmarking,
// reserved 240/4, "this network" 0/8, IETF 192.0.0/24, documentation, multicast; for IPv6
// everything outside global unicast 2000::/3, which takes in NAT64 64:ff9b::/96 and the
// IPv4-compatible ::/96, and inside it 6to4 2002::/16, Teredo and documentation), on any
// port, over TCP. It is read-only and safe for concurrent use.
var guardian = ssrf.New(ssrf.WithAnyPort())

// Public reports whether deliveries may reach a. IPv4-mapped IPv6 addresses are judged as
// the IPv4 address they carry. Where an endpoint may point is checked when it is
// registered (CheckDestination) and again on every connection, after DNS.
func Public(a netip.Addr) bool {
	return a.IsValid() && guardian.SafeAddr(a.Unmap()) == nil
}

// Name keys the deliverer's event deliveries.
func (d *Deliverer) Name() string { return "webhooks" }

// Wants every event: endpoints choose.
func (d *Deliverer) Wants(string) bool { return true }

// WantsIn says whether any of the tenant's enabled endpoints listens for the event type
// (events.TenantFilter): without one, the dispatch queues no delivery job.
func (d *Deliverer) WantsIn(ctx context.Context, tx *tenants.Tx, eventType string) (bool, error) {
	return tx.Q.WebhookEndpointSubscribed(ctx, tx, db.WebhookEndpointSubscribedParams{TenantID: tx.Scope.TenantID, EventType: eventType})
}

// DeliveryArgs asks for one delivery to be attempted.
type DeliveryArgs struct {
	TenantID   uuid.UUID `json:"tenant_id"`
	DeliveryID uuid.UUID `json:"delivery_id"`
}

// Kind names the job.
func (DeliveryArgs) Kind() string { return "webhook_delivery" }

// Queue is where deliveries run: their own workers, so slow receivers never hold up the
// default queue's SLA timers and notifications.
const Queue = "webhooks"

// Queues declares the delivery queue to the worker.
func (d *Deliverer) Queues() map[string]river.QueueConfig {
	return map[string]river.QueueConfig{Queue: {MaxWorkers: 10}}
}

// AddWorkers registers the delivery job.
func (d *Deliverer) AddWorkers(w *river.Workers) { river.AddWorker(w, &deliveryWorker{d: d}) }

func (d *Deliverer) inserter(ctx context.Context) (events.Inserter, error) {
	if d.opts.Jobs != nil {
		return d.opts.Jobs, nil
	}
	c, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return nil, fmt.Errorf("webhooks: no job client: %w", err)
	}
	return c, nil
}

// Body is what an endpoint receives.
type Body struct {
	ID        uuid.UUID       `json:"id" doc:"Event id: deduplicate on it (a delivery may arrive more than once)"`
	Type      string          `json:"type"`
	TenantID  uuid.UUID       `json:"tenant_id"`
	Subject   string          `json:"subject,omitempty"`
	SubjectID *uuid.UUID      `json:"subject_id,omitempty"`
	OutletID  *uuid.UUID      `json:"outlet_id,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

func bodyOf(ev events.Event) ([]byte, error) {
	b := Body{ID: ev.ID, Type: ev.Type, TenantID: ev.TenantID, Subject: ev.Subject, CreatedAt: ev.CreatedAt.UTC(), Data: ev.Data}
	if ev.SubjectID != uuid.Nil {
		b.SubjectID = &ev.SubjectID
	}
	if ev.OutletID != uuid.Nil {
		b.OutletID = &ev.OutletID
	}
	if len(b.Data) == 0 {
		b.Data = json.RawMessage("{}")
	}
	return json.Marshal(b)
}

// Handle creates the event's deliveries in a transaction of its own (HandleTx).
func (d *Deliverer) Handle(ctx context.Context, ev events.Event) error {
	return d.DB.Tx(ctx, tenants.Scope{TenantID: ev.TenantID, Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		return d.HandleTx(ctx, tx, ev)
	})
}

// HandleTx creates one delivery (and its job) per enabled endpoint subscribed to the event,
// in the event delivery's transaction (events.TxConsumer). Retried, it finds the
// deliveries (unique per endpoint and event) and queues nothing twice.
func (d *Deliverer) HandleTx(ctx context.Context, tx *tenants.Tx, ev events.Event) error {
	ins, err := d.inserter(ctx)
	if err != nil {
		return err
	}
	payload, err := bodyOf(ev)
	if err != nil {
		return err
	}
	eps, err := tx.Q.WebhookEndpointsFor(ctx, tx, db.WebhookEndpointsForParams{TenantID: tx.Scope.TenantID, EventType: ev.Type})
	if err != nil {
		return fmt.Errorf("endpoints for %s: %w", ev.Type, err)
	}
	for _, ep := range eps {
		del, err := tx.Q.InsertWebhookDelivery(ctx, tx, db.InsertWebhookDeliveryParams{TenantID: tx.Scope.TenantID,
			ID: platform.NewID(), EndpointID: ep.ID,
			EventID: ev.ID, EventType: ev.Type, Payload: payload})
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("delivery: %w", err)
		}
		if err := d.queue(ctx, tx, ins, del); err != nil {
			return err
		}
	}
	return nil
}

func (d *Deliverer) queue(ctx context.Context, tx *tenants.Tx, ins events.Inserter, del db.WebhookDelivery) error {
	_, err := tx.Insert(ctx, ins, DeliveryArgs{TenantID: tx.Scope.TenantID, DeliveryID: del.ID},
		&river.InsertOpts{MaxAttempts: d.opts.MaxAttempts, Queue: Queue})
	if err != nil {
		return fmt.Errorf("queue delivery: %w", err)
	}
	return nil
}

// DeliveryStatuses are the statuses of a delivery.
var DeliveryStatuses = []string{"pending", "succeeded", "failed", "cancelled"}

// Delivery is one delivery of an event to an endpoint.
type Delivery struct {
	ID            uuid.UUID  `json:"id"`
	EndpointID    uuid.UUID  `json:"endpoint_id"`
	EventID       uuid.UUID  `json:"event_id"`
	EventType     string     `json:"event_type"`
	RedeliveryOf  *uuid.UUID `json:"redelivery_of,omitempty"`
	Status        string     `json:"status"` // one of DeliveryStatuses
	Attempts      int32      `json:"attempts"`
	ResponseCode  *int32     `json:"response_code,omitempty"`
	LatencyMS     *int32     `json:"latency_ms,omitempty"`
	ResponseBody  string     `json:"response_body,omitempty" doc:"First 2 KB of the last response"`
	ErrorClass    string     `json:"error_class,omitempty" doc:"Why the last attempt failed: dns_failure, timeout, connection_refused, connection_error, tls_error, http_status (see response_code) or refused_address"`
	Error         string     `json:"error,omitempty" doc:"What went wrong, in a sentence of the product's (never the raw network error)"`
	LastAttemptAt *time.Time `json:"last_attempt_at,omitempty"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

func deliveryFromRow(r db.WebhookDelivery) Delivery {
	out := Delivery{ID: r.ID, EndpointID: r.EndpointID, EventID: r.EventID, EventType: r.EventType, Status: r.Status,
		Attempts: r.Attempts, ResponseCode: r.ResponseCode, LatencyMS: r.LatencyMs, ResponseBody: r.ResponseBody, Error: r.Error,
		ErrorClass:    r.ErrorClass,
		LastAttemptAt: r.LastAttemptAt, NextAttemptAt: r.NextAttemptAt, CreatedAt: r.CreatedAt}
	if r.RedeliveryOf.Valid {
		out.RedeliveryOf = &r.RedeliveryOf.UUID
	}
	return out
}

// GetDelivery returns one delivery.
func GetDelivery(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Delivery, error) {
	r, err := tx.Q.GetWebhookDelivery(ctx, tx, db.GetWebhookDeliveryParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Delivery{}, fault.DBError(err, "", "")
	}
	return deliveryFromRow(r), nil
}

// ListDeliveries lists an endpoint's deliveries, newest first, optionally of one status.
func ListDeliveries(ctx context.Context, tx *tenants.Tx, endpointID uuid.UUID, status string, after uuid.NullUUID, limit int32) ([]Delivery, error) {
	if _, err := Get(ctx, tx, endpointID); err != nil {
		return nil, err
	}
	var st *string
	if status != "" {
		st = &status
	}
	rows, err := tx.Q.ListWebhookDeliveries(ctx, tx, db.ListWebhookDeliveriesParams{TenantID: tx.Scope.TenantID,
		EndpointID: endpointID, After: after, Status: st, Lim: limit})
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	out := make([]Delivery, len(rows))
	for i, r := range rows {
		out[i] = deliveryFromRow(r)
	}
	return out, nil
}

// Redeliver sends a delivery's payload again as a new delivery (same event id, so the
// receiver can recognise it), queued in tx with ins.
func Redeliver(ctx context.Context, tx *tenants.Tx, ins events.Inserter, deliveryID uuid.UUID) (Delivery, error) {
	orig, err := tx.Q.GetWebhookDelivery(ctx, tx, db.GetWebhookDeliveryParams{TenantID: tx.Scope.TenantID, ID: deliveryID})
	if err != nil {
		return Delivery{}, fault.DBError(err, "", "")
	}
	del, err := tx.Q.InsertWebhookDelivery(ctx, tx, db.InsertWebhookDeliveryParams{TenantID: tx.Scope.TenantID,
		ID: platform.NewID(), EndpointID: orig.EndpointID,
		EventID: orig.EventID, EventType: orig.EventType, RedeliveryOf: uuid.NullUUID{UUID: orig.ID, Valid: true}, Payload: orig.Payload})
	if err != nil {
		return Delivery{}, fault.DBError(err, "", "")
	}
	if _, err := tx.Insert(ctx, ins, DeliveryArgs{TenantID: tx.Scope.TenantID, DeliveryID: del.ID},
		&river.InsertOpts{MaxAttempts: DefaultMaxAttempts, Queue: Queue}); err != nil {
		return Delivery{}, fmt.Errorf("queue redelivery: %w", err)
	}
	out := deliveryFromRow(del)
	return out, tx.Audit(ctx, "webhook_delivery.redeliver", "webhook_delivery", del.ID, nil, map[string]any{"redelivery_of": orig.ID})
}

// PingType is the event type of test deliveries.
const PingType = "webhook.ping"

// Ping queues a test delivery (type webhook.ping) to an endpoint, enabled or not.
func Ping(ctx context.Context, tx *tenants.Tx, ins events.Inserter, endpointID uuid.UUID) (Delivery, error) {
	if _, err := Get(ctx, tx, endpointID); err != nil {
		return Delivery{}, err
	}
	ev := events.Event{ID: platform.NewID(), TenantID: tx.Scope.TenantID, Type: PingType, Subject: "webhook_endpoint",
		SubjectID: endpointID, CreatedAt: time.Now(), Data: json.RawMessage(`{"ping":true}`)}
	payload, err := bodyOf(ev)
	if err != nil {
		return Delivery{}, err
	}
	del, err := tx.Q.InsertWebhookDelivery(ctx, tx, db.InsertWebhookDeliveryParams{TenantID: tx.Scope.TenantID,
		ID: platform.NewID(), EndpointID: endpointID,
		EventID: ev.ID, EventType: PingType, Payload: payload})
	if err != nil {
		return Delivery{}, fault.DBError(err, "", "")
	}
	if _, err := tx.Insert(ctx, ins, DeliveryArgs{TenantID: tx.Scope.TenantID, DeliveryID: del.ID},
		&river.InsertOpts{MaxAttempts: 3, Queue: Queue}); err != nil {
		return Delivery{}, fmt.Errorf("queue ping: %w", err)
	}
	return deliveryFromRow(del), nil
}

// deliveryWorker attempts one delivery. A delivery that is no longer pending (succeeded,
// failed, cancelled) is not sent again when its job is retried or rescued, and one whose
// attempt is in flight (claimed less than the timeout ago) makes a second run wait.
type deliveryWorker struct {
	river.WorkerDefaults[DeliveryArgs]
	d *Deliverer
}

// NextRetry spreads the attempts by the configured backoff.
func (w *deliveryWorker) NextRetry(job *river.Job[DeliveryArgs]) time.Time {
	return w.d.opts.Now().Add(w.d.opts.Backoff(job.Attempt))
}

// Timeout leaves room for the request and the bookkeeping around it.
func (w *deliveryWorker) Timeout(*river.Job[DeliveryArgs]) time.Duration {
	return w.d.opts.Timeout + 20*time.Second
}

// Work posts the delivery and records the outcome.
func (w *deliveryWorker) Work(ctx context.Context, job *river.Job[DeliveryArgs]) error {
	return w.d.attempt(ctx, job.Args, job.Attempt, job.MaxAttempts)
}

// Attempt runs one delivery attempt outside River (tests, tools): attempt of maxAttempts.
func (d *Deliverer) Attempt(ctx context.Context, tenantID, deliveryID uuid.UUID, attempt, maxAttempts int) error {
	return d.attempt(ctx, DeliveryArgs{TenantID: tenantID, DeliveryID: deliveryID}, attempt, maxAttempts)
}

// errRetry is returned for a failed attempt that will be retried.
var errRetry = errors.New("webhook delivery failed")

func (d *Deliverer) attempt(ctx context.Context, args DeliveryArgs, attempt, maxAttempts int) error {
	scope := tenants.Scope{TenantID: args.TenantID, Actor: tenants.SystemActor}
	var del db.WebhookDelivery
	var ep db.WebhookEndpoint
	var skip, cancelled bool
	var snooze time.Duration
	err := d.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		var err error
		if del, err = tx.Q.LockWebhookDelivery(ctx, tx, db.LockWebhookDeliveryParams{TenantID: tx.Scope.TenantID,
			ID: args.DeliveryID}); err != nil {
			return fault.DBError(err, "", "")
		}
		if del.Status != "pending" {
			skip = true
			return nil
		}
		if del.ClaimedAt != nil && time.Since(*del.ClaimedAt) < d.opts.Timeout+10*time.Second {
			// Another run of this delivery is posting right now (a rescued job): wait for it.
			snooze = d.opts.Timeout + 10*time.Second - time.Since(*del.ClaimedAt)
			return nil
		}
		if ep, err = tx.Q.GetWebhookEndpoint(ctx, tx, db.GetWebhookEndpointParams{TenantID: tx.Scope.TenantID,
			ID: del.EndpointID}); err != nil {
			return fault.DBError(err, "", "")
		}
		if !ep.Enabled && del.EventType != PingType {
			cancelled = true
			return tx.Q.CancelWebhookDelivery(ctx, tx, db.CancelWebhookDeliveryParams{TenantID: tx.Scope.TenantID,
				ID: del.ID, Error: "the endpoint is disabled"})
		}
		return tx.Q.ClaimWebhookDelivery(ctx, tx, db.ClaimWebhookDeliveryParams{TenantID: tx.Scope.TenantID, ID: del.ID})
	})
	if errors.Is(err, fault.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("delivery %s is gone", args.DeliveryID))
	}
	if err != nil || skip {
		return err
	}
	if snooze > 0 {
		return river.JobSnooze(snooze)
	}
	if cancelled {
		return river.JobCancel(errors.New("the endpoint is disabled"))
	}

	now := d.opts.Now()
	start := time.Now()
	code, respBody, postErr := d.post(ctx, ep, del, now)
	latency := int32(time.Since(start) / time.Millisecond)
	ok := postErr == nil && code >= 200 && code < 300
	final := attempt >= maxAttempts
	rec := db.RecordWebhookAttemptParams{TenantID: scope.TenantID, ID: del.ID, Status: "succeeded", LatencyMs: &latency,
		ResponseBody: trimBody(respBody, 2048)}
	if code > 0 {
		c := int32(code)
		rec.ResponseCode = &c
	}
	if !ok {
		rec.Status = "pending"
		switch {
		case postErr != nil:
			// The tenant sees the class and a sentence of ours; the raw error, which can name
			// the platform's resolver and addresses, goes to the server's log only.
			rec.ErrorClass, rec.Error = classify(postErr, d.opts.Timeout)
			d.Log.WarnContext(ctx, "webhook delivery attempt failed", "tenant_id", scope.TenantID, "delivery", del.ID,
				"endpoint", ep.ID, "attempt", attempt, "class", rec.ErrorClass, "err", postErr)
		case code >= 300 && code < 400:
			rec.ErrorClass, rec.Error = ClassHTTPStatus, fmt.Sprintf("HTTP %d: redirects are not followed; register the final URL", code)
		default:
			rec.ErrorClass, rec.Error = ClassHTTPStatus, fmt.Sprintf("HTTP %d", code)
		}
		if final {
			rec.Status = "failed"
		} else {
			rec.NextAttemptAt = ptr(now.Add(minBackoff(attempt)))
		}
	}
	var disabled bool
	err = d.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		if _, err := tx.Q.RecordWebhookAttempt(ctx, tx, rec); err != nil {
			return fmt.Errorf("record attempt: %w", err)
		}
		if del.EventType == PingType {
			return nil // a test delivery says nothing about the endpoint's health
		}
		if ok {
			return tx.Q.WebhookEndpointSucceeded(ctx, tx, db.WebhookEndpointSucceededParams{TenantID: tx.Scope.TenantID, ID: ep.ID})
		}
		after, err := tx.Q.WebhookEndpointFailed(ctx, tx, db.WebhookEndpointFailedParams{TenantID: tx.Scope.TenantID, ID: ep.ID, Now: time.Now()})
		if err != nil {
			return fmt.Errorf("count failure: %w", err)
		}
		if after.Enabled && int(after.ConsecutiveFailures) >= d.opts.DisableMinFailures && after.FailingSince != nil &&
			!now.Before(after.FailingSince.Add(d.opts.DisableAfter)) {
			disabled = true
			if err := d.disable(ctx, tx, after); err != nil {
				return err
			}
			return tx.Q.CancelWebhookDelivery(ctx, tx, db.CancelWebhookDeliveryParams{TenantID: tx.Scope.TenantID, ID: del.ID,
				Error: rec.Error + "; the endpoint was disabled after sustained failures"})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if ok || final {
		return nil
	}
	if disabled {
		return river.JobCancel(errors.New("the endpoint was disabled after sustained failures"))
	}
	return fmt.Errorf("%w: %s", errRetry, rec.Error)
}

func (d *Deliverer) disable(ctx context.Context, tx *tenants.Tx, ep db.WebhookEndpoint) error {
	reason := fmt.Sprintf("%d consecutive failed deliveries since %s", ep.ConsecutiveFailures,
		ep.FailingSince.UTC().Format(time.RFC3339))
	n, err := tx.Q.DisableWebhookEndpoint(ctx, tx, db.DisableWebhookEndpointParams{TenantID: tx.Scope.TenantID, ID: ep.ID, Reason: reason})
	if err != nil || n == 0 {
		return err
	}
	ins, err := d.inserter(ctx)
	if err != nil {
		return err
	}
	if err := tx.Audit(ctx, "webhook_endpoint.auto_disable", "webhook_endpoint", ep.ID, nil, map[string]string{"reason": reason}); err != nil {
		return err
	}
	d.Log.WarnContext(ctx, "webhook endpoint disabled", "tenant_id", tx.Scope.TenantID, "endpoint", ep.ID, "reason", reason)
	_, err = events.Emit(ctx, tx, ins, notify.WebhookDisabled, "webhook_endpoint", ep.ID, uuid.Nil, notify.Payload{
		Recipients: []notify.Recipient{notify.Role("tenant_admin", uuid.Nil)},
		Vars:       map[string]string{"endpoint_url": ep.Url, "reason": reason},
		Urgent:     true,
	})
	return err
}

func (d *Deliverer) post(ctx context.Context, ep db.WebhookEndpoint, del db.WebhookDelivery, now time.Time) (int, string, error) {
	ctx, cancel := context.WithTimeout(ctx, d.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.Url, bytes.NewReader(del.Payload))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "aftersales-webhooks/1")
	req.Header.Set("Aftersales-Event", del.EventType)
	req.Header.Set("Aftersales-Event-ID", del.EventID.String())
	req.Header.Set("Aftersales-Delivery", del.ID.String())
	req.Header.Set(SignatureHeader, Sign(now, del.Payload, secrets(ep, now)...))
	resp, err := d.http.Do(req)
	if err != nil {
		if errors.Is(err, errPrivate) {
			return 0, "", errPrivate
		}
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b), nil
}
