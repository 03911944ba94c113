package registry

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Outcomes of one unit of a bulk store.
const (
	StatusCreated  = "created"  // a new registration was stored
	StatusExisting = "existing" // the unit was registered before (or earlier in the same batch)
	StatusInvalid  = "invalid"  // rejected; see the problems
)

// Problem is one reason a unit of a bulk store was rejected.
type Problem struct {
	Field   string `json:"field" doc:"Field of the item, e.g. serial or buyer.phone; empty for the whole item"`
	Message string `json:"message"`
}

// Outcome is what became of one unit of a bulk store.
type Outcome struct {
	Status   string
	ID       uuid.UUID // the registration, when created or existing
	Problems []Problem // when invalid
}

// BulkStats counts a bulk store's outcomes.
type BulkStats struct {
	Created          int `json:"created"`
	Existing         int `json:"existing"`
	Invalid          int `json:"invalid"`
	CustomersCreated int `json:"customers_created"`
}

// Validator checks inputs against a tenant's catalog without a query per unit: many units
// are validated with the models and the date loaded once.
type Validator struct {
	bySKU map[string]catalog.Model
	byID  map[uuid.UUID]catalog.Model
	today time.Time
}

// NewValidator loads the tenant's models and current date.
func NewValidator(ctx context.Context, tx *tenants.Tx) (*Validator, error) {
	rows, err := tx.Q.AllModels(ctx, tx, tx.Scope.TenantID)
	if err != nil {
		return nil, fmt.Errorf("load models: %w", err)
	}
	v := &Validator{bySKU: make(map[string]catalog.Model, len(rows)), byID: make(map[uuid.UUID]catalog.Model, len(rows))}
	for _, r := range rows {
		m, err := catalog.ModelFromRow(r)
		if err != nil {
			return nil, err
		}
		v.bySKU[m.SKU], v.byID[m.ID] = m, m
	}
	if v.today, err = Today(ctx, tx); err != nil {
		return nil, err
	}
	return v, nil
}

