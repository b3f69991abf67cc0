// Package cli is the openvod command line: serve, call and version.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/openvod/openvod/internal/server"
)

// Version is the openvod version, set at build time with -ldflags.
var Version = "dev"

const usage = `openvod: a self-hosted media-processing service that speaks the Tencent Cloud VOD API.

Usage:
  openvod serve [flags]                 run the API, the workers and the media file server
  openvod call ACTION [--Param value | --json '{...}'] [--wait] [--endpoint URL]
                                        send one signed API call and print the response
  openvod version                       print the version

Run "openvod serve -h" for the server's flags.
`

// Main runs the command line and returns the exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) < 1 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "serve":
		cfg, err := server.Load(args[1:], os.Getenv, stderr)
		if err != nil {
			fmt.Fprintln(stderr, "openvod serve:", err)
			return 2
		}
		if err := server.Run(ctx, cfg, stdout, nil); err != nil {
			fmt.Fprintln(stderr, "openvod serve:", err)
			return 1
		}
		return 0
	case "call":
		return call(ctx, args[1:], os.Getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "openvod", Version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "openvod: unknown command %q\n\n%s", args[0], usage)
	return 2
}
