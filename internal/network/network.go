// Package network is one repair network across tenants: partner agreements between
// tenants, and jobs handed from one tenant's order to a partner's, as messages.
//
// Each side keeps its own copy of everything (an agreement, a job) in its own tenant. A
// change on one side writes a message to its outbox in the change's own transaction; a River
// job (DeliverArgs) carries it, through the one audited platform path
// (tenants.DB.PlatformInto, purpose "network: deliver message"), into the receiver's inbox,
// keyed by the message's id, and the receiver's own transaction applies it with the
// handler of its kind, in the order of the agreement's sequence numbers. No transaction
// touches two tenants' rows and no tenant reads another's. See docs/network.md.
package network

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

// Service runs the network. Jobs queues deliveries and events in the changing transaction
// (nil: none, tests deliver by hand); Orders takes received jobs in as the receiver's own
// orders.
type Service struct {
	DB     *tenants.DB
	Jobs   events.Inserter
	Orders *orders.Service
	Log    *slog.Logger

	handlers map[string]handler
	// afterInbox, when set (tests), runs after a message reached the receiver's inbox and
	// before it is applied and marked delivered: an error there is a worker dying mid-way.
	afterInbox func(db.NetworkOutbox) error
}

// New returns the network service.
func New(d *tenants.DB, jobs events.Inserter, ord *orders.Service, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if ord == nil {
		ord = &orders.Service{}
	}
	s := &Service{DB: d, Jobs: jobs, Orders: ord, Log: log}
	s.handlers = map[string]handler{
		KindAgreementProposed:  s.applyProposed,
		KindAgreementAccepted:  s.applyAccepted,
		KindAgreementRejected:  s.applyRejected,
		KindAgreementSuspended: s.applySuspended,
		KindJobSent:            s.applyJobSent,
		KindJobUpdated:         s.applyJobUpdated,
	}
	return s
}

// applyProposed creates the receiver's copy of a proposed agreement, or records a new
// version of the terms for its answer. A proposal crossing one of ours replaces ours: the
// partner holds both and answers the one it has.
func (s *Service) applyProposed(ctx context.Context, tx *tenants.Tx, a *db.PartnerAgreement, m db.NetworkInbox) error {
	var b proposedBody
	if err := json.Unmarshal(m.Body, &b); err != nil {
		return refuse("proposal body: %v", err)
	}
	if err := b.Terms.check(); err != nil {
		return refuse("proposal terms: %v", err)
	}
	terms, err := json.Marshal(b.Terms)
	if err != nil {
		return fmt.Errorf("encode terms: %w", err)
	}
	v, by := int32(b.Version), "partner"
	if a == nil {
		if b.Version != 1 || (b.Role != RolePrincipal && b.Role != RoleProvider) {
			return refuse("a first proposal is version 1 with a role")
		}
		name, err := tx.Q.TenantName(ctx, tx, m.SenderTenantID)
		if err != nil {
			return fmt.Errorf("partner name: %w", err)
		}
		r, err := tx.Q.InsertAgreement(ctx, tx, db.InsertAgreementParams{TenantID: tx.Scope.TenantID, ID: m.AgreementID,
			PartnerTenantID: m.SenderTenantID, PartnerName: name, Role: b.Role, PendingTerms: terms, PendingVersion: &v, PendingBy: &by})
		if err != nil {
			return fmt.Errorf("insert agreement: %w", err)
		}
		ag, err := agreementFromRow(r)
		if err != nil {
			return err
		}
		if err := tx.Audit(ctx, "agreement.proposed_by_partner", "partner_agreement", r.ID, nil, ag); err != nil {
			return err
		}
		return s.emitAgreement(ctx, tx, EventAgreementProposed, r, "partner", v)
	}
	if b.Role != a.Role || int32(b.Version) <= a.TermsVersion {
		return refuse("a new version must keep the roles and follow version %d", a.TermsVersion)
	}
	p := saveParams(*a)
	p.PendingTerms, p.PendingVersion, p.PendingBy = terms, &v, &by
	return s.save(ctx, tx, *a, p, "agreement.amended_by_partner", EventAgreementProposed, v)
}

func (s *Service) save(ctx context.Context, tx *tenants.Tx, before db.PartnerAgreement, p db.SaveAgreementParams, action, event string, version int32) error {
	r, err := tx.Q.SaveAgreement(ctx, tx, p)
	if err != nil {
		return fmt.Errorf("save agreement: %w", err)
	}
	b, err := agreementFromRow(before)
	if err != nil {
		return err
	}
	after, err := agreementFromRow(r)
	if err != nil {
		return err
	}
	if err := tx.Audit(ctx, action, "partner_agreement", r.ID, b, after); err != nil {
		return err
	}
	return s.emitAgreement(ctx, tx, event, r, "partner", version)
}

