package schemagen_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openvod/openvod/internal/vodapi/internal/schemagen"
)

// member builds one schema member.
type member struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Member   string `json:"member"`
	Required bool   `json:"required,omitempty"`
	Disabled bool   `json:"disabled,omitempty"`
}

// fixture is a small schema; setup fills in a valid one that tests modify.
type fixture struct {
	Service string                       `json:"service"`
	Version string                       `json:"version"`
	Actions map[string]map[string]string `json:"actions"`
	Objects map[string]map[string]any    `json:"objects"`
}

func setup() *fixture {
	f := &fixture{
		Service: "vod",
		Version: "2018-07-17",
		Actions: map[string]map[string]string{},
		Objects: map[string]map[string]any{},
	}
	f.action("GetThing",
		[]member{{Name: "ThingId", Type: "string", Member: "string", Required: true}},
		[]member{
			{Name: "Thing", Type: "object", Member: "Thing"},
			{Name: "RequestId", Type: "string", Member: "string"},
		})
	f.object("Thing", []member{
		{Name: "Name", Type: "string", Member: "string"},
		{Name: "RequestId", Type: "string", Member: "string"},
	})
	return f
}

func (f *fixture) action(name string, input, output []member) {
	f.Actions[name] = map[string]string{"input": name + "Request", "output": name + "Response", "status": "online"}
	f.object(name+"Request", input)
	f.object(name+"Response", output)
}

func (f *fixture) object(name string, members []member) {
	if members == nil {
		members = []member{}
	}
	f.Objects[name] = map[string]any{"type": "object", "members": members}
}

func (f *fixture) generate(t *testing.T) ([]byte, error) {
	t.Helper()
	data, err := json.Marshal(f)
	require.NoError(t, err)
	return schemagen.Generate(data)
}

// field is a generated struct field as read back from the source.
type field struct {
	Type string
	Tag  string
}

// parseStructs parses generated source and returns each struct's fields
// by Go name.
func parseStructs(t *testing.T, src []byte) map[string]map[string]field {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "zz_generated.go", src, parser.ParseComments)
	require.NoError(t, err)
	structs := make(map[string]map[string]field)
	ast.Inspect(file, func(n ast.Node) bool {
		spec, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		st, ok := spec.Type.(*ast.StructType)
		if !ok {
			return true
		}
		fields := make(map[string]field)
		for _, f := range st.Fields.List {
			var tag string
			if f.Tag != nil {
				var err error
				tag, err = strconv.Unquote(f.Tag.Value)
				require.NoError(t, err)
			}
			for _, name := range f.Names {
				fields[name.Name] = field{Type: exprString(f.Type), Tag: tag}
			}
		}
		structs[spec.Name.Name] = fields
		return false
	})
	return structs
}

func exprString(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.StarExpr:
		return "*" + exprString(e.X)
	case *ast.ArrayType:
		return "[]" + exprString(e.Elt)
	default:
		return reflect.TypeOf(e).String()
	}
}

func TestGenerateMapsMemberTypes(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name   string
		member member
		want   field
	}{
		{"string", member{Name: "A", Type: "string", Member: "string"}, field{"*string", `json:"A"`}},
		{"datetime", member{Name: "A", Type: "string", Member: "datetime_iso"}, field{"*string", `json:"A"`}},
		{"int64", member{Name: "A", Type: "int", Member: "int64"}, field{"*int64", `json:"A"`}},
		{"uint64", member{Name: "A", Type: "int", Member: "uint64"}, field{"*uint64", `json:"A"`}},
		{"float", member{Name: "A", Type: "float", Member: "float"}, field{"*float64", `json:"A"`}},
		{"bool", member{Name: "A", Type: "bool", Member: "bool"}, field{"*bool", `json:"A"`}},
		{"object", member{Name: "A", Type: "object", Member: "Thing"}, field{"*Thing", `json:"A"`}},
		{"list of string", member{Name: "A", Type: "list", Member: "string"}, field{"[]string", `json:"A"`}},
		{"list of int64", member{Name: "A", Type: "list", Member: "int64"}, field{"[]int64", `json:"A"`}},
		{"list of uint64", member{Name: "A", Type: "list", Member: "uint64"}, field{"[]uint64", `json:"A"`}},
		{"list of float", member{Name: "A", Type: "list", Member: "float"}, field{"[]float64", `json:"A"`}},
		{"list of object", member{Name: "A", Type: "list", Member: "Thing"}, field{"[]*Thing", `json:"A"`}},
		{"required", member{Name: "A", Type: "string", Member: "string", Required: true}, field{"*string", `json:"A" vod:"required"`}},
		{"disabled", member{Name: "A", Type: "int", Member: "int64", Disabled: true}, field{"*int64", `json:"A"`}},
		{"keyword name", member{Name: "type", Type: "string", Member: "string"}, field{"*string", `json:"type"`}},
		{"lower-case name", member{Name: "fileId", Type: "string", Member: "string"}, field{"*string", `json:"fileId"`}},
		{"digit first", member{Name: "1080p", Type: "string", Member: "string"}, field{"*string", `json:"1080p"`}},
		{"punctuation", member{Name: "Sub-App.Id", Type: "string", Member: "string"}, field{"*string", `json:"Sub-App.Id"`}},
	}
	wantGoName := map[string]string{"type": "Type", "fileId": "FileId", "1080p": "X1080p", "Sub-App.Id": "Sub_App_Id"}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			f := setup()
			f.object("Holder", []member{tt.member})
			src, err := f.generate(t)
			require.NoError(t, err)

			goName := tt.member.Name
			if n, ok := wantGoName[goName]; ok {
				goName = n
			}
			got := parseStructs(t, src)["Holder"]
			require.Equal(t, map[string]field{goName: tt.want}, got)
		})
	}
}

