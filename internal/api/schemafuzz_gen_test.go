package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The generator half of the schema fuzz (schemafuzz_test.go): JSON schemas as the served
// OpenAPI document states them, valid values drawn from them, and the hostile values and
// mutations the fuzz puts in their place.

// sfSchema is the part of a JSON schema (as huma writes it) the fuzz reads.
type sfSchema struct {
	Ref                  string               `json:"$ref"`
	Type                 sfTypes              `json:"type"`
	Format               string               `json:"format"`
	Pattern              string               `json:"pattern"`
	Enum                 []any                `json:"enum"`
	Minimum              *float64             `json:"minimum"`
	Maximum              *float64             `json:"maximum"`
	MinLength            *int                 `json:"minLength"`
	MaxLength            *int                 `json:"maxLength"`
	MinItems             *int                 `json:"minItems"`
	MaxItems             *int                 `json:"maxItems"`
	Items                *sfSchema            `json:"items"`
	Properties           map[string]*sfSchema `json:"properties"`
	Required             []string             `json:"required"`
	AdditionalProperties json.RawMessage      `json:"additionalProperties"`
	Examples             []any                `json:"examples"`
	ReadOnly             bool                 `json:"readOnly"`
}

// sfTypes is a schema's type: one name or a list (["array", "null"]).
type sfTypes []string

func (t *sfTypes) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '[' {
		var l []string
		if err := json.Unmarshal(b, &l); err != nil {
			return err
		}
		*t = l
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*t = sfTypes{s}
	return nil
}

func (s *sfSchema) is(typ string) bool { return slices.Contains(s.Type, typ) }

// mapValues is the schema of the values of an object used as a map (additionalProperties
// is a schema), or nil.
func (s *sfSchema) mapValues() *sfSchema {
	if len(s.AdditionalProperties) == 0 || s.AdditionalProperties[0] != '{' {
		return nil
	}
	var v sfSchema
	if err := json.Unmarshal(s.AdditionalProperties, &v); err != nil {
		return nil
	}
	return &v
}

// sfGen draws values for one case; everything it draws comes from r, so a seed repeats it.
type sfGen struct {
	r       *rand.Rand
	schemas map[string]*sfSchema
	pools   *sfPools
	world   *sfWorld
	// full includes every optional property (a case that will be mutated: more targets).
	full bool
}

func (g *sfGen) resolve(s *sfSchema) *sfSchema {
	for i := 0; s != nil && s.Ref != "" && i < 10; i++ {
		s = g.schemas[s.Ref[strings.LastIndex(s.Ref, "/")+1:]]
	}
	return s
}

func (g *sfGen) chance(p float64) bool { return g.r.Float64() < p }

func pick[T any](g *sfGen, l []T) T { return l[g.r.IntN(len(l))] }

// valid draws a value the schema accepts; name is the property or parameter it is for
// (realistic values by name reach further into the handlers than random ones).
func (g *sfGen) valid(s *sfSchema, name string, depth int) any {
	s = g.resolve(s)
	if s == nil {
		return "x"
	}
	if len(s.Enum) > 0 {
		return pick(g, s.Enum)
	}
	switch {
	case s.is("object") || s.Properties != nil:
		return g.object(s, depth)
	case s.is("array"):
		lo, hi := 0, 3
		if s.MinItems != nil {
			lo = *s.MinItems
		}
		if lo > hi {
			hi = lo
		}
		if s.MaxItems != nil && *s.MaxItems < hi {
			hi = *s.MaxItems
		}
		if depth > 5 {
			hi = lo
		}
		n := lo + g.r.IntN(hi-lo+1)
		out := make([]any, 0, n)
		for range n {
			out = append(out, g.valid(s.Items, name+"_item", depth+1))
		}
		return out
	case s.is("string"):
		return g.str(s, name)
	case s.is("integer"):
		lo, hi := g.bounds(s, 0, 100)
		return lo + g.r.Int64N(hi-lo+1)
	case s.is("number"):
		lo, hi := g.bounds(s, 0, 100)
		return float64(lo) + g.r.Float64()*float64(hi-lo)
	case s.is("boolean"):
		return g.chance(0.5)
	}
	return nil
}

