import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { DataSource } from './datasource';
import { LiftgateQuery, LiftgateSettings } from './types';

export const plugin = new DataSourcePlugin<DataSource, LiftgateQuery, LiftgateSettings>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
