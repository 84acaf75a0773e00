import { CoreApp, DataSourceInstanceSettings, ScopedVars } from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';

import { AnnotationQueryEditor } from './components/AnnotationQueryEditor';
import { missingFields, queryTypeOf } from './queryModel';
import { Choice, resourcePath, toChoices } from './resources';
import { interpolateQuery } from './templating';
import { DEFAULT_QUERY, LiftgateQuery, LiftgateSettings, QueryType, Variable } from './types';
import { LiftgateVariableSupport } from './variables';

/**
 * The liftgate data source. Queries run in the Go backend (pkg/plugin); this
 * class adds what only the browser can do: template variables, annotation and
 * variable support, and the resource calls that feed the editors.
 */
export class DataSource extends DataSourceWithBackend<LiftgateQuery, LiftgateSettings> {
  constructor(instanceSettings: DataSourceInstanceSettings<LiftgateSettings>) {
    super(instanceSettings);
    this.variables = new LiftgateVariableSupport(this);
    this.annotations = {
      QueryEditor: AnnotationQueryEditor,
      getDefaultQuery: () => ({ queryType: QueryType.Annotations }),
      // Annotation queries saved before their type was set are still
      // annotation queries, whatever the panel default is.
      prepareQuery: (anno) => (anno.target ? { ...anno.target, queryType: QueryType.Annotations } : undefined),
    };
  }

  getDefaultQuery(_: CoreApp): Partial<LiftgateQuery> {
    return DEFAULT_QUERY;
  }

  applyTemplateVariables(query: LiftgateQuery, scopedVars: ScopedVars): LiftgateQuery {
    const templateSrv = getTemplateSrv();
    // The backend dispatches on queryType and refuses a query without one;
    // queries saved before it was set are comparisons, as the editor shows.
    return {
      ...interpolateQuery(query, (text) => templateSrv.replace(text, scopedVars)),
      queryType: queryTypeOf(query),
    };
  }

  /** Incomplete queries are not sent; the editor shows what they lack. */
  filterQuery(query: LiftgateQuery): boolean {
    return !query.hide && missingFields({ ...query, queryType: queryTypeOf(query) }).length === 0;
  }

  /**
   * Lists one kind of choice (experiments, or an experiment's metrics, arms,
   * segments or stages) from the backend. A dashboard variable in the
   * experiment is resolved first so editors work on templated dashboards.
   */
  async listChoices(kind: Variable, experiment?: string): Promise<Choice[]> {
    const resolved = experiment ? getTemplateSrv().replace(experiment) : undefined;
    // The editor shows the error inline next to the field; a toast as well
    // would say the same thing twice.
    return toChoices(await this.getResource(resourcePath(kind, resolved), undefined, { showErrorAlert: false }));
  }
}