func (g *sfGen) bounds(s *sfSchema, lo, hi int64) (int64, int64) {
	if s.Minimum != nil {
		lo = int64(*s.Minimum)
		if hi < lo {
			hi = lo + 100
		}
	}
	if s.Maximum != nil {
		hi = int64(*s.Maximum)
		if lo > hi {
			lo = hi - 100
		}
	}
	return lo, hi
}

func (g *sfGen) object(s *sfSchema, depth int) map[string]any {
	out := map[string]any{}
	names := make([]string, 0, len(s.Properties))
	for k := range s.Properties {
		names = append(names, k)
	}
	slices.Sort(names) // map order must not reach the random stream
	for _, k := range names {
		p := g.resolve(s.Properties[k])
		if p == nil || p.ReadOnly {
			continue
		}
		want := slices.Contains(s.Required, k)
		if !want && depth <= 4 {
			want = g.chance(0.5) || (g.full && g.chance(0.6))
		}
		if want {
			out[k] = g.valid(p, k, depth+1)
		}
	}
	if vs := s.mapValues(); vs != nil && len(s.Properties) == 0 {
		for range g.r.IntN(3) {
			out[pick(g, sfMapKeys)] = g.valid(vs, "value", depth+1)
		}
	}
	return out
}

// writable is a resource as read (current, a JSON object) cut to the writable properties of
// the body schema s: what a client sends back to change nothing.
func (g *sfGen) writable(s *sfSchema, current []byte) (any, bool) {
	s = g.resolve(s)
	var m map[string]any
	if s == nil || len(current) == 0 || json.Unmarshal(current, &m) != nil {
		return nil, false
	}
	for k := range m {
		if p := g.resolve(s.Properties[k]); p == nil || p.ReadOnly {
			delete(m, k)
		}
	}
	return sfGeneric(m), true
}

// sfMapKeys are keys of objects used as maps (targets by kind, variables by name, ...).
var sfMapKeys = []string{"arrival", "accept", "completion", "gold", "order_number", "customer_name", "sms", "x", "order.created"}

// sfNamed are realistic values of properties by name; a value the schema refuses is not used.
var sfNamed = map[string][]string{
	"timezone": {"Asia/Shanghai", "Europe/Berlin", "UTC"}, "currency": {"CNY", "USD"}, "locale": {"zh-CN", "en"},
	"province_code": {"310000", "110000", "440000"}, "city_code": {"310100", "110100"}, "district_code": {"310115", "110108"},
	"region_code": {"31", "3101", "44"}, "postal_prefix": {"200", "1000"}, "model_sku": {"KFR-35GW", "XQG100"},
	"fault_code": {"E1", "E2", "E5"}, "component": {"compressor", "mainboard", "motor"}, "tier": {"gold", "silver", "standard"},
	"tier_code": {"gold", "standard"}, "event_type": {"order.created", "quote.to_approve", "order.completed"},
	"events_item": {"order.created", "*", "sla.breached"}, "channel": {"sms", "email", "in_app"},
	"body":    {"Order {{.order_number}} received", "您的工单 {{.order_number}} 已受理", "plain text"},
	"subject": {"Order {{.order_number}}", "Hello"}, "password": {"fuzz-password-123"}, "code": {"E1", "fz-code", "123456"},
	"type": {"repair_minor", "repair_medium", "installation"}, "role": {"agent", "engineer", "finance"},
	"skills_item": {"install", "refrigeration"}, "diagnosis": {"worn part"}, "work_done": {"replaced"}, "statement": {"it was never dropped"},
}

func (g *sfGen) str(s *sfSchema, name string) string {
	for i := 0; i < 3; i++ {
		v, ok := g.strOnce(s, name)
		if ok && sfFits(s, v) {
			return v
		}
	}
	// Last resort: letters of an allowed length.
	n := 3
	if s.MinLength != nil && *s.MinLength > n {
		n = *s.MinLength
	}
	if s.MaxLength != nil && *s.MaxLength < n {
		n = *s.MaxLength
	}
	return strings.Repeat("a", n)
}

