import React, { useState } from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DataSourceSettings } from '@grafana/data';

import { EventStore, LiftgateSecureJsonData, LiftgateSettings, PrometheusAuth } from '../types';
import { ConfigEditor } from './ConfigEditor';
import { MAPPING_PRESETS } from './config/MappingSection';

type Options = DataSourceSettings<LiftgateSettings, LiftgateSecureJsonData>;

function options(jsonData: LiftgateSettings, secureJsonFields: Record<string, boolean> = {}): Options {
  return {
    id: 1,
    uid: 'liftgate-test',
    orgId: 1,
    name: 'liftgate',
    type: 'liftgate-rollout-datasource',
    typeName: 'liftgate',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    withCredentials: false,
    readOnly: false,
    jsonData,
    secureJsonFields,
  } as Options;
}

function renderConfig(initial: Options) {
  const onOptionsChange = jest.fn<void, [Options]>();
  function Harness() {
    const [opts, setOpts] = useState(initial);
    return (
      <ConfigEditor
        options={opts}
        onOptionsChange={(o) => {
          onOptionsChange(o);
          setOpts(o);
        }}
      />
    );
  }
  const user = userEvent.setup({ delay: null });
  render(<Harness />);
  const last = () => onOptionsChange.mock.calls[onOptionsChange.mock.calls.length - 1][0];
  return { user, onOptionsChange, last };
}

describe('ConfigEditor', () => {
  it('renders the exporter, event store, Prometheus and query sections', () => {
    renderConfig(options({ exporterUrl: 'http://exporter:9464' }));
    for (const legend of ['liftgate exporter', 'Event store', 'Prometheus', 'Queries']) {
      expect(screen.getByText(legend)).toBeInTheDocument();
    }
    expect(screen.getByLabelText(/^Exporter URL/)).toHaveValue('http://exporter:9464');
    // The exporter's own store is the default: no database settings shown.
    expect(screen.getByLabelText('Exporter API')).toBeChecked();
    expect(screen.queryByLabelText('Address')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Events table')).not.toBeInTheDocument();
  });

  it('edits jsonData and drops a cleared field instead of saving an empty string', async () => {
    const { user, last } = renderConfig(options({ exporterUrl: 'http://old:1' }));
    const url = screen.getByLabelText(/^Exporter URL/);
    await user.clear(url);
    expect(last().jsonData).toEqual({});
    await user.type(url, 'https://exporter.example:9464');
    expect(last().jsonData).toEqual({ exporterUrl: 'https://exporter.example:9464' });
    expect(last().secureJsonData).toBeUndefined();
  });

  it('flags a URL that is not http(s)', async () => {
    const { user } = renderConfig(options({}));
    await user.type(screen.getByLabelText('Prometheus URL'), 'prometheus:9090');
    expect(screen.getByText('Expected an http:// or https:// URL')).toBeInTheDocument();
    await user.clear(screen.getByLabelText('Prometheus URL'));
    await user.type(screen.getByLabelText('Prometheus URL'), 'http://prometheus:9090');
    expect(screen.queryByText('Expected an http:// or https:// URL')).not.toBeInTheDocument();
  });

  it('ClickHouse settings go to jsonData.clickhouse and its password only to secureJsonData', async () => {
    const { user, last } = renderConfig(options({ exporterUrl: 'http://exporter:9464' }));
    await user.click(screen.getByLabelText('ClickHouse'));
    expect(last().jsonData.eventStore).toBe(EventStore.ClickHouse);

    await user.type(screen.getByLabelText('Address'), 'ch:9000');
    await user.type(screen.getByLabelText('Database'), 'analytics');
    await user.type(screen.getByLabelText('Password'), 's3cret');
    await user.click(screen.getByLabelText('TLS'));
    await user.type(screen.getByLabelText('Server name'), 'ch.internal');

    expect(last().jsonData).toEqual({
      exporterUrl: 'http://exporter:9464',
      eventStore: 'clickhouse',
      clickhouse: { addr: 'ch:9000', database: 'analytics', tls: true, tlsServerName: 'ch.internal' },
    });
    expect(last().secureJsonData).toEqual({ clickhousePassword: 's3cret' });
    expect(JSON.stringify(last().jsonData)).not.toContain('s3cret');
  });

  it('PostgreSQL shows its own settings, with a map properties column offered only for ClickHouse', async () => {
    const { user, last } = renderConfig(options({ eventStore: EventStore.Postgres }));
    expect(screen.getByLabelText('TLS mode')).toBeInTheDocument();
    expect(screen.queryByLabelText('Map(String, String)')).not.toBeInTheDocument();
    await user.type(screen.getByLabelText('Connection string (instead)'), 'postgres://u:p@db/x');
    expect(last().secureJsonData).toEqual({ postgresDsn: 'postgres://u:p@db/x' });

    await user.click(screen.getByLabelText('ClickHouse'));
    expect(screen.getByLabelText('Map(String, String)')).toBeInTheDocument();
  });

  it('fills the mapping from a preset and flags identifiers the backend would refuse', async () => {
    const { user, last } = renderConfig(options({ eventStore: EventStore.ClickHouse }));
    await user.click(screen.getByRole('button', { name: 'PostHog' }));
    expect(last().jsonData.mapping).toEqual(MAPPING_PRESETS.posthog);
    expect(screen.getByLabelText('Unit column')).toHaveValue('distinct_id');

    await user.clear(screen.getByLabelText('Events table'));
    await user.type(screen.getByLabelText('Events table'), 'events; drop table x');
    expect(
      screen.getByText('Expected a plain identifier (letters, digits, _ and $), optionally db.table')
    ).toBeInTheDocument();
  });

  it('a configured secret shows as configured, and Reset clears it for re-entry', async () => {
    const { user, last } = renderConfig(
      options({ prometheusAuth: PrometheusAuth.Bearer, prometheusUrl: 'http://p:9090' }, { prometheusToken: true })
    );
    const token = screen.getByLabelText('Token');
    expect(token).toBeDisabled();
    expect(token).toHaveValue('configured');
    // The only configured secret, so the only Reset button.
    await user.click(screen.getByRole('button', { name: 'Reset' }));
    expect(last().secureJsonFields).toEqual({ prometheusToken: false });
    expect(last().secureJsonData).toEqual({ prometheusToken: '' });
    expect(screen.getByLabelText('Token')).toBeEnabled();
  });

  it('basic auth asks for a user and a password; switching away drops the user', async () => {
    const { user, last } = renderConfig(options({ prometheusUrl: 'http://p:9090' }));
    await user.click(screen.getByLabelText('Basic auth'));
    await user.type(screen.getByLabelText(/^User/), 'grafana');
    expect(last().jsonData).toEqual({
      prometheusUrl: 'http://p:9090',
      prometheusAuth: 'basic',
      prometheusUser: 'grafana',
    });
    await user.click(screen.getByLabelText('Bearer token'));
    expect(last().jsonData).toEqual({ prometheusUrl: 'http://p:9090', prometheusAuth: 'bearer' });
  });

  it('flags a cache time that is not a duration', async () => {
    const { user, last } = renderConfig(options({}));
    await user.type(screen.getByLabelText('Cache results for'), '30 seconds');
    expect(screen.getByText('"30 seconds" is not a duration: expected e.g. 30s, 2m or 0s')).toBeInTheDocument();
    await user.clear(screen.getByLabelText('Cache results for'));
    await user.type(screen.getByLabelText('Cache results for'), '0s');
    expect(last().jsonData).toEqual({ cacheTtl: '0s' });
  });
});
