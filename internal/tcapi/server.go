package tcapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"golang.org/x/time/rate"
)

// Server answers API 3.0 requests on path "/". Register actions with
// [Server.Known], [Server.Handle] or [HandleFunc] before serving; it is safe
// to register while serving.
type Server struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex                         // serializes registration
	actions atomic.Pointer[map[string]*action] // copy-on-write registry
	schemas map[reflect.Type]*typeSchema       // guarded by mu

	keys    signingKeyCache
	limits  limiterSet
	bufs    sync.Pool // *bytes.Buffer for bodies and responses
	scratch sync.Pool // *[]byte for signature computation
}

// action is one registered API action.
type action struct {
	name       string
	newRequest func() any
	schema     *typeSchema // of the struct newRequest points to; nil if newRequest is nil
	handler    func(ctx context.Context, req any) (any, error)
}

// New returns a Server for cfg, or an error naming the wrong field.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		log:     cfg.Logger,
		schemas: make(map[reflect.Type]*typeSchema),
	}
	s.keys.max = signingKeyCacheSize
	s.limits.m = make(map[limiterKey]*rate.Limiter)
	empty := make(map[string]*action)
	s.actions.Store(&empty)
	return s, nil
}

// Known declares an action the API version has. A known action with no
// handler answers UnsupportedOperation; a name never declared answers
// InvalidAction. newRequest may be nil. Declaring an action that already
// has a handler keeps the handler.
func (s *Server) Known(action string, newRequest func() any) {
	s.register(action, newRequest, nil)
}

// Handle registers the handler for an action (which also makes it known).
// newRequest returns a new pointer to the action's request struct; the
// handler receives it decoded and returns the response value, marshalled
// with encoding/json (or a [RawJSON]), or an error: an *Error (possibly
// wrapped) answers with its code, any other error answers InternalError
// with a generic message while the detail is logged with the RequestId.
//
// Handle panics if newRequest or h is nil or newRequest does not return a
// non-nil pointer to a struct: those are programming errors.
func (s *Server) Handle(action string, newRequest func() any, h func(ctx context.Context, req any) (any, error)) {
	if newRequest == nil || h == nil {
		panic("tcapi: Handle " + action + ": nil newRequest or handler")
	}
	s.register(action, newRequest, h)
}

// HandleFunc registers a typed handler: the request is decoded into a new
// Req and passed as *Req.
//
//	tcapi.HandleFunc(s, "DescribeTaskDetail", func(ctx context.Context, req *vodapi.DescribeTaskDetailRequest) (any, error) { ... })
func HandleFunc[Req any](s *Server, action string, h func(ctx context.Context, req *Req) (any, error)) {
	if h == nil {
		panic("tcapi: HandleFunc " + action + ": nil handler")
	}
	s.Handle(action, func() any { return new(Req) }, func(ctx context.Context, req any) (any, error) {
		return h(ctx, req.(*Req))
	})
}

