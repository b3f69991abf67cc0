package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ffmpegRun is one ffmpeg process's wall time and CPU time (user+system,
// all its threads).
type ffmpegRun struct {
	Wall, CPU time.Duration
}

// runFFmpeg runs ffmpeg with args (an argument list, never a shell) at
// niceness nice, through nice(1) when nice > 0, and returns its wall and
// CPU times. nice(1) execs ffmpeg in place, so the process's CPU time is
// ffmpeg's.
func runFFmpeg(ctx context.Context, ffmpeg string, nice int, args []string) (ffmpegRun, error) {
	full := append([]string{"-hide_banner", "-nostdin", "-v", "error", "-y"}, args...)
	var cmd *exec.Cmd
	if nice > 0 {
		cmd = exec.CommandContext(ctx, "nice", append([]string{"-n", strconv.Itoa(nice), ffmpeg}, full...)...)
	} else {
		cmd = exec.CommandContext(ctx, ffmpeg, full...)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	t0 := time.Now()
	err := cmd.Run()
	wall := time.Since(t0)
	if err != nil {
		return ffmpegRun{}, fmt.Errorf("%s %s: %w: %s", cmd.Path, strings.Join(cmd.Args[1:], " "), err, bytes.TrimSpace(out.Bytes()))
	}
	st := cmd.ProcessState
	return ffmpegRun{Wall: wall, CPU: st.UserTime() + st.SystemTime()}, nil
}

// sourceArgs make the source: seconds of 1920x1080 30 fps testsrc2 in
// H.264 (x264 veryfast, default quality, a keyframe every 2 s) with a
// 440 Hz stereo AAC tone, in a faststart MP4.
func sourceArgs(seconds int, path string) []string {
	d := strconv.Itoa(seconds)
	return []string{
		"-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=" + d,
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=" + d,
		"-map", "0:v", "-map", "1:a", "-ac", "2",
		"-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "60",
		"-c:a", "aac", "-b:a", "128k", "-shortest", "-movflags", "+faststart", path,
	}
}

// encodeArgs are the encoder and muxer options of one rendition, the same
// for A and B and matching what OpenVOD's template asks for: libx264 at the
// server's preset and the rung's bitrate, AAC at 128 kb/s, 44.1 kHz,
// stereo, in an MP4 with its index up front (OpenVOD writes +faststart
// MP4s, so the baselines pay for the same rewrite).
func encodeArgs(r rendition, path string) []string {
	return []string{
		"-c:v", "libx264", "-preset", preset, "-b:v", strconv.Itoa(r.VideoKbps) + "k",
		"-c:a", "aac", "-b:a", strconv.Itoa(r.AudioKbps) + "k",
		"-ar", strconv.Itoa(r.SampleRate), "-ac", strconv.Itoa(r.Channels),
		"-f", "mp4", "-movflags", "+faststart", path,
	}
}

// outPath is the file rendition r of contestant label writes in dir.
func outPath(dir, label string, r rendition) string {
	return filepath.Join(dir, fmt.Sprintf("%s_%dp.mp4", label, r.Height))
}

// argsA is the ffmpeg run of one rendition for baseline A: decode the
// whole source, scale, encode.
func argsA(src string, r rendition, path string) []string {
	a := []string{"-i", src, "-map", "0:v:0", "-map", "0:a:0",
		"-vf", "scale=-2:" + strconv.Itoa(r.Height)}
	return append(a, encodeArgs(r, path)...)
}

// argsB is baseline B: one ffmpeg run that decodes the source once,
// splits the picture into one scaler per rendition and feeds each to its
// own encoders and output. Audio is decoded once too and mapped to each
// output's AAC encoder.
func argsB(src string, paths []string) []string {
	labels := make([]string, len(ladder))
	var split strings.Builder
	fmt.Fprintf(&split, "[0:v]split=%d", len(ladder))
	for i := range ladder {
		fmt.Fprintf(&split, "[s%d]", i)
	}
	graph := []string{split.String()}
	for i, r := range ladder {
		labels[i] = fmt.Sprintf("v%d", r.Height)
		graph = append(graph, fmt.Sprintf("[s%d]scale=-2:%d[%s]", i, r.Height, labels[i]))
	}
	a := []string{"-i", src, "-filter_complex", strings.Join(graph, ";")}
	for i, r := range ladder {
		a = append(a, "-map", "["+labels[i]+"]", "-map", "0:a:0")
		a = append(a, encodeArgs(r, paths[i])...)
	}
	return a
}

// probeResult is what ffprobe says about a file.
type probeResult struct {
	Duration float64
	Video    []probeStream
	Audio    []probeStream
}

type probeStream struct {
	Codec  string
	Width  int
	Height int
}

// probe runs ffprobe on a file or URL.
func probe(ctx context.Context, ffprobe, target string) (probeResult, error) {
	out, err := exec.CommandContext(ctx, ffprobe, "-v", "error", "-show_entries",
		"format=duration:stream=codec_type,codec_name,width,height", "-of", "json", target).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(bytes.TrimSpace(ee.Stderr))
		}
		return probeResult{}, fmt.Errorf("ffprobe %s: %w %s", target, err, msg)
	}
	var raw struct {
		Format  struct{ Duration string }
		Streams []struct {
			CodecType string `json:"codec_type"`
			CodecName string `json:"codec_name"`
			Width     int
			Height    int
		}
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		return probeResult{}, fmt.Errorf("ffprobe %s: %w", target, err)
	}
	var p probeResult
	p.Duration, err = strconv.ParseFloat(raw.Format.Duration, 64)
	if err != nil {
		return probeResult{}, fmt.Errorf("ffprobe %s: no duration (%q)", target, raw.Format.Duration)
	}
	for _, s := range raw.Streams {
		ps := probeStream{Codec: s.CodecName, Width: s.Width, Height: s.Height}
		switch s.CodecType {
		case "video":
			p.Video = append(p.Video, ps)
		case "audio":
			p.Audio = append(p.Audio, ps)
		}
	}
	return p, nil
}

// verify checks one output of rendition r: one H.264 video stream of the
// rung's height, one AAC audio stream, and the source's duration within
// 0.2 s.
func verify(ctx context.Context, ffprobe, target string, r rendition, srcDuration float64) error {
	p, err := probe(ctx, ffprobe, target)
	if err != nil {
		return err
	}
	switch {
	case len(p.Video) != 1:
		return fmt.Errorf("wrong output %s: %d video streams, want 1", target, len(p.Video))
	case p.Video[0].Codec != "h264":
		return fmt.Errorf("wrong output %s: video codec %s, want h264", target, p.Video[0].Codec)
	case p.Video[0].Height != r.Height:
		return fmt.Errorf("wrong output %s: height %d, want %d", target, p.Video[0].Height, r.Height)
	case len(p.Audio) != 1 || p.Audio[0].Codec != "aac":
		return fmt.Errorf("wrong output %s: audio %+v, want one aac stream", target, p.Audio)
	case math.Abs(p.Duration-srcDuration) > 0.2:
		return fmt.Errorf("wrong output %s: duration %.3f s, source %.3f s (more than 0.2 s apart)", target, p.Duration, srcDuration)
	}
	return nil
}
