package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/dispatch"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/tenants"
)

func registerDispatch(api huma.API, s *Server) {
	tags := []string{"Dispatch"}

	type coverageOut struct {
		Body struct {
			Items []dispatch.Coverage `json:"items"`
		}
	}
	register(api, s, huma.Operation{OperationID: "list-outlet-coverage", Method: http.MethodGet, Path: "/outlets/{id}/coverage", Tags: tags,
		Summary: "Regions the outlet serves", Errors: []int{404}},
		route{perm: access.OutletsRead}, func(ctx context.Context, in *IDPath) (*coverageOut, error) {
			out := &coverageOut{}
			err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
				out.Body.Items, err = dispatch.ListCoverage(ctx, tx, in.id())
				return err
			})
			return out, err
		})
	type addCoverageIn struct {
		IDPath
		Body dispatch.Coverage
	}
	type oneCoverageOut struct{ Body dispatch.Coverage }
	register(api, s, huma.Operation{OperationID: "add-outlet-coverage", Method: http.MethodPost, Path: "/outlets/{id}/coverage", Tags: tags,
		Summary: "Add a region the outlet serves (province, city or district code prefix)", DefaultStatus: 201, Errors: []int{404, 422}},
		route{perm: access.DispatchConfig}, func(ctx context.Context, in *addCoverageIn) (*oneCoverageOut, error) {
			c, err := within(ctx, s, func(tx *tenants.Tx) (dispatch.Coverage, error) {
				return dispatch.AddCoverage(ctx, tx, in.id(), in.Body)
			})
			if err != nil {
				return nil, err
			}
			return &oneCoverageOut{Body: c}, nil
		})
	register(api, s, huma.Operation{OperationID: "get-outlet-coverage", Method: http.MethodGet, Path: "/outlet-coverage/{id}", Tags: tags,
		Summary: "One region an outlet serves", Errors: []int{404}},
		route{perm: access.OutletsRead}, func(ctx context.Context, in *IDPath) (*oneCoverageOut, error) {
			c, err := within(ctx, s, func(tx *tenants.Tx) (dispatch.Coverage, error) { return dispatch.GetCoverage(ctx, tx, in.id()) })
			if err != nil {
				return nil, err
			}
			return &oneCoverageOut{Body: c}, nil
		})
	register(api, s, huma.Operation{OperationID: "remove-outlet-coverage", Method: http.MethodDelete, Path: "/outlet-coverage/{id}", Tags: tags,
		Summary: "Remove a region from an outlet", DefaultStatus: 204, Errors: []int{404}},
		route{perm: access.DispatchConfig}, func(ctx context.Context, in *IDPath) (*struct{}, error) {
			return nil, s.tx(ctx, func(tx *tenants.Tx) error { return dispatch.RemoveCoverage(ctx, tx, in.id()) })
		})

	type authsOut struct {
		Body struct {
			CategoryIDs []uuid.UUID `json:"category_ids"`
		}
	}
	register(api, s, huma.Operation{OperationID: "list-outlet-authorizations", Method: http.MethodGet, Path: "/outlets/{id}/authorizations",
		Tags: tags, Summary: "Product categories the brand authorized the outlet to service", Errors: []int{404}},
		route{perm: access.OutletsRead}, func(ctx context.Context, in *IDPath) (*authsOut, error) {
			out := &authsOut{}
			err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
				out.Body.CategoryIDs, err = dispatch.Authorizations(ctx, tx, in.id())
				return err
			})
			return out, err
		})
	type authIn struct {
		IDPath
		Body struct {
			CategoryID uuid.UUID `json:"category_id"`
			Authorized bool      `json:"authorized" doc:"false withdraws the authorization"`
		}
	}
	register(api, s, huma.Operation{OperationID: "set-outlet-authorization", Method: http.MethodPost, Path: "/outlets/{id}/authorizations",
		Tags: tags, Summary: "Authorize an outlet for a product category, or withdraw it", Errors: []int{404, 422}},
		route{perm: access.DispatchConfig}, func(ctx context.Context, in *authIn) (*authsOut, error) {
			out := &authsOut{}
			err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
				if in.Body.Authorized {
					err = dispatch.Authorize(ctx, tx, in.id(), in.Body.CategoryID)
				} else if err = dispatch.Revoke(ctx, tx, in.id(), in.Body.CategoryID); err == tenants.ErrNotFound {
					err = nil // withdrawing what was never granted changes nothing
				}
				if err != nil {
					return err
				}
				out.Body.CategoryIDs, err = dispatch.Authorizations(ctx, tx, in.id())
				return err
			})
			return out, err
		})

	type capacityIn struct {
		IDPath
		IfMatch
		Body struct {
			DailyCapacity int `json:"daily_capacity" minimum:"0" maximum:"100000" doc:"Orders per day; 0 means no limit"`
		}
	}
	type capacityOut struct {
		ETag string `header:"ETag"`
		Body struct {
			DailyCapacity int `json:"daily_capacity"`
		}
	}
	register(api, s, huma.Operation{OperationID: "set-outlet-capacity", Method: http.MethodPut, Path: "/outlets/{id}/capacity", Tags: tags,
		Summary: "Set how many orders the outlet takes per day (If-Match: the outlet's ETag)", Errors: []int{404, 412, 422, 428}},
		route{perm: access.DispatchConfig}, func(ctx context.Context, in *capacityIn) (*capacityOut, error) {
			v, err := in.version()
			if err != nil {
				return nil, err
			}
			nv, err := within(ctx, s, func(tx *tenants.Tx) (int32, error) {
				return dispatch.SetCapacity(ctx, tx, in.id(), v, in.Body.DailyCapacity)
			})
			if err != nil {
				return nil, err
			}
			out := &capacityOut{ETag: etag(nv)}
			out.Body.DailyCapacity = in.Body.DailyCapacity
			return out, nil
		})

	// Engineers.
	type profilesIn struct {
		Outlet string `query:"outlet_id" format:"uuid"`
	}
	type profilesOut struct {
		Body struct {
			Items []dispatch.Profile `json:"items"`
		}
	}
	register(api, s, huma.Operation{OperationID: "list-engineer-profiles", Method: http.MethodGet, Path: "/engineers", Tags: tags,
		Summary: "Engineers' dispatch profiles (skills, level, last position)"},
		route{perm: access.OrdersRead}, func(ctx context.Context, in *profilesIn) (*profilesOut, error) {
			out := &profilesOut{}
			err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
				out.Body.Items, err = dispatch.ListProfiles(ctx, tx, optionalID(in.Outlet))
				return err
			})
			return out, err
		})
	type profileOut struct {
		ETag string `header:"ETag"`
		Body dispatch.Profile
	}
	register(api, s, huma.Operation{OperationID: "get-engineer-profile", Method: http.MethodGet, Path: "/engineers/{id}", Tags: tags,
		Summary: "An engineer's dispatch profile (id: the engineer's user id)", Errors: []int{404}},
		route{perm: access.OrdersRead}, func(ctx context.Context, in *IDPath) (*profileOut, error) {
			p, err := within(ctx, s, func(tx *tenants.Tx) (dispatch.Profile, error) { return dispatch.GetProfile(ctx, tx, in.id()) })
			if err != nil {
				return nil, err
			}
			return &profileOut{ETag: etag(p.Version), Body: p}, nil
		})
	type putProfileIn struct {
		IDPath
		IfMatch
		Body dispatch.Profile
	}
	register(api, s, huma.Operation{OperationID: "put-engineer-profile", Method: http.MethodPut, Path: "/engineers/{id}", Tags: tags,
		Summary: "Create (If-Match: \"0\") or change an engineer's dispatch profile", Errors: []int{404, 412, 422, 428}},
		route{perm: access.DispatchConfig}, func(ctx context.Context, in *putProfileIn) (*profileOut, error) {
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
		})

	type positionIn struct{ Body dispatch.Position }
	register(api, s, huma.Operation{OperationID: "report-position", Method: http.MethodPost, Path: "/me/position", Tags: tags,
		Summary: "Report my position (engineers' devices), for the nearest-engineer rule", DefaultStatus: 204, Errors: []int{409, 422}},
		route{perm: access.OrdersWrite}, func(ctx context.Context, in *positionIn) (*struct{}, error) {
			p := principal(ctx)
			if p.UserID == uuid.Nil {
				return nil, huma.Error403Forbidden("only an engineer signed in as themselves reports a position")
			}
			return nil, s.tx(ctx, func(tx *tenants.Tx) error { return dispatch.SetPosition(ctx, tx, p.UserID, in.Body) })
		})
	type boardIn struct {
		Date string `query:"date" format:"date" doc:"Default: today in the tenant's time zone"`
	}
	type boardOut struct {
		Body struct {
			Items []orders.Job `json:"items"`
		}
	}
	register(api, s, huma.Operation{OperationID: "my-board", Method: http.MethodGet, Path: "/me/board", Tags: tags,
		Summary: "My jobs for a day in route order (engineers)"},
		route{perm: access.OrdersRead}, func(ctx context.Context, in *boardIn) (*boardOut, error) {
			p := principal(ctx)
			if p.UserID == uuid.Nil {
				return nil, huma.Error403Forbidden("the board is an engineer's own")
			}
			day := time.Now()
			if in.Date != "" {
				d, err := time.Parse(time.DateOnly, in.Date)
				if err != nil {
					return nil, tenants.Invalid("query.date", "must be a date")
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
		})

	// Order rules.
	type typesOut struct {
		Body struct {
			Items []orders.Type `json:"items"`
		}
	}
	register(api, s, huma.Operation{OperationID: "list-order-types", Method: http.MethodGet, Path: "/order-types", Tags: tags,
		Summary: "Order types of the tenant (the built-in ones until changed)"},
		route{perm: access.OrdersRead}, func(ctx context.Context, _ *struct{}) (*typesOut, error) {
			out := &typesOut{}
			err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
				out.Body.Items, err = orders.Types(ctx, tx)
				return err
			})
			return out, err
		})
	type typeIn struct{ Body orders.Type }
	type typeOut struct{ Body orders.Type }
	register(api, s, huma.Operation{OperationID: "save-order-type", Method: http.MethodPost, Path: "/order-types", Tags: tags,
		Summary: "Add or change an order type (by code)", Errors: []int{422}},
		route{perm: access.DispatchConfig}, func(ctx context.Context, in *typeIn) (*typeOut, error) {
			t, err := within(ctx, s, func(tx *tenants.Tx) (orders.Type, error) { return orders.SaveType(ctx, tx, in.Body) })
			if err != nil {
				return nil, err
			}
			return &typeOut{Body: t}, nil
		})
	type settingsOut struct {
		ETag string `header:"ETag"`
		Body orders.Settings
	}
	register(api, s, huma.Operation{OperationID: "get-order-settings", Method: http.MethodGet, Path: "/order-settings", Tags: tags,
		Summary: "The tenant's order rules: repeat window, engineer rule order, appointment windows"},
		route{perm: access.OrdersRead}, func(ctx context.Context, _ *struct{}) (*settingsOut, error) {
			st, err := within(ctx, s, func(tx *tenants.Tx) (orders.Settings, error) { return orders.GetSettings(ctx, tx) })
			if err != nil {
				return nil, err
			}
			return &settingsOut{ETag: etag(st.Version), Body: st}, nil
		})
	type putSettingsIn struct {
		IfMatch
		Body orders.Settings
	}
	register(api, s, huma.Operation{OperationID: "put-order-settings", Method: http.MethodPut, Path: "/order-settings", Tags: tags,
		Summary: "Change the tenant's order rules (If-Match: \"0\" before the first change)", Errors: []int{412, 422, 428}},
		route{perm: access.DispatchConfig}, func(ctx context.Context, in *putSettingsIn) (*settingsOut, error) {
			v, err := in.versionOrNew()
			if err != nil {
				return nil, err
			}
			st, err := within(ctx, s, func(tx *tenants.Tx) (orders.Settings, error) { return orders.SaveSettings(ctx, tx, v, in.Body) })
			if err != nil {
				return nil, err
			}
			return &settingsOut{ETag: etag(st.Version), Body: st}, nil
		})
}
