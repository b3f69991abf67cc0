package blob

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestS3Conformance runs the suite against a real S3-compatible server when
// OPENVOD_TEST_S3_ENDPOINT, OPENVOD_TEST_S3_ACCESS, OPENVOD_TEST_S3_SECRET
// and OPENVOD_TEST_S3_BUCKET name one; testdata/start-versitygw.sh starts
// one and prints them. Each store gets its own prefix of the bucket, removed
// afterwards.
func TestS3Conformance(t *testing.T) {
	t.Parallel()
	endpoint := os.Getenv("OPENVOD_TEST_S3_ENDPOINT")
	if endpoint == "" {
		t.Skip("OPENVOD_TEST_S3_ENDPOINT is not set; see testdata/start-versitygw.sh")
	}
	cfg := Config{
		AccessKeyID:     os.Getenv("OPENVOD_TEST_S3_ACCESS"),
		SecretAccessKey: os.Getenv("OPENVOD_TEST_S3_SECRET"),
	}
	bucket := os.Getenv("OPENVOD_TEST_S3_BUCKET")
	require.NotEmpty(t, bucket, "OPENVOD_TEST_S3_BUCKET")
	bucketURL := func(prefix string) string {
		q := url.Values{"endpoint": {endpoint}, "region": {"us-east-1"}, "use_path_style": {"true"}}
		if prefix != "" {
			q.Set("prefix", prefix)
		}
		return "s3://" + bucket + "?" + q.Encode()
	}
	runConformance(t, func(t *testing.T) *Store {
		prefix := "openvod-test-" + rand.Text()[:12] + "/"
		c := cfg
		c.BucketURL = bucketURL(prefix)
		s, err := New(t.Context(), c)
		require.NoError(t, err)
		t.Cleanup(func() {
			require.NoError(t, s.Close())
			root := cfg
			root.BucketURL = bucketURL("")
			// t.Context is canceled by now.
			ctx := context.Background()
			rs, err := New(ctx, root)
			require.NoError(t, err)
			defer rs.Close()
			require.NoError(t, rs.DeletePrefix(ctx, prefix))
		})
		return s
	})
}
