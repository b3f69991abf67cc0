package tcapi

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	tc3Algorithm = "TC3-HMAC-SHA256"
	// maxClockSkew is how far X-TC-Timestamp may be from the server clock.
	maxClockSkew = 300 * time.Second
	// signingKeyCacheSize bounds the derived-key cache.
	signingKeyCacheSize = 512
	unsignedPayload     = "UNSIGNED-PAYLOAD"
)

// authenticate verifies the request's signature and returns its account.
func (s *Server) authenticate(ctx context.Context, in *incoming) (Account, error) {
	if in.tc3 {
		return s.authTC3(ctx, in)
	}
	return s.authV1(ctx, in)
}

// tc3Auth is a parsed TC3 Authorization header.
type tc3Auth struct {
	secretID      string
	date          string
	service       string
	signedHeaders string
	signature     [sha256.Size]byte
}

// parseTC3Authorization parses
// "TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=a;b, Signature=HEX".
func parseTC3Authorization(h string) (tc3Auth, *Error) {
	var a tc3Auth
	alg, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if alg != tc3Algorithm {
		return a, Errorf(CodeAuthFailureInvalidAuthorization, "unsupported signature algorithm %q; use %s", alg, tc3Algorithm)
	}
	var cred, sig string
	var haveCred, haveHeaders, haveSig bool
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, invalidAuthorization()
		}
		var seen *bool
		switch k {
		case "Credential":
			cred, seen = v, &haveCred
		case "SignedHeaders":
			a.signedHeaders, seen = v, &haveHeaders
		case "Signature":
			sig, seen = v, &haveSig
		default:
			continue
		}
		if *seen {
			return a, invalidAuthorization() // repeated part
		}
		*seen = true
	}
	if !haveCred || !haveHeaders || !haveSig {
		return a, invalidAuthorization()
	}
	var terminator string
	a.secretID, cred, _ = strings.Cut(cred, "/")
	a.date, cred, _ = strings.Cut(cred, "/")
	a.service, terminator, _ = strings.Cut(cred, "/")
	if terminator != "tc3_request" || a.secretID == "" || a.date == "" || a.service == "" {
		return a, Errorf(CodeAuthFailureInvalidAuthorization, "the Credential in the Authorization header is malformed")
	}
	var host, contentType bool
	for names := a.signedHeaders; ; {
		name, more, _ := strings.Cut(names, ";")
		switch {
		case name == "":
			return a, Errorf(CodeAuthFailureInvalidAuthorization, "the SignedHeaders in the Authorization header are malformed")
		case strings.EqualFold(name, "host"):
			host = true
		case strings.EqualFold(name, "content-type"):
			contentType = true
		}
		if more == "" {
			break
		}
		names = more
	}
	if !host || !contentType {
		return a, Errorf(CodeAuthFailureInvalidAuthorization, "SignedHeaders must include content-type and host")
	}
	if len(sig) != 2*sha256.Size {
		return a, Errorf(CodeAuthFailureInvalidAuthorization, "the Signature in the Authorization header is malformed")
	}
	if _, err := hex.Decode(a.signature[:], []byte(sig)); err != nil {
		return a, Errorf(CodeAuthFailureInvalidAuthorization, "the Signature in the Authorization header is malformed")
	}
	return a, nil
}

func invalidAuthorization() *Error {
	return Errorf(CodeAuthFailureInvalidAuthorization, "the Authorization header is malformed")
}

func signatureFailure() *Error {
	return Errorf(CodeAuthFailureSignatureFailure, "the request signature does not match; check the SecretKey and the signing steps")
}

// checkTimestamp parses a unix-seconds timestamp and checks it against now.
func (s *Server) checkTimestamp(ts string) (int64, *Error) {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return 0, Errorf(CodeAuthFailureInvalidAuthorization, "the timestamp %q is not a unix time in seconds", ts)
	}
	now := s.cfg.Now().Unix()
	if d := now - sec; d > int64(maxClockSkew/time.Second) || d < -int64(maxClockSkew/time.Second) {
		return 0, Errorf(CodeAuthFailureSignatureExpire, "the request timestamp %d is more than 5 minutes from the server time %d", sec, now)
	}
	return sec, nil
}

