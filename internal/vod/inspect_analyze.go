package vod

import (
	"math"
	"sort"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/vodapi"
)

// inspectStatsFPS is how many frames a second the per-frame measures
// (blur, luma, black edges) sample; their segments are this fine.
const inspectStatsFPS = 4

// inspectOrder is the order of the result items.
var inspectOrder = []string{"SolidColorScreen", "VideoFreezedFrame", "Blur", "LowLighting", "HighLighting",
	"BlackWhiteEdge", "NoVoice", "LowVoice", "HighVoice", "LowEvaluation"}

// inspectFrame is what the analysis knows of the picture: its display
// size (rotation applied, as the filters see it) and the media duration.
type inspectFrame struct {
	Width, Height int
	Duration      float64
	Video, Audio  bool
}

// inspectSegment is a finding before it is written for the API.
type inspectSegment struct {
	media.Interval
	Area       []int64
	Confidence float64
}

// inspectFindings turns a detection pass into segments by result Type,
// keeping only the checks that are on; LowEvaluation is added by
// inspectScore.
func inspectFindings(d *media.Detection, s inspectSettings, f inspectFrame) map[string][]inspectSegment {
	out := map[string][]inspectSegment{}
	black := longEnough(d.Black, s["SolidColorScreen"].Duration)
	// Black frames are also frozen, dark and without edges to measure blur
	// on: when they are reported as black, the other checks leave them out.
	var skip []media.Interval
	if s["SolidColorScreen"].On {
		skip = black
	}
	add := func(typ string, segs []inspectSegment) {
		if s[typ].On && len(segs) > 0 {
			out[typ] = segs
		}
	}
	add("SolidColorScreen", intervalSegments(black, s["SolidColorScreen"].Duration))
	add("VideoFreezedFrame", intervalSegments(longEnough(subtract(d.Freeze, skip), s["VideoFreezedFrame"].Duration), s["VideoFreezedFrame"].Duration))
	blur := s["Blur"]
	add("Blur", sampleSegments(d.Blur, skip, f.Duration, blur.Duration, func(v float64) (bool, float64) {
		return v > blur.Threshold, (v - blur.Threshold) / max(blur.Threshold, 1)
	}))
	low, high := s["LowLighting"], s["HighLighting"]
	add("LowLighting", sampleSegments(d.Luma, skip, f.Duration, low.Duration, func(v float64) (bool, float64) {
		return v < low.Threshold, (low.Threshold - v) / 40
	}))
	add("HighLighting", sampleSegments(d.Luma, skip, f.Duration, high.Duration, func(v float64) (bool, float64) {
		return v > high.Threshold, (v - high.Threshold) / 20
	}))
	add("BlackWhiteEdge", edgeSegments(d, s["BlackWhiteEdge"].Threshold, f))
	add("NoVoice", intervalSegments(longEnough(d.Silence, s["NoVoice"].Duration), s["NoVoice"].Duration))
	if d.LoudnessOK {
		whole := media.Interval{Start: 0, End: f.Duration}
		if th := s["LowVoice"].Threshold; d.Loudness < th {
			add("LowVoice", []inspectSegment{{Interval: whole, Confidence: margin((th - d.Loudness) / 10)}})
		}
		if th := s["HighVoice"].Threshold; d.Loudness > th {
			add("HighVoice", []inspectSegment{{Interval: whole, Confidence: margin((d.Loudness - th) / 10)}})
		}
	}
	return out
}

// margin maps how far past its threshold a finding is (0 = at the
// threshold, 1 = clearly past) to a confidence of 50–100: every finding
// passed its detector's threshold, so it is at least an even bet.
func margin(r float64) float64 { return 50 + 50*math.Min(1, math.Max(0, r)) }

// intervalSegments: a stretch exactly as long as the least reported is 50
// % sure, one twice as long (or longer by at least 0.5 s) 100 %.
func intervalSegments(in []media.Interval, minDur float64) []inspectSegment {
	var out []inspectSegment
	for _, iv := range in {
		out = append(out, inspectSegment{Interval: iv, Confidence: margin((iv.End - iv.Start - minDur) / max(minDur, 0.5))})
	}
	return out
}

