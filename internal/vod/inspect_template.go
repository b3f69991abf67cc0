package vod

import (
	"context"
	"math"
	"strconv"
	"strings"

	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// kindQualityInspect is the store kind of quality inspection templates.
const kindQualityInspect = "qualityInspect"

// inspectCheck is one detector's setting once a template is resolved.
type inspectCheck struct {
	On bool `json:"on"`
	// Threshold is in the unit of the detector (see inspectDefaults).
	Threshold float64 `json:"threshold"`
	// Duration is the shortest stretch, in seconds, reported.
	Duration float64 `json:"duration"`
}

// inspectSettings holds the checks of an inspection by result Type.
type inspectSettings map[string]inspectCheck

// The result Types this server detects, with their defaults. A template's
// QualityInspectConfig of the same Type overrides them; its Threshold is a
// decimal in the unit given here and its Duration whole seconds:
//
//	SolidColorScreen   blackdetect: % of the picture that is black (dark below 10 % luma)
//	VideoFreezedFrame  freezedetect: noise tolerance in dB between frames (no name in the
//	                   API's vocabulary for a frozen picture; this one is ours)
//	Blur               blurdetect: blur value above which a frame is blurred (sharp ≈ 5)
//	LowLighting        signalstats: mean luma 0–255 below which a frame is dark (black frames
//	                   are SolidColorScreen, not this)
//	HighLighting       signalstats: mean luma 0–255 above which a frame is over-exposed
//	BlackWhiteEdge     cropdetect: the least black edge reported, in % of the frame's side
//	NoVoice            silencedetect: level in dB below which audio is silent
//	LowVoice/HighVoice ebur128: integrated loudness in LUFS below/above which the audio is
//	                   too quiet/loud
//	LowEvaluation      the QualityEvaluationScore below which the media is reported
//
// SolidColorScreen and VideoFreezedFrame have no switch of their own among
// the template's *Configure fields, so they run unless a Config turns them
// off; the others run when switched on.
var inspectDefaults = map[string]inspectCheck{
	"SolidColorScreen":  {On: true, Threshold: 98, Duration: 0.5},
	"VideoFreezedFrame": {On: true, Threshold: -60, Duration: 0.5},
	"Blur":              {Threshold: 10, Duration: 1},
	"LowLighting":       {Threshold: 40, Duration: 1},
	"HighLighting":      {Threshold: 225, Duration: 1},
	"BlackWhiteEdge":    {Threshold: 2},
	"NoVoice":           {Threshold: -60, Duration: 0.5},
	"LowVoice":          {Threshold: -35},
	"HighVoice":         {Threshold: -8},
	"LowEvaluation":     {Threshold: 60},
}

// inspectThresholdRange bounds a Config's Threshold per Type.
var inspectThresholdRange = map[string][2]float64{
	"SolidColorScreen": {50, 100}, "VideoFreezedFrame": {-100, 0}, "Blur": {0, 100},
	"LowLighting": {0, 255}, "HighLighting": {0, 255}, "BlackWhiteEdge": {0.1, 45},
	"NoVoice": {-100, 0}, "LowVoice": {-70, 0}, "HighVoice": {-70, 0}, "LowEvaluation": {0, 100},
}

// inspectVocabulary is every Type the API names for a QualityInspectResultItem;
// the ones missing from inspectDefaults (Jitter, Mosaic, ...) need models this
// server does not have.
var inspectVocabulary = []string{"Jitter", "Blur", "LowLighting", "HighLighting", "CrashScreen", "BlackWhiteEdge",
	"SolidColorScreen", "Noise", "Mosaic", "QRCode", "AppletCode", "BarCode", "LowVoice", "HighVoice", "NoVoice",
	"LowEvaluation", "LowColorfulness", "AudioVideoAsync", "AudioSubtitleAsync", "VideoAesthetic", "AudioDiscontinuity",
	"AudioVolume", "AudioLoudnessJitter", "BackgroundMusic", "AudioEvaluation", "AudioNoise", "AudioSpeechQuality",
	"AudioReverb", "AudioHighLoudness", "VideoFreezedFrame"}

// qualityInspectFamily has no presets: the spec lists none.
func qualityInspectFamily() *family[*vodapi.QualityInspectTemplateItem] {
	return &family[*vodapi.QualityInspectTemplateItem]{
		kind: kindQualityInspect, label: "quality inspection template", first: 10001, quota: 100,
		presets:    func() []*vodapi.QualityInspectTemplateItem { return nil },
		definition: func(t *vodapi.QualityInspectTemplateItem) int64 { return vodapi.Val(t.Definition) },
		setMeta: func(t *vodapi.QualityInspectTemplateItem, m templateMeta) {
			t.Definition, t.Type, t.Name, t.Comment = vodapi.Ptr(m.Definition), vodapi.Ptr(m.Type), vodapi.Ptr(m.Name), vodapi.Ptr(m.Comment)
			t.CreateTime, t.UpdateTime = vodapi.Ptr(m.CreateTime), vodapi.Ptr(m.UpdateTime)
		},
	}
}

// fillInspectTemplate gives every field a template prints its default, so
// that Describe shows no nulls.
func fillInspectTemplate(t *vodapi.QualityInspectTemplateItem) {
	off := func() *string { return vodapi.Ptr("OFF") }
	if t.Configs == nil {
		t.Configs = []*vodapi.QualityInspectConfig{}
	}
	for _, c := range t.Configs {
		if c.Switch == nil {
			c.Switch = vodapi.Ptr("ON")
		}
		fillZero(&c.Sampling, "")
		fillZero(&c.IntervalTime, 0)
		fillZero(&c.Duration, 0)
		fillZero(&c.Threshold, "")
	}
	if t.Strategy == nil {
		t.Strategy = &vodapi.QualityInspectStrategy{}
	}
	fillZero(&t.Strategy.StrategyType, "")
	fillZero(&t.ScreenshotInterval, 1)
	fillSwitch(&t.JitterConfigure, func() *vodapi.JitterConfigureInfo { return &vodapi.JitterConfigureInfo{Switch: off()} })
	fillSwitch(&t.BlurConfigure, func() *vodapi.BlurConfigureInfo { return &vodapi.BlurConfigureInfo{Switch: off()} })
	fillSwitch(&t.AbnormalLightingConfigure, func() *vodapi.AbnormalLightingConfigureInfo {
		return &vodapi.AbnormalLightingConfigureInfo{Switch: off()}
	})
	fillSwitch(&t.CrashScreenConfigure, func() *vodapi.CrashScreenConfigureInfo { return &vodapi.CrashScreenConfigureInfo{Switch: off()} })
	fillSwitch(&t.BlackWhiteEdgeConfigure, func() *vodapi.BlackWhiteEdgeConfigureInfo {
		return &vodapi.BlackWhiteEdgeConfigureInfo{Switch: off()}
	})
	fillSwitch(&t.NoiseConfigure, func() *vodapi.NoiseConfigureInfo { return &vodapi.NoiseConfigureInfo{Switch: off()} })
	fillSwitch(&t.MosaicConfigure, func() *vodapi.MosaicConfigureInfo { return &vodapi.MosaicConfigureInfo{Switch: off()} })
	fillSwitch(&t.QRCodeConfigure, func() *vodapi.QRCodeConfigureInfo { return &vodapi.QRCodeConfigureInfo{Switch: off()} })
	fillSwitch(&t.VoiceConfigure, func() *vodapi.VoiceConfigureInfo { return &vodapi.VoiceConfigureInfo{Switch: off()} })
	fillSwitch(&t.QualityEvaluationConfigure, func() *vodapi.QualityEvaluationConfigureInfo {
		return &vodapi.QualityEvaluationConfigureInfo{Switch: off()}
	})
	fillZero(&t.QualityEvaluationConfigure.Score, int64(inspectDefaults["LowEvaluation"].Threshold))
}

func fillZero[V any](p **V, v V) {
	if *p == nil {
		*p = &v
	}
}

func fillSwitch[V any](p **V, def func() *V) {
	if *p == nil {
		*p = def()
	}
}

// inspectSwitch is one of a template's *Configure switches and the result
// Types it turns on; none for the ones this server cannot detect.
type inspectSwitch struct {
	field string
	on    *string
	types []string
}

func inspectSwitches(t *vodapi.QualityInspectTemplateItem) []inspectSwitch {
	return []inspectSwitch{
		{"JitterConfigure", t.JitterConfigure.Switch, nil},
		{"BlurConfigure", t.BlurConfigure.Switch, []string{"Blur"}},
		{"AbnormalLightingConfigure", t.AbnormalLightingConfigure.Switch, []string{"LowLighting", "HighLighting"}},
		{"CrashScreenConfigure", t.CrashScreenConfigure.Switch, nil},
		{"BlackWhiteEdgeConfigure", t.BlackWhiteEdgeConfigure.Switch, []string{"BlackWhiteEdge"}},
		{"NoiseConfigure", t.NoiseConfigure.Switch, nil},
		{"MosaicConfigure", t.MosaicConfigure.Switch, nil},
		{"QRCodeConfigure", t.QRCodeConfigure.Switch, nil},
		{"VoiceConfigure", t.VoiceConfigure.Switch, []string{"NoVoice", "LowVoice", "HighVoice"}},
		{"QualityEvaluationConfigure", t.QualityEvaluationConfigure.Switch, []string{"LowEvaluation"}},
	}
}

// checkInspectTemplate fills the defaults of a whole template and
// validates it; detectors this server does not have answer
// UnsupportedOperation when switched on.
func checkInspectTemplate(t *vodapi.QualityInspectTemplateItem) error {
	fillInspectTemplate(t)
	for _, sw := range inspectSwitches(t) {
		v := vodapi.Val(sw.on)
		if v != "ON" && v != "OFF" {
			return tcapi.Errorf("InvalidParameterValue.Switch", "%s.Switch must be ON or OFF, got %q", sw.field, v)
		}
		if v == "ON" && sw.types == nil {
			return tcapi.Errorf("UnsupportedOperation", "%s: this server cannot detect %s", sw.field,
				strings.TrimSuffix(sw.field, "Configure"))
		}
	}
	if s := vodapi.Val(t.QualityEvaluationConfigure.Score); s < 0 || s > 100 {
		return tcapi.Errorf("InvalidParameterValue.Score", "QualityEvaluationConfigure.Score must be between 0 and 100")
	}
	if st := vodapi.Val(t.Strategy.StrategyType); st != "" || t.Strategy.TimeSpotCheck != nil {
		return tcapi.Errorf("UnsupportedOperation", "Strategy %q is not supported: this server inspects the whole media", st)
	}
	if v := vodapi.Val(t.ScreenshotInterval); v < 0 || math.IsNaN(v) {
		return tcapi.Errorf("InvalidParameterValue.ScreenshotInterval", "ScreenshotInterval must not be negative")
	}
	if len(t.Configs) > len(inspectVocabulary) {
		return tcapi.Errorf("InvalidParameterValue.Configs", "Configs may list each Type once")
	}
	seen := map[string]bool{}
	for i, c := range t.Configs {
		if err := checkInspectConfig(i, c, seen); err != nil {
			return err
		}
	}
	return nil
}

func checkInspectConfig(i int, c *vodapi.QualityInspectConfig, seen map[string]bool) error {
	typ := vodapi.Val(c.Type)
	if !oneOf(typ, inspectVocabulary...) {
		return tcapi.Errorf("InvalidParameterValue.Type", "Configs[%d].Type %q is not a quality inspection type", i, typ)
	}
	if seen[typ] {
		return tcapi.Errorf("InvalidParameterValue.Configs", "Configs lists Type %s twice", typ)
	}
	seen[typ] = true
	sw := vodapi.Val(c.Switch)
	if sw != "ON" && sw != "OFF" {
		return tcapi.Errorf("InvalidParameterValue.Switch", "Configs[%d].Switch must be ON or OFF, got %q", i, sw)
	}
	if _, ok := inspectDefaults[typ]; !ok && sw == "ON" {
		return tcapi.Errorf("UnsupportedOperation", "this server cannot detect %s", typ)
	}
	if vodapi.Val(c.Sampling) != "" || vodapi.Val(c.IntervalTime) != 0 {
		return tcapi.Errorf("UnsupportedOperation", "Configs[%d]: Sampling and IntervalTime are not supported: every frame is inspected", i)
	}
	if d := vodapi.Val(c.Duration); d < 0 || d > 3600 {
		return tcapi.Errorf("InvalidParameterValue.Duration", "Configs[%d].Duration must be between 0 and 3600 seconds", i)
	}
	if th := vodapi.Val(c.Threshold); th != "" {
		v, err := strconv.ParseFloat(th, 64)
		r, known := inspectThresholdRange[typ]
		if err != nil || math.IsNaN(v) || known && (v < r[0] || v > r[1]) {
			return tcapi.Errorf("InvalidParameterValue.Threshold", "Configs[%d].Threshold of %s must be a number between %g and %g",
				i, typ, r[0], r[1])
		}
	}
	return nil
}

// resolveInspect turns a checked template into the checks an inspection
// runs: defaults, then the *Configure switches, then the Configs.
func resolveInspect(t *vodapi.QualityInspectTemplateItem) inspectSettings {
	s := inspectSettings{}
	for typ, c := range inspectDefaults {
		s[typ] = c
	}
	for _, sw := range inspectSwitches(t) {
		for _, typ := range sw.types {
			c := s[typ]
			c.On = vodapi.Val(sw.on) == "ON"
			s[typ] = c
		}
	}
	if t.QualityEvaluationConfigure.Score != nil {
		c := s["LowEvaluation"]
		c.Threshold = float64(*t.QualityEvaluationConfigure.Score)
		s["LowEvaluation"] = c
	}
	for _, cfg := range t.Configs {
		typ := vodapi.Val(cfg.Type)
		c, ok := s[typ]
		if !ok {
			continue // switched off: checkInspectConfig refuses the rest
		}
		c.On = vodapi.Val(cfg.Switch) == "ON"
		if d := vodapi.Val(cfg.Duration); d > 0 {
			c.Duration = float64(d)
		}
		if th, err := strconv.ParseFloat(vodapi.Val(cfg.Threshold), 64); err == nil {
			c.Threshold = th
		}
		s[typ] = c
	}
	return s
}

// CreateQualityInspectTemplate creates a quality inspection template.
func (s *Service) CreateQualityInspectTemplate(ctx context.Context, req *vodapi.CreateQualityInspectTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkNameComment(req.Name, req.Comment, 64); err != nil {
		return nil, err
	}
	t := &vodapi.QualityInspectTemplateItem{Configs: req.Configs, Strategy: req.Strategy, ScreenshotInterval: req.ScreenshotInterval,
		JitterConfigure: req.JitterConfigure, BlurConfigure: req.BlurConfigure, AbnormalLightingConfigure: req.AbnormalLightingConfigure,
		CrashScreenConfigure: req.CrashScreenConfigure, BlackWhiteEdgeConfigure: req.BlackWhiteEdgeConfigure,
		NoiseConfigure: req.NoiseConfigure, MosaicConfigure: req.MosaicConfigure, QRCodeConfigure: req.QRCodeConfigure,
		VoiceConfigure: req.VoiceConfigure, QualityEvaluationConfigure: req.QualityEvaluationConfigure}
	if err := checkInspectTemplate(t); err != nil {
		return nil, err
	}
	def, err := qualityInspectFamily().create(ctx, s.cfg.DB, app, vodapi.Val(req.Name), vodapi.Val(req.Comment), t)
	if err != nil {
		return nil, err
	}
	return &vodapi.CreateQualityInspectTemplateResponse{Definition: vodapi.Ptr(def)}, nil
}

// ModifyQualityInspectTemplate changes the fields given; Configs given
// replace the old list.
func (s *Service) ModifyQualityInspectTemplate(ctx context.Context, req *vodapi.ModifyQualityInspectTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if err := checkNameComment(req.Name, req.Comment, 64); err != nil {
		return nil, err
	}
	err = qualityInspectFamily().modify(ctx, s.cfg.DB, app, vodapi.Val(req.Definition), func(t *vodapi.QualityInspectTemplateItem, m *templateMeta) error {
		fillInspectTemplate(t)
		if req.Configs != nil {
			t.Configs = req.Configs
		}
		if req.Strategy != nil {
			t.Strategy = req.Strategy
		}
		setIf(&t.ScreenshotInterval, req.ScreenshotInterval)
		updateInspectSwitches(t, req)
		setIfValue(&m.Name, req.Name)
		setIfValue(&m.Comment, req.Comment)
		return checkInspectTemplate(t)
	})
	if err != nil {
		return nil, err
	}
	return &vodapi.ModifyQualityInspectTemplateResponse{}, nil
}

// updateInspectSwitches applies the *Configure fields of a Modify.
func updateInspectSwitches(t *vodapi.QualityInspectTemplateItem, req *vodapi.ModifyQualityInspectTemplateRequest) {
	if c := req.JitterConfigure; c != nil {
		setIf(&t.JitterConfigure.Switch, c.Switch)
	}
	if c := req.BlurConfigure; c != nil {
		setIf(&t.BlurConfigure.Switch, c.Switch)
	}
	if c := req.AbnormalLightingConfigure; c != nil {
		setIf(&t.AbnormalLightingConfigure.Switch, c.Switch)
	}
	if c := req.CrashScreenConfigure; c != nil {
		setIf(&t.CrashScreenConfigure.Switch, c.Switch)
	}
	if c := req.BlackWhiteEdgeConfigure; c != nil {
		setIf(&t.BlackWhiteEdgeConfigure.Switch, c.Switch)
	}
	if c := req.NoiseConfigure; c != nil {
		setIf(&t.NoiseConfigure.Switch, c.Switch)
	}
	if c := req.MosaicConfigure; c != nil {
		setIf(&t.MosaicConfigure.Switch, c.Switch)
	}
	if c := req.QRCodeConfigure; c != nil {
		setIf(&t.QRCodeConfigure.Switch, c.Switch)
	}
	if c := req.VoiceConfigure; c != nil {
		setIf(&t.VoiceConfigure.Switch, c.Switch)
	}
	if c := req.QualityEvaluationConfigure; c != nil {
		setIf(&t.QualityEvaluationConfigure.Switch, c.Switch)
		setIf(&t.QualityEvaluationConfigure.Score, c.Score)
	}
}

// DeleteQualityInspectTemplate deletes a quality inspection template.
func (s *Service) DeleteQualityInspectTemplate(ctx context.Context, req *vodapi.DeleteQualityInspectTemplateRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	def := vodapi.Val(req.Definition)
	if def > math.MaxInt64 {
		return nil, tcapi.Errorf(codeTemplateNotExist, "quality inspection template %d does not exist in this application", def)
	}
	if _, err := qualityInspectFamily().remove(ctx, s, app, int64(def)); err != nil {
		return nil, err
	}
	return &vodapi.DeleteQualityInspectTemplateResponse{}, nil
}

// DescribeQualityInspectTemplates lists the quality inspection templates
// of the application.
func (s *Service) DescribeQualityInspectTemplates(ctx context.Context, req *vodapi.DescribeQualityInspectTemplatesRequest) (any, error) {
	app, err := s.app(ctx, req.SubAppId)
	if err != nil {
		return nil, err
	}
	if vodapi.Val(req.Offset) < 0 || vodapi.Val(req.Limit) < 0 {
		return nil, tcapi.Errorf("InvalidParameterValue", "Offset and Limit must not be negative")
	}
	p := listParams{Type: req.Type, Definitions: req.Definitions}
	if req.Offset != nil {
		p.Offset = vodapi.Ptr(uint64(*req.Offset))
	}
	if req.Limit != nil {
		p.Limit = vodapi.Ptr(uint64(*req.Limit))
	}
	items, total, err := qualityInspectFamily().list(ctx, s.cfg.DB, app, p, nil)
	if err != nil {
		return nil, err
	}
	return &vodapi.DescribeQualityInspectTemplatesResponse{TotalCount: vodapi.Ptr(int64(total)), QualityInspectTemplateSet: items}, nil
}