func (g *sfGen) strOnce(s *sfSchema, name string) (string, bool) {
	n := g.r.IntN(1_000_000)
	if l, ok := sfNamed[name]; ok && g.chance(0.8) {
		return pick(g, l), true
	}
	switch {
	case s.Format == "" && (strings.HasSuffix(name, "_id") || strings.HasSuffix(name, "_ids_item")):
		return g.idFor(name), true // an id the schema does not say is a UUID
	case name == "phone" || name == "destination" || strings.HasSuffix(name, "_phone"):
		if g.chance(0.9) {
			return fmt.Sprintf("+86139%08d", n*97%100_000_000), true
		}
	case name == "email":
		return fmt.Sprintf("fuzz%d@example.com", n), true
	case name == "url" || strings.HasSuffix(name, "_url"):
		return fmt.Sprintf("https://hooks.example.com/fuzz/%d", n), true
	case name == "serial" || name == "imei":
		return fmt.Sprintf("KFR35GW%010d", n), true
	case name == "slug":
		return fmt.Sprintf("fz-%d", n), true
	case name == "sku":
		return fmt.Sprintf("FZ-%d", n), true
	}
	switch s.Format {
	case "uuid":
		return g.idFor(name), true
	case "date":
		return time.Now().AddDate(0, 0, g.r.IntN(800)-400).Format(time.DateOnly), true
	case "date-time":
		return time.Now().Add(time.Duration(g.r.IntN(400*24)-200*24) * time.Hour).UTC().Format(time.RFC3339), true
	case "email":
		return fmt.Sprintf("fuzz%d@example.com", n), true
	case "uri":
		return fmt.Sprintf("https://hooks.example.com/fuzz/%d", n), true
	}
	if s.Pattern != "" {
		return sfFromPattern(g.r, s.Pattern)
	}
	if len(s.Examples) > 0 && g.chance(0.5) {
		if v, ok := pick(g, s.Examples).(string); ok {
			return v, true
		}
	}
	lo, hi := 1, 12
	if s.MinLength != nil {
		lo = *s.MinLength
	}
	if hi < lo {
		hi = lo + 4
	}
	if s.MaxLength != nil && *s.MaxLength < hi {
		hi = *s.MaxLength
	}
	var b strings.Builder
	want := lo + g.r.IntN(hi-lo+1)
	for utf8.RuneCountInString(b.String()) < want {
		b.WriteString(pick(g, sfWords))
	}
	return string([]rune(b.String())[:want]), true
}

var sfWords = []string{"fuzz ", "空调", "cool ", "维修", "a", "Z", "9", "-", "_", "."}

// sfFits checks a string against the schema's length, pattern and format.
func sfFits(s *sfSchema, v string) bool {
	n := utf8.RuneCountInString(v)
	if (s.MinLength != nil && n < *s.MinLength) || (s.MaxLength != nil && n > *s.MaxLength) {
		return false
	}
	if s.Pattern != "" {
		re, err := regexp.Compile(s.Pattern)
		if err != nil || !re.MatchString(v) {
			return false
		}
	}
	return true
}

// sfFromPattern draws a string matching a regular expression (repetitions kept short).
func sfFromPattern(r *rand.Rand, pattern string) (string, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", false
	}
	re = re.Simplify()
	var b strings.Builder
	var gen func(re *syntax.Regexp)
	gen = func(re *syntax.Regexp) {
		switch re.Op {
		case syntax.OpLiteral:
			b.WriteString(string(re.Rune))
		case syntax.OpCharClass:
			if len(re.Rune) == 0 {
				return
			}
			i := r.IntN(len(re.Rune)/2) * 2
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi > lo+200 {
				hi = lo + 200
			}
			b.WriteRune(lo + rune(r.IntN(int(hi-lo+1))))
		case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
			b.WriteByte('a')
		case syntax.OpCapture:
			gen(re.Sub[0])
		case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
			lo, hi := 0, 3
			switch re.Op {
			case syntax.OpPlus:
				lo = 1
			case syntax.OpQuest:
				hi = 1
			case syntax.OpRepeat:
				lo, hi = re.Min, re.Max
				if hi < 0 || hi > lo+3 {
					hi = lo + 3
				}
			}
			for range lo + r.IntN(hi-lo+1) {
				gen(re.Sub[0])
			}
		case syntax.OpConcat:
			for _, s := range re.Sub {
				gen(s)
			}
		case syntax.OpAlternate:
			gen(re.Sub[r.IntN(len(re.Sub))])
		}
	}
	gen(re)
	ok, err := regexp.MatchString(pattern, b.String())
	return b.String(), err == nil && ok
}

