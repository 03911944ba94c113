package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aftersales/aftersales/internal/api/apitest"
	"github.com/aftersales/aftersales/internal/demo"
)

// TestSchemaFuzz sends every operation of the served OpenAPI document generated requests:
// one valid, the rest valid ones with hostile parts (nulls, wrong types, huge and odd
// strings, invalid UTF-8, unknown fields, numbers out of every range, empty containers,
// damaged JSON, path ids that are not UUIDs or are another tenant's, bad headers). It fails
// on any 5xx, on a refused request (4xx) that changed a row, on a refusal that is not an
// RFC 9457 problem, and on a 422 to a well-formed body that names no field. docs/operations.md
// ("Fuzzing") describes it.
//
// The world is the demo network (the brand's admin for staff routes, a demo customer's
// consumer session for /v1/consumer/*, the platform operator for /v1/tenants, no session
// for public routes) plus one resource of every kind (isoMake) in the brand and in a
// second tenant, whose ids are the "other tenant's" ones.
//
//	FUZZ_SEED   seed (default: random; printed, and repeated in every failure)
//	FUZZ_CASES  requests per operation (default 10; `make fuzz` sends more)
//	FUZZ_OPS    regular expression: only the operation ids it matches
//	FUZZ_VERBOSE  log every request and its answer (with -v)
func TestSchemaFuzz(t *testing.T) {
	t.Parallel()
	cfg := sfConfigure(t)
	t.Logf("schema fuzz: FUZZ_SEED=%d FUZZ_CASES=%d FUZZ_OPS=%q", cfg.seed, cfg.cases, cfg.ops)
	env := apitest.New(t, apitest.Options{OwnDatabase: true}) // it counts the rows of every table
	r := &sfRun{t: t, cfg: cfg, env: env, w: sfSetup(t, env), rows: sfNewRows(t, env), known: map[string]int{}, succeeded: map[string]int{},
		client: &http.Client{Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	ops := sfOperations(t, env, cfg.opsRe)
	start := time.Now()
	r.before = r.rows.snapshot(t)
	for _, op := range ops {
		for i := range cfg.cases {
			r.send(op, i)
		}
	}
	t.Logf("schema fuzz: %d operations, %d requests in %s (seed %d)", len(ops), r.sent, time.Since(start).Round(time.Millisecond), cfg.seed)
	var never []string
	for _, op := range ops {
		if r.succeeded[op.ID] == 0 {
			never = append(never, op.ID)
		}
	}
	t.Logf("schema fuzz: %d operations never succeeded (their cases all stop at validation or a refusal): %s", len(never), strings.Join(never, " "))
	for id, n := range r.known {
		why := sfKnown[id].why
		if why == "" {
			why = sfKnownUnlocated[id]
		}
		t.Logf("known failure %q seen %d times: %s", id, n, why)
	}
	r.fails.report(t, cfg)
}

// sfRun is a run of the schema fuzz.
type sfRun struct {
	t      *testing.T
	cfg    sfConfig
	env    *apitest.Env
	w      *sfWorld
	rows   *sfRows
	client *http.Client
	before map[string]sfCount // the tables' counts before the next request

	fails     sfFailures
	known     map[string]int // sfKnown failures seen, by operation
	succeeded map[string]int // 2xx answers by operation: how far the fuzz gets
	sent      int
}

// send draws case i of op, sends it and checks the answer and the tables.
func (r *sfRun) send(op sfOp, i int) {
	t, w := r.t, r.w
	g := &sfGen{r: rand.New(rand.NewPCG(r.cfg.seed, sfHash(op.ID, i))), schemas: w.schemas, pools: w.pools, world: w, full: i > 0}
	read := func(path, token string) sfResp {
		return sfDo(r.client, r.env.Server.URL, sfReq{method: http.MethodGet, path: path, token: token, header: map[string]string{}})
	}
	req := w.request(g, op, i, read)
	if req.read {
		r.before = r.rows.snapshot(t) // a read changes nothing, but if a bug made it, not this request's
	}
	resp := sfDo(r.client, r.env.Server.URL, req)
	r.sent++
	if r.cfg.verbose {
		t.Logf("%s #%d: %s %.200q -> %d %.300s", op.ID, i, req.method, req.path, resp.status, resp.body)
	}
	after := r.rows.snapshot(t)
	fail := func(kind, detail string) {
		r.fails.add(sfFailure{op: op, kind: kind, detail: detail, req: req, resp: resp})
	}
	switch {
	case resp.err != nil:
		fail("no response", resp.err.Error())
	case resp.status >= 500:
		if k, ok := sfKnown[op.ID]; ok && slices.Contains(k.statuses, resp.status) {
			r.known[op.ID]++
			break
		}
		fail(fmt.Sprintf("status %d", resp.status), "")
	case resp.status >= 400:
		if diff := r.rows.diff(r.before, after, w.writesOnRefusal(op, req)); diff != "" {
			fail("refused request changed rows", diff)
		}
		if msg := sfProblem(resp); msg != "" {
			fail("refusal is not a problem", msg)
		} else if msg, known := sfUnlocated(req, resp); known != "" {
			r.known[known]++
		} else if msg != "" {
			fail("refusal does not name the field", msg)
		}
	case resp.status < 300:
		r.succeeded[op.ID]++
		w.pools.harvest(op.kind, resp.body, w.adminEmail, false)
	}
	r.before = after
}

// sfKnown are failures of operations being fixed elsewhere: a 5xx with one of these
// statuses from the operation is logged, not failed. Empty this list as the fixes land.
var sfKnown = map[string]struct {
	statuses []int
	why      string
}{}

// sfWritesOnRefusal are the tables an operation writes on purpose when it refuses, by
// operation id, with why.
var sfWritesOnRefusal = map[string]map[string]string{
	"consumer-verify-code": {"otp_codes": "a wrong code counts an attempt, so that a code cannot be guessed"},
	"public-decide-quote":  {"otp_codes": "a wrong code counts an attempt, so that a code cannot be guessed"},
	"login":                {"audit_log": "a failed sign-in is audited (auth.login_failed)"},
}

// writesOnRefusal are the tables a refusal of req may change: the operation's own
// (sfWritesOnRefusal), the stored response of a request with an Idempotency-Key (refusals
// are replayed too), a session's last use, and the audit of a platform operator's access to
// a tenant.
func (w *sfWorld) writesOnRefusal(op sfOp, req sfReq) map[string]string {
	out := map[string]string{}
	for k, v := range sfWritesOnRefusal[op.ID] {
		out[k] = v
	}
	if req.header["Idempotency-Key"] != "" {
		out["idempotency_keys"] = "the response is stored and replayed, refusals included"
	}
	if req.token != "" {
		out["sessions"] = "a signed-in request records its session's last use (at most once a minute), whatever the answer (GET /v1/me/sessions shows it)"
	}
	if req.token == w.platform && req.header["X-Tenant-ID"] != "" {
		out["audit_log"] = "a platform operator's every request in a tenant is audited (platform.access)"
	}
	return out
}

// sfConfig is a run's settings, from the environment.
type sfConfig struct {
	verbose bool // log every request (FUZZ_VERBOSE)
	seed    uint64
	cases   int
	ops     string
	opsRe   *regexp.Regexp
}

func sfConfigure(t *testing.T) sfConfig {
	t.Helper()
	cfg := sfConfig{seed: uint64(time.Now().UnixNano()), cases: 10, ops: os.Getenv("FUZZ_OPS"), verbose: os.Getenv("FUZZ_VERBOSE") != ""}
	if s := os.Getenv("FUZZ_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("FUZZ_SEED=%q: want an unsigned integer", s)
		}
		cfg.seed = n
	}
	if s := os.Getenv("FUZZ_CASES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("FUZZ_CASES=%q: want a positive integer", s)
		}
		cfg.cases = n
	}
	if cfg.ops != "" {
		re, err := regexp.Compile(cfg.ops)
		if err != nil {
			t.Fatalf("FUZZ_OPS=%q: %v", cfg.ops, err)
		}
		cfg.opsRe = re
	}
	return cfg
}

