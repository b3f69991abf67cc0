package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"

	"github.com/openvod/openvod/internal/tcapi"
)

// signForms are the ways the official SDK can sign and send a request.
var signForms = []struct {
	name string
	set  func(p *profile.ClientProfile)
}{
	{"TC3 POST", func(p *profile.ClientProfile) {}},
	{"TC3 GET", func(p *profile.ClientProfile) { p.HttpProfile.ReqMethod = "GET" }},
	{"HmacSHA1 POST", func(p *profile.ClientProfile) { p.SignMethod = "HmacSHA1" }},
	{"HmacSHA256 POST", func(p *profile.ClientProfile) { p.SignMethod = "HmacSHA256" }},
	{"HmacSHA1 GET", func(p *profile.ClientProfile) { p.SignMethod = "HmacSHA1"; p.HttpProfile.ReqMethod = "GET" }},
	{"HmacSHA256 GET", func(p *profile.ClientProfile) { p.SignMethod = "HmacSHA256"; p.HttpProfile.ReqMethod = "GET" }},
}

func TestSignatureForms(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	for i, form := range signForms {
		t.Run(form.name, func(t *testing.T) {
			t.Parallel()
			c := s.clientWith(s.SecretID, s.SecretKey, form.set)

			// Lists and nested structs survive the flattened forms.
			ids := []string{"5285890812345678901", "5285890812345678902"}
			req := vod.NewDescribeMediaInfosRequest()
			req.FileIds = common.StringPtrs(ids)
			req.Filters = common.StringPtrs([]string{"basicInfo", "metaData"})
			resp, err := c.DescribeMediaInfos(req)
			require.NoError(t, err)
			require.Equal(t, common.StringPtrs(ids), resp.Response.NotExistFileIdSet)
			require.Regexp(t, uuidRE, *resp.Response.RequestId)

			sr := vod.NewSearchMediaRequest()
			sr.Names = common.StringPtrs([]string{"a b+c&d=e%f/中文"})
			sr.Sort = &vod.SortBy{Field: common.StringPtr("CreateTime"), Order: common.StringPtr("Asc")}
			sr.Limit = common.Uint64Ptr(5)
			sresp, err := c.SearchMedia(sr)
			require.NoError(t, err)
			require.Equal(t, uint64(0), *sresp.Response.TotalCount)

			// Text with reserved characters arrives intact.
			name := fmt.Sprintf("app %d: a+b & c=d/中文 %%20", i)
			cr := vod.NewCreateSubAppIdRequest()
			cr.Name = common.StringPtr(name)
			cr.Description = common.StringPtr("signed with " + form.name)
			created, err := c.CreateSubAppId(cr)
			require.NoError(t, err)
			ar := vod.NewDescribeSubAppIdsRequest()
			apps, err := c.DescribeSubAppIds(ar)
			require.NoError(t, err)
			var found bool
			for _, a := range apps.Response.SubAppIdInfoSet {
				if *a.SubAppId == *created.Response.SubAppId {
					found = true
					require.Equal(t, name, *a.Name)
					require.Equal(t, "signed with "+form.name, *a.Description)
				}
			}
			require.True(t, found)

			// Numbers, and text for the task, pass through too.
			sr.SubAppId = created.Response.SubAppId
			_, err = c.SearchMedia(sr)
			require.NoError(t, err)
			pr := vod.NewPullUploadRequest()
			pr.MediaUrl = common.StringPtr("http://127.0.0.1:1/a%20b/clip.mp4?sig=x%2By&t=1")
			pr.SubAppId = created.Response.SubAppId
			pr.SessionContext = common.StringPtr(name)
			pr.ClassId = common.Int64Ptr(0)
			pu, err := c.PullUpload(pr)
			require.NoError(t, err)
			dr := vod.NewDescribeTaskDetailRequest()
			dr.TaskId = pu.Response.TaskId
			dr.SubAppId = created.Response.SubAppId
			d, err := c.DescribeTaskDetail(dr)
			require.NoError(t, err)
			require.Equal(t, name, *d.Response.PullUploadTask.SessionContext)

			// A wrong key and an unknown key are told apart.
			bad := s.clientWith(s.SecretID, s.SecretKey+"x", form.set)
			_, err = bad.DescribeMediaInfos(req)
			requireCode(t, err, "AuthFailure.SignatureFailure")
			unknown := s.clientWith("AKID"+randHex(16), s.SecretKey, form.set)
			_, err = unknown.DescribeMediaInfos(req)
			requireCode(t, err, "AuthFailure.SecretIdNotFound")
		})
	}
}

