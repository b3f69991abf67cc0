package media

import (
	"fmt"
	"slices"
	"strings"
)

// videoChain is the video chain of one output of a one-decode graph: the
// filters before scaling (trim, fps), the geometry, the filters after
// (setsar, format), and the label of its end.
type videoChain struct {
	out  string
	pre  []string
	g    frameGeometry
	post []string
}

// videoChains adds to the graph the chains that turn the decoded video at
// label in into every chain's output, and scales each picture as cheaply
// as it can: a chain whose picture is no larger than another's, after the
// same trim and frame rate, scales from that chain's scaled picture (the
// closest in size) instead of from the source (cascaded scaling; on a 1080p
// ladder to 720p, 480p and 360p it saves a tenth of the CPU time), and
// chains of the same picture size scale once. Pictures that are padded or
// cropped feed others before their padding or crop; a gauss fill feeds
// nobody.
func videoChains(graph *[]string, in string, chains []videoChain) {
	type node struct {
		c        videoChain
		key      string // the pre filters: chains cascade only within a key
		parent   int    // index of the chain it scales from; -1 for the source
		children []int
	}
	nodes := make([]node, len(chains))
	for i, c := range chains {
		nodes[i] = node{c: c, key: strings.Join(c.pre, ","), parent: -1}
	}
	scaled := func(g frameGeometry) bool { return g.cw != g.sw || g.ch != g.sh }
	area := func(i int) int { return nodes[i].c.g.cw * nodes[i].c.g.ch }

	// Visit larger pictures first, so that a parent comes before its children.
	order := make([]int, len(chains))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return area(b) - area(a) })
	for pos, j := range order {
		gj := nodes[j].c.g
		if !scaled(gj) {
			continue // the source's own size: nothing to save
		}
		best := -1
		for _, k := range order[:pos] {
			gk := nodes[k].c.g
			if nodes[k].key != nodes[j].key || gk.fill == FillGauss || !scaled(gk) ||
				gk.cw < gj.cw || gk.ch < gj.ch {
				continue
			}
			if best < 0 || area(k) < area(best) {
				best = k
			}
		}
		if best >= 0 {
			nodes[j].parent = best
			nodes[best].children = append(nodes[best].children, j)
		}
	}

	var roots []int
	for i, n := range nodes {
		if n.parent < 0 {
			roots = append(roots, i)
		}
	}
	inputs := make([]string, len(nodes))
	for r, label := range splitInputs(graph, in, "split", "vs", len(roots)) {
		inputs[roots[r]] = label
	}
	for _, i := range order { // parents first
		for c, child := range nodes[i].children {
			inputs[child] = fmt.Sprintf("%sc%d", nodes[i].c.out, c)
		}
	}
	for i, n := range nodes {
		pre, g := n.c.pre, n.c.g
		if n.parent >= 0 {
			// The parent's picture: already trimmed, at its size.
			p := nodes[n.parent].c.g
			pre, g.sw, g.sh = nil, p.cw, p.ch
		}
		if len(n.children) == 0 {
			*graph = append(*graph, g.filters(inputs[i], n.c.out, n.c.out, pre, n.c.post))
			continue
		}
		// Scale, then split the picture between this chain's finish and
		// the chains that scale from it.
		chain := slices.Clone(pre)
		if g.cw != g.sw || g.ch != g.sh {
			chain = append(chain, fmt.Sprintf("scale=%d:%d", g.cw, g.ch))
		}
		own := n.c.out + "p"
		labels := "[" + own + "]"
		for _, child := range n.children {
			labels += "[" + inputs[child] + "]"
		}
		chain = append(chain, fmt.Sprintf("split=%d%s", len(n.children)+1, labels))
		*graph = append(*graph, "["+inputs[i]+"]"+strings.Join(chain, ","))
		g.sw, g.sh = g.cw, g.ch
		*graph = append(*graph, g.filters(own, n.c.out, n.c.out, nil, n.c.post))
	}
}
