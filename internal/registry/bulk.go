package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/aftersales/aftersales/internal/catalog"
	"github.com/aftersales/aftersales/internal/customers"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/fault"
	"github.com/aftersales/aftersales/internal/platform"
	"github.com/aftersales/aftersales/tenants"
)

// Outcomes of one unit of a bulk store.
const (
	StatusCreated  = "created"  // a new registration was stored
	StatusExisting = "existing" // the unit was registered before (or earlier in the same batch)
	StatusInvalid  = "invalid"  // rejected; see the problems
)

// Statuses lists the outcomes of a unit of a bulk store.
var Statuses = []string{StatusCreated, StatusExisting, StatusInvalid}

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
	bySKU  map[string]catalog.Model
	byID   map[uuid.UUID]catalog.Model
	serial map[uuid.UUID]*regexp.Regexp // each model's serial format, compiled once
	today  time.Time
}

// NewValidator loads the tenant's models and current date.
func NewValidator(ctx context.Context, tx *tenants.Tx) (*Validator, error) {
	models, err := catalog.AllModels(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("load models: %w", err)
	}
	v := &Validator{bySKU: make(map[string]catalog.Model, len(models)), byID: make(map[uuid.UUID]catalog.Model, len(models)),
		serial: make(map[uuid.UUID]*regexp.Regexp, len(models))}
	for _, m := range models {
		v.bySKU[m.SKU], v.byID[m.ID], v.serial[m.ID] = m, m, serialPattern(m)
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
	c, err := check(in, m, v.serial[m.ID], v.today)
	if err != nil {
		var fe *fault.FieldError
		if !errors.As(err, &fe) {
			fe = &fault.FieldError{Reason: err.Error()}
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
func (p *problems) text(field, s string, maxLen int) bool {
	switch {
	case !utf8.ValidString(s):
		p.add(field, "is not valid UTF-8 text")
	case strings.ContainsRune(s, 0):
		p.add(field, "must not contain NUL characters")
	case utf8.RuneCountInString(s) > maxLen:
		p.add(field, fmt.Sprintf("is longer than %d characters", maxLen))
	default:
		return true
	}
	return false
}

type unitKey struct {
	model  uuid.UUID
	serial string
}

// StoreBulk stores checked units in a few set-based statements, whatever their number:
// one lookup of the units already registered (their keys as arrays), one statement that
// creates the consumer identities of new customers' phones and one multi-row INSERT of the
// customers, then multi-row INSERTs of the units (up to a thousand a statement) that skip
// units registered meanwhile. Multi-row INSERT ... VALUES rather than COPY or INSERT ...
// SELECT: Citus routes it to the tenant's shard, where row-level security checks each row;
// it copies the rows of the others, which row-level security refuses. Outcomes are in the
// order of units.
// A unit repeated within units is stored once (the first wins) and reported as existing. A
// unit already registered by importID counts as created, so a re-run import reports what
// it stored. Nothing is audited here: callers write one entry per batch.
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
		r, ok := found[i]
		switch {
		case !ok:
			fresh = append(fresh, i)
		case importID.Valid && r.importID == importID:
			out[i] = Outcome{Status: StatusCreated, ID: r.id} // stored by an earlier run of this import
		default:
			out[i] = Outcome{Status: StatusExisting, ID: r.id}
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

// pgUUID and pgNullUUID hand ids to pgx as its own type, which it encodes directly (a
// google/uuid value goes through its text form, a failed binary attempt and a parse).
func pgUUID(id uuid.UUID) pgtype.UUID         { return pgtype.UUID{Bytes: id, Valid: true} }
func pgNullUUID(id uuid.NullUUID) pgtype.UUID { return pgtype.UUID{Bytes: id.UUID, Valid: id.Valid} }

// findKeys is raw SQL with pgx's own UUID type (see pgUUID): the registrations of units
// given as arrays of equal length (n: the unit's index), by one probe of the unique index
// (tenant_id, model_id, serial) per unit (LATERAL ... LIMIT 1 keeps the planner from
// scanning the tenant's registrations for a hash join).
const findKeys = `SELECT k.n, r.id, r.import_id
FROM unnest($2::integer[], $3::uuid[], $4::text[]) AS k (n, model_id, serial)
CROSS JOIN LATERAL (
  SELECT x.id, x.import_id FROM registrations x
  WHERE x.tenant_id = $1 AND x.model_id = k.model_id AND x.serial = k.serial
  LIMIT 1
) AS r`

// registered is a unit's existing registration.
type registered struct {
	id       uuid.UUID
	importID uuid.NullUUID
}

// findRegistrations looks up the registrations of units[idx] by model and serial, by unit
// index.
func findRegistrations(ctx context.Context, tx *tenants.Tx, units []Checked, idx []int) (map[int]registered, error) {
	found := map[int]registered{}
	if len(idx) == 0 {
		return found, nil
	}
	ns, models, serials := make([]int32, len(idx)), make([]pgtype.UUID, len(idx)), make([]string, len(idx))
	for k, i := range idx {
		ns[k], models[k], serials[k] = int32(i), pgUUID(units[i].Model.ID), units[i].Serial
	}
	rows, err := tx.Query(ctx, findKeys, pgUUID(tx.Scope.TenantID), ns, models, serials)
	if err != nil {
		return nil, fmt.Errorf("find registered units: %w", err)
	}
	var n int32
	var id, imp pgtype.UUID
	_, err = pgx.ForEachRow(rows, []any{&n, &id, &imp}, func() error {
		found[int(n)] = registered{id: id.Bytes, importID: uuid.NullUUID{UUID: imp.Bytes, Valid: imp.Valid}}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find registered units: %w", err)
	}
	return found, nil
}

// partyLinks are the customer ids of each unit's buyer and user.
type partyLinks struct{ buyer, user []uuid.NullUUID }

// newCustomer is a customer a bulk store creates: a phone's (linked to the consumer
// identity of the phone) or a name's alone.
type newCustomer struct {
	id, consumer uuid.UUID // consumer: the identity to create if the phone has none yet
	name, phone  string
}

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
	byPhone := make(map[string]uuid.UUID, len(phones))
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
	var made []newCustomer
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
				made = append(made, newCustomer{id: id, consumer: platform.NewID(), name: nameOf[r.p.Phone], phone: r.p.Phone})
			}
			*r.link = uuid.NullUUID{UUID: id, Valid: true}
		default: // a name alone: a new customer, as for a single registration
			id := platform.NewID()
			made = append(made, newCustomer{id: id, name: r.p.Name})
			*r.link = uuid.NullUUID{UUID: id, Valid: true}
		}
	}
	n, err := createCustomers(ctx, tx, made)
	return links, n, err
}

// linkConsumers gives the phones (in order: a stable lock order against concurrent bulk
// stores) their consumer identities: the existing one, else a new one with the id given
// (consumers is a global table, a Citus reference table). It returns each phone's identity.
const linkConsumers = `INSERT INTO consumers (id, phone)
SELECT c.id, c.phone FROM unnest($1::uuid[], $2::text[]) AS c (id, phone) ORDER BY c.phone
ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone
RETURNING id, phone`

// insertCustomer is one new customer; createCustomers sends them as one multi-row INSERT.
const insertCustomer = `INSERT INTO customers (tenant_id, id, consumer_id, name, phone) VALUES ($1, $2, $3, $4, $5)`

// createCustomers stores new customers with their consumer identities; it returns how many.
func createCustomers(ctx context.Context, tx *tenants.Tx, made []newCustomer) (int, error) {
	if len(made) == 0 {
		return 0, nil
	}
	var ids []pgtype.UUID
	var phones []string
	for _, c := range made {
		if c.phone != "" {
			ids, phones = append(ids, pgUUID(c.consumer)), append(phones, c.phone)
		}
	}
	identity := make(map[string]pgtype.UUID, len(phones))
	if len(phones) > 0 {
		rows, err := tx.Query(ctx, linkConsumers, ids, phones)
		if err != nil {
			return 0, fmt.Errorf("link consumers: %w", err)
		}
		var id pgtype.UUID
		var phone string
		if _, err := pgx.ForEachRow(rows, []any{&id, &phone}, func() error { identity[phone] = id; return nil }); err != nil {
			return 0, fmt.Errorf("link consumers: %w", err)
		}
	}
	var ins tenants.MultiInsert
	tenant := pgUUID(tx.Scope.TenantID)
	for _, c := range made {
		if _, err := ins.Exec(ctx, insertCustomer, tenant, pgUUID(c.id), identity[c.phone], c.name, c.phone); err != nil {
			return 0, err
		}
	}
	n, err := ins.Send(ctx, tx)
	if err != nil {
		return 0, fmt.Errorf("create customers: %w", err)
	}
	return int(n), nil
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

// insertRegistration is one unit to register; insertStaged sends them as multi-row INSERTs,
// which skip units registered since the lookup (a concurrent store) and return the ids of
// those stored.
const insertRegistration = `INSERT INTO registrations (tenant_id, id, model_id, serial, purchase_date, invoice_no, invoice_date,
  invoice_image, has_warranty_card, seller, buyer_id, user_id, install_date, channel, import_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
ON CONFLICT (tenant_id, model_id, serial) DO NOTHING
RETURNING id`

// insertStaged registers units[idx], in key order (model, serial: a stable lock order
// against concurrent bulk stores); a unit registered meanwhile is reported as existing.
func insertStaged(ctx context.Context, tx *tenants.Tx, units []Checked, idx []int, links partyLinks, channel string,
	importID uuid.NullUUID, out []Outcome) error {
	if len(idx) == 0 {
		return nil
	}
	order := slices.Clone(idx)
	slices.SortFunc(order, func(a, b int) int {
		if c := bytes.Compare(units[a].Model.ID[:], units[b].Model.ID[:]); c != 0 {
			return c
		}
		return strings.Compare(units[a].Serial, units[b].Serial)
	})
	ids := make(map[int]uuid.UUID, len(order))
	stored := make(map[uuid.UUID]bool, len(order))
	tenant, imp := pgUUID(tx.Scope.TenantID), pgNullUUID(importID)
	for len(order) > 0 {
		chunk := order[:min(len(order), bulkChunk)]
		order = order[len(chunk):]
		var ins tenants.MultiInsert
		for _, i := range chunk {
			u := &units[i]
			ids[i] = platform.NewID()
			if _, err := ins.Exec(ctx, insertRegistration, tenant, pgUUID(ids[i]), pgUUID(u.Model.ID), u.Serial, u.Purchase,
				u.InvoiceNo, u.Invoice, u.InvoiceImage, u.HasCard, u.Seller, pgNullUUID(links.buyer[i]), pgNullUUID(links.user[i]),
				u.Install, channel, imp); err != nil {
				return err
			}
		}
		rows, err := ins.SendQuery(ctx, tx)
		if err != nil {
			return fmt.Errorf("insert registrations: %w", err)
		}
		var id pgtype.UUID
		if _, err := pgx.ForEachRow(rows, []any{&id}, func() error { stored[id.Bytes] = true; return nil }); err != nil {
			return fmt.Errorf("insert registrations: %w", err)
		}
	}
	var raced []int
	for _, i := range idx {
		if stored[ids[i]] {
			out[i] = Outcome{Status: StatusCreated, ID: ids[i]}
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
		out[i] = Outcome{Status: StatusExisting, ID: found[i].id}
	}
	return nil
}

// bulkChunk is the most units one INSERT of insertStaged takes (15 placeholders a unit).
const bulkChunk = 1000