// idFor draws an id for a property or parameter named name: one of the world's ids of the
// kind the name says, else any id the fuzz has seen, else a fresh one.
func (g *sfGen) idFor(name string) string {
	if key := sfKindOf(name); key != "" {
		if id, ok := g.pools.pick(g, key); ok && g.chance(0.9) {
			return id
		}
	}
	if id, ok := g.pools.any(g); ok && g.chance(0.5) {
		return id
	}
	return sfGhost(g)
}

// sfGhost is an id that never existed.
func sfGhost(g *sfGen) string {
	return fmt.Sprintf("0190d1c2-%04x-7%03x-8%03x-%012x", g.r.IntN(1<<16), g.r.IntN(1<<12), g.r.IntN(1<<12), g.r.Int64N(1<<48))
}

// sfKinds maps the stem of an id's name (outlet_id -> outlet) to the pool of its kind,
// where the plural of the stem is not the pool's name.
var sfKinds = map[string]string{
	"category": "categories", "policy": "policies", "product": "express-products", "engineer": "engineers",
	"designated_engineer": "engineers", "user": "engineers", "actor": "engineers", "evidence": "attachments",
	"photo": "attachments", "signature": "attachments", "subject": "orders", "into": "fault-codes",
	"endpoint": "webhook-endpoints", "redelivery_of": "webhook-deliveries", "buyer": "customers", "ids": "notifications",
	"ids_item": "notifications", "repeat_of": "orders",
}

// sfKindOf is the pool of the ids a property or parameter named name holds ("" if unknown).
func sfKindOf(name string) string {
	stem := strings.TrimSuffix(name, "_item")
	stem = strings.TrimSuffix(strings.TrimSuffix(stem, "_ids"), "_id")
	if k, ok := sfKinds[stem]; ok {
		return k
	}
	if k, ok := sfKinds[name]; ok {
		return k
	}
	if stem == name {
		return ""
	}
	return stem + "s"
}

// sfPools are the ids (and tokens, slugs) the fuzz has seen, by kind: the world's fixtures,
// then what successful responses return. Each kind keeps its first sfPoolMax, in order.
type sfPools struct {
	own     map[string][]string
	foreign map[string][]string // another tenant's
	skip    map[string]bool     // ids never to address (the admin's own membership)
}

const sfPoolMax = 48

func newSFPools() *sfPools {
	return &sfPools{own: map[string][]string{}, foreign: map[string][]string{}, skip: map[string]bool{}}
}

func (p *sfPools) add(kind, id string) { sfAdd(p.own, p.skip, kind, id) }

func (p *sfPools) addForeign(kind, id string) { sfAdd(p.foreign, p.skip, kind, id) }

func sfAdd(m map[string][]string, skip map[string]bool, kind, id string) {
	if id == "" || skip[id] || len(m[kind]) >= sfPoolMax || slices.Contains(m[kind], id) {
		return
	}
	m[kind] = append(m[kind], id)
}

func (p *sfPools) pick(g *sfGen, kind string) (string, bool) {
	l := p.own[kind]
	if len(l) == 0 {
		return "", false
	}
	return pick(g, l), true
}

func (p *sfPools) pickForeign(g *sfGen, kind string) (string, bool) {
	l := p.foreign[kind]
	if len(l) == 0 {
		return "", false
	}
	return pick(g, l), true
}