// sfHash seeds one case's stream: the same seed, operation and case number draw the same
// request whatever other operations run.
func sfHash(op string, i int) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s#%d", op, i)
	return h.Sum64()
}

// sfWorld is what the fuzz acts on and as.
type sfWorld struct {
	schemas                         map[string]*sfSchema
	pools                           *sfPools
	bodies                          map[string]any // isoBodies: bodies that succeed, by "METHOD template"
	brandID, brandSlug, adminEmail  string
	admin, consumer, platform, gone string // tokens; gone is signed out by the logout operation
	otherID, otherSlug, otherAdmin  string
	gets                            map[string]bool // templates that can be read
}

func sfLogin(t *testing.T, env *apitest.Env, email string) string {
	t.Helper()
	var out struct{ Token string }
	env.Must(200, apitest.Req{Method: "POST", Path: "/v1/auth/login", Body: map[string]string{"email": email, "password": demo.Password}}).JSON(t, &out)
	return out.Token
}

// sfSetup seeds the demo network, adds a resource of every kind to the brand and to a
// second tenant, signs the principals in and fills the id pools.
func sfSetup(t *testing.T, env *apitest.Env) *sfWorld {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Seed(ctx, env.Tenants); err != nil {
		t.Fatal(err)
	}
	w := &sfWorld{pools: newSFPools(), adminEmail: "admin@breeze.local"}
	w.admin = sfLogin(t, env, w.adminEmail)
	w.platform = sfLogin(t, env, "platform@aftersales.local")
	w.gone = sfLogin(t, env, "auditor@breeze.local")
	tenant := env.Must(200, apitest.Req{Method: "GET", Path: "/v1/tenant", Token: w.admin}).Map(t)
	w.brandID, w.brandSlug = tenant["id"].(string), tenant["slug"].(string)
	tn := &apitest.Tenant{ID: w.brandID, Slug: w.brandSlug, AdminEmail: w.adminEmail, Admin: w.admin}
	for i, o := range isoItems(t, env.Must(200, apitest.Req{Method: "GET", Path: "/v1/outlets?limit=2", Token: w.admin})) {
		tn.Outlets[i] = o["id"].(string)
	}
	own := isoMake(t, env, tn)
	other := env.NewTenant()
	foreign := isoMake(t, env, other)
	w.otherID, w.otherSlug, w.otherAdmin = other.ID, other.Slug, other.Admin
	w.bodies = isoBodies(t, env.Unique(), own)
	for k, id := range own {
		if kind := sfFixtureKind(k); kind != "" {
			w.pools.add(kind, id)
		}
	}
	for k, id := range foreign {
		if kind := sfFixtureKind(k); kind != "" {
			w.pools.addForeign(kind, id)
		}
	}
	w.pools.add("tenants:tenant", w.brandSlug)
	w.pools.addForeign("tenants:tenant", w.otherSlug)

	// The consumer: the demo customer whose unit has a carry-in order, with a unit of their
	// own registered in the portal.
	w.consumer = consumerLogin(t, env, "+8613812345678")
	reg := env.Must(201, apitest.Req{Method: "POST", Path: "/v1/consumer/tenants/" + w.brandSlug + "/units", Token: w.consumer,
		Body: map[string]any{"model_sku": "KFR-35GW", "serial": "KFR35GW" + strings.ToUpper(env.Unique()), "purchase_date": time.Now().AddDate(0, 0, -10).Format(time.DateOnly)}})
	w.pools.add("units", reg.Map(t)["id"].(string))

	var doc struct {
		Components struct {
			Schemas map[string]*sfSchema `json:"schemas"`
		} `json:"components"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/openapi.json"}).JSON(t, &doc)
	w.schemas = doc.Components.Schemas

	// What the lists show, as the brand's admin, the consumer and the other tenant's admin.
	w.gets = map[string]bool{}
	for _, op := range sfOperations(t, env, nil) {
		if op.Method == http.MethodGet {
			w.gets[op.Template] = true
		}
		if op.Method != http.MethodGet || strings.Count(op.Template, "{") > 1 || op.hasRequiredQuery() {
			continue
		}
		path := strings.ReplaceAll(op.Template, "{tenant}", w.brandSlug)
		if strings.Contains(path, "{") {
			continue
		}
		tok := w.admin
		if op.consumer() {
			tok = w.consumer
		}
		if r := env.Do(apitest.Req{Method: "GET", Path: path, Token: tok}); r.Status == 200 {
			w.pools.harvest(op.kind, r.Body, w.adminEmail, false)
		}
		if !op.consumer() {
			if r := env.Do(apitest.Req{Method: "GET", Path: path, Token: w.otherAdmin}); r.Status == 200 {
				w.pools.harvest(op.kind, r.Body, "", true)
			}
		}
	}
	return w
}

// sfFixtureKind is the pool of an isoMake fixture ("/v1/outlet-coverage/" -> outlet-coverage).
func sfFixtureKind(k string) string {
	if k == "merge-target" {
		return "fault-codes"
	}
	if !strings.HasPrefix(k, "/v1/") {
		return ""
	}
	k = strings.TrimSuffix(k, "/")
	return k[strings.LastIndex(k, "/")+1:]
}

// sfParam is a parameter of an operation.
type sfParam struct {
	Name     string    `json:"name"`
	In       string    `json:"in"`
	Required bool      `json:"required"`
	Schema   *sfSchema `json:"schema"`
}

// sfOp is an operation of the document.
type sfOp struct {
	ID, Method, Template string
	Params               []sfParam
	Body                 *sfSchema // JSON body
	Media                []string  // the body's media types
	Public               bool      // no security requirement
	kind                 string    // pool of what it returns: the last literal segment of the path
}

func (o sfOp) consumer() bool { return strings.HasPrefix(o.Template, "/v1/consumer/") && !o.Public }

func (o sfOp) hasRequiredQuery() bool {
	for _, p := range o.Params {
		if p.In == "query" && p.Required {
			return true
		}
	}
	return false
}

func (o sfOp) param(name string) *sfParam {
	for i := range o.Params {
		if o.Params[i].Name == name {
			return &o.Params[i]
		}
	}
	return nil
}

// sfOperations reads the operations of the served document, in the order the fuzz runs
// them: reads and changes, then deletions and cancellations, then signing out.
func sfOperations(t *testing.T, env *apitest.Env, only *regexp.Regexp) []sfOp {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string           `json:"operationId"`
			Parameters  []sfParam        `json:"parameters"`
			Security    []map[string]any `json:"security"`
			RequestBody *struct {
				Content map[string]struct {
					Schema *sfSchema `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
	}
	env.Must(200, apitest.Req{Method: "GET", Path: "/openapi.json"}).JSON(t, &doc)
	var ops []sfOp
	for tmpl, methods := range doc.Paths {
		for method, o := range methods {
			method = strings.ToUpper(method)
			if !slices.Contains([]string{"GET", "POST", "PUT", "PATCH", "DELETE"}, method) {
				continue
			}
			if only != nil && !only.MatchString(o.OperationID) {
				continue
			}
			op := sfOp{ID: o.OperationID, Method: method, Template: tmpl, Params: o.Parameters, Public: len(o.Security) == 0}
			segs := strings.Split(tmpl, "/")
			for i := len(segs) - 1; i >= 0; i-- {
				if !strings.HasPrefix(segs[i], "{") {
					op.kind = segs[i]
					break
				}
			}
			if o.RequestBody != nil {
				for media, c := range o.RequestBody.Content {
					op.Media = append(op.Media, media)
					if media == "application/json" {
						op.Body = c.Schema
					}
				}
				slices.Sort(op.Media)
			}
			ops = append(ops, op)
		}
	}
	rank := func(o sfOp) int {
		switch {
		case o.ID == "logout":
			return 2
		case o.Method == http.MethodDelete || strings.HasSuffix(o.Template, "/cancel"):
			return 1
		}
		return 0
	}
	slices.SortFunc(ops, func(a, b sfOp) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return strings.Compare(a.Template+" "+a.Method, b.Template+" "+b.Method)
	})
	return ops
}

