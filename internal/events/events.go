// Package events records what happened to a tenant's data (an order was created, an SLA
// target was breached, a plan was paid) and hands each event to the parts of the product
// that react to it: notifications, tenant webhooks, billing compensation.
//
// An event is a row written in the same transaction as the change it describes, together
// with a River job that dispatches it: if the change commits, the event is delivered; if it
// rolls back, nothing was said. Dispatch fans the event out as one job per interested
// consumer, so a failing webhook endpoint never delays or repeats an SMS. Consumers must be
// idempotent per (event, consumer): River retries a job that failed.
package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Event is one fact about a tenant's data. Type is dotted lower case ("order.created",
// "sla.breached"); Subject names the kind of thing it is about ("service_order") and
// SubjectID which one. Data is any JSON-encodable payload the consumers read.
type Event struct {
	ID        uuid.UUID       `json:"id"`
	TenantID  uuid.UUID       `json:"tenant_id"`
	Type      string          `json:"type"`
	Subject   string          `json:"subject"`
	SubjectID uuid.UUID       `json:"subject_id"`
	OutletID  uuid.UUID       `json:"outlet_id"`
	Data      json.RawMessage `json:"data"`
	CreatedAt time.Time       `json:"created_at"`
}

// Inserter inserts jobs in a transaction; *river.Client[pgx.Tx] is one.
type Inserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	InsertManyTx(ctx context.Context, tx pgx.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// Emit records ev in tx and queues its dispatch in the same transaction (inserted at
// commit with the transaction's other jobs, tenants.Tx.Job). It returns the event's id. ID
// and CreatedAt are set here; TenantID comes from the transaction's scope.
func Emit(ctx context.Context, tx *tenants.Tx, jobs Inserter, typ, subject string, subjectID, outletID uuid.UUID, data any) (uuid.UUID, error) {
	payload, err := json.Marshal(data)
	if err != nil {
		return uuid.Nil, fmt.Errorf("event %s payload: %w", typ, err)
	}
	if data == nil {
		payload = []byte("{}")
	}
	id := platform.NewID()
	err = tx.Q.InsertEvent(ctx, tx, db.InsertEventParams{TenantID: tx.Scope.TenantID,
		ID: id, Type: typ, Subject: subject,
		SubjectID: nullID(subjectID), OutletID: nullID(outletID), Payload: payload,
	})
	if err != nil {
		return uuid.Nil, fmt.Errorf("record event %s: %w", typ, err)
	}
	if jobs == nil {
		return id, errors.New("events: no job inserter to dispatch " + typ)
	}
	tx.Job(jobs, "", river.InsertManyParams{Args: DispatchArgs{TenantID: tx.Scope.TenantID, EventID: id}})
	return id, nil
}

// Load reads a stored event in a transaction of its tenant.
func Load(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Event, error) {
	r, err := tx.Q.GetEvent(ctx, tx, db.GetEventParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Event{}, fault.ErrNotFound
		}
		return Event{}, fmt.Errorf("load event %s: %w", id, err)
	}
	return fromRow(r), nil
}

// ForSubject lists the events about one subject, oldest first.
func ForSubject(ctx context.Context, tx *tenants.Tx, subjectID uuid.UUID) ([]Event, error) {
	rows, err := tx.Q.ListEventsBySubject(ctx, tx, db.ListEventsBySubjectParams{TenantID: tx.Scope.TenantID, SubjectID: nullID(subjectID)})
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = fromRow(r)
	}
	return out, nil
}

func fromRow(r db.Event) Event {
	return Event{ID: r.ID, TenantID: r.TenantID, Type: r.Type, Subject: r.Subject,
		SubjectID: r.SubjectID.UUID, OutletID: r.OutletID.UUID, Data: r.Payload, CreatedAt: r.CreatedAt}
}

func nullID(id uuid.UUID) uuid.NullUUID { return uuid.NullUUID{UUID: id, Valid: id != uuid.Nil} }

