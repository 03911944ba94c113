package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Notifier is the events.Consumer that turns events into sends, and runs the send jobs.
type Notifier struct {
	DB        *tenants.DB
	Providers Providers
	Log       *slog.Logger
	// Jobs inserts send jobs; nil takes the River client of the running job (the normal case).
	Jobs events.Inserter
	// Now is the clock (quiet hours); nil is time.Now.
	Now func() time.Time
	// Lease is how long a claimed send is presumed to be in its provider call; a send still
	// claimed after it was interrupted (the worker died). Default one minute.
	Lease time.Duration
}

// New builds a Notifier.
func New(d *tenants.DB, log *slog.Logger, p Providers) *Notifier {
	return &Notifier{DB: d, Providers: p, Log: log}
}

// Name keys the notifier's deliveries.
func (n *Notifier) Name() string { return "notify" }

// Wants every event: events without recipients cost one read and send nothing.
func (n *Notifier) Wants(string) bool { return true }

// AddWorkers registers the send job (jobs.NewClient calls it for consumers that have one).
func (n *Notifier) AddWorkers(w *river.Workers) { river.AddWorker(w, &sendWorker{n: n}) }

func (n *Notifier) now() time.Time {
	if n.Now != nil {
		return n.Now()
	}
	return time.Now()
}

// SendArgs asks for one logged send to be delivered.
type SendArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	SendID   uuid.UUID `json:"send_id"`
}

// Kind names the job.
func (SendArgs) Kind() string { return "notify_send" }

