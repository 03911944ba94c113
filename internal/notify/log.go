package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// SendStatuses are the statuses of a send.
var SendStatuses = []string{"queued", "sending", "sent", "failed", "suppressed"}

// SendRecipients are the kinds of recipient of a send: a message to a role is sent to each
// of its users.
var SendRecipients = []string{RecipientCustomer, RecipientUser}

// Send is one entry of the send log.
type Send struct {
	ID                uuid.UUID  `json:"id"`
	EventID           uuid.UUID  `json:"event_id"`
	EventType         string     `json:"event_type"`
	SubjectID         *uuid.UUID `json:"subject_id,omitempty"`
	Channel           string     `json:"channel"`        // one of Channels
	RecipientKind     string     `json:"recipient_kind"` // one of SendRecipients
	CustomerID        *uuid.UUID `json:"customer_id,omitempty"`
	UserID            *uuid.UUID `json:"user_id,omitempty"`
	Recipient         string     `json:"recipient" doc:"Phone, email or inbox; masked unless your role sees contacts"`
	Masked            bool       `json:"masked"`
	Locale            string     `json:"locale"`
	Status            string     `json:"status"` // one of SendStatuses
	Attempts          int32      `json:"attempts"`
	ProviderMessageID string     `json:"provider_message_id,omitempty"`
	Error             string     `json:"error,omitempty"`
	ScheduledAt       time.Time  `json:"scheduled_at" doc:"Not sent before (quiet hours)"`
	SentAt            *time.Time `json:"sent_at,omitempty"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

func sendFromRow(r db.NotificationSend, unmasked bool) Send {
	s := Send{ID: r.ID, EventID: r.EventID, EventType: r.EventType, Channel: r.Channel, RecipientKind: r.RecipientKind,
		Recipient: r.Address, Locale: r.Locale, Status: r.Status, Attempts: r.Attempts, ProviderMessageID: r.ProviderMessageID,
		Error: r.Error, ScheduledAt: r.ScheduledAt, SentAt: r.SentAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.SubjectID.Valid {
		s.SubjectID = &r.SubjectID.UUID
	}
	if r.CustomerID.Valid {
		s.CustomerID = &r.CustomerID.UUID
	}
	if r.UserID.Valid {
		s.UserID = &r.UserID.UUID
	}
	if !unmasked && r.Channel != ChannelInApp {
		s.Masked = true
		if strings.Contains(r.Address, "@") {
			s.Recipient = access.MaskEmail(r.Address)
		} else {
			s.Recipient = access.MaskPhone(r.Address)
		}
	}
	return s
}

// SendFilter narrows the send log; zero fields do not filter.
type SendFilter struct {
	After     uuid.NullUUID
	EventType string
	Status    string
	Channel   string
	SubjectID uuid.NullUUID
	Limit     int32
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ListSends lists the send log, newest first; recipients are masked for scopes that mask
// contacts.
func ListSends(ctx context.Context, tx *tenants.Tx, f SendFilter) ([]Send, error) {
	rows, err := tx.Q.ListNotificationSends(ctx, tx, db.ListNotificationSendsParams{TenantID: tx.Scope.TenantID,
		After: f.After, EventType: opt(f.EventType),
		Status: opt(f.Status), Channel: opt(f.Channel), SubjectID: f.SubjectID, Lim: f.Limit})
	if err != nil {
		return nil, fmt.Errorf("list sends: %w", err)
	}
	out := make([]Send, len(rows))
	for i, r := range rows {
		out[i] = sendFromRow(r, !tx.Scope.MaskContacts)
	}
	return out, nil
}

// GetSend returns one entry of the send log.
func GetSend(ctx context.Context, tx *tenants.Tx, id uuid.UUID) (Send, error) {
	r, err := tx.Q.GetNotificationSend(ctx, tx, db.GetNotificationSendParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return Send{}, fault.DBError(err, "", "")
	}
	return sendFromRow(r, !tx.Scope.MaskContacts), nil
}

// InboxMessage is an in-app message.
type InboxMessage struct {
	ID        uuid.UUID  `json:"id"`
	EventType string     `json:"event_type"`
	SubjectID *uuid.UUID `json:"subject_id,omitempty"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

func inboxFromRow(r db.InboxMessage) InboxMessage {
	m := InboxMessage{ID: r.ID, EventType: r.EventType, Title: r.Title, Body: r.Body, ReadAt: r.ReadAt, CreatedAt: r.CreatedAt}
	if r.SubjectID.Valid {
		m.SubjectID = &r.SubjectID.UUID
	}
	return m
}

// Inbox names whose in-app messages: a staff user's or a consumer's (exactly one set).
type Inbox struct {
	UserID     uuid.UUID
	ConsumerID uuid.UUID
}

// ListInbox lists an inbox, newest first.
func ListInbox(ctx context.Context, tx *tenants.Tx, in Inbox, after uuid.NullUUID, unreadOnly bool, limit int32) ([]InboxMessage, error) {
	var rows []db.InboxMessage
	var err error
	switch {
	case in.UserID != uuid.Nil:
		rows, err = tx.Q.ListInboxForUser(ctx, tx, db.ListInboxForUserParams{TenantID: tx.Scope.TenantID,
			UserID: nullID(in.UserID), After: after,
			UnreadOnly: unreadOnly, Lim: limit})
	case in.ConsumerID != uuid.Nil:
		rows, err = tx.Q.ListInboxForConsumer(ctx, tx, db.ListInboxForConsumerParams{TenantID: tx.Scope.TenantID,
			ConsumerID: nullID(in.ConsumerID), After: after,
			UnreadOnly: unreadOnly, Lim: limit})
	default:
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	out := make([]InboxMessage, len(rows))
	for i, r := range rows {
		out[i] = inboxFromRow(r)
	}
	return out, nil
}

// MarkRead marks messages of the inbox read; ids of other inboxes are ignored. It returns
// how many changed.
func MarkRead(ctx context.Context, tx *tenants.Tx, in Inbox, ids []uuid.UUID) (int64, error) {
	switch {
	case in.UserID != uuid.Nil:
		return tx.Q.MarkInboxReadForUser(ctx, tx, db.MarkInboxReadForUserParams{TenantID: tx.Scope.TenantID,
			UserID: nullID(in.UserID), Ids: ids})
	case in.ConsumerID != uuid.Nil:
		return tx.Q.MarkInboxReadForConsumer(ctx, tx, db.MarkInboxReadForConsumerParams{TenantID: tx.Scope.TenantID,
			ConsumerID: nullID(in.ConsumerID), Ids: ids})
	}
	return 0, nil
}
