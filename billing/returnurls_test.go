package billing

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

// The portal cannot know the purchase's id before asking for Checkout: the placeholder in
// its return pages becomes the id; without pages, the portal's receipt page is used.
func TestReturnURLsNameThePurchase(t *testing.T) {
	t.Parallel()
	s := &Service{cfg: Config{PublicURL: "https://svc.example"}}
	id := uuid.MustParse("0190a2b4-0000-7000-8000-000000000001")
	success, cancel := s.returnURLs(BuyInput{SuccessURL: "https://svc.example/my/acme/purchases/{PURCHASE_ID}?paid=1",
		CancelURL: "https://svc.example/my/acme/purchases/{PURCHASE_ID}?cancelled=1"}, id, "acme")
	if success != "https://svc.example/my/acme/purchases/"+id.String()+"?paid=1" ||
		cancel != "https://svc.example/my/acme/purchases/"+id.String()+"?cancelled=1" {
		t.Errorf("with placeholders: %s, %s", success, cancel)
	}
	success, cancel = s.returnURLs(BuyInput{}, id, "acme")
	if success != "https://svc.example/my/acme/purchases/"+id.String()+"?paid=1" || cancel != "https://svc.example/my/acme/purchases/"+id.String()+"?cancelled=1" {
		t.Errorf("by default: %s, %s", success, cancel)
	}
}

// A return page must be an absolute http(s) URL: anything else names its field.
func TestReturnURLsMustBeAbsoluteHTTP(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"", "https://svc.example/my/acme/purchases/{PURCHASE_ID}?paid=1", "http://127.0.0.1:8080/x"} {
		if err := checkReturnURL("success_url", ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"not a url", "/my/acme/purchases", "javascript:alert(1)", "ftp://svc.example/x", "https://"} {
		err := checkReturnURL("cancel_url", bad)
		if err == nil || !strings.Contains(err.Error(), "cancel_url") {
			t.Errorf("%q: %v, want a refusal naming cancel_url", bad, err)
		}
	}
}
