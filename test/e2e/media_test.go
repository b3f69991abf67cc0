package e2e

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

const timeRE = `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`

// taskHeaderFields are the members of DescribeTaskDetail's Response that
// are not task results.
var taskHeaderFields = []string{"TaskType", "Status", "CreateTime", "BeginProcessTime", "FinishTime", "RequestId"}

// resultFieldsKnown are result members every client knows; the server must
// print them (as null unless they are the task's own).
var resultFieldsKnown = []string{
	"ProcedureTask", "EditMediaTask", "WechatPublishTask", "ComposeMediaTask", "SplitMediaTask",
	"WechatMiniProgramPublishTask", "PullUploadTask", "TranscodeTask", "ConcatTask", "ClipTask",
	"CreateImageSpriteTask", "SnapshotByTimeOffsetTask", "RemoveWatermarkTask", "RebuildMediaTask",
	"ReviewAudioVideoTask", "DescribeFileAttributesTask", "QualityInspectTask", "QualityEnhanceTask",
	"ComplexAdaptiveDynamicStreamingTask", "ExtractTraceWatermarkTask", "ExtractCopyRightWatermarkTask",
}

// requireOnlyResult checks a raw DescribeTaskDetail body: every result
// field is present, and all but want are an explicit null.
func requireOnlyResult(t *testing.T, body []byte, want string) map[string]json.RawMessage {
	t.Helper()
	resp := envelope(t, body)
	for _, f := range resultFieldsKnown {
		_, ok := resp[f]
		require.True(t, ok, "field %s is absent from %s", f, body)
	}
	for k, v := range resp {
		switch {
		case slices.Contains(taskHeaderFields, k):
		case k == want:
			require.Equal(t, byte('{'), v[0], "%s = %s", k, v)
		default:
			require.Equal(t, "null", string(v), "field %s", k)
		}
	}
	return resp
}

// requireInts checks that each named member of the JSON object obj is a
// JSON integer (no fraction, no exponent), as Int/UInt fields must be.
func requireInts(t *testing.T, obj json.RawMessage, names ...string) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(obj, &m), "%s", obj)
	for _, n := range names {
		v, ok := m[n]
		require.True(t, ok, "%s missing from %s", n, obj)
		require.Regexp(t, `^-?[0-9]+$`, string(v), "%s must be a JSON integer in %s", n, obj)
	}
	return m
}

