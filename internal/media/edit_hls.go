package media

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// ErrNotMediaPlaylist is the error of ParseHLSPlaylist for text that is
// not an HLS media playlist (not a playlist at all, or a master playlist).
var ErrNotMediaPlaylist = errors.New("not an HLS media playlist")

// HLSSegment is one segment of a media playlist, with the tags that apply
// to it.
type HLSSegment struct {
	// URI is the segment's address as the playlist writes it.
	URI string
	// Duration is the #EXTINF duration in seconds; Start is the sum of
	// the durations before it.
	Duration, Start float64
	// Key and Map are the #EXT-X-KEY and #EXT-X-MAP lines in force for
	// the segment ("" for none); ByteRange its own #EXT-X-BYTERANGE line.
	Key, Map, ByteRange string
	// Discontinuity marks a #EXT-X-DISCONTINUITY before the segment.
	Discontinuity bool
}

// HLSPlaylist is a parsed media playlist.
type HLSPlaylist struct {
	Version  int
	Segments []HLSSegment
}

// Duration is the playlist's total length in seconds.
func (p *HLSPlaylist) Duration() float64 {
	if len(p.Segments) == 0 {
		return 0
	}
	last := p.Segments[len(p.Segments)-1]
	return last.Start + last.Duration
}

// ParseHLSPlaylist reads a media playlist. Master playlists, text without
// #EXTM3U and playlists without segments give ErrNotMediaPlaylist.
func ParseHLSPlaylist(text string) (*HLSPlaylist, error) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "#EXTM3U" {
		return nil, fmt.Errorf("%w: it does not start with #EXTM3U", ErrNotMediaPlaylist)
	}
	p := &HLSPlaylist{Version: 3}
	var cur HLSSegment
	var key, xmap string
	have := false
	for _, line := range lines[1:] {
		line = strings.TrimSpace(line)
		tag, val, _ := strings.Cut(line, ":")
		switch {
		case line == "":
		case tag == "#EXT-X-STREAM-INF" || tag == "#EXT-X-MEDIA" || tag == "#EXT-X-I-FRAME-STREAM-INF":
			return nil, fmt.Errorf("%w: it is a master playlist; give the URL of one of its media playlists", ErrNotMediaPlaylist)
		case tag == "#EXT-X-VERSION":
			if v, err := strconv.Atoi(val); err == nil {
				p.Version = max(p.Version, v)
			}
		case tag == "#EXTINF":
			d, err := strconv.ParseFloat(strings.TrimSpace(strings.Split(val, ",")[0]), 64)
			if err != nil || d < 0 || math.IsInf(d, 0) {
				return nil, fmt.Errorf("%w: bad #EXTINF %q", ErrNotMediaPlaylist, line)
			}
			cur.Duration, have = d, true
		case tag == "#EXT-X-KEY":
			key = line
			if strings.Contains(val, "METHOD=NONE") {
				key = ""
			}
		case tag == "#EXT-X-MAP":
			xmap = line
		case tag == "#EXT-X-BYTERANGE":
			cur.ByteRange = line
		case tag == "#EXT-X-DISCONTINUITY":
			cur.Discontinuity = true
		case strings.HasPrefix(line, "#"):
			// Other tags (target duration, sequence, end list, ...) are
			// written afresh.
		default:
			if !have {
				return nil, fmt.Errorf("%w: segment %q has no #EXTINF", ErrNotMediaPlaylist, line)
			}
			cur.URI, cur.Key, cur.Map, cur.Start = line, key, xmap, p.Duration()
			p.Segments = append(p.Segments, cur)
			cur, have = HLSSegment{}, false
		}
	}
	if len(p.Segments) == 0 {
		return nil, fmt.Errorf("%w: it lists no segments", ErrNotMediaPlaylist)
	}
	return p, nil
}

// uriAttr matches the URI attribute of a #EXT-X-KEY or #EXT-X-MAP line.
var uriAttr = regexp.MustCompile(`URI="([^"]*)"`)

// Rewrite replaces every address the playlist names (segments, keys, init
// sections) by fn's result.
func (p *HLSPlaylist) Rewrite(fn func(uri string) string) {
	attr := func(line string) string {
		return uriAttr.ReplaceAllStringFunc(line, func(m string) string {
			return `URI="` + fn(uriAttr.FindStringSubmatch(m)[1]) + `"`
		})
	}
	for i := range p.Segments {
		s := &p.Segments[i]
		s.URI, s.Key, s.Map = fn(s.URI), attr(s.Key), attr(s.Map)
	}
}

