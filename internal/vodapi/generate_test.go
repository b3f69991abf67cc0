package vodapi_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openvod/openvod/internal/vodapi"
	"github.com/openvod/openvod/internal/vodapi/internal/schemagen"
)

// schemaPath is the shared API schema, relative to this package's directory
// (where go test runs). It matches the path in doc.go's go:generate line.
const schemaPath = "../../../shared/spec/vod-2018-07-17.schema.json"

func TestGeneratedFileIsUpToDate(t *testing.T) {
	t.Parallel()

	schema, err := os.ReadFile(schemaPath)
	require.NoError(t, err)
	want, err := schemagen.Generate(schema)
	require.NoError(t, err)
	got, err := os.ReadFile("zz_generated.go")
	require.NoError(t, err)

	if !bytes.Equal(got, want) {
		line, gotLine, wantLine := firstDiff(got, want)
		t.Fatalf("zz_generated.go is stale; run `go generate ./internal/vodapi`.\nfirst difference at line %d:\n  committed: %q\n  generated: %q",
			line, gotLine, wantLine)
	}
}

func TestSchemaMatchesConstants(t *testing.T) {
	t.Parallel()

	schema, err := os.ReadFile(schemaPath)
	require.NoError(t, err)
	var head struct {
		Service string `json:"service"`
		Version string `json:"version"`
	}
	require.NoError(t, json.Unmarshal(schema, &head))
	require.Equal(t, vodapi.Service, head.Service)
	require.Equal(t, vodapi.Version, head.Version)
}

// firstDiff returns the 1-based number of the first line where a and b
// differ, and that line of each.
func firstDiff(a, b []byte) (int, string, string) {
	al, bl := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; ; i++ {
		var x, y []byte
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if !bytes.Equal(x, y) || i >= len(al) || i >= len(bl) {
			return i + 1, string(x), string(y)
		}
	}
}
