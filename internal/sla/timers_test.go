package sla

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/notify"
)

// TestDueTimeAsNotify: messages print due times as notify.FormatTime does.
func TestDueTimeAsNotify(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 25, 23, 30, 0, 0, time.UTC)
	for _, tz := range []string{"Asia/Shanghai", "Europe/Berlin", "UTC", "", "Nowhere/Land"} {
		if got, want := at.In(location(tz)).Format(dueTimeLayout), notify.FormatTime(at, tz); got != want {
			t.Errorf("%q: %s, notify %s", tz, got, want)
		}
	}
}

// TestWakeParams: a step to come is woken at its time rounded up to the whole second, in
// UTC, scheduled; steps already due share the wake of the current second rounded down,
// available at once; each second is queued once, in time order.
func TestWakeParams(t *testing.T) {
	t.Parallel()
	tenant := uuid.New()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 8, 0, 10, 400_000_000, time.UTC)
	steps := []time.Time{
		time.Date(2026, 11, 25, 17, 0, 12, 300_000_000, shanghai), // 09:00:12.3 UTC, in another zone
		now.Add(-time.Hour),                            // due: the current second
		now.Add(1800 * time.Millisecond),               // 08:00:12.2: the same second as the first
		time.Date(2026, 11, 25, 8, 0, 11, 0, time.UTC), // a whole second stays
		now,                             // due at this very moment
		now.Add(100 * time.Millisecond), // 08:00:10.5: up to 08:00:11
		time.Date(2026, 11, 25, 9, 0, 12, 300_000_000, time.UTC), // the first again, in UTC
	}
	got := wakeParams(tenant, steps, now)
	want := []struct {
		at        string
		scheduled bool
	}{
		{"2026-11-25T08:00:10Z", false},
		{"2026-11-25T08:00:11Z", true},
		{"2026-11-25T08:00:13Z", true},
		{"2026-11-25T09:00:13Z", true},
	}
	if len(got) != len(want) {
		t.Fatalf("%d wakes, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		a, ok := got[i].Args.(WakeArgs)
		if !ok || a.TenantID != tenant {
			t.Fatalf("wake %d: args %+v", i, got[i].Args)
		}
		if a.At.Location() != time.UTC || a.At.Format(time.RFC3339Nano) != w.at {
			t.Errorf("wake %d at %s (%s), want %s in UTC", i, a.At.Format(time.RFC3339Nano), a.At.Location(), w.at)
		}
		o := got[i].InsertOpts
		if o == nil || o.Queue != Queue || !o.UniqueOpts.ByArgs {
			t.Fatalf("wake %d: insert options %+v", i, o)
		}
		if w.scheduled != !o.ScheduledAt.IsZero() || (w.scheduled && !o.ScheduledAt.Equal(a.At)) {
			t.Errorf("wake %d at %s: scheduled at %v, want scheduled %v", i, w.at, o.ScheduledAt, w.scheduled)
		}
		// River's unique key hashes the encoded args: equal seconds encode equal.
		if b, _ := json.Marshal(a); string(b) != `{"tenant_id":"`+tenant.String()+`","at":"`+w.at+`"}` {
			t.Errorf("wake %d encodes as %s", i, b)
		}
	}
	if n := len(wakeParams(tenant, nil, now)); n != 0 {
		t.Errorf("no steps: %d wakes", n)
	}
}

// TestWakeUnique: wakes are unique in every state before they finish (River requires
// available, pending, running and scheduled) and not after, so a step queued after its
// second's wake completed gets one.
func TestWakeUnique(t *testing.T) {
	t.Parallel()
	o := WakeArgs{}.InsertOpts()
	if o.Queue != Queue || !o.UniqueOpts.ByArgs || o.UniqueOpts.ByQueue || o.UniqueOpts.ByPeriod != 0 {
		t.Fatalf("insert options %+v", o)
	}
	got := fmt.Sprint(o.UniqueOpts.ByState)
	if got != "[available pending running scheduled retryable]" {
		t.Fatalf("unique by state %s", got)
	}
}

// TestTurnsShared: the wakes of one tenant under way in a process share its transaction
// tokens; another tenant has its own; the last wake over forgets the tenant.
func TestTurnsShared(t *testing.T) {
	t.Parallel()
	var tm Timers
	a, b := uuid.New(), uuid.New()
	semA1, releaseA1 := tm.turns(a)
	semA2, releaseA2 := tm.turns(a)
	semB, releaseB := tm.turns(b)
	if semA1 != semA2 || semA1 == semB || cap(semA1) != wakeParallel {
		t.Fatalf("tokens: a %p and %p, b %p, capacity %d", semA1, semA2, semB, cap(semA1))
	}
	releaseA1()
	if _, ok := tm.busy[a]; !ok {
		t.Fatal("tenant forgotten while a wake is still under way")
	}
	releaseA2()
	releaseB()
	if len(tm.busy) != 0 {
		t.Fatalf("busy after every wake: %v", tm.busy)
	}
}
