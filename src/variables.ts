import { CustomVariableSupport, DataQueryRequest, DataQueryResponse } from '@grafana/data';
import { Observable } from 'rxjs';

import { VariableQueryEditor } from './components/VariableQueryEditor';
import type { DataSource } from './datasource';
import { LiftgateQuery, QueryType, Variable } from './types';

/**
 * Dashboard variables (experiments, metrics, arms, segments, stages) come from
 * the backend's "variables" query type, so a variable lists exactly what a
 * query would see, through the same cache and the same errors.
 */
export class LiftgateVariableSupport extends CustomVariableSupport<DataSource, LiftgateQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: DataSource) {
    super();
  }

  query(request: DataQueryRequest<LiftgateQuery>): Observable<DataQueryResponse> {
    return this.datasource.query({
      ...request,
      targets: request.targets.map((target) => ({
        ...target,
        queryType: QueryType.Variables,
        variable: target.variable ?? Variable.Experiments,
      })),
    });
  }
}