func TestPullUploadDetail(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	src := newSource(t)
	fx := fixtures(t)
	clip := readFile(t, fx.Clip)
	c := s.client()

	src.put("/cover.png", fx.Cover)
	id := pull(t, c, src.URL+"/clip.mp4", func(r *vod.PullUploadRequest) {
		r.MediaName = common.StringPtr("first clip")
		r.CoverUrl = common.StringPtr(src.URL + "/cover.png")
		r.SessionContext = common.StringPtr("ctx-42")
		r.SessionId = common.StringPtr("session-" + randHex(4))
	})
	d := waitTask(t, c, id, nil).Response
	require.Equal(t, "PullUpload", *d.TaskType)
	require.Equal(t, "FINISH", *d.Status)
	for _, ts := range []*string{d.CreateTime, d.BeginProcessTime, d.FinishTime} {
		require.Regexp(t, timeRE, *ts)
	}
	require.LessOrEqual(t, *d.CreateTime, *d.BeginProcessTime)
	require.LessOrEqual(t, *d.BeginProcessTime, *d.FinishTime)

	p := d.PullUploadTask
	require.Equal(t, id, *p.TaskId)
	require.Equal(t, "FINISH", *p.Status)
	require.Equal(t, int64(0), *p.ErrCode)
	require.Equal(t, "SUCCESS", *p.Message)
	require.Equal(t, "ctx-42", *p.SessionContext)
	require.Regexp(t, `^[1-9][0-9]{18}$`, *p.FileId)
	require.True(t, strings.HasPrefix(*p.FileUrl, s.URL+"/"), *p.FileUrl)
	require.True(t, strings.HasSuffix(*p.FileUrl, ".mp4"), *p.FileUrl)
	require.Equal(t, "first clip", *p.MediaBasicInfo.Name)
	require.Equal(t, "mp4", *p.MediaBasicInfo.Type)
	require.Equal(t, *p.FileUrl, *p.MediaBasicInfo.MediaUrl)

	md := p.MetaData
	require.Equal(t, int64(len(clip)), *md.Size)
	require.Equal(t, int64(320), *md.Width)
	require.Equal(t, int64(240), *md.Height)
	require.Equal(t, int64(0), *md.Rotate)
	require.Positive(t, *md.Bitrate)
	require.InDelta(t, 2.0, *md.Duration, 0.1)
	require.InDelta(t, 2.0, *md.VideoDuration, 0.1)
	require.InDelta(t, 2.0, *md.AudioDuration, 0.1)
	require.NotEmpty(t, *md.Container)
	require.Len(t, md.VideoStreamSet, 1)
	v := md.VideoStreamSet[0]
	require.Equal(t, "h264", *v.Codec)
	require.Equal(t, int64(320), *v.Width)
	require.Equal(t, int64(240), *v.Height)
	require.Equal(t, int64(25), *v.Fps)
	require.Positive(t, *v.Bitrate)
	require.Len(t, md.AudioStreamSet, 1)
	a := md.AudioStreamSet[0]
	require.Equal(t, "aac", *a.Codec)
	require.Equal(t, int64(44100), *a.SamplingRate)
	require.Positive(t, *a.Bitrate)

	// The raw body: result fields of other task types are explicit nulls,
	// and integer fields are JSON integers.
	body := s.rawBody(t, "DescribeTaskDetail", `{"TaskId":"`+id+`"}`)
	resp := requireOnlyResult(t, body, "PullUploadTask")
	require.Equal(t, `"PullUpload"`, string(resp["TaskType"]))
	pt := requireInts(t, resp["PullUploadTask"], "ErrCode", "Progress")
	require.Equal(t, "100", string(pt["Progress"]))
	meta := requireInts(t, pt["MetaData"], "Size", "Bitrate", "Height", "Width", "Rotate")
	var streams struct{ VideoStreamSet, AudioStreamSet []json.RawMessage }
	require.NoError(t, json.Unmarshal(pt["MetaData"], &streams))
	requireInts(t, streams.VideoStreamSet[0], "Bitrate", "Height", "Width", "Fps")
	requireInts(t, streams.AudioStreamSet[0], "Bitrate", "SamplingRate")
	require.Regexp(t, `^[0-9.]+$`, string(meta["Duration"]))
	requireInts(t, pt["MediaBasicInfo"], "ClassId")

	// The FileUrl serves the exact bytes, with ranges and validators.
	res, got := httpGet(t, *p.FileUrl, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "video/mp4", res.Header.Get("Content-Type"))
	require.True(t, bytes.Equal(clip, got), "FileUrl content differs from the source")
	etag := res.Header.Get("ETag")
	require.NotEmpty(t, etag)

	res, got = httpGet(t, *p.FileUrl, map[string]string{"Range": "bytes=100-1099"})
	require.Equal(t, http.StatusPartialContent, res.StatusCode)
	require.Equal(t, fmt.Sprintf("bytes 100-1099/%d", len(clip)), res.Header.Get("Content-Range"))
	require.Equal(t, "video/mp4", res.Header.Get("Content-Type"))
	require.Equal(t, etag, res.Header.Get("ETag"))
	require.Equal(t, clip[100:1100], got)

	res, got = httpGet(t, *p.FileUrl, map[string]string{"Range": fmt.Sprintf("bytes=-%d", 500)})
	require.Equal(t, http.StatusPartialContent, res.StatusCode)
	require.Equal(t, clip[len(clip)-500:], got)

	res, _ = httpGet(t, *p.FileUrl, map[string]string{"If-None-Match": etag})
	require.Equal(t, http.StatusNotModified, res.StatusCode)

	// The cover was pulled too.
	res, got = httpGet(t, *p.MediaBasicInfo.CoverUrl, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "image/png", res.Header.Get("Content-Type"))
	require.Equal(t, fx.Cover, got)

	// An unknown task.
	req := vod.NewDescribeTaskDetailRequest()
	req.TaskId = common.StringPtr("1250000001-pull-00000000000000000000000000000000t0")
	_, err := c.DescribeTaskDetail(req)
	requireCode(t, err, "InvalidParameterValue.TaskId")
}

