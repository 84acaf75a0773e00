// Command gpx_liftgate is the liftgate Grafana data source's backend.
// Grafana starts it and talks to it over gRPC (hashicorp go-plugin).
package main

import (
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/liftgate/liftgate/pkg/plugin"
)

func main() {
	// Manage serves one instance per configured data source, created from
	// its settings by NewDatasource and replaced when they change.
	if err := datasource.Manage(plugin.PluginID, plugin.NewDatasource, datasource.ManageOpts{}); err != nil {
		log.DefaultLogger.Error(err.Error())
		os.Exit(1)
	}
}
