// Package schema embeds the goose migrations so that the binary migrates itself.
package schema

import "embed"

// FS holds the numbered, reversible migrations of the product's own tables.
//
//go:embed *.sql
var FS embed.FS