func TestDescribeMediaInfos(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	src := newSource(t)
	c := s.client()

	var clip, tone *vod.PullUploadTask
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); clip = pullMedia(t, c, src.URL+"/clip.mp4", nil) }()
	go func() { defer wg.Done(); tone = pullMedia(t, c, src.URL+"/tone.m4a", nil) }()
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	const missing = "5285890812345678901"
	resp := describeMedia(t, c, nil, *clip.FileId, missing, *tone.FileId).Response
	require.Equal(t, []*string{common.StringPtr(missing)}, resp.NotExistFileIdSet)
	require.Len(t, resp.MediaInfoSet, 2)
	v, a := resp.MediaInfoSet[0], resp.MediaInfoSet[1]
	require.Equal(t, *clip.FileId, *v.FileId)
	require.Equal(t, *tone.FileId, *a.FileId)

	b := v.BasicInfo
	require.Equal(t, "clip", *b.Name, "the name defaults to the file name of the URL")
	require.Equal(t, "mp4", *b.Type)
	require.Equal(t, "Video", *b.Category)
	require.Equal(t, *clip.FileUrl, *b.MediaUrl)
	require.Equal(t, "9999-12-31T23:59:59Z", *b.ExpireTime)
	require.Regexp(t, timeRE, *b.CreateTime)
	require.Regexp(t, timeRE, *b.UpdateTime)
	require.Equal(t, int64(0), *b.ClassId)
	require.Equal(t, "Upload", *b.SourceInfo.SourceType)
	require.Equal(t, "Normal", *b.Status)
	require.Equal(t, "STANDARD", *b.StorageClass)
	require.Empty(t, b.TagSet)
	require.Equal(t, int64(320), *v.MetaData.Width)
	require.Equal(t, *clip.MetaData.Size, *v.MetaData.Size)

	require.Equal(t, "m4a", *a.BasicInfo.Type)
	require.Equal(t, "Audio", *a.BasicInfo.Category)
	require.Empty(t, a.MetaData.VideoStreamSet)
	require.Equal(t, "aac", *a.MetaData.AudioStreamSet[0].Codec)

	// Filters keep only the parts named.
	req := vod.NewDescribeMediaInfosRequest()
	req.FileIds = common.StringPtrs([]string{*clip.FileId})
	req.Filters = common.StringPtrs([]string{"basicInfo"})
	r, err := c.DescribeMediaInfos(req)
	require.NoError(t, err)
	require.NotNil(t, r.Response.MediaInfoSet[0].BasicInfo)
	require.Nil(t, r.Response.MediaInfoSet[0].MetaData)
	req.Filters = common.StringPtrs([]string{"metaData"})
	r, err = c.DescribeMediaInfos(req)
	require.NoError(t, err)
	require.Nil(t, r.Response.MediaInfoSet[0].BasicInfo)
	require.Equal(t, int64(240), *r.Response.MediaInfoSet[0].MetaData.Height)

	// Only unknown ids: an empty set, not an error.
	resp = describeMedia(t, c, nil, missing).Response
	require.Empty(t, resp.MediaInfoSet)
	require.Len(t, resp.NotExistFileIdSet, 1)
	body := s.rawBody(t, "DescribeMediaInfos", `{"FileIds":["`+missing+`"]}`)
	require.Equal(t, "[]", string(envelope(t, body)["MediaInfoSet"]))

	// Limits on FileIds.
	req = vod.NewDescribeMediaInfosRequest()
	ids := make([]string, 21)
	for i := range ids {
		ids[i] = fmt.Sprintf("52858908123456789%02d", i)
	}
	req.FileIds = common.StringPtrs(ids)
	_, err = c.DescribeMediaInfos(req)
	requireCode(t, err, "InvalidParameterValue.FileIdsOverLimit")
	req.FileIds = nil
	_, err = c.DescribeMediaInfos(req)
	requireCode(t, err, "MissingParameter")
}

