package vod

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"syscall"
	"time"
)

// errBlockedAddress is returned when a pull would reach a loopback, private
// or otherwise internal address and the operator did not allow it.
var errBlockedAddress = errors.New("address is loopback, private or reserved")

// reservedPrefixes are ranges that are not public Internet addresses beyond
// what netip's predicates cover.
var reservedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// blockedIP reports whether ip must not be fetched from by default.
func blockedIP(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	for _, p := range reservedPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// checkPullURL validates a PullUpload URL before a task is created: scheme,
// host, and, for an address written as an IP, that it may be reached.
func (s *Service) checkPullURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return nil, errors.New("must be an absolute http:// or https:// URL")
	}
	if u.User != nil {
		return nil, errors.New("must not carry user credentials")
	}
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil && !s.cfg.AllowPrivatePull && blockedIP(ip) {
		return nil, errors.New("points to a loopback, private or reserved address; start the server with --allow-private-pull to allow such sources")
	}
	return u, nil
}

// pullClient is an HTTP client whose every connection (redirects included)
// is checked against the address policy at dial time, after DNS
// resolution, so a hostname cannot smuggle in an internal address.
func (s *Service) pullClient() *http.Client {
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			if s.cfg.AllowPrivatePull {
				return nil
			}
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return err
			}
			if blockedIP(ap.Addr()) {
				return fmt.Errorf("%s: %w", ap.Addr(), errBlockedAddress)
			}
			return nil
		}}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would bypass the address policy
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   30 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
	}
	return &http.Client{Transport: tr, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("stopped after 5 redirects")
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fmt.Errorf("redirect to unsupported scheme %q", req.URL.Scheme)
		}
		return nil
	}}
}

// download fetches rawURL into path, at most max bytes, reporting the
// fraction done when the size is known. It returns the size and MD5.
func (s *Service) download(ctx context.Context, rawURL, path string, max int64, progress func(done, total int64)) (int64, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("User-Agent", "OpenVOD-PullUpload/1")
	client := s.pullClient()
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, "", &httpStatusError{code: resp.StatusCode, status: resp.Status}
	}
	if resp.ContentLength > max {
		return 0, "", fmt.Errorf("the source is %d bytes, over the %d-byte limit", resp.ContentLength, max)
	}
	f, err := os.Create(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := md5.New()
	var n int64
	buf := make([]byte, 256<<10)
	for {
		k, rerr := resp.Body.Read(buf)
		if k > 0 {
			n += int64(k)
			if n > max {
				return 0, "", fmt.Errorf("the source is over the %d-byte limit", max)
			}
			if _, err := f.Write(buf[:k]); err != nil {
				return 0, "", err
			}
			h.Write(buf[:k])
			if progress != nil {
				progress(n, resp.ContentLength)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return 0, "", rerr
		}
	}
	if resp.ContentLength > 0 && n != resp.ContentLength {
		return 0, "", fmt.Errorf("the connection closed after %d of %d bytes", n, resp.ContentLength)
	}
	return n, hex.EncodeToString(h.Sum(nil)), f.Close()
}

type httpStatusError struct {
	code   int
	status string
}

func (e *httpStatusError) Error() string { return "the source answered HTTP " + e.status }
