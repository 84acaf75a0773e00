package plugin_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
)

// pluginID is the id in plugin.json; Grafana passes it in every request.
const pluginID = "liftgate-rollout-datasource"

// grafanaHost starts the plugin binary the way Grafana does
// (pkg/plugins/backendplugin/grpcplugin/client.go in grafana/grafana): the
// go-plugin handshake with Grafana's magic cookie, protocol version 2, the
// SDK's plugin set, gRPC only. Every call then goes through protobuf and
// Arrow exactly as in production.
type grafanaHost struct {
	client      *goplugin.Client
	data        grpcplugin.DataClient
	diagnostics grpcplugin.DiagnosticsClient
	resource    grpcplugin.ResourceClient
}

func startPlugin(t testing.TB, binary string) *grafanaHost {
	t.Helper()
	cmd := exec.Command(binary)
	client := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig: goplugin.HandshakeConfig{
			ProtocolVersion:  grpcplugin.ProtocolVersion,
			MagicCookieKey:   grpcplugin.MagicCookieKey,
			MagicCookieValue: grpcplugin.MagicCookieValue,
		},
		VersionedPlugins: map[int]goplugin.PluginSet{grpcplugin.ProtocolVersion: {
			"diagnostics": &grpcplugin.DiagnosticsGRPCPlugin{},
			"resource":    &grpcplugin.ResourceGRPCPlugin{},
			"data":        &grpcplugin.DataGRPCPlugin{},
			"stream":      &grpcplugin.StreamGRPCPlugin{},
		}},
		Cmd:              cmd,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		StartTimeout:     30 * time.Second,
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "plugin", Level: hclog.Warn, Output: os.Stderr}),
	})
	t.Cleanup(client.Kill)
	rpc, err := client.Client()
	if err != nil {
		t.Fatalf("go-plugin handshake with %s: %v", binary, err)
	}
	if v := client.NegotiatedVersion(); v != grpcplugin.ProtocolVersion {
		t.Fatalf("negotiated protocol %d, Grafana speaks %d", v, grpcplugin.ProtocolVersion)
	}
	h := &grafanaHost{client: client}
	for name, into := range map[string]any{"data": &h.data, "diagnostics": &h.diagnostics, "resource": &h.resource} {
		raw, err := rpc.Dispense(name)
		if err != nil {
			t.Fatalf("dispense %s: %v", name, err)
		}
		switch p := into.(type) {
		case *grpcplugin.DataClient:
			*p = raw.(grpcplugin.DataClient)
		case *grpcplugin.DiagnosticsClient:
			*p = raw.(grpcplugin.DiagnosticsClient)
		case *grpcplugin.ResourceClient:
			*p = raw.(grpcplugin.ResourceClient)
		}
	}
	return h
}

// dataSource is one configured data source as Grafana would send it.
type dataSource struct {
	uid      string
	jsonData any
	secure   map[string]string
	// updated changes when the settings change; Grafana then asks the
	// plugin for a new instance.
	updated time.Time
}

func (d dataSource) pluginContext(t testing.TB) backend.PluginContext {
	t.Helper()
	raw, err := json.Marshal(d.jsonData)
	if err != nil {
		t.Fatal(err)
	}
	return backend.PluginContext{
		OrgID:    1,
		PluginID: pluginID,
		DataSourceInstanceSettings: &backend.DataSourceInstanceSettings{
			UID: d.uid, ID: 1, Name: "liftgate " + d.uid, Type: pluginID,
			JSONData: raw, DecryptedSecureJSONData: d.secure, Updated: d.updated,
		},
	}
}

// query is one panel query: the query model as the frontend sends it.
type query struct {
	refID     string
	queryType string
	model     map[string]any
	from, to  time.Time
	interval  time.Duration
}

func (h *grafanaHost) queryData(t testing.TB, ds dataSource, queries ...query) *backend.QueryDataResponse {
	t.Helper()
	req := &backend.QueryDataRequest{PluginContext: ds.pluginContext(t)}
	for _, q := range queries {
		model := map[string]any{"refId": q.refID, "queryType": q.queryType}
		for k, v := range q.model {
			model[k] = v
		}
		raw, err := json.Marshal(model)
		if err != nil {
			t.Fatal(err)
		}
		interval := q.interval
		if interval == 0 {
			interval = time.Minute
		}
		req.Queries = append(req.Queries, backend.DataQuery{
			RefID: q.refID, QueryType: q.queryType, JSON: raw, Interval: interval, MaxDataPoints: 1000,
			TimeRange: backend.TimeRange{From: q.from, To: q.to},
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	pr, err := h.data.QueryData(ctx, backend.ToProto().QueryDataRequest(req))
	if err != nil {
		t.Fatalf("QueryData over gRPC: %v", err)
	}
	resp, err := backend.FromProto().QueryDataResponse(pr)
	if err != nil {
		t.Fatalf("decoding the QueryData response: %v", err)
	}
	return resp
}

func (h *grafanaHost) checkHealth(t testing.TB, ds dataSource) *backend.CheckHealthResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pc := ds.pluginContext(t)
	resp, err := h.diagnostics.CheckHealth(ctx, &pluginv2.CheckHealthRequest{PluginContext: backend.ToProto().PluginContext(pc)})
	if err != nil {
		t.Fatalf("CheckHealth over gRPC: %v", err)
	}
	return backend.FromProto().CheckHealthResponse(resp)
}

// callResource is a GET of one resource path; it returns the status and
// body of the (streamed) answer.
func (h *grafanaHost) callResource(t testing.TB, ds dataSource, path string) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req := &backend.CallResourceRequest{PluginContext: ds.pluginContext(t), Path: path, Method: "GET", URL: path}
	stream, err := h.resource.CallResource(ctx, backend.ToProto().CallResourceRequest(req))
	if err != nil {
		t.Fatalf("CallResource over gRPC: %v", err)
	}
	status := 0
	var body []byte
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("CallResource stream: %v", err)
		}
		if msg.Code != 0 {
			status = int(msg.Code)
		}
		body = append(body, msg.Body...)
	}
	return status, body
}