func (s *Server) register(name string, newRequest func() any, h func(context.Context, any) (any, error)) {
	if name == "" {
		panic("tcapi: empty action name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := *s.actions.Load()
	a := &action{name: name, newRequest: newRequest, handler: h}
	if prev := old[name]; prev != nil && h == nil {
		if prev.handler != nil {
			return // Known after Handle keeps the handler
		}
		if newRequest == nil {
			a.newRequest = prev.newRequest
		}
	}
	if a.newRequest != nil {
		v := a.newRequest()
		t := reflect.TypeOf(v)
		if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct || reflect.ValueOf(v).IsNil() {
			panic(fmt.Sprintf("tcapi: request type of %s is %T, want a non-nil pointer to a struct", name, v))
		}
		a.schema = buildSchema(t.Elem(), s.schemas)
	}
	next := make(map[string]*action, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[name] = a
	s.actions.Store(&next)
}

// reqInfo is what the request context carries; one allocation per request.
type reqInfo struct {
	id      string
	action  string
	account Account
}

type ctxKey struct{}

func infoFrom(ctx context.Context) *reqInfo {
	ri, _ := ctx.Value(ctxKey{}).(*reqInfo)
	return ri
}

// AccountFrom returns the authenticated account of the request ctx belongs
// to, or the zero Account outside a request.
func AccountFrom(ctx context.Context) Account {
	if ri := infoFrom(ctx); ri != nil {
		return ri.account
	}
	return Account{}
}

// RequestIDFrom returns the RequestId the response will carry, or "".
func RequestIDFrom(ctx context.Context) string {
	if ri := infoFrom(ctx); ri != nil {
		return ri.id
	}
	return ""
}

// ActionFrom returns the action being served, or "".
func ActionFrom(ctx context.Context) string {
	if ri := infoFrom(ctx); ri != nil {
		return ri.action
	}
	return ""
}

// Header names in canonical MIME form, so lookups do not allocate.
const (
	hdrAction        = "X-Tc-Action"         // X-TC-Action
	hdrVersion       = "X-Tc-Version"        // X-TC-Version
	hdrTimestamp     = "X-Tc-Timestamp"      // X-TC-Timestamp
	hdrContentSHA256 = "X-Tc-Content-Sha256" // X-TC-Content-SHA256
	hdrRequestClient = "X-Tc-Requestclient"  // X-TC-RequestClient
	hdrRequestID     = "X-Tc-Requestid"      // X-TC-RequestId
	hdrTraceID       = "X-Tc-Traceid"        // X-TC-TraceId
)

// commonParams are the protocol's own parameters in the flattened forms;
// they never reach the request struct unless it declares the same name.
var commonParams = map[string]bool{
	"Action": true, "Version": true, "Timestamp": true, "Nonce": true,
	"SecretId": true, "SignatureMethod": true, "Signature": true,
	"Region": true, "Token": true, "Language": true, "RequestClient": true,
}

// incoming is a request after transport parsing, before authentication.
type incoming struct {
	r       *http.Request
	body    []byte
	tc3     bool       // Authorization header present
	params  url.Values // flattened params (GET, form POST, v1); nil for JSON
	jsonReq bool       // parameters are the JSON body
}

// ServeHTTP serves one API request. Paths other than "/" answer 404 so the
// embedding service can mount other handlers around it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	start := time.Now()
	ri := &reqInfo{id: uuid.NewString()}
	ctx := context.WithValue(r.Context(), ctxKey{}, ri)

	bodyBuf := s.getBuf()
	resp, err := s.serve(ctx, r, ri, bodyBuf)
	s.putBuf(bodyBuf)

	code := s.writeResponse(ctx, w, ri, resp, err)

	d := time.Since(start)
	if s.cfg.Observe != nil {
		s.cfg.Observe(ri.action, code, d)
	}
	if s.log.Enabled(ctx, slog.LevelDebug) {
		s.log.LogAttrs(ctx, slog.LevelDebug, "tcapi request",
			slog.String("action", ri.action),
			slog.String("code", code),
			slog.Duration("duration", d),
			slog.String("request_id", ri.id),
			slog.Uint64("app_id", ri.account.AppID),
			slog.String("client", r.Header.Get(hdrRequestClient)),
			slog.String("trace_id", r.Header.Get(hdrTraceID)),
		)
	}
}

// serve runs everything up to and including the handler; a panic anywhere
// in it (the handler, the KeyStore, or a bug here) becomes an error. bodyBuf
// holds the body until serve returns.
func (s *Server) serve(ctx context.Context, r *http.Request, ri *reqInfo, bodyBuf *bytes.Buffer) (resp any, err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			resp, err = nil, &panicError{value: p, stack: debug.Stack()}
		}
	}()
	return s.serveRequest(ctx, r, ri, bodyBuf)
}

func (s *Server) serveRequest(ctx context.Context, r *http.Request, ri *reqInfo, bodyBuf *bytes.Buffer) (any, error) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return nil, Errorf(CodeUnsupportedProtocol, "HTTP method %s is not supported; use GET or POST", r.Method)
	}
	in, err := s.parseTransport(r, bodyBuf)
	if err != nil {
		return nil, err
	}

	name := r.Header.Get(hdrAction)
	if name == "" {
		name = in.params.Get("Action")
		if name == "" && in.jsonReq {
			name = r.URL.Query().Get("Action")
		}
	}
	if name == "" {
		return nil, Errorf(CodeMissingParameter, "the X-TC-Action header (or Action parameter) is missing")
	}
	version := r.Header.Get(hdrVersion)
	if version == "" {
		version = in.params.Get("Version")
	}
	if version == "" {
		return nil, Errorf(CodeMissingParameter, "the X-TC-Version header (or Version parameter) is missing")
	}
	if version != s.cfg.Version {
		return nil, Errorf(CodeNoSuchVersion, "version %q is not supported; use %s", version, s.cfg.Version)
	}
	a := (*s.actions.Load())[name]
	if a == nil {
		return nil, Errorf(CodeInvalidAction, "the action %q does not exist", name)
	}
	ri.action = name

	acct, err := s.authenticate(ctx, in)
	if err != nil {
		return nil, err
	}
	ri.account = acct

	if !s.limits.allow(s, acct.AppID, name) {
		return nil, Errorf(CodeRequestLimitExceeded, "too many %s requests; slow down", name)
	}
	if a.handler == nil {
		return nil, Errorf(CodeUnsupportedOperation, "%s is not implemented by this server yet", name)
	}

	d := decoder{allowUnknown: s.cfg.AllowUnknownFields}
	var req any
	var derr *Error
	if in.jsonReq {
		req, derr = d.decodeJSON(in.body, a.schema)
	} else {
		req, derr = d.decodeFlat(in.params, a.schema)
	}
	if derr != nil {
		return nil, derr
	}
	return a.handler(ctx, req)
}

