// Command gen writes the wire types of package vodapi from the VOD API
// schema. It is run by go generate in the vodapi directory:
//
//	go generate ./internal/vodapi
//
// Flags:
//
//	-schema  the schema JSON file (default: the shared spec, relative to this directory)
//	-out     the Go file to write (default: ../zz_generated.go)
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/openvod/openvod/internal/vodapi/internal/schemagen"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "vodapi/gen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	schemaPath := fs.String("schema", "../../../../shared/spec/vod-2018-07-17.schema.json", "schema JSON file to read")
	outPath := fs.String("out", "../zz_generated.go", "Go file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	schema, err := os.ReadFile(*schemaPath)
	if err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	src, err := schemagen.Generate(schema)
	if err != nil {
		return fmt.Errorf("generate from %s: %w", *schemaPath, err)
	}
	return writeFile(*outPath, src)
}

// writeFile replaces path with data through a temporary file in the same
// directory, so a failed run never leaves a truncated file behind.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
