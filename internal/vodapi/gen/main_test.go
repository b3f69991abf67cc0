package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunWritesGeneratedFile(t *testing.T) {
	t.Parallel()

	dir := t.TempDir()
	out := filepath.Join(dir, "zz_generated.go")
	require.NoError(t, run([]string{"-out", out}), "the default -schema must resolve from the gen directory")

	got, err := os.ReadFile(out)
	require.NoError(t, err)
	want, err := os.ReadFile("../zz_generated.go")
	require.NoError(t, err)
	require.True(t, bytes.Equal(got, want), "output differs from the committed ../zz_generated.go")

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file may be left behind")
}

func TestRunFailures(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"missing schema", []string{"-schema", filepath.Join(t.TempDir(), "none.json")}, "read schema"},
		{"extra argument", []string{"extra"}, "unexpected arguments"},
		{"unknown flag", []string{"-nope"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := run(append(tt.args, "-out", filepath.Join(t.TempDir(), "out.go")))
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}
