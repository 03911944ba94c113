package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/commission"
	"github.com/aftersales/aftersales/internal/parts"
	"github.com/aftersales/aftersales/internal/stock"
	"github.com/aftersales/aftersales/tenants"
)

// seedStock gives the brand a small parts catalog, a central spare-parts warehouse, the
// Shanghai outlet's warehouse and its first engineer's van, stock received into them, and a
// safety stock the outlet is below, so the stock screens and the replenishment suggestions
// have something to show.
func seedStock(ctx context.Context, tx *tenants.Tx) error {
	outlets, err := tenants.ListOutlets(ctx, tx, tenants.OutletFilter{Limit: 50})
	if err != nil {
		return err
	}
	var shanghaiOutlet uuid.UUID
	for _, o := range outlets {
		if o.Code == "SH-PD-01" {
			shanghaiOutlet = o.ID
		}
	}
	if shanghaiOutlet == uuid.Nil {
		return nil // an older demo without the Shanghai outlet: nothing to hang the stock on
	}
	role := "engineer"
	members, err := tenants.ListMembers(ctx, tx, uuid.NullUUID{}, &role, 100)
	if err != nil {
		return err
	}
	var engineers []tenants.Member
	for _, m := range members {
		if m.OutletID != nil && *m.OutletID == shanghaiOutlet {
			engineers = append(engineers, m)
		}
	}
	catalog := []parts.PartFields{
		{PartNo: "PCB-KFR35-01", NameZh: "主控板", NameEn: "Main board", Components: []string{"main_board"}, SerialTracked: true,
			UnitCost: 18000, OutletPrice: 22000, ConsumerPrice: 32000},
		{PartNo: "CMP-R32-1HP", NameZh: "压缩机 1 匹", NameEn: "Compressor 1 HP", Components: []string{"compressor"}, SerialTracked: true,
			UnitCost: 52000, OutletPrice: 60000, ConsumerPrice: 88000},
		{PartNo: "CAP-35UF", NameZh: "启动电容 35μF", NameEn: "Start capacitor 35 µF", UnitCost: 900, OutletPrice: 1200, ConsumerPrice: 2500},
		{PartNo: "RC-KT-01", NameZh: "遥控器", NameEn: "Remote control", UnitCost: 1500, OutletPrice: 2000, ConsumerPrice: 4500},
	}
	ids := map[string]uuid.UUID{}
	for _, f := range catalog {
		p, err := parts.Create(ctx, tx, f)
		if err != nil {
			return fmt.Errorf("part %s: %w", f.PartNo, err)
		}
		ids[f.PartNo] = p.ID
	}
	central, err := stock.CreateWarehouse(ctx, tx, stock.WarehouseFields{Code: "CW-SH", Name: "华东备件中心 East China parts centre", Kind: "spare_parts"})
	if err != nil {
		return err
	}
	local, err := stock.CreateWarehouse(ctx, tx, stock.WarehouseFields{Code: "SH-PD-SPARE", Name: "浦东服务中心备件库 Pudong spares",
		Kind: "spare_parts", OutletID: &shanghaiOutlet})
	if err != nil {
		return err
	}
	receipts := []stock.MovementInput{
		{WarehouseID: central.ID, PartID: ids["CAP-35UF"], Qty: 40},
		{WarehouseID: central.ID, PartID: ids["RC-KT-01"], Qty: 25},
		{WarehouseID: local.ID, PartID: ids["CAP-35UF"], Qty: 3},
		{WarehouseID: local.ID, PartID: ids["RC-KT-01"], Qty: 6},
	}
	for i := range 3 {
		receipts = append(receipts, stock.MovementInput{WarehouseID: central.ID, PartID: ids["PCB-KFR35-01"], Qty: 1,
			Serial: fmt.Sprintf("MB2612%04d", i+1)})
	}
	receipts = append(receipts, stock.MovementInput{WarehouseID: central.ID, PartID: ids["CMP-R32-1HP"], Qty: 1, Serial: "CP26120001"})
	if len(engineers) > 0 {
		van, err := stock.CreateWarehouse(ctx, tx, stock.WarehouseFields{Code: "VAN-SH-01", Name: "工程师车载库 Engineer van",
			Kind: "spare_parts", OutletID: &shanghaiOutlet, EngineerID: &engineers[0].UserID})
		if err != nil {
			return err
		}
		receipts = append(receipts, stock.MovementInput{WarehouseID: van.ID, PartID: ids["CAP-35UF"], Qty: 4})
	}
	for i, r := range receipts {
		r.Type, r.IdempotencyKey = "receipt", fmt.Sprintf("demo-receipt-%d", i+1)
		if _, _, err := stock.Post(ctx, tx, r, uuid.Nil); err != nil {
			return fmt.Errorf("receive demo stock: %w", err)
		}
	}
	_, err = stock.SetSafety(ctx, tx, stock.SafetyInput{WarehouseID: local.ID, PartID: ids["CAP-35UF"], MinQty: 5, ReorderQty: 10})
	return err
}

// seedPay gives the brand pay rules in force from the first day of this month: commission per
// order type and service mode, a lead/assistant split, and the deductions and rewards of seed
// 000 (late, repeat repair, complaint, callback score, praise).
func seedPay(ctx context.Context, tx *tenants.Tx) error {
	first := time.Now().In(shanghai())
	first = time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, first.Location())
	_, err := commission.AddVersion(ctx, tx, commission.NewRuleVersion{EffectiveFrom: first.Format(time.DateOnly),
		Note: "演示提成规则 Demo pay rules",
		Rules: commission.PayRules{
			Rates: []commission.PayRate{
				{ID: "install", OrderType: "installation", Basis: commission.Fixed, Amount: 6000},
				{ID: "major-onsite", OrderType: "repair_major", Mode: commission.OnSite, Basis: commission.Fixed, Amount: 8000},
				{ID: "major", OrderType: "repair_major", Basis: commission.Percent,
					Tiers: []commission.Bracket{{UpTo: 20000, BasisPoints: 2000}, {BasisPoints: 1500}}},
				{ID: "minor", OrderType: "repair_minor", Basis: commission.Fixed, Amount: 2500},
				{ID: "gas", OrderType: "gas_conversion", MinLevel: 2, Basis: commission.Fixed, Amount: 7000},
				{ID: "default", Basis: commission.Fixed, Amount: 3000},
			},
			Shares:    map[string]int{"lead": 7, "assistant": 3},
			Late:      &commission.LateRule{ID: "late", GraceMinutes: 30, LateRule: 1000, Cap: 5000},
			Repeat:    &commission.RepeatRule{ID: "repeat-30d", Days: 30, Amount: 3000},
			Complaint: &commission.FlatRule{ID: "complaint", Amount: 5000},
			PoorScore: &commission.ScoreRule{ID: "poor-score", At: 2, Amount: 2000},
			GoodScore: &commission.ScoreRule{ID: "good-score", At: 5, Amount: 500},
			Praise:    &commission.FlatRule{ID: "praise", Amount: 1000},
		}})
	return err
}