// Clip returns the segments that overlap [start, end) seconds: whole
// segments, cut at their boundaries. Negative offsets count from the end;
// end 0 means the end. With endExclusive, the segment the end falls
// inside is left out. A window that starts past the end or keeps no
// segment is ErrOffsetBeyondDuration, an inverted one ErrInvalidSpec.
func (p *HLSPlaylist) Clip(start, end float64, endExclusive bool) ([]HLSSegment, error) {
	d := p.Duration()
	s := resolveOffset(start, d)
	e := end
	if e < 0 {
		e += d
	}
	if e == 0 || e > d {
		e = d
	}
	switch {
	case s >= d:
		return nil, fmt.Errorf("%w: start %ss, duration %ss", ErrOffsetBeyondDuration, formatSeconds(s), formatSeconds(d))
	case e <= s:
		return nil, fmt.Errorf("%w: the clip ends (%gs) before it starts (%gs)", ErrInvalidSpec, end, start)
	}
	const eps = 1e-6
	var out []HLSSegment
	for _, seg := range p.Segments {
		segEnd := seg.Start + seg.Duration
		if segEnd <= s+eps || seg.Start >= e-eps {
			continue
		}
		if endExclusive && segEnd > e+eps && e < d-eps {
			continue
		}
		out = append(out, seg)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no whole segment lies inside %ss-%ss", ErrOffsetBeyondDuration, formatSeconds(s), formatSeconds(e))
	}
	return out, nil
}

// WriteHLSPlaylist writes a VOD media playlist of the parts in order, with
// #EXT-X-DISCONTINUITY between parts (the parts may come from different
// encodes), repeating key and init-section tags where they change.
func WriteHLSPlaylist(version int, parts ...[]HLSSegment) string {
	var target float64
	for _, part := range parts {
		for _, s := range part {
			target = max(target, s.Duration)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:%d\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n",
		max(version, 3), int(math.Ceil(target-1e-3)))
	key, xmap := "", ""
	for i, part := range parts {
		for j, s := range part {
			if (j == 0 && i > 0) || (j > 0 && s.Discontinuity) {
				b.WriteString("#EXT-X-DISCONTINUITY\n")
			}
			if s.Key != key {
				if s.Key == "" {
					b.WriteString("#EXT-X-KEY:METHOD=NONE\n")
				} else {
					b.WriteString(s.Key + "\n")
				}
				key = s.Key
			}
			if s.Map != "" && (s.Map != xmap || j == 0) {
				b.WriteString(s.Map + "\n")
			}
			xmap = s.Map
			fmt.Fprintf(&b, "#EXTINF:%s,\n", strconv.FormatFloat(s.Duration, 'f', 6, 64))
			if s.ByteRange != "" {
				b.WriteString(s.ByteRange + "\n")
			}
			b.WriteString(s.URI + "\n")
		}
	}
	b.WriteString("#EXT-X-ENDLIST\n")
	return b.String()
}

// PlanHLSRemux plans one ffmpeg run that copies the streams of the local
// media playlist in (its segments beside it) into the MP4 file out,
// without re-encoding: ADTS AAC is rewrapped for MP4, the index goes up
// front. p is the playlist's probe; Duration comes from it.
func PlanHLSRemux(in, out string, p *Probe) (*Plan, error) {
	if p == nil || (len(p.Video) == 0 && len(p.Audio) == 0) {
		return nil, fmt.Errorf("plan hls remux: %w: the playlist has neither video nor audio", ErrNoStream)
	}
	args := inputArgs(in, 0, 0)
	o := Output{Path: out}
	if len(p.Video) > 0 {
		args = append(args, "-map", streamRef(0, p.Video[0].Index))
		o.Video, o.Width, o.Height, o.Fps = true, p.Video[0].Width, p.Video[0].Height, p.Video[0].FpsExact
	}
	if len(p.Audio) > 0 {
		args = append(args, "-map", streamRef(0, p.Audio[0].Index))
		o.Audio = true
	}
	args = append(args, "-c", "copy")
	if o.Audio && p.Audio[0].Codec == CodecAAC {
		args = append(args, "-bsf:a", "aac_adtstoasc")
	}
	args = append(args, "-f", "mp4", "-movflags", "+faststart", out)
	return &Plan{Args: args, Duration: sourceDuration(p), Outputs: []Output{o}}, nil
}
