package api

// Sandbox tenants: their test clock, read and advanced by the tenant's admin.

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/complaints"
	"github.com/aftersales/aftersales/internal/events"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/sandbox"
	"github.com/aftersales/aftersales/internal/sla"
	"github.com/aftersales/aftersales/tenants"
)

// registerSandboxRoutes adds the sandbox tenant's test clock.
func registerSandboxRoutes(api huma.API, s *Server) {
	tags := []string{"Sandbox"}
	register(api, s, huma.Operation{OperationID: "get-sandbox-clock", Method: http.MethodGet, Path: "/sandbox/clock", Tags: tags,
		Summary: "The tenant's clock: a sandbox tenant's test clock, or the wall clock of a production tenant"},
		route{}, s.getSandboxClock)
	register(api, s, huma.Operation{OperationID: "advance-sandbox-clock", Method: http.MethodPost, Path: "/sandbox/clock/advance", Tags: tags,
		Summary: "Advance a sandbox tenant's test clock and run what falls due on the way (tenant admins)",
		Description: "Moves the test clock forward to `to`, or by `by`, stopping at each SLA step on the way in time order " +
			"(warnings, breaches, escalations) to fire it at its own moment, and issues the compensation of breached paid promises, " +
			"all before answering. A production tenant's clock is the wall clock: 409. A moment before the clock: 422.",
		Errors: []int{409, 422}},
		route{perm: access.TenantSettings}, s.advanceSandboxClock)
}

// SandboxClock is the tenant's clock (named apart from an order's SLA clocks).
type SandboxClock tenants.Clock

// SandboxClockOutput is the tenant's clock.
type SandboxClockOutput struct {
	Body SandboxClock
}

func (s *Server) getSandboxClock(ctx context.Context, _ *struct{}) (*SandboxClockOutput, error) {
	c, err := within(ctx, s, func(tx *tenants.Tx) (tenants.Clock, error) { return tenants.GetClock(ctx, tx) })
	if err != nil {
		return nil, err
	}
	return &SandboxClockOutput{Body: SandboxClock(c)}, nil
}

type advanceClockIn struct {
	Body struct {
		To *time.Time `json:"to,omitempty" doc:"The moment to move the clock to (RFC 3339); give this or by"`
		By string     `json:"by,omitempty" maxLength:"32" example:"36h" doc:"How far to move the clock: days, hours, minutes, seconds, e.g. 7d, 1d12h, 90m; give this or to"`
	}
}

// AdvanceClockOutput is what an advance did.
type AdvanceClockOutput struct {
	Body sandbox.Advanced
}

func (s *Server) advanceSandboxClock(ctx context.Context, in *advanceClockIn) (*AdvanceClockOutput, error) {
	if (in.Body.To == nil) == (in.Body.By == "") {
		return nil, fault.Invalid("body.to", "give either to or by")
	}
	p := principal(ctx)
	scope := p.Scope(actorMeta(ctx))
	var moment time.Time
	field := "body.to"
	if in.Body.To != nil {
		moment = *in.Body.To
	} else {
		field = "body.by"
		by, err := parseSpan(in.Body.By)
		if err != nil || by <= 0 {
			return nil, fault.Invalid(field, "must be a positive duration such as 7d, 1d12h, 36h or 90m")
		}
		c, err := within(ctx, s, func(tx *tenants.Tx) (tenants.Clock, error) { return tenants.GetClock(ctx, tx) })
		if err != nil {
			return nil, err
		}
		if !c.Sandbox {
			return nil, tenants.ErrNotSandbox
		}
		moment = c.Now.Add(by)
	}
	clock := &sandbox.Clock{DB: s.DB, Timers: &sla.Timers{DB: s.DB, Log: s.Log, Also: []sla.Waker{complaints.Waker(s.DB)}}, Jobs: s.Jobs}
	if s.Billing != nil {
		b := s.Billing
		clock.Reactions = []sandbox.Reaction{{Type: sla.EventBreached, Run: func(ctx context.Context, jobs events.Inserter, ev events.Event) error {
			return b.Compensate(ctx, jobs, ev)
		}}}
	}
	out, err := clock.Advance(ctx, scope, moment, field)
	if err != nil {
		return nil, err
	}
	return &AdvanceClockOutput{Body: out}, nil
}

// parseSpan reads a duration in Go's notation with days in front: 7d, 1d12h, 36h, 90m.
func parseSpan(v string) (time.Duration, error) {
	var days time.Duration
	if d, rest, ok := strings.Cut(v, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 366 {
			return 0, errors.New("days must be a whole number up to 366")
		}
		days, v = time.Duration(n)*24*time.Hour, rest
	}
	if v == "" {
		return days, nil
	}
	rest, err := time.ParseDuration(v)
	if err != nil {
		return 0, err
	}
	return days + rest, nil
}
