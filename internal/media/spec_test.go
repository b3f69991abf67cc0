package media

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// probeAV describes a source with one video stream (index 0) of w×h at
// fps, and one stereo AAC stream (index 1), dur seconds long.
func probeAV(w, h int, fps, dur float64) *Probe {
	return &Probe{
		Duration: dur, Width: w, Height: h, VideoDuration: dur, AudioDuration: dur,
		Video: []VideoStream{{Index: 0, Codec: "h264", Width: w, Height: h, Fps: int(fps + 0.5), FpsExact: fps, Frames: int64(dur * fps)}},
		Audio: []AudioStream{{Index: 1, Codec: "aac", SampleRate: 48000, Channels: 2}},
	}
}

func TestScaleGeometry(t *testing.T) {
	t.Parallel()
	type size struct{ w, h, cw, ch int }
	cases := []struct {
		name   string
		sw, sh int
		s      Scale
		even   bool
		want   size
	}{
		{"keep", 1920, 1080, Scale{}, true, size{1920, 1080, 1920, 1080}},
		{"keep odd source, even", 853, 481, Scale{}, true, size{852, 480, 852, 480}},
		{"keep odd source, image", 853, 481, Scale{}, false, size{853, 481, 853, 481}},
		{"height only", 1920, 1080, Scale{Height: 720}, true, size{1280, 720, 1280, 720}},
		{"width only", 1920, 1080, Scale{Width: 640}, true, size{640, 360, 640, 360}},
		{"derived side rounds to even", 1920, 1080, Scale{Height: 480}, true, size{854, 480, 854, 480}},
		{"short side of a portrait source", 1080, 1920, Scale{Height: 720, ResolutionAdaptive: true}, true, size{720, 1280, 720, 1280}},
		{"height of a portrait source when not adaptive", 1080, 1920, Scale{Height: 720}, true, size{406, 720, 406, 720}},
		{"long side of a portrait source", 1080, 1920, Scale{Width: 1280, ResolutionAdaptive: true}, true, size{720, 1280, 720, 1280}},
		{"adaptive box turns with a portrait source", 1080, 1920, Scale{Width: 1280, Height: 720, ResolutionAdaptive: true}, true, size{720, 1280, 720, 1280}},
		{"no upscale: one side", 320, 240, Scale{Height: 720}, true, size{320, 240, 320, 240}},
		{"upscale allowed", 320, 240, Scale{Height: 720, Upscale: true}, true, size{960, 720, 960, 720}},
		{"black box fits and pads", 1440, 1080, Scale{Width: 1280, Height: 720}, true, size{1280, 720, 960, 720}},
		{"white box", 1920, 800, Scale{Width: 1280, Height: 720, Fill: FillWhite}, true, size{1280, 720, 1280, 534}},
		{"gauss box", 1440, 1080, Scale{Width: 1280, Height: 720, Fill: FillGauss}, true, size{1280, 720, 960, 720}},
		{"stretch box", 1440, 1080, Scale{Width: 1280, Height: 720, Fill: FillStretch}, true, size{1280, 720, 1280, 720}},
		{"crop box covers", 1440, 1080, Scale{Width: 1280, Height: 720, Fill: FillCrop}, true, size{1280, 720, 1280, 960}},
		{"box above the source shrinks, keeping its shape", 320, 240, Scale{Width: 1280, Height: 720}, true, size{426, 240, 320, 240}},
		{"stretch above the source shrinks until no side grows", 640, 480, Scale{Width: 1280, Height: 720, Fill: FillStretch}, true, size{640, 360, 640, 360}},
		{"crop above the source", 320, 240, Scale{Width: 1280, Height: 720, Fill: FillCrop}, true, size{320, 180, 320, 240}},
		{"box above the source, upscale allowed", 320, 240, Scale{Width: 1280, Height: 720, Upscale: true}, true, size{1280, 720, 960, 720}},
		{"sprite cell", 320, 240, Scale{Width: 142, Height: 80, Fill: FillStretch}, false, size{142, 80, 142, 80}},
		{"fill type is case-insensitive", 1440, 1080, Scale{Width: 1280, Height: 720, Fill: "Stretch"}, true, size{1280, 720, 1280, 720}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g, err := tc.s.geometry(tc.sw, tc.sh, tc.even)
			require.NoError(t, err)
			require.Equal(t, tc.want, size{g.w, g.h, g.cw, g.ch})
		})
	}

	_, err := Scale{Fill: "tile"}.geometry(320, 240, true)
	require.ErrorIs(t, err, ErrInvalidSpec)
	_, err = Scale{Width: -1}.geometry(320, 240, true)
	require.ErrorIs(t, err, ErrInvalidSpec)
	_, err = Scale{}.geometry(0, 0, true)
	require.ErrorIs(t, err, ErrNoStream)
}

