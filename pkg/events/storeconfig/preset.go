package storeconfig

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/liftgate/liftgate/pkg/events"
)

// mappingPresets are the mappings a file may name instead of spelling them
// out. They are functions so that no caller can change a shared value.
var mappingPresets = map[string]func() events.Mapping{
	"liftgate": events.LiftgateMapping,
	"posthog":  events.PostHogMapping,
}

// PresetNames lists the mapping presets in name order.
func PresetNames() []string {
	names := make([]string, 0, len(mappingPresets))
	for name := range mappingPresets {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Preset returns the named mapping preset.
func Preset(name string) (events.Mapping, bool) {
	f, ok := mappingPresets[name]
	if !ok {
		return events.Mapping{}, false
	}
	return f(), true
}

// resolvePreset replaces a scalar `mapping: NAME` in a store block by the
// preset's mapping, so the block then decodes like any other. The new nodes
// carry the scalar's position, so later errors point at the right line.
func resolvePreset(block *yaml.Node, path string) error {
	if block.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(block.Content); i += 2 {
		key, value := block.Content[i], block.Content[i+1]
		if key.Value != "mapping" || value.Kind != yaml.ScalarNode {
			continue
		}
		if value.Tag == "!!null" {
			return fmt.Errorf("line %d: %s.mapping: empty; expected a preset (%s) or a mapping with table and columns",
				value.Line, path, strings.Join(PresetNames(), ", "))
		}
		m, ok := Preset(value.Value)
		if !ok {
			return fmt.Errorf("line %d: %s.mapping: %q is not a preset (%s); spell the mapping out with table and columns otherwise",
				value.Line, path, value.Value, strings.Join(PresetNames(), ", "))
		}
		var n yaml.Node
		if err := n.Encode(m); err != nil {
			return fmt.Errorf("line %d: %s.mapping: %v", value.Line, path, err)
		}
		setPosition(&n, value.Line, value.Column)
		block.Content[i+1] = &n
	}
	return nil
}

func setPosition(n *yaml.Node, line, column int) {
	n.Line, n.Column = line, column
	for _, c := range n.Content {
		setPosition(c, line, column)
	}
}
