package tcapi

import (
	"encoding/json"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// kitchenSink exercises every field kind the decoder knows.
type kitchenSink struct {
	Str     *string            `json:"Str" vod:"required"`
	Int     *int64             `json:"Int"`
	Int8    int8               `json:"Int8"`
	Uint    *uint64            `json:"Uint"`
	Float   *float64           `json:"Float"`
	Float32 float32            `json:"Float32"`
	Bool    *bool              `json:"Bool"`
	Strs    []string           `json:"Strs"`
	PStrs   []*string          `json:"PStrs"`
	Ints    []int64            `json:"Ints"`
	Uints   []uint64           `json:"Uints"`
	Floats  []float64          `json:"Floats"`
	Nested  *sinkNested        `json:"Nested"`
	Items   []*sinkNested      `json:"Items"`
	Value   sinkNested         `json:"Value"`
	Matrix  [][]int64          `json:"Matrix"`
	When    *time.Time         `json:"When"`
	Labels  map[string]string  `json:"Labels"`
	Raw     json.RawMessage    `json:"Raw"`
	Any     any                `json:"Any"`
	Skipped string             `json:"-"`
	Self    *kitchenSink       `json:"Self"`
	Bytes   []byte             `json:"Bytes"`
	ByName  map[string]float64 `json:"ByName"`
	sinkEmbedded
	hidden string //nolint:unused // must be ignored
}

type sinkNested struct {
	Id   *uint64  `json:"Id" vod:"required"`
	Tags []string `json:"Tags"`
}

type sinkEmbedded struct {
	Promoted *string `json:"Promoted"`
	Str      *string `json:"Str"` // shadowed by kitchenSink.Str
}

func sinkSchema() *typeSchema {
	return buildSchema(reflect.TypeFor[kitchenSink](), map[reflect.Type]*typeSchema{})
}

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	root := sinkSchema()
	tests := []struct {
		name string
		body string
		want *kitchenSink
		code string
		msg  string
	}{
		{name: "minimal", body: `{"Str":"a"}`, want: &kitchenSink{Str: ptr("a")}},
		{name: "empty body", body: ``, code: CodeMissingParameter, msg: "Str"},
		{name: "all kinds", body: `{"Str":"a","Int":-7,"Int8":127,"Uint":18446744073709551615,"Float":1.25,"Float32":2,"Bool":true,
			"Strs":["x"],"PStrs":["y",null],"Ints":[1,"2"],"Uints":[3],"Floats":[0.5],"Nested":{"Id":1,"Tags":[]},
			"Items":[{"Id":2},null,{"Id":3}],"Value":{"Id":4},"Matrix":[[1],[2,3]],"When":"2024-01-02T03:04:05Z",
			"Labels":{"k":"v"},"Raw":{"z":[1]},"Any":[1,"a"],"Promoted":"p","Bytes":"aGk=","ByName":{"a":1}}`,
			want: &kitchenSink{Str: ptr("a"), Int: ptr(int64(-7)), Int8: 127, Uint: ptr(uint64(18446744073709551615)), Float: ptr(1.25),
				Float32: 2, Bool: ptr(true), Strs: []string{"x"}, PStrs: []*string{ptr("y")}, Ints: []int64{1, 2}, Uints: []uint64{3},
				Floats: []float64{0.5}, Nested: &sinkNested{Id: ptr(uint64(1)), Tags: []string{}},
				Items: []*sinkNested{{Id: ptr(uint64(2))}, {Id: ptr(uint64(3))}}, Value: sinkNested{Id: ptr(uint64(4))},
				Matrix: [][]int64{{1}, {2, 3}}, When: ptr(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)),
				Labels: map[string]string{"k": "v"}, Raw: json.RawMessage(`{"z":[1]}`), Any: []any{1.0, "a"},
				sinkEmbedded: sinkEmbedded{Promoted: ptr("p")}, Bytes: []byte("hi"), ByName: map[string]float64{"a": 1}}},
		{name: "integral float into int", body: `{"Str":"a","Int":10.0,"Uint":1e3}`, want: &kitchenSink{Str: ptr("a"), Int: ptr(int64(10)), Uint: ptr(uint64(1000))}},
		{name: "integer into string", body: `{"Str":12345}`, want: &kitchenSink{Str: ptr("12345")}},
		{name: "big integer into string", body: `{"Str":5285890784246869930}`, code: CodeInvalidParameter, msg: "Str must be a string"},
		{name: "float into string", body: `{"Str":1.5}`, code: CodeInvalidParameter, msg: "Str must be a string"},
		{name: "empty string number is absent", body: `{"Str":"a","Int":"","Bool":""}`, want: &kitchenSink{Str: ptr("a")}},
		{name: "float into int", body: `{"Str":"a","Int":1.5}`, code: CodeInvalidParameter, msg: "Int must be an integer"},
		{name: "int8 overflow", body: `{"Str":"a","Int8":128}`, code: CodeInvalidParameter, msg: "Int8 is out of range"},
		{name: "float32 overflow", body: `{"Str":"a","Float32":1e300}`, code: CodeInvalidParameter, msg: "Float32 is out of range"},
		{name: "NaN string", body: `{"Str":"a","Float":"NaN"}`, code: CodeInvalidParameter, msg: "Float must be a number"},
		{name: "bool string", body: `{"Str":"a","Bool":"yes"}`, code: CodeInvalidParameter, msg: "Bool must be a boolean"},
		{name: "object for list", body: `{"Str":"a","Strs":{}}`, code: CodeInvalidParameter, msg: "Strs must be an array"},
		{name: "list for object", body: `{"Str":"a","Nested":[]}`, code: CodeInvalidParameter, msg: "Nested must be an object"},
		{name: "nested required", body: `{"Str":"a","Items":[{"Id":1},{"Tags":["t"]}]}`, code: CodeMissingParameter, msg: "Items.1.Id"},
		{name: "value struct required", body: `{"Str":"a","Value":{}}`, code: CodeMissingParameter, msg: "Value.Id"},
		{name: "recursive", body: `{"Str":"a","Self":{"Str":"b","Self":{"Int":1}}}`, code: CodeMissingParameter, msg: "Self.Self.Str"},
		{name: "unknown reported in order", body: `{"Str":"a","Zed":1,"Alpha":2}`, code: CodeUnknownParameter, msg: "Alpha"},
		{name: "skipped field is unknown", body: `{"Str":"a","Skipped":"x"}`, code: CodeUnknownParameter, msg: "Skipped"},
		{name: "hidden field is unknown", body: `{"Str":"a","hidden":"x"}`, code: CodeUnknownParameter, msg: "hidden"},
		{name: "case sensitive", body: `{"str":"a"}`, code: CodeUnknownParameter, msg: "str"},
		{name: "bad time", body: `{"Str":"a","When":"yesterday"}`, code: CodeInvalidParameter, msg: "When is invalid"},
		{name: "matrix element", body: `{"Str":"a","Matrix":[[1],[2,"x"]]}`, code: CodeInvalidParameter, msg: "Matrix.1.1 must be an integer"},
		{name: "string", body: `"a"`, code: CodeInvalidParameter, msg: "JSON object"},
		{name: "null", body: `null`, code: CodeInvalidParameter, msg: "JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := decoder{}.decodeJSON([]byte(tt.body), root)
			if tt.code != "" {
				require.NotNil(t, err)
				require.Equal(t, tt.code, err.Code, err.Message)
				require.Contains(t, err.Message, tt.msg)
				return
			}
			require.Nil(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestDecodeJSONAllowUnknown(t *testing.T) {
	t.Parallel()
	got, err := decoder{allowUnknown: true}.decodeJSON([]byte(`{"Str":"a","New":{"x":1},"Nested":{"Id":1,"Later":true}}`), sinkSchema())
	require.Nil(t, err)
	require.Equal(t, &kitchenSink{Str: ptr("a"), Nested: &sinkNested{Id: ptr(uint64(1))}}, got)
}

func TestDecodeFlat(t *testing.T) {
	t.Parallel()
	root := sinkSchema()
	tests := []struct {
		name  string
		query string
		want  *kitchenSink
		code  string
		msg   string
	}{
		{name: "numbers by schema", query: "Str=10&Int=10&Uint=10&Float=10&Bool=true&Strs.0=10",
			want: &kitchenSink{Str: ptr("10"), Int: ptr(int64(10)), Uint: ptr(uint64(10)), Float: ptr(10.0), Bool: ptr(true), Strs: []string{"10"}}},
		{name: "nested and lists", query: "Str=a&Nested.Id=1&Nested.Tags.0=x&Nested.Tags.1=y&Items.1.Id=3&Items.0.Id=2&Items.0.Tags.0=t&Matrix.0.0=5&Value.Id=9",
			want: &kitchenSink{Str: ptr("a"), Nested: &sinkNested{Id: ptr(uint64(1)), Tags: []string{"x", "y"}},
				Items: []*sinkNested{{Id: ptr(uint64(2)), Tags: []string{"t"}}, {Id: ptr(uint64(3))}}, Matrix: [][]int64{{5}}, Value: sinkNested{Id: ptr(uint64(9))}}},
		{name: "gaps close up", query: "Str=a&Ints.3=3&Ints.1=1", want: &kitchenSink{Str: ptr("a"), Ints: []int64{1, 3}}},
		{name: "common params skipped", query: "Str=a&Action=X&Version=v&Signature=s&SecretId=i&Nonce=1&Timestamp=1&Region=&Language=zh-CN&RequestClient=c&SignatureMethod=HmacSHA1&Token=t",
			want: &kitchenSink{Str: ptr("a")}},
		{name: "promoted", query: "Str=a&Promoted=p", want: &kitchenSink{Str: ptr("a"), sinkEmbedded: sinkEmbedded{Promoted: ptr("p")}}},
		{name: "time via json", query: "Str=a&When=2024-01-02T03:04:05Z", want: &kitchenSink{Str: ptr("a"), When: ptr(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))}},
		{name: "unknown", query: "Str=a&Foo=1", code: CodeUnknownParameter, msg: "Foo"},
		{name: "unknown nested", query: "Str=a&Nested.Foo=1", code: CodeUnknownParameter, msg: "Nested.Foo"},
		{name: "below scalar", query: "Str=a&Int.X=1", code: CodeUnknownParameter, msg: "Int.X"},
		{name: "not a number", query: "Str=a&Int=ten", code: CodeInvalidParameter, msg: "Int must be an integer"},
		{name: "negative uint", query: "Str=a&Uint=-1", code: CodeInvalidParameter, msg: "Uint must be a non-negative integer"},
		{name: "bad index", query: "Str=a&Ints.x=1", code: CodeInvalidParameter, msg: "Ints.x"},
		{name: "huge index", query: "Str=a&Ints.99999999=1", code: CodeInvalidParameter, msg: "Ints.99999999"},
		{name: "scalar for list", query: "Str=a&Ints=1", code: CodeInvalidParameter, msg: "Ints must be an array"},
		{name: "scalar for struct", query: "Str=a&Nested=1", code: CodeInvalidParameter, msg: "Nested must be an object"},
		{name: "conflict", query: "Str=a&Nested=1&Nested.Id=2", code: CodeInvalidParameter, msg: "conflicts"},
		{name: "same index twice", query: "Str=a&Ints.1=1&Ints.01=2", code: CodeInvalidParameter, msg: "conflicts"},
		{name: "missing required", query: "Int=1", code: CodeMissingParameter, msg: "Str"},
		{name: "nested required", query: "Str=a&Items.0.Tags.0=x", code: CodeMissingParameter, msg: "Items.0.Id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			params, perr := url.ParseQuery(tt.query)
			require.NoError(t, perr)
			got, err := decoder{}.decodeFlat(params, root)
			if tt.code != "" {
				require.NotNil(t, err)
				require.Equal(t, tt.code, err.Code, err.Message)
				require.Contains(t, err.Message, tt.msg)
				return
			}
			require.Nil(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		`{"Str":"a"}`, ``, `null`, `[]`, `{"Str":1e400}`, `{"Int":"9223372036854775808"}`,
		`{"Str":"a","Items":[{"Id":2},null,{"Id":-1}],"Matrix":[[1],[2,"x"]],"Self":{"Self":{}}}`,
		`{"Str":"a","When":"2024-01-02T03:04:05Z","Labels":{"k":1},"Bytes":"!!","Float32":1e39}`,
		`{"Str":"a","Uint":-0,"Int":0x10,"Float":"Inf","Bool":"1"}`, `{"Str":"a"} x`,
	} {
		f.Add([]byte(seed))
	}
	root := sinkSchema()
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, d := range []decoder{{}, {allowUnknown: true}} {
			v, err := d.decodeJSON(body, root)
			if err == nil {
				require.IsType(t, &kitchenSink{}, v)
			} else {
				require.NotEmpty(t, err.Code)
			}
		}
	})
}

func FuzzDecodeFlat(f *testing.F) {
	for _, seed := range []string{
		"Str=a", "Str=a&Items.0.Id=1&Items.1.Tags.0=x", "Matrix.0.0=1&Matrix.0=2", "Self.Self.Self.Str=x",
		"Ints.0000001=1", "Nested.Id.0=1", "Str=%zz", ".=.", "Str.=a&Str..=b", "Value.Id=-1&Uint=1e3&Float=NaN",
	} {
		f.Add(seed)
	}
	root := sinkSchema()
	f.Fuzz(func(t *testing.T, query string) {
		params, perr := url.ParseQuery(query)
		if perr != nil {
			return
		}
		for _, d := range []decoder{{}, {allowUnknown: true}} {
			v, err := d.decodeFlat(params, root)
			if err == nil {
				require.IsType(t, &kitchenSink{}, v)
			} else {
				require.NotEmpty(t, err.Code)
			}
		}
	})
}

func FuzzParseTC3Authorization(f *testing.F) {
	f.Add("TC3-HMAC-SHA256 Credential=AKID/2024-01-02/vod/tc3_request, SignedHeaders=content-type;host, Signature=" +
		"c5369a9cb8247561a0bba87d72782f888a75961e3143a5d0f867eea832880215")
	f.Add("TC3-HMAC-SHA256 Credential=a/b/c/tc3_request,Credential=x")
	f.Add("TC3-HMAC-SHA256 ,,,=")
	f.Fuzz(func(t *testing.T, h string) {
		a, err := parseTC3Authorization(h)
		if err != nil {
			require.Equal(t, CodeAuthFailureInvalidAuthorization, err.Code)
			return
		}
		require.NotEmpty(t, a.secretID)
		require.NotEmpty(t, a.service)
	})
}
