package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// loadConfig shapes one closed-loop load run: Concurrency clients, each sending its next
// request as soon as the previous one is answered (as pgbench's clients do), first for Warmup
// (not recorded: connections, statement caches and the Go runtime settle), then for Duration
// (recorded).
type loadConfig struct {
	Concurrency int
	Warmup      time.Duration
	Duration    time.Duration
	Timeout     time.Duration // per request
}

// loadResult summarises the recorded part of a run.
type loadResult struct {
	OK       int           // 2xx responses completed in the window
	Errors   int           // other statuses and transport errors in the window
	Total    int           // requests completed over the whole run, warm-up included
	RPS      float64       // OK / window length
	P50, P99 time.Duration // latency of the OK responses
	Max      time.Duration
	Samples  []string // a few error descriptions, for the report
}

// ErrorRate is the share of recorded requests that failed.
func (r loadResult) ErrorRate() float64 {
	if n := r.OK + r.Errors; n > 0 {
		return float64(r.Errors) / float64(n)
	}
	return 0
}

// maxErrorSamples bounds how many error descriptions a run keeps.
const maxErrorSamples = 3

// workerStats is what one client recorded; merged when all are done.
type workerStats struct {
	latencies []time.Duration
	errors    int
	total     int
	samples   []string
}

// runLoad drives newReq with cfg.Concurrency clients. Each client owns one keep-alive
// connection (its own Transport), like a pgbench client owns one database connection. It
// stops when the window ends or ctx is cancelled; a request in flight at the end is
// finished but not recorded.
func runLoad(ctx context.Context, cfg loadConfig, newReq func(context.Context) (*http.Request, error)) (loadResult, error) {
	start := time.Now()
	from, until := start.Add(cfg.Warmup), start.Add(cfg.Warmup+cfg.Duration)
	stats := make([]workerStats, cfg.Concurrency)
	errs := make([]error, cfg.Concurrency)
	var wg sync.WaitGroup
	for i := range cfg.Concurrency {
		wg.Go(func() { errs[i] = worker(ctx, cfg.Timeout, from, until, newReq, &stats[i]) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return loadResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return loadResult{}, err
	}
	var all []time.Duration
	var r loadResult
	for _, s := range stats {
		all = append(all, s.latencies...)
		r.Errors += s.errors
		r.Total += s.total
		for _, e := range s.samples {
			if len(r.Samples) < maxErrorSamples {
				r.Samples = append(r.Samples, e)
			}
		}
	}
	slices.Sort(all)
	r.OK = len(all)
	r.RPS = float64(r.OK) / cfg.Duration.Seconds()
	r.P50, r.P99 = percentile(all, 0.50), percentile(all, 0.99)
	if len(all) > 0 {
		r.Max = all[len(all)-1]
	}
	return r, nil
}

// worker is one client's loop. Only a failure to build a request is returned as an error:
// failed responses are counted, since measuring them is the point.
func worker(ctx context.Context, timeout time.Duration, from, until time.Time,
	newReq func(context.Context) (*http.Request, error), st *workerStats) error {
	tr := &http.Transport{Proxy: nil, MaxIdleConns: 1, MaxIdleConnsPerHost: 1, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: timeout}
	for ctx.Err() == nil && time.Now().Before(until) {
		req, err := newReq(ctx)
		if err != nil {
			return fmt.Errorf("build request: %w", err)
		}
		t0 := time.Now()
		problem := do(client, req)
		t1 := time.Now()
		st.total++
		if t1.Before(from) || t1.After(until) {
			continue // warm-up, or finished after the window closed
		}
		if problem == "" {
			st.latencies = append(st.latencies, t1.Sub(t0))
			continue
		}
		st.errors++
		if len(st.samples) < maxErrorSamples {
			st.samples = append(st.samples, problem)
		}
	}
	return nil
}

// do sends req and reads the whole body (so the connection is reused). It returns "" for a
// 2xx response, else a short description of what went wrong.
func do(client *http.Client, req *http.Request) string {
	resp, err := client.Do(req)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return "read body: " + err.Error()
		}
		return ""
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	_, _ = io.Copy(io.Discard, resp.Body)
	return fmt.Sprintf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, strings.TrimSpace(string(body)))
}

// percentile returns the nearest-rank p-quantile (0 < p <= 1) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