// parseTransport reads the body within the size limit and finds where the
// parameters are.
func (s *Server) parseTransport(r *http.Request, buf *bytes.Buffer) (*incoming, error) {
	limit := s.cfg.MaxBodyBytes
	if r.ContentLength > limit || int64(len(r.URL.RawQuery)) > limit {
		return nil, tooLarge(limit)
	}
	if r.Body != nil {
		n, err := buf.ReadFrom(io.LimitReader(r.Body, limit+1))
		if n > limit {
			return nil, tooLarge(limit)
		}
		if err != nil {
			return nil, Errorf(CodeInvalidParameter, "reading the request body failed: %v", err)
		}
	}
	in := &incoming{r: r, body: buf.Bytes(), tc3: r.Header.Get("Authorization") != ""}

	var err error
	switch {
	case r.Method == http.MethodGet:
		in.params, err = parseQuery(r.URL.RawQuery)
	case isMediaType(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		if in.params, err = parseQuery(r.URL.RawQuery); err == nil {
			var form url.Values
			if form, err = parseQuery(string(in.body)); err == nil {
				err = mergeParams(in.params, form)
			}
		}
	case in.tc3 && !isMediaType(r.Header.Get("Content-Type"), "application/json") && r.Header.Get("Content-Type") != "":
		return nil, Errorf(CodeInvalidParameter, "Content-Type %q is not supported; use application/json", r.Header.Get("Content-Type"))
	case in.tc3:
		in.jsonReq = true
	default:
		return nil, Errorf(CodeAuthFailureInvalidAuthorization, "the Authorization header is missing")
	}
	if err != nil {
		return nil, err
	}
	return in, nil
}

func tooLarge(limit int64) *Error {
	return Errorf(CodeRequestSizeLimitExceeded, "the request exceeds %d bytes", limit)
}

// parseQuery parses a query string or form body, rejecting malformed
// escapes and repeated keys.
func parseQuery(q string) (url.Values, error) {
	v, err := url.ParseQuery(q)
	if err != nil {
		return nil, Errorf(CodeInvalidParameter, "malformed parameters: %v", err)
	}
	for k, vs := range v {
		if len(vs) > 1 {
			return nil, Errorf(CodeInvalidParameter, "the parameter %s is given more than once", k)
		}
	}
	return v, nil
}

func mergeParams(dst, src url.Values) error {
	for k, vs := range src {
		if _, dup := dst[k]; dup {
			return Errorf(CodeInvalidParameter, "the parameter %s is given more than once", k)
		}
		dst[k] = vs
	}
	return nil
}

// isMediaType reports whether the Content-Type value ct has media type mt,
// ignoring case and parameters such as charset.
func isMediaType(ct, mt string) bool {
	base, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(base), mt)
}

type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("handler panic: %v", e.value) }

// apiError maps a handler or protocol error to the *Error the client sees,
// logging anything internal.
func (s *Server) apiError(ctx context.Context, ri *reqInfo, err error) *Error {
	var ae *Error
	if errors.As(err, &ae) && ae != nil && ae.Code != "" {
		return ae
	}
	attrs := []slog.Attr{
		slog.String("request_id", ri.id),
		slog.String("action", ri.action),
		slog.String("error", err.Error()),
	}
	var pe *panicError
	if errors.As(err, &pe) {
		attrs = append(attrs, slog.String("stack", string(pe.stack)))
	}
	s.log.LogAttrs(ctx, slog.LevelError, "tcapi internal error", attrs...)
	return &Error{
		Code:    CodeInternalError,
		Message: "An internal error occurred. Retry later, or report the RequestId " + ri.id + ".",
	}
}

func (s *Server) getBuf() *bytes.Buffer {
	if b, ok := s.bufs.Get().(*bytes.Buffer); ok {
		b.Reset()
		return b
	}
	return new(bytes.Buffer)
}

// maxPooledBuf keeps huge one-off buffers out of the pool.
const maxPooledBuf = 256 << 10

func (s *Server) putBuf(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuf {
		s.bufs.Put(b)
	}
}
