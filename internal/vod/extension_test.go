package vod

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openvod/openvod/internal/vodapi"
)

// The extension actions must not shadow an action of the API version, and
// their request and response types must be what the handlers take.
func TestExtensionActions(t *testing.T) {
	t.Parallel()
	names := map[string]bool{}
	for _, a := range vodapi.Actions() {
		names[a.Name] = true
	}
	for _, a := range ExtensionActions() {
		require.False(t, names[a.Name], "%s is an action of the API version", a.Name)
		require.NotNil(t, a.NewRequest())
		require.NotNil(t, a.NewResponse())
	}
	require.IsType(t, &ReduceMediaBitrateRequest{}, ExtensionActions()[0].NewRequest())
}
