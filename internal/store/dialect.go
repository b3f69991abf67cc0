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

// stmtCache keeps prepared statements by their text.
type stmtCache struct {
	mu     sync.Mutex
	m      map[string]*sql.Stmt
	wanted map[string]bool // asked for inside a transaction, to prepare after it
}

func newStmtCache() *stmtCache {
	return &stmtCache{m: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

// lookup returns a prepared statement, or notes the text as wanted.
func (c *stmtCache) lookup(q string) (*sql.Stmt, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[q]; ok {
		return st, true
	}
	c.wanted[q] = true
	return nil, false
}

// prepareWanted prepares the statements lookup was asked for.
func (c *stmtCache) prepareWanted(ctx context.Context, db *sql.DB) {
	c.mu.Lock()
	var qs []string
	for q := range c.wanted {
		qs = append(qs, q)
	}
	clear(c.wanted)
	c.mu.Unlock()
	for _, q := range qs {
		c.get(ctx, db, q)
	}
}

// get returns the prepared statement for q, preparing it on db. The lock
// is not held while preparing: preparing waits for a connection, and a
// transaction holding one may need the cache meanwhile.
func (c *stmtCache) get(ctx context.Context, db *sql.DB, q string) (*sql.Stmt, error) {
	c.mu.Lock()
	st, ok := c.m[q]
	c.mu.Unlock()
	if ok {
		return st, nil
	}
	st, err := db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[q]; ok {
		st.Close()
		return prev, nil
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
