package orders

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// AttachmentKinds are the kinds of attachment.
var AttachmentKinds = []string{"photo", "signature", "evidence"}

// Attachment is a photo, signature or piece of evidence on an order.
type Attachment struct {
	ID          uuid.UUID `json:"id"`
	OrderID     uuid.UUID `json:"order_id"`
	Kind        string    `json:"kind"` // one of AttachmentKinds
	ContentType string    `json:"content_type"`
	Public      bool      `json:"public"`
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
	// ByCustomer marks a photo the customer uploaded in the portal.
	ByCustomer bool `json:"by_customer" doc:"Uploaded by the customer in the portal"`
}

// AttachmentTypes are the content types an attachment may have, checked against the bytes.
var AttachmentTypes = []string{"image/jpeg", "image/png", "image/webp", "application/pdf"}

// MaxAttachmentBytes bounds one attachment.
const MaxAttachmentBytes = 5 << 20

// Attach stores a file on the order; its type is sniffed from the content, not trusted.
func Attach(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, kind string, public bool, content []byte) (Attachment, error) {
	if len(content) == 0 || len(content) > MaxAttachmentBytes {
		return Attachment{}, fault.Invalid("", fmt.Sprintf("must be 1 byte to %d MiB", MaxAttachmentBytes>>20))
	}
	ct := http.DetectContentType(content)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	if !slices.Contains(AttachmentTypes, ct) {
		return Attachment{}, fault.Invalid("", "must be a JPEG, PNG, WebP image or a PDF; got "+ct)
	}
	if _, err := lock(ctx, tx, orderID, 0); err != nil {
		return Attachment{}, err
	}
	var customer uuid.NullUUID
	if tx.Scope.Consumer() {
		// A consumer's upload is theirs: row-level security shows it to them (and staff) only.
		customer = uuid.NullUUID{UUID: tx.Scope.CustomerID, Valid: true}
	}
	sum := sha256.Sum256(content)
	r, err := tx.Q.CreateAttachment(ctx, tx, db.CreateAttachmentParams{TenantID: tx.Scope.TenantID,
		ID: platform.NewID(), OrderID: orderID, Kind: kind,
		ContentType: ct, Content: content, Sha256: sum[:], Public: public, UploadedBy: tx.Scope.Actor.Label, CustomerID: customer})
	if err != nil {
		return Attachment{}, fmt.Errorf("store attachment: %w", err)
	}
	a := Attachment{ID: r.ID, OrderID: r.OrderID, Kind: r.Kind, ContentType: r.ContentType, Public: r.Public,
		UploadedBy: r.UploadedBy, UploadedAt: r.UploadedAt, ByCustomer: r.CustomerID.Valid}
	return a, record(ctx, tx, orderID, Entry{Kind: "attachment", To: kind, Public: public, Data: map[string]any{"attachment_id": a.ID}})
}

// CustomerPhotoTypes are the content types of a customer's photo, checked against the bytes.
var CustomerPhotoTypes = []string{"image/jpeg", "image/png", "image/webp"}

// AttachCustomerPhoto stores a photo the customer uploads to their order in the portal (a
// public photo, theirs): an image of at most MaxAttachmentBytes, its type sniffed.
func AttachCustomerPhoto(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, content []byte) (Attachment, error) {
	if len(content) == 0 || len(content) > MaxAttachmentBytes {
		return Attachment{}, fault.Invalid("", fmt.Sprintf("must be 1 byte to %d MiB", MaxAttachmentBytes>>20))
	}
	ct := http.DetectContentType(content)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	if !slices.Contains(CustomerPhotoTypes, ct) {
		return Attachment{}, fault.Invalid("", "must be a JPEG, PNG or WebP photo; got "+ct)
	}
	return Attach(ctx, tx, orderID, "photo", true, content)
}

