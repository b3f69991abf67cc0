package blob

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	gcaws "gocloud.dev/aws"
	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	"gocloud.dev/blob/memblob"
	"gocloud.dev/blob/s3blob"
)

// Config configures a Store.
type Config struct {
	// BucketURL names the storage. Required. Two schemes:
	//
	//   - "file:///abs/dir": objects are files under /abs/dir, which is
	//     created if missing. No metadata sidecars are written; Content-Type
	//     comes from the key's extension (see ContentType).
	//   - "s3://bucket?endpoint=http://127.0.0.1:7070&region=us-east-1&use_path_style=true":
	//     any S3-compatible server. Besides endpoint, region and
	//     use_path_style (alias s3ForcePathStyle), disable_https and the
	//     options of gocloud.dev/aws.V2ConfigFromURLParams are accepted
	//     (profile, anonymous, hostname_immutable, ...). region defaults to
	//     the AWS environment, else "us-east-1"; request_checksum_calculation
	//     and response_checksum_validation default to "when_required", which
	//     S3-compatible servers other than AWS expect.
	//
	//   - "mem://": an empty in-memory store that lives until Close, for
	//     tests. It behaves like S3 (no LocalPath).
	//
	// All take prefix=some/dir/ to root the store at a sub-path of the
	// bucket, so that several deployments (or tests) can share one.
	BucketURL string

	// AccessKeyID and SecretAccessKey are static S3 credentials. When empty,
	// the AWS default chain applies: AWS_ACCESS_KEY_ID and
	// AWS_SECRET_ACCESS_KEY, then the shared config files. Ignored for file
	// stores.
	AccessKeyID     string
	SecretAccessKey string

	// HiddenFunc, when set, reports keys the Handler must answer 404 for, in
	// addition to those under StagingPrefix and PrivatePrefix, which are
	// always hidden.
	HiddenFunc func(key string) bool

	// Logger receives the Handler's internal failures (clients get a bare
	// 500). Default slog.Default().
	Logger *slog.Logger
}

func (c *Config) validate() error {
	if c.BucketURL == "" {
		return errors.New("blob: Config.BucketURL is required")
	}
	if (c.AccessKeyID == "") != (c.SecretAccessKey == "") {
		return errors.New("blob: Config.AccessKeyID and Config.SecretAccessKey must be set together")
	}
	return nil
}

// Open opens the store named by bucketURL with an otherwise default Config;
// see Config.BucketURL for the URL forms.
func Open(ctx context.Context, bucketURL string) (*Store, error) {
	return New(ctx, Config{BucketURL: bucketURL})
}

// New opens the store that cfg describes. Close it when done.
func New(ctx context.Context, cfg Config) (*Store, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	u, err := url.Parse(cfg.BucketURL)
	if err != nil {
		return nil, fmt.Errorf("blob: Config.BucketURL: %w", err)
	}
	q := u.Query()
	prefix := q.Get("prefix")
	q.Del("prefix")
	if prefix != "" {
		if prefix, err = dirPrefix(prefix); err != nil {
			return nil, fmt.Errorf("blob: Config.BucketURL prefix: %w", err)
		}
	}
	s := &Store{hidden: cfg.HiddenFunc, log: cfg.Logger}
	switch u.Scheme {
	case fileblob.Scheme:
		s.dir, s.bucket, err = openDir(u, q, prefix)
	case s3blob.Scheme:
		s.bucket, err = openS3(ctx, u, q, prefix, &cfg)
	case memblob.Scheme:
		s.bucket, err = openMem(q, prefix)
	default:
		err = fmt.Errorf("unsupported scheme %q (want file, s3 or mem)", u.Scheme)
	}
	if err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", redact(u), err)
	}
	return s, nil
}

// openDir opens a file:// URL rooted at its path plus prefix.
func openDir(u *url.URL, q url.Values, prefix string) (string, *blob.Bucket, error) {
	if len(q) > 0 {
		return "", nil, errors.New("file URLs take no query parameters but prefix")
	}
	if u.Host != "" && u.Host != "localhost" {
		return "", nil, fmt.Errorf("file URL host %q: want none, as in file:///abs/dir", u.Host)
	}
	if !filepath.IsAbs(u.Path) {
		return "", nil, fmt.Errorf("file URL path %q is not absolute", u.Path)
	}
	dir := filepath.Join(filepath.Clean(u.Path), filepath.FromSlash(prefix))
	b, err := fileblob.OpenBucket(dir, &fileblob.Options{
		CreateDir: true,
		// Temporary files go beside the final file rather than in
		// os.TempDir: rename across file systems fails, and a tmpfs /tmp
		// would hold whole videos in memory. They are named
		// "<key>.<hex>.tmp" and hidden (see isTempName).
		NoTempDir: true,
		Metadata:  fileblob.MetadataDontWrite,
	})
	if err != nil {
		return "", nil, err
	}
	return dir, b, nil
}

// openS3 opens an s3:// URL. It builds the client itself (rather than through
// s3blob's URL opener) to apply static credentials and defaults that suit
// S3-compatible servers.
func openS3(ctx context.Context, u *url.URL, q url.Values, prefix string, cfg *Config) (*blob.Bucket, error) {
	if u.Host == "" {
		return nil, errors.New("s3 URL names no bucket")
	}
	var clientOpts []func(*s3.Options)
	for _, name := range []string{"use_path_style", "s3ForcePathStyle", "disable_https"} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		q.Del(name)
		on, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("query parameter %s: %w", name, err)
		}
		if name == "disable_https" {
			clientOpts = append(clientOpts, func(o *s3.Options) { o.EndpointOptions.DisableHTTPS = on })
		} else {
			clientOpts = append(clientOpts, func(o *s3.Options) { o.UsePathStyle = on })
		}
	}
	for _, name := range []string{"request_checksum_calculation", "response_checksum_validation"} {
		if !q.Has(name) {
			q.Set(name, "when_required")
		}
	}
	awsCfg, err := gcaws.V2ConfigFromURLParams(ctx, q)
	if err != nil {
		return nil, err
	}
	if awsCfg.Region == "" {
		awsCfg.Region = "us-east-1"
	}
	if cfg.AccessKeyID != "" {
		awsCfg.Credentials = aws.NewCredentialsCache(
			credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, ""))
	}
	client := s3.NewFromConfig(awsCfg, clientOpts...)
	b, err := s3blob.OpenBucket(ctx, client, u.Host, &s3blob.Options{
		RequestChecksumCalculation: awsCfg.RequestChecksumCalculation,
	})
	if err != nil {
		return nil, err
	}
	if prefix != "" {
		b = blob.PrefixedBucket(b, prefix)
	}
	return b, nil
}

// openMem opens a mem:// URL.
func openMem(q url.Values, prefix string) (*blob.Bucket, error) {
	if len(q) > 0 {
		return nil, errors.New("mem URLs take no query parameters but prefix")
	}
	b := memblob.OpenBucket(nil)
	if prefix != "" {
		b = blob.PrefixedBucket(b, prefix)
	}
	return b, nil
}

// redact returns u for error messages, without user info.
func redact(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}
