package tcapi

import (
	"bytes"
	"encoding"
	"encoding/json"
	"io"
	"math"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// kind is how a request field is decoded.
type kind uint8

const (
	kindAny    kind = iota // anything else: handed to encoding/json
	kindString             // string
	kindBool               // bool
	kindInt                // int, int8 … int64
	kindUint               // uint, uint8 … uint64
	kindFloat              // float32, float64
	kindStruct             // struct: an object, or Key.Sub when flattened
	kindSlice              // slice: an array, or Key.N when flattened
)

// typeSchema describes how to decode one Go type of a request struct.
type typeSchema struct {
	kind kind
	typ  reflect.Type // the declared type
	ptr  bool         // typ is a pointer to base
	base reflect.Type

	fields []*fieldSchema          // kindStruct, in declaration order
	byName map[string]*fieldSchema // kindStruct, by JSON name
	elem   *typeSchema             // kindSlice
}

// fieldSchema is one JSON-visible struct field.
type fieldSchema struct {
	name     string // JSON name: the API's parameter name
	index    []int  // reflect index path, through embedded structs
	required bool   // tagged vod:"required"
	schema   *typeSchema
}

var (
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// buildSchema returns the schema of t, sharing entries through seen so that
// recursive types terminate.
func buildSchema(t reflect.Type, seen map[reflect.Type]*typeSchema) *typeSchema {
	if ts := seen[t]; ts != nil {
		return ts
	}
	ts := &typeSchema{typ: t, base: t}
	seen[t] = ts
	if t.Kind() == reflect.Pointer {
		ts.ptr, ts.base = true, t.Elem()
	}
	b := ts.base
	if reflect.PointerTo(b).Implements(jsonUnmarshalerType) || reflect.PointerTo(b).Implements(textUnmarshalerType) {
		return ts // kindAny: the type decodes itself
	}
	switch b.Kind() {
	case reflect.String:
		ts.kind = kindString
	case reflect.Bool:
		ts.kind = kindBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		ts.kind = kindInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		ts.kind = kindUint
	case reflect.Float32, reflect.Float64:
		ts.kind = kindFloat
	case reflect.Struct:
		ts.kind = kindStruct
		ts.byName = make(map[string]*fieldSchema)
		ts.addFields(b, nil, seen, map[reflect.Type]bool{b: true})
	case reflect.Slice:
		if b.Elem().Kind() == reflect.Uint8 {
			return ts // []byte: base64 as encoding/json does
		}
		ts.kind = kindSlice
		ts.elem = buildSchema(b.Elem(), seen)
	}
	return ts
}

// addFields adds the fields of struct t (reached through index) to ts.
// Direct fields win over fields promoted from embedded structs.
func (ts *typeSchema) addFields(t reflect.Type, index []int, seen map[reflect.Type]*typeSchema, embedding map[reflect.Type]bool) {
	type embedded struct {
		t     reflect.Type
		index []int
	}
	var promote []embedded
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		idx := append(slices.Clip(index), i)
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
				if !f.IsExported() {
					continue // cannot be allocated through reflection
				}
			}
			if et.Kind() == reflect.Struct {
				if !embedding[et] {
					promote = append(promote, embedded{et, idx})
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if ts.byName[name] != nil {
			continue
		}
		fs := &fieldSchema{
			name:     name,
			index:    idx,
			required: hasRequiredTag(f.Tag),
			schema:   buildSchema(f.Type, seen),
		}
		ts.fields = append(ts.fields, fs)
		ts.byName[name] = fs
	}
	for _, e := range promote {
		embedding[e.t] = true
		ts.addFields(e.t, e.index, seen, embedding)
		delete(embedding, e.t)
	}
}

func hasRequiredTag(tag reflect.StructTag) bool {
	for opt := range strings.SplitSeq(tag.Get("vod"), ",") {
		if strings.TrimSpace(opt) == "required" {
			return true
		}
	}
	return false
}

// decoder turns request parameters into a typed request value.
type decoder struct {
	allowUnknown bool
}

// decodeJSON decodes a JSON object body into a new value of root's struct
// type and returns a pointer to it.
func (d decoder) decodeJSON(body []byte, root *typeSchema) (any, *Error) {
	m := map[string]any{}
	if body = bytes.TrimSpace(body); len(body) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var x any
		if err := dec.Decode(&x); err != nil {
			return nil, Errorf(CodeInvalidParameter, "the request body is not valid JSON: %v", err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, Errorf(CodeInvalidParameter, "the request body has data after the JSON object")
		}
		var ok bool
		if m, ok = x.(map[string]any); !ok {
			return nil, Errorf(CodeInvalidParameter, "the request body must be a JSON object")
		}
	}
	v := reflect.New(root.base)
	if err := d.assignStruct(v.Elem(), root, m, ""); err != nil {
		return nil, err
	}
	return v.Interface(), nil
}

// flatList is a list being rebuilt from Key.N parameters, by index.
type flatList map[int]any

// decodeFlat rebuilds flattened parameters (Key, Key.N, Key.Sub) into a
// new value of root's struct type, guided by the schema, and returns a
// pointer to it. Protocol parameters (Action, Signature …) are skipped
// unless the struct declares a field of that name.
func (d decoder) decodeFlat(params url.Values, root *typeSchema) (any, *Error) {
	keys := make([]string, 0, len(params))
	for k := range params {
		if commonParams[k] && root.byName[k] == nil {
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	tree := map[string]any{}
	for _, k := range keys {
		var val string
		if vs := params[k]; len(vs) > 0 {
			val = vs[0]
		}
		if err := d.insertFlat(tree, root, k, val); err != nil {
			return nil, err
		}
	}
	finishFlat(tree)
	v := reflect.New(root.base)
	if err := d.assignStruct(v.Elem(), root, tree, ""); err != nil {
		return nil, err
	}
	return v.Interface(), nil
}

// maxFlatIndex bounds list indexes in flattened parameters.
const maxFlatIndex = 1 << 20

// insertFlat places one flattened parameter into tree. Struct levels are
// map[string]any, list levels flatList, leaves the raw string.
func (d decoder) insertFlat(tree map[string]any, root *typeSchema, key, val string) *Error {
	var cur any = tree
	ts := root // schema of cur: a struct, or the slice whose elements cur holds
	rest := key
	for {
		seg, tail, more := strings.Cut(rest, ".")
		var (
			child    *typeSchema
			existing any
			idx      int
		)
		switch c := cur.(type) {
		case map[string]any:
			f := ts.byName[seg]
			if f == nil {
				return d.unknown(key)
			}
			child, existing = f.schema, c[seg]
		case flatList:
			var ok bool
			if idx, ok = parseIndex(seg); !ok {
				return Errorf(CodeInvalidParameter, "the parameter %s has a malformed list index", key)
			}
			child, existing = ts.elem, c[idx]
		}
		var next any
		switch {
		case !more:
			if existing != nil {
				return Errorf(CodeInvalidParameter, "the parameter %s conflicts with another parameter", key)
			}
			next = val
		case child.kind == kindStruct:
			if existing == nil {
				next = map[string]any{}
			} else if m, ok := existing.(map[string]any); ok {
				next = m
			} else {
				return Errorf(CodeInvalidParameter, "the parameter %s conflicts with another parameter", key)
			}
		case child.kind == kindSlice:
			if existing == nil {
				next = flatList{}
			} else if l, ok := existing.(flatList); ok {
				next = l
			} else {
				return Errorf(CodeInvalidParameter, "the parameter %s conflicts with another parameter", key)
			}
		default:
			return d.unknown(key)
		}
		if existing == nil {
			switch c := cur.(type) {
			case map[string]any:
				c[seg] = next
			case flatList:
				c[idx] = next
			}
		}
		if !more {
			return nil
		}
		cur, ts, rest = next, child, tail
	}
}

func (d decoder) unknown(key string) *Error {
	if d.allowUnknown {
		return nil
	}
	return Errorf(CodeUnknownParameter, "the parameter %s is not recognized", key)
}

func parseIndex(s string) (int, bool) {
	if s == "" || len(s) > 7 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n < maxFlatIndex
}

// finishFlat turns the flatLists inside x into []any ordered by index
// (gaps close up, as the Go SDK skips nil list elements).
func finishFlat(x any) any {
	switch t := x.(type) {
	case map[string]any:
		for k, v := range t {
			t[k] = finishFlat(v)
		}
		return t
	case flatList:
		idxs := make([]int, 0, len(t))
		for i := range t {
			idxs = append(idxs, i)
		}
		slices.Sort(idxs)
		out := make([]any, 0, len(idxs))
		for _, i := range idxs {
			out = append(out, finishFlat(t[i]))
		}
		return out
	}
	return x
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// assignStruct fills struct v from object m: unknown names, types and
// required fields are checked; null counts as absent.
func (d decoder) assignStruct(v reflect.Value, ts *typeSchema, m map[string]any, path string) *Error {
	if !d.allowUnknown {
		unknown := ""
		for k := range m {
			if ts.byName[k] == nil && (unknown == "" || k < unknown) {
				unknown = k
			}
		}
		if unknown != "" {
			return Errorf(CodeUnknownParameter, "the parameter %s is not recognized", joinPath(path, unknown))
		}
	}
	for _, f := range ts.fields {
		set := false
		if x := m[f.name]; x != nil {
			var err *Error
			if set, err = d.assign(fieldByIndex(v, f.index), f.schema, x, joinPath(path, f.name)); err != nil {
				return err
			}
		}
		if f.required && !set {
			return Errorf(CodeMissingParameter, "the required parameter %s is missing", joinPath(path, f.name))
		}
	}
	return nil
}

// fieldByIndex returns the field at index, allocating embedded pointers on
// the way.
func fieldByIndex(v reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

// assign stores x into v (of type ts.typ) and reports whether it stored
// anything: null, and "" for a number or boolean, count as absent.
func (d decoder) assign(v reflect.Value, ts *typeSchema, x any, path string) (bool, *Error) {
	if x == nil {
		return false, nil
	}
	if !ts.ptr {
		return d.assignBase(v, ts, x, path)
	}
	nv := reflect.New(ts.base)
	set, err := d.assignBase(nv.Elem(), ts, x, path)
	if err != nil || !set {
		return false, err
	}
	v.Set(nv)
	return true, nil
}

// assignBase stores x into v, whose type is ts.base.
func (d decoder) assignBase(v reflect.Value, ts *typeSchema, x any, path string) (bool, *Error) {
	switch ts.kind {
	case kindString:
		switch t := x.(type) {
		case string:
			v.SetString(t)
		case json.Number:
			// Lenient: a number where a string is wanted is accepted when it
			// is an integer JavaScript can hold exactly.
			n, ok := parseIntText(string(t))
			if !ok || n > 1<<53 || n < -(1<<53) {
				return false, typeError(path, "a string")
			}
			v.SetString(strconv.FormatInt(n, 10))
		default:
			return false, typeError(path, "a string")
		}
	case kindBool:
		switch t := x.(type) {
		case bool:
			v.SetBool(t)
		case string:
			switch t {
			case "":
				return false, nil
			case "true":
				v.SetBool(true)
			case "false":
				v.SetBool(false)
			default:
				return false, typeError(path, "a boolean")
			}
		default:
			return false, typeError(path, "a boolean")
		}
	case kindInt:
		s, ok := numberText(x)
		if !ok {
			return false, typeError(path, "an integer")
		}
		if s == "" {
			return false, nil
		}
		n, ok := parseIntText(s)
		if !ok {
			return false, typeError(path, "an integer")
		}
		if v.OverflowInt(n) {
			return false, rangeError(path)
		}
		v.SetInt(n)
	case kindUint:
		s, ok := numberText(x)
		if !ok {
			return false, typeError(path, "an integer")
		}
		if s == "" {
			return false, nil
		}
		n, ok := parseUintText(s)
		if !ok {
			if i, isInt := parseIntText(s); isInt && i < 0 {
				return false, typeError(path, "a non-negative integer")
			}
			return false, typeError(path, "an integer")
		}
		if v.OverflowUint(n) {
			return false, rangeError(path)
		}
		v.SetUint(n)
	case kindFloat:
		s, ok := numberText(x)
		if !ok {
			return false, typeError(path, "a number")
		}
		if s == "" {
			return false, nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return false, typeError(path, "a number")
		}
		if v.OverflowFloat(f) {
			return false, rangeError(path)
		}
		v.SetFloat(f)
	case kindStruct:
		m, ok := x.(map[string]any)
		if !ok {
			return false, typeError(path, "an object")
		}
		if err := d.assignStruct(v, ts, m, path); err != nil {
			return false, err
		}
	case kindSlice:
		list, ok := x.([]any)
		if !ok {
			return false, typeError(path, "an array")
		}
		out := reflect.MakeSlice(ts.base, 0, len(list))
		for i, e := range list {
			ev := reflect.New(ts.elem.typ).Elem()
			set, err := d.assign(ev, ts.elem, e, path+"."+strconv.Itoa(i))
			if err != nil {
				return false, err
			}
			if set { // null elements are dropped
				out = reflect.Append(out, ev)
			}
		}
		v.Set(out)
	default:
		raw, err := json.Marshal(x)
		if err == nil {
			err = json.Unmarshal(raw, v.Addr().Interface())
		}
		if err != nil {
			return false, Errorf(CodeInvalidParameter, "%s is invalid", path)
		}
	}
	return true, nil
}

// numberText returns the text of a JSON number or of a string that should
// hold one (flattened parameters are all strings).
func numberText(x any) (string, bool) {
	switch t := x.(type) {
	case json.Number:
		return string(t), true
	case string:
		return t, true
	}
	return "", false
}

// maxExactFloat is the largest integer a float64 holds exactly.
const maxExactFloat = 1 << 53

// parseIntText parses a decimal integer, also accepting integral number
// literals such as 10.0 or 1e3 within float64's exact range.
func parseIntText(s string) (int64, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > maxExactFloat {
		return 0, false
	}
	return int64(f), true
}

func parseUintText(s string) (uint64, bool) {
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f < 0 || f > maxExactFloat {
		return 0, false
	}
	return uint64(f), true
}

func typeError(path, want string) *Error {
	return Errorf(CodeInvalidParameter, "%s must be %s", path, want)
}

func rangeError(path string) *Error {
	return Errorf(CodeInvalidParameter, "%s is out of range", path)
}
