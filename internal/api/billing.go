package api

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/aftersales/aftersales/billing"
	"github.com/aftersales/aftersales/internal/access"
	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/tenants"
)

// ExpressProductOutput is one express product or plan with its ETag.
type ExpressProductOutput struct {
	ETag string `header:"ETag"`
	Body billing.Product
}

// PurchaseOutput is one purchase (a receipt).
type PurchaseOutput struct {
	Body billing.Purchase
}

// CheckoutOutput is a started purchase with where to pay.
type CheckoutOutput struct {
	Body billing.Checkout
}

// CancelOutput is a cancellation: the refund asked of Stripe and the purchase.
type CancelOutput struct {
	Body struct {
		Refund   billing.RefundQuote `json:"refund"`
		Purchase billing.Purchase    `json:"purchase" doc:"Stays active until Stripe confirms the refund"`
	}
}

// ExpressProductBody creates a product with its first prices.
type ExpressProductBody struct {
	billing.ProductInput
	Prices []billing.PriceInput `json:"prices" minItems:"1" maxItems:"20"`
}

// dateRange is a [from, to) range of days in query parameters.
type dateRange struct {
	From string `query:"from" format:"date" doc:"First day (UTC), default 30 days ago"`
	To   string `query:"to" format:"date" doc:"Day after the last (UTC), default tomorrow"`
}

func (r dateRange) bounds() (time.Time, time.Time) {
	to := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	from := to.AddDate(0, 0, -31)
	if r.From != "" {
		from, _ = time.Parse(time.DateOnly, r.From)
	}
	if r.To != "" {
		to, _ = time.Parse(time.DateOnly, r.To)
	}
	return from, to
}