// applyAccepted puts our pending version in force when the partner accepted that version.
func (s *Service) applyAccepted(ctx context.Context, tx *tenants.Tx, a *db.PartnerAgreement, m db.NetworkInbox) error {
	var b answerBody
	if err := json.Unmarshal(m.Body, &b); err != nil {
		return refuse("acceptance body: %v", err)
	}
	if a.PendingBy == nil || *a.PendingBy != "self" || int(*a.PendingVersion) != b.Version {
		return refuse("version %d is not our proposal waiting for an answer", b.Version)
	}
	return s.save(ctx, tx, *a, acceptParams(*a), "agreement.accepted_by_partner", EventAgreementAccepted, int32(b.Version))
}

// applyRejected withdraws our pending version the partner turned down.
func (s *Service) applyRejected(ctx context.Context, tx *tenants.Tx, a *db.PartnerAgreement, m db.NetworkInbox) error {
	var b answerBody
	if err := json.Unmarshal(m.Body, &b); err != nil {
		return refuse("rejection body: %v", err)
	}
	if a.PendingBy == nil || *a.PendingBy != "self" || int(*a.PendingVersion) != b.Version {
		return refuse("version %d is not our proposal waiting for an answer", b.Version)
	}
	return s.save(ctx, tx, *a, rejectParams(*a, b.Reason), "agreement.rejected_by_partner", EventAgreementRejected, int32(b.Version))
}

// applySuspended suspends our copy as the partner suspended theirs.
func (s *Service) applySuspended(ctx context.Context, tx *tenants.Tx, a *db.PartnerAgreement, m db.NetworkInbox) error {
	var b answerBody
	if err := json.Unmarshal(m.Body, &b); err != nil {
		return refuse("suspension body: %v", err)
	}
	if a.Status != StatusActive {
		return nil // already suspended here, or never active: nothing to stop
	}
	p := saveParams(*a)
	p.Status, p.StatusReason = StatusSuspended, b.Reason
	return s.save(ctx, tx, *a, p, "agreement.suspended_by_partner", EventAgreementSuspended, a.TermsVersion)
}

// ContextJobs inserts jobs with the River client of the context: the worker's, in the
// jobs it runs (a delivery applying a job takes an order in, which queues its events and
// timers; an event's report queues its delivery). Outside a job it inserts nothing and
// fails.
type ContextJobs struct{}

// InsertTx inserts one job with the context's client.
func (ContextJobs) InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	c, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return nil, fmt.Errorf("insert %s: %w", args.Kind(), err)
	}
	return c.InsertTx(ctx, tx, args, opts)
}

// InsertManyTx inserts jobs with the context's client.
func (ContextJobs) InsertManyTx(ctx context.Context, tx pgx.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	c, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return nil, fmt.Errorf("insert %d jobs: %w", len(params), err)
	}
	return c.InsertManyTx(ctx, tx, params)
}

// Event types of the network: each step on either side, for the tenant's webhooks (signed
// deliveries, internal/webhooks) and other consumers. Data names the agreement or job, the
// partner, and who took the step (self or partner).
const (
	EventAgreementProposed  = "partner.agreement.proposed"
	EventAgreementAccepted  = "partner.agreement.accepted"
	EventAgreementRejected  = "partner.agreement.rejected"
	EventAgreementSuspended = "partner.agreement.suspended"
	EventJobSent            = "partner.job.sent"
	EventJobReceived        = "partner.job.received"
	EventJobUpdated         = "partner.job.updated"
)

// emit records an event of the network in tx (nothing without a job inserter).
func (s *Service) emit(ctx context.Context, tx *tenants.Tx, typ, subject string, id uuid.UUID, data map[string]any) error {
	if s.Jobs == nil {
		return nil
	}
	_, err := events.Emit(ctx, tx, s.Jobs, typ, subject, id, uuid.Nil, data)
	return err
}

// emitAgreement records a step of an agreement's handshake; by is self or partner.
func (s *Service) emitAgreement(ctx context.Context, tx *tenants.Tx, typ string, r db.PartnerAgreement, by string, version int32) error {
	return s.emit(ctx, tx, typ, "partner_agreement", r.ID, map[string]any{"agreement_id": r.ID, "partner_tenant_id": r.PartnerTenantID,
		"partner": r.PartnerName, "role": r.Role, "status": r.Status, "by": by, "version": version, "reason": r.StatusReason})
}