func TestGenerateDropsRequestIDFromResponsesOnly(t *testing.T) {
	t.Parallel()

	src, err := setup().generate(t)
	require.NoError(t, err)
	structs := parseStructs(t, src)

	require.Equal(t, map[string]field{"Thing": {"*Thing", `json:"Thing"`}}, structs["GetThingResponse"])
	require.Contains(t, structs["Thing"], "RequestId", "a nested object keeps its RequestId member")
	require.Equal(t, map[string]field{"ThingId": {"*string", `json:"ThingId" vod:"required"`}}, structs["GetThingRequest"])
}

func TestGenerateOutput(t *testing.T) {
	t.Parallel()

	f := setup()
	f.action("AddThing", nil, nil)
	src, err := f.generate(t)
	require.NoError(t, err)
	text := string(src)

	require.True(t, strings.HasPrefix(text, schemagen.Header+"\n"))
	require.Contains(t, text, "type AddThingRequest struct{}")
	require.Contains(t, text, "// GetThingResponse is the wire type GetThingResponse of the VOD API.\n// It holds the result of action GetThing.")
	require.Contains(t, text, "// GetThingRequest is the wire type GetThingRequest of the VOD API.\n// It holds the parameters of action GetThing.")
	require.Contains(t, text, "// Thing is the wire type Thing of the VOD API.\ntype Thing struct")

	add := strings.Index(text, `{Name: "AddThing"`)
	get := strings.Index(text, `{Name: "GetThing"`)
	require.Positive(t, add)
	require.Less(t, add, get, "actions are sorted by name")

	again, err := f.generate(t)
	require.NoError(t, err)
	require.Equal(t, src, again, "output must be deterministic")
}

func TestGenerateRejects(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		modify  func(f *fixture)
		wantErr string
	}{
		{
			name:    "unknown scalar pair",
			modify:  func(f *fixture) { f.object("Thing", []member{{Name: "A", Type: "int", Member: "int32"}}) },
			wantErr: `object Thing: member A: unsupported type ("int", "int32")`,
		},
		{
			name:    "unknown object",
			modify:  func(f *fixture) { f.object("Thing", []member{{Name: "A", Type: "object", Member: "Nope"}}) },
			wantErr: `object Thing: member A: unknown object "Nope"`,
		},
		{
			name:    "unknown list element",
			modify:  func(f *fixture) { f.object("Thing", []member{{Name: "A", Type: "list", Member: "Nope"}}) },
			wantErr: `object Thing: member A: list of unknown type "Nope"`,
		},
		{
			name:    "unexported object name",
			modify:  func(f *fixture) { f.object("thing", nil) },
			wantErr: `object "thing": name is not an exported Go identifier`,
		},
		{
			name:    "reserved object name",
			modify:  func(f *fixture) { f.object("Actions", nil) },
			wantErr: "object Actions: name clashes",
		},
		{
			name: "members mapping to one field",
			modify: func(f *fixture) {
				f.object("Thing", []member{{Name: "a-b", Type: "bool", Member: "bool"}, {Name: "a_b", Type: "bool", Member: "bool"}})
			},
			wantErr: `object Thing: members "a-b" and "a_b" both map to Go field A_b`,
		},
		{
			name:    "member name json cannot use",
			modify:  func(f *fixture) { f.object("Thing", []member{{Name: `A"B`, Type: "bool", Member: "bool"}}) },
			wantErr: `object Thing: member "A\"B" cannot be a JSON field name`,
		},
		{
			name:    "missing action object",
			modify:  func(f *fixture) { delete(f.Objects, "GetThingResponse") },
			wantErr: `action GetThing: unknown object "GetThingResponse"`,
		},
		{
			name: "shared action object",
			modify: func(f *fixture) {
				f.Actions["PutThing"] = map[string]string{"input": "GetThingRequest", "output": "Thing"}
			},
			wantErr: "action PutThing: object GetThingRequest is already used by action GetThing",
		},
		{
			name: "nested response",
			modify: func(f *fixture) {
				f.object("Thing", []member{{Name: "Inner", Type: "list", Member: "GetThingResponse"}})
			},
			wantErr: "object Thing: member Inner uses GetThingResponse, the output of action GetThing",
		},
		{
			name:    "no version",
			modify:  func(f *fixture) { f.Version = "" },
			wantErr: "schema has no service or version",
		},
		{
			name:    "no actions",
			modify:  func(f *fixture) { f.Actions = nil },
			wantErr: "schema has no actions",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			f := setup()
			tt.modify(f)
			_, err := f.generate(t)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestGenerateRejectsMalformedJSON(t *testing.T) {
	t.Parallel()

	_, err := schemagen.Generate([]byte(`{"actions":`))
	require.ErrorContains(t, err, "parse schema")
}
