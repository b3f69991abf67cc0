// Package tcapi is a server kit for the Tencent Cloud API 3.0 protocol.
//
// It knows the wire protocol and nothing about video: a [Server] accepts the
// request forms the official SDKs produce (TC3-HMAC-SHA256 signed POST JSON
// and GET query strings, and the legacy v1 HmacSHA1/HmacSHA256 signatures),
// authenticates them against a [KeyStore], rate-limits per account and
// action, decodes the parameters strictly into the request type registered
// for the action, calls the handler and writes the response envelope
// {"Response":{...,"RequestId":"..."}} with HTTP 200 and
// Content-Type application/json, which is what every SDK expects.
//
// Request types are plain structs whose json tags carry the API's field
// names. A field tagged vod:"required" must be present; nested structs and
// lists of structs are checked recursively. Flattened parameters (GET and v1
// forms: Key, Key.N, Key.Sub) are rebuilt into typed values using the same
// struct, so "10" becomes 10 for an integer field and stays "10" for a
// string field.
//
// Decoding is strict about names (an unknown parameter answers
// UnknownParameter unless Config.AllowUnknownFields) and about shapes, but
// lenient about scalars the way Python and Node callers need
// (PROTOCOL.md §8): a numeric string fills a number field, an integer below
// 2^53 fills a string field, an integral literal such as 10.0 fills an
// integer field, "true"/"false" fill a boolean, and null, or "" for a
// number or boolean, counts as absent. Fractions, negative values for
// unsigned fields, NaN and out-of-range values answer InvalidParameter
// naming the field.
//
// Temporary credentials are not supported: an X-TC-Token header or Token
// parameter is accepted and ignored, since there is no STS service behind
// the server; the SecretId/SecretKey pair alone authenticates the request.
//
// [Client] is the matching signer and caller used by the openvod command and
// tests.
package tcapi
