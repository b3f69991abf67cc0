package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// dialect holds what differs between SQLite and PostgreSQL.
type dialect interface {
	name() string
	// rebind turns "?" placeholders into the dialect's form.
	rebind(q string) string
	// skipLocked is appended to the row-locking subquery that claims a task.
	skipLocked() string
}

type sqliteDialect struct{}

func (sqliteDialect) name() string           { return "sqlite" }
func (sqliteDialect) rebind(q string) string { return q }

// SQLite has a single writer, so the claiming UPDATE is already exclusive.
func (sqliteDialect) skipLocked() string { return "" }

type postgresDialect struct{}

func (postgresDialect) name() string       { return "postgres" }
func (postgresDialect) skipLocked() string { return " FOR UPDATE SKIP LOCKED" }

func (postgresDialect) rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// stmtCache keeps prepared read statements by their text.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func newStmtCache() *stmtCache { return &stmtCache{m: map[string]*sql.Stmt{}} }

func (c *stmtCache) get(ctx context.Context, db *sql.DB, q string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[q]; ok {
		return st, nil
	}
	st, err := db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.m[q] = st
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = map[string]*sql.Stmt{}
}
