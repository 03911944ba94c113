// Package queries holds the sqlc query files and, in its tests, the check that every query on
// a tenant table names the tenant as a parameter (see docs/tenancy.md, "The tenant predicate").
//
// The check reads SQL with a small lexer rather than a full parser: it knows the forms the
// query files use (FROM and JOIN lists, subqueries, CTEs, UNION, INSERT ... VALUES/SELECT,
// UPDATE ... FROM) and fails on what it cannot read, so a new form is taught here rather
// than waved through.
package queries

import (
	"fmt"
	"regexp"
	"strings"
)

// tokKind is the kind of a lexical token.
type tokKind int

const (
	tIdent tokKind = iota // identifier or keyword, lowercased
	tParam                // @name, sqlc.arg(name), sqlc.narg(name), sqlc.slice(name): text is the name; $n: text is "$n"
	tString
	tNumber
	tOp // operators and punctuation: ( ) , . ; :: = <> ...
)

type token struct {
	kind tokKind
	text string
}

// lex splits SQL into tokens, dropping comments and whitespace. Dollar-quoted bodies and
// string literals become single tString tokens.
func lex(sql string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.HasPrefix(sql[i:], "--"):
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case strings.HasPrefix(sql[i:], "/*"):
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("unterminated comment")
			}
			i += end + 4
		case c == '\'':
			j := i + 1
			for {
				if j >= len(sql) {
					return nil, fmt.Errorf("unterminated string")
				}
				if sql[j] == '\'' {
					if j+1 < len(sql) && sql[j+1] == '\'' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			toks = append(toks, token{tString, sql[i : j+1]})
			i = j + 1
		case c == '"':
			j := strings.IndexByte(sql[i+1:], '"')
			if j < 0 {
				return nil, fmt.Errorf("unterminated quoted identifier")
			}
			toks = append(toks, token{tIdent, sql[i+1 : i+1+j]})
			i += j + 2
		case c == '$' && i+1 < len(sql) && isDigit(sql[i+1]):
			j := i + 1
			for j < len(sql) && isDigit(sql[j]) {
				j++
			}
			toks = append(toks, token{tParam, sql[i:j]})
			i = j
		case c == '$':
			j := i + 1
			for j < len(sql) && isIdentChar(sql[j]) {
				j++
			}
			if j >= len(sql) || sql[j] != '$' {
				return nil, fmt.Errorf("stray $ at %d", i)
			}
			tag := sql[i : j+1]
			end := strings.Index(sql[j+1:], tag)
			if end < 0 {
				return nil, fmt.Errorf("unterminated %s body", tag)
			}
			toks = append(toks, token{tString, sql[i : j+1+end+len(tag)]})
			i = j + 1 + end + len(tag)
		case c == '@':
			j := i + 1
			for j < len(sql) && isIdentChar(sql[j]) {
				j++
			}
			toks = append(toks, token{tParam, strings.ToLower(sql[i+1 : j])})
			i = j
		case isIdentStart(c):
			j := i
			for j < len(sql) && isIdentChar(sql[j]) {
				j++
			}
			toks = append(toks, token{tIdent, strings.ToLower(sql[i:j])})
			i = j
		case isDigit(c):
			j := i
			for j < len(sql) && (isDigit(sql[j]) || sql[j] == '.') {
				j++
			}
			toks = append(toks, token{tNumber, sql[i:j]})
			i = j
		default:
			op := string(c)
			for _, two := range []string{"::", "<>", "<=", ">=", "!=", "||", "&&", "->", "->>"} {
				if strings.HasPrefix(sql[i:], two) && len(two) > len(op) {
					op = two
				}
			}
			toks = append(toks, token{tOp, op})
			i += len(op)
		}
	}
	return foldSqlcArgs(toks), nil
}

