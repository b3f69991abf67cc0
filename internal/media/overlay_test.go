package media

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseLength(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want Length
		err  bool
	}{
		{in: "", want: Length{}},
		{in: "10%", want: Length{Value: 10, Percent: true}},
		{in: "20px", want: Length{Value: 20}},
		{in: "12.5", want: Length{Value: 12.5}},
		{in: "10W%", want: Length{Value: 10, Percent: true, Of: 'W'}},
		{in: "25S%", want: Length{Value: 25, Percent: true, Of: 'S'}},
		{in: "-3px", err: true},
		{in: "abc", err: true},
		{in: "X%", err: true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseLength(c.in)
			if c.err {
				require.ErrorIs(t, err, ErrInvalidSpec)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.want, got)
		})
	}
}

func TestLengthPixels(t *testing.T) {
	t.Parallel()
	const w, h = 640, 360
	for in, want := range map[string]int{"10%": 64, "10W%": 64, "10H%": 36, "50S%": 180, "50L%": 320, "7px": 7} {
		l, err := ParseLength(in)
		require.NoError(t, err)
		require.Equal(t, want, l.pixels(w, w, h), in)
	}
	l, _ := ParseLength("10%")
	require.Equal(t, 36, l.pixels(h, w, h), "a plain percentage is of the dimension the length lies along")
}

func TestOverlayGraph(t *testing.T) {
	t.Parallel()
	px := func(v float64) Length { return Length{Value: v} }
	pct := func(v float64) Length { return Length{Value: v, Percent: true} }
	cases := []struct {
		name  string
		ovs   []Overlay
		input int
		want  []string
	}{
		{
			name:  "image at the top left, 10% wide, keeping its shape",
			ovs:   []Overlay{{Image: "/w/wm.png", X: px(10), Y: px(10), Width: pct(10)}},
			input: 1,
			want:  []string{"[1:v]scale=64:-1[v0i0]", "[v0u][v0i0]overlay=x=10:y=10[v0]"},
		},
		{
			name: "image from the bottom right, half transparent, in a window",
			ovs: []Overlay{{Image: "/w/wm.png", Origin: OriginBottomRight, X: pct(5), Y: pct(10), Transparency: 50,
				Start: 1, End: 2.5}},
			input: 2,
			want: []string{"[2:v]format=rgba,colorchannelmixer=aa=0.5[v0i0]",
				"[v0u][v0i0]overlay=x=main_w-overlay_w-32:y=main_h-overlay_h-36:enable='between(t,1,2.5)'[v0]"},
		},
		{
			name: "text with an odd string, from the top right, from 1s on",
			ovs: []Overlay{{Text: &TextOverlay{Text: "a:b, [c]'d", FontFile: "/f/Sans.ttf", Size: 16, Color: "0xFF0000", Alpha: 0.5},
				Origin: OriginTopRight, X: px(4), Y: px(6), Start: 1}},
			want: []string{`[v0u]drawtext=fontfile=/f/Sans.ttf:text=a\\:b\, \[c\]\\\'d:expansion=none:fontsize=16:` +
				`fontcolor=0xFF0000@0.5:x=w-text_w-4:y=6:enable='gte(t,1)'[v0]`},
		},
		{
			name: "a mosaic, then an image: labels chain",
			ovs: []Overlay{
				{Mosaic: true, Origin: OriginBottomLeft, X: px(11), Y: px(0), Width: pct(25), Height: pct(25)},
				{Image: "/w/wm.png"},
			},
			input: 3,
			want: []string{
				"[v0u]split[v0m0b][v0m0c]",
				"[v0m0c]crop=160:90:10:270,scale=18:10,scale=160:90:flags=neighbor[v0m0p]",
				"[v0m0b][v0m0p]overlay=x=10:y=270[v0o0]",
				"[3:v]null[v0i1]",
				"[v0o0][v0i1]overlay=x=0:y=0[v0]",
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			for _, o := range c.ovs {
				require.NoError(t, o.check())
			}
			require.Equal(t, c.want, overlayGraph("v0u", "v0", "v0", c.ovs, 640, 360, c.input))
		})
	}
}

func TestOverlayCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		o    Overlay
	}{
		{name: "nothing to draw", o: Overlay{}},
		{name: "two things", o: Overlay{Image: "/a.png", Mosaic: true}},
		{name: "bad origin", o: Overlay{Image: "/a.png", Origin: "middle"}},
		{name: "window ends first", o: Overlay{Image: "/a.png", Start: 3, End: 2}},
		{name: "text without a font", o: Overlay{Text: &TextOverlay{Text: "x", Size: 10}}},
		{name: "mosaic without a size", o: Overlay{Mosaic: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			require.True(t, errors.Is(c.o.check(), ErrInvalidSpec))
		})
	}
}

func TestPlanLadderOverlays(t *testing.T) {
	t.Parallel()
	hd := probeAV(1920, 1080, 25, 60)
	outs := []OutputSpec{
		{Path: "/w/a.mp4", Video: VideoSpec{Scale: Scale{Height: 720, ResolutionAdaptive: true}},
			Overlays: []Overlay{{Image: "/w/wm.png", X: px(10), Y: px(10)}}},
		{Path: "/w/b.mp4", Video: VideoSpec{Scale: Scale{Height: 360, ResolutionAdaptive: true}},
			Overlays: []Overlay{{Image: "/w/wm2.png"}}},
	}
	plan, err := PlanLadder("/w/in.mp4", outs, hd)
	require.NoError(t, err)
	want := [][]string{
		input("/w/in.mp4"), input("/w/wm.png"), input("/w/wm2.png"),
		{"-filter_complex", "[0:0]scale=1280:720,split=2[v0up][v0uc0];[v0up]setsar=1,format=yuv420p[v0u];" +
			"[v0uc0]scale=640:360,setsar=1,format=yuv420p[v1u];" +
			"[1:v]null[v0i0];[v0u][v0i0]overlay=x=10:y=10[v0];" +
			"[2:v]null[v1i0];[v1u][v1i0]overlay=x=0:y=0[v1];" +
			"[0:1]asplit=2[as0][as1]"},
	}
	var flat []string
	for _, w := range want {
		flat = append(flat, w...)
	}
	require.Equal(t, flat, plan.Args[:len(flat)])

	_, err = PlanLadder("/w/in.mp4", []OutputSpec{{Path: "/w/c.mp4", Remux: true, Overlays: outs[0].Overlays}}, hd)
	require.ErrorIs(t, err, ErrInvalidSpec)
}

func px(v float64) Length { return Length{Value: v} }
