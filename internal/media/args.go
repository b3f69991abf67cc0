package media

import (
	"math"
	"strconv"
	"strings"
)

// SnapshotArgs returns the ffmpeg arguments that write one frame taken at
// at seconds of in to the image out (its format follows out's extension).
// The seek comes before -i, so ffmpeg jumps to the nearest keyframe and
// decodes forward to the exact time instead of decoding from the start.
func SnapshotArgs(in string, at float64, out string) []string {
	return []string{"-ss", formatSeconds(at), "-i", in, "-frames:v", "1", out}
}

// VerifyArgs returns the ffmpeg arguments that decode every audio and video
// stream of in and discard the result, exiting with an error status at the
// first demuxing or decoding error (-xerror). Only local files are read.
func VerifyArgs(in string) []string {
	return []string{"-xerror", "-protocol_whitelist", localProtocols,
		"-i", in, "-map", "0:v?", "-map", "0:a?", "-f", "null", "-"}
}

// formatSeconds writes a time in seconds for ffmpeg, to the millisecond and
// without trailing zeros: 1.5 → "1.5", 2 → "2", negative → "0".
func formatSeconds(s float64) string {
	if s <= 0 || math.IsNaN(s) {
		return "0"
	}
	return strconv.FormatFloat(math.Round(s*1000)/1000, 'f', -1, 64)
}

// withThreads returns args with thread limits added so that n bounds every
// decoder, encoder and filter graph of the run: -filter_threads and
// -filter_complex_threads up front, and -threads n in the options of each
// input (before its -i) and of each output (before its name). ffmpeg's
// -threads is a per-file option: given once before the first -i it would
// bound only that input's decoder and leave the encoders on all cores. A
// file whose options already say -threads keeps the caller's value.
//
// Outputs are found as words that are neither options nor option values;
// ffmpeg's value-less options are listed in isBoolOption, and any other
// option takes the next word as its value unless that word is itself an
// option. An unknown value-less option can therefore only hide an output
// (which then runs without the limit), never break the command.
func withThreads(args []string, n int) []string {
	if n <= 0 {
		return args
	}
	ns := strconv.Itoa(n)
	out := make([]string, 0, len(args)+10)
	out = append(out, "-filter_threads", ns, "-filter_complex_threads", ns)
	fileHasThreads := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !isOption(a) {
			// An output: its options end here.
			if !fileHasThreads {
				out = append(out, "-threads", ns)
			}
			fileHasThreads = false
			out = append(out, a)
			continue
		}
		name, _, _ := strings.Cut(a[1:], ":")
		switch name {
		case "i":
			if !fileHasThreads {
				out = append(out, "-threads", ns)
			}
			fileHasThreads = false
			out = append(out, a)
			if i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
			continue
		case "threads":
			fileHasThreads = true
		}
		out = append(out, a)
		if !isFlagOption(name) && i+1 < len(args) && !isOption(args[i+1]) {
			i++
			out = append(out, args[i])
		}
	}
	return out
}

// isOption reports whether an argument is an option name ("-c:v") rather
// than a value or file name: a dash followed by a letter. "-" alone (a pipe)
// and negative numbers ("-0.5") are not options.
func isOption(a string) bool {
	if len(a) < 2 || a[0] != '-' {
		return false
	}
	c := a[1]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// isBoolOption reports whether name is one of ffmpeg 5.1's options that
// take no value.
func isBoolOption(name string) bool {
	switch name {
	case "y", "n", "hide_banner", "stats", "stdin", "ignore_unknown", "copy_unknown",
		"recast_media", "benchmark", "benchmark_all", "dump", "hex", "copyts",
		"start_at_zero", "xerror", "debug_ts", "auto_conversion_filters", "psnr",
		"vstats", "qphist", "report", "accurate_seek", "re", "shortest", "bitexact",
		"copyinkf", "copypriorss", "find_stream_info", "autorotate", "autoscale",
		"vn", "an", "sn", "dn", "intra", "fix_sub_duration":
		return true
	}
	return false
}

// isFlagOption reports whether the option name (without its dash) takes no
// value, including the "no" forms of boolean options (-nostdin, -nostats).
func isFlagOption(name string) bool {
	if isBoolOption(name) {
		return true
	}
	rest, ok := strings.CutPrefix(name, "no")
	return ok && isBoolOption(rest)
}