// foldSqlcArgs turns sqlc.arg(x), sqlc.narg('x') and sqlc.slice(x) into one tParam token.
func foldSqlcArgs(toks []token) []token {
	out := toks[:0:0]
	for i := 0; i < len(toks); i++ {
		if i+5 < len(toks) && toks[i].text == "sqlc" && toks[i+1].text == "." &&
			(toks[i+2].text == "arg" || toks[i+2].text == "narg" || toks[i+2].text == "slice") &&
			toks[i+3].text == "(" && toks[i+5].text == ")" {
			out = append(out, token{tParam, strings.ToLower(strings.Trim(toks[i+4].text, `'"`))})
			i += 5
			continue
		}
		out = append(out, toks[i])
	}
	return out
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentChar(c byte) bool  { return isIdentStart(c) || isDigit(c) }

// tenantTables reads the migrations' Up sections and returns the tables that have a
// tenant_id column (created with one or given one by ALTER TABLE ... ADD COLUMN).
func tenantTables(migrations map[string]string) (map[string]bool, error) {
	tables := map[string]bool{}
	for name, text := range migrations {
		if i := strings.Index(text, "-- +goose Down"); i >= 0 {
			text = text[:i]
		}
		toks, err := lex(text)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for i := 0; i+2 < len(toks); i++ {
			switch {
			case toks[i].text == "create" && toks[i+1].text == "table":
				j := i + 2
				if toks[j].text == "if" { // IF NOT EXISTS
					j += 3
				}
				table := toks[j].text
				if j+1 >= len(toks) || toks[j+1].text != "(" {
					return nil, fmt.Errorf("%s: CREATE TABLE %s without a column list", name, table)
				}
				// The first word of each top-level item of the list is a column name (or a
				// table constraint keyword).
				depth, itemStart := 0, true
				for k := j + 1; k < len(toks); k++ {
					t := toks[k].text
					if t == "(" {
						depth++
						itemStart = depth == 1
						continue
					}
					if t == ")" {
						if depth--; depth == 0 {
							break
						}
						continue
					}
					if depth == 1 && itemStart && t == "tenant_id" {
						tables[table] = true
					}
					itemStart = depth == 1 && t == ","
				}
			case toks[i].text == "alter" && toks[i+1].text == "table":
				table := toks[i+2].text
				for k := i + 3; k+1 < len(toks) && toks[k].text != ";"; k++ {
					if toks[k].text == "add" {
						col := toks[k+1].text
						if col == "column" && k+2 < len(toks) {
							col = toks[k+2].text
						}
						if col == "tenant_id" {
							tables[table] = true
						}
					}
				}
			}
		}
	}
	return tables, nil
}

// query is one named query of a query file.
type query struct {
	file, name string
	line       int    // line of the -- name: comment
	platform   string // reason given by a -- platform: line next to the name, if any
	sql        string
}

var (
	nameLine     = regexp.MustCompile(`^--\s*name:\s*(\w+)\s+:\w+`)
	platformLine = regexp.MustCompile(`^--\s*platform:(.*)$`)
	appTenantID  = regexp.MustCompile(`(?i)app\s*\.\s*tenant_id\s*\(`)
)

// splitQueries cuts a query file into its named queries. A "-- platform: reason" line
// belongs to the query whose "-- name:" line is directly above or below it; one anywhere
// else is an error.
func splitQueries(file, text string) ([]query, []error) {
	lines := strings.Split(text, "\n")
	var qs []query
	var errs []error
	isName := func(i int) bool { return i >= 0 && i < len(lines) && nameLine.MatchString(strings.TrimSpace(lines[i])) }
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if m := nameLine.FindStringSubmatch(l); m != nil {
			qs = append(qs, query{file: file, name: m[1], line: i + 1})
			continue
		}
		if m := platformLine.FindStringSubmatch(l); m != nil {
			reason := strings.TrimSpace(m[1])
			switch {
			case reason == "":
				errs = append(errs, fmt.Errorf("%s:%d: -- platform: without a reason", file, i+1))
			case isName(i + 1):
				// Directly above a name line: the next query's. Recorded when its name line comes.
			case isName(i - 1):
				qs[len(qs)-1].platform = reason
			default:
				errs = append(errs, fmt.Errorf("%s:%d: -- platform: must be directly above or below a -- name: line", file, i+1))
			}
			continue
		}
		if len(qs) > 0 {
			qs[len(qs)-1].sql += l + "\n"
		}
	}
	// Marks directly above a name line.
	for i := range lines {
		if m := platformLine.FindStringSubmatch(strings.TrimSpace(lines[i])); m != nil && isName(i+1) {
			for k := range qs {
				if qs[k].line == i+2 {
					qs[k].platform = strings.TrimSpace(m[1])
				}
			}
		}
	}
	return qs, errs
}

