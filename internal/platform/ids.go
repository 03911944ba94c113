package platform

import "github.com/google/uuid"

// NewID returns a time-ordered UUIDv7, so that ids double as stable cursors.
func NewID() uuid.UUID {
	return uuid.Must(uuid.NewV7())
}
