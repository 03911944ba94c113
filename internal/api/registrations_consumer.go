package api

// A consumer's registered units with a brand: their coverage today, registering a unit
// they bought, and uploading its invoice.

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/tenants"
)

// ConsumerUnit is a consumer's registered unit with its coverage today.
type ConsumerUnit struct {
	Registration registry.Registration `json:"registration"`
	ModelSKU     string                `json:"model_sku"`
	Class        string                `json:"coverage_class"`
	CoveredUntil string                `json:"covered_until,omitempty"`
	Remedies     []string              `json:"remedies"`
	Tier         string                `json:"tier"`
}

// registerConsumerUnitRoutes adds the consumer's units in a brand's portal.
func registerConsumerUnitRoutes(api huma.API, s *Server) {
	ctags := []string{"Consumer"}
	register(api, s, huma.Operation{OperationID: "consumer-list-units", Method: http.MethodGet, Path: "/consumer/tenants/{tenant}/units",
		Tags: ctags, Summary: "My registered units with this brand, and their coverage today", Errors: []int{404}},
		route{consumer: true}, s.consumerListUnits)
	register(api, s, huma.Operation{OperationID: "consumer-register-unit", Method: http.MethodPost, Path: "/consumer/tenants/{tenant}/units",
		Tags: ctags, Summary: "Register a unit I bought", DefaultStatus: 201, Errors: []int{404, 409, 422}},
		route{consumer: true}, s.consumerRegisterUnit)
	register(api, s, huma.Operation{OperationID: "consumer-put-invoice-image", Method: http.MethodPut,
		Path: "/consumer/tenants/{tenant}/units/{id}/invoice-image", Tags: ctags,
		Summary: "Upload the invoice image of my unit", MaxBodyBytes: registry.MaxInvoiceImageBytes, Errors: []int{404, 413, 422}},
		route{consumer: true}, s.consumerPutInvoiceImage)
}

type unitsOut struct {
	Body struct {
		Items []ConsumerUnit `json:"items"`
	}
}

func (s *Server) consumerListUnits(ctx context.Context, in *TenantPath) (*unitsOut, error) {
	out := &unitsOut{}
	scope, err := s.consumerScope(ctx, in.Tenant)
	if err != nil {
		return nil, err
	}
	var regs []registry.Registration
	err = s.DB.Tx(ctx, scope, func(tx *tenants.Tx) (err error) {
		regs, err = registry.List(ctx, tx, registry.Filter{Limit: 200}) // row-level security: the consumer's own
		return err
	})
	if err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, len(regs))
	for i, r := range regs {
		ids[i] = r.ID
	}
	decisions, err := coverage.ForUnits(ctx, s.DB, scope.TenantID, s.History, ids)
	if err != nil {
		return nil, err
	}
	out.Body.Items = make([]ConsumerUnit, len(regs))
	for i, res := range decisions {
		u := ConsumerUnit{Registration: regs[i], ModelSKU: res.ModelSKU, Class: res.Decision.Class, Remedies: res.Decision.Remedies, Tier: res.Tier.Code}
		if res.Decision.CoveredUntil != nil {
			u.CoveredUntil = res.Decision.CoveredUntil.String()
		}
		out.Body.Items[i] = u
	}
	return out, nil
}

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

func (s *Server) consumerRegisterUnit(ctx context.Context, in *registerIn) (*RegistrationOutput, error) {
	var r registry.Registration
	err := s.consumerTx(ctx, in.Tenant, true, func(tx *tenants.Tx) (err error) {
		b := in.Body
		r, err = registry.Register(ctx, tx, registry.Input{ModelSKU: b.ModelSKU, Serial: b.Serial, PurchaseDate: b.PurchaseDate,
			InvoiceNo: b.InvoiceNo, InvoiceDate: b.InvoiceDate, InvoiceImage: b.InvoiceImage, HasWarrantyCard: b.HasWarrantyCard,
			Seller: b.Seller, Buyer: &registry.Party{CustomerID: tx.Scope.CustomerID.String()}}, registry.ChannelConsumer)
		return err
	})
	if err != nil {
		return nil, consumerDuplicateProblem(err)
	}
	return &RegistrationOutput{ETag: etag(r.Version), Body: r}, nil
}

// consumerDuplicateProblem is what a consumer learns of a unit registered already, theirs or
// another customer's alike: that they cannot register it, never which registration holds
// it or where (staff get that from duplicateProblem).
func consumerDuplicateProblem(err error) error {
	var dup *registry.DuplicateError
	if errors.As(err, &dup) {
		return huma.Error409Conflict("this product cannot be registered to your account; contact the brand")
	}
	return err
}

type consumerInvoiceIn struct {
	TenantPath
	IDPath
	RawBody []byte `contentType:"image/jpeg" doc:"JPEG, PNG, WebP or PDF"`
}

func (s *Server) consumerPutInvoiceImage(ctx context.Context, in *consumerInvoiceIn) (*RegistrationOutput, error) {
	var r registry.Registration
	err := s.consumerTx(ctx, in.Tenant, true, func(tx *tenants.Tx) (err error) {
		if r, err = registry.Get(ctx, tx, in.id()); err != nil { // another's unit is not found
			return err
		}
		r, err = registry.PutInvoiceImage(ctx, tx, r.ID, in.RawBody)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &RegistrationOutput{ETag: etag(r.Version), Body: r}, nil
}
