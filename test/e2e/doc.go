// Package e2e holds end-to-end tests: they build the real openvod binary,
// run it on free ports against real SQLite, storage and ffmpeg, and drive
// it with the official Tencent Cloud SDKs.
package e2e
