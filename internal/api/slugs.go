package api

import (
	"sync"
	"time"

	"github.com/google/uuid"
)

// slugTTL is how long a resolved tenant slug is reused: a suspension reaches the public and
// consumer routes of every API process within it.
const slugTTL = 10 * time.Second

// slugCache remembers active tenants by slug for the public and consumer routes, which
// name their tenant in the path, so a hot public read costs no lookup. Unknown and
// suspended slugs are not remembered (the cache holds at most one entry per tenant).
type slugCache struct {
	mu sync.Mutex
	m  map[string]slugEntry
}

type slugEntry struct {
	id    uuid.UUID
	until time.Time
}

func (c *slugCache) get(slug string, now time.Time) (uuid.UUID, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[slug]
	if !ok || now.After(e.until) {
		return uuid.Nil, false
	}
	return e.id, true
}

func (c *slugCache) put(slug string, id uuid.UUID, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]slugEntry{}
	}
	c.m[slug] = slugEntry{id: id, until: now.Add(slugTTL)}
}
