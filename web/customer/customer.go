// Package customer answers the links customers receive by SMS and email: following an order
// (/track/{token}), answering a quote (/quote/{token}) and the satisfaction survey
// (/survey/{token}) and paying a bill (/pay/{token}). The pages themselves are routes of the consumers' portal
// (/my/track/{token}, /my/quote/{token}, /my/survey/{token}; see web/console): the links
// already sent keep working by redirecting there. The token is the key; no sign-in is needed.
package customer

import (
	"net/http"
	"net/url"
)

// Mount serves the links on mux.
func Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /track/{token}", redirect("/my/track/"))
	mux.HandleFunc("GET /quote/{token}", redirect("/my/quote/"))
	mux.HandleFunc("GET /survey/{token}", redirect("/my/survey/"))
	mux.HandleFunc("GET /pay/{token}", redirect("/my/pay/"))
}

func redirect(to string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer") // the token is in the URL: never pass it on
		http.Redirect(w, r, to+url.PathEscape(r.PathValue("token")), http.StatusFound)
	}
}