func TestEnvelope(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})

	// Success: {"Response":{...,"RequestId":"<uuid>"}}, byte for byte.
	body := fmt.Sprintf(`{"SubAppId":%d,"Description":"the default app"}`, s.AppID)
	res := s.send(t, http.MethodPost, apiHeaders("ModifySubAppIdInfo"), body, true)
	require.Equal(t, http.StatusOK, res.Status)
	require.Equal(t, []string{"application/json"}, res.Header.Values("Content-Type"))
	rid := string(envelope(t, res.Body)["RequestId"])
	rid = strings.Trim(rid, `"`)
	require.Regexp(t, uuidRE, rid)
	require.Equal(t, `{"Response":{"RequestId":"`+rid+`"}}`, string(res.Body))

	// Error: {"Response":{"Error":{"Code":..,"Message":..},"RequestId":..}}.
	res = s.send(t, http.MethodPost, apiHeaders("DescribeTaskDetail"), `{"TaskId":"nope"}`, true)
	require.Equal(t, http.StatusOK, res.Status)
	require.Equal(t, []string{"application/json"}, res.Header.Values("Content-Type"))
	var e struct {
		Response struct {
			Error     struct{ Code, Message string }
			RequestId string
		}
	}
	require.NoError(t, json.Unmarshal(res.Body, &e))
	require.Equal(t, "InvalidParameterValue.TaskId", e.Response.Error.Code)
	require.NotEmpty(t, e.Response.Error.Message)
	require.Regexp(t, uuidRE, e.Response.RequestId)
	require.NotEqual(t, rid, e.Response.RequestId, "RequestIds must be unique")
	msg, _ := json.Marshal(e.Response.Error.Message)
	require.Equal(t, `{"Response":{"Error":{"Code":"InvalidParameterValue.TaskId","Message":`+string(msg)+`},"RequestId":"`+
		e.Response.RequestId+`"}}`, string(res.Body))

	// A success response carries typed fields next to the RequestId.
	b := s.rawBody(t, "DescribeSubAppIds", `{}`)
	resp := envelope(t, b)
	require.Contains(t, resp, "SubAppIdInfoSet")
	require.Regexp(t, `^[0-9]+$`, string(resp["TotalCount"]))
	require.Regexp(t, uuidRE, strings.Trim(string(resp["RequestId"]), `"`))
}

