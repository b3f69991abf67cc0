package vod

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/openvod/openvod/internal/media"
	"github.com/openvod/openvod/internal/vodapi"
)

// fontFiles are the fonts text watermarks are drawn with, the first that
// exists: DejaVu Sans as Debian (fonts-dejavu-core), Fedora and Arch ship
// it. The templates' arial.ttf and simkai.ttf are not free; every
// FontType draws in this one.
var fontFiles = []string{
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/TTF/DejaVuSans.ttf",
	"/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
}

// textFont returns the font file of text watermarks.
func textFont() (string, error) {
	for _, f := range fontFiles {
		if fi, err := os.Stat(f); err == nil && fi.Mode().IsRegular() {
			return f, nil
		}
	}
	return "", fmt.Errorf("%w: text watermarks need a font and this server has none installed (DejaVu Sans)", media.ErrInvalidSpec)
}

// overlays turns the watermarks and mosaics of transcode subtask i into
// the overlays of its output. Watermark images are copied from blob
// storage into the run's work folder, outside every job's output folder.
func (pr *procRun) overlays(i int, in *vodapi.TranscodeTaskInput) ([]media.Overlay, error) {
	var ovs []media.Overlay
	for k, w := range in.WatermarkSet {
		o, err := pr.watermarkOverlay(i, k, w)
		if err != nil {
			return nil, fmt.Errorf("WatermarkSet[%d]: %w", k, err)
		}
		ovs = append(ovs, o)
	}
	for k, m := range in.MosaicSet {
		o, err := mosaicOverlay(m)
		if err != nil {
			return nil, fmt.Errorf("MosaicSet[%d]: %w", k, err)
		}
		ovs = append(ovs, o)
	}
	return ovs, nil
}

func (pr *procRun) watermarkOverlay(i, k int, w *vodapi.WatermarkInput) (media.Overlay, error) {
	def := int64(vodapi.Val(w.Definition))
	tpl, imageKey, err := pr.s.watermarkTemplate(pr.ctx, pr.app, def)
	if err != nil {
		return media.Overlay{}, fmt.Errorf("%w: watermark template %d: %v", media.ErrInvalidSpec, def, err)
	}
	o := media.Overlay{Origin: media.Origin(vodapi.Val(tpl.CoordinateOrigin)),
		Start: vodapi.Val(w.StartTimeOffset), End: vodapi.Val(w.EndTimeOffset)}
	if o.X, err = media.ParseLength(vodapi.Val(tpl.XPos)); err != nil {
		return o, err
	}
	if o.Y, err = media.ParseLength(vodapi.Val(tpl.YPos)); err != nil {
		return o, err
	}
	switch typ := vodapi.Val(tpl.Type); typ {
	case "image":
		it := tpl.ImageTemplate
		if it == nil || imageKey == "" {
			return o, fmt.Errorf("%w: watermark template %d has no image", media.ErrInvalidSpec, def)
		}
		if o.Width, err = media.ParseLength(vodapi.Val(it.Width)); err != nil {
			return o, err
		}
		if o.Height, err = media.ParseLength(vodapi.Val(it.Height)); err != nil {
			return o, err
		}
		o.Transparency = int(vodapi.Val(it.Transparency))
		local := filepath.Join(pr.out, "overlays", fmt.Sprintf("t%d-w%d%s", i, k, path.Ext(imageKey)))
		if err := pr.fetchBlob(imageKey, local); err != nil {
			return o, fmt.Errorf("watermark template %d's image: %w", def, err)
		}
		o.Image = local
	case "text":
		tt := tpl.TextTemplate
		if tt == nil {
			return o, fmt.Errorf("%w: watermark template %d has no text settings", media.ErrInvalidSpec, def)
		}
		font, err := textFont()
		if err != nil {
			return o, err
		}
		size, err := strconv.Atoi(strings.TrimSuffix(vodapi.Val(tt.FontSize), "px"))
		if err != nil {
			return o, fmt.Errorf("%w: watermark template %d: font size %q", media.ErrInvalidSpec, def, vodapi.Val(tt.FontSize))
		}
		// The template has no text of its own: the task's TextContent is it.
		text := vodapi.Val(w.TextContent)
		if text == "" {
			return o, fmt.Errorf("%w: watermark template %d is a text watermark: TextContent is required", media.ErrInvalidSpec, def)
		}
		o.Text = &media.TextOverlay{Text: text, FontFile: font, Size: size, Color: vodapi.Val(tt.FontColor), Alpha: vodapi.Val(tt.FontAlpha)}
	case "svg":
		if err := pr.svgOverlay(&o, i, k, tpl.SvgTemplate, vodapi.Val(w.SvgContent)); err != nil {
			return o, fmt.Errorf("watermark template %d: %w", def, err)
		}
	default:
		return o, fmt.Errorf("%w: watermark template %d has type %q", media.ErrInvalidSpec, def, typ)
	}
	return o, nil
}