func TestScaleFilters(t *testing.T) {
	t.Parallel()
	post := []string{"setsar=1", "format=yuv420p"}
	cases := []struct {
		name string
		g    frameGeometry
		pre  []string
		post []string
		want string
	}{
		{"nothing to do", frameGeometry{sw: 320, sh: 240, w: 320, h: 240, cw: 320, ch: 240, fill: FillStretch}, nil, nil,
			"[0:0]null[v0]"},
		{"scale", frameGeometry{sw: 1920, sh: 1080, w: 1280, h: 720, cw: 1280, ch: 720, fill: FillStretch}, []string{"fps=25"}, post,
			"[0:0]fps=25,scale=1280:720,setsar=1,format=yuv420p[v0]"},
		{"pad black", frameGeometry{sw: 1440, sh: 1080, w: 1280, h: 720, cw: 960, ch: 720, fill: FillBlack}, nil, post,
			"[0:0]scale=960:720,pad=1280:720:160:0:black,setsar=1,format=yuv420p[v0]"},
		{"pad white without scaling", frameGeometry{sw: 320, sh: 240, w: 426, h: 240, cw: 320, ch: 240, fill: FillWhite}, nil, post,
			"[0:0]pad=426:240:53:0:white,setsar=1,format=yuv420p[v0]"},
		{"crop", frameGeometry{sw: 1440, sh: 1080, w: 1280, h: 720, cw: 1280, ch: 960, fill: FillCrop}, nil, post,
			"[0:0]scale=1280:960,crop=1280:720,setsar=1,format=yuv420p[v0]"},
		{"gauss", frameGeometry{sw: 1440, sh: 1080, w: 1280, h: 720, cw: 960, ch: 720, fill: FillGauss}, []string{"fps=25"}, post,
			"[0:0]fps=25,split[v0bg][v0fg];[v0bg]scale=1280:960,crop=1280:720,boxblur=36:1[v0bgb];" +
				"[v0fg]scale=960:720[v0fgs];[v0bgb][v0fgs]overlay=160:0,setsar=1,format=yuv420p[v0]"},
		{"gauss of the same shape is a plain scale", frameGeometry{sw: 1920, sh: 1080, w: 1280, h: 720, cw: 1280, ch: 720, fill: FillGauss}, nil, post,
			"[0:0]scale=1280:720,setsar=1,format=yuv420p[v0]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, tc.g.filters("0:0", "v0", "v0", tc.pre, tc.post))
		})
	}
}

func TestScaleSizeAndUpscales(t *testing.T) {
	t.Parallel()
	p := probeAV(1920, 1080, 25, 10)
	w, h, err := Scale{Height: 720, ResolutionAdaptive: true}.Size(p)
	require.NoError(t, err)
	require.Equal(t, []int{1280, 720}, []int{w, h})

	rotated := probeAV(1920, 1080, 25, 10)
	rotated.Rotate = 90
	w, h, err = Scale{Height: 720, ResolutionAdaptive: true}.Size(rotated)
	require.NoError(t, err)
	require.Equal(t, []int{720, 1280}, []int{w, h}, "portrait display")

	require.False(t, Scale{Height: 1080, ResolutionAdaptive: true}.Upscales(p))
	require.True(t, Scale{Height: 1440, ResolutionAdaptive: true}.Upscales(p))
	require.True(t, Scale{Height: 1440, ResolutionAdaptive: true, Upscale: true}.Upscales(p))
	require.False(t, Scale{}.Upscales(p))
	require.False(t, Scale{Width: 1920, Height: 1920}.Upscales(p), "a taller box pads, the picture keeps its size")
	require.True(t, Scale{Width: 1920, Height: 1920, Fill: FillStretch}.Upscales(p))

	_, _, err = Scale{}.Size(&Probe{Audio: p.Audio})
	require.ErrorIs(t, err, ErrNoStream)
}

func TestResolveTrim(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		start, end float64
		want       span
		err        error
	}{
		{"none", 0, 0, span{}, nil},
		{"window", 1, 3, span{1, 3}, nil},
		{"from the end", -4, -1, span{6, 9}, nil},
		{"end past the end means the end", 2, 30, span{2, 0}, nil},
		{"start before the beginning", -30, 0, span{0, 0}, nil},
		{"start at the end", 10, 0, span{}, ErrOffsetBeyondDuration},
		{"end before start", 5, 4, span{}, ErrInvalidSpec},
		{"end from the end before start", 5, -6, span{}, ErrInvalidSpec},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, e, err := resolveTrim(tc.start, tc.end, 10)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, span{s, e})
		})
	}
}
