package tcapi

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	sdkerrors "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

// signModes are the ways the official Go SDK can talk to the server.
var signModes = []struct {
	name   string
	method string // ReqMethod
	sign   string // SignMethod
}{
	{"TC3 POST", "POST", "TC3-HMAC-SHA256"},
	{"TC3 GET", "GET", "TC3-HMAC-SHA256"},
	{"HmacSHA1 GET", "GET", "HmacSHA1"},
	{"HmacSHA1 POST", "POST", "HmacSHA1"},
	{"HmacSHA256 GET", "GET", "HmacSHA256"},
	{"HmacSHA256 POST", "POST", "HmacSHA256"},
}

// sdk returns an official SDK client pointed at the fixture.
func (f *fixture) sdk(t *testing.T, method, sign, secretID, secretKey string) *vod.Client {
	t.Helper()
	cpf := profile.NewClientProfile()
	cpf.HttpProfile.Endpoint = f.host
	cpf.HttpProfile.Scheme = "http"
	cpf.HttpProfile.ReqMethod = method
	cpf.SignMethod = sign
	c, err := vod.NewClient(common.NewCredential(secretID, secretKey), "", cpf)
	require.NoError(t, err)
	return c
}

func requireSDKCode(t *testing.T, err error, code string) {
	t.Helper()
	var se *sdkerrors.TencentCloudSDKError
	require.ErrorAs(t, err, &se)
	require.Equal(t, code, se.Code, "message: %s", se.Message)
	require.NotEmpty(t, se.RequestId)
}

func TestSDKSignModes(t *testing.T) {
	t.Parallel()
	for _, m := range signModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			c := f.sdk(t, m.method, m.sign, testSecretID, testSecretKey)

			// Scalars and RawJSON response.
			dreq := vod.NewDescribeTaskDetailRequest()
			dreq.TaskId = ptr("1250000001-procedurev2-abc 10")
			dreq.SubAppId = ptr(uint64(1500000001))
			dresp, err := c.DescribeTaskDetail(dreq)
			require.NoError(t, err)
			require.Equal(t, "Procedure", *dresp.Response.TaskType)
			require.Equal(t, "FINISH", *dresp.Response.Status)
			got := f.last(t)
			require.Equal(t, &describeTaskDetailRequest{
				TaskId:   ptr("1250000001-procedurev2-abc 10"),
				SubAppId: ptr(uint64(1500000001)),
			}, got.req)
			require.Equal(t, uint64(testAppID), got.account.AppID)
			require.Equal(t, "DescribeTaskDetail", got.action)
			require.Equal(t, got.requestID, *dresp.Response.RequestId)

			// A struct response; int64 and many strings.
			preq := vod.NewPullUploadRequest()
			preq.MediaUrl = ptr("http://example.com/a b.mp4?x=1&y=2")
			preq.MediaName = ptr("名字")
			preq.ClassId = ptr(int64(-3))
			preq.SessionContext = ptr(`{"k":"v"}`)
			presp, err := c.PullUpload(preq)
			require.NoError(t, err)
			require.Equal(t, "1250000001-pull-http://example.com/a b.mp4?x=1&y=2", *presp.Response.TaskId)
			require.Equal(t, &pullUploadRequest{
				MediaUrl:       ptr("http://example.com/a b.mp4?x=1&y=2"),
				MediaName:      ptr("名字"),
				ClassId:        ptr(int64(-3)),
				SessionContext: ptr(`{"k":"v"}`),
			}, f.last(t).req)

			// Nested struct, list of structs, list inside it, float.
			mreq := vod.NewProcessMediaRequest()
			mreq.FileId = ptr("5285890784246869930")
			mreq.TasksPriority = ptr(int64(10))
			mreq.MediaProcessTask = &vod.MediaProcessTaskInput{
				TranscodeTaskSet: []*vod.TranscodeTaskInput{
					{Definition: ptr(uint64(10)), StartTimeOffset: ptr(1.5)},
					{Definition: ptr(uint64(20)), WatermarkSet: []*vod.WatermarkInput{
						{Definition: ptr(uint64(501)), TextContent: ptr("10")},
					}},
				},
			}
			mresp, err := c.ProcessMedia(mreq)
			require.NoError(t, err)
			require.Equal(t, "1250000001-procedurev2-x", *mresp.Response.TaskId)
			require.Equal(t, &processMediaRequest{
				FileId:        ptr("5285890784246869930"),
				TasksPriority: ptr(int64(10)),
				MediaProcessTask: &mediaProcessTaskInput{
					TranscodeTaskSet: []*transcodeTaskInput{
						{Definition: ptr(uint64(10)), StartTimeOffset: ptr(1.5)},
						{Definition: ptr(uint64(20)), WatermarkSet: []*watermarkInput{
							{Definition: ptr(uint64(501)), TextContent: ptr("10")},
						}},
					},
				},
			}, f.last(t).req)

			// List of strings that look like numbers.
			ireq := vod.NewDescribeMediaInfosRequest()
			ireq.FileIds = []*string{ptr("5285890784246869930"), ptr("10")}
			_, err = c.DescribeMediaInfos(ireq)
			require.NoError(t, err)
			require.Equal(t, &describeMediaInfosRequest{
				FileIds: []string{"5285890784246869930", "10"},
			}, f.last(t).req)
		})
	}
}

