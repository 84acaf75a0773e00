package frames

import "github.com/grafana/grafana-plugin-sdk-go/data"

// Choice is one value a dashboard variable can take.
type Choice struct {
	Text  string
	Value string
}

// Variables is the frame the frontend's variable support reads: "text"
// and "value" columns, one row per choice.
func Variables(choices []Choice, executed string) *data.Frame {
	texts := make([]string, len(choices))
	values := make([]string, len(choices))
	for i, c := range choices {
		texts[i], values[i] = c.Text, c.Value
	}
	f := data.NewFrame("variables", data.NewField("text", nil, texts), data.NewField("value", nil, values))
	f.Meta = &data.FrameMeta{ExecutedQueryString: executed}
	return f
}
