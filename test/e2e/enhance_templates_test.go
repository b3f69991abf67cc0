package e2e

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openvod/openvod/internal/vodapi"
)

// TestEnhanceTemplatesCRUD walks both template families through create,
// describe, modify and delete, with the presets' protection, the Int and
// String SubAppIds of the rebuild family and the refusals.
func TestEnhanceTemplatesCRUD(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})

	var created vodapi.CreateEnhanceMediaTemplateResponse
	require.NoError(t, s.callInto(t, "CreateEnhanceMediaTemplate", map[string]any{"Container": "mp4", "Name": "clean", "Comment": "c1",
		"RebuildVideoInfo": map[string]any{"VideoDenoiseInfo": map[string]any{"Switch": "ON", "Type": "strong"}},
		"TargetVideoInfo":  map[string]any{"Width": 640, "Fps": 25}}, &created))
	def := vodapi.Val(created.Definition)
	require.Equal(t, int64(20001), def)

	var list vodapi.DescribeEnhanceMediaTemplatesResponse
	require.NoError(t, s.callInto(t, "DescribeEnhanceMediaTemplates", map[string]any{}, &list))
	require.Equal(t, int64(4), vodapi.Val(list.TotalCount), "three presets and one custom")
	require.Len(t, list.RebuildMediaTemplateSet, 4)
	require.Equal(t, "Preset", vodapi.Val(list.RebuildMediaTemplateSet[0].Type))
	tpl := list.RebuildMediaTemplateSet[3]
	require.Equal(t, def, vodapi.Val(tpl.Definition))
	require.Equal(t, "Custom", vodapi.Val(tpl.Type))
	require.Equal(t, "clean", vodapi.Val(tpl.Name))
	require.Equal(t, "strong", vodapi.Val(tpl.RebuildVideoInfo.VideoDenoiseInfo.Type))
	require.Equal(t, "OFF", vodapi.Val(tpl.RebuildVideoInfo.SharpInfo.Switch), "every switch is printed")
	require.Equal(t, "OFF", vodapi.Val(tpl.RebuildAudioInfo.AudioDenoiseInfo.Switch))
	require.Equal(t, int64(640), vodapi.Val(tpl.TargetVideoInfo.Width))
	require.Equal(t, "libx264", vodapi.Val(tpl.TargetVideoInfo.Codec))
	require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`, vodapi.Val(tpl.CreateTime))

	// Modify keeps what it is not given.
	require.NoError(t, s.callInto(t, "ModifyEnhanceMediaTemplate", map[string]any{"Definition": def, "Name": "clean2",
		"RebuildVideoInfo": map[string]any{"SharpInfo": map[string]any{"Switch": "ON", "Intensity": 0.5}}}, nil))
	require.NoError(t, s.callInto(t, "DescribeEnhanceMediaTemplates", map[string]any{"Type": "Custom"}, &list))
	require.Len(t, list.RebuildMediaTemplateSet, 1)
	tpl = list.RebuildMediaTemplateSet[0]
	require.Equal(t, "clean2", vodapi.Val(tpl.Name))
	require.Equal(t, "c1", vodapi.Val(tpl.Comment))
	require.Equal(t, "ON", vodapi.Val(tpl.RebuildVideoInfo.SharpInfo.Switch))
	require.Equal(t, "strong", vodapi.Val(tpl.RebuildVideoInfo.VideoDenoiseInfo.Type))

	// Presets are read-only; refusals name the problem.
	err := s.callInto(t, "ModifyEnhanceMediaTemplate", map[string]any{"Definition": 10, "Name": "x"}, nil)
	requireRawCode(t, err, "InvalidParameterValue.ModifyDefaultTemplate")
	err = s.callInto(t, "DeleteEnhanceMediaTemplate", map[string]any{"Definition": 20}, nil)
	requireRawCode(t, err, "InvalidParameterValue.DeleteDefaultTemplate")
	err = s.callInto(t, "CreateEnhanceMediaTemplate", map[string]any{"Container": "mp4",
		"RebuildVideoInfo": map[string]any{"HDRInfo": map[string]any{"Switch": "ON"}}}, nil)
	requireRawCode(t, err, "UnsupportedOperation")
	err = s.callInto(t, "CreateEnhanceMediaTemplate", map[string]any{"Container": "avi"}, nil)
	requireRawCode(t, err, "InvalidParameterValue.Container")
	err = s.callInto(t, "CreateEnhanceMediaTemplate", map[string]any{"Container": "mp4",
		"RebuildVideoInfo": map[string]any{"SharpInfo": map[string]any{"Switch": "ON", "Intensity": 2}}}, nil)
	requireRawCode(t, err, "InvalidParameterValue")
	err = s.callInto(t, "ModifyEnhanceMediaTemplate", map[string]any{"Definition": def,
		"RebuildVideoInfo": map[string]any{"ColorInfo": map[string]any{"Switch": "ON", "Type": "vivid"}}}, nil)
	requireRawCode(t, err, "InvalidParameterValue")

	require.NoError(t, s.callInto(t, "DeleteEnhanceMediaTemplate", map[string]any{"Definition": def}, nil))
	err = s.callInto(t, "DeleteEnhanceMediaTemplate", map[string]any{"Definition": def}, nil)
	requireRawCode(t, err, "ResourceNotFound.TemplateNotExist")
	err = s.callInto(t, "ModifyEnhanceMediaTemplate", map[string]any{"Definition": 99999, "Name": "x"}, nil)
	requireRawCode(t, err, "ResourceNotFound.TemplateNotExist")

	// The rebuild family numbers on its own and takes its odd types:
	// RemoveAudio a String on create, SubAppId a String on modify and an
	// Int on delete and describe.
	var rc vodapi.CreateRebuildMediaTemplateResponse
	require.NoError(t, s.callInto(t, "CreateRebuildMediaTemplate", map[string]any{"Container": "flv", "RemoveAudio": "1",
		"RebuildVideoInfo": map[string]any{"ArtifactRepairInfo": map[string]any{"Switch": "ON"}}}, &rc))
	require.Equal(t, int64(20001), vodapi.Val(rc.Definition))
	require.NoError(t, s.callInto(t, "ModifyRebuildMediaTemplate", map[string]any{"Definition": 20001,
		"SubAppId": "1250000001", "Comment": "deblock"}, nil))
	var rl vodapi.DescribeRebuildMediaTemplatesResponse
	require.NoError(t, s.callInto(t, "DescribeRebuildMediaTemplates", map[string]any{"SubAppId": 1250000001,
		"Definitions": []int64{20001, 10}, "Limit": 1, "Offset": 1}, &rl))
	require.Equal(t, int64(2), vodapi.Val(rl.TotalCount))
	require.Len(t, rl.RebuildMediaTemplateSet, 1)
	r := rl.RebuildMediaTemplateSet[0]
	require.Equal(t, "deblock", vodapi.Val(r.Comment))
	require.Equal(t, int64(1), vodapi.Val(r.RemoveAudio))
	require.Equal(t, "flv", vodapi.Val(r.Container))
	err = s.callInto(t, "ModifyRebuildMediaTemplate", map[string]any{"Definition": 20001, "SubAppId": "abc"}, nil)
	requireRawCode(t, err, "InvalidParameterValue.SubAppId")
	err = s.callInto(t, "ModifyRebuildMediaTemplate", map[string]any{"Definition": 20001, "RemoveVideo": 1}, nil)
	requireRawCode(t, err, "InvalidParameterValue.RemoveAudio")
	require.NoError(t, s.callInto(t, "DeleteRebuildMediaTemplate", map[string]any{"Definition": 20001, "SubAppId": 1250000001}, nil))
	err = s.callInto(t, "DeleteRebuildMediaTemplate", map[string]any{"Definition": 20001}, nil)
	requireRawCode(t, err, "ResourceNotFound.TemplateNotExist")
	err = s.callInto(t, "DeleteRebuildMediaTemplate", map[string]any{"Definition": 30}, nil)
	requireRawCode(t, err, "InvalidParameterValue.DeleteDefaultTemplate")
}