// any is an id of any kind.
func (p *sfPools) any(g *sfGen) (string, bool) {
	kinds := make([]string, 0, len(p.own))
	for k, l := range p.own {
		if len(l) > 0 && !strings.Contains(k, ":") {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return "", false
	}
	slices.Sort(kinds)
	return p.pick(g, pick(g, kinds))
}

// harvest adds the ids in a successful response to the pools: the body's id and its items'
// ids go to kind (the last literal segment of the path), objects under a name (order,
// purchase) to that name's kind, *_id fields to theirs, and links to tracking and quote
// pages to the token pools. Objects whose email is skipEmail are left out.
func (p *sfPools) harvest(kind string, body []byte, skipEmail string, foreign bool) {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return
	}
	add := p.add
	if foreign {
		add = p.addForeign
	}
	var walk func(kind string, v any, depth int)
	walk = func(kind string, v any, depth int) {
		if depth > 4 {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			if skipEmail != "" && x["email"] == skipEmail {
				return
			}
			if id, ok := x["id"].(string); ok && kind != "" {
				add(kind, id)
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				switch c := x[k].(type) {
				case string:
					if k != "id" && (strings.HasSuffix(k, "_id")) {
						add(sfKindOf(k), c)
					}
					if i := strings.LastIndex(c, "/track/"); i >= 0 {
						add("track:token", c[i+len("/track/"):])
					}
					if i := strings.LastIndex(c, "/quote/"); i >= 0 {
						add("quotes:token", c[i+len("/quote/"):])
					}
				case []any:
					walk(kind, c, depth+1)
				case map[string]any:
					walk(k+"s", c, depth+1)
				}
			}
		case []any:
			for _, it := range x {
				walk(kind, it, depth+1)
			}
		}
	}
	walk(kind, v, 0)
}

// sfPath addresses a node of a JSON value: object keys and array indexes.
type sfPath []any

// sfNodes lists the paths of every node of v (v itself first).
func sfNodes(v any) []sfPath {
	var out []sfPath
	var walk func(p sfPath, v any)
	walk = func(p sfPath, v any) {
		out = append(out, p)
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				walk(append(slices.Clip(p), k), x[k])
			}
		case []any:
			for i, it := range x {
				walk(append(slices.Clip(p), i), it)
			}
		}
	}
	walk(nil, v)
	return out
}

// sfSet returns v with the node at p replaced by x (p must exist).
func sfSet(v any, p sfPath, x any) any {
	if len(p) == 0 {
		return x
	}
	switch c := v.(type) {
	case map[string]any:
		k := p[0].(string)
		c[k] = sfSet(c[k], p[1:], x)
	case []any:
		i := p[0].(int)
		c[i] = sfSet(c[i], p[1:], x)
	}
	return v
}

// sfGet returns the node at p.
func sfGet(v any, p sfPath) any {
	for _, k := range p {
		switch c := v.(type) {
		case map[string]any:
			v = c[k.(string)]
		case []any:
			v = c[k.(int)]
		}
	}
	return v
}

// sfHostileStrings are strings that have broken parsers, databases and renderers.
var sfHostileStrings = []string{
	"", " ", "null", "undefined", "0", "-1", "true", "not-a-uuid", "00000000-0000-0000-0000-000000000000",
	"\u202eevil", "\u200f\u200e", "\u200b", "\ufeffbom", "👩🏽‍🔧🔥", "e\u0301\u0301\u0301", "a\x00b", "\x00",
	"\uffff\ufffe", "\U0010ffff", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "ǅİıß", "\r\n\t", "'; DROP TABLE outlets; --", "%s%n%x",
	"{{.}}", "{{range 999999999}}x{{end}}", "{{template \"a\"}}", "<script>alert(1)</script>", "../../../../etc/passwd",
	"=cmd|' /C calc'!A0", "@SUM(1+1)", "+86", "+8613800000000000000000", "1e400", "NaN", "Infinity", "2026-02-30",
	"24:00", "25:61", "9999-12-31", "0000-00-00", "2026-01-01T25:00:00Z", "Asia/Nowhere", "../Asia/Shanghai",
	"\\", "\"", "'", "`", "$1", "*", "%", "_", "\\u0000",
}

// sfHostileRaw are JSON texts Go cannot produce from a string: invalid UTF-8, lone
// surrogates, numbers beyond every range, deep nesting.
var sfHostileRaw = []string{
	"\"\xff\xfe\"", "\"a\xc0\xafb\"", "\"\xed\xa0\x80\"", `"\ud800"`, `"\udfff\ud800"`, "1e400", "-1e400", "1e-400",
	"9223372036854775808", "-9223372036854775809", "18446744073709551616", "-0", "0.0000001", "1E+2",
	"123456789012345678901234567890", strings.Repeat("[", 200) + strings.Repeat("]", 200),
	strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100),
}

