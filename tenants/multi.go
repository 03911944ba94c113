package tenants

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/aftersales/aftersales/internal/db"
)

// MultiInsert gathers the rows of one single-row INSERT ... VALUES statement (a sqlc :exec
// query, called once per row with the MultiInsert as its executor) and sends them as one
// multi-row INSERT: Send, or SendQuery for a statement with RETURNING.
//
// It is how the product inserts many rows of a tenant at once. Citus routes a multi-row
// INSERT whose rows share a tenant_id to that tenant's shard as one task; the bulk form
// INSERT ... SELECT unnest(...) is instead pulled to the coordinator and copied to the
// shards, which row-level security refuses ("COPY FROM not supported with row-level
// security"). PostgreSQL plans the statement once for all its rows.
//
// The statement's placeholders must all be in its VALUES list (not in ON CONFLICT ... DO
// UPDATE). The zero value is ready to use; a MultiInsert is used once.
type MultiInsert struct {
	prefix, row, suffix string // the statement around and in its VALUES list
	width               int    // placeholders per row
	args                []any
	rows                int
	err                 error
}

// maxMultiRows bounds the rows of one statement; PostgreSQL also takes at most 65535
// placeholders in one.
const (
	maxMultiRows         = 1000
	maxStatementArgCount = 65535
)

var placeholder = regexp.MustCompile(`\$(\d+)`)

// Exec records one row: sql is the single-row statement, args its values.
func (m *MultiInsert) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if m.err != nil {
		return pgconn.CommandTag{}, m.err
	}
	if m.rows == 0 {
		if m.err = m.parse(sql, len(args)); m.err != nil {
			return pgconn.CommandTag{}, m.err
		}
	} else if sql != m.prefix+m.row+m.suffix || len(args) != m.width {
		m.err = errors.New("tenants: MultiInsert rows of different statements")
		return pgconn.CommandTag{}, m.err
	}
	m.args = append(m.args, args...)
	m.rows++
	return pgconn.CommandTag{}, nil
}

var errMultiRead = errors.New("tenants: MultiInsert only gathers rows (Exec)")

// Query refuses: rows are gathered with Exec.
func (m *MultiInsert) Query(context.Context, string, ...any) (pgx.Rows, error) {
	return nil, errMultiRead
}

// QueryRow refuses: rows are gathered with Exec.
func (m *MultiInsert) QueryRow(context.Context, string, ...any) pgx.Row { return errRow{errMultiRead} }

// Len is the number of rows gathered.
func (m *MultiInsert) Len() int { return m.rows }

// parse splits sql around its one VALUES list and checks the placeholders.
func (m *MultiInsert) parse(sql string, width int) error {
	open, end, err := valuesList(sql)
	if err != nil {
		return err
	}
	if width == 0 || width > maxStatementArgCount {
		return fmt.Errorf("tenants: MultiInsert of a statement with %d placeholders", width)
	}
	m.prefix, m.row, m.suffix, m.width = sql[:open], sql[open:end], sql[end:], width
	if placeholder.MatchString(m.prefix) || placeholder.MatchString(m.suffix) {
		return errors.New("tenants: MultiInsert statement has placeholders outside its VALUES list")
	}
	seen := map[int]bool{}
	for _, p := range placeholder.FindAllStringSubmatch(m.row, -1) {
		n, _ := strconv.Atoi(p[1])
		if n < 1 || n > width {
			return fmt.Errorf("tenants: MultiInsert placeholder $%d of %d arguments", n, width)
		}
		seen[n] = true
	}
	if len(seen) != width {
		return fmt.Errorf("tenants: MultiInsert statement uses %d of its %d arguments in VALUES", len(seen), width)
	}
	return nil
}

// valuesList finds the parenthesised list after the statement's VALUES keyword: the index of
// its "(" and the index just past its ")". Quoted text and comments are skipped.
func valuesList(sql string) (open, end int, err error) {
	const kw = "VALUES"
	depth := 0
	for i := 0; i < len(sql); i++ {
		switch c := sql[i]; {
		case c == '\'' || c == '"':
			j := strings.IndexByte(sql[i+1:], c)
			if j < 0 {
				return 0, 0, errors.New("tenants: MultiInsert statement has an unterminated quote")
			}
			i += j + 1 // a doubled quote is two quoted runs in a row: same result
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				return 0, 0, errors.New("tenants: MultiInsert statement has no VALUES list")
			}
			i += j
		case c == '(':
			if open > 0 {
				depth++
			}
		case c == ')':
			if open > 0 {
				if depth == 0 {
					return open, i + 1, nil
				}
				depth--
			}
		case open == 0 && (c == 'V' || c == 'v') && len(sql) >= i+len(kw) && strings.EqualFold(sql[i:i+len(kw)], kw) &&
			(i == 0 || !isWord(sql[i-1])) && (len(sql) == i+len(kw) || !isWord(sql[i+len(kw)])):
			j := i + len(kw)
			for j < len(sql) && (sql[j] == ' ' || sql[j] == '\n' || sql[j] == '\t' || sql[j] == '\r') {
				j++
			}
			if j == len(sql) || sql[j] != '(' {
				return 0, 0, errors.New("tenants: MultiInsert statement's VALUES is not followed by a list")
			}
			open, i = j, j
		}
	}
	return 0, 0, errors.New("tenants: MultiInsert statement has no VALUES list")
}

func isWord(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// perStatement is how many rows one statement takes (once a row is gathered).
func (m *MultiInsert) perStatement() int {
	return min(maxMultiRows, maxStatementArgCount/max(m.width, 1))
}

// statement is the multi-row INSERT of rows [from, to).
func (m *MultiInsert) statement(from, to int) string {
	var b strings.Builder
	b.WriteString(m.prefix)
	for r := from; r < to; r++ {
		if r > from {
			b.WriteString(", ")
		}
		shift := (r - from) * m.width
		b.WriteString(placeholder.ReplaceAllStringFunc(m.row, func(p string) string {
			n, _ := strconv.Atoi(p[1:])
			return "$" + strconv.Itoa(n+shift)
		}))
	}
	b.WriteString(m.suffix)
	return b.String()
}

// Send inserts the rows gathered on q (a transaction, or tx.Later() to queue them for its
// commit), in as few statements as the placeholder limit allows, and reports how many rows
// they inserted. No rows: nothing is sent.
func (m *MultiInsert) Send(ctx context.Context, q db.DBTX) (int64, error) {
	if m.err != nil || m.rows == 0 {
		return 0, m.err
	}
	var n int64
	step := m.perStatement()
	for from := 0; from < m.rows; from += step {
		to := min(from+step, m.rows)
		tag, err := q.Exec(ctx, m.statement(from, to), m.args[from*m.width:to*m.width]...)
		if err != nil {
			return n, err
		}
		n += tag.RowsAffected()
	}
	return n, nil
}

// SendQuery inserts the rows gathered with one statement with RETURNING and gives its rows.
// The rows must fit in one statement.
func (m *MultiInsert) SendQuery(ctx context.Context, q db.DBTX) (pgx.Rows, error) {
	switch {
	case m.err != nil:
		return nil, m.err
	case m.rows == 0:
		return nil, errors.New("tenants: MultiInsert.SendQuery without rows")
	case m.rows > m.perStatement():
		return nil, fmt.Errorf("tenants: MultiInsert.SendQuery of %d rows, more than one statement takes", m.rows)
	}
	return q.Query(ctx, m.statement(0, m.rows), m.args...)
}