func registerBilling(s *Server) {
	tags := []string{"Express products"}
	register(s, huma.Operation{OperationID: "list-express-products", Method: http.MethodGet, Path: "/v1/express-products", Tags: tags,
		Summary: "List paid express-service products and plans"},
		route{perm: access.ExpressRead}, func(ctx context.Context, in *PageQuery) (*PageOutput[billing.Product], error) {
			after, err := in.after()
			if err != nil {
				return nil, err
			}
			rows, err := within(ctx, s, func(tx *tenants.Tx) ([]billing.Product, error) {
				return billing.ListProducts(ctx, tx, after, in.limit()+1, false)
			})
			if err != nil {
				return nil, err
			}
			return pageOf(rows, in.limit(), func(p billing.Product) uuid.UUID { return p.ID }), nil
		})

	type createProductIn struct{ Body ExpressProductBody }
	register(s, huma.Operation{OperationID: "create-express-product", Method: http.MethodPost, Path: "/v1/express-products", Tags: tags,
		Summary: "Create an express product (per-incident upgrade) or plan with its prices", DefaultStatus: 201, Errors: []int{409, 422},
		Description: "Products and prices are created in Stripe (platform account, tagged with the tenant) at once when possible, else at first checkout."},
		route{perm: access.ExpressWrite, idem: true}, func(ctx context.Context, in *createProductIn) (*ExpressProductOutput, error) {
			p, err := within(ctx, s, func(tx *tenants.Tx) (billing.Product, error) {
				return billing.CreateProduct(ctx, tx, in.Body.ProductInput, in.Body.Prices)
			})
			if err != nil {
				return nil, err
			}
			s.syncProduct(ctx, p.ID)
			return &ExpressProductOutput{ETag: etag(p.Version), Body: p}, nil
		})

	register(s, huma.Operation{OperationID: "get-express-product", Method: http.MethodGet, Path: "/v1/express-products/{id}", Tags: tags,
		Summary: "Get an express product or plan", Errors: []int{404}},
		route{perm: access.ExpressRead}, func(ctx context.Context, in *IDPath) (*ExpressProductOutput, error) {
			p, err := within(ctx, s, func(tx *tenants.Tx) (billing.Product, error) { return billing.GetProduct(ctx, tx, in.id()) })
			if err != nil {
				return nil, err
			}
			return &ExpressProductOutput{ETag: etag(p.Version), Body: p}, nil
		})

	type updateProductIn struct {
		IDPath
		IfMatch
		Body billing.ProductInput
	}
	register(s, huma.Operation{OperationID: "update-express-product", Method: http.MethodPut, Path: "/v1/express-products/{id}", Tags: tags,
		Summary: "Change a product's terms (code, kind and term stay; prices change by new prices); archive it to stop selling",
		Errors:  []int{404, 412, 422, 428}},
		route{perm: access.ExpressWrite}, func(ctx context.Context, in *updateProductIn) (*ExpressProductOutput, error) {
			v, err := in.version()
			if err != nil {
				return nil, err
			}
			p, err := within(ctx, s, func(tx *tenants.Tx) (billing.Product, error) {
				return billing.UpdateProduct(ctx, tx, in.id(), v, in.Body)
			})
			if err != nil {
				return nil, err
			}
			return &ExpressProductOutput{ETag: etag(p.Version), Body: p}, nil
		})

	type priceIn struct {
		IDPath
		Body billing.PriceInput
	}
	register(s, huma.Operation{OperationID: "set-express-price", Method: http.MethodPost, Path: "/v1/express-products/{id}/prices", Tags: tags,
		Summary: "Set a new price in a currency (the old price is kept for its purchases, never edited)", DefaultStatus: 201,
		Errors: []int{404, 422}},
		route{perm: access.ExpressWrite, idem: true}, func(ctx context.Context, in *priceIn) (*ExpressProductOutput, error) {
			p, err := within(ctx, s, func(tx *tenants.Tx) (billing.Product, error) {
				return s.Billing.SetPrice(ctx, tx, in.id(), in.Body)
			})
			if err != nil {
				return nil, err
			}
			s.syncProduct(ctx, p.ID)
			return &ExpressProductOutput{ETag: etag(p.Version), Body: p}, nil
		})

	// Purchases (staff).
	ptags := []string{"Purchases"}
	type listPurchasesIn struct {
		PageQuery
		Registration string         `query:"registration_id" format:"uuid" doc:"Plans of this unit"`
		Order        string         `query:"order_id" format:"uuid" doc:"Upgrades of this service order"`
		Customer     string         `query:"customer_id" format:"uuid"`
		Status       purchaseStatus `query:"status"`
	}
	register(s, huma.Operation{OperationID: "list-purchases", Method: http.MethodGet, Path: "/v1/purchases", Tags: ptags,
		Summary: "List purchases of express products and plans"},
		route{perm: access.PurchasesRead}, func(ctx context.Context, in *listPurchasesIn) (*PageOutput[billing.Purchase], error) {
			after, err := in.after()
			if err != nil {
				return nil, err
			}
			f := billing.PurchaseFilter{After: after, RegistrationID: optionalID(in.Registration), OrderID: optionalID(in.Order),
				CustomerID: optionalID(in.Customer), Limit: in.limit() + 1}
			if in.Status != "" {
				f.Status = optional(in.Status)
			}
			rows, err := within(ctx, s, func(tx *tenants.Tx) ([]billing.Purchase, error) { return billing.ListPurchases(ctx, tx, f) })
			if err != nil {
				return nil, err
			}
			return pageOf(rows, in.limit(), func(p billing.Purchase) uuid.UUID { return p.ID }), nil
		})
	register(s, huma.Operation{OperationID: "get-purchase", Method: http.MethodGet, Path: "/v1/purchases/{id}", Tags: ptags,
		Summary: "Get a purchase (receipt)", Errors: []int{404}},
		route{perm: access.PurchasesRead}, func(ctx context.Context, in *IDPath) (*PurchaseOutput, error) {
			p, err := within(ctx, s, func(tx *tenants.Tx) (billing.Purchase, error) { return billing.GetPurchase(ctx, tx, in.id()) })
			if err != nil {
				return nil, err
			}
			return &PurchaseOutput{Body: p}, nil
		})
	type unitPlansOut struct {
		Body struct {
			Items []billing.Purchase `json:"items"`
		}
	}
	register(s, huma.Operation{OperationID: "list-registration-plans", Method: http.MethodGet, Path: "/v1/registrations/{id}/plans",
		Tags: []string{"Registrations"}, Summary: "Plans bought for a unit", Errors: []int{404}},
		route{perm: access.PurchasesRead}, func(ctx context.Context, in *IDPath) (*unitPlansOut, error) {
			out := &unitPlansOut{}
			err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
				if _, err := tx.Q.GetRegistration(ctx, tx, db.GetRegistrationParams{TenantID: tx.Scope.TenantID, ID: in.id()}); err != nil {
					return tenants.DBError(err, "", "")
				}
				out.Body.Items, err = billing.ListPurchases(ctx, tx, billing.PurchaseFilter{RegistrationID: uuid.NullUUID{UUID: in.id(), Valid: true}, Limit: 200})
				return err
			})
			if err != nil {
				return nil, err
			}
			return out, nil
		})

	type counterIn struct {
		Body struct {
			ProductID      string `json:"product_id" format:"uuid"`
			Currency       string `json:"currency,omitempty" pattern:"^[A-Z]{3}$" doc:"Default: the tenant's currency"`
			OutletID       string `json:"outlet_id" format:"uuid" doc:"The outlet selling at its counter"`
			RegistrationID string `json:"registration_id,omitempty" format:"uuid" doc:"Plans: the unit covered"`
			OrderID        string `json:"order_id,omitempty" format:"uuid" doc:"Per-incident upgrades: the service order"`
			CustomerID     string `json:"customer_id,omitempty" format:"uuid"`
		}
	}
	register(s, huma.Operation{OperationID: "create-counter-purchase", Method: http.MethodPost, Path: "/v1/purchases/counter", Tags: ptags,
		Summary: "Sell an express product or plan at an outlet's counter (Stripe PaymentIntent)", DefaultStatus: 201,
		Errors: []int{422, 502, 503}, Description: "Active only after Stripe confirms the payment (webhook)."},
		route{perm: access.PurchasesWrite, idem: true}, func(ctx context.Context, in *counterIn) (*CheckoutOutput, error) {
			b := in.Body
			if own := principal(ctx).OutletID; own != uuid.Nil && own.String() != b.OutletID {
				return nil, tenants.Invalid("body.outlet_id", "outlet staff sell at their own outlet's counter")
			}
			co, err := within(ctx, s, func(tx *tenants.Tx) (billing.Checkout, error) {
				return s.Billing.StartCounter(ctx, tx, billing.BuyInput{ProductID: uuid.MustParse(b.ProductID), Currency: b.Currency,
					OutletID: uuid.MustParse(b.OutletID), RegistrationID: optionalID(b.RegistrationID).UUID,
					OrderID: optionalID(b.OrderID).UUID, CustomerID: optionalID(b.CustomerID).UUID})
			})
			if err != nil {
				return nil, err
			}
			return &CheckoutOutput{Body: co}, nil
		})
	register(s, huma.Operation{OperationID: "cancel-purchase", Method: http.MethodPost, Path: "/v1/purchases/{id}/cancel", Tags: ptags,
		Summary: "Cancel a purchase: full refund in the cooling-off period, after it per the product's terms", Errors: []int{404, 409, 502, 503}},
		route{perm: access.PurchasesWrite}, func(ctx context.Context, in *IDPath) (*CancelOutput, error) {
			out := &CancelOutput{}
			var err error
			out.Body.Purchase, out.Body.Refund, err = s.Billing.Cancel(ctx, principal(ctx).Scope(actorMeta(ctx)), in.id())
			if err != nil {
				return nil, err
			}
			return out, nil
		})
	register(s, huma.Operation{OperationID: "list-compensations", Method: http.MethodGet, Path: "/v1/compensations", Tags: ptags,
		Summary: "Compensation issued for broken express promises (SLA breaches)"},
		route{perm: access.PurchasesRead}, func(ctx context.Context, in *PageQuery) (*PageOutput[billing.CompensationView], error) {
			after, err := in.after()
			if err != nil {
				return nil, err
			}
			rows, err := within(ctx, s, func(tx *tenants.Tx) ([]billing.CompensationView, error) {
				return billing.ListCompensations(ctx, tx, after, in.limit()+1)
			})
			if err != nil {
				return nil, err
			}
			return pageOf(rows, in.limit(), func(c billing.CompensationView) uuid.UUID { return c.ID }), nil
		})

	// Money records.
	mtags := []string{"Billing"}
	type ledgerIn struct {
		PageQuery
		dateRange
	}
	register(s, huma.Operation{OperationID: "list-ledger", Method: http.MethodGet, Path: "/v1/billing/ledger", Tags: mtags,
		Summary: "Money movements: payments, refunds, compensation, credits, disputes, platform fees (signed minor units)"},
		route{perm: access.LedgerRead}, func(ctx context.Context, in *ledgerIn) (*PageOutput[billing.LedgerEntry], error) {
			after, err := in.after()
			if err != nil {
				return nil, err
			}
			from, to := in.bounds()
			rows, err := within(ctx, s, func(tx *tenants.Tx) ([]billing.LedgerEntry, error) {
				return billing.ListLedger(ctx, tx, from, to, after, in.limit()+1)
			})
			if err != nil {
				return nil, err
			}
			return pageOf(rows, in.limit(), func(e billing.LedgerEntry) uuid.UUID { return e.ID }), nil
		})
	type ledgerCSVIn struct{ dateRange }
	type ledgerCSVOut struct {
		ContentType        string `header:"Content-Type"`
		ContentDisposition string `header:"Content-Disposition"`
		Body               []byte
	}
	register(s, huma.Operation{OperationID: "export-ledger", Method: http.MethodGet, Path: "/v1/billing/ledger.csv", Tags: mtags,
		Summary: "Export the ledger as CSV (finance)"},
		route{perm: access.LedgerRead}, func(ctx context.Context, in *ledgerCSVIn) (*ledgerCSVOut, error) {
			from, to := in.bounds()
			var buf bytes.Buffer
			if err := s.tx(ctx, func(tx *tenants.Tx) error { return billing.WriteLedgerCSV(ctx, tx, from, to, &buf) }); err != nil {
				return nil, err
			}
			return &ledgerCSVOut{ContentType: "text/csv; charset=utf-8", Body: buf.Bytes(),
				ContentDisposition: `attachment; filename="ledger-` + from.Format(time.DateOnly) + `.csv"`}, nil
		})
	type reconcileIn struct {
		Body struct {
			From string `json:"from" format:"date"`
			To   string `json:"to" format:"date" doc:"Day after the last"`
		}
	}
	type reconcileOut struct{ Body billing.Reconciliation }
	register(s, huma.Operation{OperationID: "create-reconciliation", Method: http.MethodPost, Path: "/v1/billing/reconciliations", Tags: mtags,
		Summary: "Check the ledger against Stripe balance transactions", DefaultStatus: 201, Errors: []int{422, 502, 503}},
		route{perm: access.LedgerReconcile, idem: true}, func(ctx context.Context, in *reconcileIn) (*reconcileOut, error) {
			from, _ := time.Parse(time.DateOnly, in.Body.From)
			to, _ := time.Parse(time.DateOnly, in.Body.To)
			if !to.After(from) {
				return nil, tenants.Invalid("body.to", "must be after from")
			}
			r, err := s.Billing.Reconcile(ctx, principal(ctx).Scope(actorMeta(ctx)), from, to)
			if err != nil {
				return nil, err
			}
			return &reconcileOut{Body: r}, nil
		})
	type reconciliationsOut struct {
		Body struct {
			Items []billing.Reconciliation `json:"items"`
		}
	}
	register(s, huma.Operation{OperationID: "list-reconciliations", Method: http.MethodGet, Path: "/v1/billing/reconciliations", Tags: mtags,
		Summary: "Latest reconciliation results"},
		route{perm: access.LedgerRead}, func(ctx context.Context, _ *struct{}) (*reconciliationsOut, error) {
			out := &reconciliationsOut{}
			err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
				out.Body.Items, err = billing.ListReconciliations(ctx, tx, 50)
				return err
			})
			if err != nil {
				return nil, err
			}
			return out, nil
		})

	// Platform billing of the tenant.
	type plansOut struct {
		Body struct {
			Items []billing.PlatformPlan `json:"items"`
		}
	}
	register(s, huma.Operation{OperationID: "list-platform-plans", Method: http.MethodGet, Path: "/v1/billing/platform-plans", Tags: mtags,
		Summary: "Plans the platform offers"},
		route{perm: access.InvoicesRead}, func(ctx context.Context, _ *struct{}) (*plansOut, error) {
			out := &plansOut{}
			err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
				out.Body.Items, err = billing.PlatformPlans(ctx, tx)
				return err
			})
			if err != nil {
				return nil, err
			}
			return out, nil
		})
	type subscriptionOut struct{ Body billing.Subscription }
	register(s, huma.Operation{OperationID: "get-platform-subscription", Method: http.MethodGet, Path: "/v1/billing/subscription", Tags: mtags,
		Summary: "The tenant's platform subscription, grace period and read-only state", Errors: []int{404}},
		route{perm: access.InvoicesRead, billing: true}, func(ctx context.Context, _ *struct{}) (*subscriptionOut, error) {
			sub, err := within(ctx, s, func(tx *tenants.Tx) (billing.Subscription, error) { return billing.GetSubscription(ctx, tx) })
			if err != nil {
				return nil, err
			}
			return &subscriptionOut{Body: sub}, nil
		})
	type subscribeIn struct {
		Body struct {
			PlanCode string `json:"plan_code" minLength:"1" maxLength:"64"`
		}
	}
	register(s, huma.Operation{OperationID: "create-platform-subscription", Method: http.MethodPost, Path: "/v1/billing/subscription", Tags: mtags,
		Summary: "Subscribe the tenant to a platform plan (Stripe subscription with a metered price per order)", DefaultStatus: 201,
		Errors: []int{409, 422, 502, 503}},
		route{perm: access.PlatformBilling, idem: true, billing: true}, func(ctx context.Context, in *subscribeIn) (*subscriptionOut, error) {
			sub, err := s.Billing.Subscribe(ctx, principal(ctx).Scope(actorMeta(ctx)), in.Body.PlanCode)
			if err != nil {
				return nil, err
			}
			return &subscriptionOut{Body: sub}, nil
		})
	type invoicesOut struct {
		Body struct {
			Items []billing.Invoice `json:"items"`
		}
	}
	register(s, huma.Operation{OperationID: "list-platform-invoices", Method: http.MethodGet, Path: "/v1/billing/invoices", Tags: mtags,
		Summary: "The tenant's platform invoices"},
		route{perm: access.InvoicesRead, billing: true}, func(ctx context.Context, _ *struct{}) (*invoicesOut, error) {
			out := &invoicesOut{}
			err := s.tx(ctx, func(tx *tenants.Tx) (err error) {
				out.Body.Items, err = billing.ListInvoices(ctx, tx, 100)
				return err
			})
			if err != nil {
				return nil, err
			}
			return out, nil
		})

	// The Stripe webhook: public, authenticated by its signature.
	type webhookIn struct {
		Signature string `header:"Stripe-Signature" doc:"Stripe's signature of the payload"`
		RawBody   []byte `contentType:"application/json"`
	}
	type webhookOut struct{ Body billing.Receipt }
	register(s, huma.Operation{OperationID: "stripe-webhook", Method: http.MethodPost, Path: "/v1/billing/stripe/webhook", Tags: mtags,
		Summary: "Stripe events: verified, stored once, processed by a job", Errors: []int{400, 503}, MaxBodyBytes: 1 << 20,
		SkipValidateBody: true}, // the signature, not a schema, decides what is accepted
		route{public: true}, func(ctx context.Context, in *webhookIn) (*webhookOut, error) {
			if s.Billing == nil {
				return nil, billing.ErrNotConfigured
			}
			rec, err := s.Billing.Receive(ctx, s.Jobs, in.RawBody, in.Signature)
			switch {
			case errors.Is(err, billing.ErrBadSignature):
				return nil, huma.Error400BadRequest("invalid Stripe signature", &huma.ErrorDetail{Location: "header.Stripe-Signature",
					Message: "does not verify with the webhook secret (or is older than 5 minutes)"})
			case err != nil && !errors.Is(err, billing.ErrNotConfigured):
				s.Log.ErrorContext(ctx, "store stripe event", "err", err)
				return nil, huma.Error503ServiceUnavailable("the event could not be stored; Stripe will retry")
			case err != nil:
				return nil, err
			}
			return &webhookOut{Body: rec}, nil
		})

	// Consumer self-service: offers, checkout, receipts, cancellation.
	ctags := []string{"Consumer"}
	type offersIn struct {
		TenantPath
		Registration string `query:"registration_id" format:"uuid" doc:"Only products this unit can buy"`
	}
	type offersOut struct {
		Body struct {
			Items []billing.Product `json:"items"`
		}
	}
	register(s, huma.Operation{OperationID: "consumer-list-express-products", Method: http.MethodGet,
		Path: "/v1/consumer/tenants/{tenant}/express-products", Tags: ctags, Summary: "Express products and plans on sale (for my unit)",
		Errors: []int{404}},
		route{consumer: true}, func(ctx context.Context, in *offersIn) (*offersOut, error) {
			out := &offersOut{}
			err := s.consumerTx(ctx, in.Tenant, func(tx *tenants.Tx, me customers.Customer) error {
				unit := optionalID(in.Registration).UUID
				if unit != uuid.Nil {
					if err := ownUnit(ctx, tx, me, unit); err != nil {
						return err
					}
				}
				all, err := billing.ListProducts(ctx, tx, uuid.NullUUID{}, 200, true)
				if err != nil {
					return err
				}
				out.Body.Items = []billing.Product{}
				for _, p := range all {
					if unit != uuid.Nil && billing.CheckEligible(ctx, tx, p, unit, "query.registration_id") != nil {
						continue
					}
					p.StripeProductID = ""
					out.Body.Items = append(out.Body.Items, p)
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
			return out, nil
		})
	type consumerBuyIn struct {
		TenantPath
		Body struct {
			ProductID      string `json:"product_id" format:"uuid"`
			Currency       string `json:"currency,omitempty" pattern:"^[A-Z]{3}$"`
			RegistrationID string `json:"registration_id,omitempty" format:"uuid" doc:"Plans: my unit"`
			OrderID        string `json:"order_id,omitempty" format:"uuid" doc:"Per-incident upgrades: my service order"`
			SuccessURL     string `json:"success_url,omitempty" format:"uri" maxLength:"500"`
			CancelURL      string `json:"cancel_url,omitempty" format:"uri" maxLength:"500"`
		}
	}
	register(s, huma.Operation{OperationID: "consumer-checkout", Method: http.MethodPost, Path: "/v1/consumer/tenants/{tenant}/purchases",
		Tags: ctags, Summary: "Buy an express upgrade or plan: returns the Stripe Checkout page", DefaultStatus: 201,
		Errors: []int{404, 422, 502, 503}, Description: "Nothing is granted until Stripe confirms the payment."},
		route{consumer: true}, func(ctx context.Context, in *consumerBuyIn) (*CheckoutOutput, error) {
			out := &CheckoutOutput{}
			b := in.Body
			err := s.consumerTx(ctx, in.Tenant, func(tx *tenants.Tx, me customers.Customer) (err error) {
				unit := optionalID(b.RegistrationID).UUID
				if unit != uuid.Nil {
					if err := ownUnit(ctx, tx, me, unit); err != nil {
						return tenants.Invalid("body.registration_id", "is not one of your units")
					}
				}
				if order := optionalID(b.OrderID).UUID; order != uuid.Nil {
					if owner, err := tx.Q.GetOrderCustomer(ctx, tx, order); err != nil || owner != me.ID {
						return tenants.Invalid("body.order_id", "is not one of your service orders")
					}
				}
				out.Body, err = s.Billing.StartCheckout(ctx, tx, billing.BuyInput{ProductID: uuid.MustParse(b.ProductID), Currency: b.Currency,
					RegistrationID: unit, OrderID: optionalID(b.OrderID).UUID, CustomerID: me.ID, ConsumerID: principal(ctx).ConsumerID,
					SuccessURL: b.SuccessURL, CancelURL: b.CancelURL})
				return err
			})
			if err != nil {
				return nil, err
			}
			return out, nil
		})
	type myPurchasesIn struct {
		TenantPath
		Registration string `query:"registration_id" format:"uuid" doc:"Plans of one of my units"`
	}
	type myPurchasesOut struct {
		Body struct {
			Items []billing.Purchase `json:"items"`
		}
	}
	register(s, huma.Operation{OperationID: "consumer-list-purchases", Method: http.MethodGet, Path: "/v1/consumer/tenants/{tenant}/purchases",
		Tags: ctags, Summary: "My purchases and receipts", Errors: []int{404}},
		route{consumer: true}, func(ctx context.Context, in *myPurchasesIn) (*myPurchasesOut, error) {
			out := &myPurchasesOut{}
			err := s.consumerTx(ctx, in.Tenant, func(tx *tenants.Tx, me customers.Customer) (err error) {
				out.Body.Items, err = billing.ListPurchases(ctx, tx, billing.PurchaseFilter{CustomerID: uuid.NullUUID{UUID: me.ID, Valid: true},
					RegistrationID: optionalID(in.Registration), Limit: 200})
				return err
			})
			if err != nil {
				return nil, err
			}
			return out, nil
		})
	type myPurchaseIn struct {
		TenantPath
		IDPath
	}
	register(s, huma.Operation{OperationID: "consumer-get-purchase", Method: http.MethodGet, Path: "/v1/consumer/tenants/{tenant}/purchases/{id}",
		Tags: ctags, Summary: "A receipt", Errors: []int{404}},
		route{consumer: true}, func(ctx context.Context, in *myPurchaseIn) (*PurchaseOutput, error) {
			out := &PurchaseOutput{}
			err := s.consumerTx(ctx, in.Tenant, func(tx *tenants.Tx, me customers.Customer) (err error) {
				out.Body, err = ownPurchase(ctx, tx, me, in.id())
				return err
			})
			if err != nil {
				return nil, err
			}
			return out, nil
		})
	register(s, huma.Operation{OperationID: "consumer-cancel-purchase", Method: http.MethodPost,
		Path: "/v1/consumer/tenants/{tenant}/purchases/{id}/cancel", Tags: ctags,
		Summary: "Cancel my purchase (full refund in the cooling-off period)", Errors: []int{404, 409, 502, 503}},
		route{consumer: true}, func(ctx context.Context, in *myPurchaseIn) (*CancelOutput, error) {
			var scope tenants.Scope
			err := s.consumerTx(ctx, in.Tenant, func(tx *tenants.Tx, me customers.Customer) error {
				scope = tx.Scope
				_, err := ownPurchase(ctx, tx, me, in.id())
				return err
			})
			if err != nil {
				return nil, err
			}
			out := &CancelOutput{}
			out.Body.Purchase, out.Body.Refund, err = s.Billing.Cancel(ctx, scope, in.id())
			if err != nil {
				return nil, err
			}
			return out, nil
		})
}

// syncProduct pushes a product to Stripe after it was saved; failures are retried at checkout.
func (s *Server) syncProduct(ctx context.Context, id uuid.UUID) {
	if !s.Billing.Configured() {
		return
	}
	if err := s.tx(ctx, func(tx *tenants.Tx) error { return s.Billing.SyncProduct(ctx, tx, id) }); err != nil {
		s.Log.WarnContext(ctx, "sync product to stripe", "product", id, "err", err)
	}
}

// ownUnit checks that a unit is the consumer's (bought or used by them).
func ownUnit(ctx context.Context, tx *tenants.Tx, me customers.Customer, id uuid.UUID) error {
	r, err := tx.Q.GetRegistration(ctx, tx, db.GetRegistrationParams{TenantID: tx.Scope.TenantID, ID: id})
	if err != nil {
		return tenants.DBError(err, "", "")
	}
	if r.BuyerID.UUID != me.ID && r.UserID.UUID != me.ID {
		return tenants.ErrNotFound
	}
	return nil
}

// ownPurchase returns a purchase of the consumer's; others' are not found.
func ownPurchase(ctx context.Context, tx *tenants.Tx, me customers.Customer, id uuid.UUID) (billing.Purchase, error) {
	p, err := billing.GetPurchase(ctx, tx, id)
	if err != nil {
		return p, err
	}
	if p.CustomerID == nil || *p.CustomerID != me.ID {
		return billing.Purchase{}, tenants.ErrNotFound
	}
	return p, nil
}
