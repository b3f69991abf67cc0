package main

import (
	"context"

	"github.com/openvod/openvod/bench/internal/benchkit"
)

// creds is the API key pair and account the server runs with.
// The shared pieces, under the names this program uses.
type (
	creds  = benchkit.Creds
	server = benchkit.Server
)

// serverParams are the options of startServer.
type serverParams struct {
	Bin     string
	DataDir string
	DB      string // --db: a SQLite path or a postgres:// URL
	Creds   creds
}

// startServer runs `openvod serve --role api` (no workers, no dispatcher:
// the PULL queue needs neither) on a free loopback port, without rate
// limits, and waits until it serves.
func startServer(ctx context.Context, p serverParams) (*server, error) {
	return benchkit.StartServer(ctx, p.Bin, p.Creds, "--data", p.DataDir, "--db", p.DB, "--no-rate-limit", "--role", "api")
}
