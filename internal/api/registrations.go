package api

// Registered units: the list, registering a sold unit, correcting it, barcode scans at
// delivery or installation, and invoice images.

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/orders"
	"github.com/aftersales/aftersales/internal/registry"
	"github.com/aftersales/aftersales/tenants"
)

// InvoiceImageOutput is an invoice image download.
type InvoiceImageOutput struct {
	ContentType  string `header:"Content-Type"`
	CacheControl string `header:"Cache-Control"`
	Body         []byte
}

// RegistrationOutput is one registration with its ETag.
type RegistrationOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     registry.Registration
}

// registerRegistrationRoutes adds registered units and their scans.
func registerRegistrationRoutes(api huma.API, s *Server) {
	tags := []string{"Registrations"}
	register(api, s, huma.Operation{OperationID: "list-registrations", Method: http.MethodGet, Path: "/registrations", Tags: tags,
		Summary: "List registered units"},
		route{perm: access.RegistrationsRead}, s.listRegistrations)
	register(api, s, huma.Operation{OperationID: "create-registration", Method: http.MethodPost, Path: "/registrations", Tags: tags,
		Summary: "Register a sold unit", DefaultStatus: 201, Errors: []int{409, 422},
		Description: "A unit is unique per model and serial; a duplicate is a 409 naming the existing registration."},
		route{perm: access.RegistrationsWrite, idem: true}, s.createRegistration)
	register(api, s, huma.Operation{OperationID: "get-registration", Method: http.MethodGet, Path: "/registrations/{id}", Tags: tags,
		Summary: "Get a registered unit", Errors: []int{404}},
		route{perm: access.RegistrationsRead}, s.getRegistration)
	register(api, s, huma.Operation{OperationID: "update-registration", Method: http.MethodPut, Path: "/registrations/{id}", Tags: tags,
		Summary: "Correct a unit's facts (model and serial stay)", Errors: []int{404, 412, 422, 428}},
		route{perm: access.RegistrationsWrite}, s.updateRegistration)
	register(api, s, huma.Operation{OperationID: "scan-registration", Method: http.MethodPost, Path: "/registrations/scan", Tags: tags,
		Summary: "Barcode scan at delivery or installation: registers the unit or records its install date", Errors: []int{422}},
		route{perm: access.RegistrationsWrite, idem: true}, s.scanRegistration)
}

// registerInvoiceImageRoutes adds the invoice images that prove a unit's purchase.
func registerInvoiceImageRoutes(api huma.API, s *Server) {
	tags := []string{"Registrations"}
	register(api, s, huma.Operation{OperationID: "put-invoice-image", Method: http.MethodPut, Path: "/registrations/{id}/invoice-image",
		Tags: tags, Summary: "Upload a unit's invoice image (proof of purchase)", MaxBodyBytes: registry.MaxInvoiceImageBytes,
		Errors: []int{404, 413, 422}},
		route{perm: access.RegistrationsWrite}, s.putInvoiceImage)
	register(api, s, huma.Operation{OperationID: "get-invoice-image", Method: http.MethodGet, Path: "/registrations/{id}/invoice-image",
		Tags: tags, Summary: "Download a unit's invoice image", Errors: []int{404}},
		route{perm: access.RegistrationsRead}, s.getInvoiceImage)
}

type listRegistrationsIn struct {
	PageQuery
	Model    string `query:"model_id" format:"uuid"`
	Customer string `query:"customer_id" format:"uuid" doc:"Units bought or used by this customer"`
	Serial   string `query:"serial" maxLength:"64" doc:"Find by serial or IMEI"`
}

func (s *Server) listRegistrations(ctx context.Context, in *listRegistrationsIn) (*PageOutput[registry.Registration], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	var rows []registry.Registration
	err = s.tx(ctx, func(tx *tenants.Tx) (err error) {
		rows, err = registry.List(ctx, tx, registry.Filter{After: after, Model: optionalID(in.Model),
			Customer: optionalID(in.Customer), Serial: in.Serial, Limit: in.limit() + 1})
		return err
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(r registry.Registration) uuid.UUID { return r.ID }), nil
}

type createRegistrationIn struct{ Body registry.Input }

func (s *Server) createRegistration(ctx context.Context, in *createRegistrationIn) (*RegistrationOutput, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (registry.Registration, error) {
		return registry.Register(ctx, tx, in.Body, channelOf(ctx))
	})
	if err != nil {
		return nil, duplicateProblem(err)
	}
	return &RegistrationOutput{ETag: etag(r.Version), Location: "/v1/registrations/" + r.ID.String(), Body: r}, nil
}

