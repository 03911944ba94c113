package api

// The product catalog: categories, models with their components, and the fault-code
// dictionary.

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// CategoryOutput is one category with its ETag.
type CategoryOutput struct {
	ETag string `header:"ETag"`
	Body catalog.Category
}

// ModelOutput is one model with its ETag.
type ModelOutput struct {
	ETag string `header:"ETag"`
	Body catalog.Model
}

// FaultCodeOutput is one fault code.
type FaultCodeOutput struct {
	Body catalog.FaultCode
}

// registerCategoryRoutes adds product categories.
func registerCategoryRoutes(api huma.API, s *Server) {
	tags := []string{"Catalog"}
	register(api, s, huma.Operation{OperationID: "list-categories", Method: http.MethodGet, Path: "/categories", Tags: tags,
		Summary: "List product categories"},
		route{perm: access.CatalogRead}, s.listCategories)
	register(api, s, huma.Operation{OperationID: "create-category", Method: http.MethodPost, Path: "/categories", Tags: tags,
		Summary: "Create a product category", DefaultStatus: 201, Errors: []int{409, 422}},
		route{perm: access.CatalogWrite, idem: true}, s.createCategory)
	register(api, s, huma.Operation{OperationID: "get-category", Method: http.MethodGet, Path: "/categories/{id}", Tags: tags,
		Summary: "Get a product category", Errors: []int{404}},
		route{perm: access.CatalogRead}, s.getCategory)
	register(api, s, huma.Operation{OperationID: "update-category", Method: http.MethodPut, Path: "/categories/{id}", Tags: tags,
		Summary: "Rename a product category", Errors: []int{404, 409, 412, 422, 428}},
		route{perm: access.CatalogWrite}, s.updateCategory)
}

// registerModelRoutes adds product models.
func registerModelRoutes(api huma.API, s *Server) {
	tags := []string{"Catalog"}
	register(api, s, huma.Operation{OperationID: "list-models", Method: http.MethodGet, Path: "/models", Tags: tags,
		Summary: "List product models"},
		route{perm: access.CatalogRead}, s.listModels)
	register(api, s, huma.Operation{OperationID: "create-model", Method: http.MethodPost, Path: "/models", Tags: tags,
		Summary: "Create a product model with its components", DefaultStatus: 201, Errors: []int{409, 422}},
		route{perm: access.CatalogWrite, idem: true}, s.createModel)
	register(api, s, huma.Operation{OperationID: "get-model", Method: http.MethodGet, Path: "/models/{id}", Tags: tags,
		Summary: "Get a product model", Errors: []int{404}},
		route{perm: access.CatalogRead}, s.getModel)
	register(api, s, huma.Operation{OperationID: "update-model", Method: http.MethodPut, Path: "/models/{id}", Tags: tags,
		Summary: "Replace a product model's fields", Errors: []int{404, 409, 412, 422, 428}},
		route{perm: access.CatalogWrite}, s.updateModel)
}

// registerFaultCodeRoutes adds the fault-code dictionary.
func registerFaultCodeRoutes(api huma.API, s *Server) {
	tags := []string{"Catalog"}
	register(api, s, huma.Operation{OperationID: "list-fault-codes", Method: http.MethodGet, Path: "/fault-codes", Tags: tags,
		Summary: "List the fault-code dictionary"},
		route{perm: access.CatalogRead}, s.listFaultCodes)
	register(api, s, huma.Operation{OperationID: "ensure-fault-code", Method: http.MethodPost, Path: "/fault-codes", Tags: tags,
		Summary: "Look up a fault code, adding it to the dictionary if new (normalised: \"e-1\" is \"E1\")", Errors: []int{422}},
		route{perm: access.FaultCodesWrite}, s.ensureFaultCode)
	register(api, s, huma.Operation{OperationID: "get-fault-code", Method: http.MethodGet, Path: "/fault-codes/{id}", Tags: tags,
		Summary: "Get a fault code", Errors: []int{404}},
		route{perm: access.CatalogRead}, s.getFaultCode)
	register(api, s, huma.Operation{OperationID: "merge-fault-code", Method: http.MethodPost, Path: "/fault-codes/{id}/merge", Tags: tags,
		Summary: "Merge a duplicate fault code into another", Errors: []int{404, 409, 422}},
		route{perm: access.CatalogWrite}, s.mergeFaultCode)
}

type categoryBody struct {
	Code string `json:"code" pattern:"^[A-Za-z0-9._-]{1,64}$" example:"air-conditioner"`
	Name string `json:"name" minLength:"1" maxLength:"200" example:"空调"`
}

func (s *Server) listCategories(ctx context.Context, in *PageQuery) (*PageOutput[catalog.Category], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]catalog.Category, error) {
		return catalog.ListCategories(ctx, tx, after, in.limit()+1)
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(c catalog.Category) uuid.UUID { return c.ID }), nil
}

type createCategoryIn struct{ Body categoryBody }