// sfReq is one generated request.
type sfReq struct {
	method, path string
	header       map[string]string
	body         []byte
	token        string
	what         []string // the mutations applied
	read         bool     // the request was drawn after reading the resource (its ETag, its body)
}

// request draws case i of op: case 0 is valid, the others have one to three hostile parts.
// read GETs a path (for a resource's ETag and, for a PUT, its current body to send back).
func (w *sfWorld) request(g *sfGen, op sfOp, i int, read func(path, token string) sfResp) sfReq {
	req := sfReq{method: op.Method, header: map[string]string{}}
	switch {
	case op.Public:
	case op.ID == "logout":
		req.token = w.gone
	case op.consumer():
		req.token = w.consumer
	case strings.HasPrefix(op.Template, "/v1/tenants"):
		req.token = w.platform
	default:
		req.token = w.admin
	}
	// What to damage: body, path, query, headers, media type, credentials.
	targets := map[string]bool{}
	flavor := -1 // of the body's damage; -1: any
	if i > 0 {
		var choices []string
		if op.Body != nil {
			choices = append(choices, "body", "body", "body", "body", "raw body", "media type")
		} else if len(op.Media) > 0 {
			choices = append(choices, "file", "file", "media type")
		}
		for _, p := range op.Params {
			switch p.In {
			case "path":
				choices = append(choices, "path", "path")
			case "query":
				choices = append(choices, "query")
			}
		}
		choices = append(choices, "header", "credentials")
		if k := i - 1; k < len(sfClasses) {
			c := sfClasses[k]
			target := c.target
			switch {
			case slices.Contains(choices, target):
			case (target == "body" || target == "raw body") && slices.Contains(choices, "file"):
				target = "file"
			default:
				target = pick(g, choices)
			}
			targets[target], flavor = true, c.flavor
		} else {
			for range 1 + g.r.IntN(3)/2 + g.r.IntN(4)/3 {
				targets[pick(g, choices)] = true
			}
		}
	}

	// Path.
	path := op.Template
	var hostilePath string
	var pathParams []sfParam
	for _, p := range op.Params {
		if p.In == "path" {
			pathParams = append(pathParams, p)
		}
	}
	if targets["path"] && len(pathParams) > 0 {
		hostilePath = pick(g, pathParams).Name
	}
	for _, p := range pathParams {
		v := w.pathValue(g, op, p)
		if p.Name == hostilePath {
			v = w.hostilePathValue(g, op, p)
			req.what = append(req.what, "path "+p.Name+"="+strconv.Quote(v))
		}
		path = strings.Replace(path, "{"+p.Name+"}", url.PathEscape(v), 1)
	}

	// Query.
	q := url.Values{}
	var hostileQuery string
	var queryParams []sfParam
	for _, p := range op.Params {
		if p.In == "query" {
			queryParams = append(queryParams, p)
		}
	}
	if targets["query"] && len(queryParams) > 0 {
		hostileQuery = pick(g, queryParams).Name
	}
	for _, p := range queryParams {
		switch {
		case p.Name == hostileQuery:
			v := w.hostileQueryValue(g)
			q.Add(p.Name, v)
			if g.chance(0.2) {
				q.Add(p.Name, fmt.Sprint(g.valid(p.Schema, p.Name, 0)))
			}
			req.what = append(req.what, "query "+p.Name+"="+strconv.Quote(v))
		case p.Name == "cursor":
			// Only the API makes cursors: a drawn one is refused (hostile cases send some).
		case p.Required || g.chance(0.3):
			q.Set(p.Name, fmt.Sprint(g.valid(p.Schema, p.Name, 0)))
		}
	}
	if targets["query"] && len(queryParams) > 0 && g.chance(0.2) {
		q.Set("fuzz_unknown", "1")
		req.what = append(req.what, "unknown query parameter")
	}
	req.path = path
	if len(q) > 0 {
		req.path += "?" + q.Encode()
	}

	// Headers. If-Match: the ETag of the resource, read first (a PUT sends what it read back,
	// now and then); a POST's If-Match is optional and left out.
	var current []byte
	if op.param("If-Match") != nil {
		if src := w.readable(op, path); src != "" {
			r := read(src, req.token)
			req.read = true
			req.header["If-Match"] = `"1"`
			if r.err == nil && r.status == 200 {
				if e := r.header.Get("ETag"); e != "" {
					req.header["If-Match"] = e
				}
				if op.Method == http.MethodPut && src == path && g.chance(0.5) {
					current = r.body
				}
			}
		} else if op.Method != http.MethodPost {
			req.header["If-Match"] = `"1"`
		}
	}
	if op.param("Idempotency-Key") != nil && g.chance(0.2) {
		req.header["Idempotency-Key"] = fmt.Sprintf("fuzz-%d", g.r.Int64())
	}
	if targets["header"] {
		var names []string
		for _, p := range op.Params {
			if p.In == "header" && p.Name != "Authorization" && p.Name != "Content-Type" {
				names = append(names, p.Name)
			}
		}
		if len(names) == 0 {
			names = []string{"X-Tenant-ID"}
		}
		name := pick(g, names)
		v := w.hostileHeader(g, name)
		req.header[name] = v
		req.what = append(req.what, "header "+name+"="+strconv.Quote(v))
	}
	if targets["credentials"] {
		v := pick(g, []string{"", "none", "garbage", "other tenant's admin", "consumer", "staff"})
		switch v {
		case "none":
			req.token = ""
		case "garbage":
			req.token = "ses_" + strings.Repeat("A", g.r.IntN(80))
		case "other tenant's admin":
			req.token = w.otherAdmin
		case "consumer":
			req.token = w.consumer
		case "staff":
			req.token = w.admin
		}
		req.what = append(req.what, "credentials: "+v)
	}

	// Body.
	switch {
	case op.Body != nil:
		var v any
		if b, ok := w.bodies[op.Method+" "+op.Template]; ok && g.chance(0.5) {
			v = sfGeneric(b)
		} else if b, ok := g.writable(op.Body, current); ok {
			v = b
		} else {
			v = sfGeneric(g.valid(op.Body, "body", 0))
		}
		if targets["body"] {
			var what string
			switch {
			case flavor == sfUnknownProperty:
				v, what = g.addUnknown(v)
			case flavor >= 0:
				v, what = g.mutate(v, flavor)
			default:
				for range 1 + g.r.IntN(3)/2 {
					var w string
					v, w = g.mutate(v, -1)
					what += w + " "
				}
			}
			req.what = append(req.what, "body: "+strings.TrimSpace(what))
		}
		req.body = sfEncode(v)
		req.header["Content-Type"] = "application/json"
		if targets["raw body"] {
			var what string
			req.body, what = g.rawMutate(req.body)
			req.what = append(req.what, "raw body: "+what)
		}
	case len(op.Media) > 0:
		req.body, req.header["Content-Type"] = w.file(g, op, targets["file"], &req.what)
	}
	if targets["media type"] {
		ct := pick(g, []string{"text/plain", "application/xml", "application/json; charset=latin1", "multipart/form-data",
			"application/x-www-form-urlencoded", "", "application/problem+json", "image/png", "application/json;;"})
		if ct == "" {
			delete(req.header, "Content-Type")
		} else {
			req.header["Content-Type"] = ct
		}
		req.what = append(req.what, "media type "+strconv.Quote(ct))
	}
	return req
}

