package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/demo"
	"github.com/aftersales/aftersales/internal/testdb"
	"github.com/aftersales/aftersales/tenants"
)

// TestDatabaseOutageAnswers503 runs the server, then takes its database away: every
// connection terminated and new ones refused. Requests then get 503 /problems/unavailable
// with Retry-After (not 500), and the outage is logged once, not once per request. When the
// database takes connections again the same process serves 200 and logs the recovery once.
func TestDatabaseOutageAnswers503(t *testing.T) {
	if testing.Short() {
		t.Skip("outage test: builds the server")
	}
	ctx := context.Background()
	d := testdb.New(t)
	if _, err := demo.Seed(ctx, tenants.NewDB(d.App)); err != nil {
		t.Fatalf("seed: %v", err)
	}
	dbName := strings.TrimPrefix(mustParseURL(t, d.AppURL).Path, "/")
	admin, err := pgx.Connect(ctx, os.Getenv("TEST_DATABASE_URL")) // the cluster's postgres database
	if err != nil {
		t.Fatal(err)
	}
	allow := func(on bool) error {
		_, err := admin.Exec(ctx, fmt.Sprintf(`ALTER DATABASE %s ALLOW_CONNECTIONS %t`, pgx.Identifier{dbName}.Sanitize(), on))
		return err
	}
	t.Cleanup(func() { _ = allow(true); admin.Close(ctx) })

	bin := buildServer(t)
	srv := startServer(t, bin, append(os.Environ(),
		"DATABASE_URL="+d.OwnerURL, "APP_DATABASE_URL="+d.AppURL,
		"REDIS_URL="+os.Getenv("TEST_REDIS_URL"), "REDIS_PREFIX=outage-"+randHex(6)+":",
		"SECURE_COOKIES=false", "RATE_TENANT_PER_SECOND=100000", "RATE_KEY_PER_SECOND=100000", "LOG_LEVEL=info"))
	token, tenant := login(t, srv.base)
	get := func() *http.Response {
		req, _ := http.NewRequest(http.MethodGet, srv.base+"/v1/orders?limit=1", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("X-Tenant-ID", tenant.String())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if resp := get(); resp.StatusCode != http.StatusOK {
		t.Fatalf("before the outage: %d", resp.StatusCode)
	}

	// The outage: no new connections, and every open one terminated.
	mark := len(srv.out.String())
	if err := allow(false); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, dbName); err != nil {
		t.Fatal(err)
	}
	body := `{"type":"repair_minor","channel":"phone","customer":{"name":"赵敏","phone":"13812345678"},"fault_description":"outage"}`
	statuses := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	requests := 0
	for w := range 4 {
		wg.Go(func() {
			for i := range 30 {
				var resp *http.Response
				if i%3 == 0 { // an idempotent intake
					req, _ := http.NewRequest(http.MethodPost, srv.base+"/v1/orders", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+token)
					req.Header.Set("X-Tenant-ID", tenant.String())
					req.Header.Set("Idempotency-Key", fmt.Sprintf("outage-%d-%d", w, i))
					var err error
					if resp, err = http.DefaultClient.Do(req); err != nil {
						t.Error(err)
						return
					}
				} else {
					resp = get()
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				mu.Lock()
				requests++
				statuses[resp.StatusCode]++
				mu.Unlock()
				if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
					!strings.Contains(string(raw), "/problems/unavailable") {
					t.Errorf("during the outage: %d Retry-After=%q %s", resp.StatusCode, resp.Header.Get("Retry-After"), raw)
					return
				}
			}
		})
	}
	wg.Wait()
	if resp, err := http.Get(srv.base + "/readyz"); err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz during the outage: %v %v", resp, err)
	}
	during := problemLines(srv.out.String()[mark:])
	t.Logf("%d requests during the outage: %v; warnings and errors logged: %d", requests, statuses, len(during))
	if len(during) != 1 {
		t.Errorf("the outage logged %d warnings and errors, want 1:\n%s", len(during), strings.Join(during, "\n"))
	} else {
		t.Logf("the outage's line: %s", during[0])
	}

	// The database is back: the same process serves again, and says so once.
	mark = len(srv.out.String())
	if err := allow(true); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp := get()
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10s after the database came back: %d", resp.StatusCode)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for range 5 {
		if resp := get(); resp.StatusCode != http.StatusOK {
			t.Errorf("after the recovery: %d", resp.StatusCode)
		}
	}
	after := problemLines(srv.out.String()[mark:])
	if len(after) != 1 || !strings.Contains(after[0], "available again") {
		t.Errorf("the recovery logged %d warnings and errors, want 1 saying the database is available again:\n%s",
			len(after), strings.Join(after, "\n"))
	} else {
		t.Logf("the recovery's line: %s", after[0])
	}
	srv.stop(t)
}

// problemLines are the log lines at WARN or ERROR in out (the server logs JSON lines).
func problemLines(out string) []string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec struct {
			Level string `json:"level"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && (rec.Level == "WARN" || rec.Level == "ERROR") {
			lines = append(lines, sc.Text())
		}
	}
	return lines
}

func mustParseURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
