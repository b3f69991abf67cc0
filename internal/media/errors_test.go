package media

import (
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestExitErrorMessages(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		err    *ExitError
		msg    string
		reason string
	}{
		{
			name: "root cause first",
			err: &ExitError{Program: "ffmpeg", ExitCode: 1, Args: []string{"-i", "/w/in.mp4", "/w/out.mp4"},
				Stderr: "[Parsed_scale_0 @ 0x5628bc7861c0] Invalid size 'abc'\n" +
					"[AVFilterGraph @ 0x5628bc7856c0] Error initializing filter 'scale' with args 'abc'\n" +
					"Error reinitializing filters!\nConversion failed!\n"},
			msg:    "ffmpeg exited with status 1: [Parsed_scale_0] Invalid size 'abc'",
			reason: "Invalid size 'abc'; Error initializing filter 'scale' with args 'abc'; Error reinitializing filters!",
		},
		{
			name: "paths stripped",
			err: &ExitError{Program: "ffprobe", ExitCode: 1, Args: []string{"-v", "error", "/w/a b.mp4"},
				Stderr: "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x563c8919d1c0] moov atom not found\n/w/a b.mp4: Invalid data found when processing input\n"},
			msg:    "ffprobe exited with status 1: [mov,mp4,m4a,3gp,3g2,mj2] moov atom not found",
			reason: "moov atom not found; Invalid data found when processing input",
		},
		{
			name:   "signal, no stderr",
			err:    &ExitError{Program: "ffmpeg", ExitCode: -1, Signal: syscall.SIGKILL},
			msg:    "ffmpeg killed by signal 9 (killed)",
			reason: "ffmpeg killed by signal 9 (killed)",
		},
		{
			name: "SVT-AV1 banner skipped",
			err: &ExitError{Program: "ffmpeg", ExitCode: 1,
				Stderr: "Svt[info]: -------------------------------------------\nSvt[info]: SVT [version]:\tSVT-AV1 Encoder Lib v1.4.1\n" +
					"[libsvtav1 @ 0x55d0c3a1] Error setting encoder parameters\n"},
			msg:    "ffmpeg exited with status 1: [libsvtav1] Error setting encoder parameters",
			reason: "Error setting encoder parameters",
		},
		{
			name:   "repeats collapse",
			err:    &ExitError{Program: "ffmpeg", ExitCode: 69, Stderr: "a\na\n\nb\n"},
			msg:    "ffmpeg exited with status 69: a",
			reason: "a; b",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.msg, tc.err.Error())
			require.Equal(t, tc.reason, tc.err.reason())
		})
	}
}

func TestTailBuffer(t *testing.T) {
	t.Parallel()

	small := newTailBuffer(64)
	fmt.Fprint(small, "one\n")
	fmt.Fprint(small, "two\r\n")
	require.Equal(t, "one\ntwo", small.String(20))

	// Bounded in bytes: the partial oldest line is dropped.
	b := newTailBuffer(32)
	for i := range 100 {
		fmt.Fprintf(b, "line %03d\n", i)
	}
	require.LessOrEqual(t, len(b.buf), 32)
	require.Equal(t, "line 097\nline 098\nline 099", b.String(20))

	// Bounded in lines.
	c := newTailBuffer(4096)
	for i := range 100 {
		fmt.Fprintf(c, "%d\n", i)
	}
	lines := strings.Split(c.String(20), "\n")
	require.Len(t, lines, 20)
	require.Equal(t, "80", lines[0])
	require.Equal(t, "99", lines[19])

	// One write bigger than the buffer.
	d := newTailBuffer(8)
	n, err := d.Write([]byte("0123456789\nabcdefghij"))
	require.NoError(t, err)
	require.Equal(t, 21, n)
	require.Equal(t, "cdefghij", string(d.buf))
	require.Empty(t, d.String(20), "no complete line survives")
}