// locksRows reports whether a query takes row locks (FOR UPDATE, FOR SHARE and their kin).
func locksRows(sql string) bool {
	toks, err := lex(sql)
	if err != nil {
		return false
	}
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].text == "for" && (toks[i+1].text == "update" || toks[i+1].text == "share" ||
			toks[i+1].text == "no" || toks[i+1].text == "key") {
			return true
		}
	}
	return false
}

// tableRef is one mention of a table in a FROM, JOIN, UPDATE, DELETE or INSERT.
type tableRef struct {
	table, alias string
	scope        int  // index into scopes
	insert       bool // INSERT target: routed by the value given for tenant_id
	node         int  // union-find node
}

// scope is a query level: the top level, a subquery or CTE body, or one branch of a UNION.
type scope struct {
	parent int // -1 for the top
}

// analysis holds one query's tokens and what the check derives from them.
type analysis struct {
	toks    []token
	group   []int // innermost parenthesis group of each token (0: top level)
	gStart  []int // index of each group's "(" (-1 for group 0)
	gEnd    []int // index of each group's ")"
	inCase  []bool
	scopeOf []int // scope of each token that sits directly at a scope level; -1 otherwise
	scopes  []scope
	refs    []*tableRef
	uf      []int
}

var statementStart = map[string]bool{"select": true, "with": true, "insert": true, "update": true, "delete": true}

// notAlias are words that may follow a table name but are not its alias.
var notAlias = map[string]bool{
	"where": true, "join": true, "left": true, "right": true, "inner": true, "full": true, "cross": true,
	"natural": true, "on": true, "using": true, "set": true, "order": true, "group": true, "limit": true,
	"offset": true, "having": true, "window": true, "returning": true, "for": true, "union": true,
	"intersect": true, "except": true, "values": true, "select": true, "default": true, "lateral": true,
	"tablesample": true, "fetch": true, "do": true, "overriding": true,
}

// clauseEnd are words at a query level that end a WHERE or ON condition.
var clauseEnd = map[string]bool{
	"where": true, "on": true, "join": true, "left": true, "right": true, "inner": true, "full": true,
	"cross": true, "group": true, "order": true, "limit": true, "offset": true, "having": true,
	"window": true, "returning": true, "for": true, "union": true, "intersect": true, "except": true,
	"set": true, "do": true, "values": true, "select": true, "from": true, "using": true,
}

func analyse(sql string) (*analysis, error) {
	all, err := lex(sql)
	if err != nil {
		return nil, err
	}
	var toks []token // one statement: its ";" carries nothing
	for _, t := range all {
		if t.text != ";" || t.kind != tOp {
			toks = append(toks, t)
		}
	}
	a := &analysis{toks: toks, group: make([]int, len(toks)), inCase: make([]bool, len(toks)), scopeOf: make([]int, len(toks))}
	// Parenthesis groups.
	a.gStart, a.gEnd = []int{-1}, []int{len(toks)}
	stack := []int{0}
	for i, t := range toks {
		if t.kind == tOp && t.text == "(" {
			a.group[i] = stack[len(stack)-1]
			a.gStart = append(a.gStart, i)
			a.gEnd = append(a.gEnd, -1)
			stack = append(stack, len(a.gStart)-1)
			continue
		}
		if t.kind == tOp && t.text == ")" {
			if len(stack) == 1 {
				return nil, fmt.Errorf("unbalanced )")
			}
			a.group[i] = stack[len(stack)-1]
			a.gEnd[stack[len(stack)-1]] = i
			stack = stack[:len(stack)-1]
			continue
		}
		a.group[i] = stack[len(stack)-1]
	}
	if len(stack) != 1 {
		return nil, fmt.Errorf("unbalanced (")
	}
	// CASE ... END per group.
	caseDepth := map[int]int{}
	for i, t := range toks {
		g := a.group[i]
		if t.kind == tIdent && t.text == "case" {
			caseDepth[g]++
		}
		a.inCase[i] = caseDepth[g] > 0
		if t.kind == tIdent && t.text == "end" && caseDepth[g] > 0 {
			caseDepth[g]--
		}
	}
	// Scopes: the top level and every group that starts a statement, split at set operators.
	for i := range a.scopeOf {
		a.scopeOf[i] = -1
	}
	var walk func(g, parent int)
	walk = func(g, parent int) {
		cur := len(a.scopes)
		a.scopes = append(a.scopes, scope{parent: parent})
		from, to := a.gStart[g]+1, a.gEnd[g]
		for i := from; i < to; i++ {
			if a.group[i] != g {
				continue
			}
			if toks[i].kind == tIdent && (toks[i].text == "union" || toks[i].text == "intersect" || toks[i].text == "except") {
				cur = len(a.scopes)
				a.scopes = append(a.scopes, scope{parent: parent})
				continue
			}
			a.scopeOf[i] = cur
			if toks[i].text == "(" {
				if sub := a.groupAt(i); statementStart[toks[i+1].text] {
					walk(sub, cur)
				} else {
					a.markExpr(sub, cur, walk)
				}
			}
		}
	}
	walk(0, -1)
	return a, nil
}