func TestSearchMedia(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	src := newSource(t)
	c := s.client()

	names := map[string]string{"/clip.mp4": "alpha one", "/clip2.mp4": "alpha two", "/tone.m4a": "beta tone"}
	ids := map[string]string{} // name → FileId
	var mu sync.Mutex
	var wg sync.WaitGroup
	for path, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := pullMedia(t, c, src.URL+path, func(r *vod.PullUploadRequest) { r.MediaName = common.StringPtr(name) })
			mu.Lock()
			ids[name] = *p.FileId
			mu.Unlock()
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	mod := vod.NewModifyMediaInfoRequest()
	mod.FileId = common.StringPtr(ids["alpha one"])
	mod.AddTags = common.StringPtrs([]string{"sports", "hd"})
	_, err := c.ModifyMediaInfo(mod)
	require.NoError(t, err)

	namesOf := func(r *vod.SearchMediaResponse) []string {
		var out []string
		for _, m := range r.Response.MediaInfoSet {
			out = append(out, *m.BasicInfo.Name)
		}
		slices.Sort(out)
		return out
	}
	for _, tc := range []struct {
		name string
		set  func(r *vod.SearchMediaRequest)
		want []string
	}{
		{"all", nil, []string{"alpha one", "alpha two", "beta tone"}},
		{"Names", func(r *vod.SearchMediaRequest) { r.Names = common.StringPtrs([]string{"alpha"}) }, []string{"alpha one", "alpha two"}},
		{"Names exact", func(r *vod.SearchMediaRequest) { r.Names = common.StringPtrs([]string{"alpha two"}) }, []string{"alpha two"}},
		{"NamePrefixes", func(r *vod.SearchMediaRequest) { r.NamePrefixes = common.StringPtrs([]string{"beta"}) }, []string{"beta tone"}},
		{"NamePrefixes miss", func(r *vod.SearchMediaRequest) { r.NamePrefixes = common.StringPtrs([]string{"one"}) }, nil},
		{"Tags", func(r *vod.SearchMediaRequest) { r.Tags = common.StringPtrs([]string{"sports"}) }, []string{"alpha one"}},
		{"Tags miss", func(r *vod.SearchMediaRequest) { r.Tags = common.StringPtrs([]string{"sport"}) }, nil},
		{"Categories Audio", func(r *vod.SearchMediaRequest) { r.Categories = common.StringPtrs([]string{"Audio"}) }, []string{"beta tone"}},
		{"Categories Video", func(r *vod.SearchMediaRequest) { r.Categories = common.StringPtrs([]string{"Video"}) }, []string{"alpha one", "alpha two"}},
		{"FileIds", func(r *vod.SearchMediaRequest) { r.FileIds = common.StringPtrs([]string{ids["alpha two"]}) }, []string{"alpha two"}},
		{"Names and Categories", func(r *vod.SearchMediaRequest) {
			r.Names = common.StringPtrs([]string{"a"})
			r.Categories = common.StringPtrs([]string{"Audio"})
		}, []string{"beta tone"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := searchMedia(t, c, tc.set)
			require.Equal(t, tc.want, namesOf(r))
			require.Equal(t, uint64(len(tc.want)), *r.Response.TotalCount)
		})
	}

	// Paging: pages of 2 cover every media exactly once; TotalCount is the
	// number of matches, not the page size.
	page := func(offset, limit uint64, order string) *vod.SearchMediaResponse {
		return searchMedia(t, c, func(r *vod.SearchMediaRequest) {
			r.Offset, r.Limit = common.Uint64Ptr(offset), common.Uint64Ptr(limit)
			r.Sort = &vod.SortBy{Field: common.StringPtr("CreateTime"), Order: common.StringPtr(order)}
		})
	}
	p1, p2, p3 := page(0, 2, "Desc"), page(2, 2, "Desc"), page(4, 2, "Desc")
	require.Len(t, p1.Response.MediaInfoSet, 2)
	require.Len(t, p2.Response.MediaInfoSet, 1)
	require.Empty(t, p3.Response.MediaInfoSet)
	for _, p := range []*vod.SearchMediaResponse{p1, p2, p3} {
		require.Equal(t, uint64(3), *p.Response.TotalCount)
	}
	var desc []string
	for _, m := range append(p1.Response.MediaInfoSet, p2.Response.MediaInfoSet...) {
		desc = append(desc, *m.FileId)
	}
	require.ElementsMatch(t, slices.Collect(maps.Values(ids)), desc)

	// A page of nothing still counts the matches.
	zero := page(0, 0, "Desc")
	require.Empty(t, zero.Response.MediaInfoSet)
	require.Equal(t, uint64(3), *zero.Response.TotalCount)

	// Sort: Asc is Desc reversed, and CreateTime never goes down.
	asc := page(0, 10, "Asc").Response.MediaInfoSet
	var ascIDs []string
	for i, m := range asc {
		ascIDs = append(ascIDs, *m.FileId)
		if i > 0 {
			require.LessOrEqual(t, *asc[i-1].BasicInfo.CreateTime, *m.BasicInfo.CreateTime)
		}
	}
	slices.Reverse(desc)
	require.Equal(t, desc, ascIDs)

	// Bad parameters.
	_, err = c.SearchMedia(func() *vod.SearchMediaRequest {
		r := vod.NewSearchMediaRequest()
		r.Categories = common.StringPtrs([]string{"Movie"})
		return r
	}())
	requireCode(t, err, "InvalidParameterValue.Categories")
	_, err = c.SearchMedia(func() *vod.SearchMediaRequest {
		r := vod.NewSearchMediaRequest()
		r.Sort = &vod.SortBy{Field: common.StringPtr("Name"), Order: common.StringPtr("Asc")}
		return r
	}())
	requireCode(t, err, "InvalidParameterValue.Sort")
	_, err = c.SearchMedia(func() *vod.SearchMediaRequest {
		r := vod.NewSearchMediaRequest()
		r.Offset, r.Limit = common.Uint64Ptr(4990), common.Uint64Ptr(20)
		return r
	}())
	requireCode(t, err, "InvalidParameterValue.Offset")
}

