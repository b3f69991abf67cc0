// Package vodapi holds the wire types of the Tencent Cloud VOD API, version
// 2018-07-17 (API 3.0): one struct per request, response and nested object
// of the API, and a table of all actions with constructors for their
// request and response structs.
//
// The types are generated from the machine-readable API schema into
// zz_generated.go; regenerate with `go generate ./internal/vodapi` from the
// repository root and never edit that file by hand.
//
// Every struct and field keeps the API's name exactly, and every field is a
// pointer or a slice without omitempty: an unset field marshals as an
// explicit null, as the real API's responses do. Request fields the API
// requires carry the struct tag vod:"required". Response structs have no
// RequestId field; the response envelope adds it. Ptr and Val make the
// pointer fields convenient to set and read.
package vodapi

//go:generate go run ./gen -schema ../../../shared/spec/vod-2018-07-17.schema.json -out zz_generated.go

const (
	// Service is the API's service name, as in the vod.tencentcloudapi.com host.
	Service = "vod"
	// Version is the API version these types describe, as clients send it
	// in the X-TC-Version header.
	Version = "2018-07-17"
)