// groupAt returns the group opened by the "(" at i.
func (a *analysis) groupAt(i int) int {
	for g, s := range a.gStart {
		if s == i {
			return g
		}
	}
	return -1
}

// markExpr descends into an expression group (not a statement) to find the statements
// nested in it, whose parent scope is the enclosing one.
func (a *analysis) markExpr(g, enclosing int, walk func(g, parent int)) {
	for i := a.gStart[g] + 1; i < a.gEnd[g]; i++ {
		if a.group[i] != g || a.toks[i].text != "(" {
			continue
		}
		sub := a.groupAt(i)
		if statementStart[a.toks[i+1].text] {
			walk(sub, enclosing)
		} else {
			a.markExpr(sub, enclosing, walk)
		}
	}
}

// levelTokens returns the indexes of the tokens directly at scope s, in order.
func (a *analysis) levelTokens(s int) []int {
	var idx []int
	for i, sc := range a.scopeOf {
		if sc == s {
			idx = append(idx, i)
		}
	}
	return idx
}

func (a *analysis) find(n int) int {
	for a.uf[n] != n {
		a.uf[n] = a.uf[a.uf[n]]
		n = a.uf[n]
	}
	return n
}

func (a *analysis) union(x, y int) { a.uf[a.find(x)] = a.find(y) }

const paramNode = 0

// check returns the problems of one query: tenant tables it reads or writes without being
// routed to one tenant by tenant_id = @tenant_id, directly or through tenant_id equalities.
// tenantRefs is how many mentions of tenant tables the query has.
func check(sql string, tenant map[string]bool) (problems []string, tenantRefs int, err error) {
	a, err := analyse(sql)
	if err != nil {
		return nil, 0, err
	}
	a.uf = []int{paramNode}
	for s := range a.scopes {
		if err := a.collectRefs(s); err != nil {
			return nil, 0, err
		}
	}
	for s := range a.scopes {
		a.collectEqualities(s, tenant)
	}
	unread := map[*tableRef]bool{}
	for _, r := range a.refs {
		if r.insert && tenant[r.table] {
			if err := a.checkInsertValue(r); err != nil {
				problems = append(problems, err.Error())
				unread[r] = true
			}
		}
	}
	for _, r := range a.refs {
		if !tenant[r.table] {
			continue
		}
		tenantRefs++
		if a.find(r.node) != a.find(paramNode) && !unread[r] {
			what := "INSERT INTO " + r.table + " does not take @tenant_id for tenant_id"
			if !r.insert {
				what = fmt.Sprintf("%s %q is not routed: no %s.tenant_id = @tenant_id, directly or through tenant_id equalities",
					r.table, r.alias, r.alias)
			}
			problems = append(problems, what)
		}
	}
	return problems, tenantRefs, nil
}

