package vodapi_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openvod/openvod/internal/vodapi"
)

func TestActions(t *testing.T) {
	t.Parallel()

	actions := vodapi.Actions()
	require.Len(t, actions, 231)

	names := make([]string, len(actions))
	for i, a := range actions {
		names[i] = a.Name
	}
	require.True(t, slices.IsSorted(names), "action names are not sorted")
	require.Len(t, slices.Compact(slices.Clone(names)), len(names), "action names are not unique")

	for _, a := range actions {
		req, resp := a.NewRequest(), a.NewResponse()
		requirePtrToStruct(t, req, a.Name+"Request")
		requirePtrToStruct(t, resp, a.Name+"Response")
	}
}

func TestActionsReturnsAFreshSlice(t *testing.T) {
	t.Parallel()

	first := vodapi.Actions()
	first[0] = vodapi.Action{Name: "Changed"}
	require.Equal(t, "ApplyUpload", vodapi.Actions()[0].Name)
}

func TestRequiredTag(t *testing.T) {
	t.Parallel()

	typ := reflect.TypeFor[vodapi.DescribeTaskDetailRequest]()
	taskID, ok := typ.FieldByName("TaskId")
	require.True(t, ok)
	require.Equal(t, "required", taskID.Tag.Get("vod"))
	subAppID, ok := typ.FieldByName("SubAppId")
	require.True(t, ok)
	require.Empty(t, subAppID.Tag.Get("vod"))
}

// TestWireTypeShape walks every struct reachable from the action table and
// checks the rules the server relies on: each field's JSON name is its
// schema name without omitempty, every field is a pointer or a slice (so
// "unset" marshals as null), and no response declares RequestId.
func TestWireTypeShape(t *testing.T) {
	t.Parallel()

	seen := make(map[reflect.Type]bool)
	var walk func(typ reflect.Type)
	walk = func(typ reflect.Type) {
		if seen[typ] {
			return
		}
		seen[typ] = true
		for f := range typ.Fields() {
			tag := f.Tag.Get("json")
			require.NotEmpty(t, tag, "%s.%s has no json tag", typ.Name(), f.Name)
			require.NotContains(t, tag, ",", "%s.%s: json tag %q has options", typ.Name(), f.Name, tag)
			require.Equal(t, f.Name, tag, "%s.%s: json name differs from the Go name", typ.Name(), f.Name)

			ft := f.Type
			require.Contains(t, []reflect.Kind{reflect.Pointer, reflect.Slice}, ft.Kind(),
				"%s.%s is neither a pointer nor a slice", typ.Name(), f.Name)
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				walk(ft)
			}
		}
	}

	for _, a := range vodapi.Actions() {
		walk(reflect.TypeOf(a.NewRequest()).Elem())
		resp := reflect.TypeOf(a.NewResponse()).Elem()
		_, hasRequestID := resp.FieldByName("RequestId")
		require.False(t, hasRequestID, "%s declares RequestId", resp.Name())
		walk(resp)
	}
	require.Greater(t, len(seen), 462, "expected nested types besides the 462 requests and responses")
}

func requirePtrToStruct(t *testing.T, v any, wantName string) {
	t.Helper()
	typ := reflect.TypeOf(v)
	require.Equal(t, reflect.Pointer, typ.Kind(), "%s: not a pointer", wantName)
	require.Equal(t, reflect.Struct, typ.Elem().Kind(), "%s: not a pointer to a struct", wantName)
	require.Equal(t, wantName, typ.Elem().Name())
	require.Equal(t, reflect.TypeFor[vodapi.Action]().PkgPath(), typ.Elem().PkgPath())
	require.True(t, reflect.ValueOf(v).Elem().IsZero(), "%s: not a zero value", wantName)
}