// Consumer reacts to events. Name is stable (it keys deliveries); Wants filters by type.
// Handle runs in a job and may be retried: it must be idempotent for the same event.
type Consumer interface {
	Name() string
	Wants(eventType string) bool
	Handle(ctx context.Context, ev Event) error
}

// A TenantFilter is a consumer whose interest in an event depends on the tenant's own
// setup, not only on its type: webhooks want an event only when one of the tenant's
// endpoints listens for it. The dispatch asks it in its own transaction and queues no
// delivery the consumer would find nothing to do for, so a tenant without endpoints costs
// no webhook job per event. Handle still decides for itself (the setup may change between
// the dispatch and the delivery).
type TenantFilter interface {
	WantsIn(ctx context.Context, tx *tenants.Tx, eventType string) (bool, error)
}

// A TxConsumer does all its work on an event in one transaction of the event's tenant, as
// the system: the delivery then reads the event and hands it over in that same
// transaction, one transaction per delivery instead of two (Handle opening its own). The
// bus calls HandleTx, not Handle; Handle stays for callers outside a delivery.
type TxConsumer interface {
	HandleTx(ctx context.Context, tx *tenants.Tx, ev Event) error
}

// DispatchArgs asks for events to be fanned out to their consumers: one (EventID, what Emit
// queues) or the several one transaction recorded together (EventIDs, what EmitMany
// queues).
type DispatchArgs struct {
	TenantID uuid.UUID   `json:"tenant_id"`
	EventID  uuid.UUID   `json:"event_id,omitzero"`
	EventIDs []uuid.UUID `json:"event_ids,omitempty"`
}

// Kind names the job.
func (DispatchArgs) Kind() string { return "event_dispatch" }

// DeliverArgs asks for one event to be handed to one consumer.
type DeliverArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	EventID  uuid.UUID `json:"event_id"`
	Consumer string    `json:"consumer"`
}

// Kind names the job.
func (DeliverArgs) Kind() string { return "event_deliver" }

// InsertOpts makes a delivery unique per event and consumer while it is pending or running,
// so a retried dispatch does not queue it twice.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Bus holds the consumers and runs the two jobs. Build one per worker process.
type Bus struct {
	DB        *tenants.DB
	consumers map[string]Consumer
	order     []string
}

// NewBus builds a bus over the given consumers; names must be unique.
func NewBus(d *tenants.DB, consumers ...Consumer) (*Bus, error) {
	b := &Bus{DB: d, consumers: map[string]Consumer{}}
	for _, c := range consumers {
		if _, dup := b.consumers[c.Name()]; dup {
			return nil, fmt.Errorf("events: consumer %q registered twice", c.Name())
		}
		b.consumers[c.Name()] = c
		b.order = append(b.order, c.Name())
	}
	return b, nil
}

// AddWorkers registers the dispatch and delivery workers.
func (b *Bus) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &dispatchWorker{bus: b})
	river.AddWorker(w, &deliverWorker{bus: b})
}

type dispatchWorker struct {
	river.WorkerDefaults[DispatchArgs]
	bus *Bus
}

// inlineMax is the most events a dispatch hands to TxConsumers itself; a larger batch (an
// import's) gets a delivery job per event and consumer, which the workers run in parallel.
const inlineMax = 16