// sfUnknownProperty is the class of damage that adds an unknown property to the body.
const sfUnknownProperty = -2

// sfClasses are the damage of cases 1, 2, ...: each damages one part in one way (flavor:
// of a body value, -1 any), so that a few cases per operation cover every kind of damage.
// Later cases mix damage at random. An operation without the part gets another.
var sfClasses = []struct {
	target string
	flavor int
}{
	{"body", sfNull}, {"path", -1}, {"body", sfWrongType}, {"body", sfUnknownProperty}, {"query", -1}, {"body", sfOddString},
	{"body", sfRawJSON}, {"body", sfBadBytes}, {"body", sfNumber}, // the first nine: a run of make test (FUZZ_CASES=10)
	{"body", sfEmpty}, {"raw body", -1}, {"header", -1}, {"body", sfHuge}, {"body", sfRetyped}, {"body", sfMore},
	{"body", sfSpliced}, {"media type", -1}, {"credentials", -1},
}

// readable is the path to read for the ETag of what op changes: its own path, else the
// nearest ancestor that can be read (/v1/orders/{id}/outlet -> /v1/orders/{id}); "" if none.
func (w *sfWorld) readable(op sfOp, path string) string {
	tmpl, segs := strings.Split(op.Template, "/"), strings.Split(path, "/")
	if len(tmpl) != len(segs) {
		return ""
	}
	for k := len(tmpl); k > 2; k-- {
		if w.gets[strings.Join(tmpl[:k], "/")] {
			return strings.Join(segs[:k], "/")
		}
	}
	return ""
}

