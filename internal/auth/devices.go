package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// Device is one of a user's live sign-in sessions: the browser or phone it came from, when it
// signed in and was last used; Current marks the session asking.
type Device struct {
	ID         uuid.UUID  `json:"id"`
	UserAgent  string     `json:"user_agent" doc:"The browser or app that signed in"`
	IP         string     `json:"ip"`
	CreatedAt  time.Time  `json:"created_at" doc:"When it signed in"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty" doc:"When a request last came with it (to the minute)"`
	ExpiresAt  time.Time  `json:"expires_at"`
	Current    bool       `json:"current" doc:"The session of this request (this device)"`
}

// Devices lists the signed-in user's live sessions, the last used first. Only the user's
// own: the query names the user of the session asking.
func (s *Service) Devices(ctx context.Context, p *Principal) ([]Device, error) {
	if p.Kind != KindUser || p.SessionID == uuid.Nil {
		return []Device{}, nil
	}
	out := []Device{}
	err := s.db.Platform(ctx, "me: devices", p.UserID, func(tx *tenants.Tx) error {
		rows, err := tx.Q.UserSessions(ctx, tx, uuid.NullUUID{UUID: p.UserID, Valid: true})
		for _, r := range rows {
			out = append(out, Device{ID: r.ID, UserAgent: r.UserAgent, IP: r.Ip, CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt,
				ExpiresAt: r.ExpiresAt, Current: r.ID == p.SessionID})
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	return out, nil
}

// SignOutDevice ends one of the user's own sessions; another user's (or an ended one) is
// not found. Its next request is refused (401).
func (s *Service) SignOutDevice(ctx context.Context, p *Principal, id uuid.UUID) error {
	if p.Kind != KindUser {
		return fault.ErrNotFound
	}
	var n int64
	err := s.db.Platform(ctx, "me: sign a device out", p.UserID, func(tx *tenants.Tx) (err error) {
		n, err = tx.Q.RevokeUserSession(ctx, tx, db.RevokeUserSessionParams{ID: id, UserID: uuid.NullUUID{UUID: p.UserID, Valid: true}})
		return err
	})
	if err != nil {
		return fmt.Errorf("sign a device out: %w", err)
	}
	if n == 0 {
		return fault.ErrNotFound
	}
	return nil
}

// SignOutOtherDevices ends every session of the user but the one asking; it returns how many.
func (s *Service) SignOutOtherDevices(ctx context.Context, p *Principal) (int64, error) {
	if p.Kind != KindUser || p.SessionID == uuid.Nil {
		return 0, nil
	}
	var n int64
	err := s.db.Platform(ctx, "me: sign other devices out", p.UserID, func(tx *tenants.Tx) (err error) {
		n, err = tx.Q.RevokeOtherUserSessions(ctx, tx, db.RevokeOtherUserSessionsParams{UserID: uuid.NullUUID{UUID: p.UserID, Valid: true}, KeepID: p.SessionID})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sign other devices out: %w", err)
	}
	return n, nil
}