func (s *Server) createCategory(ctx context.Context, in *createCategoryIn) (*CategoryOutput, error) {
	c, err := within(ctx, s, func(tx *tenants.Tx) (catalog.Category, error) {
		return catalog.CreateCategory(ctx, tx, in.Body.Code, in.Body.Name)
	})
	if err != nil {
		return nil, err
	}
	return &CategoryOutput{ETag: etag(c.Version), Body: c}, nil
}

func (s *Server) getCategory(ctx context.Context, in *IDPath) (*CategoryOutput, error) {
	c, err := within(ctx, s, func(tx *tenants.Tx) (catalog.Category, error) { return catalog.GetCategory(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &CategoryOutput{ETag: etag(c.Version), Body: c}, nil
}

type updateCategoryIn struct {
	IDPath
	IfMatch
	Body categoryBody
}

func (s *Server) updateCategory(ctx context.Context, in *updateCategoryIn) (*CategoryOutput, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	c, err := within(ctx, s, func(tx *tenants.Tx) (catalog.Category, error) {
		return catalog.UpdateCategory(ctx, tx, in.id(), v, in.Body.Code, in.Body.Name)
	})
	if err != nil {
		return nil, err
	}
	return &CategoryOutput{ETag: etag(c.Version), Body: c}, nil
}

type listModelsIn struct {
	PageQuery
	Category string `query:"category_id" format:"uuid"`
}

func (s *Server) listModels(ctx context.Context, in *listModelsIn) (*PageOutput[catalog.Model], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]catalog.Model, error) {
		return catalog.ListModels(ctx, tx, after, optionalID(in.Category), in.limit()+1)
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(m catalog.Model) uuid.UUID { return m.ID }), nil
}

type createModelIn struct{ Body catalog.ModelFields }

func (s *Server) createModel(ctx context.Context, in *createModelIn) (*ModelOutput, error) {
	m, err := within(ctx, s, func(tx *tenants.Tx) (catalog.Model, error) { return catalog.CreateModel(ctx, tx, in.Body) })
	if err != nil {
		return nil, err
	}
	return &ModelOutput{ETag: etag(m.Version), Body: m}, nil
}

func (s *Server) getModel(ctx context.Context, in *IDPath) (*ModelOutput, error) {
	m, err := within(ctx, s, func(tx *tenants.Tx) (catalog.Model, error) { return catalog.GetModel(ctx, tx, in.id()) })
	if err != nil {
		return nil, err
	}
	return &ModelOutput{ETag: etag(m.Version), Body: m}, nil
}

type updateModelIn struct {
	IDPath
	IfMatch
	Body catalog.ModelFields
}

func (s *Server) updateModel(ctx context.Context, in *updateModelIn) (*ModelOutput, error) {
	v, err := in.version()
	if err != nil {
		return nil, err
	}
	m, err := within(ctx, s, func(tx *tenants.Tx) (catalog.Model, error) { return catalog.UpdateModel(ctx, tx, in.id(), v, in.Body) })
	if err != nil {
		return nil, err
	}
	return &ModelOutput{ETag: etag(m.Version), Body: m}, nil
}

type listFaultsIn struct {
	PageQuery
	Prefix string `query:"prefix" maxLength:"32" doc:"Codes starting with this (normalised)"`
}

func (s *Server) listFaultCodes(ctx context.Context, in *listFaultsIn) (*PageOutput[catalog.FaultCode], error) {
	after, err := in.after()
	if err != nil {
		return nil, err
	}
	rows, err := within(ctx, s, func(tx *tenants.Tx) ([]catalog.FaultCode, error) {
		return catalog.ListFaultCodes(ctx, tx, after, in.Prefix, in.limit()+1)
	})
	if err != nil {
		return nil, err
	}
	return pageOf(rows, in.limit(), func(f catalog.FaultCode) uuid.UUID { return f.ID }), nil
}

type faultIn struct {
	Body struct {
		Code      string `json:"code" minLength:"1" maxLength:"40" example:"e1"`
		Name      string `json:"name,omitempty" maxLength:"200"`
		Component string `json:"component,omitempty" maxLength:"32" doc:"Component the fault concerns"`
	}
}

func (s *Server) ensureFaultCode(ctx context.Context, in *faultIn) (*FaultCodeOutput, error) {
	out := &FaultCodeOutput{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body, err = catalog.EnsureFaultCode(ctx, tx, in.Body.Code, in.Body.Name, in.Body.Component)
		return err
	})
	// The domain names the code as an order does (fault_code); this request calls it code.
	if fe := (*fault.FieldError)(nil); errors.As(err, &fe) && fe.Field == "fault_code" {
		return nil, fault.Invalid("code", fe.Reason)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) getFaultCode(ctx context.Context, in *IDPath) (*FaultCodeOutput, error) {
	out := &FaultCodeOutput{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body, err = catalog.GetFaultCode(ctx, tx, in.id())
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type mergeIn struct {
	IDPath
	Body struct {
		Into string `json:"into" format:"uuid" doc:"The code to keep"`
	}
}

func (s *Server) mergeFaultCode(ctx context.Context, in *mergeIn) (*FaultCodeOutput, error) {
	out := &FaultCodeOutput{}
	err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
		out.Body, err = catalog.MergeFaultCode(ctx, tx, in.id(), uuid.MustParse(in.Body.Into))
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