// mosaicOverlay converts a MosaicInput; its sizes default to 10% of the
// frame and its origin to the top left.
func mosaicOverlay(m *vodapi.MosaicInput) (media.Overlay, error) {
	o := media.Overlay{Mosaic: true, Start: vodapi.Val(m.StartTimeOffset), End: vodapi.Val(m.EndTimeOffset)}
	if c := vodapi.Val(m.CoordinateOrigin); c != "" {
		origin, ok := coordinateOrigin(c)
		if !ok {
			return o, fmt.Errorf("%w: CoordinateOrigin %q", media.ErrInvalidSpec, c)
		}
		o.Origin = media.Origin(origin)
	}
	for _, f := range []struct {
		dst *media.Length
		v   *string
		def string
	}{{&o.X, m.XPos, "0px"}, {&o.Y, m.YPos, "0px"}, {&o.Width, m.Width, "10%"}, {&o.Height, m.Height, "10%"}} {
		v := vodapi.Val(f.v)
		if v == "" {
			v = f.def
		}
		l, err := media.ParseLength(v)
		if err != nil {
			return o, err
		}
		*f.dst = l
	}
	return o, nil
}

// fetchBlob copies the object key into the local file dst.
func (pr *procRun) fetchBlob(key, dst string) (err error) {
	rc, err := pr.s.cfg.Blob.Get(pr.ctx, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	_, err = io.Copy(f, rc)
	return err
}

// svgOverlay draws an SVG watermark: the task's SvgContent, rendered by
// ffmpeg's librsvg decoder and scaled to the template's size (Width
// defaults to 10% of the width, Height to keeping the picture's shape).
func (pr *procRun) svgOverlay(o *media.Overlay, i, k int, st *vodapi.SvgWatermarkInput, content string) error {
	if content == "" {
		return fmt.Errorf("%w: an svg watermark needs the task's SvgContent", media.ErrInvalidSpec)
	}
	if err := checkSVG(content); err != nil {
		return err
	}
	width, height := "10W%", "0px"
	if st != nil {
		width, height = orDefault(vodapi.Val(st.Width), width), orDefault(vodapi.Val(st.Height), height)
	}
	var err error
	if o.Width, err = media.ParseLength(width); err != nil {
		return err
	}
	if o.Height, err = media.ParseLength(height); err != nil {
		return err
	}
	local := filepath.Join(pr.out, "overlays", fmt.Sprintf("t%d-w%d.svg", i, k))
	if err := os.MkdirAll(filepath.Dir(local), 0o755); err != nil {
		return err
	}
	o.Image = local
	return os.WriteFile(local, []byte(content), 0o644)
}

// svgRefRE finds the references an SVG makes to other resources.
var svgRefRE = regexp.MustCompile(`(?i)(?:href|src)\s*=\s*["']\s*([^"']*)`)

// checkSVG refuses SVG text that is not an SVG document or that could make
// the renderer read anything but itself: DTDs (entities) and references
// other than in-document fragments and data: URLs.
func checkSVG(content string) error {
	if len(content) > 2000000 {
		return fmt.Errorf("%w: SvgContent is longer than 2,000,000 characters", media.ErrInvalidSpec)
	}
	lower := strings.ToLower(content)
	if !strings.Contains(lower, "<svg") {
		return fmt.Errorf("%w: SvgContent is not an SVG document (no <svg> element)", media.ErrInvalidSpec)
	}
	if strings.Contains(lower, "<!doctype") || strings.Contains(lower, "<!entity") {
		return fmt.Errorf("%w: SvgContent must not declare a DOCTYPE or entities", media.ErrInvalidSpec)
	}
	for _, m := range svgRefRE.FindAllStringSubmatch(content, -1) {
		if ref := strings.ToLower(m[1]); !strings.HasPrefix(ref, "#") && !strings.HasPrefix(ref, "data:") {
			return fmt.Errorf("%w: SvgContent refers to %q; only #fragments and data: URLs are allowed", media.ErrInvalidSpec, m[1])
		}
	}
	return nil
}
