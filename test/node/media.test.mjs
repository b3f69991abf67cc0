// The official Node.js VOD SDK driving the media task family that the Go
// SDK v1.0.162 lacks (quality inspection, enhancement, restoration,
// watermark removal, complex adaptive streaming) and the editing actions,
// against a real openvod process. Run through test/e2e (TestNodeSDK), with
// the environment described in vod.test.mjs.
//
// Each test checks what the SDK decodes: the task's result field, its
// status vocabulary and the JSON types (FileIds are strings, codes and
// sizes numbers).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { vod } from "tencentcloud-sdk-nodejs-vod";

const env = (name) => {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set: run this file through test/e2e (go test ./test/e2e -run TestNodeSDK)`);
  }
  return v;
};

const c = new vod.v20180717.Client({
  credential: { secretId: env("OPENVOD_SECRET_ID"), secretKey: env("OPENVOD_SECRET_KEY") },
  region: "",
  profile: { httpProfile: { endpoint: env("OPENVOD_ENDPOINT"), protocol: "http://", reqTimeout: 30 } },
});
const appId = Number(env("OPENVOD_APP_ID"));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// finished polls DescribeTaskDetail until the task ends and returns it.
async function finished(TaskId) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const d = await c.DescribeTaskDetail({ TaskId });
    if (d.Status === "FINISH" || d.Status === "ABORTED") {
      return d;
    }
    assert.ok(Date.now() < deadline, `task ${TaskId} still ${d.Status} after 120 s`);
    await sleep(200);
  }
}

// newMediaOutput checks an output that is a new media of its own.
async function newMediaOutput(out, source) {
  assert.equal(typeof out.FileId, "string");
  assert.match(out.FileId, /^[0-9]+$/);
  assert.notEqual(out.FileId, source);
  assert.match(out.FileUrl, /^http:\/\//);
  const m = await c.DescribeMediaInfos({ FileIds: [out.FileId] });
  assert.equal(m.MediaInfoSet.length, 1, `new media ${out.FileId} is listed`);
  assert.equal(m.MediaInfoSet[0].BasicInfo.MediaUrl, out.FileUrl);
  return m.MediaInfoSet[0];
}

let fileId;

before(async () => {
  const pulled = await c.PullUpload({ MediaUrl: env("OPENVOD_MEDIA_URL"), MediaName: "node media" });
  const d = await finished(pulled.TaskId);
  assert.equal(d.PullUploadTask.ErrCode, 0, d.PullUploadTask.Message);
  fileId = d.PullUploadTask.FileId;
});

test("EditMedia clips a second of the clip into a new media", async () => {
  const { TaskId } = await c.EditMedia({
    InputType: "File",
    FileInfos: [{ FileId: fileId, StartTimeOffset: 0.5, EndTimeOffset: 1.5 }],
    OutputConfig: { MediaName: "node edit" },
  });
  const d = await finished(TaskId);
  assert.equal(d.TaskType, "EditMedia");
  const r = d.EditMediaTask;
  assert.equal(r.Status, "FINISH");
  assert.equal(r.ErrCode, 0, r.Message);
  const m = await newMediaOutput(r.Output, fileId);
  assert.equal(m.BasicInfo.Name, "node edit");
  assert.ok(Math.abs(r.MetaData.Duration - 1) < 0.25, `Duration ${r.MetaData.Duration}`);
  await assert.rejects(c.EditMedia({ InputType: "File", FileInfos: [] }), (err) => {
    assert.equal(err.code, "InvalidParameter");
    return true;
  });
});

test("InspectMediaQuality reports typed findings", async () => {
  const { Definition } = await c.CreateQualityInspectTemplate({
    Name: "node qc",
    BlackWhiteEdgeConfigure: { Switch: "ON" },
    VoiceConfigure: { Switch: "ON" },
  });
  assert.equal(typeof Definition, "number");
  const { TaskId } = await c.InspectMediaQuality({ FileId: fileId, Definition, SessionContext: "qc" });
  const d = await finished(TaskId);
  assert.equal(d.TaskType, "QualityInspect");
  const r = d.QualityInspectTask;
  assert.equal(r.Status, "FINISH");
  assert.equal(r.ErrCodeExt, "", r.Message);
  assert.equal(r.SessionContext, "qc");
  assert.equal(r.Input.FileId, fileId);
  assert.equal(r.Output.NoAudio, 0);
  assert.equal(r.Output.NoVideo, 0);
  assert.equal(typeof r.Output.QualityEvaluationScore, "number");
  assert.ok(Array.isArray(r.Output.QualityInspectResultSet));
  const t = await c.DescribeQualityInspectTemplates({ Definitions: [Definition] });
  assert.equal(t.TotalCount, 1);
});

test("EnhanceMediaByTemplate and RebuildMedia make new media", async () => {
  const byTemplate = await c.EnhanceMediaByTemplate({ FileId: fileId, Definition: 10, OutputConfig: { MediaName: "node enhanced" } });
  const d = await finished(byTemplate.TaskId);
  assert.equal(d.TaskType, "RebuildMedia");
  assert.equal(d.RebuildMediaTask.ErrCode, 0, d.RebuildMediaTask.Message);
  await newMediaOutput(d.RebuildMediaTask.Output, fileId);

  const rebuilt = await c.RebuildMedia({
    FileId: fileId,
    VideoDenoiseInfo: { Switch: "ON", Type: "weak" },
    SuperResolutionInfo: { Switch: "ON", Type: "lq", Size: 2 },
    TargetInfo: { Container: "mp4", MediaName: "node rebuilt" },
  });
  const r = (await finished(rebuilt.TaskId)).RebuildMediaTask;
  assert.equal(r.ErrCode, 0, r.Message);
  assert.equal(r.Progress, 100);
  await newMediaOutput(r.Output, fileId);
  assert.equal(r.MetaData.Width, 640, "super-resolution doubled the 320x240 clip");
  assert.equal(r.MetaData.Height, 480);
});

test("EnhanceMediaQuality is a QualityEnhance task", async () => {
  const { TaskId } = await c.EnhanceMediaQuality({ FileId: fileId, Definition: 10 });
  const d = await finished(TaskId);
  assert.equal(d.TaskType, "QualityEnhance");
  assert.equal(d.QualityEnhanceTask.ErrCode, 0, d.QualityEnhanceTask.Message);
  await newMediaOutput(d.QualityEnhanceTask.Output, fileId);
});

test("RemoveWatermark finishes with a new media", async () => {
  const { TaskId } = await c.RemoveWatermark({ FileId: fileId });
  const d = await finished(TaskId);
  assert.equal(d.TaskType, "RemoveWatermarkTask");
  const r = d.RemoveWatermarkTask;
  assert.equal(r.Status, "FINISH");
  assert.equal(r.ErrCode, 0, r.Message);
  assert.equal(r.Input.FileId, fileId);
  await newMediaOutput(r.Output, fileId);
});

test("CreateComplexAdaptiveDynamicStreamingTask packages HLS", async () => {
  const { Definition } = await c.CreateAdaptiveDynamicStreamingTemplate({
    Format: "HLS",
    StreamInfos: [
      {
        Video: { Codec: "libx264", Fps: 25, Bitrate: 200, Height: 128 },
        Audio: { Codec: "libfdk_aac", Bitrate: 64, SampleRate: 44100 },
      },
    ],
  });
  const { TaskId } = await c.CreateComplexAdaptiveDynamicStreamingTask({
    SubAppId: appId,
    FileId: fileId,
    StreamParaSet: [{ Definition }],
  });
  const d = await finished(TaskId);
  assert.equal(d.TaskType, "ComplexAdaptiveDynamicStreaming");
  const set = d.ComplexAdaptiveDynamicStreamingTask.ComplexAdaptiveDynamicStreamingTaskResultSet;
  assert.equal(set.length, 1);
  assert.equal(set[0].Status, "SUCCESS", set[0].Message);
  assert.equal(set[0].Output.Definition, Definition);
  assert.equal(set[0].Output.Format, "HLS");
  const res = await fetch(set[0].Output.Url);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /^#EXTM3U/);
});