func longEnough(in []media.Interval, minDur float64) []media.Interval {
	var out []media.Interval
	for _, iv := range in {
		if iv.End-iv.Start >= minDur-1e-9 {
			out = append(out, iv)
		}
	}
	return out
}

// subtract removes the parts of in that cut overlaps.
func subtract(in, cut []media.Interval) []media.Interval {
	var out []media.Interval
	for _, iv := range in {
		pieces := []media.Interval{iv}
		for _, c := range cut {
			var next []media.Interval
			for _, p := range pieces {
				if c.End <= p.Start || c.Start >= p.End {
					next = append(next, p)
					continue
				}
				if c.Start > p.Start {
					next = append(next, media.Interval{Start: p.Start, End: c.Start})
				}
				if c.End < p.End {
					next = append(next, media.Interval{Start: c.End, End: p.End})
				}
			}
			pieces = next
		}
		out = append(out, pieces...)
	}
	return out
}

func inside(t float64, in []media.Interval) bool {
	for _, iv := range in {
		if t >= iv.Start && t < iv.End {
			return true
		}
	}
	return false
}

// sampleSegments groups consecutive samples that match into stretches
// (each sample stands for 1/inspectStatsFPS s), skipping black frames,
// and keeps those of at least minDur. hit says whether a value matches
// and how far past the threshold it is (for margin); a stretch's
// confidence is that of its mean distance.
func sampleSegments(samples []media.Sample, black []media.Interval, duration, minDur float64, hit func(float64) (bool, float64)) []inspectSegment {
	const step = 1.0 / inspectStatsFPS
	var out []inspectSegment
	var cur *inspectSegment
	var sum float64
	var n int
	flush := func() {
		if cur != nil && cur.End-cur.Start >= minDur-1e-9 {
			cur.Confidence = margin(sum / float64(n))
			out = append(out, *cur)
		}
		cur, sum, n = nil, 0, 0
	}
	for _, s := range samples {
		ok, dist := hit(s.Value)
		if !ok || inside(s.Time, black) {
			flush()
			continue
		}
		if cur != nil && s.Time-cur.End > step/2 {
			flush()
		}
		if cur == nil {
			cur = &inspectSegment{Interval: media.Interval{Start: s.Time}}
		}
		cur.End = min(s.Time+step, max(duration, s.Time))
		sum += dist
		n++
	}
	flush()
	return out
}

// edgeSegments reports black edges around the picture over the whole
// media: the area is the picture inside them, [x1, y1, x2, y2] in display
// pixels, and the confidence grows with the widest edge (50 % at the
// threshold, 100 % at twice it).
func edgeSegments(d *media.Detection, thresholdPct float64, f inspectFrame) []inspectSegment {
	if !d.ContentOK || f.Width <= 0 || f.Height <= 0 {
		return nil
	}
	c := d.Content
	edges := []float64{
		float64(c.Y1) / float64(f.Height), float64(f.Height-1-c.Y2) / float64(f.Height),
		float64(c.X1) / float64(f.Width), float64(f.Width-1-c.X2) / float64(f.Width),
	}
	widest := 0.0
	for _, e := range edges {
		widest = max(widest, e*100)
	}
	if widest < thresholdPct {
		return nil
	}
	return []inspectSegment{{Interval: media.Interval{Start: 0, End: f.Duration},
		Area: []int64{int64(c.X1), int64(c.Y1), int64(c.X2), int64(c.Y2)}, Confidence: margin((widest - thresholdPct) / thresholdPct)}}
}

// Score weights: how many points a finding covering the whole media takes
// off 100; a partial one takes its share of the duration.
var inspectWeights = map[string]float64{
	"SolidColorScreen": 40, "VideoFreezedFrame": 30, "Blur": 30, "LowLighting": 15, "HighLighting": 15, "NoVoice": 20,
}

