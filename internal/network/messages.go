package network

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Message kinds. Each has one handler on the receiving side (Service.handlers).
const (
	KindAgreementProposed  = "agreement.proposed"
	KindAgreementAccepted  = "agreement.accepted"
	KindAgreementRejected  = "agreement.rejected"
	KindAgreementSuspended = "agreement.suspended"
	KindJobSent            = "job.sent"
	KindJobUpdated         = "job.updated"
)

// actor is who acts when the network applies a partner's message in a tenant.
var actor = tenants.Actor{Kind: "system", Label: "partner network"}

type proposedBody struct {
	Role    string `json:"role"` // the receiver's role
	Terms   Terms  `json:"terms"`
	Version int    `json:"version"`
}

type answerBody struct {
	Version int    `json:"version,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// DeliverArgs asks for one outbox message of a tenant to be delivered to its receiver.
type DeliverArgs struct {
	TenantID  uuid.UUID `json:"tenant_id"`
	MessageID uuid.UUID `json:"message_id"`
}

// Kind names the job.
func (DeliverArgs) Kind() string { return "network_deliver" }

// send writes a message to the partner of agreement a into the tenant's outbox, with the
// agreement's next sequence number, and queues its delivery, all in tx: the message leaves
// if and only if the change it reports commits.
func (s *Service) send(ctx context.Context, tx *tenants.Tx, a db.PartnerAgreement, kind string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode %s: %w", kind, err)
	}
	seq, err := tx.Q.NextOutSeq(ctx, tx, db.NextOutSeqParams{TenantID: tx.Scope.TenantID, ID: a.ID})
	if err != nil {
		return fmt.Errorf("sequence of %s: %w", kind, err)
	}
	id := platform.NewID()
	if err := tx.Q.InsertOutbox(ctx, tx, db.InsertOutboxParams{TenantID: tx.Scope.TenantID, ID: id, AgreementID: a.ID,
		ReceiverTenantID: a.PartnerTenantID, Seq: seq, Kind: kind, Body: b}); err != nil {
		return fmt.Errorf("write %s to the outbox: %w", kind, err)
	}
	if s.Jobs != nil {
		args := DeliverArgs{TenantID: tx.Scope.TenantID, MessageID: id}
		tx.Job(s.Jobs, "", river.InsertManyParams{Args: args})
		tx.Job(s.Jobs, "", river.InsertManyParams{Args: args, InsertOpts: &river.InsertOpts{ScheduledAt: time.Now().Add(RedeliverAfter)}})
	}
	return nil
}

// RedeliverAfter is when a message's second delivery job runs, whatever became of the
// first: it finds the message delivered and stops (one read), or delivers it. It is the
// message's guard against a worker killed in the middle of the first delivery: River holds
// a killed worker's job as running until its rescuer's RescueStuckJobsAfter (an hour, as
// long as the longest job, an import, may run), and a hand-off must not wait that long.
// Deliveries are idempotent, so the second job can never apply a message twice. The
// moment is the machine's (a job's schedule), not the tenant's clock.
const RedeliverAfter = time.Minute

// deliverWorker runs deliveries.
type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	s *Service
}

// Work delivers the message; an error retries it (River's backoff), which is safe at any
// point: the inbox keys messages by id and applies each once.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	return w.s.Deliver(ctx, job.Args.TenantID, job.Args.MessageID)
}

// AddWorkers registers the delivery worker (jobs.WorkerProvider).
func (s *Service) AddWorkers(w *river.Workers) { river.AddWorker(w, &deliverWorker{s: s}) }

// Deliver moves one message of sender's outbox to its receiver and has the receiver apply
// it, in three transactions, none touching two tenants' rows:
//
//  1. in the sender's scope, the message is read and checked: the sender must hold the
//     agreement it names, with the receiver as partner; a forged one is refused (logged,
//     kept in the outbox with the reason, never retried);
//  2. through the platform door into the receiver's scope, it is inserted into the
//     receiver's inbox keyed by its id (a redelivery inserts nothing), with the sender
//     taken from the outbox it came from, never from its body;
//  3. in the receiver's own transaction its messages are applied in sequence order
//     (Apply), and the outbox marks it delivered.
//
// A failure anywhere leaves the message to a retry that repeats the steps harmlessly.
func (s *Service) Deliver(ctx context.Context, sender, messageID uuid.UUID) error {
	var msg db.NetworkOutbox
	done := false
	err := s.DB.Tx(ctx, tenants.Scope{TenantID: sender, Actor: actor}, func(tx *tenants.Tx) error {
		var err error
		if msg, err = tx.Q.GetOutbox(ctx, tx, db.GetOutboxParams{TenantID: sender, ID: messageID}); err != nil {
			return fault.DBError(err, "", "")
		}
		if msg.DeliveredAt != nil || msg.RefusedReason != "" {
			done = true
			return nil
		}
		refused := ""
		a, err := tx.Q.GetAgreement(ctx, tx, db.GetAgreementParams{TenantID: sender, ID: msg.AgreementID})
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			refused = "the sender is not party to the agreement it names"
		case err != nil:
			return fmt.Errorf("agreement of message %s: %w", messageID, err)
		case a.PartnerTenantID != msg.ReceiverTenantID:
			refused = "the message names a tenant that is not the agreement's partner"
		}
		if refused == "" {
			return nil
		}
		done = true
		s.Log.WarnContext(ctx, "network: message refused", "sender", sender, "message", messageID,
			"agreement", msg.AgreementID, "receiver", msg.ReceiverTenantID, "kind", msg.Kind, "reason", refused)
		return tx.Q.OutboxRefused(ctx, tx, db.OutboxRefusedParams{TenantID: sender, ID: messageID, RefusedReason: refused})
	})
	if errors.Is(err, fault.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("message %s of tenant %s is gone", messageID, sender))
	}
	if err != nil || done {
		return err
	}
	if err := s.DB.PlatformInto(ctx, "network: deliver message", msg.ReceiverTenantID, func(tx *tenants.Tx) error {
		_, err := tx.Q.InsertInbox(ctx, tx, db.InsertInboxParams{TenantID: msg.ReceiverTenantID, ID: msg.ID,
			AgreementID: msg.AgreementID, SenderTenantID: sender, Seq: msg.Seq, Kind: msg.Kind, Body: msg.Body})
		return err
	}); err != nil {
		return s.failed(ctx, sender, messageID, fmt.Errorf("insert into the inbox: %w", err))
	}
	if s.afterInbox != nil {
		if err := s.afterInbox(msg); err != nil {
			return err
		}
	}
	if err := s.Apply(ctx, msg.ReceiverTenantID, msg.AgreementID, sender); err != nil {
		return s.failed(ctx, sender, messageID, fmt.Errorf("apply: %w", err))
	}
	return s.DB.Tx(ctx, tenants.Scope{TenantID: sender, Actor: actor}, func(tx *tenants.Tx) error {
		now, err := tx.Now(ctx) // passed in: Citus refuses now() inside the update's coalesce
		if err != nil {
			return err
		}
		return tx.Q.OutboxDelivered(ctx, tx, db.OutboxDeliveredParams{TenantID: sender, ID: messageID, DeliveredAt: now})
	})
}

// failed notes a failed attempt on the outbox row and returns err for a retry.
func (s *Service) failed(ctx context.Context, sender, messageID uuid.UUID, err error) error {
	if e := s.DB.Tx(ctx, tenants.Scope{TenantID: sender, Actor: actor}, func(tx *tenants.Tx) error {
		return tx.Q.OutboxFailed(ctx, tx, db.OutboxFailedParams{TenantID: sender, ID: messageID, LastError: err.Error()})
	}); e != nil {
		return errors.Join(err, e)
	}
	return err
}

// handler applies one kind of message in the receiver's transaction. a is the receiver's
// copy of the agreement (nil before a proposal created it).
type handler func(ctx context.Context, tx *tenants.Tx, a *db.PartnerAgreement, m db.NetworkInbox) error

// Handler applies one kind of message of another package (warranty claims) in the
// receiver's transaction, with the receiver's copy of the agreement the message names; the
// sender is m.SenderTenantID, the agreement's partner (checked before the handler runs).
// An error made by Refuse refuses the message; any other retries it.
type Handler func(ctx context.Context, tx *tenants.Tx, a db.PartnerAgreement, m db.NetworkInbox) error

// On adds the handler of a message kind. Kinds are the caller's, prefixed with its domain
// ("claim."); the agreement's own kinds cannot be replaced.
func (s *Service) On(kind string, h Handler) {
	if _, ok := s.handlers[kind]; ok {
		panic("network: a handler of " + kind + " exists")
	}
	s.handlers[kind] = func(ctx context.Context, tx *tenants.Tx, a *db.PartnerAgreement, m db.NetworkInbox) error {
		return h(ctx, tx, *a, m)
	}
}

// Send writes a message of kind to the partner of the agreement (this tenant's copy, locked
// by the caller or not) into the tenant's outbox, in tx: it leaves if and only if tx commits.
func (s *Service) Send(ctx context.Context, tx *tenants.Tx, agreementID uuid.UUID, kind string, body any) error {
	a, err := tx.Q.GetAgreement(ctx, tx, db.GetAgreementParams{TenantID: tx.Scope.TenantID, ID: agreementID})
	if err != nil {
		return fault.DBError(err, "", "")
	}
	return s.send(ctx, tx, a, kind, body)
}

// Refuse makes the error of a handler that refuses a message its receiver's state cannot
// take (logged and kept with the reason, never retried).
func Refuse(format string, a ...any) error { return refuse(format, a...) }

// Apply applies, in receiver's own transaction, the messages of sender on agreement that
// have arrived, in sequence order from the last applied one; a message that arrived before
// its predecessor waits in the inbox until the predecessor arrives. Messages of a sender
// that is not the receiver's partner on the agreement are refused and logged. A handler's
// refusal (a domain error: an agreement not active, a job for an unknown order) marks the
// message refused and moves past it, so one bad message does not stall the agreement.
func (s *Service) Apply(ctx context.Context, receiver, agreementID, sender uuid.UUID) error {
	return s.DB.Tx(ctx, tenants.Scope{TenantID: receiver, Actor: actor}, func(tx *tenants.Tx) error {
		for {
			var a *db.PartnerAgreement
			applied := int64(0)
			r, err := tx.Q.LockAgreement(ctx, tx, db.LockAgreementParams{TenantID: receiver, ID: agreementID})
			switch {
			case errors.Is(err, pgx.ErrNoRows):
			case err != nil:
				return fmt.Errorf("agreement %s: %w", agreementID, err)
			default:
				a, applied = &r, r.AppliedSeqIn
			}
			m, err := tx.Q.NextInbox(ctx, tx, db.NextInboxParams{TenantID: receiver, AgreementID: agreementID,
				SenderTenantID: sender, Seq: applied + 1})
			if errors.Is(err, pgx.ErrNoRows) {
				return s.refuseStrangers(ctx, tx, a, agreementID, sender)
			}
			if err != nil {
				return fmt.Errorf("next message: %w", err)
			}
			refused := ""
			switch {
			case a != nil && a.PartnerTenantID != sender:
				return s.refuseStrangers(ctx, tx, a, agreementID, sender)
			case a == nil && m.Kind != KindAgreementProposed:
				refused = "no agreement with the sender: only a proposal starts one"
			}
			if refused == "" {
				h, ok := s.handlers[m.Kind]
				if !ok {
					refused = "unknown message kind " + m.Kind
				} else if err := tx.Savepoint(ctx, func(tx *tenants.Tx) error { return h(ctx, tx, a, m) }); err != nil {
					if !isRefusal(err) {
						return fmt.Errorf("apply %s %s: %w", m.Kind, m.ID, err)
					}
					refused = err.Error()
				}
			}
			if refused != "" {
				s.Log.WarnContext(ctx, "network: message refused", "receiver", receiver, "sender", sender,
					"message", m.ID, "agreement", agreementID, "kind", m.Kind, "reason", refused)
				if err := tx.Q.InboxRefused(ctx, tx, db.InboxRefusedParams{TenantID: receiver, ID: m.ID, RefusedReason: refused}); err != nil {
					return fmt.Errorf("refuse message: %w", err)
				}
				if a == nil && m.Kind != KindAgreementProposed {
					return nil
				}
			} else if err := tx.Q.InboxApplied(ctx, tx, db.InboxAppliedParams{TenantID: receiver, ID: m.ID}); err != nil {
				return fmt.Errorf("mark applied: %w", err)
			}
			// The agreement exists now unless the proposal itself was refused.
			if err := tx.Q.SetAppliedSeq(ctx, tx, db.SetAppliedSeqParams{TenantID: receiver, ID: agreementID,
				AppliedSeqIn: applied + 1}); err != nil {
				return fmt.Errorf("advance sequence: %w", err)
			}
			if a == nil && refused != "" {
				return nil
			}
		}
	})
}

// refuseStrangers refuses every waiting message of sender on an agreement whose partner
// in the receiver's tenant is someone else: a forged message naming another tenant's
// agreement.
func (s *Service) refuseStrangers(ctx context.Context, tx *tenants.Tx, a *db.PartnerAgreement, agreementID, sender uuid.UUID) error {
	if a == nil || a.PartnerTenantID == sender {
		return nil
	}
	rows, err := tx.Q.ListInbox(ctx, tx, db.ListInboxParams{TenantID: tx.Scope.TenantID, AgreementID: agreementID})
	if err != nil {
		return fmt.Errorf("list inbox: %w", err)
	}
	for _, m := range rows {
		if m.SenderTenantID != sender || m.AppliedAt != nil || m.RefusedReason != "" {
			continue
		}
		const reason = "the sender is not party to the agreement it names"
		s.Log.WarnContext(ctx, "network: message refused", "receiver", tx.Scope.TenantID, "sender", sender,
			"message", m.ID, "agreement", agreementID, "kind", m.Kind, "reason", reason)
		if err := tx.Q.InboxRefused(ctx, tx, db.InboxRefusedParams{TenantID: tx.Scope.TenantID, ID: m.ID, RefusedReason: reason}); err != nil {
			return fmt.Errorf("refuse message: %w", err)
		}
	}
	return nil
}

// isRefusal tells a message the receiver refuses (its content is wrong for the receiver's
// state) from a failure to retry.
func isRefusal(err error) bool {
	var fe *fault.FieldError
	return errors.As(err, &fe) || errors.Is(err, fault.ErrConflict) || errors.Is(err, fault.ErrNotFound) ||
		errors.Is(err, errRefused)
}

// errRefused marks a message the receiver's state refuses.
var errRefused = errors.New("refused")

func refuse(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errRefused, fmt.Sprintf(format, a...))
}

// MessageDirections lists a message's directions as its side keeps it: out (sent), in
// (received).
var MessageDirections = []string{"out", "in"}

// Message is one message as its side keeps it, for the agreement's message log.
type Message struct {
	ID            uuid.UUID       `json:"id"`
	Direction     string          `json:"direction" doc:"out: we sent it; in: the partner did"`
	Seq           int64           `json:"seq"`
	Kind          string          `json:"kind"`
	Body          json.RawMessage `json:"body"`
	State         string          `json:"state" doc:"out: pending, delivered or refused; in: waiting, applied or refused"`
	RefusedReason string          `json:"refused_reason,omitempty"`
}

// Messages lists an agreement's messages both ways, as this tenant keeps them.
func Messages(ctx context.Context, tx *tenants.Tx, agreementID uuid.UUID) ([]Message, error) {
	if _, err := Get(ctx, tx, agreementID); err != nil {
		return nil, err
	}
	out, err := tx.Q.ListOutbox(ctx, tx, db.ListOutboxParams{TenantID: tx.Scope.TenantID, AgreementID: agreementID})
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	in, err := tx.Q.ListInbox(ctx, tx, db.ListInboxParams{TenantID: tx.Scope.TenantID, AgreementID: agreementID})
	if err != nil {
		return nil, fmt.Errorf("list inbox: %w", err)
	}
	msgs := make([]Message, 0, len(out)+len(in))
	for _, m := range out {
		st := "pending"
		switch {
		case m.RefusedReason != "":
			st = "refused"
		case m.DeliveredAt != nil:
			st = "delivered"
		}
		msgs = append(msgs, Message{ID: m.ID, Direction: "out", Seq: m.Seq, Kind: m.Kind, Body: m.Body, State: st, RefusedReason: m.RefusedReason})
	}
	for _, m := range in {
		st := "waiting"
		switch {
		case m.RefusedReason != "":
			st = "refused"
		case m.AppliedAt != nil:
			st = "applied"
		}
		msgs = append(msgs, Message{ID: m.ID, Direction: "in", Seq: m.Seq, Kind: m.Kind, Body: m.Body, State: st, RefusedReason: m.RefusedReason})
	}
	return msgs, nil
}