func TestErrorCodes(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	jsonCT := map[string]string{"Content-Type": "application/json"}
	with := func(base map[string]string, kv ...string) map[string]string {
		h := map[string]string{}
		for k, v := range base {
			h[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			h[kv[i]] = kv[i+1]
		}
		return h
	}
	for _, tc := range []struct {
		name   string
		method string
		header map[string]string
		body   string
		sign   bool
		code   string
	}{
		{"unknown action", "POST", apiHeaders("DescribeEverything"), `{}`, true, "InvalidAction"},
		{"known but not implemented (AIGC)", "POST", apiHeaders("CreateAigcVideoTask"), `{}`, true, "UnsupportedOperation"},
		{"known but not implemented (publish)", "POST", apiHeaders("WeChatMiniProgramPublish"), `{"FileId":"1"}`, true, "UnsupportedOperation"},
		{"wrong version", "POST", with(apiHeaders("DescribeTaskDetail"), "X-TC-Version", "2017-03-12"), `{"TaskId":"x"}`, true, "NoSuchVersion"},
		{"no action", "POST", with(jsonCT, "X-TC-Version", "2018-07-17"), `{}`, true, "MissingParameter"},
		{"unknown parameter", "POST", apiHeaders("DescribeTaskDetail"), `{"TaskId":"x","Bogus":1}`, true, "UnknownParameter"},
		{"unknown nested parameter", "POST", apiHeaders("SearchMedia"), `{"Sort":{"Field":"CreateTime","Order":"Asc","Way":1}}`, true, "UnknownParameter"},
		{"wrong JSON type: bool for String", "POST", apiHeaders("DescribeTaskDetail"), `{"TaskId":true}`, true, "InvalidParameter"},
		{"wrong JSON type: text for UInt", "POST", apiHeaders("DescribeTasks"), `{"Limit":"ten"}`, true, "InvalidParameter"},
		{"wrong JSON type: negative UInt", "POST", apiHeaders("DescribeTasks"), `{"Limit":-1}`, true, "InvalidParameter"},
		{"wrong JSON type: string for list", "POST", apiHeaders("DescribeMediaInfos"), `{"FileIds":{"a":1}}`, true, "InvalidParameter"},
		{"wrong JSON type: object for struct", "POST", apiHeaders("SearchMedia"), `{"Sort":"CreateTime"}`, true, "InvalidParameter"},
		{"missing required", "POST", apiHeaders("DescribeTaskDetail"), `{}`, true, "MissingParameter"},
		{"missing required nested", "POST", apiHeaders("SearchMedia"), `{"Sort":{"Order":"Asc"}}`, true, "MissingParameter"},
		{"malformed JSON", "POST", apiHeaders("DescribeTaskDetail"), `{"TaskId":`, true, "InvalidParameter"},
		{"JSON array body", "POST", apiHeaders("DescribeTaskDetail"), `["x"]`, true, "InvalidParameter"},
		{"trailing data", "POST", apiHeaders("DescribeTaskDetail"), `{"TaskId":"x"} {}`, true, "InvalidParameter"},
		{"unsigned", "POST", apiHeaders("DescribeTaskDetail"), `{"TaskId":"x"}`, false, "AuthFailure.InvalidAuthorization"},
		{"garbage Authorization", "POST", with(apiHeaders("DescribeTaskDetail"), "Authorization", "Basic Zm9vOmJhcg=="), `{"TaskId":"x"}`, false, "AuthFailure.InvalidAuthorization"},
		{"unsupported method", "PUT", apiHeaders("DescribeTaskDetail"), `{"TaskId":"x"}`, true, "UnsupportedProtocol"},
		{"unsupported content type", "POST", with(apiHeaders("DescribeTaskDetail"), "Content-Type", "text/xml"), `<TaskId>x</TaskId>`, true, "InvalidParameter"},
		{"too large", "POST", apiHeaders("DescribeTaskDetail"), `{"TaskId":"` + strings.Repeat("x", 11<<20) + `"}`, true, "RequestSizeLimitExceeded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := s.send(t, tc.method, tc.header, tc.body, tc.sign)
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			require.Equal(t, []string{"application/json"}, res.Header.Values("Content-Type"))
			require.Equal(t, tc.code, errorCode(t, res.Body), "%s", res.Body)
			resp := envelope(t, res.Body)
			require.Regexp(t, uuidRE, strings.Trim(string(resp["RequestId"]), `"`))
		})
	}

	t.Run("stale timestamp", func(t *testing.T) {
		t.Parallel()
		body := `{"TaskId":"x"}`
		req, err := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
		require.NoError(t, err)
		for k, v := range apiHeaders("DescribeTaskDetail") {
			req.Header.Set(k, v)
		}
		tcapi.SignTC3(req, []byte(body), s.SecretID, s.SecretKey, "vod", time.Now().Add(-10*time.Minute))
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var e struct {
			Response struct{ Error struct{ Code string } }
		}
		require.NoError(t, jsonDecode(resp, &e))
		require.Equal(t, "AuthFailure.SignatureExpire", e.Response.Error.Code)
	})

	t.Run("SDK sees the codes", func(t *testing.T) {
		t.Parallel()
		c := s.client()
		_, err := c.WeChatMiniProgramPublish(vod.NewWeChatMiniProgramPublishRequest())
		requireCode(t, err, "UnsupportedOperation")
		_, err = c.DescribeTaskDetail(vod.NewDescribeTaskDetailRequest())
		requireCode(t, err, "MissingParameter")
		mt := vod.NewManageTaskRequest()
		mt.TaskId = common.StringPtr("1250000001-pull-00000000000000000000000000000000t0")
		mt.OperationType = common.StringPtr("Abort")
		_, err = c.ManageTask(mt)
		requireCode(t, err, "InvalidParameterValue.TaskId")
	})

	// The server survived all of that.
	_, err := s.client().DescribeSubAppIds(vod.NewDescribeSubAppIdsRequest())
	require.NoError(t, err)
}

func jsonDecode(resp *http.Response, v any) error {
	return json.NewDecoder(resp.Body).Decode(v)
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{Args: []string{"--rate-limits", "DescribeTaskDetail=5"}})
	c := s.client()

	var mu sync.Mutex
	codes := map[string]int{}
	var wg sync.WaitGroup
	begin := time.Now()
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := vod.NewDescribeTaskDetailRequest()
			req.TaskId = common.StringPtr("1250000001-pull-00000000000000000000000000000000t0")
			_, err := c.DescribeTaskDetail(req)
			code := sdkCode(t, err)
			mu.Lock()
			codes[code]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)
	require.Positive(t, codes["RequestLimitExceeded"], "%v", codes)
	require.Positive(t, codes["InvalidParameterValue.TaskId"], "%v", codes)
	require.Equal(t, 30, codes["RequestLimitExceeded"]+codes["InvalidParameterValue.TaskId"], "%v", codes)
	// A burst of 5, then 5 a second.
	allowed := 5 + int(elapsed.Seconds()*5) + 1
	require.LessOrEqual(t, codes["InvalidParameterValue.TaskId"], allowed, "the limit let too many through in %s: %v", elapsed, codes)

	// Limits are per action: another action is not affected.
	_, err := c.DescribeTasks(vod.NewDescribeTasksRequest())
	require.NoError(t, err)

	// The bucket refills.
	eventually(t, 5*time.Second, "DescribeTaskDetail allowed again", func() bool {
		req := vod.NewDescribeTaskDetailRequest()
		req.TaskId = common.StringPtr("x")
		_, err := c.DescribeTaskDetail(req)
		return sdkCode(t, err) == "InvalidParameterValue.TaskId"
	})
}