func TestModifyMediaInfo(t *testing.T) {
	t.Parallel()
	// Two dozen modifications in a row go over the default 20 calls a second.
	s := startServer(t, serverOpts{Args: []string{"--no-rate-limit"}})
	src := newSource(t)
	fx := fixtures(t)
	c := s.client()
	p := pullMedia(t, c, src.URL+"/clip.mp4", nil)
	id := *p.FileId

	modify := func(fn func(r *vod.ModifyMediaInfoRequest)) (*vod.ModifyMediaInfoResponse, error) {
		r := vod.NewModifyMediaInfoRequest()
		r.FileId = common.StringPtr(id)
		fn(r)
		return c.ModifyMediaInfo(r)
	}
	basic := func() *vod.MediaBasicInfo { return describeMedia(t, c, nil, id).Response.MediaInfoSet[0].BasicInfo }

	_, err := modify(func(r *vod.ModifyMediaInfoRequest) {
		r.Name = common.StringPtr("renamed")
		r.Description = common.StringPtr("a test clip")
		r.ExpireTime = common.StringPtr("2031-02-03T04:05:06Z")
		r.AddTags = common.StringPtrs([]string{"a", "b", "c"})
	})
	require.NoError(t, err)
	b := basic()
	require.Equal(t, "renamed", *b.Name)
	require.Equal(t, "a test clip", *b.Description)
	require.Equal(t, "2031-02-03T04:05:06Z", *b.ExpireTime)
	require.Equal(t, []*string{common.StringPtr("a"), common.StringPtr("b"), common.StringPtr("c")}, b.TagSet)

	_, err = modify(func(r *vod.ModifyMediaInfoRequest) { r.DeleteTags = common.StringPtrs([]string{"b"}) })
	require.NoError(t, err)
	require.Equal(t, []*string{common.StringPtr("a"), common.StringPtr("c")}, basic().TagSet)
	_, err = modify(func(r *vod.ModifyMediaInfoRequest) { r.ClearTags = common.Int64Ptr(1) })
	require.NoError(t, err)
	require.Empty(t, basic().TagSet)
	// An expire time in another zone is stored in UTC; the never value resets it.
	_, err = modify(func(r *vod.ModifyMediaInfoRequest) { r.ExpireTime = common.StringPtr("2031-02-03T12:05:06+08:00") })
	require.NoError(t, err)
	require.Equal(t, "2031-02-03T04:05:06Z", *basic().ExpireTime)
	_, err = modify(func(r *vod.ModifyMediaInfoRequest) { r.ExpireTime = common.StringPtr("9999-12-31T23:59:59Z") })
	require.NoError(t, err)
	require.Equal(t, "9999-12-31T23:59:59Z", *basic().ExpireTime)

	// Conflicting and invalid requests.
	for _, tc := range []struct {
		name string
		set  func(r *vod.ModifyMediaInfoRequest)
		code string
	}{
		{"AddTags+ClearTags", func(r *vod.ModifyMediaInfoRequest) {
			r.AddTags, r.ClearTags = common.StringPtrs([]string{"x"}), common.Int64Ptr(1)
		}, "InvalidParameterValue.AddTagsAndClearTagsConflict"},
		{"AddTags+DeleteTags", func(r *vod.ModifyMediaInfoRequest) {
			r.AddTags, r.DeleteTags = common.StringPtrs([]string{"x"}), common.StringPtrs([]string{"y"})
		}, "InvalidParameterValue.AddTagsAndDeleteTagsConflict"},
		{"AddKeyFrameDescs+Clear", func(r *vod.ModifyMediaInfoRequest) {
			r.AddKeyFrameDescs = []*vod.MediaKeyFrameDescItem{{TimeOffset: common.Float64Ptr(1), Content: common.StringPtr("x")}}
			r.ClearKeyFrameDescs = common.Int64Ptr(1)
		}, "InvalidParameterValue.AddKeyFrameDescsAndClearKeyFrameDescsConflict"},
		{"AddKeyFrameDescs+Delete", func(r *vod.ModifyMediaInfoRequest) {
			r.AddKeyFrameDescs = []*vod.MediaKeyFrameDescItem{{TimeOffset: common.Float64Ptr(1), Content: common.StringPtr("x")}}
			r.DeleteKeyFrameDescs = []*float64{common.Float64Ptr(2)}
		}, "InvalidParameterValue.AddKeyFrameDescsAndDeleteKeyFrameDescsConflict"},
		{"tag too long", func(r *vod.ModifyMediaInfoRequest) {
			r.AddTags = common.StringPtrs([]string{strings.Repeat("t", 33)})
		}, "InvalidParameterValue.TagTooLong"},
		{"too many tags", func(r *vod.ModifyMediaInfoRequest) {
			var tags []string
			for i := range 17 {
				tags = append(tags, fmt.Sprint("tag", i))
			}
			r.AddTags = common.StringPtrs(tags)
		}, "LimitExceeded.TagCountReachMax"},
		{"name too long", func(r *vod.ModifyMediaInfoRequest) { r.Name = common.StringPtr(strings.Repeat("n", 65)) }, "InvalidParameterValue.Name"},
		{"bad expire time", func(r *vod.ModifyMediaInfoRequest) { r.ExpireTime = common.StringPtr("tomorrow") }, "InvalidParameterValue.ExpireTime"},
		{"cover not base64", func(r *vod.ModifyMediaInfoRequest) { r.CoverData = common.StringPtr("***") }, "InvalidParameterValue.ImageDecodeError"},
		{"cover not an image", func(r *vod.ModifyMediaInfoRequest) {
			r.CoverData = common.StringPtr(base64.StdEncoding.EncodeToString([]byte("hello, world")))
		}, "InvalidParameterValue.ImageDecodeError"},
		{"unknown media", func(r *vod.ModifyMediaInfoRequest) {
			r.FileId = common.StringPtr("5285890812345678901")
			r.Name = common.StringPtr("x")
		}, "ResourceNotFound.FileNotExist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := modify(tc.set)
			requireCode(t, err, tc.code)
		})
	}
	// A rejected request changed nothing.
	b = basic()
	require.Equal(t, "renamed", *b.Name)
	require.Empty(t, b.TagSet)

	// Key frame descriptions: added in any order, listed by offset; the same
	// offset overwrites; delete by offset; clear.
	_, err = modify(func(r *vod.ModifyMediaInfoRequest) {
		r.AddKeyFrameDescs = []*vod.MediaKeyFrameDescItem{
			{TimeOffset: common.Float64Ptr(1.5), Content: common.StringPtr("goal")},
			{TimeOffset: common.Float64Ptr(0.5), Content: common.StringPtr("kick-off")},
		}
	})
	require.NoError(t, err)
	_, err = modify(func(r *vod.ModifyMediaInfoRequest) {
		r.AddKeyFrameDescs = []*vod.MediaKeyFrameDescItem{{TimeOffset: common.Float64Ptr(1.5), Content: common.StringPtr("GOAL")}}
	})
	require.NoError(t, err)
	keyFrames := func() []string {
		req := vod.NewDescribeMediaInfosRequest()
		req.FileIds = common.StringPtrs([]string{id})
		req.Filters = common.StringPtrs([]string{"keyFrameDescInfo"})
		r, err := c.DescribeMediaInfos(req)
		require.NoError(t, err)
		info := r.Response.MediaInfoSet[0]
		require.Nil(t, info.BasicInfo)
		var out []string
		if info.KeyFrameDescInfo != nil {
			for _, k := range info.KeyFrameDescInfo.KeyFrameDescSet {
				out = append(out, fmt.Sprintf("%g=%s", *k.TimeOffset, *k.Content))
			}
		}
		return out
	}
	require.Equal(t, []string{"0.5=kick-off", "1.5=GOAL"}, keyFrames())
	_, err = modify(func(r *vod.ModifyMediaInfoRequest) { r.DeleteKeyFrameDescs = []*float64{common.Float64Ptr(0.5)} })
	require.NoError(t, err)
	require.Equal(t, []string{"1.5=GOAL"}, keyFrames())
	_, err = modify(func(r *vod.ModifyMediaInfoRequest) { r.ClearKeyFrameDescs = common.Int64Ptr(1) })
	require.NoError(t, err)
	require.Empty(t, keyFrames())

	// Concurrent changes to one media all land.
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := modify(func(r *vod.ModifyMediaInfoRequest) { r.AddTags = common.StringPtrs([]string{fmt.Sprint("c", i)}) })
			require.NoError(t, err)
		}()
	}
	wg.Wait()
	require.Len(t, basic().TagSet, 10)

	// A cover from CoverData is stored and served.
	r, err := modify(func(r *vod.ModifyMediaInfoRequest) {
		r.CoverData = common.StringPtr(base64.StdEncoding.EncodeToString(fx.Cover))
	})
	require.NoError(t, err)
	cover := *r.Response.CoverUrl
	require.True(t, strings.HasPrefix(cover, s.URL+"/"), cover)
	require.Equal(t, cover, *basic().CoverUrl)
	res, got := httpGet(t, cover, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "image/png", res.Header.Get("Content-Type"))
	require.Equal(t, fx.Cover, got)
	require.Greater(t, *basic().UpdateTime, "")
}

