package vodapi_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	sdk "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"

	"github.com/openvod/openvod/internal/vodapi"
)

// TestFieldsAgreeWithOfficialSDK checks a set of structs against the
// official Go SDK (tencentcloud-sdk-go v1.0.162): every JSON field the SDK
// knows exists in our struct with the same wire kind (string, int64,
// uint64, float64, bool, named object, or a list of one of those). Our
// structs may have more fields, as the schema is newer than the SDK.
func TestFieldsAgreeWithOfficialSDK(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		ours reflect.Type
		sdk  reflect.Type
	}{
		{
			// SDK responses wrap their fields in a Response member and
			// include RequestId, which our response types leave to the envelope.
			name: "DescribeTaskDetailResponse",
			ours: reflect.TypeFor[vodapi.DescribeTaskDetailResponse](),
			sdk:  sdkResponseFields(t, reflect.TypeFor[sdk.DescribeTaskDetailResponse]()),
		},
		{name: "PullUploadTask", ours: reflect.TypeFor[vodapi.PullUploadTask](), sdk: reflect.TypeFor[sdk.PullUploadTask]()},
		{name: "MediaMetaData", ours: reflect.TypeFor[vodapi.MediaMetaData](), sdk: reflect.TypeFor[sdk.MediaMetaData]()},
		{name: "MediaBasicInfo", ours: reflect.TypeFor[vodapi.MediaBasicInfo](), sdk: reflect.TypeFor[sdk.MediaBasicInfo]()},
		{name: "ProcedureTask", ours: reflect.TypeFor[vodapi.ProcedureTask](), sdk: reflect.TypeFor[sdk.ProcedureTask]()},
		{name: "MediaProcessTaskTranscodeResult", ours: reflect.TypeFor[vodapi.MediaProcessTaskTranscodeResult](), sdk: reflect.TypeFor[sdk.MediaProcessTaskTranscodeResult]()},
		{name: "TaskSimpleInfo", ours: reflect.TypeFor[vodapi.TaskSimpleInfo](), sdk: reflect.TypeFor[sdk.TaskSimpleInfo]()},
		{name: "SubAppIdInfo", ours: reflect.TypeFor[vodapi.SubAppIdInfo](), sdk: reflect.TypeFor[sdk.SubAppIdInfo]()},
		{name: "EventContent", ours: reflect.TypeFor[vodapi.EventContent](), sdk: reflect.TypeFor[sdk.EventContent]()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			ours := jsonFields(tt.ours)
			sdkFields := jsonFields(tt.sdk)
			delete(sdkFields, "RequestId")
			require.NotEmpty(t, sdkFields, "no SDK fields found")

			for name, sdkType := range sdkFields {
				ourType, ok := ours[name]
				require.True(t, ok, "SDK field %s is missing from our %s", name, tt.name)
				require.Equal(t, wireKind(sdkType), wireKind(ourType), "kind of %s.%s", tt.name, name)
			}
		})
	}
}

// sdkResponseFields returns the struct type inside an SDK response's
// Response member.
func sdkResponseFields(t *testing.T, resp reflect.Type) reflect.Type {
	t.Helper()
	f, ok := resp.FieldByName("Response")
	require.True(t, ok, "%s has no Response member", resp.Name())
	inner := f.Type
	for inner.Kind() == reflect.Pointer {
		inner = inner.Elem()
	}
	require.Equal(t, reflect.Struct, inner.Kind())
	return inner
}

// jsonFields maps the JSON names of a struct's own (not embedded) fields
// to their types.
func jsonFields(typ reflect.Type) map[string]reflect.Type {
	fields := make(map[string]reflect.Type)
	for f := range typ.Fields() {
		if f.Anonymous || !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	return fields
}

// wireKind describes a field type by what it carries on the wire, ignoring
// pointers: *string and string are both "string", []*string and []string
// are both "list of string", and a struct is "object" plus its name.
func wireKind(typ reflect.Type) string {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch typ.Kind() {
	case reflect.Slice:
		return "list of " + wireKind(typ.Elem())
	case reflect.Struct:
		return "object " + typ.Name()
	default:
		return typ.Kind().String()
	}
}
