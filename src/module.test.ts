import fs from 'fs';
import path from 'path';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { DataSource } from './datasource';
import { plugin } from './module';

describe('module', () => {
  it('registers the data source class with its config and query editors', () => {
    expect(plugin.DataSourceClass).toBe(DataSource);
    expect(plugin.components.ConfigEditor).toBe(ConfigEditor);
    expect(plugin.components.QueryEditor).toBe(QueryEditor);
  });

  it('builds from the top-level plugin.json, whose id is the package name and whose version comes from package.json', () => {
    const root = path.resolve(__dirname, '..');
    const pluginJson = JSON.parse(fs.readFileSync(path.join(__dirname, 'plugin.json'), 'utf8'));
    const topLevel = JSON.parse(fs.readFileSync(path.join(root, 'plugin.json'), 'utf8'));
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    // src/plugin.json is a link to the top-level file, not a copy that could drift.
    expect(fs.realpathSync(path.join(__dirname, 'plugin.json'))).toBe(fs.realpathSync(path.join(root, 'plugin.json')));
    expect(pluginJson).toEqual(topLevel);
    expect(pluginJson.id).toBe(pkg.name);
    expect(pluginJson.info.version).toBe('%VERSION%');
    expect(pluginJson.info.logos.small).toBe('img/logo.svg');
    expect(fs.existsSync(path.join(__dirname, pluginJson.info.logos.small))).toBe(true);
  });
});
