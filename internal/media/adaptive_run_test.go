package media

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// adaptiveStreams is a two-rendition ladder for the 320x240 sources.
func adaptiveStreams() []AdaptiveStream {
	audio := AudioSpec{Bitrate: 48_000, SampleRate: 44100, Channels: 2}
	return []AdaptiveStream{
		{Video: VideoSpec{Preset: "ultrafast", Bitrate: 150_000, Scale: Scale{Height: 120, ResolutionAdaptive: true}}, Audio: audio},
		{Video: VideoSpec{Preset: "ultrafast", CRF: 30, Scale: Scale{Height: 240, ResolutionAdaptive: true}}, Audio: audio},
	}
}

// TestAdaptiveHLSEncrypted packages two renditions as encrypted HLS and
// checks the master playlist, the variants, and that the segments are
// AES-128 ciphertext that the key turns back into MPEG-TS.
func TestAdaptiveHLSEncrypted(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src, p := e.source(t, "av")
	out := filepath.Join(e.dir, "out")
	require.NoError(t, os.Mkdir(out, 0o755))
	key, err := WriteHLSKey(e.dir, "k", "https://vod.example/keys/k1", nil, "")
	require.NoError(t, err)

	plan, err := PlanAdaptive(src, AdaptiveSpec{
		Format: FormatHLS, Dir: out, Manifest: "adp.12.m3u8", SegmentSeconds: 1,
		Streams: adaptiveStreams(), Key: key,
	}, p)
	require.NoError(t, err)
	e.run(t, plan)

	require.Equal(t, filepath.Join(out, "adp.12.m3u8"), plan.Manifest)
	uris, tags := playlistEntries(t, plan.Manifest)
	require.Equal(t, []string{"adp.12_0.m3u8", "adp.12_1.m3u8"}, uris)
	var inf []string
	for _, tag := range tags {
		if strings.HasPrefix(tag, "#EXT-X-STREAM-INF:") {
			inf = append(inf, tag)
		}
	}
	require.Len(t, inf, 2)
	require.Contains(t, inf[0], "RESOLUTION=160x120")
	require.Contains(t, inf[1], "RESOLUTION=320x240")
	for _, s := range inf {
		require.Contains(t, s, "BANDWIDTH=")
		require.Contains(t, s, "mp4a.40.2", "audio muxed in each variant")
	}

	for i, o := range plan.Outputs {
		require.Equal(t, filepath.Join(out, uris[i]), o.Path)
		segs, tags := playlistEntries(t, o.Path)
		require.Len(t, segs, 2, "one segment per second, in step")
		var keyTag string
		for _, tag := range tags {
			if strings.HasPrefix(tag, "#EXT-X-KEY:") {
				keyTag = tag
			}
		}
		require.Contains(t, keyTag, `METHOD=AES-128,URI="https://vod.example/keys/k1"`)
		for _, seg := range segs {
			path := filepath.Join(out, seg)
			require.True(t, notTS(t, path), "%s is plain MPEG-TS", seg)
			plain := decryptSegment(t, path, key.Key, keyTag)
			require.Equal(t, byte(0x47), plain[0], "%s does not decrypt to MPEG-TS", seg)
			require.Equal(t, byte(0x47), plain[188])
		}
	}
	require.Equal(t, 160, plan.Outputs[0].Width)
	require.Equal(t, 240, plan.Outputs[1].Height)
	require.Zero(t, countFiles(t, out, "*.key"), "the key stays out of the published directory")
}

// decryptSegment decrypts an AES-128 HLS segment with the IV its
// #EXT-X-KEY tag states.
func decryptSegment(t *testing.T, path string, key []byte, keyTag string) []byte {
	t.Helper()
	_, ivHex, ok := strings.Cut(keyTag, "IV=0x")
	require.True(t, ok, "no IV in %q", keyTag)
	iv, err := hex.DecodeString(ivHex[:32])
	require.NoError(t, err)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Zero(t, len(b)%aes.BlockSize)
	block, err := aes.NewCipher(key)
	require.NoError(t, err)
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(b, b)
	return b
}

// TestAdaptiveHLSPlain: without a key the segments are MPEG-TS, and a
// video-only source gives video-only variants.
func TestAdaptiveHLSPlain(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src, p := e.source(t, "video")
	plan, err := PlanAdaptive(src, AdaptiveSpec{Format: "HLS", Dir: e.dir, SegmentSeconds: 1, Streams: adaptiveStreams()}, p)
	require.NoError(t, err)
	e.run(t, plan)
	uris, tags := playlistEntries(t, filepath.Join(e.dir, "master.m3u8"))
	require.Equal(t, []string{"master_0.m3u8", "master_1.m3u8"}, uris)
	require.NotContains(t, strings.Join(tags, "\n"), "mp4a")
	segs, _ := playlistEntries(t, plan.Outputs[1].Path)
	require.Len(t, segs, 2)
	q := e.probe(t, filepath.Join(e.dir, segs[0]))
	requireVideo(t, q, "h264", 320, 240, 25)
	require.Empty(t, q.Audio)
	require.False(t, plan.Outputs[0].Audio)
}

// TestAdaptiveDASH packages two renditions sharing one audio encode.
func TestAdaptiveDASH(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src, p := e.source(t, "av")
	plan, err := PlanAdaptive(src, AdaptiveSpec{Format: FormatDASH, Dir: e.dir, SegmentSeconds: 1, Streams: adaptiveStreams()}, p)
	require.NoError(t, err)
	e.run(t, plan)
	mpd := filepath.Join(e.dir, "manifest.mpd")
	require.Equal(t, mpd, plan.Manifest)
	require.Equal(t, 2, mpdCount(t, mpd, `<AdaptationSet `))
	require.Equal(t, 3, mpdCount(t, mpd, `<Representation `), "two video, one audio")
	require.Equal(t, 1, mpdCount(t, mpd, `width="160" height="120"`))
	require.Equal(t, 1, mpdCount(t, mpd, `width="320" height="240"`))
	require.Equal(t, 3, countFiles(t, e.dir, "manifest-init-*.m4s"))
	for _, rep := range []string{"0", "1"} {
		require.Equal(t, 2, countFiles(t, e.dir, "manifest-chunk-"+rep+"-*.m4s"), "video %s in step", rep)
	}
}

// TestAdaptiveDASHRoundedShapes packages renditions whose even sizes are
// not quite the same shape (320x240 and 170x128): ffmpeg's dash muxer
// refuses differing aspect ratios in one adaptation set unless the plan
// gives them one.
func TestAdaptiveDASHRoundedShapes(t *testing.T) {
	t.Parallel()
	e := setup(t)
	src, p := e.source(t, "av")
	streams := adaptiveStreams()
	streams[0].Video.Scale.Height = 128
	plan, err := PlanAdaptive(src, AdaptiveSpec{Format: FormatDASH, Dir: e.dir, SegmentSeconds: 1, Streams: streams}, p)
	require.NoError(t, err)
	require.Equal(t, 2, strings.Count(strings.Join(plan.Args, " "), "setdar=4/3"), "both renditions shown 4:3")
	e.run(t, plan)
	mpd := filepath.Join(e.dir, "manifest.mpd")
	require.Equal(t, 1, mpdCount(t, mpd, `width="170" height="128"`))
	require.Equal(t, 1, mpdCount(t, mpd, `width="320" height="240"`))
}
