package claims

// Fraud and quality signals across a payer's network (docs/claims.md): what the claims on
// the payer, and the work of its outlets and partners, show that a reviewer should look at,
// each with its evidence. Read in the payer's own tenant only: a partner's claims are the
// payer's copies, its work the jobs the payer sent.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/tenants"
)

// Signal kinds.
const (
	SignalSerialClaimedTwice = "serial_claimed_by_two" // one unit claimed by two claimants
	SignalPartSerialReused   = "part_serial_reused"    // one part serial on two claims
	SignalClaimRate          = "claim_rate_high"       // claims per job far above the network's
	SignalRepeatRepairs      = "repeat_repair_rate_high"
	SignalRMANoFault         = "rma_no_fault_found" // a claimed part came back from the maker's inspection not faulty
)

// SignalKinds lists the signal kinds.
var SignalKinds = []string{SignalSerialClaimedTwice, SignalPartSerialReused, SignalClaimRate, SignalRepeatRepairs, SignalRMANoFault}

// The thresholds of the rate signals: a claimant is flagged when its rate is more than
// RateFactor times the network's, over at least MinJobs jobs; a repair repeats when the
// same unit had a job in the RepeatDays before.
const (
	RateFactor = 2.0
	MinJobs    = 5
	RepeatDays = 30
)

// Claimant names who did work for the payer: one of its outlets, or a partner tenant.
type Claimant struct {
	OutletID        *uuid.UUID `json:"outlet_id,omitempty"`
	PartnerTenantID *uuid.UUID `json:"partner_tenant_id,omitempty"`
	Name            string     `json:"name"`
}

// Signal is one finding with its evidence.
type Signal struct {
	Kind      string     `json:"kind" doc:"serial_claimed_by_two, part_serial_reused, claim_rate_high, repeat_repair_rate_high or rma_no_fault_found"`
	Subject   string     `json:"subject" doc:"The unit's serial, the part's serial, or the claimant's name"`
	Claimants []Claimant `json:"claimants"`
	Rate      float64    `json:"rate,omitempty" doc:"Rate signals: the claimant's rate (claims per job, or repeat jobs per job)"`
	Network   float64    `json:"network_rate,omitempty" doc:"Rate signals: the same rate over the payer's whole network"`
	Threshold float64    `json:"threshold,omitempty" doc:"Rate signals: the rate above which a claimant is flagged (RateFactor times the network's)"`
	Jobs      int        `json:"jobs,omitempty" doc:"Rate signals: the claimant's jobs in the window"`
	Detail    string     `json:"detail"`
	OrderIDs  []string   `json:"order_ids" doc:"Evidence: the orders"`
	ClaimIDs  []string   `json:"claim_ids" doc:"Evidence: the claims"`
	// Adjustments proposes, for an RMA finding, the review adjustment of the claim's part
	// line it concerns: nothing approved for a part the inspection found not faulty.
	Adjustments []ClaimAdjustment `json:"adjustments,omitempty" doc:"rma_no_fault_found: the claim's part lines to approve for nothing, with the inspection's reason"`
	DetectedAt  time.Time         `json:"detected_at"`
}

// claimantOf keys a claimant: the partner if the work was handed off, else the outlet.
func claimantOf(outlet, partner uuid.NullUUID, name string) (string, Claimant) {
	if partner.Valid {
		id := partner.UUID
		return "p:" + id.String(), Claimant{PartnerTenantID: &id, Name: name}
	}
	id := outlet.UUID
	return "o:" + id.String(), Claimant{OutletID: &id, Name: name}
}

