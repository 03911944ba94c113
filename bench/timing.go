package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
)

// stmtTime is the time a pool spent waiting for one kind of statement, as the client sees
// it (round trip included).
type stmtTime struct {
	label string
	count int
	total time.Duration
}

// stmtTimer accumulates statement times by label.
type stmtTimer struct {
	mu sync.Mutex
	by map[string]*stmtTime
}

func newStmtTimer() *stmtTimer { return &stmtTimer{by: map[string]*stmtTime{}} }

func (t *stmtTimer) add(label string, d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.by[label]
	if s == nil {
		s = &stmtTime{label: label}
		t.by[label] = s
	}
	s.count++
	s.total += d
}

// reset forgets what was timed so far.
func (t *stmtTimer) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.by = map[string]*stmtTime{}
}

// top returns the n labels with the most total time, most first.
func (t *stmtTimer) top(n int) []stmtTime {
	t.mu.Lock()
	defer t.mu.Unlock()
	all := make([]stmtTime, 0, len(t.by))
	for _, s := range t.by {
		all = append(all, *s)
	}
	slices.SortFunc(all, func(a, b stmtTime) int { return int(b.total - a.total) })
	return all[:min(n, len(all))]
}

// count is the number of statements timed.
func (t *stmtTimer) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, s := range t.by {
		n += s.count
	}
	return n
}

var (
	sqlcNameRE = regexp.MustCompile(`^-- name: (\w+)`)
	spaceRE    = regexp.MustCompile(`\s+`)
	literalRE  = regexp.MustCompile(`'[^']*'`)
)

// stmtLabel names a statement: sqlc's query name when it has one, else its first words
// with string literals elided (the tenant id in SET LOCAL would split one kind into many).
func stmtLabel(sql string) string {
	if m := sqlcNameRE.FindStringSubmatch(sql); m != nil {
		return m[1]
	}
	s := strings.TrimSpace(spaceRE.ReplaceAllString(literalRE.ReplaceAllString(sql, "'?'"), " "))
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return s
}

// timingTracer times a pool's statements and COPYs into a stmtTimer; it implements
// pgx.QueryTracer and pgx.CopyFromTracer.
type timingTracer struct{ t *stmtTimer }

type traceStart struct {
	label string
	at    time.Time
}

type traceKey struct{}

func (tr *timingTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	return context.WithValue(ctx, traceKey{}, traceStart{stmtLabel(d.SQL), time.Now()})
}

func (tr *timingTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryEndData) {
	if s, ok := ctx.Value(traceKey{}).(traceStart); ok {
		tr.t.add(s.label, time.Since(s.at))
	}
}

func (tr *timingTracer) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceCopyFromStartData) context.Context {
	return context.WithValue(ctx, traceKey{}, traceStart{"COPY " + d.TableName.Sanitize(), time.Now()})
}

func (tr *timingTracer) TraceCopyFromEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromEndData) {
	if s, ok := ctx.Value(traceKey{}).(traceStart); ok {
		tr.t.add(s.label, time.Since(s.at))
	}
}

// printWorkerStatements lists a worker's costliest statements with their count and total
// time (the import's and the timers' reports).
func printWorkerStatements(w io.Writer, top []stmtTime) {
	if len(top) == 0 {
		return
	}
	fmt.Fprintln(w, "  worker's database time by statement (client side, round trips included):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range top {
		fmt.Fprintf(tw, "    %s\t%d×\t%s\n", s.label, s.count, secs(s.total))
	}
	tw.Flush()
}
