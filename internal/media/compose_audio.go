package media

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// audio builds the mix at label aout: silence of the whole length, and
// every sound delayed to its start.
func (g *composeGraph) audio() {
	s := g.s
	layout := "stereo"
	if s.Channels == 1 {
		layout = "mono"
	}
	format := fmt.Sprintf("aresample=%d,aformat=sample_fmts=fltp:sample_rates=%d:channel_layouts=%s", s.SampleRate, s.SampleRate, layout)
	base := g.label("a")
	g.graph = append(g.graph, fmt.Sprintf("anullsrc=r=%d:cl=%s,atrim=duration=%s[%s]", s.SampleRate, layout, fmtNum(g.tl.duration), base))
	mix := []string{base}
	for _, lt := range g.tl.tracks {
		if lt.kind == TrackSticker {
			continue
		}
		for _, c := range lt.clips {
			if c.it.Mute || !c.it.Source.HasAudio || c.it.Source.Still {
				continue
			}
			mix = append(mix, g.sound(c, format))
		}
	}
	if len(mix) == 1 {
		g.graph = append(g.graph, fmt.Sprintf("[%s]anull[aout]", base))
		return
	}
	var ins strings.Builder
	for _, l := range mix {
		ins.WriteString("[" + l + "]")
	}
	g.graph = append(g.graph, fmt.Sprintf("%samix=inputs=%d:normalize=0:duration=first[aout]", ins.String(), len(mix)))
}

// sound builds the sound of clip c on the output timeline and returns its
// label.
func (g *composeGraph) sound(c *clip, format string) string {
	chain := []string{fmt.Sprintf("[%d:a]atrim=duration=%s", c.input, fmtNum(c.take)), "asetpts=PTS-STARTPTS"}
	if math.Abs(c.length-c.take) > 1e-6 {
		// atempo's timestamps stall amix (ffmpeg 5.1): count them anew.
		chain = append(append(chain, atempo(c.take/c.length)...), "asetpts=N/SR/TB")
	}
	chain = append(chain, format)
	if gain := c.it.Gain; gain > 0 && gain != 1 {
		chain = append(chain, "volume="+fmtNum(gain))
	}
	if c.fadeIn > 0 {
		chain = append(chain, "afade=t=in:st=0:d="+fmtNum(c.fadeIn))
	}
	if c.fadeOut > 0 {
		chain = append(chain, "afade=t=out:st="+fmtNum(c.length-c.fadeOut)+":d="+fmtNum(c.fadeOut))
	}
	if ms := int64(math.Round(c.start * 1000)); ms > 0 {
		chain = append(chain, "adelay=delays="+strconv.FormatInt(ms, 10)+":all=1")
	}
	out := g.label("s")
	g.graph = append(g.graph, strings.Join(chain, ",")+"["+out+"]")
	return out
}

// atempo returns the atempo filters changing the speed of a sound by
// tempo; each keeps within 0.5 to 2, where atempo sounds best.
func atempo(tempo float64) []string {
	var fs []string
	for tempo > 2 {
		fs, tempo = append(fs, "atempo=2"), tempo/2
	}
	for tempo < 0.5 {
		fs, tempo = append(fs, "atempo=0.5"), tempo*2
	}
	return append(fs, "atempo="+strconv.FormatFloat(tempo, 'f', 6, 64))
}
