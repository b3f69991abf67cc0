// Package vod is the VOD service: one handler per API action of version
// 2018-07-17, grouped by domain (apps, upload, media, tasks), and the task
// types those actions create. It turns requests (already authenticated and
// decoded by tcapi) into store writes and task submissions, and task work
// into ffmpeg runs and stored outputs.
package vod
