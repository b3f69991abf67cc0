// Command openvod is a self-hosted media-processing service that speaks the
// Tencent Cloud VOD API. See the README.
package main

import (
	"os"

	"github.com/openvod/openvod/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr)) }
