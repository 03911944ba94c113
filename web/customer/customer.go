// Package customer serves the pages behind the links customers receive by SMS and email:
// following an order (/track/{token}) and answering a quote (/quote/{token}). Each is one
// self-contained page (no external URLs) that calls the public API on the same origin with
// the token from its path; the page itself holds no data.
package customer

import (
	_ "embed"
	"net/http"
)

//go:embed track.html
var trackPage []byte

//go:embed quote.html
var quotePage []byte

// Mount serves the pages on mux.
func Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /track/{token}", page(trackPage))
	mux.HandleFunc("GET /quote/{token}", page(quotePage))
}

func page(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer") // the token is in the URL: never pass it on
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(body)
	}
}
