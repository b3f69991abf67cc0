package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nodeDir holds the Node SDK test package (relative to this package's
// directory, which is the working directory of go test).
const nodeDir = "../node"

const npmInstallHint = "run `npm ci --prefix test/node` from the repository root (make test does this)"

// TestNodeSDK runs test/node/vod.test.mjs and media.test.mjs — the official Tencent Cloud
// Node.js VOD SDK configured as a user would — against a real server.
func TestNodeSDK(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node (>= 20) is required by TestNodeSDK: %v", err)
	}
	checkNodeModules(t)

	s := startServer(t, serverOpts{})
	dir := t.TempDir()
	makeMP4(t, filepath.Join(dir, "clip.mp4"), 2)
	src := mediaServer(t, dir)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec", "vod.test.mjs", "media.test.mjs")
	cmd.Dir = nodeDir
	cmd.WaitDelay = 10 * time.Second
	cmd.Env = append(nodeEnv(),
		"OPENVOD_ENDPOINT="+s.Addr,
		"OPENVOD_SECRET_ID="+s.SecretID,
		"OPENVOD_SECRET_KEY="+s.SecretKey,
		fmt.Sprintf("OPENVOD_APP_ID=%d", s.AppID),
		"OPENVOD_MEDIA_URL="+src.URL+"/clip.mp4",
		"NO_COLOR=1",
	)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test vod.test.mjs failed after %s: %v\n%s", time.Since(start).Round(time.Millisecond), err, out)
	}
	t.Logf("node --test vod.test.mjs passed in %s:\n%s", time.Since(start).Round(time.Millisecond), out)
}

// checkNodeModules fails the test unless test/node/node_modules holds the
// SDK version that test/node/package.json pins.
func checkNodeModules(t *testing.T) {
	t.Helper()
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	readJSON(t, filepath.Join(nodeDir, "package.json"), &pkg)
	const sdk = "tencentcloud-sdk-nodejs-vod"
	want := pkg.Dependencies[sdk]
	if want == "" {
		t.Fatalf("%s/package.json does not depend on %s", nodeDir, sdk)
	}
	installed := filepath.Join(nodeDir, "node_modules", sdk, "package.json")
	if _, err := os.Stat(installed); errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the Node SDK is not installed (%s is missing): %s", installed, npmInstallHint)
	}
	var got struct {
		Version string `json:"version"`
	}
	readJSON(t, installed, &got)
	if got.Version != want {
		t.Fatalf("test/node/node_modules has %s %s but package.json pins %s: %s", sdk, got.Version, want, npmInstallHint)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// nodeEnv is this process's environment without proxy settings: the Node
// SDK sends every request through $http_proxy when it is set (it ignores
// no_proxy), which would take loopback calls away from the test server.
// The OPENVOD_* server credentials are dropped too; the caller sets them.
func nodeEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch strings.ToLower(name) {
		case "http_proxy", "https_proxy", "all_proxy":
			continue
		}
		if strings.HasPrefix(name, "OPENVOD_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}
