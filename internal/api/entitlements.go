package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/tenants"
)

// CheckBody asks whether a unit is covered.
type CheckBody struct {
	RegistrationID string        `json:"registration_id,omitempty" format:"uuid"`
	ModelSKU       string        `json:"model_sku,omitempty" maxLength:"64"`
	Serial         string        `json:"serial,omitempty" maxLength:"64" doc:"Serial or IMEI, when registration_id is not given"`
	FaultCode      string        `json:"fault_code,omitempty" maxLength:"40"`
	Component      string        `json:"component,omitempty" maxLength:"32" doc:"Component at fault; default from the fault code, else the whole unit"`
	Exclusion      exclusionCode `json:"exclusion,omitempty" doc:"A cause the diagnosis found"`
	Date           string        `json:"date,omitempty" format:"date" doc:"Day to judge; default today in the tenant's time zone"`
	Channel        orderChannel  `json:"channel,omitempty"`
}

func (b CheckBody) input() coverage.CheckInput {
	in := coverage.CheckInput{ModelSKU: b.ModelSKU, Serial: b.Serial, FaultCode: b.FaultCode, Component: b.Component,
		Exclusion: string(b.Exclusion), Channel: string(b.Channel)}
	if b.RegistrationID != "" {
		in.RegistrationID = uuid.MustParse(b.RegistrationID)
	}
	if b.Date != "" {
		d, _ := time.Parse(time.DateOnly, b.Date)
		in.Date = &d
	}
	return in
}

// TenantPath names a tenant by slug in consumer and public routes.
type TenantPath struct {
	Tenant string `path:"tenant" pattern:"^[a-z0-9][a-z0-9-]{1,62}$" doc:"Tenant slug"`
}

// ConsumerUnit is a consumer's registered unit with its coverage today.
type ConsumerUnit struct {
	Registration registry.Registration `json:"registration"`
	ModelSKU     string                `json:"model_sku"`
	Class        string                `json:"coverage_class"`
	CoveredUntil string                `json:"covered_until,omitempty"`
	Remedies     []string              `json:"remedies"`
	Tier         string                `json:"tier"`
}

