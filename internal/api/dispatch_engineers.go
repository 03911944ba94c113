package api

// Engineers as dispatch sees them: their profiles, their reported position, and their
// board of jobs for a day.

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/dispatch"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

// registerEngineerRoutes adds engineers' dispatch profiles, positions and boards.
func registerEngineerRoutes(api huma.API, s *Server) {
	tags := []string{"Dispatch"}
	register(api, s, huma.Operation{OperationID: "list-engineer-profiles", Method: http.MethodGet, Path: "/engineers", Tags: tags,
		Summary: "Engineers' dispatch profiles (skills, level, last position)"},
		route{perm: access.OrdersRead}, s.listEngineerProfiles)
	register(api, s, huma.Operation{OperationID: "get-engineer-profile", Method: http.MethodGet, Path: "/engineers/{id}", Tags: tags,
		Summary: "An engineer's dispatch profile (id: the engineer's user id)", Errors: []int{404}},
		route{perm: access.OrdersRead}, s.getEngineerProfile)
	register(api, s, huma.Operation{OperationID: "put-engineer-profile", Method: http.MethodPut, Path: "/engineers/{id}", Tags: tags,
		Summary: "Create (If-Match: \"0\") or change an engineer's dispatch profile", Errors: []int{404, 412, 422, 428}},
		route{perm: access.DispatchConfig}, s.putEngineerProfile)
	register(api, s, huma.Operation{OperationID: "report-position", Method: http.MethodPost, Path: "/me/position", Tags: tags,
		Summary: "Report my position (engineers' devices), for the nearest-engineer rule", DefaultStatus: 204, Errors: []int{409, 422}},
		route{perm: access.OrdersWrite, idem: true}, s.reportPosition)
	register(api, s, huma.Operation{OperationID: "my-board", Method: http.MethodGet, Path: "/me/board", Tags: tags,
		Summary: "My jobs for a day in route order (engineers)"},
		route{perm: access.OrdersRead}, s.myBoard)
}

type profilesIn struct {
	Outlet string `query:"outlet_id" format:"uuid"`
}

type profilesOut struct {
	Body struct {
		Items []dispatch.Profile `json:"items"`
	}
}

func (s *Server) listEngineerProfiles(ctx context.Context, in *profilesIn) (*profilesOut, error) {
	out := &profilesOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.Items, err = dispatch.ListProfiles(ctx, tx, optionalID(in.Outlet))
		return err
	})
	return out, err
}

type profileOut struct {
	ETag string `header:"ETag"`
	Body dispatch.Profile
}

func (s *Server) getEngineerProfile(ctx context.Context, in *IDPath) (*profileOut, error) {
	p, err := within(ctx, s, func(tx *tenants.Tx) (dispatch.Profile, error) { return dispatch.GetProfile(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &profileOut{ETag: etag(p.Version), Body: p}, nil
}

type putProfileIn struct {
	IDPath
	IfMatch
	Body dispatch.Profile
}

func (s *Server) putEngineerProfile(ctx context.Context, in *putProfileIn) (*profileOut, error) {
	v, err := in.versionOrNew()
	if err != nil {
		return nil, err
	}
	p, err := within(ctx, s, func(tx *tenants.Tx) (dispatch.Profile, error) {
		return dispatch.SaveProfile(ctx, tx, in.id(), v, in.Body)
	})
	if err != nil {
		return nil, err
	}
	return &profileOut{ETag: etag(p.Version), Body: p}, nil
}

type positionIn struct{ Body dispatch.Position }

func (s *Server) reportPosition(ctx context.Context, in *positionIn) (*struct{}, error) {
	p := principal(ctx)
	if p.UserID == uuid.Nil {
		return nil, huma.Error403Forbidden("only an engineer signed in as themselves reports a position")
	}
	return nil, s.tx(ctx, func(tx *tenants.Tx) error { return dispatch.SetPosition(ctx, tx, p.UserID, in.Body) })
}

type boardIn struct {
	Date string `query:"date" format:"date" doc:"Default: today in the tenant's time zone"`
}

type boardOut struct {
	Body struct {
		Items []orders.Job `json:"items"`
	}
}

func (s *Server) myBoard(ctx context.Context, in *boardIn) (*boardOut, error) {
	p := principal(ctx)
	if p.UserID == uuid.Nil {
		return nil, huma.Error403Forbidden("the board is an engineer's own")
	}
	day := time.Now()
	if in.Date != "" {
		d, err := time.Parse(time.DateOnly, in.Date)
		if err != nil {
			return nil, fault.Invalid("query.date", "must be a date")
		}
		day = d.Add(12 * time.Hour)
	}
	out := &boardOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.Items, err = s.Orders.Board(ctx, tx, p.UserID, day)
		if out.Body.Items == nil {
			out.Body.Items = []orders.Job{}
		}
		return err
	})
	return out, err
}
