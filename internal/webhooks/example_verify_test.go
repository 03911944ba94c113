package webhooks_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/aftersales/aftersales/internal/webhooks"
)

// A receiver verifies each delivery with its endpoint secret before trusting the body.
func ExampleVerify() {
	secret := "whsec_example" // shown once when the endpoint was created or its secret rotated
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "read error", http.StatusBadRequest)
			return
		}
		if err := webhooks.Verify(secret, r.Header.Get("Aftersales-Signature"), body, 5*time.Minute); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		// Deduplicate on the event id (Aftersales-Event-ID): a delivery may arrive twice.
		fmt.Println("verified", r.Header.Get("Aftersales-Event"))
		w.WriteHeader(http.StatusNoContent)
	})

	body := `{"id":"0190d1c2-0000-7000-8000-000000000001","type":"order.created","data":{}}`
	for _, sig := range []string{
		webhooks.Sign(time.Now(), []byte(body), secret),                                                // signed now: accepted
		webhooks.Sign(time.Now().Add(-time.Hour), []byte(body), secret),                                // replayed an hour later: rejected
		webhooks.Sign(time.Now(), []byte(body), "whsec_new", secret),                                   // during a rotation: either secret matches
		webhooks.Sign(time.Now(), []byte(strings.Replace(body, "{}", `{"x":1}`, 1)), "whsec_attacker"), // forged
	} {
		req := httptest.NewRequest(http.MethodPost, "/hooks", strings.NewReader(body))
		req.Header.Set("Aftersales-Signature", sig)
		req.Header.Set("Aftersales-Event", "order.created")
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// verified order.created
	// 204
	// 401
	// verified order.created
	// 204
	// 401
}