// pathValue is a valid value of a path parameter: an id of the world of the parameter's
// kind (now and then another tenant's, or one that never existed), or one the schema draws.
func (w *sfWorld) pathValue(g *sfGen, op sfOp, p sfParam) string {
	kind := sfPathKind(op.Template, p)
	if p.Schema != nil && p.Schema.Format == "uuid" {
		if id, ok := w.pools.pick(g, kind); ok && g.chance(0.9) {
			return id
		}
		return sfGhost(g)
	}
	if v, ok := w.pools.pick(g, kind); ok && g.chance(0.9) {
		return v
	}
	return fmt.Sprint(g.valid(p.Schema, p.Name, 0))
}

// sfPathKind is the pool of a path parameter: the literal segment before it, with the
// parameter's name unless it holds an id (/v1/orders/{id} -> orders, /v1/public/track/{token}
// -> track:token).
func sfPathKind(tmpl string, p sfParam) string {
	segs := strings.Split(tmpl, "/")
	for i, s := range segs {
		if s == "{"+p.Name+"}" && i > 0 {
			if p.Schema != nil && p.Schema.Format == "uuid" {
				return segs[i-1]
			}
			return segs[i-1] + ":" + p.Name
		}
	}
	return p.Name
}

func (w *sfWorld) hostilePathValue(g *sfGen, op sfOp, p sfParam) string {
	kind := sfPathKind(op.Template, p)
	switch g.r.IntN(4) {
	case 0:
		if id, ok := w.pools.pickForeign(g, kind); ok {
			return id // another tenant's
		}
	case 1:
		if id, ok := w.pools.any(g); ok {
			return id // an id of another kind
		}
	}
	return pick(g, []string{"not-a-uuid", "0", "-1", "00000000-0000-0000-0000-000000000000", "0190D1C2-0000-7000-8000-00000000C0DE",
		"{0190d1c2-0000-7000-8000-00000000c0de}", "urn:uuid:0190d1c2-0000-7000-8000-00000000c0de", "0190d1c2000070008000 00000000c0de",
		"0190d1c2-0000-7000-8000-00000000c0dex", strings.Repeat("9", 300), "2026-02-30", "9999-99-99", "../..", ".", "%00", "\x00",
		"\xff\xfe", "\u202e", "👩🏽‍🔧", "' OR '1'='1", "a/b", "ses_" + strings.Repeat("x", 40), strings.Repeat("a", 201), " "})
}