// collectRefs records the tables mentioned directly at scope s.
func (a *analysis) collectRefs(s int) error {
	idx := a.levelTokens(s)
	t := func(k int) token {
		if k < len(idx) {
			return a.toks[idx[k]]
		}
		return token{kind: tOp} // past the end
	}
	add := func(k int, insert bool) int { // reads "name [AS] [alias]" at k; returns the next position
		name := t(k).text
		if t(k).kind != tIdent {
			return k
		}
		if t(k+1).text == "." && t(k+2).kind == tIdent { // schema-qualified
			name = t(k + 2).text
			k += 2
		}
		k++
		alias := name
		if t(k).text == "as" {
			k++
		}
		if t(k).kind == tIdent && !notAlias[t(k).text] && (!insert || t(k).text != "(") {
			alias = t(k).text
			k++
		}
		a.uf = append(a.uf, len(a.uf))
		a.refs = append(a.refs, &tableRef{table: name, alias: alias, scope: s, insert: insert, node: len(a.uf) - 1})
		return k
	}
	for k := 0; k < len(idx); k++ {
		w := t(k)
		if w.kind != tIdent {
			continue
		}
		switch {
		case w.text == "insert" && t(k+1).text == "into":
			add(k+2, true)
		case w.text == "update" && k == 0:
			add(k+1, false)
		case w.text == "from" || w.text == "join":
			if w.text == "from" && k > 0 && t(k-1).text == "distinct" { // IS DISTINCT FROM
				continue
			}
			// A FROM list: items separated by commas, each a table or a derived table.
			for {
				k++
				if t(k).text == "only" || t(k).text == "lateral" {
					k++
				}
				if t(k).text == "(" { // derived table or function call: its alias names no table
					k++
					if t(k).text == "as" {
						k++
					}
					if t(k).kind == tIdent && !notAlias[t(k).text] {
						k++
					}
				} else if t(k).kind == tIdent {
					if t(k+1).text == "(" { // set-returning function
						k += 2
						if t(k).text == "as" {
							k++
						}
						if t(k).kind == tIdent && !notAlias[t(k).text] {
							k++
						}
					} else {
						k = add(k, false)
					}
				}
				if w.text != "from" || t(k).text != "," {
					k--
					break
				}
			}
		}
	}
	return nil
}

// resolve finds the table mention a column reference means, from scope s outwards:
// qualified by alias, or (alias "") the one tenant table of the nearest level that has one.
func (a *analysis) resolve(s int, alias string, tenant map[string]bool) *tableRef {
	for ; s >= 0; s = a.scopes[s].parent {
		var found []*tableRef
		for _, r := range a.refs {
			if r.scope != s || r.insert {
				continue
			}
			if alias == "" && tenant[r.table] || alias != "" && r.alias == alias {
				found = append(found, r)
			}
		}
		if len(found) == 1 {
			return found[0]
		}
		if len(found) > 1 {
			return nil // ambiguous: PostgreSQL would refuse it too
		}
	}
	return nil
}

// collectEqualities joins, in the union-find, the operands of each "x.tenant_id = y" found
// directly in a WHERE or ON condition of scope s whose top level has no OR (an equality
// under an OR, a NOT, a CASE or in parentheses does not confine the statement).
func (a *analysis) collectEqualities(s int, tenant map[string]bool) {
	idx := a.levelTokens(s)
	inCond, hasOr := false, false
	start := 0
	flush := func(end int) {
		if inCond && !hasOr {
			a.equalities(s, idx[start:end], tenant)
		}
	}
	for k := 0; k < len(idx); k++ {
		tk := a.toks[idx[k]]
		if tk.kind != tIdent || a.inCase[idx[k]] {
			continue
		}
		if clauseEnd[tk.text] {
			flush(k)
			inCond = (tk.text == "where" || tk.text == "on") && (k+1 >= len(idx) || a.toks[idx[k+1]].text != "conflict")
			hasOr, start = false, k+1
			continue
		}
		if tk.text == "or" {
			hasOr = true
		}
	}
	flush(len(idx))
}

// equalities handles one condition: a conjunction of terms at one level.
func (a *analysis) equalities(s int, cond []int, tenant map[string]bool) {
	// Split at top-level AND (BETWEEN x AND y keeps its AND: its terms are not equalities).
	var terms [][]int
	cur := []int{}
	between := false
	for _, i := range cond {
		t := a.toks[i]
		if t.kind == tIdent && t.text == "between" {
			between = true
		}
		if t.kind == tIdent && t.text == "and" && !a.inCase[i] {
			if between {
				between = false
			} else {
				terms = append(terms, cur)
				cur = []int{}
				continue
			}
		}
		cur = append(cur, i)
	}
	terms = append(terms, cur)
	for _, term := range terms {
		// Only tokens directly at this level count: a term with a nested group is not a
		// plain equality of two operands.
		if len(term) == 0 {
			continue
		}
		eq := -1
		for k, i := range term {
			if a.toks[i].text == "=" {
				eq = k
				break
			}
		}
		if eq < 0 {
			continue
		}
		l, lok := a.operand(s, term[:eq], tenant)
		r, rok := a.operand(s, term[eq+1:], tenant)
		if lok && rok {
			a.union(l, r)
		}
	}
}

