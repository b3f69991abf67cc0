package vodapi_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openvod/openvod/internal/vodapi"
)

func TestPtrAndVal(t *testing.T) {
	t.Parallel()

	s := "x"
	p := vodapi.Ptr(s)
	require.Equal(t, "x", *p)
	*p = "y"
	require.Equal(t, "x", s, "Ptr must point to a copy")

	require.Equal(t, "y", vodapi.Val(p))
	require.Equal(t, "", vodapi.Val[string](nil))
	require.Equal(t, int64(0), vodapi.Val[int64](nil))
	require.Equal(t, uint64(7), vodapi.Val(vodapi.Ptr(uint64(7))))
	require.Nil(t, vodapi.Val[*vodapi.MediaBasicInfo](nil))
}