// Flavors of hostile values (hostile): what a mutation puts where a valid value was.
const (
	sfNull      = iota // null
	sfWrongType        // a value of another JSON type
	sfOddString        // odd Unicode, NUL, RTL marks, emoji, injection text
	sfRawJSON          // JSON Go cannot produce: invalid UTF-8, lone surrogates, numbers out of range
	sfNumber           // negative, huge, fractional numbers
	sfHuge             // a huge string
	sfEmpty            // empty arrays and objects
	sfMore             // the valid value repeated in a long array, or wrapped in one
	sfRetyped          // the valid value as another type: "12" for 12, 12 for "12"
	sfSpliced          // the valid string with hostile text spliced in
	sfBadBytes         // the valid string followed by an invalid UTF-8 byte
	sfFlavors          // how many there are
)

// sfFlavorNames name the flavors in failure reports.
var sfFlavorNames = [sfFlavors]string{"null", "wrong type", "odd string", "raw JSON", "number", "huge string", "empty container",
	"more of the same", "retyped", "spliced string", "invalid UTF-8"}

// hostile draws a value of a flavor to put where a valid one was; like is the valid value
// it replaces.
func (g *sfGen) hostile(flavor int, like any) any {
	switch flavor {
	case sfNull:
		return nil
	case sfWrongType:
		return pick(g, []any{0, -1, 1.5, true, false, "x", []any{}, map[string]any{}, []any{nil}, map[string]any{"a": nil}})
	case sfOddString:
		return pick(g, sfHostileStrings)
	case sfRawJSON:
		return json.RawMessage(pick(g, sfHostileRaw))
	case sfNumber:
		return pick(g, []any{-1, 0, -2147483649, 2147483648, 9007199254740993, int64(9223372036854775807),
			-9223372036854775807, 1e308, -1e308, 0.5, 1e-9})
	case sfHuge:
		n := pick(g, []int{256, 4097, 10_000, 60_000})
		return strings.Repeat(pick(g, []string{"A", "漢", "\u200b", "👩🏽‍🔧"}), n/4+1)
	case sfEmpty:
		return pick(g, []any{[]any{}, map[string]any{}, []any{map[string]any{}}, []any{[]any{}}})
	case sfMore:
		if g.chance(0.5) {
			out := make([]any, 200+g.r.IntN(300))
			for i := range out {
				out[i] = like
			}
			return out
		}
		return []any{like}
	case sfRetyped:
		switch x := like.(type) {
		case string:
			return json.RawMessage(x) // as JSON text: a number, a keyword, or not JSON at all
		case nil:
			return "null"
		}
		return fmt.Sprint(like)
	case sfSpliced:
		if s, ok := like.(string); ok {
			cut := 0
			if len(s) > 0 {
				cut = g.r.IntN(len(s) + 1)
			}
			return json.RawMessage(sfQuote(s[:cut] + pick(g, sfHostileStrings) + s[cut:]))
		}
		return pick(g, sfHostileStrings)
	default:
		s, _ := like.(string)
		q := sfQuote(s)
		return json.RawMessage(q[:len(q)-1] + pick(g, []string{"\xff", "\xc0\xaf", "\xed\xa0\x80", "\x80"}) + "\"")
	}
}

// sfQuote is s as a JSON string, keeping invalid UTF-8 bytes as they are (json.Marshal
// would replace them with U+FFFD).
func sfQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// mutate applies one mutation to a JSON body value: a node replaced by a hostile value of
// the flavor (-1: any), a property removed, an unknown property added. It returns the new
// value and what it did.
func (g *sfGen) mutate(v any, flavor int) (any, string) {
	nodes := sfNodes(v)
	if len(nodes) > 1 && g.chance(0.8) {
		nodes = nodes[1:] // mostly a value inside, not the body as a whole
	}
	p := pick(g, nodes)
	if flavor == sfNull {
		// Null where a property is, most often an array: huma lets null through for arrays
		// (their type is ["array", "null"]), so the handler meets it.
		var props, arrays []sfPath
		for _, n := range nodes {
			if len(n) == 0 {
				continue
			}
			if _, isKey := n[len(n)-1].(string); isKey {
				props = append(props, n)
				if _, isArray := sfGet(v, n).([]any); isArray {
					arrays = append(arrays, n)
				}
			}
		}
		switch {
		case len(arrays) > 0 && g.chance(0.6):
			p = pick(g, arrays)
		case len(props) > 0:
			p = pick(g, props)
		}
	}
	if flavor < 0 {
		switch g.r.IntN(8) {
		case 0:
			return g.addUnknown(v)
		case 1:
			if w, what, ok := g.remove(v, p); ok {
				return w, what
			}
		}
		flavor = g.r.IntN(sfFlavors)
	}
	return sfSet(v, p, g.hostile(flavor, sfGet(v, p))), fmt.Sprintf("%s at %v", sfFlavorNames[flavor], p)
}

