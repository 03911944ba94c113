package api

import (
	"reflect"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"
)

// uuidText is the schema of uuid.UUID: a string in UUID format. Without it huma describes
// uuid.UUID (a text unmarshaler) as a plain string, so a value that is not a UUID passes
// validation and fails decoding, reported against the body as a whole ("invalid UUID length")
// instead of the field.
type uuidText struct{}

// Schema implements huma.SchemaProvider.
func (uuidText) Schema(huma.Registry) *huma.Schema {
	s := &huma.Schema{Type: huma.TypeString, Format: "uuid"}
	s.PrecomputeMessages()
	return s
}

// useUUIDFormat makes every uuid.UUID field, parameter and item a string in UUID format,
// validated (and so located) like any other format. Call it before registering routes.
func useUUIDFormat(r huma.Registry) {
	r.RegisterTypeAlias(reflect.TypeFor[uuid.UUID](), reflect.TypeFor[uuidText]())
}
