import React from 'react';
import { SelectableValue } from '@grafana/data';
import { Combobox, FieldSet, InlineField, InlineSwitch, RadioButtonGroup } from '@grafana/ui';

import { EventStore } from '../../types';
import { ConfigActions } from './configActions';
import { MappingSection } from './MappingSection';
import { SecretSetting } from './SecretSetting';
import { LABEL_WIDTH, TextSetting } from './TextSetting';

const STORE_OPTIONS: Array<SelectableValue<EventStore>> = [
  { value: EventStore.Exporter, label: 'Exporter API', description: "The exporter's embedded store" },
  { value: EventStore.ClickHouse, label: 'ClickHouse', description: 'An events table in ClickHouse' },
  { value: EventStore.Postgres, label: 'PostgreSQL', description: 'An events table in PostgreSQL' },
];

// libpq sslmodes, as pkg/events/postgres accepts them.
const TLS_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'].map((m) => ({ value: m }));

/** Where product events are read: the exporter, or a ClickHouse/PostgreSQL table with its mapping. */
export function EventStoreSection(actions: ConfigActions) {
  const { jsonData, setJson } = actions;
  const store = jsonData.eventStore ?? EventStore.Exporter;
  return (
    <FieldSet label="Event store">
      <InlineField label="Events from" labelWidth={LABEL_WIDTH} tooltip="Where product events are read">
        <RadioButtonGroup options={STORE_OPTIONS} value={store} onChange={(eventStore) => setJson({ eventStore })} />
      </InlineField>
      {store === EventStore.ClickHouse && <ClickHouseSettings {...actions} />}
      {store === EventStore.Postgres && <PostgresSettings {...actions} />}
      {store !== EventStore.Exporter && <MappingSection {...actions} store={store} />}
    </FieldSet>
  );
}

function ClickHouseSettings({ jsonData, setSection, secret }: ConfigActions) {
  const ch = jsonData.clickhouse ?? {};
  const set = (patch: Parameters<typeof setSection<'clickhouse'>>[1]) => setSection('clickhouse', patch);
  return (
    <>
      <TextSetting
        id="liftgate-ch-addr"
        label="Address"
        tooltip="host:port of the native protocol (port 9000 when omitted; 9440 with TLS). Several comma-separated addresses are tried in order."
        placeholder="clickhouse:9000"
        value={ch.addr}
        onChange={(addr) => set({ addr })}
      />
      <TextSetting
        id="liftgate-ch-database"
        label="Database"
        tooltip="The database holding the events table"
        placeholder="default"
        value={ch.database}
        onChange={(database) => set({ database })}
      />
      <TextSetting
        id="liftgate-ch-user"
        label="User"
        tooltip="The user to connect as"
        placeholder="default"
        value={ch.user}
        onChange={(user) => set({ user })}
      />
      <SecretSetting
        id="liftgate-ch-password"
        label="Password"
        tooltip="The user's password"
        placeholder="Password"
        binding={secret('clickhousePassword')}
      />
      <SecretSetting
        id="liftgate-ch-dsn"
        label="DSN (instead)"
        tooltip="A clickhouse:// URL to use instead of address, database and user; kept secret because it may hold a password"
        placeholder="clickhouse://user:password@host:9000/db"
        binding={secret('clickhouseDsn')}
      />
      <InlineField label="TLS" labelWidth={LABEL_WIDTH} tooltip="Encrypt the connection (usually port 9440)">
        <InlineSwitch
          id="liftgate-ch-tls"
          value={Boolean(ch.tls)}
          onChange={(e) => set({ tls: e.currentTarget.checked || undefined })}
        />
      </InlineField>
      {ch.tls && (
        <>
          <TextSetting
            id="liftgate-ch-tls-ca"
            label="CA file"
            tooltip="PEM file of CA certificates on the Grafana server; empty uses the system roots"
            value={ch.tlsCaFile}
            onChange={(tlsCaFile) => set({ tlsCaFile })}
          />
          <TextSetting
            id="liftgate-ch-tls-server-name"
            label="Server name"
            tooltip="The name the certificate is checked against, if not the host"
            value={ch.tlsServerName}
            onChange={(tlsServerName) => set({ tlsServerName })}
          />
          <InlineField
            label="Skip verification"
            labelWidth={LABEL_WIDTH}
            tooltip="Accept any certificate. Only for testing."
          >
            <InlineSwitch
              id="liftgate-ch-tls-skip-verify"
              value={Boolean(ch.tlsSkipVerify)}
              onChange={(e) => set({ tlsSkipVerify: e.currentTarget.checked || undefined })}
            />
          </InlineField>
        </>
      )}
    </>
  );
}

function PostgresSettings({ jsonData, setSection, secret }: ConfigActions) {
  const pg = jsonData.postgres ?? {};
  const set = (patch: Parameters<typeof setSection<'postgres'>>[1]) => setSection('postgres', patch);
  return (
    <>
      <TextSetting
        id="liftgate-pg-addr"
        label="Address"
        tooltip="host:port (port 5432 when omitted)"
        placeholder="postgres:5432"
        value={pg.addr}
        onChange={(addr) => set({ addr })}
      />
      <TextSetting
        id="liftgate-pg-database"
        label="Database"
        tooltip="The database holding the events table"
        value={pg.database}
        onChange={(database) => set({ database })}
      />
      <TextSetting
        id="liftgate-pg-user"
        label="User"
        tooltip="The user to connect as"
        value={pg.user}
        onChange={(user) => set({ user })}
      />
      <SecretSetting
        id="liftgate-pg-password"
        label="Password"
        tooltip="The user's password"
        placeholder="Password"
        binding={secret('postgresPassword')}
      />
      <SecretSetting
        id="liftgate-pg-dsn"
        label="Connection string (instead)"
        tooltip="A postgres:// URL or key=value string to use instead of address, database and user; kept secret because it may hold a password"
        placeholder="postgres://user:password@host:5432/db"
        binding={secret('postgresDsn')}
      />
      <InlineField
        label="TLS mode"
        labelWidth={LABEL_WIDTH}
        tooltip="libpq sslmode; prefer when empty"
        htmlFor="liftgate-pg-tls-mode"
      >
        <Combobox
          id="liftgate-pg-tls-mode"
          width={40}
          isClearable
          placeholder="prefer"
          options={TLS_MODES}
          value={pg.tlsMode ?? null}
          onChange={(o) => set({ tlsMode: o?.value })}
        />
      </InlineField>
      <TextSetting
        id="liftgate-pg-tls-ca"
        label="CA file"
        tooltip="PEM file of CA certificates on the Grafana server"
        value={pg.tlsCaFile}
        onChange={(tlsCaFile) => set({ tlsCaFile })}
      />
    </>
  );
}