func (w *sfWorld) hostileQueryValue(g *sfGen) string {
	if g.chance(0.3) {
		if id, ok := w.pools.pickForeign(g, pick(g, []string{"orders", "registrations", "customers", "outlets"})); ok {
			return id
		}
	}
	return pick(g, []string{"", "-1", "0", "99999999999999999999", "1e3", "1.5", "abc", "true", "null", "\x00", "\xff",
		"\u202e", "👩🏽‍🔧", strings.Repeat("x", 5000), "2026-13-45", "2026-01-01T00:00:00", "not-a-uuid", "'; --", "%", "*",
		"AAAA", "!!!", "00000000-0000-0000-0000-000000000000", "999999h", "1h", "a,b,,c"})
}

func (w *sfWorld) hostileHeader(g *sfGen, name string) string {
	switch name {
	case "If-Match":
		return pick(g, []string{"", `"0"`, `"-1"`, "1", "abc", `"99999999999999999999"`, `W/"1"`, "*", `"1", "2"`, `""`, `"１"`})
	case "X-Tenant-ID":
		return pick(g, []string{w.otherID, "not-a-uuid", "00000000-0000-0000-0000-000000000000", "", w.brandSlug, "é"})
	case "Idempotency-Key":
		return pick(g, []string{"", strings.Repeat("k", 201), "é漢👩🏽‍🔧", "fuzz-replayed", " "})
	case "Stripe-Signature":
		return pick(g, []string{"", "t=1,v1=abc", "t=abc", strings.Repeat("v1=", 300)})
	}
	return pick(g, []string{"", "x", strings.Repeat("x", 4000), "é"})
}

