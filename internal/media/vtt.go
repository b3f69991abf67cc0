package media

import (
	"fmt"
	"math"
	"strings"
)

// SpriteVTT returns the WebVTT index of image sprites: one cue per
// thumbnail, in order, from its sampling time to the next one's (the last
// to the end of the video), whose text is its sheet's URL with a media
// fragment locating the cell, "sheet.jpg#xywh=x,y,w,h". Players (video.js,
// hls.js, Plyr) show it as the seek bar preview.
//
// sheetURLs are the sheets in order, as published; l is the layout
// PlanSprites returned, or one built by hand, whose Count 0 means a
// thumbnail for every started interval of duration seconds.
func SpriteVTT(sheetURLs []string, l SpriteLayout, duration float64) (string, error) {
	if l.Columns <= 0 || l.Rows <= 0 || l.CellWidth <= 0 || l.CellHeight <= 0 || !(l.Interval > 0) {
		return "", fmt.Errorf("sprite vtt: %w: layout %+v", ErrInvalidSpec, l)
	}
	count := l.Count
	if count <= 0 {
		count = max(1, int(math.Ceil(duration/l.Interval-1e-9)))
	}
	perSheet := l.Columns * l.Rows
	if need := (count + perSheet - 1) / perSheet; len(sheetURLs) < need {
		return "", fmt.Errorf("sprite vtt: %w: %d thumbnails need %d sheets, got %d URLs",
			ErrInvalidSpec, count, need, len(sheetURLs))
	}
	var b strings.Builder
	b.WriteString("WEBVTT\n")
	for i := range count {
		start := float64(i) * l.Interval
		end := start + l.Interval
		if duration > start && (end > duration || i == count-1) {
			end = duration
		}
		cell := i % perSheet
		fmt.Fprintf(&b, "\n%s --> %s\n%s#xywh=%d,%d,%d,%d\n",
			vttTime(start), vttTime(end), sheetURLs[i/perSheet],
			cell%l.Columns*l.CellWidth, cell/l.Columns*l.CellHeight, l.CellWidth, l.CellHeight)
	}
	return b.String(), nil
}

// vttTime writes seconds as a WebVTT timestamp, HH:MM:SS.mmm.
func vttTime(s float64) string {
	ms := int64(math.Round(max(s, 0) * 1000))
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3_600_000, ms/60_000%60, ms/1000%60, ms%1000)
}
