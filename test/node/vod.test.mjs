// The official Tencent Cloud Node.js VOD SDK, configured the way a user
// points it at a self-hosted server, against a real openvod process.
//
// test/e2e/node_test.go starts the server and a file server for a small mp4,
// then runs `node --test vod.test.mjs` with:
//
//   OPENVOD_ENDPOINT    host:port of the API (no scheme)
//   OPENVOD_SECRET_ID   API key id
//   OPENVOD_SECRET_KEY  API key secret
//   OPENVOD_MEDIA_URL   http URL of a small H.264/AAC mp4 (320x240)
//   OPENVOD_APP_ID      optional: the account AppId (= the default SubAppId)
//
// Things the Node SDK does differently from the Go and Python SDKs, which
// these tests therefore cover against the real server:
//   * the credential-scope service is the endpoint's first DNS label
//     ("127" for 127.0.0.1:port, "localhost:port" for localhost:port);
//   * Host is sent with the port but signed without it;
//   * X-TC-Region is sent only when a region is given;
//   * GET flattens parameters with querystring.stringify (unsorted, %20);
//   * the v1 HmacSHA1/HmacSHA256 methods sign "METHOD host:port/?k=v&...".
import { test } from "node:test";
import assert from "node:assert/strict";
import { vod } from "tencentcloud-sdk-nodejs-vod";