// InsertOpts has a send attempted up to 8 times (River's backoff: about 1.3 hours in all).
func (SendArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 8, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// target is one resolved recipient.
type target struct {
	kind       string
	key        string // stable per recipient: "customer:<id>" or "user:<id>"
	customerID uuid.NullUUID
	userID     uuid.NullUUID
	consumerID uuid.NullUUID
	phone      string
	email      string
}

func (t target) address(channel string) string {
	switch channel {
	case ChannelSMS:
		return t.phone
	case ChannelEmail:
		return t.email
	case ChannelInApp:
		if t.userID.Valid {
			return "user:" + t.userID.UUID.String()
		}
		if t.consumerID.Valid {
			return "consumer:" + t.consumerID.UUID.String()
		}
	}
	return ""
}

// Handle creates the event's sends in a transaction of its own (HandleTx).
func (n *Notifier) Handle(ctx context.Context, ev events.Event) error {
	return n.DB.Tx(ctx, tenants.Scope{TenantID: ev.TenantID, Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		return n.HandleTx(ctx, tx, ev)
	})
}

// HandleTx creates the event's sends: one row per (recipient, channel) that has an address
// and a template, and a job for each queued one, in the delivery's transaction
// (events.TxConsumer). Retried, it finds the rows (unique per event, recipient and channel)
// and queues nothing twice.
func (n *Notifier) HandleTx(ctx context.Context, tx *tenants.Tx, ev events.Event) error {
	p, err := ParsePayload(ev.Data)
	if err != nil {
		n.Log.WarnContext(ctx, "event with an unreadable notification payload", "event", ev.ID, "type", ev.Type, "err", err)
		return nil
	}
	if len(p.Recipients) == 0 {
		return nil
	}
	inserter := n.Jobs
	if inserter == nil {
		c, err := river.ClientFromContextSafely[pgx.Tx](ctx)
		if err != nil {
			return fmt.Errorf("notify: no job client: %w", err)
		}
		inserter = c
	}
	tn, err := tenants.GetTenant(ctx, tx)
	if err != nil {
		return fmt.Errorf("tenant of event: %w", err)
	}
	settings, err := GetQuietHours(ctx, tx)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(tn.Timezone)
	if err != nil {
		loc = time.UTC
	}
	now := n.now()
	later := now
	if !p.Urgent {
		later = QuietUntil(now, loc, settings.QuietStart, settings.QuietEnd)
	}
	locale := pickLocale(p.Locale, tn.Locale)
	vars := map[string]string{"tenant_name": tn.Name}
	for k, v := range p.Vars {
		vars[k] = v
	}
	targets, err := resolve(ctx, tx, p.Recipients)
	if err != nil {
		return err
	}
	for _, t := range targets {
		var prefs Preferences
		if t.customerID.Valid {
			if prefs, err = preferences(ctx, tx, t.customerID.UUID); err != nil {
				return err
			}
		}
		for _, ch := range Channels {
			if len(p.Channels) > 0 && !slices.Contains(p.Channels, ch) {
				continue
			}
			addr := t.address(ch)
			if addr == "" {
				continue
			}
			tpl, found, err := Effective(ctx, tx, ev.Type, ch, locale)
			if err != nil {
				return err
			}
			if !found {
				continue
			}
			row := db.InsertNotificationSendParams{TenantID: tx.Scope.TenantID,
				ID: platform.NewID(), EventID: ev.ID, EventType: ev.Type,
				SubjectID: nullID(ev.SubjectID), Channel: ch, RecipientKey: t.key, RecipientKind: t.kind,
				CustomerID: t.customerID, UserID: t.userID, ConsumerID: t.consumerID, Address: addr, Locale: locale,
				Status: "queued", ScheduledAt: now}
			r, rerr := Render(tpl.Subject, tpl.Body, vars)
			switch {
			case prefs.Suppresses(ch, ev.Type):
				row.Status, row.Error = "suppressed", "the customer opted out of "+ch+" for "+Class(ev.Type)+" messages"
			case rerr != nil:
				row.Status, row.Error = "failed", rerr.Error()
			default:
				row.Subject, row.Body = r.Subject, r.Body
				if ch != ChannelInApp {
					row.ScheduledAt = later
				}
			}
			send, err := tx.Q.InsertNotificationSend(ctx, tx, row)
			if errors.Is(err, pgx.ErrNoRows) {
				continue // created by an earlier attempt of this handling
			}
			if err != nil {
				return fmt.Errorf("log send: %w", err)
			}
			if send.Status != "queued" {
				continue
			}
			if ch == ChannelInApp {
				// In-app delivery is a row in the same transaction: exactly once.
				if err := deliverInApp(ctx, tx, send); err != nil {
					return err
				}
				continue
			}
			opts := SendArgs{}.InsertOpts()
			if send.ScheduledAt.After(now) {
				opts.ScheduledAt = send.ScheduledAt
			}
			if _, err := tx.Insert(ctx, inserter, SendArgs{TenantID: ev.TenantID, SendID: send.ID}, &opts); err != nil {
				return fmt.Errorf("queue send: %w", err)
			}
		}
	}
	return nil
}

func pickLocale(asked, tenant string) string {
	for _, l := range []string{asked, tenant} {
		if slices.Contains(Locales, l) {
			return l
		}
		if len(l) >= 2 && l[:2] == "en" {
			return "en"
		}
		if len(l) >= 2 && l[:2] == "zh" {
			return "zh-CN"
		}
	}
	return "zh-CN"
}

// resolve turns recipients into targets with their addresses, each person once.
func resolve(ctx context.Context, tx *tenants.Tx, rs []Recipient) ([]target, error) {
	var out []target
	seen := map[string]bool{}
	add := func(t target) {
		if !seen[t.key] {
			seen[t.key] = true
			out = append(out, t)
		}
	}
	members := func(p db.MemberContactsParams) error {
		p.TenantID = tx.Scope.TenantID
		rows, err := tx.Q.MemberContacts(ctx, tx, p)
		if err != nil {
			return fmt.Errorf("recipients: %w", err)
		}
		for _, r := range rows {
			add(target{kind: RecipientUser, key: "user:" + r.ID.String(), userID: uuid.NullUUID{UUID: r.ID, Valid: true},
				email: r.Email, phone: r.Phone})
		}
		return nil
	}
	for _, r := range rs {
		switch r.Kind {
		case RecipientCustomer:
			if r.CustomerID == nil {
				continue
			}
			c, err := tx.Q.CustomerContact(ctx, tx, db.CustomerContactParams{TenantID: tx.Scope.TenantID, ID: *r.CustomerID})
			if errors.Is(err, pgx.ErrNoRows) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("recipient customer: %w", err)
			}
			add(target{kind: RecipientCustomer, key: "customer:" + c.ID.String(), customerID: uuid.NullUUID{UUID: c.ID, Valid: true},
				consumerID: c.ConsumerID, phone: c.Phone, email: c.Email})
		case RecipientUser:
			if r.UserID == nil {
				continue
			}
			if err := members(db.MemberContactsParams{UserID: uuid.NullUUID{UUID: *r.UserID, Valid: true}}); err != nil {
				return nil, err
			}
		case RecipientRole:
			if r.Role == "" {
				continue
			}
			p := db.MemberContactsParams{Role: &r.Role}
			if r.OutletID != nil {
				p.OutletID = uuid.NullUUID{UUID: *r.OutletID, Valid: true}
			}
			if err := members(p); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func nullID(id uuid.UUID) uuid.NullUUID { return uuid.NullUUID{UUID: id, Valid: id != uuid.Nil} }

func deliverInApp(ctx context.Context, tx *tenants.Tx, s db.NotificationSend) error {
	if err := tx.Q.InsertInboxMessage(ctx, tx, db.InsertInboxMessageParams{TenantID: tx.Scope.TenantID, ID: platform.NewID(), SendID: s.ID,
		UserID: s.UserID, ConsumerID: s.ConsumerID, EventType: s.EventType, SubjectID: s.SubjectID,
		Title: s.Subject, Body: s.Body}); err != nil {
		return fmt.Errorf("in-app message: %w", err)
	}
	if _, err := tx.Q.ClaimNotificationSend(ctx, tx, db.ClaimNotificationSendParams{TenantID: tx.Scope.TenantID, ID: s.ID}); err != nil {
		return fmt.Errorf("in-app message: %w", err)
	}
	_, err := tx.Q.FinishNotificationSend(ctx, tx, db.FinishNotificationSendParams{TenantID: tx.Scope.TenantID, ID: s.ID, Status: "sent", Now: time.Now()})
	return err
}

// sendWorker delivers one send. The state machine of a send row:
//
//	queued --claim (commit)--> sending --provider ok--> sent
//	                              |----provider error--> queued (retry) | failed (last attempt)
//
// The claim commits before the provider is called, so a retry of the job sees what the
// previous attempt did: sent/failed/suppressed rows are done (never sent twice); a row still
// "sending" after the lease means the attempt died between the provider call and the
// commit, and its outcome is unknown. Then an idempotent provider (it deduplicates by the
// send id) is simply called again; for one that is not (SMTP, dev) the send is marked failed
// with "outcome unknown" instead of risking a duplicate: at most once, visible in the log.
type sendWorker struct {
	river.WorkerDefaults[SendArgs]
	n *Notifier
}

// errInterrupted is the error recorded on a send whose outcome is unknown.
const errInterrupted = "interrupted during the provider call; outcome unknown, not resent to avoid a duplicate"

func (w *sendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	return w.n.Deliver(ctx, job.Args.TenantID, job.Args.SendID, job.Attempt, job.MaxAttempts)
}

// Deliver runs attempt (of maxAttempts) of one send, as its job does; exported for tests
// and tools. A nil error with nothing sent means the send was already done.
func (n *Notifier) Deliver(ctx context.Context, tenantID, sendID uuid.UUID, attempt, maxAttempts int) error {
	job := struct {
		Args                 SendArgs
		Attempt, MaxAttempts int
	}{SendArgs{TenantID: tenantID, SendID: sendID}, attempt, maxAttempts}
	lease := n.Lease
	if lease <= 0 {
		lease = time.Minute
	}
	scope := tenants.Scope{TenantID: job.Args.TenantID, Actor: tenants.SystemActor}
	var send db.NotificationSend
	var provider Provider
	var snooze time.Duration
	err := n.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		s, err := tx.Q.LockNotificationSend(ctx, tx, db.LockNotificationSendParams{TenantID: tx.Scope.TenantID, ID: job.Args.SendID})
		if err != nil {
			return fault.DBError(err, "", "")
		}
		provider = n.Providers.of(s.Channel)
		switch s.Status {
		case "sent", "failed", "suppressed":
			return nil
		case "sending":
			if s.ClaimedAt != nil && n.now().Sub(*s.ClaimedAt) < lease {
				snooze = lease - n.now().Sub(*s.ClaimedAt) + time.Second
				return nil
			}
			if provider == nil || !provider.Idempotent() {
				_, err := tx.Q.FinishNotificationSend(ctx, tx, db.FinishNotificationSendParams{TenantID: tx.Scope.TenantID,
					ID: s.ID, Status: "failed", Error: errInterrupted, Now: time.Now()})
				return err
			}
		}
		if provider == nil {
			_, err := tx.Q.FinishNotificationSend(ctx, tx, db.FinishNotificationSendParams{TenantID: tx.Scope.TenantID,
				ID: s.ID, Status: "failed", Now: time.Now(),
				Error: "no provider for channel " + s.Channel})
			return err
		}
		send, err = tx.Q.ClaimNotificationSend(ctx, tx, db.ClaimNotificationSendParams{TenantID: tx.Scope.TenantID, ID: s.ID})
		return err
	})
	if errors.Is(err, fault.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("send %s is gone", job.Args.SendID))
	}
	if err != nil {
		return err
	}
	if snooze > 0 {
		return river.JobSnooze(snooze)
	}
	if send.Status != "sending" {
		return nil // nothing claimed: already done
	}
	msgID, sendErr := provider.Send(ctx, Message{Channel: send.Channel, To: send.Address, Subject: send.Subject,
		Body: send.Body, Key: send.ID.String()})
	fin := db.FinishNotificationSendParams{TenantID: scope.TenantID, ID: send.ID, Status: "sent", ProviderMessageID: msgID}
	if sendErr != nil {
		fin.Status, fin.Error = "queued", truncate(sendErr.Error(), 1000)
		if job.Attempt >= job.MaxAttempts {
			fin.Status = "failed"
		}
	}
	if err := n.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		fin.Now = time.Now()
		_, err := tx.Q.FinishNotificationSend(ctx, tx, fin)
		return err
	}); err != nil {
		return fmt.Errorf("record send %s: %w", send.ID, err)
	}
	if sendErr != nil {
		return fmt.Errorf("send %s via %s: %w", send.ID, send.Channel, sendErr)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n]
}
