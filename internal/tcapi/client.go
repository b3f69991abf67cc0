package tcapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxResponseBytes bounds what Client.Call reads.
const maxResponseBytes = 256 << 20

// Client signs (TC3-HMAC-SHA256) and sends API requests as POST JSON. It is
// used by the openvod command and tests; applications use the official SDKs.
type Client struct {
	// Endpoint is the server's base URL, "http://host:port" or "https://host".
	Endpoint string
	// SecretID and SecretKey are the API key pair.
	SecretID  string
	SecretKey string
	// Version is sent as X-TC-Version, e.g. "2018-07-17". Required.
	Version string
	// Service is the service name in the credential scope. Default "vod".
	Service string
	// HTTP sends the requests. Default http.DefaultClient.
	HTTP *http.Client
}

// Call sends action with params (marshalled to a JSON object; nil sends {})
// and decodes the inner Response object, RequestId included, into out when
// out is not nil. An API error comes back as an *Error whose RequestID
// field holds the RequestId of the failed call; transport and decoding
// failures are plain errors.
func (c *Client) Call(ctx context.Context, action string, params any, out any) error {
	if c.Endpoint == "" || !strings.Contains(c.Endpoint, "://") {
		return fmt.Errorf("tcapi: Client.Endpoint %q must be a URL such as http://host:port", c.Endpoint)
	}
	if c.Version == "" {
		return errors.New("tcapi: Client.Version is empty")
	}
	body := []byte("{}")
	if params != nil {
		var err error
		if body, err = json.Marshal(params); err != nil {
			return fmt.Errorf("tcapi: marshal %s params: %w", action, err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.Endpoint, "/")+"/", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("tcapi: %s: %w", action, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-TC-Action", action)
	req.Header.Set("X-TC-Version", c.Version)
	req.Header.Set("X-TC-RequestClient", "openvod-tcapi")
	SignTC3(req, body, c.SecretID, c.SecretKey, c.Service, time.Now())

	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("tcapi: %s: %w", action, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return fmt.Errorf("tcapi: %s: read response: %w", action, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("tcapi: %s: HTTP status %s: %.200s", action, resp.Status, data)
	}
	var env struct {
		Response json.RawMessage
	}
	if err := json.Unmarshal(data, &env); err != nil || len(env.Response) == 0 {
		return fmt.Errorf("tcapi: %s: response is not an API envelope: %.200s", action, data)
	}
	var head struct {
		Error *struct {
			Code    string
			Message string
		}
		RequestId string
	}
	if err := json.Unmarshal(env.Response, &head); err != nil {
		return fmt.Errorf("tcapi: %s: decode response: %w", action, err)
	}
	if head.Error != nil && head.Error.Code != "" {
		return &Error{Code: head.Error.Code, Message: head.Error.Message, RequestID: head.RequestId}
	}
	if out != nil {
		if err := json.Unmarshal(env.Response, out); err != nil {
			return fmt.Errorf("tcapi: %s: decode response: %w", action, err)
		}
	}
	return nil
}

// SignTC3 signs r for TC3-HMAC-SHA256 as the official SDKs do: it sets
// X-TC-Timestamp and Authorization, signing the content-type and host
// headers (a missing Content-Type is set to application/json for POST and
// application/x-www-form-urlencoded for GET). body must be the exact body r
// sends; for GET the canonical query is r.URL.RawQuery. service defaults to
// "vod".
func SignTC3(r *http.Request, body []byte, secretID, secretKey, service string, ts time.Time) {
	if service == "" {
		service = "vod"
	}
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	if r.Header.Get("Content-Type") == "" {
		if r.Method == http.MethodGet {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			r.Header.Set("Content-Type", "application/json")
		}
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	timestamp := strconv.FormatInt(ts.Unix(), 10)
	date := ts.UTC().Format(time.DateOnly)
	in := tc3Input{
		method:        r.Method,
		signedHeaders: "content-type;host",
		header:        r.Header,
		host:          host,
		timestamp:     timestamp,
		date:          date,
		service:       service,
	}
	if r.Method == http.MethodGet {
		in.query = r.URL.RawQuery
	}
	if r.Header.Get(hdrContentSHA256) == unsignedPayload {
		in.payloadHash = sha256.Sum256([]byte(unsignedPayload))
	} else {
		in.payloadHash = sha256.Sum256(body)
	}
	key := deriveSigningKey(secretKey, date, service)
	sig, _ := in.sign(nil, &key)
	r.Header.Set(hdrTimestamp, timestamp)
	r.Header.Set("Authorization", tc3Algorithm+" Credential="+secretID+"/"+date+"/"+service+
		"/tc3_request, SignedHeaders=content-type;host, Signature="+hex.EncodeToString(sig[:]))
}