func TestSDKErrors(t *testing.T) {
	t.Parallel()
	for _, m := range signModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			call := func(c *vod.Client) error {
				req := vod.NewDescribeTaskDetailRequest()
				req.TaskId = ptr("t")
				_, err := c.DescribeTaskDetail(req)
				return err
			}

			err := call(f.sdk(t, m.method, m.sign, testSecretID, "wrong-key"))
			requireSDKCode(t, err, CodeAuthFailureSignatureFailure)

			err = call(f.sdk(t, m.method, m.sign, "AKIDunknown", testSecretKey))
			requireSDKCode(t, err, CodeAuthFailureSecretIdNotFound)

			stale := setup(t, func(c *Config) {
				c.Now = func() time.Time { return time.Now().Add(10 * time.Minute) }
			})
			err = call(stale.sdk(t, m.method, m.sign, testSecretID, testSecretKey))
			requireSDKCode(t, err, CodeAuthFailureSignatureExpire)

			// Missing required parameter.
			_, err = f.sdk(t, m.method, m.sign, testSecretID, testSecretKey).DescribeTaskDetail(vod.NewDescribeTaskDetailRequest())
			requireSDKCode(t, err, CodeMissingParameter)

			// The SDK's Filters is not in our request type.
			ireq := vod.NewDescribeMediaInfosRequest()
			ireq.FileIds = []*string{ptr("1")}
			ireq.Filters = []*string{ptr("basicInfo")}
			_, err = f.sdk(t, m.method, m.sign, testSecretID, testSecretKey).DescribeMediaInfos(ireq)
			requireSDKCode(t, err, CodeUnknownParameter)

			// Declared but not implemented.
			_, err = f.sdk(t, m.method, m.sign, testSecretID, testSecretKey).SearchMedia(vod.NewSearchMediaRequest())
			requireSDKCode(t, err, CodeUnsupportedOperation)
		})
	}
}

func TestSDKRateLimit(t *testing.T) {
	t.Parallel()
	now := time.Now()
	f := setup(t, func(c *Config) {
		c.Limits = map[string]float64{"DescribeTaskDetail": 2}
		c.Now = func() time.Time { return now } // no refill during the test
	})
	call := func(secretID, key string) error {
		req := vod.NewDescribeTaskDetailRequest()
		req.TaskId = ptr("t")
		_, err := f.sdk(t, "POST", "TC3-HMAC-SHA256", secretID, key).DescribeTaskDetail(req)
		return err
	}
	require.NoError(t, call(testSecretID, testSecretKey))
	require.NoError(t, call(testSecretID, testSecretKey))
	requireSDKCode(t, call(testSecretID, testSecretKey), CodeRequestLimitExceeded)

	// Another account has its own bucket; other actions are unlimited.
	require.NoError(t, call(otherSecretID, "otherkey"))
	preq := vod.NewPullUploadRequest()
	preq.MediaUrl = ptr("u")
	for range 5 {
		_, err := f.sdk(t, "POST", "TC3-HMAC-SHA256", testSecretID, testSecretKey).PullUpload(preq)
		require.NoError(t, err)
	}
}