func (s *Server) authTC3(ctx context.Context, in *incoming) (Account, error) {
	r := in.r
	auth, aerr := parseTC3Authorization(r.Header.Get("Authorization"))
	if aerr != nil {
		return Account{}, aerr
	}
	acct, ok := s.cfg.Keys.LookupSecret(ctx, auth.secretID)
	if !ok {
		return Account{}, Errorf(CodeAuthFailureSecretIdNotFound, "the SecretId is not found or disabled")
	}
	ts := r.Header.Get(hdrTimestamp)
	sec, terr := s.checkTimestamp(ts)
	if terr != nil {
		return Account{}, terr
	}
	var dateBuf [10]byte
	if string(time.Unix(sec, 0).UTC().AppendFormat(dateBuf[:0], time.DateOnly)) != auth.date {
		return Account{}, Errorf(CodeAuthFailureSignatureFailure, "the credential date %s is not the UTC date of X-TC-Timestamp", auth.date)
	}

	sig := tc3Input{
		method:        r.Method,
		signedHeaders: auth.signedHeaders,
		header:        r.Header,
		timestamp:     ts,
		date:          auth.date,
		service:       auth.service,
	}
	if r.Method == http.MethodGet {
		sig.query = r.URL.RawQuery
	}
	if r.Header.Get(hdrContentSHA256) == unsignedPayload {
		sig.payloadHash = sha256.Sum256([]byte(unsignedPayload))
	} else {
		sig.payloadHash = sha256.Sum256(in.body)
	}
	key := s.keys.get(acct.SecretKey, auth.date, auth.service)

	// Try the received Host first, then without its port (Node signs the
	// hostname only), each with received and lowercased header values.
	scratch := s.getScratch()
	defer s.putScratch(scratch)
	for _, lower := range [2]bool{false, true} {
		for _, host := range [2]string{r.Host, ""} {
			if host == "" {
				if host = stripPort(r.Host); host == r.Host {
					continue
				}
			}
			sig.host, sig.lower = host, lower
			var mac [sha256.Size]byte
			mac, *scratch = sig.sign((*scratch)[:0], &key)
			if hmac.Equal(mac[:], auth.signature[:]) {
				return acct, nil
			}
		}
	}
	return Account{}, signatureFailure()
}

// stripPort returns host without a trailing ":port".
func stripPort(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		if strings.Contains(h, ":") {
			return "[" + h + "]"
		}
		return h
	}
	return host
}

// tc3Input holds what a TC3 signature covers.
type tc3Input struct {
	method        string
	query         string // canonical query string: raw query for GET, "" for POST
	signedHeaders string // as in the Authorization header, e.g. "content-type;host"
	header        http.Header
	host          string
	lower         bool // lowercase header values
	payloadHash   [sha256.Size]byte
	timestamp     string
	date          string
	service       string
}

// sign returns the raw TC3 signature, and scratch (working space) as grown.
func (in *tc3Input) sign(scratch []byte, key *[sha256.Size]byte) (mac [sha256.Size]byte, grown []byte) {
	b := scratch
	b = append(b, in.method...)
	b = append(b, "\n/\n"...)
	b = append(b, in.query...)
	b = append(b, '\n')
	rest := in.signedHeaders
	for rest != "" {
		var name string
		name, rest, _ = strings.Cut(rest, ";")
		var v string
		switch {
		case strings.EqualFold(name, "host"):
			v = in.host
		case strings.EqualFold(name, "content-type"):
			if vs := in.header["Content-Type"]; len(vs) > 0 {
				v = vs[0]
			}
		default:
			v = in.header.Get(name)
		}
		v = strings.TrimSpace(v)
		if in.lower {
			v = strings.ToLower(v)
		}
		b = appendLower(b, name)
		b = append(b, ':')
		b = append(b, v...)
		b = append(b, '\n')
	}
	b = append(b, '\n')
	b = append(b, in.signedHeaders...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, in.payloadHash[:])
	creq := sha256.Sum256(b)

	b = b[:0]
	b = append(b, tc3Algorithm+"\n"...)
	b = append(b, in.timestamp...)
	b = append(b, '\n')
	b = append(b, in.date...)
	b = append(b, '/')
	b = append(b, in.service...)
	b = append(b, "/tc3_request\n"...)
	b = hex.AppendEncode(b, creq[:])

	m := hmac.New(sha256.New, key[:])
	m.Write(b)
	m.Sum(mac[:0])
	return mac, b
}

