package media

import (
	"encoding/xml"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// SubtitleRendition is a side-car WebVTT subtitle track of an adaptive
// package.
type SubtitleRendition struct {
	// URI is where the manifest points: for HLS the subtitle media
	// playlist (SubtitlePlaylist), for DASH the .vtt file itself; relative
	// to the manifest.
	URI            string
	Name, Language string
	Default        bool
}

// subtitleGroup is the GROUP-ID of subtitle renditions in HLS.
const subtitleGroup = "subs"

// quoted makes s fit an HLS quoted-string attribute, which can hold
// neither a double quote nor a line break.
func quoted(s string) string {
	return `"` + strings.NewReplacer(`"`, "'", "\r", " ", "\n", " ").Replace(s) + `"`
}

func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

var (
	audioAttr     = regexp.MustCompile(`,AUDIO="[^"]*"`)
	subtitlesAttr = regexp.MustCompile(`,SUBTITLES="[^"]*"`)
)

// FinishComplexHLS rewrites the master playlist ffmpeg wrote for a
// PlanComplex run: ffmpeg's own #EXT-X-MEDIA lines give every audio
// rendition a generated name, so they are replaced with the renditions'
// NAME, LANGUAGE and DEFAULT (exactly one default: the first flagged, or
// the first), and subtitles are added as with SetHLSSubtitles.
func FinishComplexHLS(master string, res *ComplexResult, audios []ComplexAudio, subs []SubtitleRendition) string {
	def := 0
	for k, a := range audios {
		if a.Default {
			def = k
			break
		}
	}
	var media []string
	for k, a := range audios {
		if k >= len(res.AudioPlaylists) {
			break
		}
		line := "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=" + quoted(complexAudioGroup) + ",NAME=" + quoted(a.Name)
		if a.Language != "" {
			line += ",LANGUAGE=" + quoted(a.Language)
		}
		line += ",DEFAULT=" + yesNo(k == def) + ",AUTOSELECT=YES,URI=" + quoted(res.AudioPlaylists[k])
		media = append(media, line)
	}
	var out []string
	added := false
	lines := strings.Split(master, "\n")
	for i := 0; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\r")
		switch {
		case strings.HasPrefix(l, "#EXT-X-MEDIA:TYPE=AUDIO"):
			continue
		case strings.HasPrefix(l, "#EXT-X-STREAM-INF:") && i+1 < len(lines) && slices.Contains(res.AudioPlaylists, strings.TrimSpace(lines[i+1])):
			// ffmpeg may list the audio renditions as variants too; they
			// belong to the group only.
			i++
			continue
		case strings.HasPrefix(l, "#EXT-X-STREAM-INF:"):
			if !added {
				out, added = append(out, media...), true
			}
			l = audioAttr.ReplaceAllString(l, "")
			if len(media) > 0 {
				l += ",AUDIO=" + quoted(complexAudioGroup)
			}
		}
		out = append(out, l)
	}
	return SetHLSSubtitles(strings.Join(out, "\n"), subs)
}

