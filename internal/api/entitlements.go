package api

// The entitlement check: is a unit covered, for which fault, with which remedies.

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
)

// CheckBody asks whether a unit is covered.
type CheckBody struct {
	RegistrationID string        `json:"registration_id,omitempty" format:"uuid"`
	ModelSKU       string        `json:"model_sku,omitempty" maxLength:"64"`
	Serial         string        `json:"serial,omitempty" maxLength:"64" doc:"Serial or IMEI, when registration_id is not given"`
	FaultCode      string        `json:"fault_code,omitempty" maxLength:"40"`
	Component      string        `json:"component,omitempty" maxLength:"32" doc:"Component at fault; default from the fault code, else the whole unit"`
	Exclusion      exclusionCode `json:"exclusion,omitempty" doc:"A cause the diagnosis found"`
	Date           string        `json:"date,omitempty" maxLength:"40" pattern:"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T.+)?$" example:"2026-05-01" doc:"The day to judge (YYYY-MM-DD: facts up to the end of that day in the tenant's time zone count), or a moment (an RFC 3339 date-time with its offset, e.g. 2026-05-01T09:30:00+08:00: judged on its date in the tenant's time zone, facts up to that moment count). Default: now. A day or moment before the purchase is refused."`
	Channel        orderChannel  `json:"channel,omitempty"`
}

func (b CheckBody) input() (coverage.CheckInput, error) {
	in := coverage.CheckInput{ModelSKU: b.ModelSKU, Serial: b.Serial, FaultCode: b.FaultCode, Component: b.Component,
		Exclusion: string(b.Exclusion), Channel: string(b.Channel)}
	if b.RegistrationID != "" {
		in.RegistrationID = uuid.MustParse(b.RegistrationID)
	}
	switch {
	case b.Date == "":
	case len(b.Date) == len(time.DateOnly):
		d, err := time.Parse(time.DateOnly, b.Date)
		if err != nil {
			return in, fault.Invalid("date", "is not a date (YYYY-MM-DD)")
		}
		in.Date = &d
	default:
		at, err := time.Parse(time.RFC3339Nano, b.Date)
		if err != nil {
			return in, fault.Invalid("date", "is neither a date (YYYY-MM-DD) nor a date-time with its offset (RFC 3339, e.g. 2026-05-01T09:30:00+08:00)")
		}
		in.At = &at
	}
	return in, nil
}

// registerEntitlementRoutes adds the staff's entitlement check.
func registerEntitlementRoutes(api huma.API, s *Server) {
	register(api, s, huma.Operation{OperationID: "check-entitlement", Method: http.MethodPost, Path: "/entitlements/check",
		Tags:    []string{"Entitlements"},
		Summary: "Is this unit covered for this fault on this day, with which remedies, at what cost and service level, and why",
		Errors:  []int{404, 422}},
		route{perm: access.EntitlementsCheck, reads: true}, s.checkEntitlement)
}

type checkIn struct{ Body CheckBody }

type checkOut struct{ Body coverage.Result }

func (s *Server) checkEntitlement(ctx context.Context, in *checkIn) (*checkOut, error) {
	check, err := in.Body.input()
	if err != nil {
		return nil, err
	}
	out := &checkOut{}
	err = s.read(ctx, func(q db.DBTX) (err error) {
		out.Body, err = coverage.Check(ctx, q, s.History, check)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
