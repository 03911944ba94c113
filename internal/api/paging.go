package api

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"
)

// PageQuery is the cursor pagination of list operations.
type PageQuery struct {
	Cursor string `query:"cursor" maxLength:"64" doc:"Opaque cursor: next_cursor of the previous page"`
	Limit  int32  `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"Page size"`
}

func (q PageQuery) after() (uuid.NullUUID, error) {
	if q.Cursor == "" {
		return uuid.NullUUID{}, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(q.Cursor)
	if err != nil || len(b) != 16 {
		return uuid.NullUUID{}, huma.Error422UnprocessableEntity("invalid cursor",
			&huma.ErrorDetail{Location: "query.cursor", Message: "is not a cursor returned by this API", Value: q.Cursor})
	}
	return uuid.NullUUID{UUID: uuid.UUID(b), Valid: true}, nil
}

func (q PageQuery) limit() int32 {
	if q.Limit <= 0 {
		return 50
	}
	return q.Limit
}

// Page is one page of a list.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page"`
}

// PageOutput is a list response.
type PageOutput[T any] struct {
	Body Page[T]
}

// pageOf builds a page from rows fetched with limit+1, so a next page is known to exist.
func pageOf[T any](rows []T, limit int32, id func(T) uuid.UUID) *PageOutput[T] {
	out := &PageOutput[T]{Body: Page[T]{Items: rows}}
	if out.Body.Items == nil {
		out.Body.Items = []T{}
	}
	if int32(len(rows)) > limit {
		out.Body.Items = rows[:limit]
		last := id(rows[limit-1])
		out.Body.NextCursor = base64.RawURLEncoding.EncodeToString(last[:])
	}
	return out
}

// IfMatch is the optimistic-concurrency precondition of updates and deletes.
type IfMatch struct {
	IfMatch string `header:"If-Match" doc:"ETag of the version you read, e.g. \"3\"; required"`
}

func (m IfMatch) version() (int32, error) { return m.parse(false) }

// versionOrNew is version for resources that may not exist yet: "0" means "create it; I
// have read that there is none".
func (m IfMatch) versionOrNew() (int32, error) { return m.parse(true) }

func (m IfMatch) parse(zeroOK bool) (int32, error) {
	v := strings.TrimPrefix(strings.TrimSpace(m.IfMatch), "W/")
	if v == "" {
		return 0, huma.NewError(428, "send If-Match with the ETag you read, so that no one else's change is overwritten",
			&huma.ErrorDetail{Location: "header.If-Match", Message: "required"})
	}
	n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 32)
	if err != nil || n < 0 || (n == 0 && !zeroOK) {
		return 0, huma.Error400BadRequest("invalid If-Match", &huma.ErrorDetail{Location: "header.If-Match", Message: "must be an ETag returned by this API", Value: m.IfMatch})
	}
	return int32(n), nil
}

func etag(version int32) string { return `"` + strconv.Itoa(int(version)) + `"` }

// IDPath is the id of one resource.
type IDPath struct {
	ID string `path:"id" format:"uuid" doc:"Resource id"`
}

func (p IDPath) id() uuid.UUID { return uuid.MustParse(p.ID) }

// deleteIn addresses one resource at the version the caller read (deletes).
type deleteIn struct {
	IDPath
	IfMatch
}