func TestDeleteMedia(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	src := newSource(t)
	fx := fixtures(t)
	c := s.client()

	keep := pullMedia(t, c, src.URL+"/clip2.mp4", nil)
	p := pullMedia(t, c, src.URL+"/clip.mp4", nil)
	id := *p.FileId
	mod := vod.NewModifyMediaInfoRequest()
	mod.FileId = common.StringPtr(id)
	mod.CoverData = common.StringPtr(base64.StdEncoding.EncodeToString(fx.Cover))
	mr, err := c.ModifyMediaInfo(mod)
	require.NoError(t, err)
	cover := *mr.Response.CoverUrl
	res, _ := httpGet(t, cover, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)

	del := vod.NewDeleteMediaRequest()
	del.FileId = common.StringPtr(id)
	_, err = c.DeleteMedia(del)
	require.NoError(t, err)

	resp := describeMedia(t, c, nil, id, *keep.FileId).Response
	require.Equal(t, []*string{common.StringPtr(id)}, resp.NotExistFileIdSet)
	require.Len(t, resp.MediaInfoSet, 1)
	res, _ = httpGet(t, *p.FileUrl, nil)
	require.Equal(t, http.StatusNotFound, res.StatusCode, "the deleted original is still served")
	res, _ = httpGet(t, cover, nil)
	require.Equal(t, http.StatusNotFound, res.StatusCode, "the deleted cover is still served")
	res, _ = httpGet(t, *keep.FileUrl, nil)
	require.Equal(t, http.StatusOK, res.StatusCode, "another media's file went with it")

	sr := searchMedia(t, c, nil)
	require.Equal(t, uint64(1), *sr.Response.TotalCount)
	require.Equal(t, *keep.FileId, *sr.Response.MediaInfoSet[0].FileId)

	// Deleting again, or deleting what never existed, fails.
	_, err = c.DeleteMedia(del)
	requireCode(t, err, "ResourceNotFound.FileNotExist")
	mod.CoverData = nil
	mod.Name = common.StringPtr("ghost")
	_, err = c.ModifyMediaInfo(mod)
	requireCode(t, err, "ResourceNotFound.FileNotExist")
	del.FileId = nil
	_, err = c.DeleteMedia(del)
	requireCode(t, err, "MissingParameter")
}

