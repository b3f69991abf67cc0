package tcapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
)

// RawJSON is a response a handler already holds as an encoded JSON object,
// without RequestId. It is spliced into the envelope without re-encoding, so
// it must be a valid JSON object; the server only checks the braces.
type RawJSON []byte

// errBadResponse reports a handler response that is not a JSON object.
var errBadResponse = errors.New("handler response does not encode to a JSON object")

// writeResponse writes the envelope for resp or err and returns the error
// code written ("" on success).
func (s *Server) writeResponse(ctx context.Context, w http.ResponseWriter, ri *reqInfo, resp any, err error) string {
	buf := s.getBuf()
	defer s.putBuf(buf)

	code := ""
	if err == nil {
		if err = appendSuccess(buf, resp, ri.id); err != nil {
			buf.Reset()
		}
	}
	if err != nil {
		ae := s.apiError(ctx, ri, err)
		appendError(buf, ae, ri.id)
		code = ae.Code
	}

	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h[hdrRequestID] = []string{ri.id}
	h["Content-Length"] = []string{strconv.Itoa(buf.Len())}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return code
}

const envelopeStart = `{"Response":`

// appendSuccess writes {"Response":<resp without its closing brace>,"RequestId":"id"}}.
func appendSuccess(buf *bytes.Buffer, resp any, id string) error {
	buf.WriteString(envelopeStart)
	start := buf.Len()
	switch v := resp.(type) {
	case nil:
		buf.WriteString("{}")
	case RawJSON:
		buf.Write(v)
	case json.RawMessage:
		buf.Write(v)
	default:
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	obj := bytes.TrimSpace(buf.Bytes()[start:])
	if len(obj) < 2 || obj[0] != '{' || obj[len(obj)-1] != '}' {
		return errBadResponse
	}
	// Drop leading whitespace by moving the object to start, then cut the
	// closing brace and any whitespace before it.
	n := copy(buf.Bytes()[start:], obj)
	inner := bytes.TrimRight(buf.Bytes()[start:start+n-1], " \t\r\n")
	buf.Truncate(start + len(inner))
	if len(inner) > 1 { // not "{"
		buf.WriteByte(',')
	}
	buf.WriteString(`"RequestId":"`)
	buf.WriteString(id)
	buf.WriteString(`"}}`)
	return nil
}

// appendError writes the error envelope.
func appendError(buf *bytes.Buffer, e *Error, id string) {
	buf.WriteString(`{"Response":{"Error":{"Code":`)
	appendJSONString(buf, e.Code)
	buf.WriteString(`,"Message":`)
	appendJSONString(buf, e.Message)
	buf.WriteString(`},"RequestId":"`)
	buf.WriteString(id)
	buf.WriteString(`"}}`)
}

func appendJSONString(buf *bytes.Buffer, s string) {
	b, err := json.Marshal(s)
	if err != nil { // cannot happen for a string
		buf.WriteString(`""`)
		return
	}
	buf.Write(b)
}
