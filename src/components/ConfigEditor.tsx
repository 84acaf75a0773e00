import React from 'react';
import { Stack } from '@grafana/ui';

import { configActions, ConfigProps } from './config/configActions';
import { EventStoreSection } from './config/EventStoreSection';
import { ExporterSection } from './config/ExporterSection';
import { PrometheusSection } from './config/PrometheusSection';
import { QuerySection } from './config/QuerySection';

/**
 * The data source settings (pkg/models/settings.go): the exporter plans come
 * from, where events are read, Prometheus, and query caching. "Save & test"
 * runs the backend's health check, which names the source that fails.
 */
export function ConfigEditor(props: ConfigProps) {
  const actions = configActions(props);
  return (
    <Stack direction="column" gap={2}>
      <ExporterSection {...actions} />
      <EventStoreSection {...actions} />
      <PrometheusSection {...actions} />
      <QuerySection {...actions} />
    </Stack>
  );
}