// Signals finds the fraud and quality signals of the payer's network in the last days:
// units claimed by two claimants, part serials on two claims, and claimants whose claims per
// job or repeat repairs per job are more than RateFactor times the network's.
func Signals(ctx context.Context, tx *tenants.Tx, days int) ([]Signal, error) {
	now, err := tx.Now(ctx)
	if err != nil {
		return nil, err
	}
	since := now.AddDate(0, 0, -days)
	cls, err := tx.Q.SignalClaims(ctx, tx, db.SignalClaimsParams{TenantID: tx.Scope.TenantID, Since: since})
	if err != nil {
		return nil, fmt.Errorf("claims for signals: %w", err)
	}
	work, err := tx.Q.SignalWork(ctx, tx, db.SignalWorkParams{TenantID: tx.Scope.TenantID, Since: since.AddDate(0, 0, -RepeatDays)})
	if err != nil {
		return nil, fmt.Errorf("work for signals: %w", err)
	}
	names := map[string]Claimant{}
	outletName := func(id uuid.UUID) (string, error) {
		if c, ok := names["o:"+id.String()]; ok {
			return c.Name, nil
		}
		o, err := tx.Q.GetOutlet(ctx, tx, db.GetOutletParams{TenantID: tx.Scope.TenantID, ID: id})
		if err != nil {
			return "", fmt.Errorf("outlet %s: %w", id, err)
		}
		return o.Name, nil
	}
	out := []Signal{}
	sig := func(s Signal) {
		s.DetectedAt = now
		if s.OrderIDs == nil {
			s.OrderIDs = []string{}
		}
		if s.ClaimIDs == nil {
			s.ClaimIDs = []string{}
		}
		out = append(out, s)
	}

	// Claims by unit and by part serial.
	type ref struct {
		key   string
		claim db.SignalClaimsRow
	}
	bySerial := map[string][]ref{}
	byPart := map[string][]ref{}
	claimsOf := map[string]int{}
	for _, c := range cls {
		name := c.CounterpartyName
		if !c.CounterpartyTenantID.Valid && c.OutletID.Valid {
			if name, err = outletName(c.OutletID.UUID); err != nil {
				return nil, err
			}
		}
		key, who := claimantOf(c.OutletID, c.CounterpartyTenantID, name)
		names[key] = who
		claimsOf[key]++
		if c.Serial != "" {
			bySerial[c.Serial] = append(bySerial[c.Serial], ref{key, c})
		}
		var lines []ClaimLine
		if err := json.Unmarshal(c.Lines, &lines); err != nil {
			return nil, fmt.Errorf("claim %s lines: %w", c.ID, err)
		}
		seen := map[string]bool{}
		for _, l := range lines {
			for _, s := range []string{l.FaultySerial, l.ReplacementSerial} {
				if s != "" && !seen[s] {
					seen[s] = true
					byPart[s] = append(byPart[s], ref{key, c})
				}
			}
		}
	}
	evidence := func(refs []ref) (orders, claims []string, who []Claimant) {
		keys := map[string]bool{}
		for _, r := range refs {
			orders = append(orders, r.claim.OrderID.String())
			claims = append(claims, r.claim.ID.String())
			if !keys[r.key] {
				keys[r.key] = true
				who = append(who, names[r.key])
			}
		}
		return orders, claims, who
	}
	for _, serial := range sortedKeys(bySerial) {
		refs := bySerial[serial]
		o, c, who := evidence(refs)
		if len(who) < 2 {
			continue
		}
		sig(Signal{Kind: SignalSerialClaimedTwice, Subject: serial, Claimants: who, OrderIDs: o, ClaimIDs: c,
			Detail: fmt.Sprintf("unit %s is claimed %d times by %d claimants", serial, len(refs), len(who))})
	}
	for _, part := range sortedKeys(byPart) {
		refs := byPart[part]
		if len(refs) < 2 {
			continue
		}
		o, c, who := evidence(refs)
		sig(Signal{Kind: SignalPartSerialReused, Subject: part, Claimants: who, OrderIDs: o, ClaimIDs: c,
			Detail: fmt.Sprintf("part serial %s is on %d claims", part, len(refs))})
	}

	// Returned parts the inspection found not faulty (no fault found, wrong part), on orders
	// with a claim: the claim's line of that part should not be paid.
	findings, err := tx.Q.RMAFindings(ctx, tx, db.RMAFindingsParams{TenantID: tx.Scope.TenantID, Since: &since})
	if err != nil {
		return nil, fmt.Errorf("rma findings: %w", err)
	}
	for _, f := range findings {
		for _, c := range cls {
			if c.OrderID != f.OrderID {
				continue
			}
			var lines []ClaimLine
			if err := json.Unmarshal(c.Lines, &lines); err != nil {
				return nil, fmt.Errorf("claim %s lines: %w", c.ID, err)
			}
			reason := fmt.Sprintf("returned part %s inspected by the maker: %s", f.PartNo, f.Result)
			if f.ResultNote != "" {
				reason += " (" + f.ResultNote + ")"
			}
			var adj []ClaimAdjustment
			for i, l := range lines {
				if l.Kind == "part" && (f.Serial != "" && l.FaultySerial == f.Serial || l.PartCode == f.PartNo) {
					adj = append(adj, ClaimAdjustment{Line: i, Approved: 0, Reason: reason})
				}
			}
			_, who := claimantOf(c.OutletID, c.CounterpartyTenantID, names[claimKey(c)].Name)
			subject := f.PartNo
			if f.Serial != "" {
				subject = f.Serial
			}
			sig(Signal{Kind: SignalRMANoFault, Subject: subject, Claimants: []Claimant{who}, OrderIDs: []string{c.OrderID.String()},
				ClaimIDs: []string{c.ID.String()}, Adjustments: adj, Detail: reason})
		}
	}

	// Rates per claimant over the jobs of the window; a job repeats when the unit had a job in
	// the RepeatDays before it (the work read reaches back that far).
	jobs := map[string][]db.SignalWorkRow{}
	repeats := map[string][]string{}
	last := map[string]time.Time{}
	total, totalRepeats := 0, 0
	for _, w := range work {
		prev, had := last[w.Serial]
		if w.Serial != "" {
			last[w.Serial] = w.CreatedAt
		}
		if w.CreatedAt.Before(since) {
			continue
		}
		name := w.PartnerName
		if !w.PartnerTenantID.Valid {
			if name, err = outletName(w.OutletID.UUID); err != nil {
				return nil, err
			}
		}
		key, who := claimantOf(w.OutletID, w.PartnerTenantID, name)
		names[key] = who
		jobs[key] = append(jobs[key], w)
		total++
		if w.Serial != "" && had && w.CreatedAt.Sub(prev) <= RepeatDays*24*time.Hour {
			repeats[key] = append(repeats[key], w.OrderID.String())
			totalRepeats++
		}
	}
	if total == 0 {
		return out, nil
	}
	netClaims, netRepeats := float64(len(cls))/float64(total), float64(totalRepeats)/float64(total)
	for _, key := range sortedKeys(jobs) {
		js := jobs[key]
		if len(js) < MinJobs {
			continue
		}
		n := float64(len(js))
		if r := float64(claimsOf[key]) / n; netClaims > 0 && r > RateFactor*netClaims {
			var claimIDs, orderIDs []string
			for _, c := range cls {
				if k, _ := claimantOf(c.OutletID, c.CounterpartyTenantID, ""); k == key {
					claimIDs, orderIDs = append(claimIDs, c.ID.String()), append(orderIDs, c.OrderID.String())
				}
			}
			sig(Signal{Kind: SignalClaimRate, Subject: names[key].Name, Claimants: []Claimant{names[key]}, Rate: r, Network: netClaims,
				Threshold: RateFactor * netClaims, Jobs: len(js), OrderIDs: orderIDs, ClaimIDs: claimIDs,
				Detail: fmt.Sprintf("%d claims on %d jobs (%.2f per job), the network %.2f", claimsOf[key], len(js), r, netClaims)})
		}
		if r := float64(len(repeats[key])) / n; netRepeats > 0 && r > RateFactor*netRepeats {
			sig(Signal{Kind: SignalRepeatRepairs, Subject: names[key].Name, Claimants: []Claimant{names[key]}, Rate: r, Network: netRepeats,
				Threshold: RateFactor * netRepeats, Jobs: len(js), OrderIDs: repeats[key],
				Detail: fmt.Sprintf("%d of %d jobs repeat a repair of the unit within %d days (%.2f), the network %.2f",
					len(repeats[key]), len(js), RepeatDays, r, netRepeats)})
		}
	}
	return out, nil
}

// claimKey keys a claim's claimant, as claimantOf does.
func claimKey(c db.SignalClaimsRow) string {
	k, _ := claimantOf(c.OutletID, c.CounterpartyTenantID, "")
	return k
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return slices.Clip(keys)
}
