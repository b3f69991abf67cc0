package e2e

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHeadTailTemplates(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	head := ingestBlack(t, s)

	_, err := s.call("CreateHeadTailTemplate", map[string]any{"Name": "ht", "HeadCandidateSet": []string{"no-such-file"}})
	requireRawCode(t, err, "ResourceNotFound.FileNotExist")
	_, err = s.call("CreateHeadTailTemplate", map[string]any{"Name": "ht", "FillType": "tile"})
	requireRawCode(t, err, "InvalidParameterValue.FillType")

	resp, err := s.call("CreateHeadTailTemplate", map[string]any{"Name": "ht", "Comment": "c",
		"HeadCandidateSet": []string{head}})
	require.NoError(t, err)
	def := resp["Definition"].(float64)
	require.GreaterOrEqual(t, def, float64(10001))

	describe := func() map[string]any {
		t.Helper()
		resp, err := s.call("DescribeHeadTailTemplates", map[string]any{"Definitions": []any{def}})
		require.NoError(t, err)
		require.EqualValues(t, 1, resp["TotalCount"])
		set := resp["HeadTailTemplateSet"].([]any)
		require.Len(t, set, 1)
		return set[0].(map[string]any)
	}
	got := describe()
	require.Equal(t, "ht", got["Name"])
	require.Equal(t, "c", got["Comment"])
	require.Equal(t, []any{head}, got["HeadCandidateSet"])
	require.Equal(t, []any{}, got["TailCandidateSet"])
	require.Equal(t, "gauss", got["FillType"])
	require.NotEmpty(t, got["CreateTime"])

	_, err = s.call("ModifyHeadTailTemplate", map[string]any{"Definition": def, "TailCandidateSet": []string{"gone"}})
	requireRawCode(t, err, "ResourceNotFound.FileNotExist")
	_, err = s.call("ModifyHeadTailTemplate", map[string]any{"Definition": def, "Name": "ht2",
		"TailCandidateSet": []string{head}, "FillType": "black"})
	require.NoError(t, err)
	got = describe()
	require.Equal(t, "ht2", got["Name"])
	require.Equal(t, []any{head}, got["HeadCandidateSet"])
	require.Equal(t, []any{head}, got["TailCandidateSet"])
	require.Equal(t, "black", got["FillType"])

	_, err = s.call("DeleteHeadTailTemplate", map[string]any{"Definition": def})
	require.NoError(t, err)
	resp, err = s.call("DescribeHeadTailTemplates", map[string]any{})
	require.NoError(t, err)
	require.EqualValues(t, 0, resp["TotalCount"])
	_, err = s.call("DeleteHeadTailTemplate", map[string]any{"Definition": def})
	requireRawCode(t, err, "ResourceNotFound.TemplateNotExist")
}