// file is the body of an upload: an image, or a CSV or XLSX import (damaged when hostile).
func (w *sfWorld) file(g *sfGen, op sfOp, hostile bool, what *[]string) ([]byte, string) {
	isImport := slices.Contains(op.Media, "text/csv")
	var body []byte
	ct := "image/png"
	if isImport {
		ct = "text/csv"
		var b strings.Builder
		b.WriteString("model_sku,serial,purchase_date,buyer_name,buyer_phone\n")
		for range 1 + g.r.IntN(3) {
			fmt.Fprintf(&b, "KFR-35GW,KFR35GW%010d,%s,Fuzz,+86139%08d\n", g.r.IntN(1e9), time.Now().AddDate(0, 0, -g.r.IntN(300)).Format(time.DateOnly), g.r.IntN(1e8))
		}
		body = []byte(b.String())
	} else {
		body = isoPNG
	}
	if !hostile {
		return body, ct
	}
	switch g.r.IntN(6) {
	case 0:
		body = nil
		*what = append(*what, "file: empty")
	case 1:
		body = make([]byte, 1+g.r.IntN(2048))
		for i := range body {
			body[i] = byte(g.r.IntN(256))
		}
		*what = append(*what, "file: random bytes")
	case 2:
		body = bytes.Repeat([]byte("A"), 70<<10)
		*what = append(*what, "file: 70 KiB")
	case 3:
		if isImport {
			ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
			body = append([]byte("PK\x03\x04"), body...)
			*what = append(*what, "file: CSV sent as XLSX")
		} else {
			ct = "image/jpeg"
			body = append([]byte("\xff\xd8\xff\xe0"), bytes.Repeat([]byte{0}, 20)...)
			*what = append(*what, "file: truncated JPEG")
		}
	default:
		if isImport {
			cell := pick(g, sfHostileStrings)
			body = []byte("model_sku,serial,purchase_date\nKFR-35GW," + cell + "," + pick(g, []string{"2025-01-01", cell, "\xff"}) + "\n\"unterminated,\n")
			*what = append(*what, "file: hostile CSV cell "+strconv.Quote(cell))
		} else {
			body = append(slices.Clip(isoPNG[:20]), pick(g, sfHostileStrings)...)
			*what = append(*what, "file: truncated PNG")
		}
	}
	return body, ct
}

// sfResp is a response, or the transport's error.
type sfResp struct {
	status int
	header http.Header
	body   []byte
	err    error
}