func TestDescribeFileAttributes(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	src := newSource(t)
	fx := fixtures(t)
	clip := readFile(t, fx.Clip)
	c := s.client()
	p := pullMedia(t, c, src.URL+"/clip.mp4", nil)

	var out struct{ TaskId string }
	require.NoError(t, s.callInto(t, "DescribeFileAttributes", map[string]any{
		"FileId": *p.FileId, "SessionContext": "attrs", "SessionId": "attrs-1"}, &out))
	require.Regexp(t, `^1250000001-DescribeFileAttributes-[0-9a-f]{32}t0$`, out.TaskId)
	d := waitTask(t, c, out.TaskId, nil)
	require.Equal(t, "FINISH", *d.Response.Status)
	require.Equal(t, "DescribeFileAttributesTask", *d.Response.TaskType)

	body := s.rawBody(t, "DescribeTaskDetail", `{"TaskId":"`+out.TaskId+`"}`)
	resp := requireOnlyResult(t, body, "DescribeFileAttributesTask")
	var task struct {
		TaskId, Status, ErrCodeExt, Message, FileId, SessionId, SessionContext string
		ErrCode, Progress                                                      int64
		Output                                                                 struct{ Md5, Sha1 string }
	}
	requireInts(t, resp["DescribeFileAttributesTask"], "ErrCode", "Progress")
	require.NoError(t, json.Unmarshal(resp["DescribeFileAttributesTask"], &task))
	wantMD5, wantSHA1 := md5.Sum(clip), sha1.Sum(clip)
	require.Equal(t, hex.EncodeToString(wantMD5[:]), task.Output.Md5)
	require.Equal(t, hex.EncodeToString(wantSHA1[:]), task.Output.Sha1)
	require.Equal(t, "SUCCESS", task.Status)
	require.Equal(t, int64(0), task.ErrCode)
	require.Equal(t, "", task.ErrCodeExt)
	require.Equal(t, int64(100), task.Progress)
	require.Equal(t, *p.FileId, task.FileId)
	require.Equal(t, "attrs", task.SessionContext)
	require.Equal(t, "attrs-1", task.SessionId)

	// The MD5 is part of the media's metadata too (the SDK v1.0.162 does not
	// know the field: read it raw).
	var infos struct {
		MediaInfoSet []struct{ MetaData struct{ Md5 string } }
	}
	require.NoError(t, s.callInto(t, "DescribeMediaInfos", map[string]any{"FileIds": []string{*p.FileId}}, &infos))
	require.Equal(t, hex.EncodeToString(wantMD5[:]), infos.MediaInfoSet[0].MetaData.Md5)

	// DescribeTasks lists it with its FileId.
	lr := vod.NewDescribeTasksRequest()
	lr.FileId = p.FileId
	tasks, err := c.DescribeTasks(lr)
	require.NoError(t, err)
	var listed []string
	for _, ti := range tasks.Response.TaskSet {
		listed = append(listed, *ti.TaskId)
	}
	require.Contains(t, listed, out.TaskId)

	// Unknown media: rejected synchronously.
	err = s.callInto(t, "DescribeFileAttributes", map[string]any{"FileId": "5285890812345678901"}, nil)
	requireRawCode(t, err, "ResourceNotFound.FileNotExist")
	// The SessionId cannot be used twice.
	err = s.callInto(t, "DescribeFileAttributes", map[string]any{"FileId": *p.FileId, "SessionId": "attrs-1"}, nil)
	requireRawCode(t, err, "InvalidParameterValue.SessionId")
}

