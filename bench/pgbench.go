package main

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// baseline is a pgbench workload that API scenarios are compared against. Scenarios name
// one by its key.
type baseline struct {
	key   string   // what scenarios refer to, e.g. "pgbench-select"
	label string   // how the result line names it
	args  []string // pgbench arguments selecting the workload
}

// baselines lists the pgbench workloads, run in this order. select-only (-S) is one
// primary-key SELECT per transaction: the floor cost of a round trip to PostgreSQL, which
// every API read pays at least once. tpcb-like is pgbench's default five-statement
// read-write transaction with a commit that flushes WAL: the yardstick for API writes.
func baselines() []baseline {
	return []baseline{
		{key: "pgbench-select", label: "pgbench select-only", args: []string{"-S"}},
		{key: "pgbench-tpcb", label: "pgbench tpcb-like", args: nil},
	}
}

// pgbenchResult is what one pgbench run reported.
type pgbenchResult struct {
	TPS        float64       // excluding connection set-up
	AvgLatency time.Duration // pgbench's "latency average"
	Failed     int64         // failed transactions (PostgreSQL 15+ reports them)
}

// pgbench runs the pgbench binary against one database as the superuser named in a URL.
// The connection goes over TCP (-h/-p/-U), like the API's; the password and TLS mode travel
// through the environment, never the command line.
type pgbench struct {
	bin string
	url *url.URL // superuser URL of the benchmark database
}

// newPgbench prepares runs of bin against the database at rawURL.
func newPgbench(bin, rawURL string) (*pgbench, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	return &pgbench{bin: bin, url: u}, nil
}

// command builds a pgbench invocation with the connection options appended.
func (p *pgbench) command(ctx context.Context, args ...string) *exec.Cmd {
	host, port := p.url.Hostname(), p.url.Port()
	q := p.url.Query()
	if host == "" {
		host = q.Get("host")
	}
	if port == "" {
		port = "5432"
	}
	args = append(args, "-h", host, "-p", port, "-U", p.url.User.Username(), strings.TrimPrefix(p.url.Path, "/"))
	cmd := exec.CommandContext(ctx, p.bin, args...)
	cmd.Env = os.Environ()
	if pw, ok := p.url.User.Password(); ok {
		cmd.Env = append(cmd.Env, "PGPASSWORD="+pw)
	}
	if m := q.Get("sslmode"); m != "" {
		cmd.Env = append(cmd.Env, "PGSSLMODE="+m)
	}
	return cmd
}

// run executes pgbench and returns its combined output, or an error carrying that output.
func (p *pgbench) run(ctx context.Context, args ...string) (string, error) {
	var out bytes.Buffer
	cmd := p.command(ctx, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("%s %s: %w\n%s", p.bin, strings.Join(args, " "), err, out.String())
	}
	return out.String(), nil
}

// initialize creates and fills pgbench's tables at the given scale factor.
func (p *pgbench) initialize(ctx context.Context, scale int) error {
	_, err := p.run(ctx, "-i", "-q", "-s", strconv.Itoa(scale))
	return err
}

// measure runs a workload with clients connections for d (rounded up to whole seconds, as
// pgbench's -T takes) and parses the summary. -n skips the vacuum before the run: the
// tables were just loaded and vacuumed by initialize.
func (p *pgbench) measure(ctx context.Context, b baseline, clients int, d time.Duration) (pgbenchResult, error) {
	secs := int((d + time.Second - 1) / time.Second)
	args := append([]string{}, b.args...)
	args = append(args, "-n", "-c", strconv.Itoa(clients), "-j", strconv.Itoa(min(2, clients)), "-T", strconv.Itoa(max(1, secs)))
	out, err := p.run(ctx, args...)
	if err != nil {
		return pgbenchResult{}, err
	}
	return parsePgbench(out)
}

var (
	// PostgreSQL 14+ prints "(without initial connection time)"; older releases print both
	// "(including ...)" and "(excluding connections establishing)".
	tpsRE     = regexp.MustCompile(`(?m)^tps = ([0-9.]+) \((?:without initial connection time|excluding connections establishing)\)`)
	latencyRE = regexp.MustCompile(`(?m)^latency average = ([0-9.]+) ms`)
	failedRE  = regexp.MustCompile(`(?m)^number of failed transactions: ([0-9]+)`)
)

// parsePgbench extracts throughput, average latency and failures from pgbench's summary.
func parsePgbench(out string) (pgbenchResult, error) {
	var r pgbenchResult
	m := tpsRE.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no tps line in pgbench output:\n%s", out)
	}
	var err error
	if r.TPS, err = strconv.ParseFloat(m[1], 64); err != nil {
		return r, fmt.Errorf("parse pgbench tps %q: %w", m[1], err)
	}
	if m := latencyRE.FindStringSubmatch(out); m != nil {
		ms, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			return r, fmt.Errorf("parse pgbench latency %q: %w", m[1], err)
		}
		r.AvgLatency = time.Duration(ms * float64(time.Millisecond))
	}
	if m := failedRE.FindStringSubmatch(out); m != nil {
		r.Failed, _ = strconv.ParseInt(m[1], 10, 64)
	}
	return r, nil
}