func sfDo(client *http.Client, base string, r sfReq) sfResp {
	req, err := http.NewRequest(r.method, base+r.path, bytes.NewReader(r.body))
	if err != nil {
		return sfResp{err: fmt.Errorf("build request: %w", err)}
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return sfResp{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return sfResp{status: resp.StatusCode, header: resp.Header, body: b, err: err}
}

// sfProblem says what is wrong with a refusal's body ("" if it is an RFC 9457 problem of
// the response's status).
func sfProblem(r sfResp) string {
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		return fmt.Sprintf("Content-Type %q", ct)
	}
	var p struct {
		Status int `json:"status"`
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		return "body is not JSON: " + err.Error()
	}
	if p.Status != r.status {
		return fmt.Sprintf("problem status %d", p.Status)
	}
	return ""
}

// sfKnownUnlocated are refusals known to name no field, by their detail, with why: logged,
// not failed. Empty this list as the fixes land.
var sfKnownUnlocated = map[string]string{}

// sfUnlocated says what is wrong with a 422 to a well-formed JSON object body that names no
// field of it ("" if nothing is): a client cannot tell which value to correct. A refusal
// in sfKnownUnlocated is returned as known instead.
func sfUnlocated(req sfReq, r sfResp) (msg, known string) {
	if r.status != 422 || !json.Valid(req.body) || !bytes.HasPrefix(bytes.TrimSpace(req.body), []byte("{")) {
		return "", ""
	}
	var p struct {
		Detail string `json:"detail"`
		Errors []struct {
			Location string `json:"location"`
			Message  string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(r.body, &p) != nil {
		return "", ""
	}
	for _, e := range p.Errors {
		if (e.Location != "body" && e.Location != "") || strings.HasPrefix(e.Message, "expected required property ") {
			return "", "" // a field's location, or a missing property named in the message (huma's way)
		}
	}
	if _, ok := sfKnownUnlocated[p.Detail]; ok {
		return "", p.Detail
	}
	return "no error names a field: " + string(r.body), ""
}

// sfRows counts the rows of every table of the public schema, as the superuser (row-level
// security does not apply), in one query. The highest xmin of each table changes when a row
// is updated, so changes that keep the count are seen too.
type sfRows struct {
	conn  *pgx.Conn
	query string
}

func sfNewRows(t *testing.T, env *apitest.Env) *sfRows {
	t.Helper()
	conn := sfSuperuser(t, env)
	rows, err := conn.Query(context.Background(), `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, fmt.Sprintf(`SELECT '%s', count(*), coalesce(max(xmin::text::bigint), 0) FROM public.%q`, name, name))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(parts) < 10 {
		t.Fatalf("only %d tables in the public schema", len(parts))
	}
	return &sfRows{conn: conn, query: strings.Join(parts, " UNION ALL ")}
}

// sfSuperuser connects to the test's database as the cluster's superuser (TEST_DATABASE_URL),
// whom row-level security does not restrict: env.DB.Owner is the database's owner, which
// FORCE ROW LEVEL SECURITY restricts like the application.
func sfSuperuser(t *testing.T, env *apitest.Env) *pgx.Conn {
	t.Helper()
	su, err := url.Parse(os.Getenv("TEST_DATABASE_URL"))
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	inst, err := url.Parse(env.DB.OwnerURL)
	if err != nil {
		t.Fatalf("database URL: %v", err)
	}
	su.Path = inst.Path
	conn, err := pgx.Connect(context.Background(), su.String())
	if err != nil {
		t.Fatalf("connect as superuser: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	var super bool
	if err := conn.QueryRow(context.Background(), "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&super); err != nil || !super {
		t.Fatalf("TEST_DATABASE_URL is not a superuser's (%v): row counts would be what row-level security shows", err)
	}
	return conn
}

// sfCount is a table's row count and highest xmin.
type sfCount struct{ rows, xmin int64 }

func (r *sfRows) snapshot(t *testing.T) map[string]sfCount {
	t.Helper()
	rows, err := r.conn.Query(context.Background(), r.query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]sfCount{}
	for rows.Next() {
		var name string
		var c sfCount
		if err := rows.Scan(&name, &c.rows, &c.xmin); err != nil {
			t.Fatal(err)
		}
		out[name] = c
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// diff describes the tables that changed, but those allowed.
func (r *sfRows) diff(before, after map[string]sfCount, allowed map[string]string) string {
	var out []string
	for name, b := range before {
		a := after[name]
		if a == b || allowed[name] != "" {
			continue
		}
		if a.rows != b.rows {
			out = append(out, fmt.Sprintf("%s: %d rows, then %d", name, b.rows, a.rows))
		} else {
			out = append(out, name+": rows updated")
		}
	}
	slices.Sort(out)
	return strings.Join(out, "; ")
}

// sfFailure is one failed case.
type sfFailure struct {
	op           sfOp
	kind, detail string
	req          sfReq
	resp         sfResp
}

// sfFailures collects failures; each (operation, kind) is reported once with its first
// request and a count.
type sfFailures struct {
	list  []sfFailure
	count map[string]int
}

func (f *sfFailures) add(x sfFailure) {
	if f.count == nil {
		f.count = map[string]int{}
	}
	key := x.op.ID + "\x00" + x.kind
	if f.count[key] == 0 {
		f.list = append(f.list, x)
	}
	f.count[key]++
}

func (f *sfFailures) report(t *testing.T, cfg sfConfig) {
	t.Helper()
	for _, x := range f.list {
		var b strings.Builder
		fmt.Fprintf(&b, "%s (%s %s): %s", x.op.ID, x.op.Method, x.op.Template, x.kind)
		if n := f.count[x.op.ID+"\x00"+x.kind]; n > 1 {
			fmt.Fprintf(&b, " (%d cases)", n)
		}
		if x.detail != "" {
			fmt.Fprintf(&b, "\n    %s", x.detail)
		}
		fmt.Fprintf(&b, "\n    request: %s %.300q", x.req.method, x.req.path)
		hs := make([]string, 0, len(x.req.header))
		for k, v := range x.req.header {
			hs = append(hs, fmt.Sprintf("%s: %.80q", k, v))
		}
		slices.Sort(hs)
		if len(hs) > 0 {
			fmt.Fprintf(&b, "\n    headers: %s", strings.Join(hs, ", "))
		}
		if x.req.token == "" {
			b.WriteString("\n    no credentials")
		}
		if len(x.req.body) > 0 {
			fmt.Fprintf(&b, "\n    body (%d bytes): %.1500q", len(x.req.body), x.req.body)
		}
		if len(x.req.what) > 0 {
			fmt.Fprintf(&b, "\n    hostile parts: %s", strings.Join(x.req.what, "; "))
		}
		if x.resp.err == nil {
			fmt.Fprintf(&b, "\n    response: %d %.1500s", x.resp.status, x.resp.body)
		}
		fmt.Fprintf(&b, "\n    reproduce: make test TEST_PKGS=./internal/api/ TEST_ARGS='-run TestSchemaFuzz' FUZZ_SEED=%d FUZZ_CASES=%d"+
			" (add FUZZ_OPS='^%s$' for this operation alone: the same draws, in a world the other operations have not changed)",
			cfg.seed, cfg.cases, regexp.QuoteMeta(x.op.ID))
		t.Error(b.String())
	}
}
