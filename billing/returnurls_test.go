package billing

import (
	"testing"

	"github.com/google/uuid"
)

// The portal cannot know the purchase's id before asking for Checkout: the placeholder in
// its return pages becomes the id; without pages, the public receipt page is used.
func TestReturnURLsNameThePurchase(t *testing.T) {
	t.Parallel()
	s := &Service{cfg: Config{PublicURL: "https://svc.example"}}
	id := uuid.MustParse("0190a2b4-0000-7000-8000-000000000001")
	success, cancel := s.returnURLs(BuyInput{SuccessURL: "https://svc.example/my/acme/purchases/{PURCHASE_ID}?paid=1",
		CancelURL: "https://svc.example/my/acme/purchases/{PURCHASE_ID}?cancelled=1"}, id)
	if success != "https://svc.example/my/acme/purchases/"+id.String()+"?paid=1" ||
		cancel != "https://svc.example/my/acme/purchases/"+id.String()+"?cancelled=1" {
		t.Errorf("with placeholders: %s, %s", success, cancel)
	}
	success, cancel = s.returnURLs(BuyInput{}, id)
	if success != "https://svc.example/purchases/"+id.String()+"?paid=1" || cancel != "https://svc.example/purchases/"+id.String()+"?cancelled=1" {
		t.Errorf("by default: %s, %s", success, cancel)
	}
}