// Check validates one input like Register does, reporting every problem it finds rather
// than the first error. Field names are the input's JSON names (buyer.phone).
func (v *Validator) Check(in Input) (Checked, []Problem) {
	var ps problems
	var m catalog.Model
	var haveModel bool
	switch {
	case strings.TrimSpace(in.ModelID) != "":
		id, err := uuid.Parse(strings.TrimSpace(in.ModelID))
		if err != nil {
			ps.add("model_id", "must be a UUID")
		} else if m, haveModel = v.byID[id]; !haveModel {
			ps.add("model_id", "does not exist")
		}
	case strings.TrimSpace(in.ModelSKU) != "":
		if m, haveModel = v.bySKU[strings.TrimSpace(in.ModelSKU)]; !haveModel {
			ps.add("model_sku", "is not a model of this tenant")
		}
	default:
		ps.add("model_sku", "is required (or model_id)")
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{{"serial", in.Serial, 64}, {"purchase_date", in.PurchaseDate, 32}, {"invoice_no", in.InvoiceNo, 64},
		{"invoice_date", in.InvoiceDate, 32}, {"invoice_image", in.InvoiceImage, 500}, {"seller", in.Seller, 200},
		{"install_date", in.InstallDate, 32}} {
		ps.text(f.name, f.value, f.max)
	}
	in.Buyer = v.party(in.Buyer, "buyer", &ps)
	in.User = v.party(in.User, "user", &ps)
	if !haveModel || ps.has("serial") {
		return Checked{}, ps.list
	}
	c, err := Check(in, m, v.today, "")
	if err != nil {
		var fe *tenants.FieldError
		if !errors.As(err, &fe) {
			fe = &tenants.FieldError{Reason: err.Error()}
		}
		ps.add(fe.Field, fe.Reason)
	}
	return c, ps.list
}

// party checks and normalises a buyer or user: a copy with the phone in E.164, or nil when
// every field is empty.
func (v *Validator) party(p *Party, field string, ps *problems) *Party {
	if p == nil {
		return nil
	}
	q := Party{CustomerID: strings.TrimSpace(p.CustomerID), Name: strings.TrimSpace(p.Name), Phone: strings.TrimSpace(p.Phone)}
	if q == (Party{}) {
		return nil
	}
	if q.CustomerID != "" {
		if _, err := uuid.Parse(q.CustomerID); err != nil {
			ps.add(field+".customer_id", "must be a UUID")
		}
		return &q
	}
	ps.text(field+".name", q.Name, 200)
	if ps.text(field+".phone", q.Phone, 32) {
		phone, err := customers.NormalizePhone(q.Phone)
		if err != nil {
			ps.add(field+".phone", "is not a valid phone number")
		}
		q.Phone = phone
	}
	return &q
}

// problems collects at most one problem per field.
type problems struct{ list []Problem }

func (p *problems) add(field, msg string) {
	if !p.has(field) {
		p.list = append(p.list, Problem{Field: field, Message: msg})
	}
}

func (p *problems) has(field string) bool {
	for _, x := range p.list {
		if x.Field == field {
			return true
		}
	}
	return false
}

// text rejects a value that is too long or cannot be stored; it reports whether s is fine.
func (p *problems) text(field, s string, max int) bool {
	switch {
	case !utf8.ValidString(s):
		p.add(field, "is not valid UTF-8 text")
	case strings.ContainsRune(s, 0):
		p.add(field, "must not contain NUL characters")
	case utf8.RuneCountInString(s) > max:
		p.add(field, fmt.Sprintf("is longer than %d characters", max))
	default:
		return true
	}
	return false
}

type unitKey struct {
	model  uuid.UUID
	serial string
}

// StoreBulk stores checked units in a few statements: one lookup of the units already
// registered, bulk creation of missing buyer and user customers (linked to their consumer
// identity by phone), then COPY into a temporary staging table and one INSERT ... SELECT
// into registrations that skips units registered meanwhile. Outcomes are in the order of
// units. A unit repeated within units is stored once (the first wins) and reported as
// existing. A unit already registered by importID counts as created, so a re-run import
// reports what it stored. Nothing is audited here: callers write one entry per batch.
func StoreBulk(ctx context.Context, tx *tenants.Tx, units []Checked, channel string, importID uuid.NullUUID) ([]Outcome, BulkStats, error) {
	out := make([]Outcome, len(units))
	var stats BulkStats
	if len(units) == 0 {
		return out, stats, nil
	}
	dupOf := make([]int, len(units))
	first := make(map[unitKey]int, len(units))
	firsts := make([]int, 0, len(units))
	for i, u := range units {
		k := unitKey{u.Model.ID, u.Serial}
		if j, ok := first[k]; ok {
			dupOf[i] = j
			continue
		}
		first[k], dupOf[i] = i, -1
		firsts = append(firsts, i)
	}
	found, err := findRegistrations(ctx, tx, units, firsts)
	if err != nil {
		return nil, stats, err
	}
	fresh := make([]int, 0, len(firsts))
	for _, i := range firsts {
		r, ok := found[unitKey{units[i].Model.ID, units[i].Serial}]
		switch {
		case !ok:
			fresh = append(fresh, i)
		case importID.Valid && r.ImportID == importID:
			out[i] = Outcome{Status: StatusCreated, ID: r.ID} // stored by an earlier run of this import
		default:
			out[i] = Outcome{Status: StatusExisting, ID: r.ID}
		}
	}
	links, made, err := resolveParties(ctx, tx, units, fresh, out)
	if err != nil {
		return nil, stats, err
	}
	stats.CustomersCreated = made
	valid := fresh[:0:0]
	for _, i := range fresh {
		if out[i].Status == "" {
			valid = append(valid, i)
		}
	}
	if err := insertStaged(ctx, tx, units, valid, links, channel, importID, out); err != nil {
		return nil, stats, err
	}
	for i, j := range dupOf {
		if j < 0 {
			continue
		}
		if out[j].Status == StatusInvalid {
			out[i] = Outcome{Status: StatusInvalid, Problems: []Problem{{Field: "serial", Message: "repeats an earlier unit that was rejected"}}}
		} else {
			out[i] = Outcome{Status: StatusExisting, ID: out[j].ID}
		}
	}
	for _, o := range out {
		switch o.Status {
		case StatusCreated:
			stats.Created++
		case StatusExisting:
			stats.Existing++
		default:
			stats.Invalid++
		}
	}
	return out, stats, nil
}

// findRegistrations looks up the registrations of units[idx] by model and serial.
func findRegistrations(ctx context.Context, tx *tenants.Tx, units []Checked, idx []int) (map[unitKey]db.FindRegistrationsByKeysRow, error) {
	found := map[unitKey]db.FindRegistrationsByKeysRow{}
	if len(idx) == 0 {
		return found, nil
	}
	models, serials := make([]uuid.UUID, len(idx)), make([]string, len(idx))
	for n, i := range idx {
		models[n], serials[n] = units[i].Model.ID, units[i].Serial
	}
	rows, err := tx.Q.FindRegistrationsByKeys(ctx, tx, db.FindRegistrationsByKeysParams{TenantID: tx.Scope.TenantID,
		ModelIds: models, Serials: serials})
	if err != nil {
		return nil, fmt.Errorf("find registered units: %w", err)
	}
	for _, r := range rows {
		found[unitKey{r.ModelID, r.Serial}] = r
	}
	return found, nil
}

// partyLinks are the customer ids of each unit's buyer and user.
type partyLinks struct{ buyer, user []uuid.NullUUID }

// resolveParties finds or creates the customers of the units' buyers and users, as party()
// does for one unit: a given customer id must exist; a phone reuses the tenant's customer
// with that phone, else creates one (named by the first unit naming that phone) linked to
// the consumer identity of the phone; a name alone creates a customer. Units whose parties
// cannot be resolved get an invalid outcome; no customer is created before every unit's
// parties were checked. It returns the links and how many customers it created.
func resolveParties(ctx context.Context, tx *tenants.Tx, units []Checked, idx []int, out []Outcome) (partyLinks, int, error) {
	links := partyLinks{buyer: make([]uuid.NullUUID, len(units)), user: make([]uuid.NullUUID, len(units))}
	type ref struct {
		unit  int
		field string
		p     *Party
		link  *uuid.NullUUID
	}
	var refs []ref
	var ids []uuid.UUID
	var phones []string
	nameOf := map[string]string{}
	for _, i := range idx {
		for _, r := range []ref{{i, "buyer", units[i].Buyer, &links.buyer[i]}, {i, "user", units[i].User, &links.user[i]}} {
			if r.p == nil || *r.p == (Party{}) {
				continue
			}
			refs = append(refs, r)
			switch {
			case r.p.CustomerID != "":
				ids = append(ids, uuid.MustParse(r.p.CustomerID)) // the Validator checked the form
			case r.p.Phone != "":
				if _, seen := nameOf[r.p.Phone]; !seen {
					phones = append(phones, r.p.Phone)
					nameOf[r.p.Phone] = ""
				}
				if nameOf[r.p.Phone] == "" {
					nameOf[r.p.Phone] = r.p.Name
				}
			}
		}
	}
	if len(refs) == 0 {
		return links, 0, nil
	}
	known := map[uuid.UUID]bool{}
	if len(ids) > 0 {
		got, err := tx.Q.ExistingCustomerIDs(ctx, tx, db.ExistingCustomerIDsParams{TenantID: tx.Scope.TenantID, Ids: ids})
		if err != nil {
			return links, 0, fmt.Errorf("find customers: %w", err)
		}
		for _, id := range got {
			known[id] = true
		}
	}
	byPhone := map[string]uuid.UUID{}
	if len(phones) > 0 {
		got, err := tx.Q.CustomersByPhones(ctx, tx, db.CustomersByPhonesParams{TenantID: tx.Scope.TenantID, Phones: phones})
		if err != nil {
			return links, 0, fmt.Errorf("find customers by phone: %w", err)
		}
		for _, r := range got {
			byPhone[r.Phone] = r.ID
		}
	}
	// Check every reference first, so that no customer is created for a rejected unit.
	for _, r := range refs {
		switch {
		case r.p.CustomerID != "":
			if !known[uuid.MustParse(r.p.CustomerID)] {
				reject(out, r.unit, r.field+".customer_id", "does not exist")
			}
		case r.p.Phone != "":
			if _, ok := byPhone[r.p.Phone]; !ok && nameOf[r.p.Phone] == "" {
				reject(out, r.unit, r.field+".name", "is required for a new customer")
			}
		}
	}
	var newIDs, newConsumers []uuid.UUID
	var newNames, newPhones, consumerPhones []string
	for _, r := range refs {
		if out[r.unit].Status == StatusInvalid {
			continue
		}
		switch {
		case r.p.CustomerID != "":
			*r.link = uuid.NullUUID{UUID: uuid.MustParse(r.p.CustomerID), Valid: true}
		case r.p.Phone != "":
			id, ok := byPhone[r.p.Phone]
			if !ok {
				id = platform.NewID()
				byPhone[r.p.Phone] = id
				newIDs, newNames, newPhones = append(newIDs, id), append(newNames, nameOf[r.p.Phone]), append(newPhones, r.p.Phone)
				consumerPhones = append(consumerPhones, r.p.Phone)
			}
			*r.link = uuid.NullUUID{UUID: id, Valid: true}
		default: // a name alone: a new customer, as for a single registration
			id := platform.NewID()
			newIDs, newNames, newPhones = append(newIDs, id), append(newNames, r.p.Name), append(newPhones, "")
			*r.link = uuid.NullUUID{UUID: id, Valid: true}
		}
	}
	if len(newIDs) == 0 {
		return links, 0, nil
	}
	consumerOf, err := upsertConsumers(ctx, tx, consumerPhones)
	if err != nil {
		return links, 0, err
	}
	newConsumers = make([]uuid.UUID, len(newIDs))
	for n, phone := range newPhones {
		newConsumers[n] = consumerOf[phone] // uuid.Nil (stored as NULL) without a phone
	}
	made, err := tx.Q.CreateCustomersBulk(ctx, tx, db.CreateCustomersBulkParams{TenantID: tx.Scope.TenantID, Ids: newIDs,
		ConsumerIds: newConsumers, Names: newNames, Phones: newPhones})
	if err != nil {
		return links, 0, fmt.Errorf("create customers: %w", err)
	}
	return links, int(made), nil
}

// upsertConsumers returns the global consumer identity of each phone, creating missing ones.
func upsertConsumers(ctx context.Context, tx *tenants.Tx, phones []string) (map[string]uuid.UUID, error) {
	ids := map[string]uuid.UUID{}
	if len(phones) == 0 {
		return ids, nil
	}
	sort.Strings(phones) // a stable lock order against concurrent bulk stores
	newIDs := make([]uuid.UUID, len(phones))
	for n := range phones {
		newIDs[n] = platform.NewID()
	}
	rows, err := tx.Q.UpsertConsumersByPhones(ctx, tx, db.UpsertConsumersByPhonesParams{Ids: newIDs, Phones: phones})
	if err != nil {
		return nil, fmt.Errorf("link consumer identities: %w", err)
	}
	for _, r := range rows {
		if r.Phone != nil {
			ids[*r.Phone] = r.ID
		}
	}
	return ids, nil
}

func reject(out []Outcome, i int, field, msg string) {
	out[i].Status = StatusInvalid
	for _, p := range out[i].Problems {
		if p.Field == field {
			return
		}
	}
	out[i].Problems = append(out[i].Problems, Problem{Field: field, Message: msg})
}

// stagingDDL creates the per-transaction staging table. Temporary tables have no row-level
// security; rows leave it only through the INSERT into registrations, which RLS checks.
const stagingDDL = `CREATE TEMP TABLE IF NOT EXISTS registration_staging (
  id uuid NOT NULL, model_id uuid NOT NULL, serial text NOT NULL, purchase_date date NOT NULL,
  invoice_no text NOT NULL, invoice_date date, invoice_image text NOT NULL, has_warranty_card boolean NOT NULL,
  seller text NOT NULL, buyer_id uuid, user_id uuid, install_date date
) ON COMMIT DROP;
TRUNCATE registration_staging`

var stagingColumns = []string{"id", "model_id", "serial", "purchase_date", "invoice_no", "invoice_date", "invoice_image",
	"has_warranty_card", "seller", "buyer_id", "user_id", "install_date"}

// insertFromStaging is the raw SQL sqlc cannot check (the staging table is temporary). Units
// registered since the lookup (a concurrent store) are skipped by ON CONFLICT.
const insertFromStaging = `INSERT INTO registrations (tenant_id, id, model_id, serial, purchase_date, invoice_no, invoice_date,
  invoice_image, has_warranty_card, seller, buyer_id, user_id, install_date, channel, import_id)
SELECT $1, id, model_id, serial, purchase_date, invoice_no, invoice_date, invoice_image, has_warranty_card, seller,
  buyer_id, user_id, install_date, $2, $3
FROM registration_staging
ORDER BY model_id, serial
ON CONFLICT (tenant_id, model_id, serial) DO NOTHING
RETURNING id`

// insertStaged copies units[idx] into the staging table and inserts them into registrations.
func insertStaged(ctx context.Context, tx *tenants.Tx, units []Checked, idx []int, links partyLinks, channel string,
	importID uuid.NullUUID, out []Outcome) error {
	if len(idx) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, stagingDDL); err != nil {
		return fmt.Errorf("create staging table: %w", err)
	}
	ids := make([]uuid.UUID, len(idx))
	rows := make([][]any, len(idx))
	for n, i := range idx {
		u := units[i]
		ids[n] = platform.NewID()
		rows[n] = []any{ids[n], u.Model.ID, u.Serial, u.Purchase, u.InvoiceNo, u.Invoice, u.InvoiceImage, u.HasCard,
			u.Seller, links.buyer[i], links.user[i], u.Install}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"registration_staging"}, stagingColumns, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("copy into staging: %w", err)
	}
	res, err := tx.Query(ctx, insertFromStaging, tx.Scope.TenantID, channel, importID)
	if err != nil {
		return fmt.Errorf("insert registrations: %w", err)
	}
	created, err := pgx.CollectRows(res, pgx.RowTo[uuid.UUID])
	if err != nil {
		return fmt.Errorf("insert registrations: %w", err)
	}
	inserted := make(map[uuid.UUID]bool, len(created))
	for _, id := range created {
		inserted[id] = true
	}
	var raced []int
	for n, i := range idx {
		if inserted[ids[n]] {
			out[i] = Outcome{Status: StatusCreated, ID: ids[n]}
		} else {
			raced = append(raced, i)
		}
	}
	if len(raced) == 0 {
		return nil
	}
	found, err := findRegistrations(ctx, tx, units, raced)
	if err != nil {
		return err
	}
	for _, i := range raced {
		out[i] = Outcome{Status: StatusExisting, ID: found[unitKey{units[i].Model.ID, units[i].Serial}].ID}
	}
	return nil
}