func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// deriveSigningKey computes the TC3 signing key for a secret, date and service.
func deriveSigningKey(secretKey, date, service string) [sha256.Size]byte {
	k := hmacSHA256([]byte("TC3"+secretKey), date)
	k = hmacSHA256(k, service)
	k = hmacSHA256(k, "tc3_request")
	var out [sha256.Size]byte
	copy(out[:], k)
	return out
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// signingKeyCache memoizes derived TC3 signing keys per (secret, date,
// service), so the hot path does one HMAC instead of four. When full it
// drops an arbitrary entry; keys change daily, so churn is low.
type signingKeyCache struct {
	mu  sync.Mutex
	m   map[signingKeyID][sha256.Size]byte
	max int
}

type signingKeyID struct{ secretKey, date, service string }

func (c *signingKeyCache) get(secretKey, date, service string) [sha256.Size]byte {
	id := signingKeyID{secretKey, date, service}
	c.mu.Lock()
	k, ok := c.m[id]
	c.mu.Unlock()
	if ok {
		return k
	}
	k = deriveSigningKey(secretKey, date, service)
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[signingKeyID][sha256.Size]byte)
	}
	if len(c.m) >= c.max {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[id] = k
	c.mu.Unlock()
	return k
}

// authV1 verifies a legacy HmacSHA1/HmacSHA256 signature carried in the
// parameters (PROTOCOL.md §4).
func (s *Server) authV1(ctx context.Context, in *incoming) (Account, error) {
	p := in.params
	if p.Get("Signature") == "" || p.Get("SecretId") == "" {
		return Account{}, Errorf(CodeAuthFailureInvalidAuthorization, "the request carries neither an Authorization header nor Signature and SecretId parameters")
	}
	var newHash func() hash.Hash
	switch m := p.Get("SignatureMethod"); m {
	case "", "HmacSHA1":
		newHash = sha1.New
	case "HmacSHA256":
		newHash = sha256.New
	default:
		return Account{}, Errorf(CodeAuthFailureInvalidAuthorization, "unsupported SignatureMethod %q", m)
	}
	acct, ok := s.cfg.Keys.LookupSecret(ctx, p.Get("SecretId"))
	if !ok {
		return Account{}, Errorf(CodeAuthFailureSecretIdNotFound, "the SecretId is not found or disabled")
	}
	if _, terr := s.checkTimestamp(p.Get("Timestamp")); terr != nil {
		return Account{}, terr
	}
	want, err := base64.StdEncoding.DecodeString(p.Get("Signature"))
	if err != nil {
		return Account{}, signatureFailure()
	}

	keys := make([]string, 0, len(p))
	for k := range p {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	r := in.r
	hosts := [2]string{r.Host, stripPort(r.Host)}
	for _, skipEmpty := range [2]bool{true, false} {
		for i, host := range hosts {
			if i == 1 && host == hosts[0] {
				continue
			}
			m := hmac.New(newHash, []byte(acct.SecretKey))
			m.Write(v1StringToSign(r.Method, host, r.URL.Path, p, keys, skipEmpty))
			if hmac.Equal(m.Sum(nil), want) {
				return acct, nil
			}
		}
	}
	return Account{}, signatureFailure()
}

// v1StringToSign is METHOD + host + path + "?" + sorted k=v pairs with raw
// values. The Go SDK leaves out empty values; others may not.
func v1StringToSign(method, host, path string, p url.Values, keys []string, skipEmpty bool) []byte {
	b := make([]byte, 0, 256)
	b = append(b, method...)
	b = append(b, host...)
	b = append(b, path...)
	b = append(b, '?')
	first := true
	for _, k := range keys {
		v := p.Get(k)
		if skipEmpty && v == "" {
			continue
		}
		if !first {
			b = append(b, '&')
		}
		first = false
		b = append(b, k...)
		b = append(b, '=')
		b = append(b, v...)
	}
	return b
}

// maxPooledScratch keeps huge scratch buffers (long GET queries) out of the pool.
const maxPooledScratch = 64 << 10

func (s *Server) getScratch() *[]byte {
	if b, ok := s.scratch.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 1024)
	return &b
}

func (s *Server) putScratch(b *[]byte) {
	if cap(*b) <= maxPooledScratch {
		s.scratch.Put(b)
	}
}
