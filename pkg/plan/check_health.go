package plan

// checkHealth validates the optional health block: non-negative durations,
// a known late-data policy, and thresholds that are rates with warn at or
// below block (a warning that could never fire before the block is a typo).
func checkHealth(c *checker, p *Plan) {
	h := p.Health
	if h == nil {
		return
	}
	if h.ClockSkew != nil && *h.ClockSkew < 0 {
		c.add("health.clock_skew", "must not be negative, got %s", h.ClockSkew)
	}
	if h.SettlingDelay != nil && *h.SettlingDelay < 0 {
		c.add("health.settling_delay", "must not be negative, got %s", h.SettlingDelay)
	}
	switch h.LateData {
	case "", LateDataWarn, LateDataBlock:
	default:
		c.add("health.late_data", "expected one of %s, got %q", oneOf(LateDataWarn, LateDataBlock), h.LateData)
	}
	resolved := p.HealthSettings().Levels
	for _, name := range sortedKeys(h.thresholds()) {
		t := h.thresholds()[name]
		if t == nil {
			continue
		}
		field := "health." + name
		ok := true
		for _, v := range []struct {
			name string
			v    *float64
		}{{"warn", t.Warn}, {"block", t.Block}} {
			if v.v != nil && !(*v.v >= 0 && *v.v <= 1) {
				c.add(field+"."+v.name, "expected a rate from 0 (any occurrence) to 1 (never), e.g. 0.01 for 1%%, got %g", *v.v)
				ok = false
			}
		}
		if l := resolved[name]; ok && l.Warn > l.Block {
			c.add(field, "warn (%g) must not be above block (%g); the defaults are warn %g, block %g",
				l.Warn, l.Block, DefaultHealthLevels[name].Warn, DefaultHealthLevels[name].Block)
		}
	}
}
