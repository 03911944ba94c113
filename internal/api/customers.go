package api

// Customers: the list, lookup of a caller by phone, their records, and their value for
// service tiers. Contact data is masked for roles that do not need it.

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/coverage"
	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// CustomerOutput is one customer with its ETag.
type CustomerOutput struct {
	ETag string `header:"ETag"`
	Body customers.Customer
}

// customerOut is one customer with its ETag, as the customers package read it for the
// caller's scope (masked where the scope masks contacts).
func customerOut(c customers.Customer) *CustomerOutput {
	return &CustomerOutput{ETag: etag(c.Version), Body: c}
}

// registerCustomerRoutes adds customers.
func registerCustomerRoutes(api huma.API, s *Server) {
	tags := []string{"Customers"}
	register(api, s, huma.Operation{OperationID: "list-customers", Method: http.MethodGet, Path: "/customers", Tags: tags,
		Summary: "List customers (contact data masked for roles that do not need it)"},
		route{perm: access.CustomersRead}, s.listCustomers)
	register(api, s, huma.Operation{OperationID: "lookup-customer", Method: http.MethodGet, Path: "/customers/lookup", Tags: tags,
		Summary: "Look up a caller by phone: a repeat customer is flagged with their units", Errors: []int{422}},
		route{perm: access.CustomersRead}, s.lookupCustomer)
	register(api, s, huma.Operation{OperationID: "create-customer", Method: http.MethodPost, Path: "/customers", Tags: tags,
		Summary: "Create a customer", DefaultStatus: 201, Errors: []int{422}},
		route{perm: access.CustomersWrite, idem: true}, s.createCustomer)
	register(api, s, huma.Operation{OperationID: "get-customer", Method: http.MethodGet, Path: "/customers/{id}", Tags: tags,
		Summary: "Get a customer", Errors: []int{404}},
		route{perm: access.CustomersRead}, s.getCustomer)
	register(api, s, huma.Operation{OperationID: "update-customer", Method: http.MethodPut, Path: "/customers/{id}", Tags: tags,
		Summary: "Replace a customer's fields", Errors: []int{404, 412, 422, 428}},
		route{perm: access.CustomersWrite}, s.updateCustomer)
}

// registerCustomerValueRoutes adds setting what places a customer in a service tier.
func registerCustomerValueRoutes(api huma.API, s *Server) {
	register(api, s, huma.Operation{OperationID: "set-customer-value", Method: http.MethodPut, Path: "/customers/{id}/value",
		Tags: []string{"Customers"}, Summary: "Set a customer's value, contracts and tier override (audited)",
		Errors: []int{404, 412, 422, 428}},
		route{perm: access.PoliciesWrite}, s.setCustomerValue)
}

type listCustomersIn struct {
	PageQuery
	Phone string `query:"phone" maxLength:"32" doc:"Find by phone (repeat customers)"`
}

func (s *Server) listCustomers(ctx context.Context, in *listCustomersIn) (*PageOutput[customers.Customer], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]customers.Customer, error) {
		return customers.List(ctx, tx, after, in.Phone, in.limit()+1)
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(c customers.Customer) uuid.UUID { return c.ID }), nil
}

type lookupIn struct {
	Phone string `query:"phone" required:"true" minLength:"3" maxLength:"32" doc:"Phone in any common format"`
}

type lookupOut struct {
	Body struct {
		Repeat    bool                 `json:"repeat" doc:"The caller is a known customer"`
		Customers []customers.Customer `json:"customers"`
		Units     int64                `json:"units" doc:"Units they bought or use"`
	}
}

func (s *Server) lookupCustomer(ctx context.Context, in *lookupIn) (*lookupOut, error) {
	out := &lookupOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) error {
		found, err := customers.List(ctx, tx, uuid.NullUUID{}, in.Phone, 20)
		if err != nil {
			return err
		}
		out.Body.Customers = make([]customers.Customer, 0, len(found))
		for _, c := range found {
			n, err := tx.Q.CountUnitsOfCustomer(ctx, tx, db.CountUnitsOfCustomerParams{TenantID: tx.Scope.TenantID,
				CustomerID: uuid.NullUUID{UUID: c.ID, Valid: true}})
			if err != nil {
				return err
			}
			out.Body.Units += n
			out.Body.Customers = append(out.Body.Customers, c)
		}
		out.Body.Repeat = len(found) > 0
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type createCustomerIn struct{ Body customers.Fields }

func (s *Server) createCustomer(ctx context.Context, in *createCustomerIn) (*CustomerOutput, error) {
	c, err := within(ctx, s, func(tx *tenants.Tx) (customers.Customer, error) { return customers.Create(ctx, tx, in.Body) })
	if err != nil {
		return nil, err
	}
	return customerOut(c), nil
}

func (s *Server) getCustomer(ctx context.Context, in *IDPath) (*CustomerOutput, error) {
	c, err := within(ctx, s, func(tx *tenants.Tx) (customers.Customer, error) { return customers.Get(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return customerOut(c), nil
}

type updateCustomerIn struct {
	IDPath
	IfMatch
	Body customers.Fields
}

func (s *Server) updateCustomer(ctx context.Context, in *updateCustomerIn) (*CustomerOutput, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	c, err := within(ctx, s, func(tx *tenants.Tx) (customers.Customer, error) {
		return customers.Update(ctx, tx, in.id(), v, in.Body)
	})
	if err != nil {
		return nil, err
	}
	return customerOut(c), nil
}

type valueIn struct {
	IDPath
	IfMatch
	Body customers.ValueFacts
}

func (s *Server) setCustomerValue(ctx context.Context, in *valueIn) (*CustomerOutput, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	var c customers.Customer
	err = s.tx(ctx, func(tx *tenants.Tx) (err error) {
		if in.Body.TierOverride != "" {
			if ok, err := coverage.HasTier(ctx, tx, in.Body.TierOverride); err != nil || !ok {
				if err != nil {
					return err
				}
				return fault.Invalid("body.tier_override", "is not a configured tier")
			}
		}
		c, err = customers.SetValue(ctx, tx, in.id(), v, in.Body)
		return err
	})
	if err != nil {
		return nil, err
	}
	return customerOut(c), nil
}
