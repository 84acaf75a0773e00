package plugin

// Dispose closes the instance's connections when Grafana replaces it (its
// settings changed) or removes it. The SDK delays it a few seconds after
// the replacement, so queries still running on this instance finish.
func (ds *Datasource) Dispose() {
	if ds.configErr != nil {
		return
	}
	_ = ds.events.Close()
	ds.http.CloseIdleConnections()
}