// Attachments lists the order's attachments (without content).
func Attachments(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) ([]Attachment, error) {
	rows, err := tx.Q.ListAttachments(ctx, tx, db.ListAttachmentsParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	if err != nil {
		return nil, fmt.Errorf("list attachments: %w", err)
	}
	out := make([]Attachment, len(rows))
	for i, r := range rows {
		out[i] = Attachment{ID: r.ID, OrderID: r.OrderID, Kind: r.Kind, ContentType: r.ContentType, Public: r.Public,
			UploadedBy: r.UploadedBy, UploadedAt: r.UploadedAt, ByCustomer: r.CustomerID.Valid}
	}
	return out, nil
}

// AttachmentContent returns one attachment's bytes and type, if its order is in scope.
func AttachmentContent(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (string, []byte, error) {
	r, err := tx.Q.GetAttachment(ctx, tx, db.GetAttachmentParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return "", nil, fault.DBError(err, "", "")
	}
	if _, err := Get(ctx, tx, r.OrderID); err != nil {
		return "", nil, err // an order of another outlet: its attachments are not found either
	}
	return r.ContentType, r.Content, nil
}

// MaxCustomerPhotos bounds the photos a customer names on a dispute or a return.
const MaxCustomerPhotos = 10

// CustomerPhotos checks that every id is a photo the order's customer uploaded to the order
// (a consumer sees only their own uploads: another's is not found either); field names the
// request field in the problem.
func CustomerPhotos(ctx context.Context, tx *tenants.Tx, orderID, customerID uuid.UUID, ids []uuid.UUID, field string) ([]uuid.UUID, error) {
	if len(ids) == 0 {
		return []uuid.UUID{}, nil
	}
	if len(ids) > MaxCustomerPhotos {
		return nil, fault.Invalid(field, fmt.Sprintf("give at most %d photos", MaxCustomerPhotos))
	}
	rows, err := tx.Q.AttachmentOwners(ctx, tx, db.AttachmentOwnersParams{TenantID: tx.Scope.TenantID, Ids: ids})
	if err != nil {
		return nil, fmt.Errorf("attachment owners: %w", err)
	}
	out := make([]uuid.UUID, 0, len(ids))
	for i, id := range ids {
		if slices.Contains(out, id) {
			return nil, fault.Invalid(fmt.Sprintf("%s[%d]", field, i), "is named twice")
		}
		ok := slices.ContainsFunc(rows, func(r db.AttachmentOwnersRow) bool {
			return r.ID == id && r.OrderID == orderID && r.CustomerID.Valid && r.CustomerID.UUID == customerID
		})
		if !ok {
			return nil, fault.Invalid(fmt.Sprintf("%s[%d]", field, i), "is not a photo you uploaded to this order")
		}
		out = append(out, id)
	}
	return out, nil
}

// GetDispute returns one dispute, if its order is in scope.
func GetDispute(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Dispute, error) {
	r, err := tx.Q.GetDispute(ctx, tx, db.GetDisputeParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Dispute{}, fault.DBError(err, "", "")
	}
	if _, err := Get(ctx, tx, r.OrderID); err != nil {
		return Dispute{}, err
	}
	return disputeFromRow(r), nil
}

// DisputeOrder returns the order a dispute is about, if in scope.
func DisputeOrder(ctx context.Context, tx *tenants.Tx, disputeID uuid.UUID) (uuid.UUID, error) {
	r, err := tx.Q.GetDispute(ctx, tx, db.GetDisputeParams{TenantID: tx.Scope.TenantID, ID: disputeID})
	if err != nil {
		return uuid.Nil, fault.DBError(err, "", "")
	}
	if _, err := Get(ctx, tx, r.OrderID); err != nil {
		return uuid.Nil, err
	}
	return r.OrderID, nil
}

// Dispute is a consumer's challenge of an exclusion the diagnosis invoked.
type Dispute struct {
	ID           uuid.UUID   `json:"id"`
	OrderID      uuid.UUID   `json:"order_id"`
	Status       string      `json:"status" doc:"upheld: the exclusion stands; overturned: it is dropped"`
	Statement    string      `json:"statement"`
	Exclusion    string      `json:"exclusion"`
	PhotoIDs     []uuid.UUID `json:"attachment_ids" doc:"The customer's photos backing the dispute (attachments of the order)"`
	DecisionNote string      `json:"decision_note,omitempty"`
	DecidedBy    string      `json:"decided_by,omitempty"`
	CreatedAt    time.Time   `json:"created_at"`
	DecidedAt    *time.Time  `json:"decided_at,omitempty"`
}

func disputeFromRow(r db.OrderDispute) Dispute {
	photos := r.AttachmentIds
	if photos == nil {
		photos = []uuid.UUID{}
	}
	return Dispute{ID: r.ID, OrderID: r.OrderID, Status: r.Status, Statement: r.Statement, Exclusion: r.Exclusion, PhotoIDs: photos,
		DecisionNote: r.DecisionNote, DecidedBy: r.DecidedBy, CreatedAt: r.CreatedAt, DecidedAt: r.DecidedAt}
}

// OpenDispute lets the customer challenge the exclusion on their order; the brand reviews it.
// photoIDs name photos the customer uploaded to the order (attachment_ids).
func (s *Service) OpenDispute(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID, statement string, photoIDs []uuid.UUID) (Dispute, error) {
	r, err := lock(ctx, tx, orderID, 0)
	if err != nil {
		return Dispute{}, err
	}
	photos, err := CustomerPhotos(ctx, tx, orderID, r.CustomerID, photoIDs, "attachment_ids")
	if err != nil {
		return Dispute{}, err
	}
	o := orderFromRow(r)
	if o.Completion == nil || o.Completion.Exclusion == "" {
		return Dispute{}, &fault.ConflictError{Detail: "the order's diagnosis invoked no exclusion; there is nothing to dispute"}
	}
	if strings.TrimSpace(statement) == "" {
		return Dispute{}, fault.Invalid("statement", "say why the decision is wrong")
	}
	row, err := tx.Q.CreateDispute(ctx, tx, db.CreateDisputeParams{TenantID: tx.Scope.TenantID,
		ID: platform.NewID(), OrderID: orderID, CustomerID: r.CustomerID, Statement: statement,
		Exclusion: o.Completion.Exclusion, AttachmentIds: photos})
	if err != nil {
		return Dispute{}, fault.DBError(err, "a dispute of this order is already open", "")
	}
	d := disputeFromRow(row)
	if err := record(ctx, tx, orderID, Entry{Kind: "dispute", To: "open", Public: true, Reason: "the customer disputes " + d.Exclusion,
		Data: map[string]any{"dispute_id": d.ID}}); err != nil {
		return Dispute{}, err
	}
	if err := s.emit(ctx, tx, o, "dispute.opened", map[string]any{"dispute_id": d.ID, "exclusion": d.Exclusion}); err != nil {
		return Dispute{}, err
	}
	return d, tx.Audit(ctx, "dispute.open", "order_dispute", d.ID, nil, d)
}

// Disputes lists an order's disputes.
func Disputes(ctx context.Context, tx *tenants.Tx, orderID uuid.UUID) ([]Dispute, error) {
	rows, err := tx.Q.ListDisputes(ctx, tx, db.ListDisputesParams{TenantID: tx.Scope.TenantID, OrderID: orderID})
	if err != nil {
		return nil, fmt.Errorf("list disputes: %w", err)
	}
	out := make([]Dispute, len(rows))
	for i, r := range rows {
		out[i] = disputeFromRow(r)
	}
	return out, nil
}

// DisputeDecision is the brand's review.
type DisputeDecision struct {
	Overturn bool   `json:"overturn" doc:"true drops the exclusion and re-evaluates the entitlement"`
	Note     string `json:"note" minLength:"1" maxLength:"4000"`
}

// DecideDispute records the brand's review; overturning drops the exclusion from the
// diagnosis and re-evaluates the entitlement, with both changes on the timeline.
func (s *Service) DecideDispute(ctx context.Context, tx *tenants.Tx, orderID, disputeID uuid.UUID, in DisputeDecision) (Dispute, error) {
	r, err := lock(ctx, tx, orderID, 0)
	if err != nil {
		return Dispute{}, err
	}
	status := "upheld"
	if in.Overturn {
		status = "overturned"
	}
	row, err := tx.Q.DecideDispute(ctx, tx, db.DecideDisputeParams{TenantID: tx.Scope.TenantID,
		OrderID: orderID, ID: disputeID, Status: status,
		DecisionNote: in.Note, DecidedBy: tx.Scope.Actor.Label})
	if errors.Is(err, pgx.ErrNoRows) {
		return Dispute{}, disputeMissing(ctx, tx, orderID, disputeID)
	}
	if err != nil {
		return Dispute{}, fmt.Errorf("decide dispute: %w", err)
	}
	d := disputeFromRow(row)
	if err := record(ctx, tx, orderID, Entry{Kind: "dispute", From: "open", To: status, Public: true, Reason: in.Note,
		Data: map[string]any{"dispute_id": d.ID}}); err != nil {
		return Dispute{}, err
	}
	o := orderFromRow(r)
	if in.Overturn && o.Completion != nil {
		o.Completion.Exclusion = ""
		body, _ := jsonMarshal(o.Completion)
		if err := tx.Q.SetOrderCompletion(ctx, tx, db.SetOrderCompletionParams{TenantID: tx.Scope.TenantID,
			ID: orderID, Completion: body, Result: r.Result,
			FaultCode: r.FaultCode, Component: r.Component}); err != nil {
			return Dispute{}, fmt.Errorf("drop exclusion: %w", err)
		}
		if _, err := s.evaluate(ctx, tx, o, "dispute overturned the exclusion "+d.Exclusion); err != nil {
			return Dispute{}, err
		}
	}
	if err := s.emit(ctx, tx, o, "dispute."+status, map[string]any{"dispute_id": d.ID}); err != nil {
		return Dispute{}, err
	}
	return d, tx.Audit(ctx, "dispute.decide", "order_dispute", d.ID, nil, d)
}

// disputeMissing tells a decided dispute (409) from a missing one (404).
func disputeMissing(ctx context.Context, tx *tenants.Tx, orderID, id uuid.UUID) error {
	all, err := Disputes(ctx, tx, orderID)
	if err != nil {
		return err
	}
	for _, d := range all {
		if d.ID == id {
			return &fault.ConflictError{Detail: "the dispute was already decided: " + d.Status}
		}
	}
	return fault.ErrNotFound
}

// DisputeStatuses are the states of a consumer's dispute (Dispute.Status), in the order the API documents them.
var DisputeStatuses = []string{"open", "upheld", "overturned"}
