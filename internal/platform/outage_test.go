package platform

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestOutageLogsOncePerOutage: a thousand concurrent failures make one ERROR line; the
// window's reminder one more; the recovery one WARN line; successes outside an outage none;
// the next outage logs again.
func TestOutageLogsOncePerOutage(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewJSONHandler(&lockedWriter{w: &buf, mu: &mu}, nil))
	o := NewOutage(log, "database", time.Minute)
	now := time.Unix(1_000_000, 0)
	o.now = func() time.Time { return now }
	lines := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(out) == 1 && out[0] == "" {
			return nil
		}
		return out
	}
	ctx := context.Background()
	o.Succeeded(ctx)
	if got := lines(); len(got) != 0 || o.Down() {
		t.Fatalf("success outside an outage: %v down=%v", got, o.Down())
	}
	var wg sync.WaitGroup
	for range 1000 {
		wg.Go(func() { o.Failed(ctx, errors.New("connection refused")) })
	}
	wg.Wait()
	if got := lines(); len(got) != 1 || !strings.Contains(got[0], `"level":"ERROR"`) || !strings.Contains(got[0], "database unavailable") {
		t.Fatalf("1000 failures logged %d lines: %v", len(got), got)
	}
	now = now.Add(30 * time.Second)
	o.Failed(ctx, errors.New("connection refused"))
	if got := lines(); len(got) != 1 {
		t.Fatalf("a failure within the window logged: %v", got)
	}
	now = now.Add(31 * time.Second)
	o.Failed(ctx, errors.New("connection refused"))
	if got := lines(); len(got) != 2 || !strings.Contains(got[1], "still unavailable") || !strings.Contains(got[1], `"failures":1002`) {
		t.Fatalf("the reminder after the window: %v", got)
	}
	for range 10 {
		o.Succeeded(ctx)
	}
	got := lines()
	if len(got) != 3 || !strings.Contains(got[2], `"level":"WARN"`) || !strings.Contains(got[2], "available again") ||
		!strings.Contains(got[2], `"for":"1m1s"`) || o.Down() {
		t.Fatalf("the recovery: %v", got)
	}
	o.Failed(ctx, errors.New("connection refused"))
	if got := lines(); len(got) != 4 || !strings.Contains(got[3], "database unavailable") {
		t.Fatalf("the next outage: %v", got)
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
