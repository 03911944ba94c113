package registry

import (
	"context"
	"crypto/sha256"
	"net/http"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/tenants"
)

// MaxInvoiceImageBytes caps an uploaded invoice image.
const MaxInvoiceImageBytes = 10 << 20

// invoiceTypes are the formats an invoice image may have, checked against the content.
var invoiceTypes = []string{"image/jpeg", "image/png", "image/webp", "application/pdf"}

// InvoiceImage is a stored invoice image.
type InvoiceImage struct {
	ContentType string
	Content     []byte
	UploadedAt  time.Time
}

// PutInvoiceImage stores (or replaces) a unit's invoice image; the content itself must be
// one of the accepted formats, whatever the client claims. The registration then refers to it,
// which counts as proof of purchase.
func PutInvoiceImage(ctx context.Context, tx *tenants.Tx, registrationID uuid.UUID, content []byte) (Registration, error) {
	before, err := Get(ctx, tx, registrationID)
	if err != nil {
		return Registration{}, err
	}
	ct := http.DetectContentType(content)
	if ct == "application/octet-stream" && len(content) > 12 && string(content[:4]) == "RIFF" && string(content[8:12]) == "WEBP" {
		ct = "image/webp"
	}
	if len(content) == 0 || !slices.Contains(invoiceTypes, ct) {
		return Registration{}, fault.Invalid("", "must be a JPEG, PNG, WebP image or a PDF")
	}
	sum := sha256.Sum256(content)
	if err := tx.Q.PutInvoiceImage(ctx, tx, db.PutInvoiceImageParams{TenantID: tx.Scope.TenantID, RegistrationID: registrationID,
		ContentType: ct, Content: content, Sha256: sum[:], UploadedBy: tx.Scope.Actor.Label}); err != nil {
		return Registration{}, err
	}
	r, err := tx.Q.SetInvoiceImageRef(ctx, tx, db.SetInvoiceImageRefParams{TenantID: tx.Scope.TenantID, ID: registrationID,
		InvoiceImage: "/v1/registrations/" + registrationID.String() + "/invoice-image"})
	if err != nil {
		return Registration{}, fault.DBError(err, "", "")
	}
	after := registrationFromRow(r)
	return after, tx.Audit(ctx, "registration.invoice_image", "registration", registrationID, before,
		map[string]any{"content_type": ct, "bytes": len(content), "invoice_image": after.InvoiceImage})
}

// GetInvoiceImage returns a unit's invoice image.
func GetInvoiceImage(ctx context.Context, tx *tenants.Tx, registrationID uuid.UUID) (InvoiceImage, error) {
	r, err := tx.Q.GetInvoiceImage(ctx, tx, db.GetInvoiceImageParams{TenantID: tx.Scope.TenantID, RegistrationID: registrationID})
	if err != nil {
		return InvoiceImage{}, fault.DBError(err, "", "")
	}
	return InvoiceImage{ContentType: r.ContentType, Content: r.Content, UploadedAt: r.UploadedAt}, nil
}
