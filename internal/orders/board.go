package orders

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/dispatch"
	"github.com/aftersales/aftersales/tenants"
)

// Job is an order on an engineer's board, with its appointment window.
type Job struct {
	Order            Order      `json:"order"`
	AppointmentStart *time.Time `json:"appointment_start,omitempty"`
	AppointmentEnd   *time.Time `json:"appointment_end,omitempty"`
	DistanceKM       *float64   `json:"distance_km,omitempty" doc:"From the previous stop (the engineer's position for the first)"`
}

// Board lists an engineer's open jobs for a day in route order: booked windows by start
// time; jobs without a window after them, nearest first from the last stop.
func (s *Service) Board(ctx context.Context, tx *tenants.Tx, userID uuid.UUID, day time.Time) ([]Job, error) {
	loc, err := tenants.Location(ctx, tx)
	if err != nil {
		return nil, err
	}
	y, m, d := day.In(loc).Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, loc)
	rows, err := tx.Q.EngineerBoard(ctx, tx, db.EngineerBoardParams{TenantID: tx.Scope.TenantID,
		UserID: userID, DayStart: start, DayEnd: start.AddDate(0, 0, 1)})
	if err != nil {
		return nil, fmt.Errorf("engineer board: %w", err)
	}
	var lat, lon *float64
	if p, err := tx.Q.GetEngineerProfile(ctx, tx, db.GetEngineerProfileParams{TenantID: tx.Scope.TenantID, UserID: userID}); err == nil {
		lat, lon = p.Latitude, p.Longitude
	}
	var booked, loose []Job
	for _, r := range rows {
		j := Job{Order: orderFromRow(r.ServiceOrder),
			AppointmentStart: r.AppointmentStart, AppointmentEnd: r.AppointmentEnd}
		if r.AppointmentStart != nil {
			booked = append(booked, j)
		} else {
			loose = append(loose, j)
		}
	}
	route := make([]Job, 0, len(rows))
	step := func(j Job) {
		if lat != nil && lon != nil && j.Order.Location.Latitude != nil && j.Order.Location.Longitude != nil {
			dist := dispatch.Haversine(*lat, *lon, *j.Order.Location.Latitude, *j.Order.Location.Longitude)
			j.DistanceKM = &dist
		}
		if j.Order.Location.Latitude != nil {
			lat, lon = j.Order.Location.Latitude, j.Order.Location.Longitude
		}
		route = append(route, j)
	}
	for _, j := range booked {
		step(j)
	}
	for len(loose) > 0 {
		best := 0
		if lat != nil && lon != nil {
			bestD := -1.0
			for i, j := range loose {
				if j.Order.Location.Latitude == nil {
					continue
				}
				dist := dispatch.Haversine(*lat, *lon, *j.Order.Location.Latitude, *j.Order.Location.Longitude)
				if bestD < 0 || dist < bestD {
					best, bestD = i, dist
				}
			}
		}
		step(loose[best])
		loose = append(loose[:best], loose[best+1:]...)
	}
	return route, nil
}
