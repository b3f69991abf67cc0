package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/tcapi"
)

// credentials are the account's key pair and AppId.
type credentials struct {
	SecretID  string `json:"secretId"`
	SecretKey string `json:"secretKey"`
	AppID     uint64 `json:"appId"`
}

const credentialsKey = "credentials"

// loadCredentials returns the configured credentials, or the ones generated
// on an earlier start, or generates and stores new ones (fresh reports that).
// Generated credentials live in the database, so every process of a fleet
// sharing it agrees on them.
func loadCredentials(ctx context.Context, db *store.DB, cfg Config) (c credentials, fresh bool, err error) {
	var stored credentials
	raw, err := db.GetKV(ctx, credentialsKey)
	switch {
	case err == nil:
		if err := json.Unmarshal([]byte(raw), &stored); err != nil {
			return c, false, fmt.Errorf("stored credentials are unreadable: %w", err)
		}
	case errors.Is(err, store.ErrNotFound):
	default:
		return c, false, err
	}
	if cfg.SecretID != "" {
		c = credentials{SecretID: cfg.SecretID, SecretKey: cfg.SecretKey, AppID: cfg.AppID}
		if c.AppID == 0 {
			c.AppID = stored.AppID
		}
		if c.AppID == 0 {
			c.AppID = 1250000000
		}
		return c, false, nil
	}
	if stored.SecretID != "" {
		if cfg.AppID != 0 {
			stored.AppID = cfg.AppID
		}
		return stored, false, nil
	}
	c = credentials{SecretID: "AKID" + randomString(32), SecretKey: randomString(32), AppID: cfg.AppID}
	if c.AppID == 0 {
		n, _ := rand.Int(rand.Reader, big.NewInt(899999999))
		c.AppID = 1300000000 + n.Uint64()%699999999
	}
	b, _ := json.Marshal(c)
	got, err := db.PutKV(ctx, credentialsKey, string(b))
	if err != nil {
		return c, false, err
	}
	if got != string(b) { // another process generated them first
		err := json.Unmarshal([]byte(got), &c)
		return c, false, err
	}
	return c, true, nil
}

func randomString(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		k, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[k.Int64()]
	}
	return string(b)
}

// keyStore authenticates the single account.
type keyStore struct{ c credentials }

func (k keyStore) LookupSecret(_ context.Context, secretID string) (tcapi.Account, bool) {
	if subtle.ConstantTimeCompare([]byte(secretID), []byte(k.c.SecretID)) != 1 {
		return tcapi.Account{}, false
	}
	return tcapi.Account{AppID: k.c.AppID, SecretID: k.c.SecretID, SecretKey: k.c.SecretKey}, true
}

// printWelcome shows freshly generated credentials once, with a snippet to
// paste into a Go program.
func printWelcome(w io.Writer, c credentials, publicURL string) {
	host := publicURL
	for _, p := range []string{"http://", "https://"} {
		if len(host) > len(p) && host[:len(p)] == p {
			host = host[len(p):]
		}
	}
	fmt.Fprintf(w, `
OpenVOD generated credentials for this data directory (shown once; they are stored in its database):

  export OPENVOD_SECRET_ID=%s
  export OPENVOD_SECRET_KEY=%s
  export OPENVOD_APP_ID=%d

Point a Tencent Cloud SDK at this server, e.g. in Go:

  cred := common.NewCredential(os.Getenv("OPENVOD_SECRET_ID"), os.Getenv("OPENVOD_SECRET_KEY"))
  prof := profile.NewClientProfile()
  prof.HttpProfile.Endpoint = "%s"
  prof.HttpProfile.Scheme = "HTTP"
  client, _ := vod.NewClient(cred, "", prof)

or try the CLI:  openvod call DescribeSubAppIds

`, c.SecretID, c.SecretKey, c.AppID, host)
}