// inspectScore is the QualityEvaluationScore, 0–100: 100 less
//   - for black, frozen, blurred, dark, over-exposed and silent stretches,
//     their weight (inspectWeights) times the share of the media they cover;
//   - for black edges, 20 times the share of the frame they take;
//   - for audio too quiet or too loud overall, 10;
//   - for a picture whose short side is under 720 pixels, 20 times the
//     missing share of 720 (240p loses 13).
func inspectScore(found map[string][]inspectSegment, f inspectFrame) int {
	score := 100.0
	dur := max(f.Duration, 0.001)
	for typ, w := range inspectWeights {
		covered := 0.0
		for _, s := range found[typ] {
			covered += s.End - s.Start
		}
		score -= w * math.Min(1, covered/dur)
	}
	for _, s := range found["BlackWhiteEdge"] {
		if len(s.Area) == 4 && f.Width > 0 && f.Height > 0 {
			content := float64((s.Area[2]-s.Area[0]+1)*(s.Area[3]-s.Area[1]+1)) / float64(f.Width*f.Height)
			score -= 20 * (1 - math.Min(1, content))
		}
	}
	if len(found["LowVoice"]) > 0 || len(found["HighVoice"]) > 0 {
		score -= 10
	}
	if f.Video && f.Width > 0 && f.Height > 0 {
		short := float64(min(f.Width, f.Height))
		score -= 20 * math.Max(0, 1-short/720)
	}
	return int(math.Round(math.Max(0, math.Min(100, score))))
}

// inspectOutput assembles the task output: the findings in inspectOrder,
// LowEvaluation when the score is under its threshold, and the mean opinion
// score on the usual 1–5 scale (1 + 4 x score/100).
func inspectOutput(found map[string][]inspectSegment, s inspectSettings, f inspectFrame) *vodapi.QualityInspectTaskOutput {
	score := inspectScore(found, f)
	if le := s["LowEvaluation"]; le.On && float64(score) < le.Threshold {
		found["LowEvaluation"] = []inspectSegment{{Interval: media.Interval{Start: 0, End: f.Duration},
			Confidence: margin((le.Threshold - float64(score)) / max(le.Threshold, 1))}}
	}
	items := []*vodapi.QualityInspectResultItem{}
	for _, typ := range inspectOrder {
		segs := found[typ]
		if len(segs) == 0 {
			continue
		}
		sort.Slice(segs, func(i, j int) bool { return segs[i].Start < segs[j].Start })
		set := make([]*vodapi.QualityInspectItem, 0, len(segs))
		for _, sg := range segs {
			area := sg.Area
			if area == nil {
				area = []int64{}
			}
			set = append(set, &vodapi.QualityInspectItem{StartTimeOffset: vodapi.Ptr(round3(sg.Start)),
				EndTimeOffset: vodapi.Ptr(round3(sg.End)), AreaCoordSet: area, Confidence: vodapi.Ptr(uint64(math.Round(sg.Confidence)))})
		}
		items = append(items, &vodapi.QualityInspectResultItem{Type: vodapi.Ptr(typ), SegmentSet: set,
			SegmentSetFileUrl: vodapi.Ptr(""), SegmentSetFileUrlExpireTime: vodapi.Ptr("")})
	}
	return &vodapi.QualityInspectTaskOutput{NoAudio: boolInt(!f.Audio), NoVideo: boolInt(!f.Video),
		QualityEvaluationScore: vodapi.Ptr(uint64(score)), QualityInspectResultSet: items,
		QualityEvaluationMeanOpinionScore: vodapi.Ptr(math.Round((1+4*float64(score)/100)*100) / 100),
		AestheticEvaluationScore:          vodapi.Ptr(int64(0)),
		ContainerDiagnoseResultSet:        []*vodapi.QualityInspectContainerDiagnoseResultItem{},
		LLMDetectionReport:                &vodapi.QualityInspectLLMDetectionReport{ResultCount: vodapi.Ptr(int64(0)), ResultSet: []*vodapi.QualityInspectLLMDetectionResultItem{}}}
}

func boolInt(b bool) *int64 {
	if b {
		return vodapi.Ptr(int64(1))
	}
	return vodapi.Ptr(int64(0))
}
