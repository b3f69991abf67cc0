package vod

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/store"
	"github.com/openvod/openvod/internal/task"
	"github.com/openvod/openvod/internal/tcapi"
	"github.com/openvod/openvod/internal/vodapi"
)

// editSourceType is the SourceType of media that editing produced.
const editSourceType = "VideoProcessing"

// editContainer checks an OutputConfig Type of EditMedia or SplitMedia
// (mp4 by default; hls; and the audio-only mp3 and m4a).
func editContainer(t *string) (media.Container, error) {
	switch strings.ToLower(vodapi.Val(t)) {
	case "", "mp4":
		return media.ContainerMP4, nil
	case "hls", "m3u8":
		return media.ContainerHLS, nil
	case "mp3":
		return media.ContainerMP3, nil
	case "m4a":
		return media.ContainerM4A, nil
	}
	return "", tcapi.Errorf("InvalidParameterValue", "OutputConfig.Type %q is not supported: use mp4, hls, mp3 or m4a", vodapi.Val(t))
}

// fileType is the FileType of an output in a container: its extension,
// except hls.
func fileType(c media.Container) string { return string(c) }

// storedDuration reads the duration recorded in a media's MetaData; 0
// when unknown.
func storedDuration(m *store.Media) float64 {
	var meta vodapi.MediaMetaData
	if json.Unmarshal(m.Meta, &meta) != nil {
		return 0
	}
	return vodapi.Val(meta.Duration)
}

// checkWindow validates a clip window of a media whose stored duration is
// d (0: unknown) before a task exists; what names the window in messages.
// Offsets follow the API: 0 = from the start / to the end, negative =
// counted from the end.
func checkWindow(what string, start, end *float64, d float64) error {
	s, e := vodapi.Val(start), vodapi.Val(end)
	if math.IsNaN(s) || math.IsNaN(e) || math.IsInf(s, 0) || math.IsInf(e, 0) {
		return tcapi.Errorf("InvalidParameterValue", "%s: the offsets must be numbers", what)
	}
	if d <= 0 {
		if s > 0 && e > 0 && e <= s {
			return tcapi.Errorf("InvalidParameterValue", "%s: EndTimeOffset %g is not after StartTimeOffset %g", what, e, s)
		}
		return nil
	}
	rs, re := s, e
	if rs < 0 {
		rs += d
	}
	if re < 0 {
		re += d
	}
	switch {
	case rs < 0:
		return tcapi.Errorf("InvalidParameterValue", "%s: StartTimeOffset %g counts back past the start of the %gs media", what, s, d)
	case rs >= d:
		return tcapi.Errorf("InvalidParameterValue", "%s: StartTimeOffset %g is at or beyond the end of the media (duration %gs)", what, s, d)
	case e != 0 && re <= rs:
		return tcapi.Errorf("InvalidParameterValue", "%s: EndTimeOffset %g is not after StartTimeOffset %g (duration %gs)", what, e, s, d)
	}
	return nil
}

// defaultName names an edited media after its source when the request
// gives no name.
func defaultName(name, suffix string) string {
	r := []rune(name + suffix)
	if len(r) > 64 {
		r = r[:64]
	}
	return string(r)
}

// storeEdited probes the local output of an editing task and stores it
// as the original of the new media nm (an HLS output with its segments),
// returning the row to insert.
func (s *Service) storeEdited(ctx context.Context, local string, c media.Container, nm newMedia) (*store.Media, error) {
	sum, err := fileMD5(local)
	if err != nil {
		return nil, err
	}
	nm.MediaType = extOfContainer(c)
	m, err := s.ingest(ctx, local, nm, sum, editSourceType)
	if err != nil {
		return nil, err
	}
	if c != media.ContainerHLS {
		return m, nil
	}
	// The segments sit beside the playlist, which names them by base name.
	dir := filepath.Dir(local)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	size := int64(0)
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil || e.IsDir() {
			continue
		}
		size += fi.Size()
		if e.Name() == filepath.Base(local) {
			continue
		}
		if _, err := s.cfg.Blob.PutFile(ctx, nm.Dir+"/"+e.Name(), filepath.Join(dir, e.Name())); err != nil {
			return nil, err
		}
	}
	var meta vodapi.MediaMetaData
	if err := json.Unmarshal(m.Meta, &meta); err != nil {
		return nil, err
	}
	meta.Size = vodapi.Ptr(size)
	if d := vodapi.Val(meta.Duration); d > 0 {
		meta.Bitrate = vodapi.Ptr(int64(float64(size*8) / d))
	}
	if m.Meta, err = json.Marshal(&meta); err != nil {
		return nil, err
	}
	return m, nil
}

// insertEdited records a new media in the task's final transaction,
// tolerating a row an earlier attempt already wrote, and submits its
// follow-up procedure.
func (s *Service) insertEdited(ctx context.Context, tx *store.Tx, m *store.Media, proc *store.Task) error {
	err := tx.InsertMedia(ctx, m)
	if errors.Is(err, store.ErrDuplicate) {
		err = tx.UpdateMedia(ctx, m)
	}
	if err != nil || proc == nil {
		return err
	}
	return s.cfg.Engine.SubmitTx(ctx, tx, proc)
}

// finishFields sets the status and error fields every editing result
// shares; a failure recorded by the run itself (a partial failure) stays.
func finishFields(status **string, code **int64, ext, msg **string, progress **int64, f *task.Failure) {
	*status = vodapi.Ptr("FINISH")
	switch {
	case f != nil:
		*code, *ext, *msg = vodapi.Ptr(int64(f.ErrCode)), vodapi.Ptr(f.Ext), vodapi.Ptr(f.Message)
	case vodapi.Val(*code) != 0:
		*progress = vodapi.Ptr(int64(100))
	default:
		*code, *ext, *msg, *progress = vodapi.Ptr(int64(0)), vodapi.Ptr(""), vodapi.Ptr("SUCCESS"), vodapi.Ptr(int64(100))
	}
}