func TestPullNaming(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	src := newSource(t)
	fx := fixtures(t)
	src.put("/download", readFile(t, fx.Clip2))
	c := s.client()

	for _, tc := range []struct {
		name, url, mediaType    string
		wantName, wantType, ctp string
	}{
		{"no extension: probed", src.URL + "/download", "", "download", "mp4", "video/mp4"},
		{"query string", src.URL + "/clip2.mp4?sig=a%2Fb&expires=1", "", "clip2", "mp4", "video/mp4"},
		{"audio", src.URL + "/tone.m4a", "", "tone", "m4a", "audio/mp4"},
		{"explicit MediaType", src.URL + "/download", "mov", "download", "mov", "video/quicktime"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			params := map[string]any{"MediaUrl": tc.url}
			if tc.mediaType != "" {
				params["MediaType"] = tc.mediaType
			}
			var out struct{ TaskId string }
			require.NoError(t, s.callInto(t, "PullUpload", params, &out))
			d := waitTask(t, c, out.TaskId, nil).Response.PullUploadTask
			require.Equal(t, int64(0), *d.ErrCode, *d.Message)
			b := d.MediaBasicInfo
			require.Equal(t, tc.wantName, *b.Name)
			require.Equal(t, tc.wantType, *b.Type)
			require.True(t, strings.HasSuffix(*d.FileUrl, "."+tc.wantType), *d.FileUrl)
			res, _ := httpGet(t, *d.FileUrl, map[string]string{"Range": "bytes=0-15"})
			require.Equal(t, http.StatusPartialContent, res.StatusCode)
			require.Equal(t, tc.ctp, res.Header.Get("Content-Type"))
		})
	}
}