// operand reads one side of an equality: a tenant_id column (qualified or not) or the
// @tenant_id parameter (optionally cast to uuid). It returns the union-find node.
func (a *analysis) operand(s int, side []int, tenant map[string]bool) (int, bool) {
	var words []string
	for _, i := range side {
		if a.toks[i].kind == tParam {
			words = append(words, "@"+a.toks[i].text)
		} else {
			words = append(words, a.toks[i].text)
		}
	}
	if len(words) >= 2 && words[len(words)-2] == "::" && words[len(words)-1] == "uuid" {
		words = words[:len(words)-2]
	}
	switch {
	case len(words) == 1 && words[0] == "@tenant_id":
		return paramNode, true
	case len(words) == 1 && words[0] == "tenant_id":
		if r := a.resolve(s, "", tenant); r != nil {
			return r.node, true
		}
	case len(words) == 3 && words[1] == "." && words[2] == "tenant_id":
		if r := a.resolve(s, words[0], tenant); r != nil {
			return r.node, true
		}
	}
	return 0, false
}

// checkInsertValue joins an INSERT target to the parameter when the value it gets for
// tenant_id is @tenant_id, in every row of VALUES or in the SELECT list.
func (a *analysis) checkInsertValue(r *tableRef) error {
	idx := a.levelTokens(r.scope)
	k := 0
	for ; k < len(idx); k++ {
		if a.toks[idx[k]].text == "into" {
			break
		}
	}
	// Find the column list: the first "(" after the table name at this level.
	for k < len(idx) && a.toks[idx[k]].text != "(" {
		k++
	}
	if k == len(idx) {
		return fmt.Errorf("INSERT INTO %s: no column list", r.table)
	}
	cols := a.groupAt(idx[k])
	items := a.items(cols, a.gStart[cols]+1, a.gEnd[cols])
	col := -1
	for n, it := range items {
		if len(it) == 1 && a.toks[it[0]].text == "tenant_id" {
			col = n
		}
	}
	if col < 0 {
		return fmt.Errorf("INSERT INTO %s: tenant_id is not among the columns", r.table)
	}
	k++
	if k >= len(idx) {
		return fmt.Errorf("INSERT INTO %s: no VALUES or SELECT", r.table)
	}
	var rows [][][]int
	switch a.toks[idx[k]].text {
	case "values":
		for k++; k < len(idx) && a.toks[idx[k]].text == "("; k++ {
			g := a.groupAt(idx[k])
			rows = append(rows, a.items(g, a.gStart[g]+1, a.gEnd[g]))
			if k+1 < len(idx) && a.toks[idx[k+1]].text == "," {
				k++
			}
		}
	case "select":
		from := idx[k] + 1
		if a.toks[from].text == "distinct" {
			return fmt.Errorf("INSERT INTO %s ... SELECT DISTINCT: not read by this check", r.table)
		}
		end := len(a.toks)
		for _, i := range idx[k+1:] {
			if t := a.toks[i].text; t == "from" || t == "on" || t == "returning" || t == "where" {
				end = i
				break
			}
		}
		if g := a.group[idx[k]]; g > 0 && a.gEnd[g] < end {
			end = a.gEnd[g]
		}
		rows = append(rows, a.items(a.group[idx[k]], from, end))
	default:
		return fmt.Errorf("INSERT INTO %s: expected VALUES or SELECT after the columns", r.table)
	}
	if len(rows) == 0 {
		return fmt.Errorf("INSERT INTO %s: no rows", r.table)
	}
	for _, row := range rows {
		if col >= len(row) {
			return fmt.Errorf("INSERT INTO %s: fewer values than columns", r.table)
		}
		v := row[col]
		if len(v) == 3 && a.toks[v[1]].text == "::" && a.toks[v[2]].text == "uuid" {
			v = v[:1]
		}
		if len(v) != 1 || a.toks[v[0]].kind != tParam || a.toks[v[0]].text != "tenant_id" {
			return nil // not joined: reported as unrouted
		}
	}
	a.union(r.node, paramNode)
	return nil
}

// items splits the tokens of group g in [from, to) at the commas directly in g.
func (a *analysis) items(g, from, to int) [][]int {
	var out [][]int
	cur := []int{}
	for i := from; i < to; i++ {
		if a.group[i] == g && a.toks[i].text == "," {
			out = append(out, cur)
			cur = []int{}
			continue
		}
		cur = append(cur, i)
	}
	return append(out, cur)
}
