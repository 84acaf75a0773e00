package plan

// ArmNames returns the arms' names in plan order.
func (p *Plan) ArmNames() []string {
	names := make([]string, len(p.Arms))
	for i, a := range p.Arms {
		names[i] = a.Name
	}
	return names
}

// MetricByName finds a metric by its name.
func (p *Plan) MetricByName(name string) (*Metric, bool) {
	for i := range p.Metrics {
		if p.Metrics[i].Name == name {
			return &p.Metrics[i], true
		}
	}
	return nil, false
}