// SetHLSSubtitles returns master with its subtitle renditions replaced by
// subs: the #EXT-X-MEDIA TYPE=SUBTITLES lines before the first variant,
// and every #EXT-X-STREAM-INF naming their group (or none when subs is
// empty). At most one rendition is DEFAULT.
func SetHLSSubtitles(master string, subs []SubtitleRendition) string {
	var media []string
	hasDefault := false
	for _, s := range subs {
		d := s.Default && !hasDefault
		hasDefault = hasDefault || d
		line := "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=" + quoted(subtitleGroup) + ",NAME=" + quoted(s.Name)
		if s.Language != "" {
			line += ",LANGUAGE=" + quoted(s.Language)
		}
		line += ",DEFAULT=" + yesNo(d) + ",AUTOSELECT=" + yesNo(d) + ",FORCED=NO,URI=" + quoted(s.URI)
		media = append(media, line)
	}
	var out []string
	added := false
	for _, l := range strings.Split(master, "\n") {
		l = strings.TrimRight(l, "\r")
		switch {
		case strings.HasPrefix(l, "#EXT-X-MEDIA:TYPE=SUBTITLES"):
			continue
		case strings.HasPrefix(l, "#EXT-X-STREAM-INF:"):
			if !added {
				out, added = append(out, media...), true
			}
			l = subtitlesAttr.ReplaceAllString(l, "")
			if len(media) > 0 {
				l += ",SUBTITLES=" + quoted(subtitleGroup)
			}
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// SubtitlePlaylist returns the HLS media playlist of a single-file WebVTT
// subtitle track lasting duration seconds, found at vttURI.
func SubtitlePlaylist(vttURI string, duration float64) string {
	duration = max(duration, 0.001)
	return "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:" + strconv.Itoa(int(math.Ceil(duration))) +
		"\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:" + strconv.FormatFloat(duration, 'f', 3, 64) +
		",\n" + vttURI + "\n#EXT-X-ENDLIST\n"
}

// FinishComplexDASH completes the MPD ffmpeg wrote for a PlanComplex run:
// each audio AdaptationSet (ids 1, 2, ... in the order of audios) gets a
// Label with its name and a Role, main for the default rendition and
// alternate for the others, and each subtitle becomes an AdaptationSet
// of its own holding the WebVTT file.
func FinishComplexDASH(mpd string, audios []ComplexAudio, subs []SubtitleRendition) (string, error) {
	def := 0
	for k, a := range audios {
		if a.Default {
			def = k
			break
		}
	}
	for k, a := range audios {
		open := fmt.Sprintf(`<AdaptationSet id="%d" contentType="audio"`, k+1)
		at := strings.Index(mpd, open)
		if at < 0 {
			return "", fmt.Errorf("finish DASH manifest: no adaptation set for audio %d", k)
		}
		end := strings.Index(mpd[at:], ">")
		if end < 0 {
			return "", fmt.Errorf("finish DASH manifest: adaptation set %d is cut short", k+1)
		}
		role := "alternate"
		if k == def {
			role = "main"
		}
		ins := "\n\t\t\t<Label>" + xmlText(a.Name) + `</Label>` +
			"\n\t\t\t" + `<Role schemeIdUri="urn:mpeg:dash:role:2011" value="` + role + `"/>`
		pos := at + end + 1
		mpd = mpd[:pos] + ins + mpd[pos:]
	}
	return SetDASHSubtitles(mpd, subs)
}

var (
	textSet = regexp.MustCompile(`(?s)[ \t]*<AdaptationSet[^>]*contentType="text"[^>]*>.*?</AdaptationSet>\n?`)
	setID   = regexp.MustCompile(`<AdaptationSet id="(\d+)"`)
)

// SetDASHSubtitles returns the MPD with its text AdaptationSets replaced by
// one per subtitle, each holding its WebVTT file (URI relative to the
// MPD), with its language, label and role (main for the default, at most
// one; subtitle for the others).
func SetDASHSubtitles(mpd string, subs []SubtitleRendition) (string, error) {
	mpd = textSet.ReplaceAllString(mpd, "")
	end := strings.LastIndex(mpd, "</Period>")
	if end < 0 {
		return "", fmt.Errorf("set DASH subtitles: the manifest has no Period")
	}
	next := 0
	for _, m := range setID.FindAllStringSubmatch(mpd, -1) {
		if n, _ := strconv.Atoi(m[1]); n >= next {
			next = n + 1
		}
	}
	var b strings.Builder
	hasDefault := false
	for k, s := range subs {
		role := "subtitle"
		if s.Default && !hasDefault {
			role, hasDefault = "main", true
		}
		fmt.Fprintf(&b, "\t\t<AdaptationSet id=\"%d\" contentType=\"text\" mimeType=\"text/vtt\"", next+k)
		if s.Language != "" {
			fmt.Fprintf(&b, " lang=\"%s\"", xmlText(s.Language))
		}
		fmt.Fprintf(&b, ">\n\t\t\t<Label>%s</Label>\n\t\t\t<Role schemeIdUri=\"urn:mpeg:dash:role:2011\" value=\"%s\"/>\n"+
			"\t\t\t<Representation id=\"sub%d\" bandwidth=\"256\">\n\t\t\t\t<BaseURL>%s</BaseURL>\n\t\t\t</Representation>\n\t\t</AdaptationSet>\n",
			xmlText(s.Name), role, k, xmlText(s.URI))
	}
	// The closing tag keeps its own indentation: insert at the line start.
	at := strings.LastIndex(mpd[:end], "\n") + 1
	return mpd[:at] + b.String() + mpd[at:], nil
}

// xmlText escapes s for XML text and attribute values.
func xmlText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return strings.ReplaceAll(b.String(), `"`, "&#34;")
}

// vttTimestamp matches a WebVTT cue timestamp: [hh:]mm:ss.ttt.
var vttTimestamp = regexp.MustCompile(`^(?:(\d+):)?([0-5]\d):([0-5]\d)\.(\d{3})$`)

// CheckVTT reports whether content is a WebVTT file: the signature line,
// and cue timing lines whose timestamps parse.
func CheckVTT(content string) error {
	_, err := ShiftVTT(content, 0)
	return err
}

// ShiftVTT returns the WebVTT content with every cue moved by seconds
// (a head joined before the video delays its subtitles by its length).
// It fails on content that is not WebVTT.
func ShiftVTT(content string, seconds float64) (string, error) {
	content = strings.TrimPrefix(content, "\ufeff")
	lines := strings.Split(strings.ReplaceAll(content, "\r\n", "\n"), "\n")
	if first := lines[0]; first != "WEBVTT" && !strings.HasPrefix(first, "WEBVTT ") && !strings.HasPrefix(first, "WEBVTT\t") {
		return "", fmt.Errorf("%w: a WebVTT file starts with the line WEBVTT", ErrInvalidSpec)
	}
	for i, l := range lines {
		arrow := strings.Index(l, "-->")
		if arrow < 0 {
			continue
		}
		start := strings.TrimSpace(l[:arrow])
		rest := strings.TrimLeft(l[arrow+3:], " \t")
		endTok, settings, _ := strings.Cut(rest, " ")
		a, err1 := vttSeconds(start)
		b, err2 := vttSeconds(strings.TrimSpace(endTok))
		if err1 != nil || err2 != nil {
			return "", fmt.Errorf("%w: line %d is not a WebVTT cue timing", ErrInvalidSpec, i+1)
		}
		l = vttTime(a+seconds) + " --> " + vttTime(b+seconds)
		if settings = strings.TrimSpace(settings); settings != "" {
			l += " " + settings
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n"), nil
}

func vttSeconds(t string) (float64, error) {
	m := vttTimestamp.FindStringSubmatch(t)
	if m == nil {
		return 0, fmt.Errorf("bad timestamp %q", t)
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	s, _ := strconv.Atoi(m[3])
	ms, _ := strconv.Atoi(m[4])
	return float64(h*3600+mi*60+s) + float64(ms)/1000, nil
}
