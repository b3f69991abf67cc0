package media

import "fmt"

// DelogoParams describes a re-encode of Input into the mp4 Output with the
// box X,Y,W,H (display pixels) filled from its surroundings.
type DelogoParams struct {
	Input, Output string
	X, Y, W, H    int
	// FrameWidth and FrameHeight are the display size, to clamp the box.
	FrameWidth, FrameHeight int
	// Audio says whether to keep the first audio stream; CopyAudio whether
	// it can be copied into mp4 as it is (AAC, MP3) or is re-encoded to AAC.
	Audio, CopyAudio bool
}

// ClampDelogo fits a box inside the frame with the one-pixel border delogo
// interpolates from; ok is false when nothing is left.
func ClampDelogo(x, y, w, h, fw, fh int) (cx, cy, cw, ch int, ok bool) {
	x1, y1 := max(x, 1), max(y, 1)
	x2, y2 := min(x+w, fw-1), min(y+h, fh-1)
	if x2-x1 < 1 || y2-y1 < 1 {
		return 0, 0, 0, 0, false
	}
	return x1, y1, x2 - x1, y2 - y1, true
}

// DelogoArgs builds the re-encode of p; the box must have been clamped.
func DelogoArgs(p DelogoParams) []string {
	args := []string{"-protocol_whitelist", localProtocols, "-i", p.Input, "-map", "0:v:0",
		"-vf", fmt.Sprintf("delogo=x=%d:y=%d:w=%d:h=%d", p.X, p.Y, p.W, p.H),
		"-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"}
	switch {
	case !p.Audio:
		args = append(args, "-an")
	case p.CopyAudio:
		args = append(args, "-map", "0:a:0", "-c:a", "copy")
	default:
		args = append(args, "-map", "0:a:0", "-c:a", "aac", "-b:a", "128k")
	}
	return append(args, "-movflags", "+faststart", "-f", "mp4", p.Output)
}

// RemuxMP4Args copies the first video and audio stream of Input into an
// mp4 without re-encoding: a stored HLS media (a playlist and segments)
// made into one file.
func RemuxMP4Args(input, output string) []string {
	return []string{"-protocol_whitelist", localProtocols, "-i", input, "-map", "0:v:0", "-map", "0:a:0?",
		"-c", "copy", "-movflags", "+faststart", "-f", "mp4", output}
}