// Work hands each event to the consumers that want it: a TxConsumer in the dispatch's own
// transaction (a savepoint each), the others, and a TxConsumer that failed there, through a
// delivery job of their own. The usual event so costs one job and one transaction, whatever
// number of consumers take it; the delivery jobs keep a failing consumer from holding up
// the rest and retry it alone. Events that are gone are skipped; a dispatch whose events are
// all gone is cancelled.
func (w *dispatchWorker) Work(ctx context.Context, job *river.Job[DispatchArgs]) error {
	client := river.ClientFromContext[pgx.Tx](ctx)
	ids := job.Args.EventIDs
	if job.Args.EventID != uuid.Nil {
		ids = append([]uuid.UUID{job.Args.EventID}, ids...)
	}
	return w.bus.DB.Tx(ctx, tenants.Scope{TenantID: job.Args.TenantID, Actor: tenants.SystemActor}, func(tx *tenants.Tx) error {
		var evs []Event
		if len(ids) == 1 {
			ev, err := Load(ctx, tx, ids[0])
			if err != nil && !errors.Is(err, fault.ErrNotFound) {
				return err
			}
			if err == nil {
				evs = append(evs, ev)
			}
		} else {
			rows, err := tx.Q.GetEvents(ctx, tx, db.GetEventsParams{TenantID: tx.Scope.TenantID, Ids: ids})
			if err != nil {
				return fmt.Errorf("load %d events: %w", len(ids), err)
			}
			for _, r := range rows {
				evs = append(evs, fromRow(r))
			}
		}
		if len(evs) == 0 {
			return river.JobCancel(fmt.Errorf("events %v are gone", ids))
		}
		var params []river.InsertManyParams
		wanted := map[[2]string]bool{} // the tenant filters' answers by consumer and type
		for _, ev := range evs {
			for _, name := range w.bus.order {
				c := w.bus.consumers[name]
				if !c.Wants(ev.Type) {
					continue
				}
				if f, ok := c.(TenantFilter); ok {
					key := [2]string{name, ev.Type}
					want, asked := wanted[key]
					if !asked {
						var err error
						if want, err = f.WantsIn(ctx, tx, ev.Type); err != nil {
							return fmt.Errorf("%s: wants %s: %w", name, ev.Type, err)
						}
						wanted[key] = want
					}
					if !want {
						continue
					}
				}
				if tc, ok := c.(TxConsumer); ok && len(evs) <= inlineMax {
					// Handled here, in a savepoint of the dispatch: no job of its own. A failure
					// undoes only this consumer's work, which then gets a delivery of its own,
					// retried with backoff as any other.
					err := tx.Savepoint(ctx, func(stx *tenants.Tx) error { return tc.HandleTx(ctx, stx, ev) })
					if err == nil {
						continue
					}
					if ctx.Err() != nil {
						return ctx.Err()
					}
				}
				params = append(params, river.InsertManyParams{Args: DeliverArgs{TenantID: ev.TenantID, EventID: ev.ID, Consumer: name}})
			}
		}
		if len(params) == 0 {
			return nil
		}
		if _, err := tx.InsertMany(ctx, client, params); err != nil {
			return fmt.Errorf("queue deliveries of %d events: %w", len(evs), err)
		}
		return nil
	})
}

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	bus *Bus
}

// Work hands the event to its consumer.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	c, ok := w.bus.consumers[job.Args.Consumer]
	if !ok {
		return river.JobCancel(fmt.Errorf("no consumer %q", job.Args.Consumer))
	}
	scope := tenants.Scope{TenantID: job.Args.TenantID, Actor: tenants.SystemActor}
	var ev Event
	handled := false
	err := w.bus.DB.Tx(ctx, scope, func(tx *tenants.Tx) error {
		var err error
		if ev, err = Load(ctx, tx, job.Args.EventID); err != nil {
			return err
		}
		if tc, ok := c.(TxConsumer); ok {
			handled = true
			if err := tc.HandleTx(ctx, tx, ev); err != nil {
				return fmt.Errorf("%s handling %s: %w", c.Name(), ev.Type, err)
			}
		}
		return nil
	})
	if errors.Is(err, fault.ErrNotFound) && ev.ID == uuid.Nil {
		return river.JobCancel(fmt.Errorf("event %s is gone", job.Args.EventID))
	}
	if err != nil || handled {
		return err
	}
	if err := c.Handle(ctx, ev); err != nil {
		return fmt.Errorf("%s handling %s: %w", c.Name(), ev.Type, err)
	}
	return nil
}