func registerEntitlements(s *Server) {
	tags := []string{"Entitlements"}
	type checkIn struct{ Body CheckBody }
	type checkOut struct{ Body coverage.Result }
	register(s, huma.Operation{OperationID: "check-entitlement", Method: http.MethodPost, Path: "/v1/entitlements/check", Tags: tags,
		Summary: "Is this unit covered for this fault on this day, with which remedies, at what cost and service level, and why",
		Errors:  []int{404, 422}},
		route{perm: access.EntitlementsCheck, reads: true}, func(ctx context.Context, in *checkIn) (*checkOut, error) {
			out := &checkOut{}
			err := s.read(ctx, func(q db.DBTX) (err error) {
				out.Body, err = coverage.Check(ctx, q, s.history(), in.Body.input())
				return err
			})
			if err != nil {
				return nil, err
			}
			return out, nil
		})

	// Consumer self-service in one tenant (a brand's portal).
	ctags := []string{"Consumer"}
	type unitsOut struct {
		Body struct {
			Items []ConsumerUnit `json:"items"`
		}
	}
	register(s, huma.Operation{OperationID: "consumer-list-units", Method: http.MethodGet, Path: "/v1/consumer/tenants/{tenant}/units",
		Tags: ctags, Summary: "My registered units with this brand, and their coverage today", Errors: []int{404}},
		route{consumer: true}, func(ctx context.Context, in *TenantPath) (*unitsOut, error) {
			out := &unitsOut{}
			err := s.consumerTx(ctx, in.Tenant, func(tx *tenants.Tx, me customers.Customer) error {
				regs, err := registry.List(ctx, tx, registry.Filter{Customer: uuid.NullUUID{UUID: me.ID, Valid: true}, Limit: 200})
				if err != nil {
					return err
				}
				out.Body.Items = make([]ConsumerUnit, 0, len(regs))
				for _, r := range regs {
					res, err := coverage.Check(ctx, tx, s.history(), coverage.CheckInput{RegistrationID: r.ID, Channel: "web"})
					if err != nil {
						return err
					}
					u := ConsumerUnit{Registration: r, ModelSKU: res.ModelSKU, Class: res.Decision.Class, Remedies: res.Decision.Remedies, Tier: res.Tier.Code}
					if res.Decision.CoveredUntil != nil {
						u.CoveredUntil = res.Decision.CoveredUntil.String()
					}
					out.Body.Items = append(out.Body.Items, u)
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
			return out, nil
		})

	type registerIn struct {
		TenantPath
		Body struct {
			ModelSKU        string `json:"model_sku" minLength:"1" maxLength:"64"`
			Serial          string `json:"serial" minLength:"1" maxLength:"64"`
			PurchaseDate    string `json:"purchase_date" format:"date"`
			InvoiceNo       string `json:"invoice_no,omitempty" maxLength:"64"`
			InvoiceDate     string `json:"invoice_date,omitempty" format:"date"`
			InvoiceImage    string `json:"invoice_image,omitempty" maxLength:"500"`
			HasWarrantyCard bool   `json:"has_warranty_card,omitempty"`
			Seller          string `json:"seller,omitempty" maxLength:"200"`
		}
	}
	register(s, huma.Operation{OperationID: "consumer-register-unit", Method: http.MethodPost, Path: "/v1/consumer/tenants/{tenant}/units",
		Tags: ctags, Summary: "Register a unit I bought", DefaultStatus: 201, Errors: []int{404, 409, 422}},
		route{consumer: true}, func(ctx context.Context, in *registerIn) (*RegistrationOutput, error) {
			var r registry.Registration
			err := s.consumerTx(ctx, in.Tenant, func(tx *tenants.Tx, me customers.Customer) (err error) {
				b := in.Body
				r, err = registry.Register(ctx, tx, registry.Input{ModelSKU: b.ModelSKU, Serial: b.Serial, PurchaseDate: b.PurchaseDate,
					InvoiceNo: b.InvoiceNo, InvoiceDate: b.InvoiceDate, InvoiceImage: b.InvoiceImage, HasWarrantyCard: b.HasWarrantyCard,
					Seller: b.Seller, Buyer: &registry.Party{CustomerID: me.ID.String()}}, registry.ChannelConsumer)
				return err
			})
			if err != nil {
				return nil, duplicateProblem(err)
			}
			return &RegistrationOutput{ETag: etag(r.Version), Body: r}, nil
		})

	type consumerInvoiceIn struct {
		TenantPath
		IDPath
		RawBody []byte `contentType:"image/jpeg" doc:"JPEG, PNG, WebP or PDF"`
	}
	register(s, huma.Operation{OperationID: "consumer-put-invoice-image", Method: http.MethodPut,
		Path: "/v1/consumer/tenants/{tenant}/units/{id}/invoice-image", Tags: ctags,
		Summary: "Upload the invoice image of my unit", MaxBodyBytes: registry.MaxInvoiceImageBytes, Errors: []int{404, 413, 422}},
		route{consumer: true}, func(ctx context.Context, in *consumerInvoiceIn) (*RegistrationOutput, error) {
			var r registry.Registration
			err := s.consumerTx(ctx, in.Tenant, func(tx *tenants.Tx, me customers.Customer) (err error) {
				if r, err = registry.Get(ctx, tx, in.id()); err != nil {
					return err
				}
				if !owns(r, me.ID) {
					return tenants.ErrNotFound // someone else's unit is indistinguishable from none
				}
				r, err = registry.PutInvoiceImage(ctx, tx, r.ID, in.RawBody)
				return err
			})
			if err != nil {
				return nil, err
			}
			return &RegistrationOutput{ETag: etag(r.Version), Body: r}, nil
		})

	// Public coverage check: serial and the last four digits of the buyer's or user's phone.
	type publicIn struct {
		TenantPath
		Serial     string `query:"serial" required:"true" minLength:"1" maxLength:"64"`
		PhoneLast4 string `query:"phone_last4" required:"true" pattern:"^[0-9]{4}$"`
	}
	type publicOut struct {
		Body struct {
			ModelSKU     string `json:"model_sku"`
			PurchaseDate string `json:"purchase_date"`
			Class        string `json:"coverage_class"`
			CoveredUntil string `json:"covered_until,omitempty"`
		}
	}
	register(s, huma.Operation{OperationID: "public-coverage", Method: http.MethodGet, Path: "/v1/public/tenants/{tenant}/coverage",
		Tags: []string{"Public"}, Summary: "Check a unit's coverage without signing in (serial + last 4 digits of the phone)",
		Description: "Reveals only the model, purchase date and coverage; any mismatch is the same 404.",
		Errors:      []int{404, 422, 429}},
		route{public: true}, func(ctx context.Context, in *publicIn) (*publicOut, error) {
			meta := actorMeta(ctx)
			for _, key := range []string{"public:ip:" + meta.IP, "public:serial:" + in.Serial} {
				if ok, wait := s.Limiter.Allow(ctx, key, platform.PerMinute(publicLimit(s.Config))); !ok {
					return nil, rateLimited(wait)
				}
			}
			tenantID, err := s.tenantBySlug(ctx, in.Tenant)
			if err != nil {
				return nil, err
			}
			out := &publicOut{}
			scope := tenants.Scope{TenantID: tenantID, Actor: tenants.Actor{Kind: "system", Label: "public coverage check", IP: meta.IP, RequestID: meta.RequestID}}
			err = s.DB.Read(ctx, scope, func(q db.DBTX) error {
				check := coverage.CheckInput{Serial: strings.TrimSpace(in.Serial), Channel: "web", NoTier: true}
				if check.Serial == "" {
					return tenants.ErrNotFound
				}
				units, err := coverage.LoadFacts(ctx, q, check)
				if err != nil {
					return err
				}
				for _, u := range units {
					if !lastFour(u.BuyerPhone, in.PhoneLast4) && !lastFour(u.UserPhone, in.PhoneLast4) {
						continue
					}
					res, err := coverage.Decide(u, s.history(), check)
					if err != nil {
						return err
					}
					out.Body.ModelSKU, out.Body.PurchaseDate, out.Body.Class = res.ModelSKU, u.Registration.PurchaseDate, res.Decision.Class
					if res.Decision.CoveredUntil != nil {
						out.Body.CoveredUntil = res.Decision.CoveredUntil.String()
					}
					return nil
				}
				return tenants.ErrNotFound
			})
			if err != nil {
				return nil, err
			}
			return out, nil
		})
}

func owns(r registry.Registration, customer uuid.UUID) bool {
	return (r.BuyerID != nil && *r.BuyerID == customer) || (r.UserID != nil && *r.UserID == customer)
}

// publicLimit is the public checks allowed per minute per IP and per serial (default 20).
func publicLimit(c platform.Config) int {
	if c.RatePublicPerMinute <= 0 {
		return 20
	}
	return c.RatePublicPerMinute
}

func lastFour(phone, last4 string) bool {
	return len(phone) >= 4 && phone[len(phone)-4:] == last4
}

// history is where repair history comes from; service orders will supply it.
func (s *Server) history() coverage.HistorySource {
	if s.History != nil {
		return s.History
	}
	return orders.History{} // repair history from service orders
}

// tenantBySlug resolves a public tenant slug; unknown and inactive tenants are not found.
func (s *Server) tenantBySlug(ctx context.Context, slug string) (uuid.UUID, error) {
	if id, ok := s.slugs.get(slug, time.Now()); ok {
		return id, nil
	}
	var id uuid.UUID
	err := s.DB.GlobalRead(ctx, func(q db.DBTX) error {
		t, err := db.New().GetTenantBySlug(ctx, q, slug)
		if err != nil {
			return tenants.DBError(err, "", "")
		}
		if t.Status == "suspended" {
			return tenants.ErrNotFound
		}
		id = t.ID
		return nil
	})
	if err == nil {
		s.slugs.put(slug, id, time.Now())
	}
	return id, err
}

// consumerTx runs fn in a tenant's scope as the signed-in consumer, with their customer
// record there (created on first contact).
func (s *Server) consumerTx(ctx context.Context, slug string, fn func(tx *tenants.Tx, me customers.Customer) error) error {
	tenantID, err := s.tenantBySlug(ctx, slug)
	if err != nil {
		return err
	}
	p := principal(ctx)
	meta := actorMeta(ctx)
	meta.Kind, meta.ID, meta.Label = "consumer", p.ConsumerID, p.Label
	return s.DB.Tx(ctx, tenants.Scope{TenantID: tenantID, Actor: meta}, func(tx *tenants.Tx) error {
		me, err := customers.ForConsumer(ctx, tx, p.ConsumerID)
		if err != nil {
			return err
		}
		return fn(tx, me)
	})
}

func rateLimited(wait time.Duration) error {
	secs := int(wait.Seconds()) + 1
	return huma.ErrorWithHeaders(huma.Error429TooManyRequests("too many checks; retry later"),
		http.Header{"Retry-After": {itoa(secs)}})
}