const env = (name) => {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set: run this file through test/e2e (go test ./test/e2e -run TestNodeSDK)`);
  }
  return v;
};

const endpoint = env("OPENVOD_ENDPOINT");
const secretId = env("OPENVOD_SECRET_ID");
const secretKey = env("OPENVOD_SECRET_KEY");
const mediaUrl = env("OPENVOD_MEDIA_URL");
const appId = process.env.OPENVOD_APP_ID ? Number(process.env.OPENVOD_APP_ID) : undefined;
const port = endpoint.slice(endpoint.lastIndexOf(":") + 1);

// client builds a VOD client exactly as a user would; overrides go into
// the credential, the client config or the httpProfile.
function client({ credential = {}, httpProfile = {}, ...config } = {}) {
  return new vod.v20180717.Client({
    credential: { secretId, secretKey, ...credential },
    region: "",
    profile: {
      httpProfile: { endpoint, protocol: "http://", reqTimeout: 30, ...httpProfile },
    },
    ...config,
  });
}

// rejectsWithCode asserts that promise fails with an SDK error whose code
// (the server's Response.Error.Code) is code.
async function rejectsWithCode(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.code, code, `want error code ${code}, got ${err.code}: ${err.message}`);
    assert.match(err.requestId, /^[0-9a-f-]{36}$/, "an error carries the server's RequestId");
    return true;
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// waitTask polls DescribeTaskDetail until the task is FINISH or ABORTED.
async function waitTask(c, TaskId) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const d = await c.DescribeTaskDetail({ TaskId });
    if (d.Status === "FINISH" || d.Status === "ABORTED") {
      return d;
    }
    if (Date.now() > deadline) {
      assert.fail(`task ${TaskId} still ${d.Status} after 90s`);
    }
    await sleep(200);
  }
}

test("DescribeSubAppIds lists the default application", async () => {
  const r = await client().DescribeSubAppIds({});
  assert.match(r.RequestId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(Array.isArray(r.SubAppIdInfoSet), "SubAppIdInfoSet is an array");
  assert.ok(r.SubAppIdInfoSet.length >= 1, "at least the default application");
  assert.equal(typeof r.TotalCount, "number");
  const first = r.SubAppIdInfoSet[0];
  assert.equal(typeof first.SubAppId, "number");
  assert.equal(first.Status, "On");
  if (appId !== undefined) {
    assert.equal(first.SubAppId, appId, "the default application (SubAppId == AppId) comes first");
  }
});

test("CreateSubAppId then DescribeSubAppIds sees it", async () => {
  const c = client();
  const Name = `node-sdk-${process.pid}-${Date.now()}`;
  const created = await c.CreateSubAppId({ Name, Description: "made by the Node SDK test" });
  assert.equal(typeof created.SubAppId, "number");
  assert.ok(Number.isSafeInteger(created.SubAppId) && created.SubAppId > 0);

  const all = await c.DescribeSubAppIds({});
  const mine = all.SubAppIdInfoSet.find((a) => a.SubAppId === created.SubAppId);
  assert.ok(mine, `SubAppId ${created.SubAppId} is listed: ${JSON.stringify(all.SubAppIdInfoSet)}`);
  assert.equal(mine.Name, Name);
  assert.equal(mine.Description, "made by the Node SDK test");
  assert.equal(mine.Status, "On");

  const byName = await c.DescribeSubAppIds({ Name });
  assert.deepEqual(byName.SubAppIdInfoSet.map((a) => a.SubAppId), [created.SubAppId]);
});

test("PullUpload, DescribeTaskDetail until FINISH, DescribeMediaInfos", { timeout: 120_000 }, async (t) => {
  const c = client();
  const pulled = await c.PullUpload({ MediaUrl: mediaUrl, MediaName: "node clip", SessionContext: "node-ctx" });
  assert.equal(typeof pulled.TaskId, "string");
  assert.ok(pulled.TaskId.length > 0);

  const d = await waitTask(c, pulled.TaskId);
  assert.equal(d.Status, "FINISH", JSON.stringify(d));
  assert.equal(d.TaskType, "PullUpload");
  const p = d.PullUploadTask;
  assert.ok(p, "PullUploadTask is set");
  assert.equal(p.ErrCode, 0, p.Message);
  assert.equal(p.SessionContext, "node-ctx");
  // FileIds exceed 2^53, so the API hands them out as strings.
  assert.equal(typeof p.FileId, "string");
  assert.match(p.FileId, /^[0-9]+$/);
  assert.equal(typeof p.MetaData.Width, "number");
  assert.equal(p.MetaData.Width, 320);
  assert.equal(p.MetaData.Height, 240);
  assert.ok(Math.abs(p.MetaData.Duration - 2) < 0.2, `Duration ${p.MetaData.Duration}`);
  const fileId = p.FileId;

  await t.test("DescribeMediaInfos returns the file", async () => {
    const m = await c.DescribeMediaInfos({ FileIds: [fileId] });
    assert.equal(m.MediaInfoSet.length, 1, JSON.stringify(m));
    const info = m.MediaInfoSet[0];
    assert.equal(info.FileId, fileId);
    assert.equal(info.BasicInfo.Name, "node clip");
    assert.equal(info.MetaData.Width, 320);
    assert.deepEqual(m.NotExistFileIdSet ?? [], []);
  });

  await t.test("DescribeMediaInfos over GET (flattened FileIds.0, Filters.N)", async () => {
    const m = await client({ httpProfile: { reqMethod: "GET" } }).DescribeMediaInfos({
      FileIds: [fileId, "5285890799999999999"],
      Filters: ["basicInfo", "metaData"],
    });
    assert.deepEqual(m.MediaInfoSet.map((i) => i.FileId), [fileId]);
    assert.equal(m.MediaInfoSet[0].BasicInfo.Name, "node clip");
    assert.equal(m.MediaInfoSet[0].MetaData.Height, 240);
    assert.deepEqual(m.NotExistFileIdSet, ["5285890799999999999"]);
  });

  await t.test("DescribeTaskDetail over GET", async () => {
    const g = await client({ httpProfile: { reqMethod: "GET" } }).DescribeTaskDetail({ TaskId: pulled.TaskId });
    assert.equal(g.Status, "FINISH");
    assert.equal(g.PullUploadTask.FileId, fileId);
  });
});

test("unknown TaskId is InvalidParameterValue.TaskId", async () => {
  await rejectsWithCode(client().DescribeTaskDetail({ TaskId: "1250000001-pull-doesnotexist" }), "InvalidParameterValue.TaskId");
});

test("wrong SecretKey is AuthFailure.SignatureFailure", async () => {
  await rejectsWithCode(
    client({ credential: { secretKey: secretKey + "x" } }).DescribeSubAppIds({}),
    "AuthFailure.SignatureFailure",
  );
});

test("unknown SecretId is AuthFailure.SecretIdNotFound", async () => {
  await rejectsWithCode(
    client({ credential: { secretId: "AKIDdoesnotexist" } }).DescribeSubAppIds({}),
    "AuthFailure.SecretIdNotFound",
  );
});

test("GET requests (httpProfile.reqMethod GET) are signed and answered", async () => {
  const c = client({ httpProfile: { reqMethod: "GET" } });
  const r = await c.DescribeSubAppIds({ Limit: 10, Offset: 0 });
  assert.ok(r.SubAppIdInfoSet.length >= 1);
  const Name = `node get ${Date.now()}`; // a space: Node sends %20
  const created = await c.CreateSubAppId({ Name });
  const listed = await c.DescribeSubAppIds({ Name });
  assert.deepEqual(listed.SubAppIdInfoSet.map((a) => a.SubAppId), [created.SubAppId]);
  await rejectsWithCode(
    client({ credential: { secretKey: secretKey + "x" }, httpProfile: { reqMethod: "GET" } }).DescribeSubAppIds({}),
    "AuthFailure.SignatureFailure",
  );
});

test("a region (X-TC-Region) is accepted and ignored", async () => {
  const r = await client({ region: "ap-guangzhou" }).DescribeSubAppIds({});
  assert.ok(r.SubAppIdInfoSet.length >= 1);
});

test("endpoint localhost:port (service name 'localhost:port' in the scope)", async () => {
  const r = await client({ httpProfile: { endpoint: `localhost:${port}` } }).DescribeSubAppIds({});
  assert.ok(r.SubAppIdInfoSet.length >= 1);
});

test("language en-US (X-TC-Language) is accepted", async () => {
  const c = new vod.v20180717.Client({
    credential: { secretId, secretKey },
    region: "",
    profile: { language: "en-US", httpProfile: { endpoint, protocol: "http://" } },
  });
  await assert.rejects(c.DescribeTaskDetail({ TaskId: "nope" }), (err) => {
    assert.equal(err.code, "InvalidParameterValue.TaskId");
    assert.ok(err.message.length > 0, "the error has a message");
    return true;
  });
});

for (const signMethod of ["HmacSHA256", "HmacSHA1"]) {
  test(`v1 signature (profile.signMethod ${signMethod})`, async () => {
    for (const reqMethod of ["POST", "GET"]) {
      const mk = (key) =>
        new vod.v20180717.Client({
          credential: { secretId, secretKey: key },
          region: "",
          profile: { signMethod, httpProfile: { endpoint, protocol: "http://", reqMethod } },
        });
      const r = await mk(secretKey).DescribeSubAppIds({ Limit: 5 });
      assert.ok(r.SubAppIdInfoSet.length >= 1, `${reqMethod}: ${JSON.stringify(r)}`);
      await rejectsWithCode(mk(secretKey + "x").DescribeSubAppIds({}), "AuthFailure.SignatureFailure");
    }
  });
}
