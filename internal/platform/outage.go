package platform

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Outage logs the outages of one dependency (the database) once each, not once per failed
// call: during an outage every request fails the same way, and a line per request buries
// the one fact that matters. The first failure logs at ERROR; later ones are counted, and
// logged again at most once a Window while the outage lasts; the first success after it
// logs once at WARN, with the outage's length and its count of failures. Safe for
// concurrent use; a success outside an outage costs one atomic load.
type Outage struct {
	log    *slog.Logger
	name   string
	window time.Duration
	now    func() time.Time

	down     atomic.Bool
	mu       sync.Mutex
	since    time.Time // first failure of the outage
	logged   time.Time // last line logged
	failures int       // since the first failure
	silenced int       // since the last line logged
}

// NewOutage logs the outages of the dependency called name; window (a minute when zero)
// spaces the reminders while one lasts.
func NewOutage(log *slog.Logger, name string, window time.Duration) *Outage {
	if window <= 0 {
		window = time.Minute
	}
	return &Outage{log: log, name: name, window: window, now: time.Now}
}

// Failed records a call that failed because the dependency is unreachable.
func (o *Outage) Failed(ctx context.Context, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.now()
	o.failures++
	switch {
	case !o.down.Load():
		o.down.Store(true)
		o.since, o.logged, o.silenced = now, now, 0
		o.log.ErrorContext(ctx, o.name+" unavailable; further failures are counted, not logged, until it answers again",
			"err", err)
	case now.Sub(o.logged) >= o.window:
		o.log.ErrorContext(ctx, o.name+" still unavailable", "err", err, "for", now.Sub(o.since).Round(time.Second).String(),
			"failures", o.failures, "failures_since_last_line", o.silenced+1)
		o.logged, o.silenced = now, 0
	default:
		o.silenced++
	}
}

// Succeeded records a call the dependency answered; it ends an outage.
func (o *Outage) Succeeded(ctx context.Context) {
	if !o.down.Load() {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.down.Load() {
		return
	}
	o.down.Store(false)
	o.log.WarnContext(ctx, o.name+" available again", "for", o.now().Sub(o.since).Round(time.Millisecond).String(),
		"failures", o.failures)
	o.failures = 0
}

// Down reports whether the dependency is in an outage (its last call failed unreachable).
func (o *Outage) Down() bool { return o.down.Load() }