func (s *Server) getRegistration(ctx context.Context, in *IDPath) (*RegistrationOutput, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (registry.Registration, error) { return registry.Get(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &RegistrationOutput{ETag: etag(r.Version), Body: r}, nil
}

type updateRegistrationIn struct {
	IDPath
	IfMatch
	Body registry.Input
}

func (s *Server) updateRegistration(ctx context.Context, in *updateRegistrationIn) (*RegistrationOutput, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	r, err := within(ctx, s, func(tx *tenants.Tx) (registry.Registration, error) {
		r, err := registry.Update(ctx, tx, in.id(), v, in.Body)
		if err != nil {
			return r, err
		}
		return r, s.Orders.Reevaluate(ctx, tx, r.ID, "registration corrected")
	})
	if err != nil {
		return nil, err
	}
	return &RegistrationOutput{ETag: etag(r.Version), Body: r}, nil
}

type scanIn struct{ Body registry.ScanInput }

type scanOut struct {
	Status int `json:"-"`
	Body   struct {
		Created      bool                  `json:"created" doc:"A new registration (else the install date was recorded)"`
		Registration registry.Registration `json:"registration"`
		// InstallationOrder is the order created for a delivered unit that needs installing.
		InstallationOrder *orders.Order `json:"installation_order,omitempty"`
		NoInstallation    string        `json:"no_installation,omitempty" doc:"Why a delivery created no installation order"`
	}
}

func (s *Server) scanRegistration(ctx context.Context, in *scanIn) (*scanOut, error) {
	out := &scanOut{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body.Registration, out.Body.Created, err = registry.Scan(ctx, tx, in.Body)
		if err != nil || in.Body.Stage != "delivery" {
			return err
		}
		c, why, err := s.Orders.InstallFor(ctx, tx, out.Body.Registration, "api")
		if c != nil {
			out.Body.InstallationOrder = &c.Order
		}
		out.Body.NoInstallation = why
		return err
	})
	if err != nil {
		return nil, duplicateProblem(err)
	}
	out.Status = http.StatusOK
	if out.Body.Created {
		out.Status = http.StatusCreated
	}
	return out, nil
}

type invoicePutIn struct {
	IDPath
	RawBody []byte `contentType:"image/jpeg" doc:"JPEG, PNG, WebP or PDF (checked against the content)"`
}

func (s *Server) putInvoiceImage(ctx context.Context, in *invoicePutIn) (*RegistrationOutput, error) {
	r, err := within(ctx, s, func(tx *tenants.Tx) (registry.Registration, error) {
		r, err := registry.PutInvoiceImage(ctx, tx, in.id(), in.RawBody)
		if err != nil {
			return r, err
		}
		return r, s.Orders.Reevaluate(ctx, tx, r.ID, "invoice image added")
	})
	if err != nil {
		return nil, err
	}
	return &RegistrationOutput{ETag: etag(r.Version), Body: r}, nil
}

func (s *Server) getInvoiceImage(ctx context.Context, in *IDPath) (*InvoiceImageOutput, error) {
	img, err := within(ctx, s, func(tx *tenants.Tx) (registry.InvoiceImage, error) {
		return registry.GetInvoiceImage(ctx, tx, in.id())
	})
	if err != nil {
		return nil, err
	}
	return &InvoiceImageOutput{ContentType: img.ContentType, CacheControl: "private, no-store", Body: img.Content}, nil
}

// channelOf is the registration channel of the caller: machine clients are "api".
func channelOf(ctx context.Context) string {
	if p := principal(ctx); p != nil && p.Kind == "api_key" {
		return registry.ChannelAPI
	}
	return registry.ChannelStaff
}

// duplicateProblem turns a duplicate unit into a 409 that names the existing registration.
func duplicateProblem(err error) error {
	var dup *registry.DuplicateError
	if !errors.As(err, &dup) {
		return err
	}
	if dup.Existing == uuid.Nil {
		return huma.Error409Conflict(dup.Error(), &huma.ErrorDetail{Location: "body.serial", Message: "already registered"})
	}
	return huma.ErrorWithHeaders(huma.Error409Conflict(dup.Error(), &huma.ErrorDetail{
		Location: "body.serial", Message: "already registered", Value: dup.Existing.String()}),
		http.Header{"Location": {"/v1/registrations/" + dup.Existing.String()}})
}
