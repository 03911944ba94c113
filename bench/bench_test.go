package main

import (
	"testing"
	"time"
)

func TestParsePgbench(t *testing.T) {
	pg15 := `pgbench (15.18 (Debian 15.18-0+deb12u1))
transaction type: <builtin: select only>
number of clients: 8
number of transactions actually processed: 154555
number of failed transactions: 0 (0.000%)
latency average = 0.259 ms
initial connection time = 21.904 ms
tps = 30911.482 (without initial connection time)
`
	r, err := parsePgbench(pg15)
	if err != nil {
		t.Fatal(err)
	}
	if r.TPS != 30911.482 || r.AvgLatency != 259*time.Microsecond || r.Failed != 0 {
		t.Fatalf("got %+v", r)
	}
	pg12 := `latency average = 1.800 ms
tps = 4300.5 (including connections establishing)
tps = 4310.25 (excluding connections establishing)
`
	if r, err = parsePgbench(pg12); err != nil || r.TPS != 4310.25 || r.AvgLatency != 1800*time.Microsecond {
		t.Fatalf("got %+v, %v", r, err)
	}
	if _, err := parsePgbench("connection to server failed"); err == nil {
		t.Fatal("no error without a tps line")
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	if p := percentile(d, 0.5); p != 50 {
		t.Fatalf("p50 = %d", p)
	}
	if p := percentile(d, 0.99); p != 99 {
		t.Fatalf("p99 = %d", p)
	}
	if p := percentile(d[:1], 0.99); p != 1 {
		t.Fatalf("p99 of one = %d", p)
	}
	if p := percentile(nil, 0.5); p != 0 {
		t.Fatalf("p50 of none = %d", p)
	}
}