// addUnknown adds a property the schema does not have (or a read-only one) to an object.
func (g *sfGen) addUnknown(v any) (any, string) {
	var objs []sfPath
	for _, n := range sfNodes(v) {
		if _, ok := sfGet(v, n).(map[string]any); ok {
			objs = append(objs, n)
		}
	}
	if len(objs) == 0 {
		return v, "no object for an unknown property"
	}
	o := pick(g, objs)
	k := pick(g, []string{"fuzz_unknown", "id", "tenant_id", "version", "created_at", "__proto__", "", "\u0000", "é", "Name"})
	sfGet(v, o).(map[string]any)[k] = g.hostile(g.r.IntN(sfFlavors), "x")
	return v, fmt.Sprintf("unknown property %q at %v", k, o)
}

// remove deletes the property at p, if p is one.
func (g *sfGen) remove(v any, p sfPath) (any, string, bool) {
	if len(p) == 0 {
		return v, "", false
	}
	k, isKey := p[len(p)-1].(string)
	if !isKey {
		return v, "", false
	}
	delete(sfGet(v, p[:len(p)-1]).(map[string]any), k)
	return v, fmt.Sprintf("remove %v", p), true
}

// rawMutate damages an encoded JSON body as bytes.
func (g *sfGen) rawMutate(b []byte) ([]byte, string) {
	switch g.r.IntN(8) {
	case 0:
		if len(b) > 1 {
			return b[:g.r.IntN(len(b)-1)+1], "truncate"
		}
	case 1:
		return append(slices.Clip(b), pick(g, []string{"}", "]", "{}", " x", ",", "\x00", "\n{\"a\":1}"})...), "trailing garbage"
	case 2:
		return append([]byte("\xef\xbb\xbf"), b...), "byte order mark"
	case 3:
		return []byte(pick(g, []string{"", "null", "[]", "{", "}", "\"\"", "1", "true", "{}", "[{}]", "nul", "\x00", "\xff\xfe"})), "replace body"
	case 4:
		// A duplicate key: the first property again, with another value.
		if len(b) > 1 && b[0] == '{' && b[1] == '"' {
			end := bytes.IndexByte(b[2:], '"')
			if end >= 0 {
				key := b[1 : end+3]
				return slices.Concat([]byte("{"), key, []byte(":null,"), b[1:]), "duplicate key"
			}
		}
	case 5:
		return bytes.ReplaceAll(b, []byte(`"`), []byte(`'`)), "single quotes"
	case 6:
		return []byte(strings.Repeat("[", 10_000) + strings.Repeat("]", 10_000)), "deep nesting"
	}
	return append([]byte(" \t\r\n"), b...), "leading whitespace"
}

// sfEncode writes v as JSON text; raw values go in as they are, valid or not.
func sfEncode(v any) []byte {
	var b bytes.Buffer
	var enc func(v any)
	enc = func(v any) {
		switch x := v.(type) {
		case nil:
			b.WriteString("null")
		case json.RawMessage:
			b.Write(x)
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			b.WriteByte('{')
			for i, k := range keys {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(sfQuote(k))
				b.WriteByte(':')
				enc(x[k])
			}
			b.WriteByte('}')
		case []any:
			b.WriteByte('[')
			for i, it := range x {
				if i > 0 {
					b.WriteByte(',')
				}
				enc(it)
			}
			b.WriteByte(']')
		case string:
			b.WriteString(sfQuote(x))
		default:
			j, err := json.Marshal(x)
			if err != nil {
				j = []byte("null")
			}
			b.Write(j)
		}
	}
	enc(v)
	return b.Bytes()
}

// sfGeneric turns a Go value into plain JSON values (maps, slices, json.Number), which
// mutations can walk.
func sfGeneric(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var out any
	if d.Decode(&out) != nil {
		return v
	}
	return out
}
